internal import Crypto
import Foundation

/// One folder of the user's cache: files that are expensive to rebuild and cheap to lose.
///
/// The folder is the user's own (`CORGI_CACHE_DIR`, else `$XDG_CACHE_HOME/corgi`, else
/// `~/.cache/corgi`, with a subfolder per kind of entry); `CORGI_CACHE_DIR=off` turns every cache
/// off. A file starts with the SHA-256 of its payload, so a damaged or truncated file reads as
/// missing and is rebuilt; files are written to a temporary name and renamed, so a concurrent run
/// never reads half of one. Writing is best effort: a cache that cannot be written only costs the
/// next run the rebuild. Folders are 0700 and files 0600. Entries hold rules and patterns only,
/// never scanned content.
struct CacheFolder: Sendable {
    let directory: String

    init(directory: String) {
        self.directory = directory
    }

    /// The `name` subfolder of the user's cache, or nil when caching is off or no home is known.
    static func `default`(_ name: String) -> CacheFolder? {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["CORGI_CACHE_DIR"] {
            return configured.isEmpty || configured == "off" ? nil : CacheFolder(directory: configured + "/" + name)
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return CacheFolder(directory: xdg + "/corgi/" + name) }
        if let home = environment["HOME"], home.hasPrefix("/") { return CacheFolder(directory: home + "/.cache/corgi/" + name) }
        return nil
    }

    /// The payload of `file`, or nil when it is missing, unreadable, fails its digest, or could
    /// have been written by someone else: the file and its folder must belong to this user and be
    /// writable by no one else, since an entry decides which rules a scan runs.
    func read(_ file: String) -> [UInt8]? {
        guard Self.isPrivate(directory), Self.isPrivate(path(file)),
              let data = FileManager.default.contents(atPath: path(file)), data.count >= 32
        else { return nil }
        let digest = [UInt8](data.prefix(32))
        let payload = [UInt8](data.dropFirst(32))
        guard Array(SHA256.hash(data: payload)) == digest else { return nil }
        return payload
    }

    func write(_ file: String, _ payload: [UInt8]) {
        let bytes = Array(SHA256.hash(data: payload)) + payload
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return
        }
        let temporary = path(file) + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, path(file)) != 0 { unlink(temporary) }
    }

    func path(_ file: String) -> String { directory + "/" + file }

    /// Owned by the effective user and not writable by group or others.
    static func isPrivate(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return info.st_uid == geteuid() && info.st_mode & (S_IWGRP | S_IWOTH) == 0
    }

    /// Hex SHA-256 of `parts`, each length-prefixed so no two lists share a key.
    static func key(_ parts: [[UInt8]]) -> String {
        var hash = SHA256()
        for part in parts {
            hash.update(data: Array("\(part.count)\0".utf8))
            hash.update(data: part)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

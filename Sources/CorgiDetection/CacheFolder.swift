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
///
/// The folder stays within `budget` bytes: every upgrade, and every change to a repository's own
/// rules, keys new entries, and a CI runner that keeps its cache would otherwise grow it without
/// end (a developer's machine held 632 MB after a week). After a write, entries are removed least
/// recently used first (a read marks an entry used) until the folder fits; the entry just written
/// is never removed, and neither is anything that is not one of this folder's own entries.
struct CacheFolder: Sendable {
    let directory: String
    /// Bytes the folder's entries may take together.
    let budget: Int

    static let defaultBudget = 128 * 1024 * 1024

    init(directory: String, budget: Int = CacheFolder.defaultBudget) {
        self.directory = directory
        self.budget = budget
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
        // Used now: the last to go when the folder is pruned.
        _ = utimensat(AT_FDCWD, path(file), nil, 0)
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
        prune(keeping: file)
    }

    /// Removes entries, least recently used first, until the folder's entries fit `budget`, and
    /// temporary files a writer left behind more than an hour ago. Only regular files this user
    /// owns whose names are entries (`<64 hex digits>.<extension>`) or temporary files count; a
    /// symbolic link or anything else in the folder is left alone.
    func prune(keeping kept: String) {
        guard Self.isPrivate(directory), let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        var entries: [(name: String, size: Int, used: Int)] = []
        var total = 0
        let now = Int(Date().timeIntervalSince1970)
        for name in names {
            let isEntry = Self.isEntryName(name)
            let isTemporary = !isEntry && name.hasSuffix(".tmp") && Self.startsWithKey(name)
            guard isEntry || isTemporary else { continue }
            var info = stat()
            guard lstat(path(name), &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else { continue }
            if isTemporary {
                if now - Int(info.st_mtim.tv_sec) > 3600 { unlink(path(name)) }
                continue
            }
            total += Int(info.st_size)
            if name != kept { entries.append((name, Int(info.st_size), Int(info.st_mtim.tv_sec))) }
        }
        guard total > budget else { return }
        for entry in entries.sorted(by: { ($0.used, $0.name) < ($1.used, $1.name) }) {
            guard total > budget else { break }
            if unlink(path(entry.name)) == 0 { total -= entry.size }
        }
    }

    /// `<64 lower-case hex digits>.<lower-case letters>`: the names this folder gives entries.
    static func isEntryName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return startsWithKey(name) && bytes.count > 65 && bytes[65...].allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
    }

    /// Whether `name` starts with a key (64 lower-case hex digits) and a dot.
    static func startsWithKey(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count > 65, bytes[64] == UInt8(ascii: ".") else { return false }
        return bytes[..<64].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
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

import CorgiDetection
import Foundation

/// Which key `corgi scan` gives its fingerprints (docs/security.md, "Nothing published confirms a
/// guess of a secret"), first match wins:
///
/// 1. `--fingerprint-key FILE`, then `fingerprint_key_file:` in the configuration (relative to
///    it): a key you keep with your CI secrets; the same file everywhere gives the same
///    fingerprints everywhere.
/// 2. In a git repository with its full history: a key derived from the repository's root
///    commit id(s). Stable across clones, branches, rebases and machines, so committed baselines
///    keep working; known only to those who can read the repository, who can read the secret
///    anyway. A shallow clone does not have the real root, so it goes on to 3.
/// 3. A key of this user on this machine, created on first use (0600) in
///    `$XDG_CONFIG_HOME/corgi/fingerprint-key` (or `~/.config/corgi/fingerprint-key`).
enum FingerprintKeySource {
    static func resolve(flag: String?, configured: String?, configurationDirectory: URL?) throws -> FingerprintKey {
        if let flag { return try read(URL(fileURLWithPath: flag), named: flag) }
        if let configured {
            let url = configurationDirectory.map { URL(fileURLWithPath: configured, relativeTo: $0).standardizedFileURL }
                ?? URL(fileURLWithPath: configured)
            return try read(url, named: configured)
        }
        if let roots = repositoryRoots() {
            return FingerprintKey.derived(from: roots, label: "git root commits", source: "the repository's root commit")
        }
        return try userKey()
    }

    static func read(_ url: URL, named name: String) throws -> FingerprintKey {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw UsageError("fingerprint key file not found or unreadable: \(name)")
        }
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let bytes = trimmed.reversed().drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }.reversed()
        do { return try FingerprintKey(Array(bytes), source: name) } catch { throw UsageError("\(error)") }
    }

    /// The root commit ids of HEAD, sorted and joined; nil outside a repository, in a shallow
    /// clone, or when git is missing.
    static func repositoryRoots() -> String? {
        guard let shallow = GitDiff.query(["rev-parse", "--is-shallow-repository"]), shallow == "false",
              let roots = GitDiff.query(["rev-list", "--max-parents=0", "HEAD"]), !roots.isEmpty
        else { return nil }
        return roots.split(separator: "\n").map(String.init).sorted().joined(separator: "\n")
    }

    static func userKey() throws -> FingerprintKey {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        let directory = base + "/corgi"
        let path = directory + "/fingerprint-key"
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                var generator = SystemRandomNumberGenerator()
                let key = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
                // Created exclusively (O_EXCL): of two scans starting at once, the second reads the first's key.
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if fd >= 0 {
                    let bytes = Array((key + "\n").utf8)
                    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                    guard written == bytes.count else { throw UsageError("cannot write the fingerprint key \(path)") }
                } else if errno != EEXIST {
                    throw UsageError("cannot create the fingerprint key \(path): \(String(cString: strerror(errno))); give one with --fingerprint-key")
                }
            } catch {
                throw UsageError("cannot create the fingerprint key \(path): \(error.localizedDescription); give one with --fingerprint-key")
            }
        }
        return try read(URL(fileURLWithPath: path), named: path)
    }
}

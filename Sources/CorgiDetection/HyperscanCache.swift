internal import Crypto
import Foundation

/// Compiled Hyperscan databases kept on disk, so a scan starts in milliseconds instead of
/// compiling thousands of patterns (0.4–1 s for the built-in packs) every run.
///
/// An entry is named by the SHA-256 of everything that decides the database (library version,
/// every pattern, flag and id), so a changed rule set never meets a stale entry. Hyperscan checks
/// the bytes are a database for this version and CPU when it loads them; an entry that fails to
/// load or to read is compiled again and replaced. Where entries live, and how they are checked
/// and written, is ``CacheFolder``'s.
struct HyperscanCache: Sendable {
    let folder: CacheFolder
    /// Compile time from which a database is written to the cache: small databases (one rule's,
    /// in the rule tests) compile faster than a file is written, while a dataflow language's
    /// sources or sink keywords (5–30 ms each) would cost every small scan that much again.
    /// Tests that check what is written
    /// set it to zero, so whether an entry is kept never depends on the machine's load.
    let worthKeeping: Duration

    init(directory: String, worthKeeping: Duration = .milliseconds(3)) {
        self.folder = CacheFolder(directory: directory)
        self.worthKeeping = worthKeeping
    }

    static var `default`: HyperscanCache? {
        CacheFolder.default("hyperscan").map { HyperscanCache(directory: $0.directory) }
    }

    static func key(_ expressions: [HyperscanDatabase.Expression]) -> String {
        var hash = SHA256()
        hash.update(data: Array("corgi-hyperscan-1\0\(HyperscanDatabase.version)\0".utf8))
        for e in expressions {
            hash.update(data: Array("\(e.id)\0\(e.flags.rawValue)\0\(e.pattern.utf8.count)\0".utf8))
            hash.update(data: Array(e.pattern.utf8))
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The entry's payload: which regexes (by position in the request) were dropped, and the database.
    struct Entry {
        var dropped: [Int]
        var database: HyperscanDatabase
    }

    func load(key: String) -> Entry? {
        // Hyperscan checks a database's version and platform when loading, not every byte of it:
        // the folder's digest keeps a damaged file from ever reaching it.
        guard let bytes = folder.read(key + ".hsdb"), bytes.count >= 4 else { return nil }
        let count = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        let header = 4 + 4 * count
        guard count >= 0, bytes.count > header else { return nil }
        var dropped: [Int] = []
        for i in 0..<count {
            let o = 4 + 4 * i
            dropped.append(Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24)
        }
        guard let database = HyperscanDatabase(serialized: Array(bytes[header...])) else { return nil }
        return Entry(dropped: dropped, database: database)
    }

    /// Best effort: a cache that cannot be written only costs the next run a compile.
    func store(key: String, _ entry: Entry) {
        guard let serialized = entry.database.serialized() else { return }
        var bytes: [UInt8] = []
        func put(_ v: Int) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        put(entry.dropped.count)
        entry.dropped.forEach(put)
        bytes += serialized
        folder.write(key + ".hsdb", bytes)
    }

    func path(_ key: String) -> String { folder.path(key + ".hsdb") }
}

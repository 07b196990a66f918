import CorgiCore
@testable import CorgiDetection
import Foundation
import Testing

/// The decoded-rule cache: a scan started from it sees exactly the rules the YAML says, and no
/// stale, damaged or foreign entry can change them.
@Suite("Rule cache")
struct RuleCacheTests {
    static let directory = RuleLoader.builtinRulesDirectory()!

    func temporaryFolder() -> CacheFolder {
        CacheFolder(directory: FileManager.default.temporaryDirectory.appendingPathComponent("corgi-rule-cache-\(UUID().uuidString)").path)
    }

    func load(_ folder: CacheFolder?, withTests: Bool, from directory: URL = Self.directory) throws -> LoadedRules {
        try RuleLoader.load(files: RuleLoader.ruleFiles(in: directory), relativeTo: directory, cache: folder, withTests: withTests)
    }

    @Test("rules read back from the cache equal the rules read from YAML, with and without test cases", arguments: [true, false])
    func roundTrip(_ withTests: Bool) throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.directory) }
        let fromYAML = try load(nil, withTests: true)
        let first = try load(folder, withTests: withTests)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.directory).count == 1, "the first load writes one entry")
        let second = try load(folder, withTests: withTests)
        let expected = withTests ? fromYAML.rules : fromYAML.rules.map { var rule = $0; rule.tests = nil; return rule }
        #expect(first.rules == expected)
        #expect(second.rules == expected, "read from the cache")
        #expect(second.origin == fromYAML.origin)
        #expect(second.globalAllowlist == fromYAML.globalAllowlist)
        #expect(second.rules.contains { $0.tests != nil } == withTests)
        // Provider lists are kept as the names they are, and a name-only entry as a plain string.
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.directory).first)
        let cached = try JSONDecoder().decode(CachedRules.self, from: Data(folder.read(entry)!))
        #expect(!cached.providerLists.isEmpty && cached.rules.count * 3 < second.rules.count)
        #expect(String(decoding: folder.read(entry)!, as: UTF8.self).contains(#""names":["#))
    }

    @Test("a damaged entry is read from YAML again and replaced")
    func damaged() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.directory) }
        let expected = try load(folder, withTests: false).rules
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.directory).first)
        var bytes = [UInt8](FileManager.default.contents(atPath: folder.path(entry))!)
        for i in stride(from: 40, to: bytes.count, by: 4_099) { bytes[i] ^= 0x20 }
        FileManager.default.createFile(atPath: folder.path(entry), contents: Data(bytes))
        #expect(folder.read(entry) == nil, "a damaged entry fails its digest")
        #expect(try load(folder, withTests: false).rules == expected)
        #expect(folder.read(entry) != nil, "rewritten whole")
    }

    @Test("an entry whose digest holds but whose rules do not is ignored, not trusted")
    func inconsistent() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.directory) }
        let expected = try load(folder, withTests: false).rules
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.directory).first)
        // Valid JSON and a valid digest, but a rule refers to an allowlist that is not there.
        var cached = try JSONDecoder().decode(CachedRules.self, from: Data(folder.read(entry)!))
        cached.allowlistOf[0] = cached.allowlists.count + 7
        folder.write(entry, Array(try JSONEncoder().encode(cached)))
        #expect(try load(folder, withTests: false).rules == expected)
    }

    @Test("rules from the cache compile their regexes only when they run, and find the same")
    func deferredCompilation() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.directory) }
        _ = try load(folder, withTests: false)
        let cached = try load(folder, withTests: false)
        // Every built-in regex compiled when the entry was written, and the entry says so.
        #expect(cached.rules.allSatisfy { cached.verifiedPatterns[$0.regex] != nil })
        let deferred = try RuleSet(rules: cached.rules, globalAllowlist: cached.globalAllowlist, verifiedPatterns: cached.verifiedPatterns)
        let eager = try RuleSet(rules: cached.rules, globalAllowlist: cached.globalAllowlist)
        #expect(deferred.rules.allSatisfy { !$0.regex.isCompiled }, "nothing compiled before a scan")
        #expect(zip(deferred.rules, eager.rules).allSatisfy { $0.regex.captureCount == $1.regex.captureCount })
        let diff = newFileDiff("deploy/app.env", [
            "GITHUB_TOKEN=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",
            "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "password = \"Summer2024!x\"",
        ])
        func findings(_ ruleSet: RuleSet) throws -> [String] {
            try Scan(ruleSet: ruleSet).run(diff: diff).findings.map { "\($0.line) \($0.ruleID)" }
        }
        let found = try findings(deferred)
        let expected = try findings(eager)
        #expect(!found.isEmpty && found == expected)
        // Only the rules that ran were compiled: a few, not thousands.
        let compiled = deferred.rules.filter { $0.regex.isCompiled }.count
        #expect(compiled > 0 && compiled < deferred.rules.count / 10, "\(compiled) compiled")
    }

    @Test("a rule from a file compiles at once, and one that does not compile fails before any scan")
    func unverifiedRulesFailEarly() throws {
        var cached = try load(temporaryFolder(), withTests: false)
        var broken = rule("broken-rule", regex: "(unclosed", keywords: ["x"])
        broken.kind = .secret
        var extra = LoadedRules()
        extra.rules = [broken]
        cached.override(with: extra)
        #expect(throws: RuleError.self) {
            try RuleSet(rules: cached.rules, globalAllowlist: cached.globalAllowlist, verifiedPatterns: cached.verifiedPatterns)
        }
        // A built-in rule replaced by the configuration under its own id gets no verified count
        // from the one it replaces: the verification belongs to the pattern, not the id.
        let original = try #require(cached.rules.first { $0.id == "github-pat-classic" })
        var replaced = original
        replaced.regex = "ghp_(["
        var override = LoadedRules()
        override.rules = [replaced]
        var withOverride = try load(temporaryFolder(), withTests: false)
        withOverride.override(with: override)
        #expect(throws: RuleError.self) {
            try RuleSet(rules: withOverride.rules, globalAllowlist: withOverride.globalAllowlist, verifiedPatterns: withOverride.verifiedPatterns)
        }
    }

    @Test("a verified pattern that then fails to compile, or has other groups than promised, never matches")
    func lyingVerification() throws {
        let scratch = MatchScratch()
        let good = PCRE2Pattern(verified: "(ab)(c)", captureCount: 2)
        #expect(!good.isCompiled)
        #expect(good.matches("xxabc", scratch: scratch))
        let match = Array("xxabc".utf8).withUnsafeBufferPointer { good.firstMatch(in: $0, scratch: scratch) }
        #expect(match?.groups == [2..<5, 2..<4, 4..<5])
        #expect(good.isCompiled)
        // An entry claiming more groups than the pattern has would have matches read groups
        // that are not there; it is refused instead.
        let lying = PCRE2Pattern(verified: "(ab)c", captureCount: 5)
        #expect(!lying.matches("abc", scratch: scratch))
        #expect(Array("abc".utf8).withUnsafeBufferPointer { lying.allMatches(in: $0, scratch: scratch) }.isEmpty)
        let broken = PCRE2Pattern(verified: "(ab", captureCount: 1)
        #expect(!broken.matches("ab", scratch: scratch))
    }

    @Test("an edited rule file is never answered from the entry of its old text")
    func edited() throws {
        let folder = temporaryFolder()
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-rules-copy-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(atPath: folder.directory)
            try? FileManager.default.removeItem(at: copy)
        }
        try FileManager.default.copyItem(at: Self.directory, to: copy)
        let before = try load(folder, withTests: false, from: copy)
        let file = copy.appendingPathComponent("secrets/ci-infra.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "title: Jenkins encrypted credential", with: "title: Jenkins secret (edited)")
            .write(to: file, atomically: true, encoding: .utf8)
        let after = try load(folder, withTests: false, from: copy)
        #expect(before.rules.first { $0.id == "jenkins-encrypted-secret" }?.title == "Jenkins encrypted credential")
        #expect(after.rules.first { $0.id == "jenkins-encrypted-secret" }?.title == "Jenkins secret (edited)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.directory).count == 2)
    }
}

@Suite("Cache folder")
struct CacheFolderTests {
    @Test("an entry others could have written is not read")
    func foreignWritable() throws {
        let folder = CacheFolder(directory: FileManager.default.temporaryDirectory.appendingPathComponent("corgi-cache-folder-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: folder.directory) }
        folder.write("entry", Array("payload".utf8))
        #expect(folder.read("entry") == Array("payload".utf8))
        chmod(folder.path("entry"), 0o666)
        #expect(folder.read("entry") == nil, "a world-writable entry")
        chmod(folder.path("entry"), 0o600)
        chmod(folder.directory, 0o777)
        #expect(folder.read("entry") == nil, "an entry in a world-writable folder")
        chmod(folder.directory, 0o700)
        #expect(folder.read("entry") == Array("payload".utf8))
    }

    /// An entry's name for key `n`, as the caches give them.
    static func entry(_ n: Int, _ ext: String = "json") -> String { String(format: "%064x", n) + "." + ext }

    /// Sets the time an entry was last used to `seconds` ago.
    static func age(_ folder: CacheFolder, _ name: String, seconds: Int) {
        var times = [timespec(tv_sec: time(nil) - seconds, tv_nsec: 0), timespec(tv_sec: time(nil) - seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, folder.path(name), &times, AT_SYMLINK_NOFOLLOW)
    }

    @Test("the folder stays within its budget: least recently used entries go first, a read counts as a use")
    func pruned() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-cache-budget-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Entries of 1,000 payload bytes (1,032 on disk): three fit in 3,500 bytes, four do not.
        let folder = CacheFolder(directory: directory, budget: 3_500)
        let payload = [UInt8](repeating: 7, count: 1_000)
        for n in 0..<3 {
            folder.write(Self.entry(n), payload)
            Self.age(folder, Self.entry(n), seconds: 1_000 - n * 100)
        }
        // Entry 0 is the oldest written, but was read since: entry 1 is the least recently used.
        #expect(folder.read(Self.entry(0)) == payload)
        folder.write(Self.entry(3, "hsdb"), payload)
        #expect(folder.read(Self.entry(1)) == nil)
        for n in [0, 2] { #expect(folder.read(Self.entry(n)) == payload) }
        #expect(folder.read(Self.entry(3, "hsdb")) == payload)
        // An entry larger than the whole budget is still kept once written: the others go.
        folder.write(Self.entry(4), [UInt8](repeating: 1, count: 5_000))
        #expect(folder.read(Self.entry(4)) != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [Self.entry(4)])
    }

    @Test("pruning removes only the folder's own entries and stale temporary files, never through a link")
    func prunedSafely() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-cache-prune-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let folder = CacheFolder(directory: base + "/rules", budget: 1)
        folder.write(Self.entry(1), [1])
        let outside = base + "/outside.json"
        FileManager.default.createFile(atPath: outside, contents: Data([1, 2, 3]))
        // A link named like an entry, a file the folder did not name, a fresh and a stale temporary file.
        symlink(outside, folder.path(Self.entry(2)))
        FileManager.default.createFile(atPath: folder.path("notes.txt"), contents: Data([1]))
        FileManager.default.createFile(atPath: folder.path(Self.entry(3) + ".123.tmp"), contents: Data([1]))
        FileManager.default.createFile(atPath: folder.path(Self.entry(4) + ".456.tmp"), contents: Data([1]))
        Self.age(folder, Self.entry(4) + ".456.tmp", seconds: 7_200)
        folder.write(Self.entry(5), [2])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.directory))
        #expect(left == [Self.entry(2), "notes.txt", Self.entry(3) + ".123.tmp", Self.entry(5)])
        #expect(FileManager.default.fileExists(atPath: outside))
    }
}

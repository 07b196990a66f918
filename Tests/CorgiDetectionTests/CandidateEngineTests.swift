import CorgiCore
@testable import CorgiDetection
import Foundation
import Testing

/// The two candidate stages (Hyperscan and the portable keyword prefilter) must give the same
/// findings: Hyperscan may only save regex runs, never lose a finding.
@Suite("Candidate engines")
struct CandidateEngineTests {
    static let loaded: LoadedRules = try! RuleLoader.loadBuiltin()

    /// `scripts/test` sets CORGI_EXPECT_HYPERSCAN=1 on x86-64, where setup installs the library:
    /// there the fast path must really be the one under test, not a silent fallback.
    @Test("Hyperscan is linked where the suite expects it")
    func hyperscanLinked() throws {
        guard ProcessInfo.processInfo.environment["CORGI_EXPECT_HYPERSCAN"] == "1" else { return }
        #expect(CandidateEngine.hyperscan.isAvailable, "this build did not link libhs (\(HyperscanDatabase.version))")
        let set = try RuleSet(rules: Self.loaded.rules, globalAllowlist: Self.loaded.globalAllowlist, engine: .hyperscan)
        #expect(set.candidateEngine == .hyperscan)
        // A specific secret rule whose regex Hyperscan cannot take (lookarounds it cannot
        // approximate, large bounded repeats) falls back to its keywords: it is listed, never
        // left unfiltered, and stays a small minority.
        let fallbacks = set.rulesWithoutPrefilter
        let byID = Dictionary(uniqueKeysWithValues: Self.loaded.rules.map { ($0.id, $0) })
        #expect(fallbacks.allSatisfy { !(byID[$0.rule]?.keywords ?? []).isEmpty }, "\(fallbacks)")
        let specific = Self.loaded.rules.filter { $0.kind == .secret && $0.generic != true }.count
        #expect(fallbacks.count * 5 < specific, "\(fallbacks.count) of \(specific) specific rules without a prefilter")
    }

    @Test("the keyword engine can be forced, and is what a build without the library runs")
    func portablePathSelectable() throws {
        let set = try RuleSet(rules: [tokenRule], engine: .keywords)
        #expect(set.candidateEngine == .keywords)
        #expect(CandidateEngine.keywords.isAvailable)
    }

    @Test("every built-in rule passes its own cases on the keyword engine too")
    func ruleCasesOnKeywordEngine() {
        let result = RuleTester(loaded: Self.loaded, engine: .keywords).run()
        #expect(result.tested == Self.loaded.rules.count)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(20).map(\.description).joined(separator: "; "))")
    }

    /// Every rule's match and no_match cases as files of one diff, each under a path its rule
    /// applies to, with context lines and a second hunk: scanned with all packs on both engines.
    static func allCasesDiff() -> String {
        var out = ""
        for (r, definition) in loaded.rules.enumerated() {
            guard let tests = definition.tests else { continue }
            for (c, text) in (tests.match + tests.noMatch).enumerated() {
                let sample = RuleTester.samplePath(for: definition)
                let path = text.path ?? (sample.contains("/") ? sample.replacingOccurrences(of: "sample", with: "case\(r)-\(c)") : "r\(r)c\(c)/" + sample)
                var lines = text.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.last == "" { lines.removeLast() }
                let n = lines.count
                out += "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
                out += "@@ -1,2 +1,\(n + 2) @@\n context above\n"
                for line in lines { out += "+\(line)\n" }
                out += " context below\n"
                // The same lines again further down, as context and as added lines in turn.
                out += "@@ -40,\(n) +\(42),\(n * 2) @@\n"
                for line in lines { out += " \(line)\n+\(line)\n" }
            }
        }
        return out
    }

    static func findings(_ diff: String, engine: CandidateEngine) throws -> [Finding] {
        let set = try RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist, engine: engine)
        #expect(set.candidateEngine == engine)
        return try Scan(ruleSet: set).run(diff: diff).findings
    }

    @Test("all packs over every rule's cases: the same findings on both engines")
    func sameFindingsOnEveryCase() throws {
        guard CandidateEngine.hyperscan.isAvailable else { return }
        let diff = Self.allCasesDiff()
        let keywords = try Self.findings(diff, engine: .keywords)
        let hyperscan = try Self.findings(diff, engine: .hyperscan)
        #expect(keywords.count > 1000, "the cases should produce many findings, got \(keywords.count)")
        #expect(keywords == hyperscan)
        if keywords != hyperscan {
            let a = Set(keywords.map { "\($0.path):\($0.line):\($0.column) \($0.ruleID)" })
            let b = Set(hyperscan.map { "\($0.path):\($0.line):\($0.column) \($0.ruleID)" })
            Issue.record("only keywords: \(a.subtracting(b).sorted().prefix(10)); only hyperscan: \(b.subtracting(a).sorted().prefix(10))")
        }
    }

    @Test("decoded text and paths: both engines name the same rules by keyword, and Hyperscan never builds the automaton")
    func keywordRulesAgree() throws {
        guard CandidateEngine.hyperscan.isAvailable else { return }
        let fast = try RuleSet(rules: Self.loaded.rules, globalAllowlist: Self.loaded.globalAllowlist, engine: .hyperscan)
        #expect(fast.candidateEngine == .hyperscan)
        // A scan with findings in content, in a decoded segment and in a path.
        let keys = ["sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h", "sk_live_51Jx3PqR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ5kL7m",
                    "sk_live_51Mn4OpQ6rS8tU0vW2xY4zA6bC8dE0fG2hI4jK6l"]
        let encoded = Data("stripe_key = \(keys[0])".utf8).base64EncodedString()
        let diff = newFileDiff("config/\(keys[2])/app.yaml", ["blob: \(encoded)", "key: \(keys[1])"])
        let found = try Scan(ruleSet: fast).run(diff: diff).findings
        // The path's key (reported at the first line), the decoded one and the plain one.
        #expect(found.map(\.line).sorted() == [1, 1, 2], "\(found.map { ($0.ruleID, $0.line) })")
        #expect(!fast.isAutomatonBuilt, "the Hyperscan engine built the keyword automaton")
        let portable = KeywordCandidateFinder(ruleSet: fast)
        let finder = fast.makeCandidateFinder()
        #expect(finder.engine == .hyperscan)
        var texts = ["", "\n", "nothing to see", "GHP_abc ghp_ xoxb- AKIA sk_live_ password= Secret: TOKEN", "config/\(token)/app.yaml"]
        // Every keyword of every rule, alone, in another case, and all of them on one line.
        let keywords = Self.loaded.rules.flatMap { $0.keywords ?? [] }
        texts += keywords.prefix(4000).map { "x=\($0)." }
        texts += keywords.prefix(500).map { "\($0.uppercased()) \($0.lowercased())" }
        texts.append(keywords.joined(separator: " "))
        for text in texts {
            let bytes = Array(text.utf8)
            var a: [Int32] = [], b: [Int32] = []
            bytes.withUnsafeBufferPointer {
                finder.collectKeywordRules(in: $0, into: &a)
                portable.collectKeywordRules(in: $0, into: &b)
            }
            #expect(Set(a) == Set(b), "\(text.prefix(80))")
        }
    }

    @Test("line anchors hold on every line of a batch, not only its first")
    func anchorsPerLine() throws {
        guard CandidateEngine.hyperscan.isAvailable else { return }
        let anchored = rule("anchored", regex: #"^export TOKEN=([a-z0-9]{12})$"#, keywords: ["export token"])
        let lines = (0..<50).map { i in i % 7 == 3 ? "export TOKEN=\(String(repeating: "k", count: 6))\(100_000 + i)" : "echo line \(i)" }
        let diff = newFileDiff("deploy.sh", lines)
        for engine in CandidateEngine.allCases {
            let found = try Scan(ruleSet: RuleSet(rules: [anchored], engine: engine)).run(diff: diff).findings
            #expect(found.map(\.line) == [4, 11, 18, 25, 32, 39, 46], "\(engine)")
        }
    }

    @Test("a rule Hyperscan cannot prefilter is still found by its keywords")
    func rejectedRegexStillRuns() throws {
        guard CandidateEngine.hyperscan.isAvailable else { return }
        // \A means the start of the batch to Hyperscan but the start of the line to PCRE2.
        let subjectStart = rule("subject-start", regex: #"\Akey_([A-Z]{10})"#, keywords: ["key_"])
        let set = try RuleSet(rules: [subjectStart], engine: .hyperscan)
        #expect(set.rulesWithoutPrefilter.map(\.rule) == ["subject-start"])
        let diff = newFileDiff("a.txt", ["nothing here", "key_ABCDEFGHIJ", "x key_ABCDEFGHIJ"])
        let found = try Scan(ruleSet: set).run(diff: diff).findings
        #expect(found.map(\.line) == [2])
    }

    @Test("a rule without keywords runs on its prefilter alone, and finds what the keyword engine finds")
    func unkeyedRule() throws {
        let unkeyed = rule("unkeyed", regex: #"\b(zz[0-9]{8})\b"#)
        let diff = newFileDiff("a.txt", ["a zz12345678 b", "zz1234", "nothing", "zz87654321"])
        var results: [[Int]] = []
        for engine in CandidateEngine.allCases where engine.isAvailable {
            results.append(try Scan(ruleSet: RuleSet(rules: [unkeyed], engine: engine)).run(diff: diff).findings.map(\.line))
        }
        #expect(results.allSatisfy { $0 == [1, 4] }, "\(results)")
    }

    @Test("a thousand decoys on a line and a real token after them: found on both engines")
    func decoysThenToken() throws {
        let line = String(repeating: "tok_decoy ", count: 1000) + token
        let diff = newFileDiff("a.env", [line, "tok_ but nothing", line])
        for engine in CandidateEngine.allCases where engine.isAvailable {
            let found = try Scan(ruleSet: RuleSet(rules: [tokenRule], engine: engine)).run(diff: diff).findings
            #expect(found.map(\.line) == [1, 3], "\(engine)")
        }
    }

    @Test("a batch larger than one Hyperscan call's worth keeps every line's findings")
    func manyBatches() throws {
        // 3,000 lines of 60 bytes: several batches in one hunk, a token every 97 lines.
        let lines = (0..<3000).map { i in i % 97 == 0 ? "value = \(token)" : String(repeating: "x", count: 60) }
        let diff = newFileDiff("big.py", lines)
        let expected = stride(from: 0, to: 3000, by: 97).map { $0 + 1 }
        for engine in CandidateEngine.allCases where engine.isAvailable {
            let found = try Scan(ruleSet: RuleSet(rules: [tokenRule], engine: engine)).run(diff: diff).findings
            #expect(found.map(\.line) == expected, "\(engine)")
        }
    }

    @Test("relaxed prefilters: counted repeats loosen, everything else stays", arguments: [
        (#"sk-[A-Za-z0-9]{20,200}T3BlbkFJ"#, #"sk-[A-Za-z0-9]+T3BlbkFJ"#),
        (#"a{0,3}b{2}c{5,}"#, #"a*b+c+"#),
        (#"x{2}+y*?z{1,4}?"#, #"x+y*z+"#),
        (#"[a{2}]\{3}\x{41}\p{L}"#, #"[a{2}]\{3}\x{41}\p{L}"#),
        (#"a{,3}b{x}c{"#, #"a{,3}b{x}c{"#),
        (#"\Qk{2}\E{2}"#, #"\Qk{2}\E+"#),
        (#"(?i)(?:ghp_)[0-9a-z]{36}"#, #"(?i)(?:ghp_)[0-9a-z]+"#),
        (#"[[:alnum:]{]{8}"#, #"[[:alnum:]{]+"#),
    ])
    func relax(pattern: String, expected: String) {
        #expect(PrefilterPattern.relax(pattern) == expected)
    }

    @Test("a relaxed prefilter matches every built-in match case its rule matches")
    func relaxedIsSuperset() throws {
        let scratch = MatchScratch()
        for definition in Self.loaded.rules where definition.kind == .secret {
            let compiled = try CompiledRule(definition)
            let relaxed = try PCRE2Pattern(PrefilterPattern.relax(compiled.regex.source))
            for c in definition.tests?.match ?? [] {
                for line in c.text.split(separator: "\n") {
                    var text = String(line)
                    let original = text.withUTF8 { compiled.regex.matches($0, scratch: scratch) }
                    let loose = text.withUTF8 { relaxed.matches($0, scratch: scratch) }
                    if original { #expect(loose, "\(definition.id): relaxed prefilter misses a match case") }
                }
            }
        }
    }

    @Test("a damaged cache entry is compiled again, with the same findings")
    func damagedCache() throws {
        guard CandidateEngine.hyperscan.isAvailable else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-hs-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Every compiled database is kept: the test checks what is written back, and a fast
        // compile on an idle machine must not skip the write (the default keeps only slow ones).
        let cache = HyperscanCache(directory: directory, worthKeeping: .zero)
        let rules = try Self.loaded.rules.filter { $0.kind == .secret }.map { try CompiledRule($0) }
        let first = try HyperscanCandidateIndex(rules: rules, unkeyedLineRules: [], unkeyedMultilineRules: [], cache: cache)
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!entries.isEmpty, "the packs' databases are worth keeping")
        for entry in entries {
            let path = directory + "/" + entry
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            for i in stride(from: 8, to: bytes.count, by: 97) { bytes[i] ^= 0x5A }
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
        for entry in entries { #expect(cache.load(key: String(entry.dropLast(".hsdb".count))) == nil, "a damaged entry must not load") }
        let second = try HyperscanCandidateIndex(rules: rules, unkeyedLineRules: [], unkeyedMultilineRules: [], cache: cache)
        #expect(first.hasPrefilter == second.hasPrefilter)
        // Compiled again and written back whole.
        for entry in entries { #expect(cache.load(key: String(entry.dropLast(".hsdb".count))) != nil) }
        let diff = newFileDiff("a.env", ["GITHUB_TOKEN=ghp_" + String(repeating: "aB3", count: 12)])
        let set = try RuleSet(rules: Self.loaded.rules.filter { $0.kind == .secret }, globalAllowlist: Self.loaded.globalAllowlist, engine: .hyperscan)
        let keywords = try RuleSet(rules: Self.loaded.rules.filter { $0.kind == .secret }, globalAllowlist: Self.loaded.globalAllowlist, engine: .keywords)
        #expect(try Scan(ruleSet: set).run(diff: diff).findings == Scan(ruleSet: keywords).run(diff: diff).findings)
    }
}

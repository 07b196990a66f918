import CorgiCore
import CorgiDetection
import Foundation
import Testing

@Suite("Suppressions: inline, baseline, fingerprints")
struct SuppressionTests {
    @Test("corgi:ignore on the line or the line above, for all rules or named ones")
    func inline() throws {
        let lines = [
            "a = \"\(token)\"  # corgi:ignore",
            "# corgi:ignore[test-token]",
            "b = \"\(token)\"",
            "# corgi:ignore[other-rule]",
            "c = \"\(token)\"",
            "d = \"\(token)\"  // corgi:ignore[x, test-token]",
            "",
            "e = \"\(token)\"",
        ]
        let result = try scan(newFileDiff("a.py", lines), rules: [tokenRule])
        #expect(result.findings.map(\.line) == [5, 8])
        #expect(result.statistics.suppressedInline == 3)
    }

    @Test("an ignore on an unchanged line above still applies")
    func inlineOnContextLine() throws {
        let diff = """
            diff --git a/a.py b/a.py
            --- a/a.py
            +++ b/a.py
            @@ -1,2 +1,3 @@
             # corgi:ignore[test-token]
            +x = "\(token)"
             y = 1

            """
        #expect(try scan(diff, rules: [tokenRule]).findings.isEmpty)
    }

    @Test("fingerprints survive moved lines, other commits and white space; differ by path and rule")
    func fingerprints() throws {
        let code = rule("call", kind: .code, regex: #"danger\([^)]*\)"#, keywords: ["danger("])
        let a = try scan(newFileDiff("a.py", ["x", "danger(a,  b)"]), rules: [tokenRule, code]).findings
        let b = try scan(newFileDiff("a.py", ["", "", "", "   danger(a, b)"]), rules: [tokenRule, code]).findings
        let c = try scan(newFileDiff("b.py", ["danger(a, b)"]), rules: [code]).findings
        #expect(a.count == 1 && b.count == 1 && c.count == 1)
        #expect(a[0].fingerprint == b[0].fingerprint)
        #expect(a[0].line != b[0].line)
        #expect(a[0].fingerprint != c[0].fingerprint)
        #expect(a[0].fingerprint.count == 32)

        let s1 = try scan(newFileDiff("k.env", ["K=\(token)"]), rules: [tokenRule]).findings[0]
        let s2 = try scan(newFileDiff("k.env", ["# moved", "export K=\"\(token)\""]), rules: [tokenRule]).findings[0]
        #expect(s1.fingerprint == s2.fingerprint)
    }

    @Test("a baseline from a JSON report or a fingerprint list hides accepted findings")
    func baseline() throws {
        let diff = newFileDiff("a.py", ["a = \"\(token)\"", "b = \"tok_Zq8Wm3Rt6Yp1Lk4Nv7Bc\""])
        let all = try scan(diff, rules: [tokenRule]).findings
        #expect(all.count == 2)
        let json = Data(#"{"findings": [{"fingerprint": "\#(all[0].fingerprint)", "rule_id": "x"}], "stats": {}}"#.utf8)
        let fromJSON = try Baseline.parse(json)
        let fromText = try Baseline.parse(Data("# accepted\n\(all[0].fingerprint)  # reason\n\n".utf8))
        #expect(fromJSON == fromText)
        let result = try scan(diff, rules: [tokenRule], options: ScanOptions(baseline: fromJSON))
        #expect(result.findings.map(\.line) == [2])
        #expect(result.statistics.suppressedBaseline == 1)
        #expect(throws: BaselineError.self) { try Baseline.parse(Data("not-a-fingerprint\n".utf8)) }
        #expect(throws: BaselineError.self) { try Baseline.parse(Data(#"{"nope": 1}"#.utf8)) }
    }
}

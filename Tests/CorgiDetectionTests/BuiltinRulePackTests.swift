import CorgiCore
import CorgiDetection
import Testing

/// The built-in packs: every rule compiles, carries its own cases, and passes them.
@Suite("Built-in rule packs")
struct BuiltinRulePackTests {
    static let loaded: LoadedRules = try! RuleLoader.loadBuiltin()

    @Test("every built-in rule passes its own match and no_match cases", arguments: loaded.rules.map(\.id))
    func ruleCases(id: String) {
        let definition = Self.loaded.rules.first { $0.id == id }!
        let failures = RuleTester(loaded: Self.loaded).test(definition)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "; "))")
    }

    @Test("the packs compile together and every rule has a CWE, a message and keywords")
    func packShape() throws {
        let set = try RuleSet(rules: Self.loaded.rules, globalAllowlist: Self.loaded.globalAllowlist)
        #expect(set.rules.count == Self.loaded.rules.count)
        for rule in Self.loaded.rules {
            #expect(rule.cwe?.hasPrefix("CWE-") == true, "\(rule.id) needs a CWE")
            #expect(rule.message?.isEmpty == false, "\(rule.id) needs a message")
            #expect(rule.keywords?.isEmpty == false, "\(rule.id) runs without a keyword prefilter")
            if rule.kind == .code { #expect(rule.fix?.isEmpty == false, "\(rule.id) needs a fix hint") }
        }
    }

    @Test("the packs cover at least 200 secret formats and 150 code patterns")
    func packSizes() {
        let secrets = Self.loaded.rules.filter { $0.kind == .secret }
        let code = Self.loaded.rules.filter { $0.kind == .code }
        #expect(secrets.count >= 200, "\(secrets.count) secret rules")
        #expect(code.count >= 150, "\(code.count) code rules")
        for rule in code {
            #expect(rule.owasp?.isEmpty == false, "\(rule.id) needs an OWASP category")
        }
        // Every language the code pack promises has rules.
        let languages = Set(code.flatMap { $0.languages ?? [] })
        for language in ["python", "javascript", "typescript", "java", "kotlin", "go", "ruby", "php", "csharp", "swift", "shell", "dockerfile", "terraform", "yaml"] {
            #expect(languages.contains(language), "no code rule for \(language)")
        }
        #expect(code.contains { ($0.paths ?? []).contains { $0.contains(".github/workflows") } }, "no GitHub Actions rule")
    }

    @Test("a rule without test cases fails the suite")
    func missingCasesFail() {
        // The regex must not match the sample path (src/sample.txt): paths are scanned for secrets too.
        var bare = RuleDefinition(id: "bare", title: "t", kind: .secret, severity: .low, regex: "qq")
        #expect(!RuleTester(loaded: LoadedRules()).test(bare).isEmpty)
        bare.tests = RuleTests(match: [RuleTestCase(text: "qq")], noMatch: [RuleTestCase(text: "y"), RuleTestCase(text: "z")])
        #expect(RuleTester(loaded: LoadedRules()).test(bare).map(\.reason) == ["needs at least 2 match cases"])
    }
}

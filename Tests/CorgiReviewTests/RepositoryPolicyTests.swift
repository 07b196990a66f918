import CorgiCore
import CorgiReview
import Testing

@Suite("Repository policy (.corgi.yml): parsed strictly, applied to findings, problems named")
struct RepositoryPolicyTests {
    static func policy(_ yaml: String) -> RepositoryPolicy { RepositoryPolicy(parsing: Array(yaml.utf8)) }

    static func finding(_ rule: String, _ kind: Finding.Kind, _ severity: Severity = .high) -> Finding {
        Finding(ruleID: rule, title: rule, kind: kind, severity: severity, cwe: nil, path: "a.py", line: 1, column: 1, message: "m",
                fingerprint: "fp-\(rule)", redacted: nil)
    }

    @Test("every setting is read")
    func full() {
        let p = Self.policy("""
            packs: [secrets]
            fail_on: critical
            ignore_paths: ["vendor/**", "*.min.js"]
            disable_rules: [noisy-rule]
            severity:
              python-yaml-unsafe-load: low
            """)
        #expect(p.problems.isEmpty)
        #expect(p.reportSecrets && !p.reportCode)
        #expect(p.failOn(default: .high) == .critical)
        #expect(p.ignorePaths == ["vendor/**", "*.min.js"])
        #expect(p.disabledRules == ["noisy-rule"] && p.severities == ["python-yaml-unsafe-load": .low])
    }

    @Test("an empty or absent file changes nothing; never means never fail")
    func defaults() {
        #expect(Self.policy("") == RepositoryPolicy())
        #expect(RepositoryPolicy().failOn(default: .medium) == .medium)
        #expect(Self.policy("fail_on: never").failOn(default: .high) == nil)
    }

    @Test("findings: packs, disabled rules and severities apply; the rest is untouched")
    func apply() {
        let p = Self.policy("packs: [code]\ndisable_rules: [b]\nseverity: {a: info}")
        let out = p.apply(to: [Self.finding("a", .code), Self.finding("b", .code), Self.finding("s", .secret), Self.finding("c", .code, .medium)])
        #expect(out.map(\.ruleID) == ["a", "c"])
        #expect(out.map(\.severity) == [.info, .medium])
    }

    @Test("problems are named and the part in error falls back to the default", arguments: [
        ("packs: [secrets, docs]", "unknown pack"),
        ("fail_on: sometimes", "`fail_on` must be"),
        ("fail_on: [high]", "`fail_on` must be"),
        ("ignore_paths: ['src/{a,b']", "does not compile"),
        ("ignore_paths: {a: b}", "must be a list"),
        ("disable_rules: [[nested]]", "only text entries"),
        ("severity: {a: extreme}", "`severity` maps"),
        ("severity: [a]", "`severity` must be a mapping"),
        ("colour: blue", "unknown setting"),
        ("- just\n- a list", "must be a mapping"),
        ("key: [unterminated", "not valid YAML"),
    ])
    func problems(_ yaml: String, _ expected: String) {
        let p = Self.policy(yaml)
        #expect(p.problems.contains { $0.contains(expected) }, "\(p.problems)")
        // The setting in error keeps its default whole.
        #expect(p.failOn(default: .high) == .high)
        #expect(p.reportSecrets && p.reportCode && p.ignorePaths.isEmpty && p.severities.isEmpty)
    }

    @Test("hostile files are bounded: too large, not UTF-8, an alias bomb, a huge list")
    func hostile() {
        #expect(RepositoryPolicy(parsing: Array(repeating: 0x20, count: RepositoryPolicy.maximumBytes + 1)).problems.first?.contains("larger") == true)
        #expect(RepositoryPolicy(parsing: [0x66, 0x61, 0xFF, 0xFE]).problems.first?.contains("UTF-8") == true)
        // Nine levels of nine aliases: expanded it would be 387 million entries.
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { bomb += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
        bomb += "disable_rules: *l8\n"
        let started = ContinuousClock.now
        let p = Self.policy(bomb)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(p.disabledRules.isEmpty && !p.problems.isEmpty)
        let huge = "disable_rules: [" + (0...RepositoryPolicy.maximumEntries).map { "r\($0)" }.joined(separator: ", ") + "]"
        #expect(Self.policy(huge).problems.contains { $0.contains("at most") })
    }
}

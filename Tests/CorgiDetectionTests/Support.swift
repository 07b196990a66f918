import CorgiCore
import CorgiDetection

/// A new file whose lines are all added.
func newFileDiff(_ path: String, _ lines: [String]) -> String {
    RuleTester.diff(path: path, text: lines.joined(separator: "\n"))
}

func rule(
    _ id: String, kind: Finding.Kind = .secret, severity: Severity = .high, regex: String,
    keywords: [String]? = nil, configure: (inout RuleDefinition) -> Void = { _ in }
) -> RuleDefinition {
    var r = RuleDefinition(id: id, title: "title of \(id)", kind: kind, severity: severity, regex: regex)
    r.keywords = keywords
    r.cwe = "CWE-798"
    configure(&r)
    return r
}

func scan(_ diff: String, rules: [RuleDefinition], allowlist: Allowlist? = nil, options: ScanOptions = ScanOptions()) throws -> ScanResult {
    try Scan(ruleSet: RuleSet(rules: rules, globalAllowlist: allowlist), options: options).run(diff: diff)
}

let tokenRule = rule("test-token", regex: #"\b(tok_[A-Za-z0-9]{20})\b"#, keywords: ["tok_"])
let token = "tok_Q8wM3zR6tK1yV4nP7lC2"

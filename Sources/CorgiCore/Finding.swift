/// One problem found on an added line of a diff.
///
/// A finding never carries the matched source text: only a redacted prefix of a secret
/// (see ``Redaction``) and a fingerprint derived from the content.
public struct Finding: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case secret, code }
    public enum Confidence: String, Sendable, Codable { case low, medium, high }

    public var ruleID: String
    public var title: String
    public var kind: Kind
    public var severity: Severity
    public var confidence: Confidence
    public var cwe: String?
    public var owasp: String?
    public var path: String
    /// 1-based line in the new version of the file.
    public var line: Int
    /// 1-based column, counted in Unicode scalars (an invalid UTF-8 byte counts as one).
    public var column: Int
    /// Last line the match touches (equal to `line` for single-line rules).
    public var endLine: Int
    public var message: String
    /// Stable across line moves, rebases and squashes: rule + path + normalised matched content.
    public var fingerprint: String
    /// For secrets: at most a 4-character prefix followed by a mask. `nil` for code findings.
    public var redacted: String?
    /// The commit that added the line, when the diff names it (`git log -p`, `format-patch`).
    public var commit: String?
    /// For dataflow findings: the source and the sink, in order (SARIF `codeFlows`).
    public var flow: [FlowStep]?

    public init(
        ruleID: String, title: String, kind: Kind, severity: Severity, confidence: Confidence = .medium,
        cwe: String?, owasp: String? = nil, path: String, line: Int, column: Int, endLine: Int? = nil,
        message: String, fingerprint: String, redacted: String?, commit: String? = nil
    ) {
        self.commit = commit
        self.ruleID = ruleID
        self.title = title
        self.kind = kind
        self.severity = severity
        self.confidence = confidence
        self.cwe = cwe
        self.owasp = owasp
        self.path = path
        self.line = line
        self.column = column
        self.endLine = endLine ?? line
        self.message = message
        self.fingerprint = fingerprint
        self.redacted = redacted
    }
}

extension Finding {
    /// Report order: by path, then position, then rule, then commit (input order is lost here,
    /// so commits order by name only to keep the output deterministic).
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.path != b.path { return a.path < b.path }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return (a.commit ?? "") < (b.commit ?? "")
    }
}

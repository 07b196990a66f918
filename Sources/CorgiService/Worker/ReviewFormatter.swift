public import CorgiCore
public import CorgiForges
public import CorgiStorage

/// What a review says on the pull request: the check run's output and annotations, inline
/// comments for new findings, and the summary comment. Built from findings only — which carry
/// rule text and at most a 4-character secret prefix, never code.
public struct ReviewFormatter: Sendable {
    public static let summaryMarker = "<!-- corgi:summary -->"
    public static let annotationBatch = 50

    public var maximumInlineComments: Int
    public var failOn: Severity?

    public init(maximumInlineComments: Int, failOn: Severity?) {
        self.maximumInlineComments = maximumInlineComments
        self.failOn = failOn
    }

    public func conclusion(for open: [Finding]) -> String {
        guard let failOn else { return "success" }
        return open.contains { $0.severity >= failOn } ? "failure" : "success"
    }

    public static func fingerprintMarker(_ fingerprint: String) -> String { "<!-- corgi:finding=\(fingerprint) -->" }

    public func title(_ r: Reconciliation) -> String {
        if r.open.isEmpty { return r.fixed.isEmpty ? "No security findings" : "All findings fixed (\(r.fixed.count))" }
        return "\(r.open.count) open finding(s): \(r.new.count) new, \(r.fixed.count) fixed"
    }

    public func annotations(_ r: Reconciliation) -> [[CheckRunAnnotation]] {
        let all = r.open.map { f in
            CheckRunAnnotation(
                path: f.path, startLine: f.line, endLine: max(f.endLine, f.line),
                annotationLevel: f.severity >= .high ? "failure" : (f.severity == .medium ? "warning" : "notice"),
                message: Self.clip(f.message + (f.redacted.map { " [\($0)]" } ?? ""), 1000),
                title: Self.clip("[\(f.severity.rawValue)] \(f.ruleID)", 255))
        }
        return stride(from: 0, to: all.count, by: Self.annotationBatch).map { Array(all[$0..<min($0 + Self.annotationBatch, all.count)]) }
    }

    /// Inline comments for new findings only, at most `maximumInlineComments`.
    public func inlineComments(_ r: Reconciliation) -> (comments: [(fingerprint: String, comment: ReviewComment)], overflow: Int) {
        let chosen = r.new.sorted { ($0.severity, $1.path, $1.line) > ($1.severity, $0.path, $0.line) }.prefix(maximumInlineComments)
        let comments = chosen.sorted(by: Finding.reportOrder).map { f in
            (f.fingerprint, ReviewComment(path: f.path, line: f.line, side: "RIGHT", body: inlineBody(f)))
        }
        return (comments, max(0, r.new.count - maximumInlineComments))
    }

    func inlineBody(_ f: Finding) -> String {
        var body = "**\(Self.badge(f.severity)) \(f.severity.rawValue.uppercased()) · `\(f.ruleID)`**"
        if let cwe = f.cwe { body += " · \(cwe)" }
        body += "\n\n" + f.message
        if let redacted = f.redacted { body += "\n\nSecret (redacted): `\(redacted)`" }
        body += "\n\nIf this is intended, add `corgi:ignore[\(f.ruleID)]` on the line or the line above.\n"
        return body + Self.fingerprintMarker(f.fingerprint)
    }

    public func reviewBody(_ r: Reconciliation, posted: Int, overflow: Int) -> String {
        var body = "Code Corgi found \(r.new.count) new security finding(s) in this push."
        if overflow > 0 { body += " \(posted) are commented inline; \(overflow) more are listed in the summary comment." }
        return body
    }

    public func summary(_ r: Reconciliation, headSHA: String, overflow: Int) -> String {
        var out = "\(Self.summaryMarker)\n## Code Corgi security review\n\n"
        out += "Reviewed `\(headSHA.prefix(12))`: **\(r.open.count) open** (\(r.new.count) new), **\(r.fixed.count) fixed**."
        if let failOn { out += " Policy: fails at **\(failOn.rawValue)** or above." }
        out += "\n\n"
        if !r.open.isEmpty {
            out += "| Severity | Rule | Location | Finding |\n|---|---|---|---|\n"
            for f in r.open.prefix(100) {
                let isNew = r.new.contains { $0.fingerprint == f.fingerprint }
                out += "| \(Self.badge(f.severity)) \(f.severity.rawValue)\(isNew ? " · new" : "") | `\(f.ruleID)` | `\(Self.cell(f.path)):\(f.line)` | \(Self.cell(Self.clip(f.message, 200))) |\n"
            }
            if r.open.count > 100 { out += "\n…and \(r.open.count - 100) more (see the check run's annotations).\n" }
        }
        if overflow > 0 { out += "\n\(overflow) new finding(s) beyond the \(maximumInlineComments) inline comments are listed here only.\n" }
        if !r.fixed.isEmpty {
            out += "\n<details><summary>Fixed since the last review (\(r.fixed.count))</summary>\n\n"
            for f in r.fixed.prefix(100) { out += "- `\(f.ruleID)` in `\(Self.cell(f.path))`\n" }
            out += "\n</details>\n"
        }
        if let coverage = r.coverage { out += "\n**Coverage:** \(coverage)\n" }
        return out
    }

    public func checkSummary(_ r: Reconciliation) -> String {
        var out = "\(r.new.count) new, \(r.stillOpen.count) still open, \(r.fixed.count) fixed."
        if let failOn { out += " The check fails at \(failOn.rawValue) or above." }
        if let coverage = r.coverage { out += "\n\nCoverage: \(coverage)" }
        return out
    }

    static func badge(_ s: Severity) -> String {
        switch s {
        case .critical: "🔴"
        case .high: "🟠"
        case .medium: "🟡"
        case .low: "🔵"
        case .info: "⚪"
        }
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

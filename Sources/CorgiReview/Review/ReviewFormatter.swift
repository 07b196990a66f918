public import CorgiCore

/// What a review says on the pull request: the check run's output and annotations, inline
/// comments for new findings, and the summary comment. Built from findings only — which carry
/// rule text and at most a 4-character secret prefix, never code.
///
/// Every string a pull request's author controls (paths, the visible prefix of a secret) reaches
/// Markdown only through `Markdown.code`/`Markdown.codeCell`: no link, image, HTML, @mention or
/// #reference can be made from a file name. Plain-text fields (annotation messages and titles)
/// have their control characters made visible.
public struct ReviewFormatter: Sendable {
    public static let summaryMarker = "<!-- corgi:summary -->"

    public var maximumInlineComments: Int
    public var failOn: Severity?

    public init(maximumInlineComments: Int, failOn: Severity?) {
        self.maximumInlineComments = maximumInlineComments
        self.failOn = failOn
    }

    /// `failure` when an open finding reaches `failOn`. A model's finding (`ai-review`) never
    /// fails a check by itself: it is an opinion to read, not a rule that matched.
    public func conclusion(for open: [Finding]) -> String {
        guard let failOn else { return "success" }
        return open.contains { $0.severity >= failOn && $0.ruleID != ModelReviewOutcome.ruleID } ? "failure" : "success"
    }

    public static func fingerprintMarker(_ fingerprint: String) -> String { "<!-- corgi:finding=\(fingerprint) -->" }

    public func title(_ r: Reconciliation) -> String {
        if r.open.isEmpty { return r.fixed.isEmpty ? "No security findings" : "All findings fixed (\(r.fixed.count))" }
        return "\(r.open.count) open finding(s): \(r.new.count) new, \(r.fixed.count) fixed"
    }

    /// One annotation per open finding; the forge adapter sends them in the batches it allows.
    public func annotations(_ r: Reconciliation) -> [CheckAnnotation] {
        r.open.map { f in
            CheckAnnotation(
                path: f.path, startLine: f.line, endLine: max(f.endLine, f.line),
                level: f.severity >= .high ? .failure : (f.severity == .medium ? .warning : .notice),
                title: Self.clip(ControlCharacters.visible("[\(f.severity.rawValue)] \(f.ruleID)"), 255),
                message: Self.clip(ControlCharacters.visible(f.message + (f.redacted.map { " [\($0)]" } ?? "")), 1000))
        }
    }

    /// The check's title, summary and annotations.
    public func checkReport(_ r: Reconciliation) -> CheckReport {
        CheckReport(title: title(r), summary: checkSummary(r), annotations: annotations(r))
    }

    public func inlineComments(_ r: Reconciliation) -> (comments: [(fingerprint: String, comment: InlineComment)], overflow: Int) {
        let chosen = r.new.filter { !$0.path.contains(Redaction.mask) }.sorted { ($0.severity, $1.path, $1.line) > ($1.severity, $0.path, $0.line) }.prefix(maximumInlineComments)
        let comments = chosen.sorted(by: Finding.reportOrder).map { f in
            (f.fingerprint, InlineComment(path: f.path, line: f.line, body: inlineBody(f)))
        }
        return (comments, max(0, r.new.count - maximumInlineComments))
    }

    func inlineBody(_ f: Finding) -> String {
        var body = "**\(Self.badge(f.severity)) \(f.severity.rawValue.uppercased()) · \(Markdown.code(f.ruleID))**"
        if let cwe = f.cwe { body += " · \(Markdown.code(cwe))" }
        body += "\n\n" + Self.message(f, cell: false)
        if let redacted = f.redacted { body += "\n\nSecret (redacted): \(Markdown.code(redacted))" }
        body += "\n\nIf this is intended, add \(Markdown.code("corgi:ignore[\(f.ruleID)]")) on the line or the line above.\n"
        return body + Self.fingerprintMarker(f.fingerprint)
    }

    /// A finding's message as Markdown. A rule's message is text we wrote; a model's
    /// (`ai-review`) is text a pull request's author can steer (a comment in the code is in the
    /// prompt), so it is shown as code, like a file name: it can never render a link, an image,
    /// HTML or a mention.
    static func message(_ f: Finding, cell: Bool) -> String {
        guard f.ruleID == ModelReviewOutcome.ruleID else {
            return cell ? Markdown.trustedCell(clip(f.message, 200)) : ControlCharacters.visible(f.message)
        }
        let label = "AI review: "
        let text = f.message.hasPrefix(label) ? String(f.message.dropFirst(label.count)) : f.message
        return label + (cell ? Markdown.codeCell(clip(text, 200)) : Markdown.code(text))
    }

    public func reviewBody(_ r: Reconciliation, posted: Int, overflow: Int) -> String {
        var body = "Code Corgi found \(r.new.count) new security finding(s) in this push."
        if overflow > 0 { body += " \(posted) are commented inline; \(overflow) more are listed in the summary comment." }
        return body
    }

    public func summary(_ r: Reconciliation, headSHA: String, overflow: Int) -> String {
        var out = "\(Self.summaryMarker)\n## Code Corgi security review\n\n"
        out += "Reviewed \(Markdown.code(String(headSHA.prefix(12)))): **\(r.open.count) open** (\(r.new.count) new), **\(r.fixed.count) fixed**."
        if let failOn { out += " Policy: fails at **\(failOn.rawValue)** or above." }
        out += "\n\n"
        if !r.open.isEmpty {
            out += "| Severity | Rule | Location | Finding |\n|---|---|---|---|\n"
            for f in r.open.prefix(100) {
                let isNew = r.new.contains { $0.fingerprint == f.fingerprint }
                out += "| \(Self.badge(f.severity)) \(f.severity.rawValue)\(isNew ? " · new" : "") | \(Markdown.codeCell(f.ruleID)) | "
                    + "\(Markdown.codeCell("\(f.path):\(f.line)")) | \(Self.message(f, cell: true)) |\n"
            }
            if r.open.count > 100 { out += "\n…and \(r.open.count - 100) more (see the check run's annotations).\n" }
        }
        if overflow > 0 { out += "\n\(overflow) new finding(s) beyond the \(maximumInlineComments) inline comments are listed here only.\n" }
        if !r.fixed.isEmpty {
            out += "\n<details><summary>Fixed since the last review (\(r.fixed.count))</summary>\n\n"
            for f in r.fixed.prefix(100) { out += "- \(Markdown.code(f.ruleID)) in \(Markdown.code(f.path))\n" }
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

    /// Gaps listed one by one in the summary and the check run.
    public static let listedGaps = 10

    /// What part of the diff was not scanned and why, by line of the diff (never its content);
    /// `nil` when everything was. Paths are author-controlled: they reach Markdown as code spans.
    public static func notScanned(_ s: ScanStatistics) -> String? {
        let backtracking = s.regexLimitHits > 0
            ? "\(s.regexLimitHits) match attempt(s) stopped at the regex backtracking limit (a match there may be missed)" : nil
        guard s.isIncomplete else { return backtracking }
        let gaps = s.coverageGaps.filter(\.isInputSkipped)
        var parts = gaps.prefix(listedGaps).map { gap -> String in
            var place = gap.lineDescription + " of the diff"
            if let path = gap.path, !path.isEmpty { place += " in " + Markdown.code(path) }
            if let commit = gap.commit { place += " (commit " + Markdown.code(String(commit.prefix(12))) + ")" }
            return "\(gap.reason.label) at \(place): \(gap.detail)"
        }
        let total = s.diff.malformedRegions + s.diff.truncatedLines
        if total > parts.count { parts.append("\(total - parts.count) more") }
        return (["not scanned (\(total) part(s) of the diff): " + parts.joined(separator: "; ")] + [backtracking].compactMap { $0 })
            .joined(separator: "; ")
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}

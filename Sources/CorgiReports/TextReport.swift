public import CorgiCore

/// Human output: findings grouped by file, coloured only when writing to a terminal.
public struct TextReport: Sendable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public func render(_ report: ScanReport) -> String {
        var out = ""
        var currentPath: String?
        for finding in report.findings {
            if finding.path != currentPath {
                if currentPath != nil { out += "\n" }
                out += paint(TerminalText.safe(finding.path), "1") + "\n"
                currentPath = finding.path
            }
            let location = "\(finding.line):\(finding.column)"
            let severity = finding.severity.rawValue.uppercased()
            var line = "  " + location.padding(to: 9) + " " + paint(severity.padding(to: 8), code(for: finding.severity))
                + " " + TerminalText.safe(finding.ruleID) + "  " + TerminalText.safe(finding.message)
            if let cwe = finding.cwe { line += " (\(TerminalText.safe(cwe)))" }
            // Paths, messages and the visible prefix of a secret may carry ANSI escapes or other
            // controls: shown as visible escapes, never sent to the terminal raw.
            if let redacted = finding.redacted { line += " [" + TerminalText.safe(redacted) + "]" }
            out += line + "\n"
        }
        let s = report.statistics
        if !report.findings.isEmpty { out += "\n" }
        out += summary(report.findings) + " in \(s.diff.files) file(s), \(s.diff.addedLines) added line(s)"
        if s.diff.binaryFiles > 0 { out += ", \(s.diff.binaryFiles) binary file(s) skipped" }
        if s.suppressedInline + s.suppressedBaseline > 0 {
            out += ", \(s.suppressedInline + s.suppressedBaseline) suppressed"
        }
        if s.diff.commits > 0 { out += ", \(s.diff.commits) commit(s)" }
        out += ".\n"
        return out + notCovered(report.notCovered)
    }

    /// Every part of the input that was not scanned, one line each, by line of the diff.
    private func notCovered(_ notes: [NotCovered]) -> String {
        guard !notes.isEmpty else { return "" }
        var out = "\n" + paint("Not scanned:", "1;33") + "\n"
        for note in notes { out += "  " + TerminalText.safe(note.text) + "\n" }
        return out
    }

    private func summary(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "No findings" }
        let counts = Severity.allCases.reversed().compactMap { level -> String? in
            let n = findings.filter { $0.severity == level }.count
            return n > 0 ? "\(n) \(level)" : nil
        }
        return "\(findings.count) finding(s) (\(counts.joined(separator: ", ")))"
    }

    private func code(for severity: Severity) -> String {
        switch severity {
        case .critical: "1;31"
        case .high: "31"
        case .medium: "33"
        case .low: "36"
        case .info: "2"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

public import CorgiCore
import Foundation

/// `{"findings": [...], "stats": {...}}` with snake_case keys; `cwe` and `redacted` are always
/// present (null when absent) so consumers can rely on the shape.
public enum JSONReport {
    public static func render(_ report: ScanReport) -> String {
        var text = ""
        write(report) { text += $0 }
        return text
    }

    /// Writes the report in pieces, the findings one at a time: a report of many findings never
    /// exists whole in memory (encoding 28,000 findings at once was most of a history scan's peak
    /// memory). The bytes are those of encoding the whole document: keys are sorted, so
    /// `findings` comes first, and each entry is encoded alone and indented to its depth.
    public static func write(_ report: ScanReport, to write: (String) -> Void) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let rest = Document(
            tool: Tool(name: "corgi", version: report.toolVersion), findings: [],
            notCovered: report.notCovered.map(NotCoveredEntry.init), stats: Stats(report.statistics))
        let text = String(decoding: try! encoder.encode(rest), as: UTF8.self)
        let findings = report.findings
        StreamedArray.write(text, key: "findings", closingIndent: 2, count: findings.count,
                            entry: { String(decoding: try! encoder.encode(Entry(findings[$0])), as: UTF8.self) }, to: write)
    }

    struct Document: Encodable {
        var tool: Tool
        var findings: [Entry]
        var notCovered: [NotCoveredEntry]
        var stats: Stats

        enum CodingKeys: String, CodingKey {
            case tool, findings
            case notCovered = "not_covered"
            case stats
        }
    }

    /// `{"reason", "message", "first_line", "last_line", "path", "commit"}`: lines of the diff
    /// input; `first_line`, `last_line`, `path` and `commit` are null for counted-only entries.
    struct NotCoveredEntry: Encodable {
        var note: NotCovered
        init(_ note: NotCovered) { self.note = note }

        enum Keys: String, CodingKey {
            case reason, message, firstLine = "first_line", lastLine = "last_line", path, commit
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(note.reason, forKey: .reason)
            try c.encode(note.gap?.detail ?? note.text, forKey: .message)
            try c.encode(note.gap?.firstLine, forKey: .firstLine)
            try c.encode(note.gap?.lastLine, forKey: .lastLine)
            try c.encode(note.gap?.path, forKey: .path)
            try c.encode(note.gap?.commit, forKey: .commit)
        }
    }

    struct Tool: Encodable {
        var name: String
        var version: String
    }

    struct Entry: Encodable {
        var finding: Finding
        init(_ finding: Finding) { self.finding = finding }

        enum Keys: String, CodingKey {
            case ruleID = "rule_id", title, kind, severity, confidence, cwe, owasp, path, line, column
            case endLine = "end_line", message, fingerprint, redacted, commit
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(finding.ruleID, forKey: .ruleID)
            try c.encode(finding.title, forKey: .title)
            try c.encode(finding.kind, forKey: .kind)
            try c.encode(finding.severity, forKey: .severity)
            try c.encode(finding.confidence, forKey: .confidence)
            try c.encode(finding.cwe, forKey: .cwe)
            try c.encode(finding.owasp, forKey: .owasp)
            try c.encode(finding.path, forKey: .path)
            try c.encode(finding.line, forKey: .line)
            try c.encode(finding.column, forKey: .column)
            try c.encode(finding.endLine, forKey: .endLine)
            try c.encode(finding.message, forKey: .message)
            try c.encode(finding.fingerprint, forKey: .fingerprint)
            try c.encode(finding.redacted, forKey: .redacted)
            try c.encode(finding.commit, forKey: .commit)
        }
    }

    struct Stats: Encodable {
        var files, binaryFiles, hunks, addedLines, bytes: Int
        var rules, rulesWithoutKeywords, findings, suppressedInline, suppressedBaseline, ignoredFiles: Int
        var truncatedLines, regexLimitHits, durationMs: Int
        var malformedRegions, longLines, commits, combinedFiles: Int

        init(_ s: ScanStatistics) {
            files = s.diff.files
            binaryFiles = s.diff.binaryFiles
            hunks = s.diff.hunks
            addedLines = s.diff.addedLines
            bytes = s.diff.bytes
            rules = s.rules
            rulesWithoutKeywords = s.rulesWithoutKeywords
            findings = s.findings
            suppressedInline = s.suppressedInline
            suppressedBaseline = s.suppressedBaseline
            ignoredFiles = s.ignoredFiles
            truncatedLines = s.diff.truncatedLines
            regexLimitHits = s.regexLimitHits
            durationMs = s.durationMilliseconds
            malformedRegions = s.diff.malformedRegions
            longLines = s.diff.longLines
            commits = s.diff.commits
            combinedFiles = s.diff.combinedFiles
        }

        enum CodingKeys: String, CodingKey {
            case files
            case binaryFiles = "binary_files"
            case hunks
            case addedLines = "added_lines"
            case bytes, rules
            case rulesWithoutKeywords = "rules_without_keywords"
            case findings
            case suppressedInline = "suppressed_inline"
            case suppressedBaseline = "suppressed_baseline"
            case ignoredFiles = "ignored_files"
            case truncatedLines = "truncated_lines"
            case regexLimitHits = "regex_limit_hits"
            case durationMs = "duration_ms"
            case malformedRegions = "malformed_regions"
            case longLines = "long_lines"
            case commits
            case combinedFiles = "combined_files"
        }
    }
}

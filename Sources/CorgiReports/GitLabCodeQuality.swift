public import CorgiCore
import Foundation

/// GitLab's Code Quality report (`artifacts:reports:codequality`): a JSON array of issues, each
/// with a description, the check's name, a fingerprint unique to the issue, a severity on GitLab's
/// scale and its location. What the scan did not cover is not an issue of the code, so it is not
/// in the report (the job's log and the other formats say it).
public enum GitLabCodeQuality {
    struct Issue: Encodable {
        struct Location: Encodable {
            struct Lines: Encodable { var begin: Int; var end: Int? }
            var path: String
            var lines: Lines
        }
        var description: String
        var check_name: String
        var fingerprint: String
        var severity: String
        var location: Location
    }

    public static func render(_ report: ScanReport) -> String {
        var seen = Set<String>()
        let issues = report.findings.compactMap { f -> Issue? in
            var description = f.message
            if let redacted = f.redacted { description += " [\(redacted)]" }
            // GitLab keeps one issue per fingerprint: the finding's own, made unique per line.
            var fingerprint = f.fingerprint.isEmpty ? "\(f.ruleID):\(f.path):\(f.line)" : f.fingerprint
            if seen.contains(fingerprint) { fingerprint += ":\(f.line):\(f.column)" }
            guard seen.insert(fingerprint).inserted else { return nil }  // the same finding twice
            return Issue(description: ControlCharacters.visible(description), check_name: f.ruleID, fingerprint: fingerprint,
                         severity: severity(f.severity), location: .init(path: f.path, lines: .init(begin: f.line, end: f.endLine > f.line ? f.endLine : nil)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? String(decoding: encoder.encode(issues), as: UTF8.self)) ?? "[]") + "\n"
    }

    /// GitLab's scale: info, minor, major, critical, blocker.
    static func severity(_ s: Severity) -> String {
        switch s {
        case .critical: "blocker"
        case .high: "critical"
        case .medium: "major"
        case .low: "minor"
        case .info: "info"
        }
    }
}

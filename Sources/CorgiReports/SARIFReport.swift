public import CorgiCore
import Foundation

/// SARIF 2.1.0, as GitHub code scanning and other tools read it. Columns are counted in Unicode
/// code points (`columnKind`), and each result carries our fingerprint in `partialFingerprints`
/// so code scanning tracks it across commits.
public enum SARIFReport {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "corgiFingerprint/v1"

    public static func render(_ report: ScanReport) -> String {
        var text = ""
        write(report) { text += $0 }
        return text
    }

    /// Writes the document in pieces, the results one at a time, as ``JSONReport`` does: the
    /// document is encoded with no results, and each result is encoded alone and indented to its
    /// depth in the slot, so the bytes are those of encoding the whole document at once.
    public static func write(_ report: ScanReport, to write: (String) -> Void) {
        let (rules, ruleIndex) = rulesAndIndex(report.findings)
        let text = encode(document(report, rules: rules, results: []))
        let findings = report.findings
        StreamedArray.write(text, key: "results", closingIndent: 6, count: findings.count,
                            entry: { encode(result(findings[$0], ruleIndex: ruleIndex[findings[$0].ruleID]!)) }, to: write)
    }

    /// The whole document in one piece (the reference `write` must equal, byte for byte).
    static func renderWhole(_ report: ScanReport) -> String {
        let (rules, ruleIndex) = rulesAndIndex(report.findings)
        let results = report.findings.map { result($0, ruleIndex: ruleIndex[$0.ruleID]!) }
        return encode(document(report, rules: rules, results: results)) + "\n"
    }

    static func encode(_ object: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// One reporting descriptor per rule that has a finding, in order of first finding.
    static func rulesAndIndex(_ findings: [Finding]) -> ([[String: Any]], [String: Int]) {
        var ruleIndex: [String: Int] = [:]
        var rules: [[String: Any]] = []
        for finding in findings where ruleIndex[finding.ruleID] == nil {
            ruleIndex[finding.ruleID] = rules.count
            var tags = ["security", finding.kind.rawValue]
            if let cwe = finding.cwe { tags.append("external/cwe/\(cwe.lowercased())") }
            if let owasp = finding.owasp { tags.append("external/owasp/\(owasp)") }
            rules.append([
                "id": finding.ruleID,
                "name": finding.ruleID,
                "shortDescription": ["text": finding.title],
                "fullDescription": ["text": finding.message],
                "defaultConfiguration": ["level": level(finding.severity)],
                "properties": [
                    "tags": tags,
                    "security-severity": securitySeverity(finding.severity),
                    "problem.severity": problemSeverity(finding.severity),
                ] as [String: Any],
            ])
        }
        return (rules, ruleIndex)
    }

    static func result(_ finding: Finding, ruleIndex: Int) -> [String: Any] {
        var message = finding.message
        if let redacted = finding.redacted { message += " [\(redacted)]" }
        var result: [String: Any] = [
            "ruleId": finding.ruleID,
            "ruleIndex": ruleIndex,
            "level": level(finding.severity),
            "message": ["text": message],
            "locations": [[
                "physicalLocation": [
                    "artifactLocation": ["uri": uri(finding.path), "uriBaseId": "%SRCROOT%"],
                    "region": ["startLine": finding.line, "startColumn": finding.column, "endLine": finding.endLine],
                ] as [String: Any],
            ]],
            // The fingerprint leaves the commit out, so a finding keeps its identity in code
            // scanning from commit to commit; the commit that added it is a property.
            "partialFingerprints": [fingerprintKey: finding.fingerprint],
            "properties": commitProperty(finding.commit).merging(
                ["severity": finding.severity.rawValue, "confidence": finding.confidence.rawValue]) { a, _ in a },
        ]
        if let flow = finding.flow, !flow.isEmpty { result["codeFlows"] = codeFlows(flow, path: finding.path) }
        return result
    }

    static func document(_ report: ScanReport, rules: [[String: Any]], results: [[String: Any]]) -> [String: Any] {
        // What was not scanned: one notification each, so a clean run never hides a gap.
        let notifications: [[String: Any]] = report.notCovered.map { note in
            var notification: [String: Any] = [
                "level": note.reason == "binary_file" ? "note" : "warning",
                "descriptor": ["id": note.reason],
                "message": ["text": note.text],
            ]
            if let gap = note.gap, let path = gap.path, !path.isEmpty {
                notification["locations"] = [["physicalLocation": ["artifactLocation": ["uri": uri(path), "uriBaseId": "%SRCROOT%"]]]]
            }
            if let commit = note.gap?.commit { notification["properties"] = ["commit": commit] }
            return notification
        }
        var run: [String: Any] = [
            "tool": ["driver": [
                "name": "Code Corgi",
                "semanticVersion": report.toolVersion,
                "informationUri": "https://github.com/code-corgi/corgi",
                "rules": rules,
            ] as [String: Any]],
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": ["%SRCROOT%": ["description": ["text": "The repository root."]]],
            "invocations": [["executionSuccessful": true, "toolExecutionNotifications": notifications] as [String: Any]],
            "results": results,
        ]
        if let vc = report.versionControl {
            var details: [String: Any] = ["repositoryUri": vc.repositoryURI, "mappedTo": ["uriBaseId": "%SRCROOT%"]]
            if let revision = vc.revisionID { details["revisionId"] = revision }
            run["versionControlProvenance"] = [details]
        }
        return [
            "$schema": schemaURI,
            "version": "2.1.0",
            "runs": [run],
        ]
    }

    static func commitProperty(_ commit: String?) -> [String: Any] {
        commit.map { ["commit": $0] } ?? [:]
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// GitHub code scanning's 0.0–10.0 score, from which it derives its own severity label.
    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    static func problemSeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "recommendation"
        }
    }

    /// A relative URI reference: percent-encode what RFC 3986 does not allow in a path.
    /// A dataflow finding's path (source, then sink) as one SARIF thread flow.
    static func codeFlows(_ flow: [FlowStep], path: String) -> [[String: Any]] {
        let locations: [[String: Any]] = flow.map { step in
            ["location": [
                "physicalLocation": [
                    "artifactLocation": ["uri": uri(path), "uriBaseId": "%SRCROOT%"],
                    "region": ["startLine": step.line],
                ] as [String: Any],
                "message": ["text": step.message],
            ] as [String: Any]]
        }
        return [["threadFlows": [["locations": locations]]]]
    }

    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}

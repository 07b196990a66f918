public import CorgiCore

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
public enum GitHubAnnotations {
    public static func render(_ report: ScanReport) -> String {
        var out = ""
        for f in report.findings {
            let command = switch f.severity {
            case .critical, .high: "error"
            case .medium: "warning"
            case .low, .info: "notice"
            }
            var message = "[\(f.severity.rawValue)] \(f.message)"
            if let redacted = f.redacted { message += " [\(redacted)]" }
            out += "::\(command) file=\(property(f.path)),line=\(f.line),endLine=\(f.endLine),col=\(f.column),"
                + "title=\(property(f.ruleID))::\(data(message))\n"
        }
        for note in report.notCovered {
            var location = ""
            if let path = note.gap?.path, !path.isEmpty { location = "file=\(property(path))," }
            out += "::\(note.reason == "binary_file" ? "notice" : "warning") \(location)title=\(property("not scanned: \(note.reason)"))::\(data(note.text))\n"
        }
        return out
    }

    /// Escaping as the Actions runner expects for the message part (`WorkflowCommand`).
    static func data(_ s: String) -> String { WorkflowCommand.message(s) }

    /// Escaping for `key=value` properties, which also reserve `:` and `,`.
    static func property(_ s: String) -> String { WorkflowCommand.property(s) }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

import CorgiCore
public import Foundation

/// Reads a gitleaks TOML configuration as a Code Corgi configuration, so teams keep the rules
/// they wrote for gitleaks:
///
/// - `[[rules]]`: `id`, `description`, `regex`, `secretGroup`, `entropy`, `keywords`, `path`
///   (a path regex restricting the rule), and allowlists (`[rules.allowlist]` or
///   `[[rules.allowlists]]`: `regexes`, `regexTarget`, `stopwords`, `paths`).
/// - `[extend]`: `useDefault` keeps Code Corgi's built-in packs (not gitleaks' own rules),
///   `path` reads another gitleaks file first, `disabledRules` disables rules by id.
/// - `[allowlist]` / `[[allowlists]]`: the global allowlist.
///
/// Not carried over, and reported in `notes`: `commits` allowlists (we scan diffs, not history),
/// `condition = "AND"` (allowlist entries are always OR-ed here), path-only rules (no regex), and
/// `tags`. Imported rules are secrets of severity high with CWE-798.
public enum GitleaksImport {
    public struct Result: Sendable {
        public var configuration: ScanConfiguration
        public var notes: [String]
    }

    public static func load(from url: URL) throws -> Result {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw RuleError(file: url.path, ruleID: "", reason: "cannot read the gitleaks configuration")
        }
        return try convert(text, file: url.path, directory: url.deletingLastPathComponent())
    }

    public static func convert(_ text: String, file: String = "gitleaks.toml", directory: URL? = nil) throws -> Result {
        let document: [String: TOMLValue]
        do { document = try TOMLReader.parse(text) } catch {
            throw RuleError(file: file, ruleID: "", reason: "\(error)")
        }
        var configuration = ScanConfiguration()
        var notes: [String] = []
        var rules: [RuleDefinition] = []

        if let extend = document["extend"]?.table {
            configuration.useDefault = extend["useDefault"]?.bool ?? false
            if let base = extend["path"]?.string {
                let url = URL(fileURLWithPath: base, relativeTo: directory)
                let inherited = try load(from: url)
                rules += inherited.configuration.rules ?? []
                notes += inherited.notes
                if let list = inherited.configuration.globalAllowlist { configuration.globalAllowlist = list }
            }
            configuration.disable = extend["disabledRules"]?.array?.compactMap(\.string)
        } else {
            // A gitleaks file without [extend] stands alone, as in gitleaks.
            configuration.useDefault = false
        }

        for (index, entry) in (document["rules"]?.array ?? []).enumerated() {
            guard let table = entry.table else { throw RuleError(file: file, ruleID: "", reason: "rules[\(index)] is not a table") }
            guard let id = table["id"]?.string, !id.isEmpty else {
                throw RuleError(file: file, ruleID: "", reason: "rules[\(index)] has no id")
            }
            guard let regex = table["regex"]?.string else {
                notes.append("rule '\(id)': path-only rules are not imported (Code Corgi scans added lines)")
                continue
            }
            let description = table["description"]?.string ?? id
            var rule = RuleDefinition(id: id, title: description, kind: .secret, severity: .high, regex: regex)
            rule.cwe = "CWE-798"
            rule.message = "\(description): a secret is committed. Revoke it and load it at run time."
            rule.secretGroup = table["secretGroup"]?.int
            rule.entropy = table["entropy"]?.double
            rule.keywords = table["keywords"]?.array?.compactMap(\.string)
            rule.pathRegex = table["path"]?.string
            var lists: [[String: TOMLValue]] = []
            if let single = table["allowlist"]?.table { lists.append(single) }
            lists += table["allowlists"]?.array?.compactMap(\.table) ?? []
            if !lists.isEmpty { rule.allowlist = allowlist(from: lists, owner: "rule '\(id)'", notes: &notes) }
            rules.removeAll { $0.id == id }
            rules.append(rule)
        }

        var globals: [[String: TOMLValue]] = []
        if let single = document["allowlist"]?.table { globals.append(single) }
        globals += document["allowlists"]?.array?.compactMap(\.table) ?? []
        if !globals.isEmpty {
            var merged = configuration.globalAllowlist ?? Allowlist()
            merged.merge(allowlist(from: globals, owner: "global allowlist", notes: &notes))
            configuration.globalAllowlist = merged
        }
        configuration.rules = rules
        return Result(configuration: configuration, notes: notes)
    }

    private static func allowlist(from tables: [[String: TOMLValue]], owner: String, notes: inout [String]) -> Allowlist {
        var list = Allowlist()
        for table in tables {
            var part = Allowlist()
            part.description = table["description"]?.string
            part.regexes = table["regexes"]?.array?.compactMap(\.string)
            part.stopwords = table["stopwords"]?.array?.compactMap(\.string)
            part.pathRegexes = table["paths"]?.array?.compactMap(\.string)
            if let target = table["regexTarget"]?.string { part.regexTarget = Allowlist.Target(rawValue: target) }
            if table["commits"] != nil { notes.append("\(owner): 'commits' allowlists are not imported") }
            if table["condition"]?.string?.uppercased() == "AND" {
                notes.append("\(owner): condition AND is read as OR (any entry allows)")
            }
            list.merge(part)
        }
        return list
    }
}

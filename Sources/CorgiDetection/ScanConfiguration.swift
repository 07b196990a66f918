public import Foundation
internal import Yams
public import CorgiCore

/// A project's scan settings (`--config FILE`, YAML):
///
/// ```yaml
/// use_default: true          # keep the built-in packs (default)
/// rule_files: [corgi/rules]  # more rule files or folders, relative to this file
/// rules: [...]               # inline rules; an id already known replaces that rule
/// disable: [generic-api-key]
/// ignore_paths: ["vendor/**", "**/*.min.js"]
/// severity: { weak-hash-md5: low }
/// fingerprint_key_file: /run/secrets/corgi-fingerprint-key  # keys fingerprints (docs/security.md)
/// ```
public struct ScanConfiguration: Sendable, Codable {
    public var useDefault: Bool?
    public var ruleFiles: [String]?
    public var rules: [RuleDefinition]?
    public var disable: [String]?
    public var ignorePaths: [String]?
    public var severity: [String: Severity]?
    public var globalAllowlist: Allowlist?
    /// A file holding the key of published fingerprints (≥ 16 random bytes), relative to this file.
    public var fingerprintKeyFile: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case useDefault = "use_default"
        case ruleFiles = "rule_files"
        case rules, disable
        case ignorePaths = "ignore_paths"
        case severity
        case globalAllowlist = "global_allowlist"
        case fingerprintKeyFile = "fingerprint_key_file"
    }

    /// Reads a Code Corgi YAML configuration, or a gitleaks TOML configuration (`.toml`).
    public static func load(from url: URL) throws -> ScanConfiguration {
        if url.pathExtension.lowercased() == "toml" { return try GitleaksImport.load(from: url).configuration }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw RuleError(file: url.path, ruleID: "", reason: "cannot read the configuration file")
        }
        do {
            return try YAMLDecoder().decode(ScanConfiguration.self, from: text)
        } catch let error as DecodingError {
            throw RuleError(file: url.path, ruleID: "", reason: RuleLoader.describe(error))
        } catch {
            throw RuleError(file: url.path, ruleID: "", reason: "not valid YAML: \(error)")
        }
    }

    /// The rule definitions this configuration asks for, built-in packs included unless
    /// `use_default: false`. Scans pass `withTests: false` (see ``RuleLoader/loadBuiltin(withTests:)``).
    public func resolveRules(relativeTo directory: URL?, withTests: Bool = true) throws -> LoadedRules {
        var loaded = useDefault ?? true ? try RuleLoader.loadBuiltin(withTests: withTests) : LoadedRules()
        for entry in ruleFiles ?? [] {
            let url = directory.map { URL(fileURLWithPath: entry, relativeTo: $0).standardizedFileURL }
                ?? URL(fileURLWithPath: entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw RuleError(file: entry, ruleID: "", reason: "rule file not found")
            }
            let files = isDirectory.boolValue ? try RuleLoader.ruleFiles(in: url) : [url]
            loaded.override(with: try RuleLoader.load(files: files))
        }
        if let inline = rules {
            var extra = LoadedRules()
            extra.rules = inline
            for rule in inline { extra.origin[rule.id] = "configuration" }
            loaded.override(with: extra)
        }
        if let list = globalAllowlist { loaded.globalAllowlist.merge(list) }
        let disabled = Set(disable ?? [])
        loaded.rules.removeAll { disabled.contains($0.id) }
        for (id, level) in severity ?? [:] {
            guard let i = loaded.rules.firstIndex(where: { $0.id == id }) else {
                throw RuleError(ruleID: id, reason: "severity override names an unknown rule")
            }
            loaded.rules[i].severity = level
        }
        return loaded
    }
}

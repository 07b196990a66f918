public import Foundation
internal import Yams
import CorgiCore

/// Reads rule files: the built-in packs shipped with Code Corgi and the files users add.
public enum RuleLoader {
    /// The built-in packs' folder. SwiftPM copies it beside the executable as a resource bundle;
    /// we look for it ourselves rather than through `Bundle.module`, which stops the process
    /// when the bundle is missing instead of letting us say so.
    public static func builtinRulesDirectory() -> URL? {
        let bundleName = "CodeCorgi_CorgiDetection.resources"
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName))
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        // The source tree, for tests run from the package directory.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for candidate in candidates {
            let rules = candidate.appendingPathComponent("Rules")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: rules.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return rules
            }
        }
        return nil
    }

    /// Every `.yaml`/`.yml` file below `directory`, in a stable order.
    public static func ruleFiles(in directory: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw RuleError(file: directory.path, ruleID: "", reason: "cannot list the rule folder")
        }
        var files: [URL] = []
        for case let url as URL in enumerator where ["yaml", "yml"].contains(url.pathExtension) {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The built-in packs: every rule and the global allowlist.
    public static func loadBuiltin() throws -> LoadedRules {
        guard let directory = builtinRulesDirectory() else {
            throw RuleError(ruleID: "", reason: "the built-in rule packs were not found beside the executable "
                + "(CodeCorgi_CorgiDetection.resources); reinstall corgi or pass --config with use_default: false")
        }
        return try load(files: ruleFiles(in: directory), relativeTo: directory)
    }

    public static func load(files: [URL], relativeTo base: URL? = nil) throws -> LoadedRules {
        var loaded = LoadedRules()
        for file in files {
            let name = base.map { file.path.replacingOccurrences(of: $0.path + "/", with: "") } ?? file.path
            let text: String
            do { text = try String(contentsOf: file, encoding: .utf8) } catch {
                throw RuleError(file: name, ruleID: "", reason: "cannot read: \(error.localizedDescription)")
            }
            let parsed = try parse(yaml: text, file: name)
            for rule in parsed.allRules { loaded.rules.append(rule); loaded.origin[rule.id] = name }
            if let list = parsed.globalAllowlist { loaded.globalAllowlist.merge(list) }
        }
        return loaded
    }

    public static func parse(yaml: String, file: String) throws(RuleError) -> RuleFile {
        do {
            return try YAMLDecoder().decode(RuleFile.self, from: yaml)
        } catch let error as DecodingError {
            throw RuleError(file: file, ruleID: "", reason: describe(error))
        } catch {
            throw RuleError(file: file, ruleID: "", reason: "not valid YAML: \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): missing '\(key.stringValue)'"
        case .typeMismatch(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "\(path(context)): missing value"
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            return context.codingPath.isEmpty ? detail : "\(path(context)): \(detail)"
        @unknown default: return "\(error)"
        }
    }
}

/// Rule definitions as read, before compilation; later definitions of an id replace earlier ones.
public struct LoadedRules: Sendable {
    public var rules: [RuleDefinition] = []
    public var globalAllowlist = Allowlist()
    /// Which file each rule came from (for messages and the rule test report).
    public var origin: [String: String] = [:]

    public init() {}

    /// Adds `other`'s rules, replacing any with the same id.
    public mutating func override(with other: LoadedRules) {
        let replaced = Set(other.rules.map(\.id))
        rules.removeAll { replaced.contains($0.id) }
        rules.append(contentsOf: other.rules)
        origin.merge(other.origin) { _, new in new }
        globalAllowlist.merge(other.globalAllowlist)
    }
}

extension Allowlist {
    mutating func merge(_ other: Allowlist) {
        func union(_ a: [String]?, _ b: [String]?) -> [String]? {
            let all = (a ?? []) + (b ?? [])
            return all.isEmpty ? nil : all
        }
        regexes = union(regexes, other.regexes)
        stopwords = union(stopwords, other.stopwords)
        paths = union(paths, other.paths)
        pathRegexes = union(pathRegexes, other.pathRegexes)
        checks = union(checks, other.checks)
        regexTarget = regexTarget ?? other.regexTarget
    }
}

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
    /// The built-in packs. A scan passes `withTests: false`: test cases are only read by
    /// `corgi rules test` and the test suite, and a scan that skips them starts sooner.
    public static func loadBuiltin(withTests: Bool = true) throws -> LoadedRules {
        guard let directory = builtinRulesDirectory() else {
            throw RuleError(ruleID: "", reason: "the built-in rule packs were not found beside the executable "
                + "(CodeCorgi_CorgiDetection.resources); reinstall corgi or pass --config with use_default: false")
        }
        return try load(files: ruleFiles(in: directory), relativeTo: directory, cache: .default("rules"), withTests: withTests)
    }

    /// Reads `files` in order. With a `cache`, rules read once are kept decoded (YAML parsing and
    /// the expansion of thousands of provider names take most of a small scan's time) under the
    /// SHA-256 of every file's name and bytes and of the running executable's identity, so an
    /// edited rule file or a rebuilt corgi never meets a stale entry; an entry that fails to
    /// decode is read from YAML again and replaced.
    public static func load(files: [URL], relativeTo base: URL? = nil) throws -> LoadedRules {
        try load(files: files, relativeTo: base, cache: nil, withTests: true)
    }

    static func load(files: [URL], relativeTo base: URL?, cache: CacheFolder?, withTests: Bool) throws -> LoadedRules {
        var sources: [(name: String, bytes: Data)] = []
        for file in files {
            let name = base.map { file.path.replacingOccurrences(of: $0.path + "/", with: "") } ?? file.path
            do { sources.append((name, try Data(contentsOf: file))) } catch {
                throw RuleError(file: name, ruleID: "", reason: "cannot read: \(error.localizedDescription)")
            }
        }
        let key = cache.map { _ in
            CacheFolder.key([Array("corgi-rules-3\(withTests ? "+tests" : "")".utf8), executableIdentity(), Array(PCRE2Pattern.libraryVersion.utf8)]
                + sources.flatMap { [Array($0.name.utf8), Array($0.bytes)] }) + ".json"
        }
        if let cache, let key, let payload = cache.read(key),
           let cached = (try? JSONDecoder().decode(CachedRules.self, from: Data(payload)))?.loaded
        {
            return cached
        }
        var loaded = LoadedRules()
        var parsedFiles: [(name: String, file: RuleFile)] = []
        for source in sources {
            guard let text = String(data: source.bytes, encoding: .utf8) else {
                throw RuleError(file: source.name, ruleID: "", reason: "cannot read: not UTF-8")
            }
            let parsed = try parse(yaml: text, file: source.name)
            for rule in parsed.allRules { loaded.rules.append(rule); loaded.origin[rule.id] = source.name }
            if let list = parsed.globalAllowlist { loaded.globalAllowlist.merge(list) }
            parsedFiles.append((source.name, parsed))
        }
        if let cache, let key {
            // Compiled once here, for the entry: later runs compile a rule's regex only when the
            // rule runs. (One that does not compile is left out, and fails in the rule set.)
            for rule in loaded.rules where loaded.verifiedPatterns[rule.regex] == nil {
                if let pattern = try? PCRE2Pattern(ValueGrammar.expand(rule.regex)) { loaded.verifiedPatterns[rule.regex] = pattern.captureCount }
            }
            if let encoded = try? JSONEncoder().encode(CachedRules(parsed: parsedFiles, loaded: loaded, withTests: withTests)) {
                cache.write(key, Array(encoded))
            }
        }
        if !withTests { for index in loaded.rules.indices { loaded.rules[index].tests = nil } }
        return loaded
    }

    /// The running executable's path, size and modification time: what tells one build of the
    /// rule expansion code from the next without reading the binary.
    static func executableIdentity() -> [UInt8] {
        guard let path = Bundle.main.executableURL?.resolvingSymlinksInPath().path,
              let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        else { return Array("unknown".utf8) }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        return Array("\(path)\0\(size)\0\(modified)".utf8)
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
    /// Rule regexes (as written) this executable, with this PCRE2 library, compiled before, with
    /// their capture counts: a ``RuleSet`` given them compiles each when its rule first runs. The
    /// rule cache keeps them; rules read from files without it have none and compile at once,
    /// so a rule that does not compile is reported before the scan.
    public var verifiedPatterns: [String: Int] = [:]

    public init() {}

    /// Adds `other`'s rules, replacing any with the same id.
    public mutating func override(with other: LoadedRules) {
        let replaced = Set(other.rules.map(\.id))
        rules.removeAll { replaced.contains($0.id) }
        rules.append(contentsOf: other.rules)
        origin.merge(other.origin) { _, new in new }
        // Keyed by the pattern itself: a replaced rule's entry cannot describe its replacement.
        verifiedPatterns.merge(other.verifiedPatterns) { _, new in new }
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
        standIns = union(standIns, other.standIns)
        localHosts = union(localHosts, other.localHosts)
        regexTarget = regexTarget ?? other.regexTarget
    }
}

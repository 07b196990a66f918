import CorgiCore

/// A rule ready to run: its patterns compiled, its defaults resolved.
public final class CompiledRule: Sendable {
    public let definition: RuleDefinition
    let regex: PCRE2Pattern
    let secretGroup: Int
    let excludes: [PCRE2Pattern]
    let paths: GlobSet
    let pathRegex: PCRE2Pattern?
    let languages: Set<String>?
    let allowlist: CompiledAllowlist?
    public let keywords: [String]

    public var id: String { definition.id }
    public var isMultiline: Bool { definition.multiline ?? false }

    /// - Parameter shared: compiled allowlists and exclude patterns to share between rules with
    ///   the same one (the 2,400 provider rules carry one allowlist and one exclude list:
    ///   compiling and JIT-ing the allowlist once each cost 100 MB, compiling the exclude once
    ///   each a tenth of a small scan's start-up).
    init(_ definition: RuleDefinition, shared: SharedCompilation?) throws(RuleError) {
        func compile(_ pattern: String, _ what: String, sharing: Bool = false) throws(RuleError) -> PCRE2Pattern {
            do {
                let expanded = ValueGrammar.expand(pattern)
                if sharing, let shared { return try shared.pattern(expanded) }
                return try PCRE2Pattern(expanded)
            } catch { throw RuleError(ruleID: definition.id, reason: "\(what) \(error)") }
        }
        guard !definition.id.isEmpty,
              definition.id.allSatisfy({ ValueGrammar.isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." })
        else { throw RuleError(ruleID: definition.id, reason: "id must be letters, digits, '-', '_' or '.'") }
        self.definition = definition
        if let count = shared?.verified[definition.regex] {
            regex = PCRE2Pattern(verified: ValueGrammar.expand(definition.regex), captureCount: count)
        } else {
            regex = try compile(definition.regex, "regex")
        }
        if let group = definition.secretGroup {
            guard group >= 0, group <= regex.captureCount else {
                throw RuleError(ruleID: definition.id, reason: "secret_group \(group) but the regex has \(regex.captureCount) group(s)")
            }
            secretGroup = group
        } else {
            secretGroup = definition.kind == .secret && regex.captureCount > 0 ? 1 : 0
        }
        if let group = definition.hostGroup, group < 1 || group > regex.captureCount || group == secretGroup {
            throw RuleError(ruleID: definition.id, reason: "host_group \(group) must name another of the regex's \(regex.captureCount) group(s)")
        }
        var excludes: [PCRE2Pattern] = []
        for pattern in definition.exclude ?? [] { excludes.append(try compile(pattern, "exclude", sharing: true)) }
        self.excludes = excludes
        do { paths = try GlobSet(definition.paths ?? []) } catch {
            throw RuleError(ruleID: definition.id, reason: "paths: \(error)")
        }
        pathRegex = try definition.pathRegex.map { pattern throws(RuleError) in try compile(pattern, "path_regex") }
        languages = definition.languages.map(Set.init)
        if let list = definition.allowlist {
            do { allowlist = try shared?.allowlist(list) ?? CompiledAllowlist(list) } catch {
                throw RuleError(ruleID: definition.id, reason: "allowlist: \(error)")
            }
        } else {
            allowlist = nil
        }
        if let checksum = definition.checksum, !TokenChecksum.known.contains(checksum) {
            throw RuleError(ruleID: definition.id, reason: "unknown checksum '\(checksum)' (known: \(TokenChecksum.known.joined(separator: ", ")))")
        }
        keywords = (definition.keywords ?? []).filter { !$0.isEmpty }
    }

    public convenience init(_ definition: RuleDefinition) throws(RuleError) {
        try self.init(definition, shared: nil)
    }

    /// Whether the rule looks at this file at all.
    func applies(path: String, language: String?, scratch: MatchScratch) -> Bool {
        if let languages, !languages.contains(language ?? "") { return false }
        if !paths.isEmpty, !paths.matches(path, scratch: scratch) { return false }
        if let pathRegex, !pathRegex.matches(path, scratch: scratch) { return false }
        if let allowlist, allowlist.allowsPath(path, scratch: scratch) { return false }
        return true
    }
}

/// Allowlists and exclude patterns compiled once per distinct definition while a rule set is
/// built. A compiled pattern is immutable but for its one-time JIT compilation, which it guards
/// itself, so rules may share one.
final class SharedCompilation {
    /// Rule regexes (as written) known to compile, with their capture counts: compiled when a
    /// rule first runs (see ``LoadedRules/verifiedPatterns``).
    let verified: [String: Int]
    private var allowlists: [Allowlist: CompiledAllowlist] = [:]
    private var patterns: [String: PCRE2Pattern] = [:]

    init(verified: [String: Int] = [:]) { self.verified = verified }

    func allowlist(_ list: Allowlist) throws -> CompiledAllowlist {
        if let known = allowlists[list] { return known }
        let new = try CompiledAllowlist(list)
        allowlists[list] = new
        return new
    }

    func pattern(_ source: String) throws(PatternError) -> PCRE2Pattern {
        if let known = patterns[source] { return known }
        let new = try PCRE2Pattern(source)
        patterns[source] = new
        return new
    }
}

struct CompiledAllowlist: Sendable {
    let regexes: [PCRE2Pattern]
    let target: Allowlist.Target
    let stopwords: [[UInt8]]
    let paths: GlobSet
    let pathRegexes: [PCRE2Pattern]
    let repeated: Bool
    let sequential: Bool
    let inconsistentAlphabet: Bool
    let standIns: [PCRE2Pattern]
    let localHosts: [PCRE2Pattern]

    init(_ list: Allowlist) throws {
        regexes = try (list.regexes ?? []).map { try PCRE2Pattern($0) }
        standIns = try (list.standIns ?? []).map { try PCRE2Pattern($0) }
        localHosts = try (list.localHosts ?? []).map { try PCRE2Pattern($0) }
        target = list.regexTarget ?? .secret
        stopwords = (list.stopwords ?? []).map { Array($0.lowercased().utf8) }
        paths = try GlobSet(list.paths ?? [])
        pathRegexes = try (list.pathRegexes ?? []).map { try PCRE2Pattern($0) }
        let checks = Set(list.checks ?? [])
        let unknown = checks.subtracting(["repeated-characters", "sequential-characters", "inconsistent-alphabet"])
        if !unknown.isEmpty { throw RuleError(ruleID: "", reason: "unknown checks: \(unknown.sorted().joined(separator: ", "))") }
        repeated = checks.contains("repeated-characters")
        sequential = checks.contains("sequential-characters")
        inconsistentAlphabet = checks.contains("inconsistent-alphabet")
    }

    /// Whether `host` is one a stand-in credential is written for in examples and local setups
    /// (`local_hosts`); an empty host is.
    func isLocalHost(_ host: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) -> Bool {
        host.isEmpty || localHosts.contains { $0.matches(host, scratch: scratch) }
    }

    func allowsPath(_ path: String, scratch: MatchScratch) -> Bool {
        if paths.matches(path, scratch: scratch) { return true }
        return pathRegexes.contains { $0.matches(path, scratch: scratch) }
    }

    /// Whether a candidate is an allowed (non-)finding. `realHost`: the rule names the host the
    /// secret is for and it is not a local or documentation one, so stand-ins are not allowed.
    func allows(secret: UnsafeBufferPointer<UInt8>, match: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>,
                realHost: Bool = false, scratch: MatchScratch) -> Bool {
        let subject: UnsafeBufferPointer<UInt8> = switch target {
        case .secret: secret
        case .match: match
        case .line: line
        }
        if regexes.contains(where: { $0.matches(subject, scratch: scratch) }) { return true }
        if !realHost, standIns.contains(where: { $0.matches(secret, scratch: scratch) }) { return true }
        if !stopwords.isEmpty {
            let lowered = secret.map(KeywordAutomaton.fold)
            for word in stopwords where lowered.containsSubsequence(word) { return true }
        }
        if repeated || sequential || inconsistentAlphabet {
            let value = Array(secret)
            if repeated, ValueChecks.isRepeated(value) { return true }
            if sequential, ValueChecks.isSequential(value) { return true }
            if inconsistentAlphabet, ValueChecks.hasInconsistentAlphabet(value) { return true }
        }
        return false
    }
}

public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    public var ruleID: String
    public var reason: String

    public init(file: String? = nil, ruleID: String, reason: String) {
        self.file = file
        self.ruleID = ruleID
        self.reason = reason
    }

    public var description: String {
        let place = file.map { "\($0): " } ?? ""
        return ruleID.isEmpty ? "\(place)\(reason)" : "\(place)rule '\(ruleID)': \(reason)"
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for i in 0...(count - needle.count) where self[i] == needle[0] {
            if self[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

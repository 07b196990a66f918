import CorgiCore
internal import Foundation

/// Every rule of a scan, compiled, with the keyword automaton over all their keywords.
public struct RuleSet: Sendable {
    public let rules: [CompiledRule]
    let globalAllowlist: CompiledAllowlist?
    /// The keyword automaton over every rule's keywords, built on first use: only the keyword
    /// engine (and the Hyperscan engine's fallback for an input Hyperscan fails on) reads it, and
    /// building it for three thousand rules took a tenth of a small scan and 16 MB at its peak.
    var automaton: KeywordAutomaton { lazyAutomaton.value }
    var isAutomatonBuilt: Bool { lazyAutomaton.isBuilt }
    private let lazyAutomaton: LazyAutomaton
    /// Single-line rules without keywords: they run on every added line (measured in the benchmark).
    let unkeyedLineRules: [Int]
    let unkeyedMultilineRules: [Int]
    let hasMultilineRules: Bool
    public let maximumCaptures: Int
    /// Rules with identical file filters (languages, paths, path allowlists) share a group, so a
    /// scan decides once per group and file whether they apply: thousands of provider rules
    /// share one.
    let fileFilterGroups: [FileFilterGroup]
    /// Whether any rule finds secrets (decoded segments are rescanned only for those).
    let hasSecretRules: Bool
    /// The candidate stage this rule set runs with (see ``CandidateEngine``).
    public let candidateEngine: CandidateEngine
    /// The Hyperscan databases, when `candidateEngine` is `hyperscan`.
    let hyperscan: HyperscanCandidateIndex?

    /// - Parameters:
    ///   - engine: the candidate stage; the default is Hyperscan where this build has it
    ///     (see ``CandidateEngine/preferred``). Both give the same findings.
    ///   - verifiedPatterns: regexes known to compile, with their capture counts
    ///     (``LoadedRules/verifiedPatterns``): their rules compile them on first use. Any other
    ///     rule's patterns are compiled here, so a rule that does not compile fails now.
    public init(rules definitions: [RuleDefinition], globalAllowlist: Allowlist? = nil,
                engine: CandidateEngine = .preferred, verifiedPatterns: [String: Int] = [:]) throws(RuleError) {
        var compiled: [CompiledRule] = []
        var ids = Set<String>()
        let shared = SharedCompilation(verified: verifiedPatterns)
        for definition in definitions {
            guard ids.insert(definition.id).inserted else {
                throw RuleError(ruleID: definition.id, reason: "defined twice")
            }
            compiled.append(try CompiledRule(definition, shared: shared))
        }
        rules = compiled
        if let globalAllowlist {
            do { self.globalAllowlist = try CompiledAllowlist(globalAllowlist) } catch {
                throw RuleError(ruleID: "", reason: "global allowlist: \(error)")
            }
        } else {
            self.globalAllowlist = nil
        }
        var keywords: [(keyword: String, payload: Int)] = []
        var unkeyedLine: [Int] = []
        var unkeyedMulti: [Int] = []
        for (index, rule) in compiled.enumerated() {
            if rule.keywords.isEmpty {
                if rule.isMultiline { unkeyedMulti.append(index) } else { unkeyedLine.append(index) }
            }
            // A keyword holding a line break can never occur on a line; leaving it out keeps the
            // automaton exact over a window of joined lines too.
            for keyword in rule.keywords where !keyword.utf8.contains(0x0A) { keywords.append((keyword, index)) }
        }
        lazyAutomaton = LazyAutomaton(keywords: keywords)
        unkeyedLineRules = unkeyedLine
        unkeyedMultilineRules = unkeyedMulti
        hasMultilineRules = compiled.contains { $0.isMultiline }
        maximumCaptures = compiled.map(\.regex.captureCount).max() ?? 0
        fileFilterGroups = FileFilterKey.groups(of: compiled)
        hasSecretRules = compiled.contains { $0.definition.kind == .secret }
        // Without Hyperscan in this build, or if not even the keywords compile, the keyword
        // engine runs: slower, never different.
        if engine == .hyperscan, HyperscanDatabase.isAvailable,
           let index = try? HyperscanCandidateIndex(rules: compiled, unkeyedLineRules: unkeyedLine, unkeyedMultilineRules: unkeyedMulti)
        {
            hyperscan = index
            candidateEngine = .hyperscan
        } else {
            hyperscan = nil
            candidateEngine = .keywords
        }
    }

    /// A candidate stage for one scanner (each owns its scratch space).
    func makeCandidateFinder() -> any CandidateFinder {
        if let hyperscan, let finder = HyperscanCandidateFinder(ruleSet: self, index: hyperscan) { return finder }
        return KeywordCandidateFinder(ruleSet: self)
    }

    /// Regexes the Hyperscan engine could not take as prefilters, with the reason; their rules are
    /// filtered by their keywords alone.
    public var rulesWithoutPrefilter: [(rule: String, reason: String)] { hyperscan?.rejected ?? [] }

    /// Ids of rules that run without a keyword prefilter.
    public var rulesWithoutKeywords: [String] {
        (unkeyedLineRules + unkeyedMultilineRules).map { rules[$0].id }
    }

    public func rule(id: String) -> CompiledRule? { rules.first { $0.id == id } }

    /// A copy holding only the rules that satisfy `include` (same global allowlist).
    public func filtered(_ include: (CompiledRule) -> Bool) -> RuleSet {
        // Rules already compiled once (or verified): their regexes are compiled again only where
        // they run, which keeps one code path.
        let kept = rules.filter(include)
        let verified = Dictionary(kept.map { ($0.definition.regex, $0.regex.captureCount) }, uniquingKeysWith: { first, _ in first })
        return (try? RuleSet(rules: kept.map(\.definition), globalAllowlistCompiled: globalAllowlist, engine: candidateEngine, verified: verified))!
    }

    private init(rules definitions: [RuleDefinition], globalAllowlistCompiled: CompiledAllowlist?, engine: CandidateEngine,
                 verified: [String: Int]) throws(RuleError) {
        try self.init(rules: definitions, globalAllowlist: nil, engine: engine, verifiedPatterns: verified)
        self = RuleSet(copying: self, globalAllowlist: globalAllowlistCompiled)
    }

    private init(copying other: RuleSet, globalAllowlist: CompiledAllowlist?) {
        rules = other.rules
        self.globalAllowlist = globalAllowlist
        lazyAutomaton = other.lazyAutomaton
        unkeyedLineRules = other.unkeyedLineRules
        unkeyedMultilineRules = other.unkeyedMultilineRules
        hasMultilineRules = other.hasMultilineRules
        maximumCaptures = other.maximumCaptures
        fileFilterGroups = other.fileFilterGroups
        hasSecretRules = other.hasSecretRules
        candidateEngine = other.candidateEngine
        hyperscan = other.hyperscan
    }
}

/// A keyword automaton built once, by whichever scanner asks first. Invariant: `built` is written
/// once, under `lock`, and `keywords` is dropped then.
private final class LazyAutomaton: @unchecked Sendable {
    private let lock = NSLock()
    private var keywords: [(keyword: String, payload: Int)]
    private var built: KeywordAutomaton?

    init(keywords: [(keyword: String, payload: Int)]) { self.keywords = keywords }

    /// Whether the automaton was built (tests check the Hyperscan engine never needs it).
    var isBuilt: Bool {
        lock.lock()
        defer { lock.unlock() }
        return built != nil
    }

    var value: KeywordAutomaton {
        lock.lock()
        defer { lock.unlock() }
        if let built { return built }
        let automaton = KeywordAutomaton(keywords: keywords)
        built = automaton
        keywords = []
        return automaton
    }
}

/// What decides whether a rule looks at a file at all; equal keys decide alike.
struct FileFilterKey: Hashable {
    var languages: [String]?
    var paths: [String]?
    var pathRegex: String?
    var allowedPaths: [String]?
    var allowedPathRegexes: [String]?
    /// A secret rule that honours the global allowlist's paths.
    var yieldsToGlobalPaths: Bool

    init(_ definition: RuleDefinition) {
        languages = definition.languages
        paths = definition.paths
        pathRegex = definition.pathRegex
        allowedPaths = definition.allowlist?.paths
        allowedPathRegexes = definition.allowlist?.pathRegexes
        yieldsToGlobalPaths = definition.kind == .secret && definition.skipGlobalAllowlist != true
    }

    /// The rules grouped by equal keys, in the order each group first appears.
    static func groups(of rules: [CompiledRule]) -> [FileFilterGroup] {
        var index: [FileFilterKey: Int] = [:]
        var groups: [FileFilterGroup] = []
        for (i, rule) in rules.enumerated() {
            let key = FileFilterKey(rule.definition)
            if let existing = index[key] {
                groups[existing].members.append(i)
            } else {
                index[key] = groups.count
                groups.append(FileFilterGroup(members: [i], yieldsToGlobalPaths: key.yieldsToGlobalPaths))
            }
        }
        return groups
    }
}

/// Rules that apply to the same files: the scan asks the first member and answers for all.
struct FileFilterGroup: Sendable {
    var members: [Int]
    var yieldsToGlobalPaths: Bool
}

extension RuleSet {
    /// Whether what a scan finds in `path` can depend on lines around a hunk: the file's
    /// language has dataflow rules and the rule set holds code rules, so a review reads the rest
    /// of its changed functions (see `FunctionContext`).
    public func followsDataflow(path: String) -> Bool {
        DataflowPack.builtin.language(Language.detect(path: path)) != nil && rules.contains { $0.definition.kind == .code }
    }
}

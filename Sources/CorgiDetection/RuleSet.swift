import CorgiCore

/// Every rule of a scan, compiled, with the keyword automaton over all their keywords.
public struct RuleSet: Sendable {
    public let rules: [CompiledRule]
    let globalAllowlist: CompiledAllowlist?
    let automaton: KeywordAutomaton
    /// Single-line rules without keywords: they run on every added line (measured in the benchmark).
    let unkeyedLineRules: [Int]
    let unkeyedMultilineRules: [Int]
    let hasMultilineRules: Bool
    public let maximumCaptures: Int
    /// Rules with identical file filters (languages, paths, path allowlists) share a group, so a
    /// scan decides once per group and file whether they apply: thousands of provider rules
    /// share one.
    let fileFilterGroups: [Int]
    let fileFilterGroupCount: Int

    public init(rules definitions: [RuleDefinition], globalAllowlist: Allowlist? = nil) throws(RuleError) {
        var compiled: [CompiledRule] = []
        var ids = Set<String>()
        for definition in definitions {
            guard ids.insert(definition.id).inserted else {
                throw RuleError(ruleID: definition.id, reason: "defined twice")
            }
            compiled.append(try CompiledRule(definition))
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
            for keyword in rule.keywords { keywords.append((keyword, index)) }
        }
        automaton = KeywordAutomaton(keywords: keywords)
        unkeyedLineRules = unkeyedLine
        unkeyedMultilineRules = unkeyedMulti
        hasMultilineRules = compiled.contains { $0.isMultiline }
        maximumCaptures = compiled.map(\.regex.captureCount).max() ?? 0
        (fileFilterGroups, fileFilterGroupCount) = FileFilterKey.groups(of: compiled)
    }

    /// Ids of rules that run without a keyword prefilter.
    public var rulesWithoutKeywords: [String] {
        (unkeyedLineRules + unkeyedMultilineRules).map { rules[$0].id }
    }

    public func rule(id: String) -> CompiledRule? { rules.first { $0.id == id } }

    /// A copy holding only the rules that satisfy `include` (same global allowlist).
    public func filtered(_ include: (CompiledRule) -> Bool) -> RuleSet {
        // Rules already compiled once; recompiling a subset is cheap and keeps one code path.
        (try? RuleSet(rules: rules.filter(include).map(\.definition), globalAllowlistCompiled: globalAllowlist))!
    }

    private init(rules definitions: [RuleDefinition], globalAllowlistCompiled: CompiledAllowlist?) throws(RuleError) {
        try self.init(rules: definitions, globalAllowlist: nil)
        self = RuleSet(copying: self, globalAllowlist: globalAllowlistCompiled)
    }

    private init(copying other: RuleSet, globalAllowlist: CompiledAllowlist?) {
        rules = other.rules
        self.globalAllowlist = globalAllowlist
        automaton = other.automaton
        unkeyedLineRules = other.unkeyedLineRules
        unkeyedMultilineRules = other.unkeyedMultilineRules
        hasMultilineRules = other.hasMultilineRules
        maximumCaptures = other.maximumCaptures
        fileFilterGroups = other.fileFilterGroups
        fileFilterGroupCount = other.fileFilterGroupCount
    }
}

/// What decides whether a rule looks at a file at all; equal keys decide alike.
struct FileFilterKey: Hashable {
    var languages: [String]?
    var paths: [String]?
    var pathRegex: String?
    var allowedPaths: [String]?
    var allowedPathRegexes: [String]?

    init(_ definition: RuleDefinition) {
        languages = definition.languages
        paths = definition.paths
        pathRegex = definition.pathRegex
        allowedPaths = definition.allowlist?.paths
        allowedPathRegexes = definition.allowlist?.pathRegexes
    }

    /// Each rule's group index, and how many groups there are.
    static func groups(of rules: [CompiledRule]) -> ([Int], Int) {
        var index: [FileFilterKey: Int] = [:]
        let groups = rules.map { rule in
            let key = FileFilterKey(rule.definition)
            if let existing = index[key] { return existing }
            index[key] = index.count
            return index.count - 1
        }
        return (groups, index.count)
    }
}

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
    }
}

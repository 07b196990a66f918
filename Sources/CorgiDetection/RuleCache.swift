import Foundation

/// Loaded rules in the form the rule cache keeps them (see ``RuleLoader/load(files:relativeTo:cache:withTests:)``).
///
/// Thousands of provider rules share one allowlist and one exclude list; written once per rule
/// they were three quarters of the entry and of the time to decode it. Here each distinct list is
/// written once and rules refer to it by position. A scan needs no test cases: entries for scans
/// are written without them, so decoding stays a small part of a small scan.
struct CachedRules: Codable {
    var rules: [RuleDefinition]
    var allowlists: [Allowlist]
    /// Per rule: its allowlist's position in `allowlists`, or -1.
    var allowlistOf: [Int]
    var excludes: [[String]]
    /// Per rule: its exclude list's position in `excludes`, or -1.
    var excludeOf: [Int]
    var globalAllowlist: Allowlist
    var origin: [String: String]
    /// Per rule: its regex's capture count when it is one of `verifiedPatterns`, or -1.
    var captureCounts: [Int]

    init(_ loaded: LoadedRules, withTests: Bool) {
        var allowlistPosition: [Allowlist: Int] = [:]
        var excludePosition: [[String]: Int] = [:]
        rules = []
        captureCounts = []
        allowlists = []
        allowlistOf = []
        excludes = []
        excludeOf = []
        for var rule in loaded.rules {
            allowlistOf.append(Self.position(of: rule.allowlist, in: &allowlists, positions: &allowlistPosition))
            excludeOf.append(Self.position(of: rule.exclude, in: &excludes, positions: &excludePosition))
            rule.allowlist = nil
            rule.exclude = nil
            if !withTests { rule.tests = nil }
            captureCounts.append(loaded.verifiedPatterns[rule.regex] ?? -1)
            rules.append(rule)
        }
        globalAllowlist = loaded.globalAllowlist
        origin = loaded.origin
    }

    /// `value`'s position in `table`, appending it the first time; -1 for none.
    private static func position<Value: Hashable>(of value: Value?, in table: inout [Value], positions: inout [Value: Int]) -> Int {
        guard let value else { return -1 }
        if let known = positions[value] { return known }
        table.append(value)
        positions[value] = table.count - 1
        return table.count - 1
    }

    /// The rules as loaded, or nil when the entry does not hold together.
    var loaded: LoadedRules? {
        guard allowlistOf.count == rules.count, excludeOf.count == rules.count, captureCounts.count == rules.count else { return nil }
        var loaded = LoadedRules()
        loaded.rules.reserveCapacity(rules.count)
        for (index, var rule) in rules.enumerated() {
            let a = allowlistOf[index], e = excludeOf[index]
            guard a < allowlists.count, e < excludes.count else { return nil }
            if a >= 0 { rule.allowlist = allowlists[a] }
            if e >= 0 { rule.exclude = excludes[e] }
            if captureCounts[index] >= 0 { loaded.verifiedPatterns[rule.regex] = captureCounts[index] }
            loaded.rules.append(rule)
        }
        loaded.globalAllowlist = globalAllowlist
        loaded.origin = origin
        return loaded
    }
}

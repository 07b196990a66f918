import Foundation

/// Loaded rules in the form the rule cache keeps them (see ``RuleLoader/load(files:relativeTo:cache:withTests:)``).
///
/// Thousands of provider rules share one allowlist and one exclude list; written once per rule
/// they were three quarters of the entry and of the time to decode it. Here each distinct list is
/// written once and rules refer to it by position, and a provider list is kept as the list of
/// names it is: its rules are made again on load, which takes a fraction of the time decoding
/// them took (they were two thirds of a one-line scan's decoding). A scan needs no test cases:
/// entries for scans are written without them, so decoding stays a small part of a small scan.
struct CachedRules: Codable {
    /// The rules the files write out.
    var rules: [RuleDefinition]
    var allowlists: [Allowlist]
    /// Per rule: its allowlist's position in `allowlists`, or -1.
    var allowlistOf: [Int]
    var excludes: [[String]]
    /// Per rule: its exclude list's position in `excludes`, or -1.
    var excludeOf: [Int]
    /// The files' provider lists, as written.
    var providerLists: [ProviderList]
    /// The loaded order: `i >= 0` is `rules[i]`, `-1 - k` every rule of `providerLists[k]`.
    var order: [Int]
    /// Rule files by name; per rule and per provider list, its file's position here.
    var files: [String]
    var ruleFile: [Int]
    var listFile: [Int]
    var globalAllowlist: Allowlist
    /// Per loaded rule, in order: its regex's capture count when it is one of
    /// ``LoadedRules/verifiedPatterns``, or -1.
    var captureCounts: [Int]
    var withTests: Bool

    /// - Parameters:
    ///   - parsed: the rule files as read, in order.
    ///   - loaded: what they load as (for the verified patterns).
    init(parsed: [(name: String, file: RuleFile)], loaded: LoadedRules, withTests: Bool) {
        var allowlistPosition: [Allowlist: Int] = [:]
        var excludePosition: [[String]: Int] = [:]
        (rules, allowlists, allowlistOf, excludes, excludeOf) = ([], [], [], [], [])
        (providerLists, order, files, ruleFile, listFile) = ([], [], [], [], [])
        for (fileIndex, source) in parsed.enumerated() {
            files.append(source.name)
            for var rule in source.file.rules ?? [] {
                allowlistOf.append(Self.position(of: rule.allowlist, in: &allowlists, positions: &allowlistPosition))
                excludeOf.append(Self.position(of: rule.exclude, in: &excludes, positions: &excludePosition))
                rule.allowlist = nil
                rule.exclude = nil
                if !withTests { rule.tests = nil }
                order.append(rules.count)
                ruleFile.append(fileIndex)
                rules.append(rule)
            }
            if var list = source.file.providers {
                if !withTests { for i in list.names.indices { list.names[i].tests = nil } }
                order.append(-1 - providerLists.count)
                listFile.append(fileIndex)
                providerLists.append(list)
            }
        }
        globalAllowlist = loaded.globalAllowlist
        captureCounts = loaded.rules.map { loaded.verifiedPatterns[$0.regex] ?? -1 }
        self.withTests = withTests
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
        guard allowlistOf.count == rules.count, excludeOf.count == rules.count, ruleFile.count == rules.count,
              listFile.count == providerLists.count
        else { return nil }
        var loaded = LoadedRules()
        loaded.rules.reserveCapacity(captureCounts.count)
        for position in order {
            if position >= 0 {
                guard position < rules.count else { return nil }
                var rule = rules[position]
                let a = allowlistOf[position], e = excludeOf[position], f = ruleFile[position]
                guard a < allowlists.count, e < excludes.count, f >= 0, f < files.count else { return nil }
                if a >= 0 { rule.allowlist = allowlists[a] }
                if e >= 0 { rule.exclude = excludes[e] }
                loaded.origin[rule.id] = files[f]
                loaded.rules.append(rule)
            } else {
                let k = -1 - position
                guard k < providerLists.count, listFile[k] >= 0, listFile[k] < files.count else { return nil }
                for rule in providerLists[k].rules(withTests: withTests) {
                    loaded.origin[rule.id] = files[listFile[k]]
                    loaded.rules.append(rule)
                }
            }
        }
        guard captureCounts.count == loaded.rules.count else { return nil }
        for (rule, count) in zip(loaded.rules, captureCounts) where count >= 0 { loaded.verifiedPatterns[rule.regex] = count }
        loaded.globalAllowlist = globalAllowlist
        return loaded
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the scanner finds the rules worth running on a line or window before PCRE2 confirms and
/// extracts: the first stage of the engine.
///
/// Both engines give the same findings; they differ only in how many regex runs they save.
/// - `hyperscan`: one Hyperscan/Vectorscan database holds every rule's keywords and, for secret
///   rules, a prefilter form of the regex whose matches are a superset of the regex's; a batch of
///   lines is scanned in one call. Only where the library is linked (x86-64 builds that found
///   `libhs` through pkg-config).
/// - `keywords`: the portable path, an Aho–Corasick automaton over the keywords, line by line.
public enum CandidateEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case hyperscan
    case keywords

    public var description: String { rawValue }

    /// Whether this build can run the engine.
    public var isAvailable: Bool {
        switch self {
        case .hyperscan: HyperscanDatabase.isAvailable
        case .keywords: true
        }
    }

    /// The environment variable that forces an engine (`keywords` or `hyperscan`), for tests and
    /// the benchmark; an unknown or unavailable choice falls back to the default.
    public static let environmentVariable = "CORGI_CANDIDATES"

    /// `hyperscan` where the build has it, unless `CORGI_CANDIDATES=keywords`.
    public static var preferred: CandidateEngine {
        if let value = getenv(environmentVariable).map({ String(cString: $0) }),
           let chosen = CandidateEngine(rawValue: value), chosen.isAvailable
        {
            return chosen
        }
        return HyperscanDatabase.isAvailable ? .hyperscan : .keywords
    }
}

/// A rule that passed the candidate stage on one line of a ``LineBatch``.
struct LineCandidate: Sendable, Hashable {
    var line: Int32
    var rule: Int32
}

/// The rules a candidate engine lets through. Rules not named here never run where it says no:
/// an engine must only ever say "no" where the rule's regex cannot match (or, as today, where none
/// of the rule's keywords occurs on the line).
protocol CandidateFinder: AnyObject {
    var engine: CandidateEngine { get }
    /// Single-line rules the engine cannot filter: they run on every added line.
    var unfilteredLineRules: [Int] { get }
    /// Multi-line rules the engine cannot filter: they run on every window with an added line.
    var unfilteredWindowRules: [Int] { get }

    /// Appends the single-line rules worth running on each line of `batch`, line by line in order
    /// (a rule at most once per line; inactive rules are the caller's to drop).
    func collectLineCandidates(in batch: LineBatch, into candidates: inout [LineCandidate])

    /// Adds to `keywordRules` the multi-line rules whose keywords occur in `window` (the set lives
    /// as long as the caller's window, across its slides), and appends to `rules` the multi-line
    /// rules worth running on `window` now.
    func collectWindowCandidates(in window: UnsafeBufferPointer<UInt8>, keywordRules: inout Set<Int>, into rules: inout [Int])

    /// Appends every rule, single- or multi-line, one of whose keywords occurs in `subject`
    /// (possibly more than once): decoded text is rescanned by the rules its keywords name.
    func collectKeywordRules(in subject: UnsafeBufferPointer<UInt8>, into rules: inout [Int32])
}

/// Added lines held for one pass of the candidate stage: their bytes joined by "\n", with what the
/// single-line scan needs of each. Bytes are copied because a parser's line lives only for its call.
struct LineBatch {
    /// Bytes of a batch before it is scanned: large enough to amortise a Hyperscan call, small
    /// enough to stay in cache.
    static let targetBytes = 64 * 1024

    private(set) var joined: [UInt8] = []
    private(set) var starts: [Int] = []
    private(set) var newLines: [Int] = []
    private(set) var directives: [IgnoreDirective?] = []
    /// The directive on the line just above, when that line is in the diff.
    private(set) var directivesAbove: [IgnoreDirective?] = []
    private(set) var columnOffsets: [Int] = []

    var count: Int { starts.count }
    var isEmpty: Bool { starts.isEmpty }
    var isFull: Bool { joined.count >= LineBatch.targetBytes }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, newLine: Int, directive: IgnoreDirective?,
                         directiveAbove: IgnoreDirective?, columnOffset: Int) {
        if !starts.isEmpty { joined.append(0x0A) }
        starts.append(joined.count)
        joined.append(contentsOf: bytes)
        newLines.append(newLine)
        directives.append(directive)
        directivesAbove.append(directiveAbove)
        columnOffsets.append(columnOffset)
    }

    func range(ofLine i: Int) -> Range<Int> {
        starts[i]..<(i + 1 < starts.count ? starts[i + 1] - 1 : joined.count)
    }

    mutating func removeAll() {
        joined.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        newLines.removeAll(keepingCapacity: true)
        directives.removeAll(keepingCapacity: true)
        directivesAbove.removeAll(keepingCapacity: true)
        columnOffsets.removeAll(keepingCapacity: true)
    }
}

/// The portable engine: the keyword automaton, one line at a time.
final class KeywordCandidateFinder: CandidateFinder {
    let engine = CandidateEngine.keywords
    private let ruleSet: RuleSet
    let unfilteredLineRules: [Int]
    let unfilteredWindowRules: [Int]
    private var stamps: [UInt32]
    private var stamp: UInt32 = 0
    /// Taken from the rule set on first use (which builds it once for every scanner), then read
    /// per line without the rule set's lock. A Hyperscan finder's fallback may never use it.
    private lazy var automaton: KeywordAutomaton = ruleSet.automaton

    init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        unfilteredLineRules = ruleSet.unkeyedLineRules
        unfilteredWindowRules = ruleSet.unkeyedMultilineRules
        stamps = Array(repeating: 0, count: ruleSet.rules.count)
    }

    private func nextStamp() -> UInt32 {
        stamp &+= 1
        if stamp == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            stamp = 1
        }
        return stamp
    }

    func collectLineCandidates(in batch: LineBatch, into candidates: inout [LineCandidate]) {
        let rules = ruleSet.rules
        batch.joined.withUnsafeBufferPointer { joined in
            for i in 0..<batch.count {
                let line = UnsafeBufferPointer(rebasing: joined[batch.range(ofLine: i)])
                let current = nextStamp()
                automaton.scan(line) { r in
                    if stamps[r] != current, !rules[r].isMultiline {
                        stamps[r] = current
                        candidates.append(LineCandidate(line: Int32(i), rule: Int32(r)))
                    }
                }
            }
        }
    }

    func collectWindowCandidates(in window: UnsafeBufferPointer<UInt8>, keywordRules: inout Set<Int>, into rules: inout [Int]) {
        // No keyword holds a line break (RuleSet drops those, which could never match a line), so
        // the joined window finds exactly the keywords of its lines.
        let all = ruleSet.rules
        automaton.scan(window) { r in
            if all[r].isMultiline { keywordRules.insert(r) }
        }
        rules.append(contentsOf: keywordRules)
    }

    func collectKeywordRules(in subject: UnsafeBufferPointer<UInt8>, into rules: inout [Int32]) {
        automaton.scan(subject) { rules.append(Int32($0)) }
    }
}

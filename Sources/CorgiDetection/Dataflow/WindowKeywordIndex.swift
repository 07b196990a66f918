internal import Foundation

/// Which sinks' keywords occur on which lines of a window.
///
/// One Hyperscan pass over the whole window (every keyword a case-insensitive literal) instead
/// of the keyword automaton over each added line as it arrives: the automaton reads a byte per
/// dependent table load, a tenth of the code pack's scan time on the benchmark. Where Hyperscan
/// is missing, refuses a keyword, or fails on an input, the automaton answers instead, line by
/// line: both report exactly the lines that hold a keyword (ASCII case folded), so the answer
/// never depends on the build. The database is compiled on first use and cached like the
/// source prefilter's. Invariant: `state` is written once, under `lock`.
final class SinkKeywordIndex: @unchecked Sendable {
    let automaton: KeywordAutomaton
    /// Distinct keywords (folded), and per keyword the sinks it stands for.
    private let literals: [String]
    private let sinks: [[Int32]]
    private let cache: HyperscanCache?
    private let lock = NSLock()
    private var state: HyperscanDatabase??

    /// - Parameter hyperscan: false answers with the automaton alone (tests compare the two).
    init(keywords: [(keyword: String, payload: Int)], hyperscan: Bool = true, cache: HyperscanCache? = .default) {
        automaton = KeywordAutomaton(keywords: keywords)
        var index: [String: Int] = [:]
        var literals: [String] = []
        var sinks: [[Int32]] = []
        for (keyword, payload) in keywords where !keyword.isEmpty {
            let folded = String(decoding: keyword.utf8.map(KeywordAutomaton.fold), as: UTF8.self)
            if let i = index[folded] {
                if !sinks[i].contains(Int32(payload)) { sinks[i].append(Int32(payload)) }
            } else {
                index[folded] = literals.count
                literals.append(folded)
                sinks.append([Int32(payload)])
            }
        }
        self.literals = literals
        self.sinks = sinks
        self.cache = cache
        if !hyperscan { state = .some(nil) }
    }

    /// The database, or nil when the automaton must answer (no Hyperscan, or a keyword refused).
    private var database: HyperscanDatabase? {
        lock.lock()
        defer { lock.unlock() }
        if let state { return state }
        let requested = literals.enumerated().map { i, literal in
            HyperscanDatabase.Expression(pattern: HyperscanCandidateIndex.literal(literal), flags: .caseless, id: UInt32(i))
        }
        var built: HyperscanDatabase?
        if let (database, dropped) = PatternPrefilter.compileDroppingFailures(requested, cache: cache), dropped.isEmpty {
            built = database
        }
        state = .some(built)
        return built
    }

    /// The sinks whose keywords occur on lines where `wanted` is true, and those lines (window
    /// line indices, ascending). `lineStarts` holds each line's first byte offset in `window`.
    func find(in window: UnsafeBufferPointer<UInt8>, lineStarts: [Int], wanted: [Bool], scratch: PatternPrefilterScratch) -> (sinks: Set<Int>, lines: [Int]) {
        var found = Set<Int>()
        var lines: [Int] = []
        if let database, let hs = scratch.scratch(for: database) {
            scratch.collector.reset(expressions: literals.count, starts: lineStarts)
            if hs.scan(window, into: &scratch.collector) {
                if scratch.collector.outOfOrder { scratch.collector.events.sort { $0.line < $1.line } }
                for event in scratch.collector.events where wanted[Int(event.line)] {
                    for sink in sinks[Int(event.id)] { found.insert(Int(sink)) }
                    if lines.last != Int(event.line) { lines.append(Int(event.line)) }
                }
                return (found, lines)
            }
        }
        for (line, start) in lineStarts.enumerated() where wanted[line] {
            let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : window.count
            var hit = false
            automaton.scan(UnsafeBufferPointer(rebasing: window[start..<end])) { found.insert($0); hit = true }
            if hit { lines.append(line) }
        }
        return (found, lines)
    }
}

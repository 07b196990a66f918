internal import Foundation

/// Which sinks' keywords occur on which added lines of a window, and which sources' keywords occur
/// anywhere in it.
///
/// One Hyperscan pass over the whole window (every keyword a literal) instead of the keyword
/// automaton over each added line as it arrives: the automaton reads a byte per dependent table
/// load, a tenth of the code pack's scan time on the benchmark. Where Hyperscan is missing, refuses
/// a keyword, or fails on an input, the automaton answers instead, line by line: both report
/// exactly the lines that hold a keyword, so the answer never depends on the build.
///
/// Keywords match **case-sensitively**: dataflow patterns are case-sensitive, so a match shows its
/// keyword as written, and a folded `Function` (for `new Function(`) was found in every
/// JavaScript function header, `load(` in every `payload(`. The exception is a language whose calls
/// ignore case (PHP, `calls_ignore_case`): its sinks match in any case, and so do its keywords. The database is compiled on first use
/// and cached like the source prefilter's. Invariant: `state` is written once, under `lock`.
final class WindowKeywordIndex: @unchecked Sendable {
    let automaton: KeywordAutomaton
    /// Distinct keywords, and per keyword what it stands for: a sink index `k` as `k`, a source
    /// index `k` as `-1 - k`.
    private let literals: [String]
    private let entries: [[Int32]]
    /// Some source has keywords: the automaton must then read every line, not only wanted ones.
    private let hasSourceKeywords: Bool
    /// Keywords match in any ASCII case (their literals are folded).
    private let caseless: Bool
    private let cache: HyperscanCache?
    private let lock = NSLock()
    private var state: HyperscanDatabase??

    /// - Parameters:
    ///   - sinks: each sink keyword with its sink's index.
    ///   - sources: each source keyword with its source's index.
    ///   - sinksIgnoreCase: the language calls by name in any case (PHP): every keyword matches
    ///     in any ASCII case, sources' too (a source keyword that folds finds a superset).
    ///   - hyperscan: false answers with the automaton alone (tests compare the two).
    init(sinks: [(keyword: String, payload: Int)], sources: [(keyword: String, payload: Int)] = [], sinksIgnoreCase: Bool = false,
         hyperscan: Bool = true, cache: HyperscanCache? = .default) {
        let all = (sinks.filter { !$0.keyword.isEmpty } + sources.filter { !$0.keyword.isEmpty }.map { ($0.keyword, -1 - $0.payload) })
            .map { (keyword: sinksIgnoreCase ? String(decoding: $0.keyword.utf8.map(KeywordAutomaton.fold), as: UTF8.self) : $0.keyword, payload: $0.payload) }
        caseless = sinksIgnoreCase
        automaton = KeywordAutomaton(keywords: all, caseSensitive: !sinksIgnoreCase)
        var index: [String: Int] = [:]
        var literals: [String] = []
        var entries: [[Int32]] = []
        for (keyword, payload) in all {
            if let i = index[keyword] {
                if !entries[i].contains(Int32(payload)) { entries[i].append(Int32(payload)) }
            } else {
                index[keyword] = literals.count
                literals.append(keyword)
                entries.append([Int32(payload)])
            }
        }
        self.literals = literals
        self.entries = entries
        hasSourceKeywords = all.contains { $0.payload < 0 }
        self.cache = cache
        if !hyperscan { state = .some(nil) }
    }

    /// The database, or nil when the automaton must answer (no Hyperscan, or a keyword refused).
    private var database: HyperscanDatabase? {
        lock.lock()
        defer { lock.unlock() }
        if let state { return state }
        let requested = literals.enumerated().map { i, literal in
            HyperscanDatabase.Expression(pattern: HyperscanCandidateIndex.literal(literal), flags: caseless ? .caseless : [], id: UInt32(i))
        }
        var built: HyperscanDatabase?
        if let (database, dropped) = PatternPrefilter.compileDroppingFailures(requested, cache: cache), dropped.isEmpty {
            built = database
        }
        state = .some(built)
        return built
    }

    /// What the keywords found in a window.
    struct Found: Equatable {
        /// Sinks whose keywords occur on lines where `wanted` is true.
        var sinks = Set<Int>()
        /// Those lines (window line indices), ascending.
        var lines: [Int] = []
        /// Sources whose keywords occur on any line.
        var sources = Set<Int>()
    }

    /// Keywords in `window`, whose line `k` starts at byte `lineStarts[k]`.
    func find(in window: UnsafeBufferPointer<UInt8>, lineStarts: [Int], wanted: [Bool], scratch: PatternPrefilterScratch) -> Found {
        var found = Found()
        func record(_ entry: Int32, line: Int) {
            if entry < 0 {
                found.sources.insert(Int(-1 - entry))
            } else if wanted[line] {
                found.sinks.insert(Int(entry))
                if found.lines.last != line { found.lines.append(line) }
            }
        }
        if let database, let hs = scratch.scratch(for: database) {
            scratch.collector.reset(expressions: literals.count, starts: lineStarts)
            if hs.scan(window, into: &scratch.collector) {
                if scratch.collector.outOfOrder { scratch.collector.events.sort { $0.line < $1.line } }
                for event in scratch.collector.events {
                    for entry in entries[Int(event.id)] { record(entry, line: Int(event.line)) }
                }
                return found
            }
            found = Found()
        }
        for (line, start) in lineStarts.enumerated() where wanted[line] || hasSourceKeywords {
            let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : window.count
            automaton.scan(UnsafeBufferPointer(rebasing: window[start..<end])) { record(Int32($0), line: line) }
        }
        return found
    }
}

internal import Foundation

/// Which of a list of patterns match a text, found with one Hyperscan pass over it instead of one
/// PCRE2 search per pattern.
///
/// The dataflow engine asks, per window, which of a language's sources occur anywhere in it; with
/// dozens of sources per language that was one PCRE2 search of the whole window per source, a
/// sixth of the code pack's scan time. Here every pattern is in one block-mode database compiled
/// in prefilter mode (its matches are a superset of the pattern's), and PCRE2 confirms only the
/// patterns Hyperscan reported, so the answer is exactly the PCRE2 answer. Patterns Hyperscan
/// cannot compile, builds without Hyperscan and a scan Hyperscan fails are confirmed by PCRE2 on
/// every call: slower, never different.
///
/// The database is compiled on first use (most scans never meet most languages) and kept in the
/// Hyperscan cache between runs. Invariant: `state` is written once, under `lock`.
final class PatternPrefilter: @unchecked Sendable {
    let patterns: [PCRE2Pattern]
    private let cache: HyperscanCache?
    private let lock = NSLock()
    private var state: Compiled?

    struct Compiled {
        let database: HyperscanDatabase?
        /// Per pattern: whether the database holds it (else PCRE2 always runs it).
        let inDatabase: [Bool]
    }

    /// - Parameter hyperscan: false answers with PCRE2 alone (tests compare the two).
    init(patterns: [PCRE2Pattern], hyperscan: Bool = true, cache: HyperscanCache? = .default) {
        self.patterns = patterns
        self.cache = cache
        if !hyperscan { state = Compiled(database: nil, inDatabase: Array(repeating: false, count: patterns.count)) }
    }

    var compiled: Compiled {
        lock.lock()
        defer { lock.unlock() }
        if let state { return state }
        let built = Self.compile(patterns, cache: cache)
        state = built
        return built
    }

    private static func compile(_ patterns: [PCRE2Pattern], cache: HyperscanCache?) -> Compiled {
        // Ids are positions in `patterns`; the subject is the whole text, as PCRE2 sees it.
        let requested = patterns.enumerated().map { index, pattern in
            HyperscanDatabase.Expression(pattern: PrefilterPattern.relax(pattern.source), flags: [.prefilter, .singleMatch], id: UInt32(index))
        }
        guard let (database, dropped) = compileDroppingFailures(requested, cache: cache) else {
            return Compiled(database: nil, inDatabase: Array(repeating: false, count: patterns.count))
        }
        var inDatabase = Array(repeating: true, count: patterns.count)
        for pattern in dropped { inDatabase[pattern] = false }
        return Compiled(database: database, inDatabase: inDatabase)
    }

    /// A database of `requested` (whose ids are their positions), from the cache or compiled;
    /// expressions Hyperscan refuses are left out and their ids returned. Nil where Hyperscan is
    /// missing or nothing compiles.
    static func compileDroppingFailures(_ requested: [HyperscanDatabase.Expression], cache: HyperscanCache?) -> (HyperscanDatabase, dropped: [Int])? {
        guard HyperscanDatabase.isAvailable, !requested.isEmpty else { return nil }
        let key = cache.map { _ in HyperscanCache.key(requested) }
        if let cache, let key, let entry = cache.load(key: key) { return (entry.database, entry.dropped) }
        // Hyperscan names the expression that fails: leave it out and compile again.
        // `remaining` and `dropped` hold positions in `requested` (the expressions' ids).
        var remaining = Array(requested.indices)
        var dropped: [Int] = []
        while !remaining.isEmpty {
            do {
                let started = ContinuousClock.now
                let database = try HyperscanDatabase(remaining.map { requested[$0] })
                if let cache, let key, ContinuousClock.now - started >= cache.worthKeeping {
                    cache.store(key: key, .init(dropped: dropped, database: database))
                }
                return (database, dropped)
            } catch {
                guard let bad = error.expression, bad < remaining.count else { return nil }
                dropped.append(remaining.remove(at: bad))
            }
        }
        return nil
    }

    /// Indices of the patterns that match somewhere in `text`, ascending; exactly those PCRE2
    /// finds. `scratch` holds the caller's Hyperscan scratch space (one per scanner).
    func matching(_ text: UnsafeBufferPointer<UInt8>, scratch: PatternPrefilterScratch, pcre: MatchScratch) -> [Int] {
        let compiled = self.compiled
        var candidates: [Bool]
        if let database = compiled.database, let hs = scratch.scratch(for: database) {
            scratch.collector.reset(expressions: patterns.count, starts: [0])
            let ok = hs.scan(text, into: &scratch.collector)
            if ok {
                candidates = compiled.inDatabase.map { !$0 }
                for event in scratch.collector.events { candidates[Int(event.id)] = true }
            } else {
                candidates = Array(repeating: true, count: patterns.count)
            }
        } else {
            candidates = Array(repeating: true, count: patterns.count)
        }
        let r = patterns.indices.filter { candidates[$0] && patterns[$0].matches(text, scratch: pcre) }
        return r
    }
}

/// One scanner's Hyperscan scratch spaces for the prefilters it meets (not thread-safe).
final class PatternPrefilterScratch {
    private var scratches: [ObjectIdentifier: HyperscanScratch] = [:]
    var collector = HyperscanMatchCollector()

    init() {}

    func scratch(for database: HyperscanDatabase) -> HyperscanScratch? {
        if let existing = scratches[ObjectIdentifier(database)] { return existing }
        guard let made = HyperscanScratch(for: database) else { return nil }
        scratches[ObjectIdentifier(database)] = made
        return made
    }
}

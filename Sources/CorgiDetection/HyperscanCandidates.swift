import CorgiCore

/// The Hyperscan engine's compiled part, built once per ``RuleSet`` and shared by its scanners.
///
/// Two block-mode databases: one for batches of added lines (single-line rules, compiled with
/// `multiline` so `^` and `$` hold at every line of the batch, as they do on a line alone) and one
/// for the windows of multi-line rules (compiled as PCRE2 runs them, on the same subject).
/// Each holds every keyword of its rules as a case-insensitive literal, and for secret rules the
/// regex itself in prefilter mode: its matches are a superset of the regex's, so a line it passes
/// over cannot hold a match. A rule runs where one of its keywords occurs and its prefilter (if it
/// has one) matched, which is never less than the keyword engine runs it.
final class HyperscanCandidateIndex: Sendable {
    struct Database: Sendable {
        let database: HyperscanDatabase
        /// Per expression id: the rules a keyword literal stands for, or the one rule of a regex.
        let keywordRules: [[Int32]]
        /// Expression ids from `keywordRules.count` on are regexes: `regexRule[id - keywordRules.count]`.
        let regexRule: [Int32]
    }

    let lines: Database?
    let windows: Database?
    /// Per rule: whether a prefilter regex of it is in its database (else its keywords alone decide).
    let hasPrefilter: [Bool]
    let unfilteredLineRules: [Int]
    let unfilteredWindowRules: [Int]
    /// Regexes Hyperscan could not take, with the reason (the keywords still filter those rules).
    let rejected: [(rule: String, reason: String)]

    /// Fails (the caller takes the keyword engine) only when not even the keywords compile.
    /// - Parameter cache: where compiled databases are kept between runs (nil: compile every time).
    init(rules: [CompiledRule], unkeyedLineRules: [Int], unkeyedMultilineRules: [Int],
         cache: HyperscanCache? = .default) throws(HyperscanDatabase.CompileError) {
        var rejected: [(rule: String, reason: String)] = []
        var hasPrefilter = Array(repeating: false, count: rules.count)
        func build(multiline: Bool) throws(HyperscanDatabase.CompileError) -> Database? {
            let indices = rules.indices.filter { rules[$0].isMultiline == multiline }
            guard !indices.isEmpty else { return nil }
            var literalIndex: [String: Int] = [:]
            var keywordRules: [[Int32]] = []
            var literals: [String] = []
            for r in indices {
                for keyword in rules[r].keywords where !keyword.utf8.contains(0x0A) {
                    let folded = String(decoding: keyword.utf8.map(KeywordAutomaton.fold), as: UTF8.self)
                    if let i = literalIndex[folded] {
                        if !keywordRules[i].contains(Int32(r)) { keywordRules[i].append(Int32(r)) }
                    } else {
                        literalIndex[folded] = keywordRules.count
                        keywordRules.append([Int32(r)])
                        literals.append(HyperscanCandidateIndex.literal(keyword))
                    }
                }
            }
            var regexes: [(rule: Int, pattern: String)] = indices.compactMap { r in
                let rule = rules[r]
                guard HyperscanCandidateIndex.wantsPrefilter(rule) else { return nil }
                if let reason = HyperscanCandidateIndex.unsupported(rule.regex.source, multiline: multiline) {
                    rejected.append((rule.id, reason))
                    return nil
                }
                return (r, PrefilterPattern.relax(rule.regex.source))
            }
            let regexFlags: HyperscanDatabase.Flags = multiline ? [.prefilter] : [.prefilter, .multiline]
            func expressions(_ regexes: [(rule: Int, pattern: String)]) -> [HyperscanDatabase.Expression] {
                var all: [HyperscanDatabase.Expression] = []
                for (i, literal) in literals.enumerated() {
                    all.append(HyperscanDatabase.Expression(pattern: literal, flags: .caseless, id: UInt32(i)))
                }
                for (j, regex) in regexes.enumerated() {
                    all.append(HyperscanDatabase.Expression(pattern: regex.pattern, flags: regexFlags, id: UInt32(literals.count + j)))
                }
                return all
            }
            let requested = expressions(regexes)
            guard !requested.isEmpty else { return nil }
            func finish(_ database: HyperscanDatabase, dropped: [Int]) -> Database {
                for position in dropped.sorted(by: >) where position < regexes.count {
                    let gone = regexes.remove(at: position)
                    rejected.append((rules[gone.rule].id, "Hyperscan does not compile it"))
                }
                for regex in regexes { hasPrefilter[regex.rule] = true }
                return Database(database: database, keywordRules: keywordRules, regexRule: regexes.map { Int32($0.rule) })
            }
            let key = cache.map { _ in HyperscanCache.key(requested) }
            if let cache, let key, let entry = cache.load(key: key) { return finish(entry.database, dropped: entry.dropped) }
            // Hyperscan names the expression that fails: drop that regex (its keywords still
            // filter the rule) and compile again.
            var positions = Array(regexes.indices)
            var dropped: [Int] = []
            while true {
                let remaining = positions.map { regexes[$0] }
                do {
                    let started = ContinuousClock.now
                    let database = try HyperscanDatabase(expressions(remaining))
                    // Small databases (one rule's, in the rule tests) compile faster than a file
                    // is written: only those worth keeping are kept.
                    if let cache, let key, ContinuousClock.now - started >= cache.worthKeeping {
                        cache.store(key: key, .init(dropped: dropped, database: database))
                    }
                    return finish(database, dropped: dropped)
                } catch {
                    guard let bad = error.expression, bad >= literals.count else { throw error }
                    dropped.append(positions.remove(at: bad - literals.count))
                }
            }
        }
        lines = try build(multiline: false)
        windows = try build(multiline: true)
        self.hasPrefilter = hasPrefilter
        self.rejected = rejected
        // Rules without keywords and without a prefilter cannot be filtered at all.
        unfilteredLineRules = unkeyedLineRules.filter { !hasPrefilter[$0] }
        unfilteredWindowRules = unkeyedMultilineRules.filter { !hasPrefilter[$0] }
    }

    /// Specific secret rules get a prefilter: their regexes are literal-led and, relaxed, compile
    /// in milliseconds. Code rules' regexes are long alternations of call shapes with large gaps
    /// (seconds each to compile), and generic and provider-context rules are thousands of
    /// "name near a value" patterns (2.5 s for 2,000): their keywords filter them nearly as well.
    static func wantsPrefilter(_ rule: CompiledRule) -> Bool {
        rule.definition.kind == .secret && rule.definition.generic != true
    }

    /// Why a regex cannot be a prefilter of the line batch, if it cannot: anchors to the subject's
    /// ends mean the whole batch to Hyperscan but one line to PCRE2, and an option turned off
    /// inside the pattern could undo `multiline`.
    static func unsupported(_ pattern: String, multiline: Bool) -> String? {
        guard !multiline else { return nil }
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                if [UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "G")].contains(bytes[i + 1]) {
                    return "anchors to the subject's ends"
                }
                i += 2
                continue
            }
            // An option group is `(?` then option letters, a `-`, letters, and `)` or `:`
            // (`(?-i)`, `(?s-m:`); lookarounds and classes inside them (`(?![A-Z-])`) are not.
            if bytes[i] == UInt8(ascii: "("), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "?") {
                let options = bytes[(i + 2)...].prefix { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "-") }
                let end = i + 2 + options.count
                if options.contains(UInt8(ascii: "-")), end < bytes.count,
                   bytes[end] == UInt8(ascii: ")") || bytes[end] == UInt8(ascii: ":")
                {
                    return "turns an option off inside the pattern"
                }
            }
            i += 1
        }
        return nil
    }

    /// A keyword as a Hyperscan pattern: every byte escaped, so nothing in it is syntax.
    static func literal(_ keyword: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in keyword.utf8 {
            out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(b >> 4)], hex[Int(b & 15)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Raw matches of one Hyperscan call, as (line, expression) events, each at most once per line.
struct HyperscanMatchCollector {
    /// Line starts of the subject (one entry, 0, for a window).
    var starts: [Int] = []
    var events: [(line: Int32, id: UInt32)] = []
    var lastLine: [Int32] = []
    var cursor = 0
    var outOfOrder = false

    mutating func reset(expressions: Int, starts newStarts: [Int]) {
        starts = newStarts
        events.removeAll(keepingCapacity: true)
        if lastLine.count != expressions { lastLine = Array(repeating: -1, count: expressions) } else {
            for i in lastLine.indices { lastLine[i] = -1 }
        }
        cursor = 0
        outOfOrder = false
    }

    /// `end` is just past the match, so the match's last byte is at `end - 1`.
    @inline(__always)
    mutating func match(id: UInt32, end: Int) {
        let offset = max(end - 1, 0)
        // Matches arrive by end offset in practice: move the cursor forward, and search only when
        // one arrives earlier than the last.
        if offset < starts[cursor] {
            outOfOrder = true
            var lo = 0, hi = cursor
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            cursor = lo
        }
        while cursor + 1 < starts.count, starts[cursor + 1] <= offset { cursor += 1 }
        let line = Int32(cursor)
        if lastLine[Int(id)] == line { return }
        lastLine[Int(id)] = line
        events.append((line, id))
    }
}

/// One scanner's use of the index: its own scratch space and per-rule stamps.
final class HyperscanCandidateFinder: CandidateFinder {
    let engine = CandidateEngine.hyperscan
    private let index: HyperscanCandidateIndex
    /// Rules with keywords: they need one on the line (or in the window), as in the keyword engine.
    private let needsKeyword: [Bool]
    private let prefilteredUnkeyedWindowRules: [Int]
    private let lineScratch: HyperscanScratch?
    private let windowScratch: HyperscanScratch?
    /// Answers an input Hyperscan fails on (it should not), so nothing goes unscanned.
    private let fallback: KeywordCandidateFinder
    private var collector = HyperscanMatchCollector()
    private var keywordStamp: [UInt32]
    private var regexStamp: [UInt32]
    private var candidateStamp: [UInt32]
    private var stamp: UInt32 = 0

    var unfilteredLineRules: [Int] { index.unfilteredLineRules }
    var unfilteredWindowRules: [Int] { index.unfilteredWindowRules }

    init?(ruleSet: RuleSet, index: HyperscanCandidateIndex) {
        self.index = index
        if let lines = index.lines {
            guard let scratch = HyperscanScratch(for: lines.database) else { return nil }
            lineScratch = scratch
        } else {
            lineScratch = nil
        }
        if let windows = index.windows {
            guard let scratch = HyperscanScratch(for: windows.database) else { return nil }
            windowScratch = scratch
        } else {
            windowScratch = nil
        }
        needsKeyword = ruleSet.rules.map { !$0.keywords.isEmpty }
        prefilteredUnkeyedWindowRules = ruleSet.unkeyedMultilineRules.filter { index.hasPrefilter[$0] }
        fallback = KeywordCandidateFinder(ruleSet: ruleSet)
        keywordStamp = Array(repeating: 0, count: ruleSet.rules.count)
        regexStamp = keywordStamp
        candidateStamp = keywordStamp
    }

    private func nextStamp() -> UInt32 {
        stamp &+= 1
        if stamp == 0 {
            for i in keywordStamp.indices {
                keywordStamp[i] = 0
                regexStamp[i] = 0
                candidateStamp[i] = 0
            }
            stamp = 1
        }
        return stamp
    }

    func collectLineCandidates(in batch: LineBatch, into candidates: inout [LineCandidate]) {
        guard let database = index.lines, let lineScratch else { return }
        let keywordCount = database.keywordRules.count
        collector.reset(expressions: keywordCount + database.regexRule.count, starts: batch.starts)
        let ok = batch.joined.withUnsafeBufferPointer { lineScratch.scan($0, into: &collector) }
        guard ok else {
            fallback.collectLineCandidates(in: batch, into: &candidates)
            return
        }
        if collector.outOfOrder { collector.events.sort { $0.line < $1.line } }
        // A rule passes on a line where one of its keywords occurs (if it has keywords) and its
        // prefilter matched (if it has one), whichever of the two is reported first.
        var currentLine: Int32 = -1
        var current: UInt32 = 0
        for event in collector.events {
            if event.line != currentLine {
                currentLine = event.line
                current = nextStamp()
            }
            let id = Int(event.id)
            if id < keywordCount {
                for r32 in database.keywordRules[id] {
                    let r = Int(r32)
                    keywordStamp[r] = current
                    if candidateStamp[r] != current, !index.hasPrefilter[r] || regexStamp[r] == current {
                        candidateStamp[r] = current
                        candidates.append(LineCandidate(line: currentLine, rule: r32))
                    }
                }
            } else {
                let r32 = database.regexRule[id - keywordCount]
                let r = Int(r32)
                regexStamp[r] = current
                if candidateStamp[r] != current, !needsKeyword[r] || keywordStamp[r] == current {
                    candidateStamp[r] = current
                    candidates.append(LineCandidate(line: currentLine, rule: r32))
                }
            }
        }
    }

    func collectWindowCandidates(in window: UnsafeBufferPointer<UInt8>, keywordRules: inout Set<Int>, into rules: inout [Int]) {
        guard let database = index.windows, let windowScratch else { return }
        let keywordCount = database.keywordRules.count
        collector.reset(expressions: keywordCount + database.regexRule.count, starts: [0])
        guard windowScratch.scan(window, into: &collector) else {
            fallback.collectWindowCandidates(in: window, keywordRules: &keywordRules, into: &rules)
            return
        }
        let current = nextStamp()
        for event in collector.events {
            let id = Int(event.id)
            if id < keywordCount {
                for r in database.keywordRules[id] { keywordRules.insert(Int(r)) }
            } else {
                regexStamp[Int(database.regexRule[id - keywordCount])] = current
            }
        }
        // Keywords count for the whole life of the caller's window, as in the keyword engine; a
        // prefilter must match this window itself, the subject PCRE2 is about to search.
        for r in keywordRules where !index.hasPrefilter[r] || regexStamp[r] == current { rules.append(r) }
        for r in prefilteredUnkeyedWindowRules where regexStamp[r] == current { rules.append(r) }
    }

    /// Both databases hold every keyword of their rules as a case-insensitive literal, as the
    /// automaton does: their keyword matches over `subject` name the same rules.
    func collectKeywordRules(in subject: UnsafeBufferPointer<UInt8>, into rules: inout [Int32]) {
        /// Appends the keyword rules `database` finds; false when Hyperscan failed on the input.
        func collect(_ database: HyperscanCandidateIndex.Database?, _ scratch: HyperscanScratch?) -> Bool {
            guard let database, let scratch else { return true }
            let keywordCount = database.keywordRules.count
            collector.reset(expressions: keywordCount + database.regexRule.count, starts: [0])
            guard scratch.scan(subject, into: &collector) else { return false }
            for event in collector.events where Int(event.id) < keywordCount {
                rules.append(contentsOf: database.keywordRules[Int(event.id)])
            }
            return true
        }
        let start = rules.count
        guard collect(index.lines, lineScratch), collect(index.windows, windowScratch) else {
            rules.removeSubrange(start...)
            fallback.collectKeywordRules(in: subject, into: &rules)
            return
        }
    }
}

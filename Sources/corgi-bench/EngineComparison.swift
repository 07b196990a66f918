import CorgiCore
import CorgiDetection
import Foundation

/// How the regex engine was chosen: the same rules over the same added lines, with and without
/// the keyword prefilter, in PCRE2 (JIT) and NSRegularExpression (Foundation's ICU engine).
enum EngineComparison {
    static func run(path: String, rules loaded: LoadedRules) throws {
        // The added lines of the first 8 MiB of the corpus, held in memory for all engines.
        let data = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 8 << 20) ?? Data()
        let lines: [[UInt8]] = data.split(separator: 0x0A).filter { $0.first == UInt8(ascii: "+") && !$0.starts(with: Array("+++".utf8)) }.map { Array($0.dropFirst()) }
        let bytes = Double(lines.reduce(0) { $0 + $1.count + 1 }) / 1_048_576
        let rules = loaded.rules.filter { !($0.multiline ?? false) }
        let pcre = try rules.map { try PCRE2Pattern(ValueGrammar.expand($0.regex)) }
        let ns = rules.compactMap { try? NSRegularExpression(pattern: ValueGrammar.expand($0.regex)) }
        let automaton = KeywordAutomaton(keywords: rules.enumerated().flatMap { i, r in (r.keywords ?? []).map { ($0, i) } })
        let scratch = MatchScratch()
        let strings = lines.map { String(decoding: $0, as: UTF8.self) }

        print("regex engines on \(String(format: "%.1f", bytes)) MiB of added lines, \(rules.count) single-line rules (\(ns.count) compile in NSRegularExpression):")
        print("| engine | MiB/s | matches |")
        print("|---|---:|---:|")

        var prefilterOnly = 0
        let tPrefilter = Benchmark.best(of: 3) { () -> Double in
            let start = Benchmark.now()
            prefilterOnly = 0
            for line in lines { line.withUnsafeBufferPointer { automaton.scan($0) { _ in prefilterOnly += 1 } } }
            return Benchmark.now() - start
        }
        print(String(format: "| Aho–Corasick keyword prefilter alone | %.0f | %d keyword hits |", bytes / tPrefilter, prefilterOnly))

        var m1 = 0
        let tPCREPrefiltered = Benchmark.best(of: 3) { () -> Double in
            let start = Benchmark.now()
            m1 = 0
            var candidates = Set<Int>()
            for line in lines {
                candidates.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { buffer in
                    automaton.scan(buffer) { candidates.insert($0) }
                    for r in candidates where pcre[r].firstMatch(in: buffer, scratch: scratch) != nil { m1 += 1 }
                }
            }
            return Benchmark.now() - start
        }
        print(String(format: "| prefilter → PCRE2 JIT (chosen) | %.0f | %d |", bytes / tPCREPrefiltered, m1))

        var m2 = 0
        let nsIndex = Dictionary(uniqueKeysWithValues: rules.indices.compactMap { i in (try? NSRegularExpression(pattern: ValueGrammar.expand(rules[i].regex))).map { (i, $0) } })
        let tNSPrefiltered = Benchmark.best(of: 2) { () -> Double in
            let start = Benchmark.now()
            m2 = 0
            var candidates = Set<Int>()
            for (i, line) in lines.enumerated() {
                candidates.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { automaton.scan($0) { candidates.insert($0) } }
                guard !candidates.isEmpty else { continue }
                let s = strings[i]
                let range = NSRange(s.startIndex..., in: s)
                for r in candidates { if let re = nsIndex[r], re.firstMatch(in: s, range: range) != nil { m2 += 1 } }
            }
            return Benchmark.now() - start
        }
        print(String(format: "| prefilter → NSRegularExpression | %.0f | %d |", bytes / tNSPrefiltered, m2))

        // Without the prefilter every rule runs on every line: measure on a 1 MiB slice.
        var sliceBytes = 0
        let slice = lines.prefix { sliceBytes += $0.count + 1; return sliceBytes < 1 << 20 }
        let sliceMB = Double(sliceBytes) / 1_048_576
        let tPCREAll = Benchmark.best(of: 2) { () -> Double in
            let start = Benchmark.now()
            for line in slice { line.withUnsafeBufferPointer { b in for p in pcre { _ = p.firstMatch(in: b, scratch: scratch) } } }
            return Benchmark.now() - start
        }
        print(String(format: "| PCRE2 JIT, every rule on every line | %.1f | – |", sliceMB / tPCREAll))
        let sliceStrings = strings.prefix(slice.count)
        let tNSAll = Benchmark.best(of: 1) { () -> Double in
            let start = Benchmark.now()
            for s in sliceStrings { let range = NSRange(s.startIndex..., in: s); for re in ns { _ = re.firstMatch(in: s, range: range) } }
            return Benchmark.now() - start
        }
        print(String(format: "| NSRegularExpression, every rule on every line | %.1f | – |", sliceMB / tNSAll))
    }
}

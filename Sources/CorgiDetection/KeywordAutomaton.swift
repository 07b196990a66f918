/// Aho–Corasick over bytes, ASCII case folded unless asked not to: one pass over a line tells
/// which rules' keywords occur in it, so the regexes run only where they can match.
///
/// The automaton is a full DFA over byte classes: bytes that occur in no keyword share class 0,
/// which keeps the transition table small enough to stay in cache. A class, immutable once built:
/// callers read it per line, and a struct of four arrays was four retains and releases each time.
public final class KeywordAutomaton: Sendable {
    private let byteClass: [UInt8]        // 256 entries
    private let classCount: Int
    /// Indexed by `state * classCount + class`; holds the next state's row (`state * classCount`)
    /// shifted left once, with the low bit set when that state reports payloads. The scan loop
    /// then reads two tables per byte and touches the outputs only where a keyword ends.
    private let transitions: [Int32]
    private let outputStart: [Int32]      // per state, into `outputs`; count = states + 1
    private let outputs: [Int32]          // payload ids reported at each state
    public let keywordCount: Int

    /// - Parameters:
    ///   - keywords: each keyword with the payload ids it reports, such as rule indices.
    ///   - caseSensitive: false (the default) matches ASCII letters in either case.
    public init(keywords: [(keyword: String, payload: Int)], caseSensitive: Bool = false) {
        var classes = [UInt8](repeating: 0, count: 256)
        var next: UInt8 = 1
        let folded = keywords.map { (Array($0.keyword.utf8).map { caseSensitive ? $0 : KeywordAutomaton.fold($0) }, $0.payload) }
            .filter { !$0.0.isEmpty }
        for (bytes, _) in folded {
            for b in bytes where classes[Int(b)] == 0 {
                precondition(next < 255, "too many distinct keyword bytes")
                classes[Int(b)] = next
                next += 1
            }
        }
        // Folding: upper-case ASCII letters share the class of their lower-case form.
        if !caseSensitive {
            for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") { classes[Int(upper)] = classes[Int(upper + 32)] }
        }
        let classCount = Int(next)

        // Trie.
        var children: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var own: [[Int32]] = [[]]
        for (bytes, payload) in folded {
            var s = 0
            for b in bytes {
                let c = Int(classes[Int(b)])
                if children[s][c] < 0 {
                    children[s][c] = Int32(children.count)
                    children.append([Int32](repeating: -1, count: classCount))
                    own.append([])
                }
                s = Int(children[s][c])
            }
            if !own[s].contains(Int32(payload)) { own[s].append(Int32(payload)) }
        }

        // Breadth-first failure links, turning the trie into a complete DFA.
        let stateCount = children.count
        var fail = [Int](repeating: 0, count: stateCount)
        var table = [Int32](repeating: 0, count: stateCount * classCount)
        var merged = own
        var queue: [Int] = []
        for c in 0..<classCount {
            let child = children[0][c]
            if child >= 0 {
                table[c] = child
                fail[Int(child)] = 0
                queue.append(Int(child))
            }
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            for p in merged[fail[s]] where !merged[s].contains(p) { merged[s].append(p) }
            for c in 0..<classCount {
                let child = children[s][c]
                if child >= 0 {
                    fail[Int(child)] = Int(table[fail[s] * classCount + c])
                    table[s * classCount + c] = child
                    queue.append(Int(child))
                } else {
                    table[s * classCount + c] = table[fail[s] * classCount + c]
                }
            }
        }
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for s in 0..<stateCount {
            flat.append(contentsOf: merged[s])
            starts.append(Int32(flat.count))
        }
        precondition(stateCount * classCount < Int(Int32.max) / 2, "keyword automaton too large")
        byteClass = classes
        self.classCount = classCount
        transitions = table.map { next in Int32(Int(next) * classCount) << 1 | (merged[Int(next)].isEmpty ? 0 : 1) }
        outputStart = starts
        outputs = flat
        keywordCount = folded.count
    }

    @inline(__always)
    static func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b + 32 : b }

    /// Calls `report` with the payload of every keyword occurrence (possibly repeatedly).
    @inline(__always)
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ report: (Int) -> Void) {
        byteClass.withUnsafeBufferPointer { cls in
            transitions.withUnsafeBufferPointer { delta in
                outputStart.withUnsafeBufferPointer { starts in
                    outputs.withUnsafeBufferPointer { out in
                        var row = 0
                        let width = classCount
                        for b in bytes {
                            let next = Int(delta[row &+ Int(cls[Int(b)])])
                            row = next &>> 1
                            if next & 1 != 0 {
                                let state = row / width
                                for i in Int(starts[state])..<Int(starts[state &+ 1]) { report(Int(out[i])) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether any keyword occurs.
    public func containsAny(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var found = false
        scan(bytes) { _ in found = true }
        return found
    }
}

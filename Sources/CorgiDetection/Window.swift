/// Where each line of a scanned subject starts, which new-file line it is, whether it was added,
/// and the suppressions on it. A single line is the one-element case.
struct Layout {
    var starts: [Int]
    var ends: [Int]
    var newLines: [Int]
    var added: [Bool]
    var directives: [IgnoreDirective?]
    var directiveBeforeFirst: IgnoreDirective?

    init(single length: Int, newLine: Int, directive: IgnoreDirective?, directiveAbove: IgnoreDirective?) {
        starts = [0]
        ends = [length]
        newLines = [newLine]
        added = [true]
        directives = [directive]
        directiveBeforeFirst = directiveAbove
    }

    init(starts: [Int], ends: [Int], newLines: [Int], added: [Bool], directives: [IgnoreDirective?]) {
        self.starts = starts
        self.ends = ends
        self.newLines = newLines
        self.added = added
        self.directives = directives
    }

    func lineIndex(of offset: Int) -> Int {
        if starts.count == 1 { return 0 }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    func firstAddedLine(_ range: ClosedRange<Int>) -> Int? { range.first { added[$0] } }

    func range(ofLine i: Int) -> Range<Int> { starts[i]..<ends[i] }

    func directive(at i: Int) -> IgnoreDirective? { directives[i] }

    func directive(above i: Int) -> IgnoreDirective? {
        if i == 0 { return directiveBeforeFirst }
        return newLines[i - 1] == newLines[i] - 1 ? directives[i - 1] : nil
    }
}

/// New-side lines of the current hunk, held for multi-line rules.
struct Window {
    private(set) var joined: [UInt8] = []
    private var starts: [Int] = []
    private var newLines: [Int] = []
    private var added: [Bool] = []
    private var directives: [IgnoreDirective?] = []

    var count: Int { starts.count }
    var byteCount: Int { joined.count }
    var hasAddedLine: Bool { added.contains(true) }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, newLine: Int, added isAdded: Bool, directive: IgnoreDirective?) {
        if !joined.isEmpty { joined.append(0x0A) }
        starts.append(joined.count)
        joined.append(contentsOf: bytes)
        newLines.append(newLine)
        added.append(isAdded)
        directives.append(directive)
    }

    func layout() -> Layout {
        var ends = Array(starts.dropFirst().map { $0 - 1 })
        ends.append(joined.count)
        return Layout(starts: starts, ends: ends, newLines: newLines, added: added, directives: directives)
    }

    mutating func keepLast(_ n: Int) {
        guard count > n else { return }
        let drop = count - n
        let cut = starts[drop]
        joined.removeFirst(cut)
        starts = starts.dropFirst(drop).map { $0 - cut }
        newLines.removeFirst(drop)
        added.removeFirst(drop)
        directives.removeFirst(drop)
    }

    mutating func removeAll() {
        joined.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        newLines.removeAll(keepingCapacity: true)
        added.removeAll(keepingCapacity: true)
        directives.removeAll(keepingCapacity: true)
    }
}

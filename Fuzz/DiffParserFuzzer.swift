// libFuzzer entry point for the diff parser. Built by scripts/fuzz together with the sources of
// CorgiCore (which has no dependencies), with `-sanitize=fuzzer,address`.
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
// - a parse never gives up: it always finishes, recording what it skipped as coverage gaps;
// - chunked feeding (3-byte pieces) gives exactly the parse, and the gaps, of the whole input;
// - new-file line numbers of added lines increase within a hunk (the pieces of a line longer
//   than one window share its number);
// - every gap names lines that exist in the input;
// - widening the hunks of a file to its functions (FunctionContext), with a file text built from
//   the diff's own new-side lines, keeps every added and removed line and its numbers, adds only
//   the file's lines as context, and leaves a file it cannot use byte for byte.

/// Folds every event into a 64-bit FNV-1a digest (cheaper than keeping the events, so the
/// fuzzer runs more inputs per second) and checks line numbering as it goes.
struct Recorder: DiffConsumer {
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var lastNewLine = 0

    mutating func mix(_ value: Int) {
        var v = UInt64(bitPattern: Int64(value))
        for _ in 0..<8 {
            digest = (digest ^ (v & 0xFF)) &* 0x100_0000_01b3
            v >>= 8
        }
    }

    mutating func mix(_ text: String?) {
        guard let text else { return mix(-1) }
        for b in text.utf8 { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
        mix(text.utf8.count)
    }

    mutating func beginFile(_ header: FileHeader) {
        mix(1)
        mix(header.path)
        mix(header.commit)
        mix(header.isBinary ? 1 : 0)
        mix(header.isCombined ? 1 : 0)
    }

    mutating func beginHunk(_ hunk: HunkHeader) {
        mix(2)
        mix(hunk.newStart)
        mix(hunk.newCount)
        lastNewLine = 0
    }

    mutating func line(_ line: DiffLine) {
        if line.kind == .added {
            if line.isContinuation {
                precondition(line.newLine == lastNewLine, "the pieces of a long line share its number")
            } else {
                precondition(line.newLine > lastNewLine || lastNewLine == 0, "added line numbers must increase")
            }
            lastNewLine = line.newLine
        }
        mix(3)
        mix(line.kind == .added ? 1 : line.kind == .removed ? 2 : 3)
        mix(line.newLine)
        mix(line.oldLine)
        mix(line.columnOffset)
        mix(line.isTruncated ? 1 : 0)
        for b in line.bytes { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
        mix(line.bytes.count)
    }

    mutating func endHunk() { mix(4) }
    mutating func endFile() { mix(5) }
}

func parse(_ bytes: UnsafeRawBufferPointer, chunk: Int) -> (events: UInt64, gaps: [CoverageGap], statistics: DiffStatistics) {
    var recorder = Recorder()
    let stream = DiffStreamParser(maximumLineLength: 64, maximumScannedLineLength: 256)
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        stream.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &recorder)
        offset = end
    }
    let statistics = stream.finish(into: &recorder)
    return (recorder.digest, stream.coverageGaps, statistics)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = parse(bytes, chunk: max(size, 1))
    let pieces = parse(bytes, chunk: 3)
    precondition(whole.events == pieces.events && whole.gaps == pieces.gaps && whole.statistics == pieces.statistics,
                 "chunking changed the parse")
    for gap in whole.gaps {
        precondition(gap.firstLine >= 1 && gap.firstLine <= gap.lastLine && gap.lastLine <= whole.statistics.diffLines + 1,
                     "a gap names lines of the input")
    }
    checkWidening(Array(bytes))
    return 0
}

/// Added and removed lines with their numbers, file by file.
func changes(_ parsed: ParsedDiff) -> [String] {
    parsed.files.flatMap { file in
        file.hunks.flatMap(\.lines).filter { $0.kind != .context }.map { "\(file.header.path) \($0.kind) \($0.newLine) \($0.oldLine) \($0.bytes)" }
    }
}

func checkWidening(_ input: [UInt8]) {
    let parsed = ParsedDiff.parse(bytes: input)
    guard let file = parsed.files.first(where: { $0.header.newPath != nil && !$0.hunks.isEmpty }), let path = file.header.newPath,
          parsed.files.filter({ $0.header.newPath == path }).count == 1
    else { return }
    let lines = file.hunks.flatMap(\.lines).filter { $0.kind != .removed && !$0.isContinuation && $0.newLine > 0 }
    guard let last = lines.map(\.newLine).max(), last <= 10_000 else { return }
    // Lines the diff does not show alternate between function openers and body lines.
    var text: [[UInt8]] = (1...last).map { $0 % 5 == 0 ? Array("def f\($0)():".utf8) : Array("    x = \($0)".utf8) }
    for line in lines { text[line.newLine - 1] = line.bytes }
    let bytes = Array(text.joined(separator: [0x0A])) + [0x0A]
    let outcome = FunctionContext.widen(input, newFiles: [path: bytes])
    if outcome.widened == 0 {
        precondition(outcome.diff == input, "a file that is not widened is passed through")
        return
    }
    let widened = ParsedDiff.parse(bytes: outcome.diff)
    precondition(changes(widened) == changes(parsed), "widening kept every change")
    for f in widened.files where f.header.newPath == path {
        for line in f.hunks.flatMap(\.lines) where line.kind == .context && !line.isContinuation {
            precondition(line.newLine >= 1 && line.newLine <= text.count && text[line.newLine - 1].starts(with: line.bytes),
                         "context is the file's own line")
        }
    }
}

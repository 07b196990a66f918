// libFuzzer entry point for the diff parser. Built by scripts/fuzz together with the sources of
// CorgiCore (which has no dependencies), with `-sanitize=fuzzer,address`.
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
// - a parse never gives up: it always finishes, recording what it skipped as coverage gaps;
// - chunked feeding (3-byte pieces) gives exactly the parse, and the gaps, of the whole input;
// - new-file line numbers of added lines increase within a hunk (the pieces of a line longer
//   than one window share its number);
// - every gap names lines that exist in the input.

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
    return 0
}

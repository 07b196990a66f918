// libFuzzer entry point for the diff parser. Built by scripts/fuzz together with the sources of
// CorgiCore (which has no dependencies), with `-sanitize=fuzzer,address`.
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
// - a parse either succeeds or throws DiffParseError (never another error);
// - chunked feeding (3-byte pieces) gives exactly the parse of the whole input;
// - new-file line numbers of added lines increase within a hunk.

struct Recorder: DiffConsumer {
    var events: [String] = []
    var lastNewLine = 0
    mutating func beginFile(_ header: FileHeader) { events.append("F\(header.path)|\(header.change)|\(header.isBinary)") }
    mutating func beginHunk(_ hunk: HunkHeader) {
        events.append("H\(hunk.newStart),\(hunk.newCount)")
        lastNewLine = 0
    }
    mutating func line(_ line: DiffLine) {
        if line.kind == .added {
            precondition(line.newLine > lastNewLine || lastNewLine == 0, "added line numbers must increase")
            lastNewLine = line.newLine
        }
        events.append("L\(line.kind)\(line.newLine),\(line.oldLine):\(Array(line.bytes))")
    }
    mutating func endFile() { events.append("E") }
}

func parse(_ bytes: UnsafeRawBufferPointer, chunk: Int) -> (events: [String], error: DiffParseError?) {
    var recorder = Recorder()
    let stream = DiffStreamParser(maximumLineLength: 64)
    do {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try stream.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &recorder)
            offset = end
        }
        try stream.finish(into: &recorder)
        return (recorder.events, nil)
    } catch let error as DiffParseError {
        return (recorder.events, error)
    } catch {
        fatalError("unexpected error type \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = parse(bytes, chunk: max(size, 1))
    let pieces = parse(bytes, chunk: 3)
    precondition(whole.events == pieces.events && whole.error == pieces.error, "chunking changed the parse")
    return 0
}

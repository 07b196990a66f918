/// The line-level state machine of a git-style unified diff.
///
/// It is fed one line at a time (see ``DiffStreamParser`` for bytes to lines) and tells a
/// ``DiffConsumer`` about files, hunks and lines as soon as it knows them, so memory stays
/// bounded by one line whatever the size of the diff. Hunk line counts are authoritative:
/// a removed line `-- x` inside a hunk is never mistaken for a `--- ` file header.
public struct DiffParser {
    private enum State {
        case preamble      // before the first file (commit messages, e-mail headers)
        case headers       // after `diff --git` or `--- `, before the first hunk
        case hunk          // inside a hunk with lines still owed
        case betweenHunks  // after a hunk, inside a file
        case skipping      // binary patch or combined diff: skip to the next `diff `
    }

    public private(set) var statistics = DiffStatistics()

    private var state = State.preamble
    private var file: FileHeader?
    private var fileAnnounced = false
    private var isGitFile = false
    private var sawOldPathLine = false
    private var sawNewPathLine = false
    private var remainingOld = 0
    private var remainingNew = 0
    private var nextOldLine = 0
    private var nextNewLine = 0
    private var hunkStartLine = 0
    private var lineNumber = 0

    public init() {}

    /// Feeds one line, without its `\n`. A trailing `\r` (CRLF input) is dropped here.
    public mutating func consume<C: DiffConsumer>(
        line rawLine: UnsafeBufferPointer<UInt8>, truncated: Bool = false, into consumer: inout C
    ) throws {
        lineNumber += 1
        statistics.diffLines += 1
        statistics.bytes += rawLine.count + 1
        var line = rawLine
        if let last = line.last, last == UInt8(ascii: "\r"), !truncated {
            line = UnsafeBufferPointer(rebasing: line.dropLast())
        }
        if state == .hunk {
            try consumeHunkLine(line, truncated: truncated, into: &consumer)
        } else {
            try consumeHeaderLine(line, into: &consumer)
        }
    }

    /// Ends the input. A hunk still owed lines or a `---` without `+++` is an error.
    public mutating func finish<C: DiffConsumer>(into consumer: inout C) throws {
        if state == .hunk {
            throw DiffParseError(
                line: lineNumber + 1,
                reason: "unexpected end of input: the hunk at line \(hunkStartLine) is missing "
                    + "\(max(remainingOld, remainingNew)) line(s)")
        }
        if state == .headers, sawOldPathLine, !sawNewPathLine {
            throw DiffParseError(line: lineNumber + 1, reason: "unexpected end of input: '---' line without '+++'")
        }
        closeFile(into: &consumer)
    }

    // MARK: - Hunk lines

    private mutating func consumeHunkLine<C: DiffConsumer>(
        _ line: UnsafeBufferPointer<UInt8>, truncated: Bool, into consumer: inout C
    ) throws {
        // An empty line is a context line whose single space was stripped (e-mail, editors).
        let marker = line.first ?? UInt8(ascii: " ")
        let content = line.isEmpty ? line : UnsafeBufferPointer(rebasing: line.dropFirst())
        switch marker {
        case UInt8(ascii: " "):
            guard remainingOld > 0, remainingNew > 0 else {
                throw DiffParseError(line: lineNumber, reason: "context line beyond the line counts of the hunk at line \(hunkStartLine)")
            }
            consumer.line(DiffLine(kind: .context, bytes: content, newLine: nextNewLine, oldLine: nextOldLine,
                                   diffLine: lineNumber, isTruncated: truncated))
            statistics.contextLines += 1
            nextOldLine += 1
            nextNewLine += 1
            remainingOld -= 1
            remainingNew -= 1
        case UInt8(ascii: "+"):
            guard remainingNew > 0 else {
                throw DiffParseError(line: lineNumber, reason: "added line beyond the line counts of the hunk at line \(hunkStartLine)")
            }
            consumer.line(DiffLine(kind: .added, bytes: content, newLine: nextNewLine, oldLine: 0,
                                   diffLine: lineNumber, isTruncated: truncated))
            statistics.addedLines += 1
            if truncated { statistics.truncatedLines += 1 }
            nextNewLine += 1
            remainingNew -= 1
        case UInt8(ascii: "-"):
            guard remainingOld > 0 else {
                throw DiffParseError(line: lineNumber, reason: "removed line beyond the line counts of the hunk at line \(hunkStartLine)")
            }
            consumer.line(DiffLine(kind: .removed, bytes: content, newLine: 0, oldLine: nextOldLine,
                                   diffLine: lineNumber, isTruncated: truncated))
            statistics.removedLines += 1
            nextOldLine += 1
            remainingOld -= 1
        case UInt8(ascii: "\\"):
            return  // "\ No newline at end of file" belongs to the line before it
        default:
            throw DiffParseError(
                line: lineNumber,
                reason: "expected a hunk line starting with ' ', '+', '-' or '\\'; the hunk at line "
                    + "\(hunkStartLine) still owes \(max(remainingOld, remainingNew)) line(s)")
        }
        if remainingOld == 0, remainingNew == 0 {
            consumer.endHunk()
            state = .betweenHunks
        }
    }

    // MARK: - Headers

    private mutating func consumeHeaderLine<C: DiffConsumer>(
        _ line: UnsafeBufferPointer<UInt8>, into consumer: inout C
    ) throws {
        if line.hasPrefix("diff --git ") {
            closeFile(into: &consumer)
            try startGitFile(arguments: UnsafeBufferPointer(rebasing: line.dropFirst(11)))
            return
        }
        if line.hasPrefix("diff --cc ") || line.hasPrefix("diff --combined ") {
            closeFile(into: &consumer)
            let path = line.hasPrefix("diff --cc ") ? line.dropFirst(10) : line.dropFirst(16)
            let name = try PathSyntax.unquoteIfNeeded(Array(path), line: lineNumber)
            file = FileHeader(oldPath: name, newPath: name, isCombined: true, diffLine: lineNumber)
            announceFile(into: &consumer)
            state = .skipping
            return
        }
        if state == .skipping { return }
        if line.hasPrefix("@@ ") {
            try startHunk(line, into: &consumer)
            return
        }
        if state == .headers {
            try consumeExtendedHeader(line)
            return
        }
        if state == .betweenHunks, let first = line.first,
           first == UInt8(ascii: "+") || first == UInt8(ascii: " ")
        {
            // Content right after a hunk whose counts are used up: the counts are wrong.
            throw DiffParseError(line: lineNumber, reason: "line beyond the line counts of the hunk at line \(hunkStartLine)")
        }
        if line.hasPrefix("--- ") {
            // A plain unified diff (`diff -u`), or the next file of one.
            closeFile(into: &consumer)
            file = FileHeader(diffLine: lineNumber)
            isGitFile = false
            state = .headers
            try consumeExtendedHeader(line)
        }
        // Anything else outside a file or between hunks is commentary (commit messages,
        // `format-patch` signatures) and carries nothing to scan.
    }

    private mutating func startGitFile(arguments: UnsafeBufferPointer<UInt8>) throws {
        let (old, new) = try PathSyntax.gitHeaderPaths(Array(arguments), line: lineNumber)
        file = FileHeader(oldPath: old, newPath: new, diffLine: lineNumber)
        isGitFile = true
        sawOldPathLine = false
        sawNewPathLine = false
        state = .headers
    }

    private mutating func consumeExtendedHeader(_ line: UnsafeBufferPointer<UInt8>) throws {
        guard var header = file else { return }
        defer { file = header }
        func value(after prefix: Int) -> [UInt8] { Array(line.dropFirst(prefix)) }
        func text(after prefix: Int) -> String { String(decoding: line.dropFirst(prefix), as: UTF8.self) }

        if line.hasPrefix("--- ") {
            sawOldPathLine = true
            let path = try PathSyntax.fileLinePath(value(after: 4), prefix: "a/", line: lineNumber)
            if let path { header.oldPath = path } else { header.oldPath = nil; header.change = .added }
        } else if line.hasPrefix("+++ ") {
            guard sawOldPathLine else {
                throw DiffParseError(line: lineNumber, reason: "'+++' line without a preceding '---' line")
            }
            sawNewPathLine = true
            let path = try PathSyntax.fileLinePath(value(after: 4), prefix: "b/", line: lineNumber)
            if let path { header.newPath = path } else { header.newPath = nil; header.change = .deleted }
        } else if !isGitFile {
            return
        } else if line.hasPrefix("new file mode ") {
            header.change = .added
            header.oldPath = nil
            header.newMode = text(after: 14)
        } else if line.hasPrefix("deleted file mode ") {
            header.change = .deleted
            header.newPath = nil
            header.oldMode = text(after: 18)
        } else if line.hasPrefix("old mode ") {
            header.oldMode = text(after: 9)
        } else if line.hasPrefix("new mode ") {
            header.newMode = text(after: 9)
        } else if line.hasPrefix("rename from ") {
            header.change = .renamed
            header.oldPath = try PathSyntax.unquoteIfNeeded(value(after: 12), line: lineNumber)
        } else if line.hasPrefix("rename to ") {
            header.change = .renamed
            header.newPath = try PathSyntax.unquoteIfNeeded(value(after: 10), line: lineNumber)
        } else if line.hasPrefix("copy from ") {
            header.change = .copied
            header.oldPath = try PathSyntax.unquoteIfNeeded(value(after: 10), line: lineNumber)
        } else if line.hasPrefix("copy to ") {
            header.change = .copied
            header.newPath = try PathSyntax.unquoteIfNeeded(value(after: 8), line: lineNumber)
        } else if line.hasPrefix("similarity index ") {
            header.similarity = Int(text(after: 17).trimmingSuffix("%"))
        } else if line.hasPrefix("Binary files ") {
            header.isBinary = true
        } else if line.hasPrefix("GIT binary patch") {
            header.isBinary = true
            state = .skipping
        }
        // `index`, `dissimilarity index` and headers from newer git versions carry nothing we use.
    }

    private mutating func startHunk<C: DiffConsumer>(_ line: UnsafeBufferPointer<UInt8>, into consumer: inout C) throws {
        guard file != nil else {
            throw DiffParseError(line: lineNumber, reason: "hunk header before any file header")
        }
        if state == .headers, sawOldPathLine, !sawNewPathLine {
            throw DiffParseError(line: lineNumber, reason: "'---' line without '+++' before the first hunk")
        }
        if state == .headers, !isGitFile, !sawNewPathLine {
            throw DiffParseError(line: lineNumber, reason: "hunk header before the '+++' line")
        }
        guard let hunk = HunkHeaderSyntax.parse(line, diffLine: lineNumber) else {
            throw DiffParseError(line: lineNumber, reason: "malformed hunk header (expected '@@ -a,b +c,d @@')")
        }
        announceFile(into: &consumer)
        statistics.hunks += 1
        consumer.beginHunk(hunk)
        remainingOld = hunk.oldCount
        remainingNew = hunk.newCount
        nextOldLine = hunk.oldStart
        nextNewLine = hunk.newStart
        hunkStartLine = lineNumber
        if remainingOld == 0, remainingNew == 0 {
            consumer.endHunk()
            state = .betweenHunks
        } else {
            state = .hunk
        }
    }

    private mutating func announceFile<C: DiffConsumer>(into consumer: inout C) {
        guard let header = file, !fileAnnounced else { return }
        fileAnnounced = true
        statistics.files += 1
        if header.isBinary { statistics.binaryFiles += 1 }
        if header.isCombined { statistics.combinedFiles += 1 }
        consumer.beginFile(header)
    }

    private mutating func closeFile<C: DiffConsumer>(into consumer: inout C) {
        if file != nil {
            announceFile(into: &consumer)
            consumer.endFile()
        }
        file = nil
        fileAnnounced = false
        sawOldPathLine = false
        sawNewPathLine = false
        state = .preamble
    }
}

extension UnsafeBufferPointer<UInt8> {
    @inline(__always)
    func hasPrefix(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard self.count >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where self[i] != p[i] { return false }
        return true
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : Substring(self)
    }
}

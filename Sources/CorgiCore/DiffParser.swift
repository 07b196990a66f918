/// The line-level state machine of a git-style unified diff, and of the streams that carry
/// diffs: `git diff`, `git show`, `git log -p` (with `--stat`, any `--format` that starts a
/// commit with `commit <sha>`, merges with `-m`, `-c` or `--cc`), `git format-patch --stdout`
/// (mbox, with `From <sha>` separators and the `-- ` signature), GitHub's and GitLab's `.diff`
/// and `.patch` downloads, and plain `diff -ruN`.
///
/// It is fed one line at a time (see ``DiffStreamParser`` for bytes to lines) and tells a
/// ``DiffConsumer`` about files, hunks and lines as soon as it knows them, so memory stays
/// bounded by one line whatever the size of the diff. Hunk line counts are authoritative:
/// a removed line `-- x` inside a hunk is never mistaken for a `--- ` file header.
///
/// It never gives up: a region that is not a well-formed diff is skipped to the next hunk or
/// file header, counted in ``DiffStatistics/malformedRegions`` and recorded as a
/// ``CoverageGap`` naming its lines, and everything else is still delivered.
public struct DiffParser {
    private enum State {
        case preamble      // before the first file, or between commits (messages, e-mail headers)
        case headers       // after `diff --git` or `--- `, before the first hunk
        case hunk          // inside a hunk with lines still owed
        case betweenHunks  // after a hunk, inside a file
        case combinedHunk  // inside a combined (merge) hunk with new-side lines still owed
        case combinedTail  // a combined hunk's new side is complete; removed lines may follow
        case binaryPatch   // `GIT binary patch` data: skipped to the next header
        case malformed     // skipping a malformed region to the next hunk or file header
    }

    /// How the input separates commits; fixed by the first separator seen, so a commit message
    /// in an mbox that happens to contain a `commit <sha>` line does not change the commit.
    private enum CommitStyle { case unknown, log, mbox }

    /// Gaps beyond this many are counted in the statistics but not listed.
    public static let maximumRecordedGaps = 1000

    public private(set) var statistics = DiffStatistics()
    /// What was not scanned, in input order (at most ``maximumRecordedGaps``).
    public private(set) var coverageGaps: [CoverageGap] = []

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
    /// Parents of the current combined hunk: the width of its marker columns.
    private var parents = 1
    private var lineNumber = 0
    private var commit: String?
    private var commitStyle = CommitStyle.unknown
    // The malformed region being skipped.
    private var malformedStart = 0
    private var malformedReason = ""
    /// A `--- ` line seen while skipping: a file header if `+++ ` follows.
    private var pendingOldPathLine: [UInt8]?
    /// The hunk line last delivered, for the further pieces of a line longer than one window.
    private var lastLine: (kind: DiffLine.Kind, newLine: Int, oldLine: Int, diffLine: Int, markerWidth: Int)?

    public init() {}

    /// Feeds one line, without its `\n`. A trailing `\r` (CRLF input) is dropped here.
    /// `continues`: the line is longer than one window and further pieces follow through
    /// ``continueLine(_:columnOffset:freshBytes:droppedBytes:final:truncated:into:)``.
    /// `truncated`: the line went on past the hard cap and its tail was dropped.
    public mutating func consume<C: DiffConsumer>(
        line rawLine: UnsafeBufferPointer<UInt8>, continues: Bool = false, truncated: Bool = false,
        into consumer: inout C
    ) {
        lineNumber += 1
        statistics.diffLines += 1
        statistics.bytes += rawLine.count + (continues ? 0 : 1)
        lastLine = nil
        var line = rawLine
        if !continues, !truncated, let last = line.last, last == UInt8(ascii: "\r") {
            line = UnsafeBufferPointer(rebasing: line.dropLast())
        }
        switch state {
        case .hunk:
            consumeHunkLine(line, truncated: truncated, into: &consumer)
        case .combinedHunk, .combinedTail:
            consumeCombinedLine(line, truncated: truncated, into: &consumer)
        case .malformed:
            consumeMalformedLine(line, into: &consumer)
        case .preamble, .headers, .betweenHunks, .binaryPatch:
            consumeHeaderLine(line, into: &consumer)
        }
        if continues, lastLine != nil { statistics.longLines += 1 }
        if truncated { noteTruncated() }
    }

    /// A further piece of the line last fed with `continues: true`. `segment` starts
    /// `columnOffset` Unicode scalars into the raw line (its marker included) and overlaps the
    /// piece before; `freshBytes` of it are new. Pieces of a line that was not a hunk line
    /// (commit messages, headers) are dropped.
    public mutating func continueLine<C: DiffConsumer>(
        _ segment: UnsafeBufferPointer<UInt8>, columnOffset: Int, freshBytes: Int, droppedBytes: Int = 0,
        final: Bool, truncated: Bool, into consumer: inout C
    ) {
        statistics.bytes += freshBytes + droppedBytes + (final ? 1 : 0)
        guard let last = lastLine else { return }
        var piece = segment
        if final, !truncated, let end = piece.last, end == UInt8(ascii: "\r") {
            piece = UnsafeBufferPointer(rebasing: piece.dropLast())
        }
        consumer.line(DiffLine(
            kind: last.kind, bytes: piece, newLine: last.newLine, oldLine: last.oldLine, diffLine: last.diffLine,
            isTruncated: final && truncated, isContinuation: true, columnOffset: max(0, columnOffset - last.markerWidth)))
        if final, truncated { noteTruncated() }
    }

    /// Ends the input. A hunk still owed lines is recorded as malformed; nothing is thrown.
    public mutating func finish<C: DiffConsumer>(into consumer: inout C) {
        switch state {
        case .hunk, .combinedHunk:
            recordGap(.malformedRegion, from: hunkStartLine, to: lineNumber,
                      detail: "the input ends inside the hunk at line \(hunkStartLine), "
                          + "\(max(remainingOld, remainingNew)) line(s) short of its header's counts")
            statistics.malformedRegions += 1
            consumer.endHunk()
        case .combinedTail:
            consumer.endHunk()
        case .malformed:
            closeMalformedRegion(endingAt: lineNumber)
        case .preamble, .headers, .betweenHunks, .binaryPatch:
            break
        }
        closeFile(into: &consumer)
    }

    // MARK: - Hunk lines

    private mutating func consumeHunkLine<C: DiffConsumer>(
        _ line: UnsafeBufferPointer<UInt8>, truncated: Bool, into consumer: inout C
    ) {
        // An empty line is a context line whose single space was stripped (e-mail, editors).
        let marker = line.first ?? UInt8(ascii: " ")
        let content = line.isEmpty ? line : UnsafeBufferPointer(rebasing: line.dropFirst())
        switch marker {
        case UInt8(ascii: " "):
            guard remainingOld > 0, remainingNew > 0 else {
                return hunkBroken(line, reason: "context line beyond the line counts of the hunk at line \(hunkStartLine)", into: &consumer)
            }
            deliver(.context, content, newLine: nextNewLine, oldLine: nextOldLine, markerWidth: 1, into: &consumer)
            statistics.contextLines += 1
            nextOldLine += 1
            nextNewLine += 1
            remainingOld -= 1
            remainingNew -= 1
        case UInt8(ascii: "+"):
            guard remainingNew > 0 else {
                return hunkBroken(line, reason: "added line beyond the line counts of the hunk at line \(hunkStartLine)", into: &consumer)
            }
            deliver(.added, content, newLine: nextNewLine, oldLine: 0, markerWidth: 1, into: &consumer)
            statistics.addedLines += 1
            nextNewLine += 1
            remainingNew -= 1
        case UInt8(ascii: "-"):
            guard remainingOld > 0 else {
                return hunkBroken(line, reason: "removed line beyond the line counts of the hunk at line \(hunkStartLine)", into: &consumer)
            }
            deliver(.removed, content, newLine: 0, oldLine: nextOldLine, markerWidth: 1, into: &consumer)
            statistics.removedLines += 1
            nextOldLine += 1
            remainingOld -= 1
        case UInt8(ascii: "\\"):
            return  // "\ No newline at end of file" belongs to the line before it
        default:
            return hunkBroken(line, reason: "expected a hunk line starting with ' ', '+', '-' or '\\'; the hunk at line "
                                  + "\(hunkStartLine) still owes \(max(remainingOld, remainingNew)) line(s)", into: &consumer)
        }
        if remainingOld == 0, remainingNew == 0 {
            consumer.endHunk()
            state = .betweenHunks
        }
    }

    private mutating func deliver<C: DiffConsumer>(
        _ kind: DiffLine.Kind, _ content: UnsafeBufferPointer<UInt8>, newLine: Int, oldLine: Int, markerWidth: Int,
        into consumer: inout C
    ) {
        consumer.line(DiffLine(kind: kind, bytes: content, newLine: newLine, oldLine: oldLine, diffLine: lineNumber))
        lastLine = (kind, newLine, oldLine, lineNumber, markerWidth)
    }

    /// A line that cannot be part of the current hunk. If it starts a new file or commit, the
    /// hunk merely ended early: that is recorded and the line is read as the header it is.
    /// Otherwise the region from here to the next header is skipped.
    private mutating func hunkBroken<C: DiffConsumer>(
        _ line: UnsafeBufferPointer<UInt8>, reason: String, into consumer: inout C
    ) {
        consumer.endHunk()
        if Self.boundary(line, style: commitStyle) != nil || line.hasPrefix("@@ ") {
            recordGap(.malformedRegion, from: hunkStartLine, to: lineNumber - 1,
                      detail: "the hunk at line \(hunkStartLine) ends \(max(remainingOld, remainingNew)) line(s) "
                          + "short of its header's counts")
            statistics.malformedRegions += 1
            state = .betweenHunks
            consumeHeaderLine(line, into: &consumer)
        } else {
            enterMalformedRegion(reason: reason, into: &consumer)
        }
    }

    // MARK: - Combined (merge) hunks

    /// `git log --cc` / `-c`: one marker column per parent. A line with a `-` in any column is
    /// not in the merge result; any other line is, and is added if some parent lacked it (a
    /// `+` in its column), so content a merge brings in is scanned.
    private mutating func consumeCombinedLine<C: DiffConsumer>(
        _ line: UnsafeBufferPointer<UInt8>, truncated: Bool, into consumer: inout C
    ) {
        var hasPlus = false
        var hasMinus = false
        var isHunkLine = true
        if line.first == UInt8(ascii: "\\") { return }
        if line.count >= parents {
            for i in 0..<parents {
                switch line[i] {
                case UInt8(ascii: "+"): hasPlus = true
                case UInt8(ascii: "-"): hasMinus = true
                case UInt8(ascii: " "): break
                default: isHunkLine = false
                }
            }
        } else {
            isHunkLine = line.isEmpty  // an empty line is context with its spaces stripped
        }
        let content = UnsafeBufferPointer(rebasing: line.dropFirst(min(parents, line.count)))
        if isHunkLine, hasMinus, !hasPlus {
            deliver(.removed, content, newLine: 0, oldLine: 0, markerWidth: parents, into: &consumer)
            statistics.removedLines += 1
            return
        }
        if state == .combinedTail {
            // The hunk is complete: this line belongs to whatever comes next.
            consumer.endHunk()
            state = .betweenHunks
            return consumeHeaderLine(line, into: &consumer)
        }
        guard isHunkLine, !hasMinus else {
            return hunkBroken(line, reason: "expected a combined hunk line with \(parents) marker column(s); the hunk at line "
                                  + "\(hunkStartLine) still owes \(remainingNew) line(s)", into: &consumer)
        }
        deliver(hasPlus ? .added : .context, content, newLine: nextNewLine, oldLine: 0, markerWidth: parents, into: &consumer)
        if hasPlus { statistics.addedLines += 1 } else { statistics.contextLines += 1 }
        nextNewLine += 1
        remainingNew -= 1
        if remainingNew == 0 { state = .combinedTail }
    }

    // MARK: - Malformed regions

    private mutating func enterMalformedRegion<C: DiffConsumer>(reason: String, into consumer: inout C) {
        statistics.malformedRegions += 1
        malformedStart = lineNumber
        malformedReason = reason
        pendingOldPathLine = nil
        state = .malformed
    }

    private mutating func closeMalformedRegion(endingAt last: Int) {
        recordGap(.malformedRegion, from: malformedStart, to: last,
                  detail: malformedReason + "; skipped to the next header")
        pendingOldPathLine = nil
    }

    /// Skips to the next line that starts a file, a commit or (inside a file) a hunk.
    private mutating func consumeMalformedLine<C: DiffConsumer>(_ line: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        if let pending = pendingOldPathLine {
            pendingOldPathLine = nil
            if line.hasPrefix("+++ ") {
                // `--- ` then `+++ `: a plain unified diff's next file.
                closeMalformedRegion(endingAt: lineNumber - 2)
                closeFile(into: &consumer)
                startPlainFile(oldPathLine: pending, line: lineNumber - 1)
                consumeExtendedHeader(line, into: &consumer)
                return
            }
        }
        if Self.boundary(line, style: commitStyle) != nil {
            closeMalformedRegion(endingAt: lineNumber - 1)
            closeFile(into: &consumer)
            return consumeHeaderLine(line, into: &consumer)
        }
        if let header = file, fileAnnounced || sawNewPathLine || isGitFile,
           header.isCombined ? line.hasPrefix("@@@") : line.hasPrefix("@@ ")
        {
            closeMalformedRegion(endingAt: lineNumber - 1)
            state = .betweenHunks
            return startHunk(line, into: &consumer)
        }
        if line.hasPrefix("--- ") { pendingOldPathLine = Array(line) }
    }

    // MARK: - Headers

    private enum Boundary {
        case gitFile, combinedFile
        /// `diff -ruN a b` and other lines a `diff -r` prints between files.
        case plainFileCommand
        case commit(String, CommitStyle)
    }

    /// A line that starts a new file or commit whatever state the parser is in.
    private static func boundary(_ line: UnsafeBufferPointer<UInt8>, style: CommitStyle) -> Boundary? {
        if line.hasPrefix("diff --git ") { return .gitFile }
        if line.hasPrefix("diff --cc ") || line.hasPrefix("diff --combined ") { return .combinedFile }
        if line.hasPrefix("diff -") || line.hasPrefix("Only in ") { return .plainFileCommand }
        if style != .mbox, line.hasPrefix("commit "), let sha = objectName(in: line, from: 7), sha.end == line.count || line[sha.end] == UInt8(ascii: " ") {
            return .commit(sha.name, .log)
        }
        if style != .log, line.hasPrefix("From "), let sha = objectName(in: line, from: 5), sha.end < line.count, line[sha.end] == UInt8(ascii: " ") {
            return .commit(sha.name, .mbox)
        }
        return nil
    }

    /// A full SHA-1 (40) or SHA-256 (64) object name in lower-case hex at `start`.
    private static func objectName(in line: UnsafeBufferPointer<UInt8>, from start: Int) -> (name: String, end: Int)? {
        var end = start
        while end < line.count, end - start <= 64 {
            let c = line[end]
            guard (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) else { break }
            end += 1
        }
        guard end - start == 40 || end - start == 64 else { return nil }
        return (String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self), end)
    }

    private mutating func consumeHeaderLine<C: DiffConsumer>(_ line: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        if let boundary = Self.boundary(line, style: commitStyle) {
            closeFile(into: &consumer)
            switch boundary {
            case .gitFile:
                startGitFile(arguments: UnsafeBufferPointer(rebasing: line.dropFirst(11)), into: &consumer)
            case .combinedFile:
                let path = line.hasPrefix("diff --cc ") ? line.dropFirst(10) : line.dropFirst(16)
                do {
                    let name = try PathSyntax.unquoteIfNeeded(Array(path), line: lineNumber)
                    file = FileHeader(oldPath: name, newPath: name, isCombined: true, diffLine: lineNumber, commit: commit)
                    isGitFile = true
                    state = .headers
                } catch {
                    malformed(error, into: &consumer)
                }
            case .plainFileCommand:
                break  // the `--- ` and `+++ ` lines that follow name the file
            case .commit(let name, let style):
                commit = name
                commitStyle = style
                statistics.commits += 1
            }
            return
        }
        if state == .binaryPatch { return }
        if line.hasPrefix("@@ ") || (line.hasPrefix("@@@") && file?.isCombined == true) {
            return startHunk(line, into: &consumer)
        }
        if state == .headers {
            return consumeExtendedHeader(line, into: &consumer)
        }
        if state == .betweenHunks, let first = line.first, first == UInt8(ascii: "+") || first == UInt8(ascii: " ") {
            // Content right after a hunk whose counts are used up: the counts are wrong.
            return enterMalformedRegion(reason: "line beyond the line counts of the hunk at line \(hunkStartLine)", into: &consumer)
        }
        if line.hasPrefix("--- ") {
            // A plain unified diff (`diff -u`), or the next file of one.
            closeFile(into: &consumer)
            startPlainFile(oldPathLine: Array(line), line: lineNumber)
        }
        // Anything else outside a file or between hunks is commentary (commit messages, e-mail
        // headers, `--stat` lines, `format-patch` signatures) and carries nothing to scan.
    }

    private mutating func startPlainFile(oldPathLine: [UInt8], line: Int) {
        file = FileHeader(diffLine: line, commit: commit)
        isGitFile = false
        sawOldPathLine = true
        sawNewPathLine = false
        state = .headers
        oldPathLine.withUnsafeBufferPointer { bytes in
            do {
                let path = try PathSyntax.fileLinePath(Array(bytes.dropFirst(4)), prefix: "a/", line: line)
                if let path { file?.oldPath = path } else { file?.oldPath = nil; file?.change = .added }
            } catch {
                // A path we cannot read: the `+++` line may still name the file.
                file?.oldPath = nil
            }
        }
    }

    private mutating func startGitFile<C: DiffConsumer>(arguments: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        do {
            let (old, new) = try PathSyntax.gitHeaderPaths(Array(arguments), line: lineNumber)
            file = FileHeader(oldPath: old, newPath: new, diffLine: lineNumber, commit: commit)
            isGitFile = true
            sawOldPathLine = false
            sawNewPathLine = false
            state = .headers
        } catch {
            malformed(error, into: &consumer)
        }
    }

    private mutating func malformed<C: DiffConsumer>(_ error: any Error, into consumer: inout C) {
        let reason = (error as? DiffParseError)?.reason ?? "unreadable header"
        enterMalformedRegion(reason: reason, into: &consumer)
    }

    private mutating func consumeExtendedHeader<C: DiffConsumer>(_ line: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        do {
            try readExtendedHeader(line)
        } catch {
            malformed(error, into: &consumer)
        }
    }

    private mutating func readExtendedHeader(_ line: UnsafeBufferPointer<UInt8>) throws {
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
            state = .binaryPatch
        }
        // `index`, `dissimilarity index` and headers from newer git versions carry nothing we use.
    }

    private mutating func startHunk<C: DiffConsumer>(_ line: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        guard file != nil else {
            return enterMalformedRegion(reason: "hunk header before any file header", into: &consumer)
        }
        if state == .headers, sawOldPathLine, !sawNewPathLine {
            return enterMalformedRegion(reason: "'---' line without '+++' before the first hunk", into: &consumer)
        }
        if state == .headers, !isGitFile, !sawNewPathLine {
            return enterMalformedRegion(reason: "hunk header before the '+++' line", into: &consumer)
        }
        let combined = file?.isCombined == true
        guard let (hunk, columns) = combined ? HunkHeaderSyntax.parseCombined(line, diffLine: lineNumber)
                                            : HunkHeaderSyntax.parse(line, diffLine: lineNumber).map({ ($0, 1) })
        else {
            let expected = combined ? "'@@@ -a,b -c,d +e,f @@@'" : "'@@ -a,b +c,d @@'"
            return enterMalformedRegion(reason: "malformed hunk header (expected \(expected))", into: &consumer)
        }
        announceFile(into: &consumer)
        statistics.hunks += 1
        consumer.beginHunk(hunk)
        parents = columns
        remainingOld = combined ? 0 : hunk.oldCount  // combined hunks are counted on the new side only
        remainingNew = hunk.newCount
        nextOldLine = hunk.oldStart
        nextNewLine = hunk.newStart
        hunkStartLine = lineNumber
        if combined {
            state = remainingNew == 0 ? .combinedTail : .combinedHunk
        } else if remainingOld == 0, remainingNew == 0 {
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
        if header.isBinary {
            statistics.binaryFiles += 1
            recordGap(.binaryFile, from: header.diffLine, to: header.diffLine,
                      detail: "the diff shows a binary file without its text")
        }
        if header.isCombined { statistics.combinedFiles += 1 }
        consumer.beginFile(header)
    }

    private mutating func closeFile<C: DiffConsumer>(into consumer: inout C) {
        // A plain `--- ` line that no `+++ ` followed was commentary, not a file.
        if file != nil, isGitFile || sawNewPathLine || fileAnnounced {
            announceFile(into: &consumer)
            consumer.endFile()
        }
        file = nil
        fileAnnounced = false
        isGitFile = false
        sawOldPathLine = false
        sawNewPathLine = false
        state = .preamble
    }

    private mutating func noteTruncated() {
        guard let last = lastLine, last.kind != .removed else { return }
        statistics.truncatedLines += 1
        recordGap(.lineTooLong, from: last.diffLine, to: last.diffLine,
                  detail: "the line is longer than the scan limit; the bytes after it were not scanned")
    }

    private mutating func recordGap(_ reason: CoverageGap.Reason, from first: Int, to last: Int, detail: String) {
        guard coverageGaps.count < Self.maximumRecordedGaps else { return }
        coverageGaps.append(CoverageGap(reason: reason, firstLine: first, lastLine: last, path: file?.path,
                                        commit: file?.commit ?? commit, detail: detail))
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

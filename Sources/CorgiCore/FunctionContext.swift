/// Widens the hunks of a unified diff to the functions around them, from the new files' text:
/// what `git diff --function-context` gives the CLI, for a diff that came from a forge with
/// three lines of context.
///
/// A hunk often shows a sink but not where its argument came from. With the rest of the changed
/// function as context lines, the dataflow engine sees the source; findings are still reported
/// on added lines only, because context lines never are.
///
/// What a function is follows git's default: a line starting with a letter, `_` or `$` opens
/// one (so a method's class, or a top-level function), together with the non-empty lines right
/// above it (comments, decorators, annotations); it runs to the line before the next such line,
/// without trailing empty lines. Indented methods therefore widen to their whole class, as the
/// CLI's `git diff --function-context` does.
///
/// Invariants:
/// - Lines are only ever added as context, and only lines the new file holds at that number; a
///   hunk's own lines are copied unchanged, so added and removed lines, and every line number
///   they carry, are the same before and after.
/// - A file whose text does not agree with its hunks (a context or added line differs from the
///   text at its number, or a hunk's counts do not add up) is left exactly as it was, and named
///   in ``Outcome/mismatched``: a file that changed since the diff must not move findings.
/// - Everything else in the diff (headers, other files, malformed regions, trailing garbage) is
///   passed through byte for byte.
public enum FunctionContext {
    public struct Outcome: Sendable {
        /// The diff with the hunks of the given files widened.
        public var diff: [UInt8]
        /// Files whose hunks were widened.
        public var widened: Int
        /// New paths whose text did not agree with their hunks: left as they were.
        public var mismatched: [String]
    }

    /// New paths of the changed files that gained lines, in the order of the diff. New files are
    /// left out (the diff already holds every line of them), and so are binary, deleted and
    /// combined-diff files (no new text to widen into).
    public static func changedPaths(in diff: [UInt8]) -> [String] {
        var collector = PathCollector()
        let parser = DiffStreamParser()
        diff.withUnsafeBytes { parser.feed($0, into: &collector) }
        _ = parser.finish(into: &collector)
        return collector.paths
    }

    /// Widens the hunks of every file in `newFiles` (new path → the file's whole text at the
    /// diff's new side).
    public static func widen(_ diff: [UInt8], newFiles: [String: [UInt8]]) -> Outcome {
        guard !newFiles.isEmpty else { return Outcome(diff: diff, widened: 0, mismatched: []) }
        var planner = Planner(newFiles: newFiles)
        let parser = DiffStreamParser()
        diff.withUnsafeBytes { parser.feed($0, into: &planner) }
        _ = parser.finish(into: &planner)
        planner.endFile()

        // The input's lines, by 1-based number, as the parser counted them.
        var lineStarts: [Int] = [0]
        for (offset, byte) in diff.enumerated() where byte == 0x0A { lineStarts.append(offset + 1) }
        func rawLine(_ number: Int) -> ArraySlice<UInt8> {
            let start = lineStarts[number - 1]
            let end = number < lineStarts.count ? lineStarts[number] : diff.count
            return diff[start..<end]
        }
        let lineCount = diff.last == 0x0A ? lineStarts.count - 1 : lineStarts.count

        var output: [UInt8] = []
        output.reserveCapacity(diff.count + diff.count / 2)
        var next = 1
        for file in planner.planned {
            let text = FileText(newFiles[file.path]!)
            for group in file.groups(in: text) {
                let first = group.hunks.first!, last = group.hunks.last!
                for n in next..<first.headerLine { output.append(contentsOf: rawLine(n)) }
                output.append(contentsOf: group.header.utf8)
                for n in group.start..<first.newFirst { text.appendContext(n, to: &output) }
                for (k, hunk) in group.hunks.enumerated() {
                    if k > 0 { for n in (group.hunks[k - 1].newEnd + 1)..<hunk.newFirst { text.appendContext(n, to: &output) } }
                    var n = hunk.headerLine + 1
                    while n <= hunk.lastLine { output.append(contentsOf: rawLine(n)); n += 1 }
                    // "\ No newline at end of file" after the hunk's last line belongs to it.
                    while n <= lineCount, rawLine(n).first == 0x5C { output.append(contentsOf: rawLine(n)); n += 1 }
                    next = n
                    // The input's last line may lack its newline; context lines follow it here.
                    if output.last != 0x0A { output.append(0x0A) }
                }
                for n in (last.newEnd + 1)..<(group.end + 1) { text.appendContext(n, to: &output) }
            }
        }
        for n in next..<(lineCount + 1) { output.append(contentsOf: rawLine(n)) }
        // Keep a missing final newline missing.
        if diff.last != 0x0A, output.last == 0x0A, next <= lineCount { output.removeLast() }
        return Outcome(diff: output, widened: planner.planned.count, mismatched: planner.mismatched)
    }

    /// Whether a line opens a function (git's default rule).
    static func opensFunction(_ line: ArraySlice<UInt8>) -> Bool {
        guard let b = line.first else { return false }
        return (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F || b == 0x24
    }

    static func isEmpty(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0C }
    }

    // MARK: - The new file's text

    /// A file's text split into lines once (1-based numbers; a trailing CR belongs to its line).
    struct FileText {
        let bytes: [UInt8]
        /// Start offset of each line; `count` lines.
        let starts: [Int]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var starts = bytes.isEmpty ? [] : [0]
            for (offset, byte) in bytes.enumerated() where byte == 0x0A && offset + 1 < bytes.count { starts.append(offset + 1) }
            self.starts = starts
        }

        var count: Int { starts.count }

        /// Line `n` without its newline.
        func line(_ n: Int) -> ArraySlice<UInt8> {
            let start = starts[n - 1]
            var end = n < starts.count ? starts[n] - 1 : bytes.count
            if n == starts.count, end > start, bytes[end - 1] == 0x0A { end -= 1 }
            return bytes[start..<end]
        }

        /// Line `n` without a trailing CR, as the diff parser hands lines over.
        func content(_ n: Int) -> ArraySlice<UInt8> {
            let l = line(n)
            return l.last == 0x0D ? l.dropLast() : l
        }

        func appendContext(_ n: Int, to output: inout [UInt8]) {
            output.append(0x20)
            output.append(contentsOf: line(n))
            output.append(0x0A)
        }

        /// First line of the function holding line `n`: the nearest line at or above it that
        /// opens a function, with the non-empty lines right above that; 1 when there is none.
        func functionStart(_ n: Int) -> Int {
            var k = n
            while k > 1, !FunctionContext.opensFunction(line(k)) { k -= 1 }
            guard FunctionContext.opensFunction(line(k)) else { return 1 }
            while k > 1, !FunctionContext.isEmpty(line(k - 1)), !FunctionContext.opensFunction(line(k - 1)) { k -= 1 }
            return k
        }

        /// Last line of the function holding line `n`: the line before the next line that opens
        /// a function, empty lines before it left out; the last line when there is none.
        func functionEnd(_ n: Int) -> Int {
            var k = n + 1
            while k <= count, !FunctionContext.opensFunction(line(k)) { k += 1 }
            guard k <= count else { return count }
            var end = k - 1
            // The comments and decorators above the next function are that function's.
            while end > n, !FunctionContext.isEmpty(line(end)), !FunctionContext.opensFunction(line(end)) { end -= 1 }
            while end > n, FunctionContext.isEmpty(line(end)) { end -= 1 }
            return end
        }
    }

    // MARK: - Planning, from the parsed diff

    struct PlannedHunk {
        var header: HunkHeader
        /// Input line of the `@@` header, and of the hunk's last line.
        var headerLine: Int
        var lastLine: Int
        var added = 0, removed = 0, context = 0
        /// First new-file line the hunk covers, and its last (`newFirst - 1` when it covers none).
        var newFirst: Int { header.newCount == 0 ? header.newStart + 1 : header.newStart }
        var newEnd: Int { newFirst + header.newCount - 1 }
        var oldFirst: Int { header.oldCount == 0 ? header.oldStart + 1 : header.oldStart }
        var isComplete: Bool { added + context == header.newCount && removed + context == header.oldCount }
    }

    struct Group {
        var hunks: [PlannedHunk]
        /// New-file lines the widened hunk covers.
        var start: Int
        var end: Int

        var header: String {
            let newCount = end - start + 1
            let before = hunks[0].newFirst - start
            let after = end - hunks[hunks.count - 1].newEnd
            var between = 0
            for k in 1..<max(1, hunks.count) { between += hunks[k].newFirst - hunks[k - 1].newEnd - 1 }
            let oldCount = hunks.reduce(0) { $0 + $1.header.oldCount } + before + after + between
            let oldFirst = hunks[0].oldFirst - before
            let oldStart = oldCount == 0 ? oldFirst - 1 : oldFirst
            let newStart = newCount == 0 ? start - 1 : start
            return "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
        }
    }

    struct PlannedFile {
        var path: String
        var hunks: [PlannedHunk]

        /// The hunks widened to their functions, merged where the widened ranges meet.
        func groups(in text: FileText) -> [Group] {
            var groups: [Group] = []
            for hunk in hunks {
                var start = hunk.newFirst, end = hunk.newEnd
                if hunk.added > 0 {
                    start = min(start, text.functionStart(hunk.newFirst))
                    end = max(end, text.functionEnd(hunk.newEnd))
                }
                // Context never reaches into the hunk before: it ends where that one's lines do.
                if let previous = groups.last { start = max(start, previous.hunks.last!.newEnd + 1) }
                if var previous = groups.last, start <= previous.end + 1 {
                    previous.hunks.append(hunk)
                    previous.end = max(previous.end, end)
                    groups[groups.count - 1] = previous
                } else {
                    groups.append(Group(hunks: [hunk], start: start, end: end))
                }
            }
            // A group's trailing context stops before the next group's first hunk line.
            for k in groups.indices.dropLast() { groups[k].end = min(groups[k].end, groups[k + 1].hunks[0].newFirst - 1) }
            return groups
        }
    }

    /// Records the hunks of the files to widen and checks every new-side line against the text.
    struct Planner: DiffConsumer {
        let newFiles: [String: [UInt8]]
        var planned: [PlannedFile] = []
        var mismatched: [String] = []
        private var current: PlannedFile?
        private var text: FileText?
        private var agrees = true

        init(newFiles: [String: [UInt8]]) { self.newFiles = newFiles }

        mutating func beginFile(_ header: FileHeader) {
            endFile()
            guard let path = header.newPath, !header.isBinary, !header.isCombined, let bytes = newFiles[path] else { return }
            current = PlannedFile(path: path, hunks: [])
            text = FileText(bytes)
            agrees = true
        }

        mutating func beginHunk(_ hunk: HunkHeader) {
            guard current != nil else { return }
            current!.hunks.append(PlannedHunk(header: hunk, headerLine: hunk.diffLine, lastLine: hunk.diffLine))
        }

        mutating func line(_ line: DiffLine) {
            guard current != nil, let text, !current!.hunks.isEmpty else { return }
            let k = current!.hunks.count - 1
            current!.hunks[k].lastLine = line.diffLine
            guard !line.isContinuation else { return }
            switch line.kind {
            case .added: current!.hunks[k].added += 1
            case .removed: current!.hunks[k].removed += 1; return
            case .context: current!.hunks[k].context += 1
            }
            guard line.newLine >= 1, line.newLine <= text.count else { agrees = false; return }
            let expected = text.content(line.newLine)
            // A line cut into windows is compared on its first piece.
            let windowed = line.isTruncated || line.bytes.count >= DiffStreamParser.defaultMaximumLineLength
            if !(windowed ? expected.starts(with: line.bytes) : expected.elementsEqual(line.bytes)) { agrees = false }
        }

        mutating func endFile() {
            defer { current = nil; text = nil }
            guard let file = current, !file.hunks.isEmpty else { return }
            // Hunks must follow one another, hold exactly the lines their headers promise, and
            // number old and new lines consistently: before each hunk, the lines the earlier
            // hunks added or removed are the only difference between old and new numbers (so
            // context lines added above a hunk exist in the old file too).
            var consistent = true
            var shift = 0
            for (k, hunk) in file.hunks.enumerated() {
                if k > 0, hunk.newFirst <= file.hunks[k - 1].newEnd { consistent = false }
                if hunk.newFirst - hunk.oldFirst != shift || hunk.newFirst < 1 || hunk.oldFirst < 1 { consistent = false }
                shift += hunk.header.newCount - hunk.header.oldCount
            }
            if agrees, consistent, file.hunks.allSatisfy(\.isComplete) {
                planned.append(file)
            } else {
                mismatched.append(file.path)
            }
        }
    }

    struct PathCollector: DiffConsumer {
        var paths: [String] = []
        private var candidate: String?

        mutating func beginFile(_ header: FileHeader) {
            candidate = header.isBinary || header.isCombined || header.change == .deleted || header.change == .added ? nil : header.newPath
        }

        mutating func line(_ line: DiffLine) {
            guard line.kind == .added, let path = candidate else { return }
            paths.append(path)
            candidate = nil
        }
    }
}

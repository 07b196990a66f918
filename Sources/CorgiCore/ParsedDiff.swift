/// A whole diff held in memory: for tests and for small diffs whose lines must be looked up
/// again (mapping review comments to positions). Scanning uses the streaming consumer instead.
public struct ParsedDiff: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var kind: DiffLine.Kind
        public var bytes: [UInt8]
        public var newLine: Int
        public var oldLine: Int
        public var isTruncated: Bool
        /// Not the first piece of a line longer than one window (same line numbers).
        public var isContinuation: Bool
        /// Unicode scalars of the line before `bytes`.
        public var columnOffset: Int
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public struct Hunk: Sendable, Hashable {
        public var header: HunkHeader
        public var lines: [Line]
    }

    public struct File: Sendable, Hashable {
        public var header: FileHeader
        public var hunks: [Hunk]

        /// New-file line numbers of the added lines, in order.
        public var addedLineNumbers: [Int] {
            hunks.flatMap { $0.lines.filter { $0.kind == .added }.map(\.newLine) }
        }
    }

    public var files: [File]
    public var statistics: DiffStatistics
    /// What was not scanned: malformed regions, lines past the hard cap, binary files.
    public var coverageGaps: [CoverageGap]

    public static func parse(
        _ text: String, maximumLineLength: Int = DiffStreamParser.defaultMaximumLineLength,
        maximumScannedLineLength: Int? = nil
    ) -> ParsedDiff {
        parse(bytes: Array(text.utf8), maximumLineLength: maximumLineLength, maximumScannedLineLength: maximumScannedLineLength)
    }

    public static func parse(
        bytes: [UInt8], maximumLineLength: Int = DiffStreamParser.defaultMaximumLineLength,
        maximumScannedLineLength: Int? = nil
    ) -> ParsedDiff {
        var collector = Collector()
        let stream = DiffStreamParser(maximumLineLength: maximumLineLength, maximumScannedLineLength: maximumScannedLineLength)
        bytes.withUnsafeBytes { stream.feed($0, into: &collector) }
        let statistics = stream.finish(into: &collector)
        return ParsedDiff(files: collector.files, statistics: statistics, coverageGaps: stream.coverageGaps)
    }

    private struct Collector: DiffConsumer {
        var files: [File] = []

        mutating func beginFile(_ header: FileHeader) { files.append(File(header: header, hunks: [])) }
        mutating func beginHunk(_ hunk: HunkHeader) { files[files.count - 1].hunks.append(Hunk(header: hunk, lines: [])) }
        mutating func line(_ line: DiffLine) {
            let f = files.count - 1
            files[f].hunks[files[f].hunks.count - 1].lines.append(
                Line(kind: line.kind, bytes: Array(line.bytes), newLine: line.newLine, oldLine: line.oldLine,
                     isTruncated: line.isTruncated, isContinuation: line.isContinuation, columnOffset: line.columnOffset))
        }
    }
}

extension DiffLine.Kind: Hashable {}

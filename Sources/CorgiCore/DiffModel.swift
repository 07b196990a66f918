/// What a unified diff says about one file, before its hunks.
public struct FileHeader: Sendable, Hashable {
    public enum Change: String, Sendable, Codable {
        case added, deleted, modified, renamed, copied
    }

    /// Path before the change; `nil` for a new file.
    public var oldPath: String?
    /// Path after the change; `nil` for a deleted file.
    public var newPath: String?
    public var change: Change
    public var oldMode: String?
    public var newMode: String?
    /// `similarity index` of a rename or copy, in percent.
    public var similarity: Int?
    /// Binary content: reported as a file, never scanned.
    public var isBinary: Bool
    /// A combined (merge) diff, which we count but do not scan.
    public var isCombined: Bool
    /// 1-based line of the diff input on which this file's header starts.
    public var diffLine: Int
    /// The commit this change belongs to, when the input names it (`git log -p`, `git show`,
    /// `git format-patch`): the full hexadecimal object name.
    public var commit: String?

    public init(
        oldPath: String? = nil, newPath: String? = nil, change: Change = .modified,
        oldMode: String? = nil, newMode: String? = nil, similarity: Int? = nil,
        isBinary: Bool = false, isCombined: Bool = false, diffLine: Int = 0, commit: String? = nil
    ) {
        self.commit = commit
        self.oldPath = oldPath
        self.newPath = newPath
        self.change = change
        self.oldMode = oldMode
        self.newMode = newMode
        self.similarity = similarity
        self.isBinary = isBinary
        self.isCombined = isCombined
        self.diffLine = diffLine
    }

    /// The path findings are reported against: the new path, or the old one for a deletion.
    public var path: String { newPath ?? oldPath ?? "" }

    public var isModeChange: Bool { oldMode != nil && newMode != nil && oldMode != newMode }
}

/// `@@ -oldStart,oldCount +newStart,newCount @@ section`
public struct HunkHeader: Sendable, Hashable {
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    /// 1-based line of the diff input holding this header.
    public var diffLine: Int

    public init(oldStart: Int, oldCount: Int, newStart: Int, newCount: Int, diffLine: Int = 0) {
        self.oldStart = oldStart
        self.oldCount = oldCount
        self.newStart = newStart
        self.newCount = newCount
        self.diffLine = diffLine
    }
}

/// One line inside a hunk. The bytes are borrowed from the parser's buffer and valid only for
/// the duration of the `DiffConsumer.line` call: copy them to keep them.
public struct DiffLine {
    public enum Kind: Sendable { case context, added, removed }

    public var kind: Kind
    /// The line's content without its leading marker, line terminator or trailing CR.
    public var bytes: UnsafeBufferPointer<UInt8>
    /// Line number in the new file (context and added lines), else 0.
    public var newLine: Int
    /// Line number in the old file (context and removed lines), else 0.
    public var oldLine: Int
    /// 1-based line of the diff input.
    public var diffLine: Int
    /// The line went on past the hard cap (``DiffStreamParser/maximumScannedLineLength``):
    /// the bytes after this piece were not scanned.
    public var isTruncated: Bool
    /// A line longer than one window arrives in overlapping pieces with the same line numbers:
    /// this is not the first of them.
    public var isContinuation: Bool
    /// Unicode scalars of the line's content before `bytes` (0 for the first piece).
    public var columnOffset: Int

    public init(
        kind: Kind, bytes: UnsafeBufferPointer<UInt8>, newLine: Int, oldLine: Int, diffLine: Int,
        isTruncated: Bool = false, isContinuation: Bool = false, columnOffset: Int = 0
    ) {
        self.kind = kind
        self.bytes = bytes
        self.newLine = newLine
        self.oldLine = oldLine
        self.diffLine = diffLine
        self.isTruncated = isTruncated
        self.isContinuation = isContinuation
        self.columnOffset = columnOffset
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Receives a diff as it is parsed, file by file, in constant memory.
public protocol DiffConsumer {
    /// Called once per file when its header is complete (before its first hunk).
    mutating func beginFile(_ header: FileHeader)
    mutating func beginHunk(_ hunk: HunkHeader)
    mutating func line(_ line: DiffLine)
    /// Called after the last line of each hunk.
    mutating func endHunk()
    mutating func endFile()
}

extension DiffConsumer {
    public mutating func beginHunk(_ hunk: HunkHeader) {}
    public mutating func endHunk() {}
    public mutating func endFile() {}
}

/// Counts of what a parse saw. Safe to log: numbers only.
public struct DiffStatistics: Sendable, Hashable, Codable {
    public var files = 0
    public var binaryFiles = 0
    public var combinedFiles = 0
    public var hunks = 0
    public var addedLines = 0
    public var removedLines = 0
    public var contextLines = 0
    /// Lines cut at the hard cap, whose tail was not scanned.
    public var truncatedLines = 0
    /// Lines longer than one window, scanned in overlapping pieces.
    public var longLines = 0
    /// Regions skipped (or hunks cut short) because they were not a well-formed diff.
    public var malformedRegions = 0
    /// Commits the input named (`commit <sha>` or mbox `From <sha>` lines).
    public var commits = 0
    public var bytes = 0
    public var diffLines = 0

    public init() {}
}

/// A malformed part of a diff. The parser never throws it to its caller: it records the region as
/// a ``CoverageGap`` and goes on at the next header. The message names the input line and never
/// quotes its content, which may be code or a secret.
public struct DiffParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "malformed diff at line \(line): \(reason)" }
}

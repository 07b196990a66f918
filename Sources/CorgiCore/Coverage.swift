/// A part of the input that was not scanned, and why. Every scan names these in every output
/// format, so a clean result never hides input the scanner did not read.
///
/// A gap names lines of the diff input, a path and a commit: never content, which may be code
/// or a secret.
public struct CoverageGap: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// A region that is not a well-formed diff: skipped to the next hunk or file header.
        case malformedRegion = "malformed_region"
        /// A line longer than the hard cap: the bytes after the cap were not scanned.
        case lineTooLong = "line_too_long"
        /// A binary file: the diff carries no text to scan for it.
        case binaryFile = "binary_file"
    }

    public var reason: Reason
    /// 1-based lines of the diff input the gap covers (equal for a single line).
    public var firstLine: Int
    public var lastLine: Int
    /// The file the gap is in, when one was open.
    public var path: String?
    /// The commit the gap is in, when the input names commits (`git log -p`, mbox).
    public var commit: String?
    /// Why, in words that never quote the input.
    public var detail: String

    public init(reason: Reason, firstLine: Int, lastLine: Int, path: String? = nil, commit: String? = nil, detail: String) {
        self.reason = reason
        self.firstLine = firstLine
        self.lastLine = max(lastLine, firstLine)
        self.path = path
        self.commit = commit
        self.detail = detail
    }

    /// Binary files are reported but do not make a scan incomplete: their text is not in the diff.
    public var isInputSkipped: Bool { reason != .binaryFile }

    /// `lines 12–40` or `line 12`.
    public var lineDescription: String {
        firstLine == lastLine ? "line \(firstLine)" : "lines \(firstLine)–\(lastLine)"
    }

    /// One line for people: where, which file and commit, and why. Safe to log.
    public var summary: String {
        var place = lineDescription
        var context: [String] = []
        if let path, !path.isEmpty { context.append(path) }
        if let commit { context.append("commit \(commit.prefix(12))") }
        if !context.isEmpty { place += " (\(context.joined(separator: ", ")))" }
        return "\(reason.label) at \(place): \(detail)"
    }
}

extension CoverageGap.Reason {
    public var label: String {
        switch self {
        case .malformedRegion: "malformed diff"
        case .lineTooLong: "line too long"
        case .binaryFile: "binary file"
        }
    }
}

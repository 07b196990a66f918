/// What a scan did, in numbers only (safe to log and print).
public struct ScanStatistics: Sendable, Hashable, Codable {
    public var diff = DiffStatistics()
    public var rules = 0
    public var rulesWithoutKeywords = 0
    public var findings = 0
    public var suppressedInline = 0
    public var suppressedBaseline = 0
    public var ignoredFiles = 0
    /// Match attempts that hit the backtracking limit and were abandoned.
    public var regexLimitHits = 0
    public var durationMilliseconds = 0
    /// What was not scanned and why (at most ``DiffParser/maximumRecordedGaps``; the counts in
    /// `diff` are complete).
    public var coverageGaps: [CoverageGap] = []

    /// Input that was read but not scanned: malformed regions and lines past the hard cap.
    /// (Binary files are listed as gaps too, but their text is not in a diff at all.)
    public var isIncomplete: Bool { diff.malformedRegions > 0 || diff.truncatedLines > 0 }

    public init() {}
}

public import CorgiCore

/// The output formats of `corgi scan`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github
    /// GitLab's Code Quality report.
    case codequality
}

/// One thing a scan did not cover: a recorded gap, or a count of more of them.
public struct NotCovered: Sendable, Hashable {
    /// `malformed_region`, `line_too_long`, `binary_file` or `regex_limit`.
    public var reason: String
    /// For people; never quotes the input.
    public var text: String
    public var gap: CoverageGap?
}

/// What every format is rendered from.
public struct ScanReport: Sendable {
    public var findings: [Finding]
    public var statistics: ScanStatistics
    public var toolVersion: String
    /// The repository and revision scanned, when the input was read from git itself.
    public var versionControl: VersionControl?

    public init(findings: [Finding], statistics: ScanStatistics, toolVersion: String, versionControl: VersionControl? = nil) {
        self.findings = findings
        self.statistics = statistics
        self.toolVersion = toolVersion
        self.versionControl = versionControl
    }

    /// What the scan did not cover, from the gaps the parser recorded and the counts of what it
    /// could not list, in the order every format shows them.
    public var notCovered: [NotCovered] {
        let s = statistics
        var notes = s.coverageGaps.map { NotCovered(reason: $0.reason.rawValue, text: $0.summary, gap: $0) }
        let listed = Dictionary(grouping: s.coverageGaps, by: \.reason).mapValues(\.count)
        let counted: [(CoverageGap.Reason, Int)] = [
            (.malformedRegion, s.diff.malformedRegions), (.lineTooLong, s.diff.truncatedLines), (.binaryFile, s.diff.binaryFiles),
        ]
        for (reason, total) in counted where total > listed[reason, default: 0] {
            notes.append(NotCovered(reason: reason.rawValue,
                                    text: "\(total - listed[reason, default: 0]) more \(reason.label) region(s), not listed one by one", gap: nil))
        }
        if s.regexLimitHits > 0 {
            notes.append(NotCovered(reason: "regex_limit",
                                    text: "\(s.regexLimitHits) match attempt(s) stopped at the backtracking limit; a match there may be missed",
                                    gap: nil))
        }
        return notes
    }

    /// Writes the report in pieces: JSON streams its findings (see `JSONReport.write`); the other
    /// formats are rendered whole, then written.
    public func write(_ format: ReportFormat, colour: Bool = false, to write: (String) -> Void) {
        if format == .json {
            JSONReport.write(self, to: write)
        } else if format == .sarif {
            SARIFReport.write(self, to: write)
        } else {
            write(render(format, colour: colour))
        }
    }

    public func render(_ format: ReportFormat, colour: Bool = false) -> String {
        switch format {
        case .text: TextReport(colour: colour).render(self)
        case .json: JSONReport.render(self)
        case .sarif: SARIFReport.render(self)
        case .github: GitHubAnnotations.render(self)
        case .codequality: GitLabCodeQuality.render(self)
        }
    }
}

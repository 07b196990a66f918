public import CorgiCore

/// The output formats of `corgi scan`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github
}

/// What every format is rendered from.
public struct ScanReport: Sendable {
    public var findings: [Finding]
    public var statistics: ScanStatistics
    public var toolVersion: String

    public init(findings: [Finding], statistics: ScanStatistics, toolVersion: String) {
        self.findings = findings
        self.statistics = statistics
        self.toolVersion = toolVersion
    }

    public func render(_ format: ReportFormat, colour: Bool = false) -> String {
        switch format {
        case .text: TextReport(colour: colour).render(self)
        case .json: JSONReport.render(self)
        case .sarif: SARIFReport.render(self)
        case .github: GitHubAnnotations.render(self)
        }
    }
}

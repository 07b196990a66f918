public import CorgiCore

/// What a review needs from the settings: the check's name, when it fails, how many inline
/// comments it posts, and how long diffs are kept per organisation.
public struct ReviewPolicy: Sendable {
    public var checkName: String
    /// `nil`: the check never fails.
    public var failOn: Severity?
    public var maximumInlineComments: Int
    public var defaultRetentionDays: Int
    public var retentionDaysByOrganisation: [String: Int]

    public init(checkName: String, failOn: Severity?, maximumInlineComments: Int, defaultRetentionDays: Int,
                retentionDaysByOrganisation: [String: Int] = [:]) {
        self.checkName = checkName
        self.failOn = failOn
        self.maximumInlineComments = maximumInlineComments
        self.defaultRetentionDays = defaultRetentionDays
        self.retentionDaysByOrganisation = retentionDaysByOrganisation
    }

    public func retentionDays(for organisation: String) -> Int { retentionDaysByOrganisation[organisation] ?? defaultRetentionDays }
}

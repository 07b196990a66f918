public import CorgiCore

/// What a review needs from the settings: the check's name, when it fails, how many inline
/// comments it posts, how long diffs are kept per organisation, and how much of the changed
/// files it reads for context.
public struct ReviewPolicy: Sendable {
    public var checkName: String
    /// `nil`: the check never fails.
    public var failOn: Severity?
    public var maximumInlineComments: Int
    public var defaultRetentionDays: Int
    public var retentionDaysByOrganisation: [String: Int]
    /// Changed files a review reads whole at the head commit, so a hunk is scanned with the rest
    /// of its function around it (0: hunks alone). Each is one forge API call; see
    /// ``FunctionContext``.
    public var contextFiles: Int
    /// Bytes of those files held at most in one review (they are never written to disk).
    public var contextBytes: Int

    /// Tokens an organisation's model reviews may use per day (UTC); nil: no daily limit.
    public var modelTokensPerOrganisationPerDay: Int?

    public static let defaultContextFiles = 50
    public static let defaultContextBytes = 16 << 20

    public init(checkName: String, failOn: Severity?, maximumInlineComments: Int, defaultRetentionDays: Int,
                retentionDaysByOrganisation: [String: Int] = [:], contextFiles: Int = ReviewPolicy.defaultContextFiles,
                contextBytes: Int = ReviewPolicy.defaultContextBytes) {
        self.contextFiles = contextFiles
        self.contextBytes = contextBytes
        self.checkName = checkName
        self.failOn = failOn
        self.maximumInlineComments = maximumInlineComments
        self.defaultRetentionDays = defaultRetentionDays
        self.retentionDaysByOrganisation = retentionDaysByOrganisation
    }

    public func retentionDays(for organisation: String) -> Int { retentionDaysByOrganisation[organisation] ?? defaultRetentionDays }
}

public import Foundation

/// Why a finding is dismissed through the API: a closed list, so reports can count by reason.
public enum DismissalReason: String, Sendable, Hashable, Codable, CaseIterable {
    case falsePositive = "false_positive"
    case wontFix = "wont_fix"
    case usedInTests = "used_in_tests"
    case acceptedRisk = "accepted_risk"
}

/// A request to dismiss one open finding of an organisation. The dismissal is recorded for the
/// finding's repository by fingerprint, so later reviews of any of its pull requests leave the
/// same finding out (as `@corgi ignore` does).
public struct FindingDismissal: Sendable, Hashable {
    public var findingID: Int
    public var organisation: OrganisationRef
    public var reason: DismissalReason
    /// Free text from the user: stored, shown in the API; never in logs.
    public var comment: String?
    /// `api-key:<id>` or `user:…`.
    public var author: String
    /// When the dismissal ends and the finding reopens; nil: for good.
    public var until: Date?

    public init(findingID: Int, organisation: OrganisationRef, reason: DismissalReason, comment: String?, author: String, until: Date? = nil) {
        self.until = until
        self.findingID = findingID
        self.organisation = organisation
        self.reason = reason
        self.comment = comment
        self.author = author
    }
}

public enum DismissalOutcome: Sendable, Hashable {
    case dismissed(FindingRecord)
    /// The finding is fixed or already dismissed: nothing changed.
    case notOpen(FindingRecord)
    /// No such finding in the organisation.
    case notFound
}

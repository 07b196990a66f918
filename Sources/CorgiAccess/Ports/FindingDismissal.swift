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

/// A dismissal waiting for a second person, when the organisation's policy asks for four eyes:
/// the finding stays open until someone other than the requester approves.
public struct DismissalRequestRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, approved, rejected
    }

    public var id: Int
    public var findingId: Int
    public var reason: String
    /// The requester's comment: stored and shown here, never logged or audited.
    public var comment: String?
    public var until: Date?
    public var requestedBy: String
    public var requestedAt: Date
    public var state: State
    public var decidedBy: String?
    public var decidedAt: Date?

    public init(id: Int, findingId: Int, reason: String, comment: String?, until: Date?, requestedBy: String, requestedAt: Date, state: State,
                decidedBy: String?, decidedAt: Date?) {
        self.id = id
        self.findingId = findingId
        self.reason = reason
        self.comment = comment
        self.until = until
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.state = state
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

public enum DismissalRequestOutcome: Sendable, Hashable {
    case requested(DismissalRequestRecord)
    /// The finding is fixed or dismissed, or a request for it is already pending: nothing changed.
    case notOpen
    case alreadyRequested(DismissalRequestRecord)
    case notFound
}

/// What a second person decides about a pending request.
public enum DismissalDecision: Sendable, Hashable {
    case approve, reject
}

public enum DismissalDecisionOutcome: Sendable, Hashable {
    /// Approved: the finding is dismissed (as by ``AccessStore/dismissFinding(_:audit:)``).
    case approved(FindingRecord)
    case rejected(DismissalRequestRecord)
    /// The approver is the requester: four eyes means two people. Nothing changed.
    case sameActor
    /// Already approved or rejected.
    case notPending(DismissalRequestRecord)
    /// The finding was fixed or dismissed meanwhile: the request is closed as rejected.
    case findingNotOpen(DismissalRequestRecord)
    case notFound
}

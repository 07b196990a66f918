public import CorgiCore
public import CorgiReview
public import Foundation

/// What the API reads and writes. Every read takes the caller's organisation and filters on both
/// its forge and its login inside the query, so a row of another organisation cannot be named,
/// counted or paged into (the API answers such ids 404, exactly as ids that do not exist).
///
/// Every call but `apiKey(hash:)` names its organisation, so a call can be sent to the store of
/// the organisation's region (``RegionalAccessStore``); what the background services do over
/// every organisation of a store is ``AccessMaintenance``.
public protocol AccessStore: Sendable {
    /// Inserts the key and appends `audit` in the same transaction.
    func createAPIKey(_ draft: APIKeyDraft, audit: AuditEntry) async throws -> APIKeyRecord
    /// The key whose secret hashes to `hash`, revoked and expired ones included (the caller
    /// decides with `isUsable(at:)`).
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// Records a use at `now`; appends `api_key.used` to the audit log on the first use and
    /// whenever the last one was more than `auditInterval` before (uses are frequent; the
    /// trail records that and when a key was in use, not every request).
    func recordAPIKeyUse(id: Int, of organisation: OrganisationRef, now: Date, auditInterval: TimeInterval) async throws
    func apiKeys(of organisation: OrganisationRef) async throws -> [APIKeyRecord]
    /// Revokes a live key of `organisation` and appends `audit`; false when there is none (no
    /// such key, another organisation's, or already revoked).
    func revokeAPIKey(id: Int, of organisation: OrganisationRef, now: Date, audit: AuditEntry) async throws -> Bool
    func organisationSummary(_ organisation: OrganisationRef) async throws -> OrganisationSummary
    func repositories(of organisation: OrganisationRef) async throws -> [RepositorySummary]
    func pullRequests(_ query: PullRequestQuery) async throws -> [PullRequestRecord]
    func findings(_ query: FindingQuery) async throws -> [FindingRecord]
    func finding(id: Int, of organisation: OrganisationRef) async throws -> FindingRecord?
    /// Dismisses an open finding of the organisation: records the dismissal for its repository
    /// (by fingerprint), marks the finding dismissed and appends `audit`, in one transaction.
    func dismissFinding(_ dismissal: FindingDismissal, audit: AuditEntry) async throws -> DismissalOutcome
    /// Records a request to dismiss an open finding (four-eyes triage) and appends `audit`, in one
    /// transaction; at most one request per finding is pending.
    func requestDismissal(_ dismissal: FindingDismissal, audit: AuditEntry) async throws -> DismissalRequestOutcome
    /// The organisation's dismissal requests in `state`, in id order.
    func dismissalRequests(of organisation: OrganisationRef, state: DismissalRequestRecord.State, page: Page) async throws -> [DismissalRequestRecord]
    /// Approves or rejects a pending request of the organisation, by `decider`, appending `audit`
    /// in the same transaction (the approval's dismissal is recorded as `dismissFinding` would,
    /// with the requester as its author). The requester may reject (withdraw) but never approve.
    func decideDismissalRequest(id: Int, of organisation: OrganisationRef, decision: DismissalDecision, decider: String,
                                audit: AuditEntry) async throws -> DismissalDecisionOutcome
    /// The organisation's audit events — rows naming its login and, in their metadata, its forge
    /// (every row the service writes for an organisation does) — in id order, optionally of one
    /// action, optionally about one target (`finding:42`). Another organisation's rows are never read.
    func auditEvents(of organisation: OrganisationRef, action: String?, target: String?, page: Page) async throws -> [AuditEvent]
    /// The organisation's review policy; the defaults when it never set one.
    func organisationPolicy(of organisation: OrganisationRef) async throws -> OrganisationPolicy
    /// Replaces the organisation's policy (already free of ``OrganisationPolicy/problems()``) and
    /// appends `audit` with the names of the settings that changed (`changed`), in one
    /// transaction; returns those names. Nothing changed: nothing is written or audited.
    func setOrganisationPolicy(_ policy: OrganisationPolicy, of organisation: OrganisationRef, audit: AuditEntry) async throws -> [String]
    /// Ends a browser session of the organisation before its expiry (sign-out): recorded with
    /// `audit` in one transaction; kept until `expiresAt`, after which the session is refused
    /// anyway. (Session ids are random: the organisation names the store that keeps the record.)
    func revokeSession(id: String, of organisation: OrganisationRef, expiresAt: Date, audit: AuditEntry) async throws
    func isSessionRevoked(id: String, of organisation: OrganisationRef) async throws -> Bool
    /// Appends an event about the organisation that changes nothing else (a refused sign-in).
    func audit(_ entry: AuditEntry, of organisation: OrganisationRef) async throws
    /// Records a session a person just started and appends `audit` (`sign_in.succeeded`), in one
    /// transaction.
    func recordSignIn(_ session: SignedInSession, audit: AuditEntry) async throws
    /// The person's sessions in the organisation that have neither expired nor been ended, oldest
    /// first. The store's clock decides what has expired.
    func sessions(of subject: String, in organisation: OrganisationRef) async throws -> [SignedInSession]
    /// Deletes the organisation (see ``OrganisationDeletion``) in one transaction and appends its
    /// tombstone, `organisation.deleted` by `actor` with `reason` and the counts. An organisation
    /// with nothing left still gets a tombstone: the request itself is on record.
    func deleteOrganisation(_ organisation: OrganisationRef, actor: String, reason: String) async throws -> OrganisationDeletion
    /// Records a request to export the organisation (state `pending`) and appends `audit`.
    func requestExport(of organisation: OrganisationRef, requestedBy: String, audit: AuditEntry) async throws -> OrganisationExport
    /// The organisation's export `id` (without its archive); nil for another organisation's.
    func export(id: Int, of organisation: OrganisationRef) async throws -> OrganisationExport?
    /// The archive of the organisation's ready export `id`, appending `audit` (the download) in
    /// the same transaction; nil, and nothing audited, when there is none.
    func exportArchive(id: Int, of organisation: OrganisationRef, audit: AuditEntry) async throws -> [UInt8]?
    /// The people who signed in to the organisation, with the role of their latest sign-in.
    func members(of organisation: OrganisationRef) async throws -> [OrganisationMember]
    /// The first-seen and fixed times of the organisation's findings first seen or fixed at or
    /// after `since`, and its repositories and rules with the most open findings
    /// (``FindingStatistics/topCount`` of each). The overview's trends are made of these.
    func findingTrends(of organisation: OrganisationRef, since: Date) async throws -> FindingTrendRows
}

/// What the background services of a store do over all its organisations: the sweeper (expired
/// revocations, detached diffs, uninstalled organisations, review retention) and the exporter.
/// Each region's services run on that region's store.
public protocol AccessMaintenance: Sendable {
    /// Forgets revocations of sessions that have expired (refused on their expiry alone), so
    /// sign-outs do not grow the store without bound; returns how many. The store's own clock
    /// decides, never the caller's: no caller can forget a revocation that still matters.
    func pruneExpiredRevocations() async throws -> Int
    /// Forgets the rows of diffs a deletion detached from their review (an organisation's, or a
    /// pull request's past its review retention) once the sweeper deleted their objects;
    /// returns how many.
    func forgetDetachedDiffs() async throws -> Int
    /// Organisations whose forge installation was removed before `cutoff` (and not reinstalled):
    /// the sweeper deletes them after ``OrganisationDeletion/uninstalledGracePeriod``.
    func organisationsUninstalled(before cutoff: Date) async throws -> [OrganisationRef]
    /// Organisations whose policy limits how long review results are kept.
    func reviewRetentions() async throws -> [ReviewRetention]
    /// Deletes the review results of the organisation's pull requests closed before `cutoff`
    /// (the pull request, its reviews, findings and dismissal requests; its diffs expire for the
    /// sweeper) and, when there were any, appends `reviews.expired` with the counts, in one
    /// transaction. Open pull requests keep everything; dismissals (decisions that follow a
    /// fingerprint into later reviews) stay. Returns how many pull requests went.
    func expireReviewResults(of organisation: OrganisationRef, closedBefore cutoff: Date) async throws -> Int
    /// Claims the oldest pending export, or one left `running` since before `staleBefore`, and
    /// marks it running; nil when there is none. Two exporters never claim the same export.
    func claimExport(staleBefore: Date) async throws -> OrganisationExport?
    /// Stores a claimed export's archive (state `ready`, kept until `expiresAt`) or its failure,
    /// and appends `audit` with the outcome, in one transaction.
    func finishExport(id: Int, archive: [UInt8]?, expiresAt: Date, audit: AuditEntry) async throws
    /// Drops the archives of exports expired at `now` (state `expired`); returns how many.
    func expireExports(now: Date) async throws -> Int
    /// Every organisation this store holds data of (pull requests, keys, sessions, policies,
    /// exports, installations): recorded in this store's region when residency is turned on.
    func organisationsHeld() async throws -> [OrganisationRef]
}

/// Finding states as stored and filtered on.
public enum FindingState: String, Sendable, Hashable, Codable, CaseIterable {
    case open, fixed, dismissed
}

/// A page of rows in id order: those with an id above `after`, at most `limit`.
public struct Page: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200
    public var after: Int
    public var limit: Int

    public init(after: Int = 0, limit: Int = Page.defaultLimit) {
        self.after = max(0, after)
        self.limit = min(max(1, limit), Page.maximumLimit)
    }
}

public struct FindingQuery: Sendable, Hashable {
    public var organisation: OrganisationRef
    public var repository: String?
    public var pullRequest: Int?
    public var severity: String?
    public var state: FindingState?
    public var rule: String?
    public var page: Page

    public init(organisation: OrganisationRef, repository: String? = nil, pullRequest: Int? = nil, severity: String? = nil,
                state: FindingState? = nil, rule: String? = nil, page: Page = Page()) {
        self.organisation = organisation
        self.repository = repository
        self.pullRequest = pullRequest
        self.severity = severity
        self.state = state
        self.rule = rule
        self.page = page
    }
}

public struct PullRequestQuery: Sendable, Hashable {
    public var organisation: OrganisationRef
    public var repository: String?
    public var state: String?
    public var page: Page

    public init(organisation: OrganisationRef, repository: String? = nil, state: String? = nil, page: Page = Page()) {
        self.organisation = organisation
        self.repository = repository
        self.state = state
        self.page = page
    }
}

/// A finding as the API shows it: metadata and the redacted evidence, never code.
public struct FindingRecord: Sendable, Hashable, Codable {
    public var id: Int
    public var repository: String
    public var pullRequest: Int
    public var ruleID: String
    public var kind: String
    public var severity: String
    public var cwe: String?
    public var path: String
    public var line: Int
    public var endLine: Int
    public var message: String
    public var redacted: String?
    public var state: String
    public var fingerprint: String
    public var firstScanID: Int
    public var lastScanID: Int
    public var fixedScanID: Int?
    /// A dataflow finding's path (its source's line, then its sink's), when it has one.
    public var flow: [FlowStep]?
    /// Who dismissed the finding, why and when (the single finding's answer only; lists leave it out).
    public var dismissal: Dismissal?

    public struct Dismissal: Sendable, Hashable, Codable {
        public var reason: String
        /// `user:…`, `api-key:…`, or the forge login of a chat command's author.
        public var author: String
        /// The triager's own words: stored and shown to the organisation, never logged or audited.
        public var comment: String?
        public var dismissedAt: String
        public var until: Date?

        public init(reason: String, author: String, comment: String?, dismissedAt: String, until: Date?) {
            self.reason = reason
            self.author = author
            self.comment = comment
            self.dismissedAt = dismissedAt
            self.until = until
        }
    }

    public init(id: Int, repository: String, pullRequest: Int, ruleID: String, kind: String, severity: String, cwe: String?, path: String,
                line: Int, endLine: Int, message: String, redacted: String?, state: String, fingerprint: String, firstScanID: Int,
                lastScanID: Int, fixedScanID: Int?) {
        self.id = id
        self.repository = repository
        self.pullRequest = pullRequest
        self.ruleID = ruleID
        self.kind = kind
        self.severity = severity
        self.cwe = cwe
        self.path = path
        self.line = line
        self.endLine = endLine
        self.message = message
        self.redacted = redacted
        self.state = state
        self.fingerprint = fingerprint
        self.firstScanID = firstScanID
        self.lastScanID = lastScanID
        self.fixedScanID = fixedScanID
    }
}

public struct PullRequestRecord: Sendable, Hashable, Codable {
    public var id: Int
    public var repository: String
    public var number: Int
    public var state: String
    public var headSHA: String?
    public var updatedAt: String
    public var openFindings: Int
    /// A review of the pull request is running now (its findings will change when it ends).
    public var reviewing: Bool

    public init(id: Int, repository: String, number: Int, state: String, headSHA: String?, updatedAt: String, openFindings: Int,
                reviewing: Bool = false) {
        self.id = id
        self.repository = repository
        self.number = number
        self.state = state
        self.headSHA = headSHA
        self.updatedAt = updatedAt
        self.openFindings = openFindings
        self.reviewing = reviewing
    }
}

public struct RepositorySummary: Sendable, Hashable, Codable {
    public var name: String
    public var pullRequests: Int
    public var openFindings: Int

    public init(name: String, pullRequests: Int, openFindings: Int) {
        self.name = name
        self.pullRequests = pullRequests
        self.openFindings = openFindings
    }
}

public struct OrganisationSummary: Sendable, Hashable, Codable {
    public var organisation: OrganisationRef
    public var repositories: Int
    public var pullRequests: Int
    /// Findings by state, then open findings by severity.
    public var findingsByState: [String: Int]
    public var openFindingsBySeverity: [String: Int]
    /// Where the organisation's data lives; set by the regional store, which knows.
    public var region: Region?

    public init(organisation: OrganisationRef, repositories: Int, pullRequests: Int, findingsByState: [String: Int],
                openFindingsBySeverity: [String: Int], region: Region? = nil) {
        self.region = region
        self.organisation = organisation
        self.repositories = repositories
        self.pullRequests = pullRequests
        self.findingsByState = findingsByState
        self.openFindingsBySeverity = openFindingsBySeverity
    }
}

extension AccessStore where Self: AuditLog {
    public func audit(_ entry: AuditEntry, of organisation: OrganisationRef) async throws {
        try await audit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                        metadata: entry.metadata)
    }
}

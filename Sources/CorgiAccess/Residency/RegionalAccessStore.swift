public import CorgiReview
public import Foundation

/// The API's store when organisations live in several regions: every call goes to the store of
/// its organisation's region, so no read or write of the API touches another region's database.
/// The one call that names no organisation, `apiKey(hash:)`, asks every region (a key's hash is
/// unique: at most one answers) and trusts only an answer for an organisation of that region.
public struct RegionalAccessStore: AccessStore {
    public let regions: Regional<any AccessStore>

    public init(_ regions: Regional<any AccessStore>) {
        self.regions = regions
    }

    func store(_ organisation: OrganisationRef) async throws -> any AccessStore {
        try await regions.store(for: organisation)
    }

    public func createAPIKey(_ draft: APIKeyDraft, audit: AuditEntry) async throws -> APIKeyRecord {
        try await store(draft.organisation).createAPIKey(draft, audit: audit)
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        for (region, store) in regions.all {
            guard let key = try await store.apiKey(hash: hash) else { continue }
            // A row an operator copied into the wrong region's database authenticates nobody.
            guard try await regions.region(for: key.organisation) == region else { return nil }
            return key
        }
        return nil
    }

    public func recordAPIKeyUse(id: Int, of organisation: OrganisationRef, now: Date, auditInterval: TimeInterval) async throws {
        try await store(organisation).recordAPIKeyUse(id: id, of: organisation, now: now, auditInterval: auditInterval)
    }

    public func apiKeys(of organisation: OrganisationRef) async throws -> [APIKeyRecord] {
        try await store(organisation).apiKeys(of: organisation)
    }

    public func revokeAPIKey(id: Int, of organisation: OrganisationRef, now: Date, audit: AuditEntry) async throws -> Bool {
        try await store(organisation).revokeAPIKey(id: id, of: organisation, now: now, audit: audit)
    }

    public func organisationSummary(_ organisation: OrganisationRef) async throws -> OrganisationSummary {
        var summary = try await store(organisation).organisationSummary(organisation)
        summary.region = try await regions.region(for: organisation)
        return summary
    }

    public func repositories(of organisation: OrganisationRef) async throws -> [RepositorySummary] {
        try await store(organisation).repositories(of: organisation)
    }

    public func pullRequests(_ query: PullRequestQuery) async throws -> [PullRequestRecord] {
        try await store(query.organisation).pullRequests(query)
    }

    public func findings(_ query: FindingQuery) async throws -> [FindingRecord] {
        try await store(query.organisation).findings(query)
    }

    public func finding(id: Int, of organisation: OrganisationRef) async throws -> FindingRecord? {
        try await store(organisation).finding(id: id, of: organisation)
    }

    public func dismissFinding(_ dismissal: FindingDismissal, audit: AuditEntry) async throws -> DismissalOutcome {
        try await store(dismissal.organisation).dismissFinding(dismissal, audit: audit)
    }

    public func requestDismissal(_ dismissal: FindingDismissal, audit: AuditEntry) async throws -> DismissalRequestOutcome {
        try await store(dismissal.organisation).requestDismissal(dismissal, audit: audit)
    }

    public func dismissalRequests(of organisation: OrganisationRef, state: DismissalRequestRecord.State, page: Page) async throws
        -> [DismissalRequestRecord]
    {
        try await store(organisation).dismissalRequests(of: organisation, state: state, page: page)
    }

    public func decideDismissalRequest(id: Int, of organisation: OrganisationRef, decision: DismissalDecision, decider: String,
                                       audit: AuditEntry) async throws -> DismissalDecisionOutcome {
        try await store(organisation).decideDismissalRequest(id: id, of: organisation, decision: decision, decider: decider, audit: audit)
    }

    public func auditEvents(of organisation: OrganisationRef, action: String?, target: String?, page: Page) async throws -> [AuditEvent] {
        try await store(organisation).auditEvents(of: organisation, action: action, target: target, page: page)
    }

    public func organisationPolicy(of organisation: OrganisationRef) async throws -> OrganisationPolicy {
        try await store(organisation).organisationPolicy(of: organisation)
    }

    public func setOrganisationPolicy(_ policy: OrganisationPolicy, of organisation: OrganisationRef, audit: AuditEntry) async throws
        -> [String]
    {
        try await store(organisation).setOrganisationPolicy(policy, of: organisation, audit: audit)
    }

    public func revokeSession(id: String, of organisation: OrganisationRef, expiresAt: Date, audit: AuditEntry) async throws {
        try await store(organisation).revokeSession(id: id, of: organisation, expiresAt: expiresAt, audit: audit)
    }

    public func isSessionRevoked(id: String, of organisation: OrganisationRef) async throws -> Bool {
        try await store(organisation).isSessionRevoked(id: id, of: organisation)
    }

    public func audit(_ entry: AuditEntry, of organisation: OrganisationRef) async throws {
        try await store(organisation).audit(entry, of: organisation)
    }

    public func recordSignIn(_ session: SignedInSession, audit: AuditEntry) async throws {
        try await store(session.organisation).recordSignIn(session, audit: audit)
    }

    public func sessions(of subject: String, in organisation: OrganisationRef) async throws -> [SignedInSession] {
        try await store(organisation).sessions(of: subject, in: organisation)
    }

    public func deleteOrganisation(_ organisation: OrganisationRef, actor: String, reason: String) async throws -> OrganisationDeletion {
        try await store(organisation).deleteOrganisation(organisation, actor: actor, reason: reason)
    }

    public func requestExport(of organisation: OrganisationRef, requestedBy: String, audit: AuditEntry) async throws -> OrganisationExport {
        try await store(organisation).requestExport(of: organisation, requestedBy: requestedBy, audit: audit)
    }

    public func export(id: Int, of organisation: OrganisationRef) async throws -> OrganisationExport? {
        try await store(organisation).export(id: id, of: organisation)
    }

    public func exportArchive(id: Int, of organisation: OrganisationRef, audit: AuditEntry) async throws -> [UInt8]? {
        try await store(organisation).exportArchive(id: id, of: organisation, audit: audit)
    }

    public func members(of organisation: OrganisationRef) async throws -> [OrganisationMember] {
        try await store(organisation).members(of: organisation)
    }

    public func findingTrends(of organisation: OrganisationRef, since: Date) async throws -> FindingTrendRows {
        try await store(organisation).findingTrends(of: organisation, since: since)
    }
}

import CorgiCore
import CorgiReview
import Foundation

/// The ledger as the gateway sees it: every delivery kept, a redelivery of a known id answered
/// as such, a delivery with a job queued.
actor RecordingIntake: WebhookIntake {
    private(set) var deliveries: [WebhookDelivery] = []

    func accept(_ delivery: WebhookDelivery) async throws -> WebhookAcceptance {
        if deliveries.contains(where: { $0.forge == delivery.forge && $0.deliveryID == delivery.deliveryID }) { return .redelivery }
        deliveries.append(delivery)
        return delivery.job == nil ? .recorded : .enqueued
    }

    func queueCounts() async throws -> [String: Int] { ["queued": deliveries.count { $0.job != nil }, "running": 0] }
}

/// The review store as the gateway uses it: closing pull requests. The gateway calls nothing
/// else; anything else it called would fail the test.
actor ClosingStore: ReviewStore {
    struct NotForTheGateway: Error {}
    private(set) var closed: [PullRequestKey] = []

    func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws { closed.append(pullRequest) }

    nonisolated func withPullRequestLock<T: Sendable>(_ pullRequest: PullRequestKey, _ body: @Sendable () async throws -> T) async throws -> T {
        throw NotForTheGateway()
    }
    func beginScan(_ job: ClaimedJob) async throws -> ScanState { throw NotForTheGateway() }
    func setCheckRun(scanID: Int, checkRunID: Int) async throws { throw NotForTheGateway() }
    func recordScanResult(scanID: Int, findings: [Finding], conclusion: String, coverage: String?,
                          diff: (objectKey: String, bytes: Int, expiresAt: Date)?, audit metadata: [String: String]) async throws {
        throw NotForTheGateway()
    }
    func reconciliation(scanID: Int) async throws -> Reconciliation { throw NotForTheGateway() }
    func markReviewPosted(scanID: Int) async throws { throw NotForTheGateway() }
    func markSummaryPosted(scanID: Int, pullRequestID: Int, commentID: Int) async throws { throw NotForTheGateway() }
    func completeScan(scanID: Int, audit: AuditEntry) async throws { throw NotForTheGateway() }
    func expiredDiffs(now: Date) async throws -> [ExpiredDiff] { throw NotForTheGateway() }
    func organisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy { throw NotForTheGateway() }
    func modelTokensUsed(forge: String, organisation: String, since day: String) async throws -> Int { throw NotForTheGateway() }
    func dismiss(_ dismissal: Dismissal, audit: AuditEntry) async throws { throw NotForTheGateway() }
    func dismissedTargets(forge: String, installationID: Int, repositoryID: Int) async throws -> Set<String> { throw NotForTheGateway() }
    func reopenExpiredDismissals() async throws -> Int { throw NotForTheGateway() }
    func markDiffDeleted(_ diff: ExpiredDiff) async throws { throw NotForTheGateway() }
}

public import CorgiCore
public import Foundation

/// The review data of the service: pull requests, scans, findings, diffs and installations.
/// Every row carries its organisation; pull requests, and so everything under them (scans,
/// findings, the summary comment's id), are keyed by `PullRequestKey`, never by a name.
public protocol ReviewStore: Sendable {
    /// Runs `body` while no other review of the same pull request runs, in this process or in any
    /// other sharing the store: two pushes in quick succession, reviewed by two workers, must not
    /// both create the summary comment.
    func withPullRequestLock<T: Sendable>(
        _ pullRequest: PullRequestKey, _ body: @Sendable () async throws -> T
    ) async throws -> T
    func beginScan(_ job: ClaimedJob) async throws -> ScanState
    func setCheckRun(scanID: Int, checkRunID: Int) async throws
    func recordScanResult(
        scanID: Int, findings: [Finding], conclusion: String, coverage: String?,
        diff: (objectKey: String, bytes: Int, expiresAt: Date)?, audit metadata: [String: String]
    ) async throws
    func reconciliation(scanID: Int) async throws -> Reconciliation
    func markReviewPosted(scanID: Int) async throws
    func markSummaryPosted(scanID: Int, pullRequestID: Int, commentID: Int) async throws
    /// Marks the scan published and appends `audit` in the same transaction: a review is
    /// audited exactly once, whenever a crash comes.
    func completeScan(scanID: Int, audit: AuditEntry) async throws
    func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws
    /// Records a dismissal once per comment (a retried command changes nothing) and appends
    /// `audit` in the same transaction. Later scans of the repository's pull requests leave the
    /// dismissed findings out (`recordScanResult` reads the dismissals inside its transaction).
    func dismiss(_ dismissal: Dismissal, audit: AuditEntry) async throws
    /// Reopens every dismissed finding that no dismissal in force covers any more (a dismissal
    /// until a date that has passed), each audited as `finding.reopened`; returns how many. The
    /// store's clock decides.
    func reopenExpiredDismissals() async throws -> Int
    /// The fingerprints and rule ids dismissed in a repository (dismissals in force only).
    func dismissedTargets(forge: String, installationID: Int, repositoryID: Int) async throws -> Set<String>
    /// The organisation's policy (``OrganisationPolicy``); the defaults when it never set one.
    func organisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy
    /// Tokens the organisation's model reviews used since `day` (UTC, `yyyy-MM-dd`), summed from
    /// the audit log's `scan.recorded` events (the log is the ledger: no other record to keep).
    func modelTokensUsed(forge: String, organisation: String, since day: String) async throws -> Int
    func expiredDiffs(now: Date) async throws -> [ExpiredDiff]
    func markDiffDeleted(_ diff: ExpiredDiff) async throws
}

/// A store found itself in a state its own writes cannot produce (a row it just wrote is gone).
public enum StorageError: Error, Sendable, CustomStringConvertible {
    case unexpected(String)
    public var description: String {
        switch self {
        case .unexpected(let s): "storage: unexpected state (\(s))"
        }
    }
}

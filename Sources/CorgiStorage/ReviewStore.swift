public import CorgiCore
public import Foundation

/// Where a scan stands, so a retried job picks up where a crashed one stopped.
public struct ScanState: Sendable, Hashable {
    public var scanID: Int
    public var pullRequestID: Int
    public var status: String  // running → scanned → published
    public var checkRunID: Int?
    public var reviewPosted: Bool
    public var summaryPosted: Bool
    public var summaryCommentID: Int?

    public init(scanID: Int, pullRequestID: Int, status: String, checkRunID: Int?, reviewPosted: Bool, summaryPosted: Bool,
                summaryCommentID: Int?) {
        self.scanID = scanID
        self.pullRequestID = pullRequestID
        self.status = status
        self.checkRunID = checkRunID
        self.reviewPosted = reviewPosted
        self.summaryPosted = summaryPosted
        self.summaryCommentID = summaryCommentID
    }
}

/// Findings of one scan against the pull request's earlier scans, by fingerprint.
public struct Reconciliation: Sendable, Hashable {
    public var new: [Finding]
    public var stillOpen: [Finding]
    public var fixed: [Finding]
    public var conclusion: String
    public var coverage: String?

    public init(new: [Finding], stillOpen: [Finding], fixed: [Finding], conclusion: String, coverage: String?) {
        self.new = new
        self.stillOpen = stillOpen
        self.fixed = fixed
        self.conclusion = conclusion
        self.coverage = coverage
    }

    public var open: [Finding] { (new + stillOpen).sorted(by: Finding.reportOrder) }
}

public struct ExpiredDiff: Sendable, Hashable {
    public var objectKey: String
    public var organisation: String

    public init(objectKey: String, organisation: String) {
        self.objectKey = objectKey
        self.organisation = organisation
    }
}

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
    func completeScan(scanID: Int) async throws
    func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws
    func expiredDiffs(now: Date) async throws -> [ExpiredDiff]
    func markDiffDeleted(_ diff: ExpiredDiff) async throws
}

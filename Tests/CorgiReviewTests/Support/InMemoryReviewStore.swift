import CorgiCore
import CorgiReview
import Foundation

/// The review store and audit log in memory, with the same contract as the SQL engines (see
/// `Tests/CorgiStorageTests/ReviewStoreTests.swift`): a scan per job key, the result recorded
/// once, reconciliation by the review core's plan, one audit row per completion.
actor InMemoryReviewStore: ReviewStore, AuditLog {
    struct Scan {
        var state: ScanState
        var conclusion = "neutral"
        var coverage: String?
        var organisation: String
    }

    struct PullRequest {
        var id: Int
        var summaryCommentID: Int?
        var open = true
    }

    let faults: Faults
    private(set) var scans: [String: Scan] = [:]
    private var scanKeys: [Int: String] = [:]
    private var pullRequests: [PullRequestKey: PullRequest] = [:]
    private(set) var findings: [Int: [String: TrackedFinding]] = [:]
    private(set) var diffs: [String: (organisation: String, expiresAt: Date, deleted: Bool)] = [:]
    private(set) var events: [AuditEvent] = []
    private(set) var dismissals: [Dismissal] = []
    private var dismissedFingerprints = Set<String>()

    init(faults: Faults) { self.faults = faults }

    nonisolated func withPullRequestLock<T: Sendable>(_ pullRequest: PullRequestKey, _ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }

    func beginScan(_ claimed: ClaimedJob) async throws -> ScanState {
        let key = claimed.job.pullRequest
        if pullRequests[key] == nil { pullRequests[key] = PullRequest(id: pullRequests.count + 1) }
        pullRequests[key]!.open = true
        let pr = pullRequests[key]!
        if scans[claimed.key] == nil {
            let id = scans.count + 1
            scans[claimed.key] = Scan(state: ScanState(scanID: id, pullRequestID: pr.id, status: .running, checkRunID: nil, reviewPosted: false,
                                                       summaryPosted: false, summaryCommentID: nil),
                                      organisation: claimed.job.organisation)
            scanKeys[id] = claimed.key
        }
        var state = scans[claimed.key]!.state
        state.summaryCommentID = pr.summaryCommentID
        return state
    }

    private func update(_ scanID: Int, _ name: String, _ change: (inout Scan) -> Void) async throws {
        guard let key = scanKeys[scanID] else { throw StorageError.unexpected("scan \(scanID) not found") }
        try await faults.point("before " + name)
        change(&scans[key]!)
        try await faults.point("after " + name)
    }

    func setCheckRun(scanID: Int, checkRunID: Int) async throws {
        try await update(scanID, "setCheckRun") { $0.state.checkRunID = checkRunID }
    }

    func recordScanResult(scanID: Int, findings new: [Finding], conclusion: String, coverage: String?,
                          diff: (objectKey: String, bytes: Int, expiresAt: Date)?, audit metadata: [String: String]) async throws {
        guard let key = scanKeys[scanID], let scan = scans[key] else { throw StorageError.unexpected("scan \(scanID) not found") }
        guard scan.state.status == .running else { return }
        let prID = scan.state.pullRequestID
        try await faults.point("before recordScanResult")
        do {
            var rows = findings[prID] ?? [:]
            let openRows = rows.values.filter { $0.fixedScanID == nil && !dismissedFingerprints.contains($0.finding.fingerprint) }
            let open = openRows.reduce(into: [String: Int]()) { $0[$1.finding.fingerprint] = $1.firstScanID }
            let rules = openRows.reduce(into: [String: String]()) { $0[$1.finding.fingerprint] = $1.finding.ruleID }
            let pullRequest = pullRequests.first { $0.value.id == prID }!.key
            let targets = Set(dismissals.filter { $0.forge == pullRequest.forge && $0.repositoryID == pullRequest.repositoryID }.map(\.target))
            let plan = ReconciliationPlan(scanID: scanID, findings: new, open: open, openRules: rules, dismissedTargets: targets)
            for write in plan.writes {
                rows[write.finding.fingerprint] = TrackedFinding(finding: write.finding, firstScanID: write.firstScanID, lastScanID: scanID, fixedScanID: nil)
            }
            for fingerprint in plan.fixed { rows[fingerprint]?.fixedScanID = scanID }
            dismissedFingerprints.formUnion(plan.dismissed)
            findings[prID] = rows
            scans[key]!.state.status = .scanned
            scans[key]!.conclusion = conclusion
            scans[key]!.coverage = coverage
            if let diff { diffs[diff.objectKey] = (scan.organisation, diff.expiresAt, false) }
            append(AuditEntry(actor: "worker", action: "scan.recorded", target: metadata["target"] ?? "scan \(scanID)",
                              organisation: scan.organisation, metadata: metadata.merging(plan.auditCounts) { _, counted in counted }))
        }
        try await faults.point("after recordScanResult")
    }

    func reconciliation(scanID: Int) async throws -> Reconciliation {
        guard let key = scanKeys[scanID], let scan = scans[key] else { throw StorageError.unexpected("scan \(scanID) not found") }
        let rows = (findings[scan.state.pullRequestID] ?? [:]).values.filter { $0.lastScanID == scanID || $0.fixedScanID == scanID }
        return Reconciliation(scanID: scanID, tracked: Array(rows), conclusion: scan.conclusion, coverage: scan.coverage)
    }

    func markReviewPosted(scanID: Int) async throws {
        try await update(scanID, "markReviewPosted") { $0.state.reviewPosted = true }
    }

    func markSummaryPosted(scanID: Int, pullRequestID: Int, commentID: Int) async throws {
        try await update(scanID, "markSummaryPosted") { $0.state.summaryPosted = true }
        if let key = pullRequests.first(where: { $0.value.id == pullRequestID })?.key { pullRequests[key]!.summaryCommentID = commentID }
    }

    func completeScan(scanID: Int, audit entry: AuditEntry) async throws {
        guard let key = scanKeys[scanID], scans[key]?.state.status != .published else { return }
        try await faults.point("before completeScan")
        scans[key]!.state.status = .published
        append(entry)
        try await faults.point("after completeScan")
    }

    func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws { pullRequests[pullRequest]?.open = false }

    func dismiss(_ dismissal: Dismissal, audit entry: AuditEntry) async throws {
        guard !dismissals.contains(where: { $0.forge == dismissal.forge && $0.repositoryID == dismissal.repositoryID && $0.commentID == dismissal.commentID })
        else { return }
        try await faults.point("before dismiss")
        dismissals.append(dismissal)
        append(entry)
        try await faults.point("after dismiss")
    }

    /// Chat dismissals never expire.
    func reopenExpiredDismissals() async throws -> Int { 0 }

    func dismissedTargets(forge: String, installationID: Int, repositoryID: Int) async throws -> Set<String> {
        Set(dismissals.filter { $0.forge == forge && $0.installationID == installationID && $0.repositoryID == repositoryID }.map(\.target))
    }

    /// Policies by "forge/organisation"; tests set them directly.
    var organisationPolicies: [String: OrganisationPolicy] = [:]

    func setOrganisationPolicy(_ policy: OrganisationPolicy, forge: String, organisation: String) {
        organisationPolicies["\(forge)/\(organisation)"] = policy
    }

    func modelTokensUsed(forge: String, organisation: String, since day: String) async throws -> Int {
        events.filter { $0.organisation == organisation && $0.action == "scan.recorded" && $0.occurredAt >= day && $0.metadata["forge"] == forge }
            .reduce(0) { $0 + (Int($1.metadata["ai_input_tokens"] ?? "") ?? 0) + (Int($1.metadata["ai_output_tokens"] ?? "") ?? 0) }
    }

    func organisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy {
        organisationPolicies["\(forge)/\(organisation)"] ?? OrganisationPolicy()
    }

    func expiredDiffs(now: Date) async throws -> [ExpiredDiff] {
        diffs.filter { !$0.value.deleted && $0.value.expiresAt <= now }.map { ExpiredDiff(objectKey: $0.key, organisation: $0.value.organisation) }
    }

    func markDiffDeleted(_ diff: ExpiredDiff) async throws { diffs[diff.objectKey]?.deleted = true }

    // MARK: AuditLog

    @discardableResult
    private func append(_ entry: AuditEntry) -> AuditEvent {
        let id = events.count + 1
        let previous = events.last?.hash ?? AuditEvent.genesisHash
        let at = "2026-12-06T00:00:00Z"
        let hash = AuditEvent.chainHash(previous: previous, id: id, occurredAt: at, actor: entry.actor, action: entry.action,
                                        target: entry.target, organisation: entry.organisation, metadata: entry.metadata)
        let event = AuditEvent(id: id, occurredAt: at, actor: entry.actor, action: entry.action, target: entry.target,
                               organisation: entry.organisation, metadata: entry.metadata, previousHash: previous, hash: hash)
        events.append(event)
        return event
    }

    func audit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String]) async throws -> AuditEvent {
        append(AuditEntry(actor: actor, action: action, target: target, organisation: organisation, metadata: metadata))
    }

    func auditEvents() async throws -> [AuditEvent] { events }

    func auditHead() async throws -> AuditHead? {
        events.last.map { AuditHead(count: events.count, hash: $0.hash, sealedFrom: 1) }
    }
}

/// Objects in memory; what was put is what is got until it expires.
actor InMemoryObjectStore: ObjectStore {
    private(set) var objects: [String: (bytes: [UInt8], expiresAt: Date)] = [:]

    func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws { objects[key] = (bytes, expiresAt) }
    func get(_ key: String) async throws -> [UInt8]? { objects[key].map(\.bytes) }
    func delete(_ key: String) async throws { objects[key] = nil }
    func sweep(now: Date) async throws -> [String] {
        let expired = objects.filter { $0.value.expiresAt <= now }.map(\.key)
        for key in expired { objects[key] = nil }
        return expired
    }
}

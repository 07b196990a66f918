import CorgiCore
import CorgiReview
import Foundation
import Testing

@Suite("Review store, on every engine", .timeLimit(.minutes(2)))
struct ReviewStoreTests {
    @Test("beginScan is idempotent per job and returns the saved state", arguments: Backend.available)
    func beginScanIdempotent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let job = scanJob(deliveryID: "d-1")
            let first = try await store.beginScan(claimed(job, id: 1))
            #expect(first.status == .running)
            #expect(first.checkRunID == nil && !first.reviewPosted && !first.summaryPosted && first.summaryCommentID == nil)
            try await store.setCheckRun(scanID: first.scanID, checkRunID: 555)

            let retried = try await store.beginScan(claimed(job, id: 1, attempt: 2))
            #expect(retried.scanID == first.scanID)
            #expect(retried.pullRequestID == first.pullRequestID)
            #expect(retried.checkRunID == 555)
            #expect(retried.status == .running)
            #expect(try await store.count("scans") == 1)
            #expect(try await store.count("pull_requests") == 1)

            // Another job of the same pull request: a scan of its own on the same pull request.
            let next = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", headSHA: "bbbb222"), id: 2))
            #expect(next.scanID != first.scanID)
            #expect(next.pullRequestID == first.pullRequestID)
            #expect(next.checkRunID == nil)
            #expect(try await store.count("scans") == 2)
            #expect(try await store.count("pull_requests", where: "head_sha = 'bbbb222'") == 1)
        }
    }

    @Test("two scans of one pull request reconcile by fingerprint: fixed, new and still open", arguments: Backend.available)
    func reconciliation(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let scan1 = try await store.beginScan(claimed(scanJob(deliveryID: "d-1"), id: 1))
            let a = finding("a", line: 10), b = finding("b", line: 20)
            try await store.recordScanResult(scanID: scan1.scanID, findings: [b, a, a], conclusion: "failure", coverage: "complete",
                                             diff: nil, audit: ["target": "octo/widgets#7"])
            let first = try await store.reconciliation(scanID: scan1.scanID)
            #expect(first.new == [a, b])
            #expect(first.stillOpen.isEmpty && first.fixed.isEmpty)
            #expect(first.conclusion == "failure" && first.coverage == "complete")
            try await store.completeScan(scanID: scan1.scanID, audit: published(scan1.scanID))

            // The second push fixes a, moves b and adds c.
            let scan2 = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", headSHA: "bbbb222"), id: 2))
            var movedB = b
            movedB.line = 25
            movedB.endLine = 25
            let c = finding("c", path: "Sources/Other.swift", line: 3, severity: .medium)
            try await store.recordScanResult(scanID: scan2.scanID, findings: [c, movedB], conclusion: "failure", coverage: nil,
                                             diff: nil, audit: ["target": "octo/widgets#7"])
            let second = try await store.reconciliation(scanID: scan2.scanID)
            #expect(second.new == [c])
            #expect(second.stillOpen == [movedB])
            #expect(second.fixed == [a])
            #expect(second.open == [movedB, c])
            #expect(second.coverage == nil)
            #expect(try await store.count("findings") == 3)
            #expect(try await store.count("findings", where: "status = 'fixed'") == 1)
            #expect(try await store.count("scans", where: "new_findings = 1 AND open_findings = 2 AND fixed_findings = 1") == 1)

            let recorded = try await store.auditEvents().filter { $0.action == "scan.recorded" }
            #expect(recorded.count == 2)
            #expect(recorded.last?.metadata == ["target": "octo/widgets#7", "new": "1", "open": "2", "fixed": "1", "conclusion": "failure"])
            #expect(recorded.last?.target == "octo/widgets#7")
            #expect(recorded.last?.organisation == "octo")

            // A finding fixed and then back is new again.
            let scan3 = try await store.beginScan(claimed(scanJob(deliveryID: "d-3", headSHA: "cccc333"), id: 3))
            try await store.recordScanResult(scanID: scan3.scanID, findings: [a, movedB, c], conclusion: "failure", coverage: nil,
                                             diff: nil, audit: [:])
            let third = try await store.reconciliation(scanID: scan3.scanID)
            #expect(third.new == [a])
            #expect(third.stillOpen == [movedB, c])
            #expect(third.fixed.isEmpty)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("dismissals: once per comment, audited once; later scans leave the finding out and mark it dismissed, not fixed",
          arguments: Backend.available)
    func dismissals(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let a = finding("a", line: 10), b = finding("b", line: 20)
            let scan1 = try await store.beginScan(claimed(scanJob(deliveryID: "d-1"), id: 1))
            try await store.recordScanResult(scanID: scan1.scanID, findings: [a, b], conclusion: "failure", coverage: nil, diff: nil, audit: [:])
            let job = scanJob(deliveryID: "d-1")
            let dismissal = Dismissal(forge: job.forge, installationID: job.installationID, repositoryID: job.repositoryID, organisation: "octo",
                                      target: a.fingerprint, reason: "a fixture", author: "maintainer", commentID: 77)
            let entry = AuditEntry(actor: "github:maintainer", action: "finding.dismissed", target: "octo/widgets#7", organisation: "octo",
                                   metadata: ["dismissed": a.fingerprint, "reason": "a fixture"])
            try await store.dismiss(dismissal, audit: entry)
            try await store.dismiss(dismissal, audit: entry)  // the same comment again: nothing new
            #expect(try await store.count("dismissals") == 1)
            #expect(try await store.auditEvents().filter { $0.action == "finding.dismissed" }.count == 1)
            #expect(try await store.dismissedTargets(forge: job.forge, installationID: job.installationID, repositoryID: job.repositoryID)
                == [a.fingerprint])
            // Another repository of the same installation is not affected.
            #expect(try await store.dismissedTargets(forge: job.forge, installationID: job.installationID, repositoryID: job.repositoryID + 1)
                .isEmpty)
            // The next scan still sees a (the scanner does not know): the store leaves it out.
            let scan2 = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", headSHA: "bbbb222"), id: 2))
            try await store.recordScanResult(scanID: scan2.scanID, findings: [a, b], conclusion: "failure", coverage: nil, diff: nil, audit: [:])
            let second = try await store.reconciliation(scanID: scan2.scanID)
            #expect(second.stillOpen == [b] && second.new.isEmpty && second.fixed.isEmpty)
            #expect(try await store.count("findings", where: "status = 'dismissed'") == 1)
            #expect(try await store.count("scans", where: "open_findings = 1 AND fixed_findings = 0") == 1)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("a retried scan keeps its first recorded result", arguments: Backend.available)
    func retriedScanKeepsFirstResult(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let job = scanJob(deliveryID: "d-1")
            let scan = try await store.beginScan(claimed(job, id: 1))
            let a = finding("a", line: 10)
            try await store.recordScanResult(scanID: scan.scanID, findings: [a], conclusion: "failure", coverage: nil,
                                             diff: (objectKey: "diffs/1", bytes: 10, expiresAt: Date().addingTimeInterval(3600)), audit: [:])
            let retried = try await store.beginScan(claimed(job, id: 1, attempt: 2))
            #expect(retried.scanID == scan.scanID)
            #expect(retried.status == .scanned)
            try await store.recordScanResult(scanID: scan.scanID, findings: [finding("z", line: 1)], conclusion: "success", coverage: "partial",
                                             diff: (objectKey: "diffs/2", bytes: 20, expiresAt: Date().addingTimeInterval(3600)), audit: [:])
            let result = try await store.reconciliation(scanID: scan.scanID)
            #expect(result.new == [a])
            #expect(result.conclusion == "failure" && result.coverage == nil)
            #expect(try await store.count("findings") == 1)
            #expect(try await store.count("diffs") == 1)
            #expect(try await store.count("audit_events") == 1)
        }
    }

    @Test("review, summary and completion are kept for retries and the next scan", arguments: Backend.available)
    func publicationState(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let job = scanJob(deliveryID: "d-1")
            let scan = try await store.beginScan(claimed(job, id: 1))
            try await store.recordScanResult(scanID: scan.scanID, findings: [], conclusion: "success", coverage: nil, diff: nil, audit: [:])
            try await store.markReviewPosted(scanID: scan.scanID)
            var state = try await store.beginScan(claimed(job, id: 1, attempt: 2))
            #expect(state.reviewPosted && !state.summaryPosted && state.status == .scanned)

            try await store.markSummaryPosted(scanID: scan.scanID, pullRequestID: scan.pullRequestID, commentID: 9001)
            state = try await store.beginScan(claimed(job, id: 1, attempt: 3))
            #expect(state.summaryPosted && state.summaryCommentID == 9001)

            try await store.completeScan(scanID: scan.scanID, audit: published(scan.scanID))
            // Completing twice (a retry after a crash that came just after) audits once.
            try await store.completeScan(scanID: scan.scanID, audit: published(scan.scanID))
            #expect(try await store.auditEvents().filter { $0.action == "review.published" }.map(\.target) == ["scan \(scan.scanID)"])
            state = try await store.beginScan(claimed(job, id: 1, attempt: 4))
            #expect(state == ScanState(scanID: scan.scanID, pullRequestID: scan.pullRequestID, status: .published, checkRunID: nil,
                                       reviewPosted: true, summaryPosted: true, summaryCommentID: 9001))
            #expect(try await store.count("scans", where: "completed_at IS NOT NULL") == 1)

            // The next scan of the pull request edits the same summary comment.
            let next = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", headSHA: "bbbb222"), id: 2))
            #expect(next.summaryCommentID == 9001)
            #expect(next.status == .running && !next.reviewPosted && !next.summaryPosted)
        }
    }

    @Test("a pull request is keyed by installation and repository id: a name taken over or transferred shares nothing, a rename keeps all",
          arguments: Backend.available)
    func pullRequestsKeyedByIDs(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            // Installation 42's octo/widgets (id 4242) #7: a finding and a summary comment.
            let first = try await store.beginScan(claimed(scanJob(deliveryID: "d-1"), id: 1))
            try await store.recordScanResult(scanID: first.scanID, findings: [finding("payroll", path: "internal/payroll/prod-keys.py", line: 3)],
                                             conclusion: "failure", coverage: nil, diff: nil, audit: [:])
            try await store.markSummaryPosted(scanID: first.scanID, pullRequestID: first.pullRequestID, commentID: 9001)
            try await store.completeScan(scanID: first.scanID, audit: published(first.scanID))

            // Another account registers the name again (a new repository id, its own installation):
            // nothing of the first is visible, neither the comment to edit nor a finding to call fixed.
            let squatter = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", headSHA: "bbbb222", installationID: 77, repositoryID: 7777), id: 2))
            #expect(squatter.pullRequestID != first.pullRequestID)
            #expect(squatter.summaryCommentID == nil)
            try await store.recordScanResult(scanID: squatter.scanID, findings: [], conclusion: "success", coverage: nil, diff: nil, audit: [:])
            let theirs = try await store.reconciliation(scanID: squatter.scanID)
            #expect(theirs.fixed.isEmpty && theirs.open.isEmpty)

            // The same repository transferred to another installation starts afresh too.
            let transferred = try await store.beginScan(claimed(scanJob(deliveryID: "d-3", headSHA: "cccc333", installationID: 77), id: 3))
            #expect(transferred.pullRequestID != first.pullRequestID && transferred.summaryCommentID == nil)

            // Renamed in its own installation: the same pull request, its comment and its findings.
            let renamed = try await store.beginScan(claimed(scanJob(deliveryID: "d-4", headSHA: "dddd444", repository: "octo/gadgets"), id: 4))
            #expect(renamed.pullRequestID == first.pullRequestID && renamed.summaryCommentID == 9001)
            try await store.recordScanResult(scanID: renamed.scanID, findings: [], conclusion: "success", coverage: nil, diff: nil, audit: [:])
            #expect(try await store.reconciliation(scanID: renamed.scanID).fixed.map(\.path) == ["internal/payroll/prod-keys.py"])
            #expect(try await store.count("pull_requests", where: "repository = 'octo/gadgets'") == 1)
            #expect(try await store.count("pull_requests") == 3)
        }
    }

    @Test("a closed pull request is marked, and reopened by its next scan", arguments: Backend.available)
    func closedPullRequests(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            _ = try await store.beginScan(claimed(scanJob(deliveryID: "d-1"), id: 1))
            _ = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", number: 8), id: 2))
            try await store.markPullRequestClosed(pullRequest(7))
            try await store.markPullRequestClosed(pullRequest(99))  // unknown: nothing
            try await store.markPullRequestClosed(pullRequest(8, installationID: 43))  // another installation's #8: not ours
            #expect(try await store.count("pull_requests", where: "state = 'closed' AND number = 7") == 1)
            #expect(try await store.count("pull_requests", where: "state = 'open'") == 1)

            _ = try await store.beginScan(claimed(scanJob(deliveryID: "d-3", headSHA: "cccc333"), id: 3))
            #expect(try await store.count("pull_requests", where: "state = 'open'") == 2)
            #expect(try await store.count("pull_requests") == 2)
        }
    }

    @Test("expired diffs are listed until deleted, and each deletion is audited", arguments: Backend.available)
    func expiredDiffs(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let now = Date()
            let scan1 = try await store.beginScan(claimed(scanJob(deliveryID: "d-1"), id: 1))
            try await store.recordScanResult(scanID: scan1.scanID, findings: [], conclusion: "success", coverage: nil,
                                             diff: (objectKey: "diffs/github/1/42/7/old-1", bytes: 100, expiresAt: now.addingTimeInterval(-60)), audit: [:])
            let scan2 = try await store.beginScan(claimed(scanJob(deliveryID: "d-2", number: 8), id: 2))
            try await store.recordScanResult(scanID: scan2.scanID, findings: [], conclusion: "success", coverage: nil,
                                             diff: (objectKey: "diffs/github/1/42/8/new-2", bytes: 100, expiresAt: now.addingTimeInterval(3600)), audit: [:])

            #expect(try await store.expiredDiffs(now: now) == [ExpiredDiff(objectKey: "diffs/github/1/42/7/old-1", organisation: "octo")])
            #expect(try await store.expiredDiffs(now: now.addingTimeInterval(7200)).map(\.objectKey) == ["diffs/github/1/42/7/old-1", "diffs/github/1/42/8/new-2"])

            try await store.markDiffDeleted(ExpiredDiff(objectKey: "diffs/github/1/42/7/old-1", organisation: "octo"))
            #expect(try await store.expiredDiffs(now: now).isEmpty)
            #expect(try await store.expiredDiffs(now: now.addingTimeInterval(7200)).map(\.objectKey) == ["diffs/github/1/42/8/new-2"])
            #expect(try await store.count("diffs", where: "deleted_at IS NOT NULL") == 1)

            let last = try #require(try await store.auditEvents().last)
            #expect(last.actor == "sweeper" && last.action == "diff.deleted" && last.target == "diffs/github/1/42/7/old-1")
            #expect(last.organisation == "octo" && last.metadata == ["forge": "github", "reason": "retention expired"])
            #expect(try await store.verifyAuditChain().firstBroken == nil)

            // A second sweeper reaching the same diff audits nothing more.
            let events = try await store.auditEvents().count
            try await store.markDiffDeleted(ExpiredDiff(objectKey: "diffs/github/1/42/7/old-1", organisation: "octo"))
            #expect(try await store.auditEvents().count == events)
        }
    }

    @Test("reviews of one pull request never overlap, also across stores; other pull requests do not wait", arguments: Backend.available)
    func pullRequestLock(_ backend: Backend) async throws {
        func check(_ first: any ContractStore, _ second: any ContractStore) async throws {
            let log = EventLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, store) in [("a", first), ("b", second)] {
                    group.addTask {
                        try await store.withPullRequestLock(pullRequest(7)) {
                            await log.append("\(name)-in")
                            try await Task.sleep(for: .milliseconds(50))  // work inside the lock, giving the other a chance to barge in
                            await log.append("\(name)-out")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = await log.events
            #expect(events == ["a-in", "a-out", "b-in", "b-out"] || events == ["b-in", "b-out", "a-in", "a-out"], "\(events)")

            // Another pull request goes ahead while #7 is held: #8 opens the gate #7 waits on.
            let gate = Gate()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await first.withPullRequestLock(pullRequest(7)) { await gate.wait() }
                }
                group.addTask {
                    try await second.withPullRequestLock(pullRequest(8)) { await gate.open() }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    Issue.record("pull request #8 waited for #7's lock")
                    await gate.open()
                }
                try await group.next()
                try await group.next()
                group.cancelAll()
            }
        }
        switch backend {
        case .sqlite:
            try await withStore(.sqlite) { store in try await check(store, store) }
        case .postgres:
            try await PostgresTestDatabase.with { database in
                try await withStores(2, of: database) { stores in try await check(stores[0], stores[1]) }
            }
        }
    }
}

actor EventLog {
    var events: [String] = []
    func append(_ event: String) { events.append(event) }
}

actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

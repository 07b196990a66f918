public import CorgiAccess
public import CorgiReview
public import CorgiObjects
public import Foundation
public import Logging
import Prometheus
public import ServiceLifecycle

/// Claims jobs and runs them through the review until shutdown. Several may run in one
/// process; each holds a lease it renews while it works, so a crashed worker's job is retried.
public struct ReviewWorker: Service, CustomStringConvertible {
    public var description: String { "ReviewWorker(\(name))" }

    let name: String
    let queue: any JobQueue
    let runner: ReviewRunner
    let metrics: ServiceMetrics
    let lease: TimeInterval
    let maximumAttempts: Int
    let retryBase: TimeInterval
    let logger: Logger

    public init(name: String, queue: any JobQueue, runner: ReviewRunner, metrics: ServiceMetrics, lease: TimeInterval,
                maximumAttempts: Int, retryBase: TimeInterval = 5, logger: Logger) {
        self.retryBase = retryBase
        self.name = name
        self.queue = queue
        self.runner = runner
        self.metrics = metrics
        self.lease = lease
        self.maximumAttempts = maximumAttempts
        self.logger = logger
    }

    /// Graceful shutdown (SIGTERM) stops claiming and lets the review in hand finish: each of its
    /// steps is recorded, so finishing is cheaper than redoing, and nobody waits for a lease to
    /// expire. Cancellation (the group's shutdown deadline passing) is the forceful path: the
    /// review is cut short and its job handed back at once.
    public func run() async throws {
        do {
            try await loop()
        } catch is CancellationError {
            logger.info("worker cancelled", metadata: ["worker": "\(name)"])
            return
        }
        logger.info("worker stopped", metadata: ["worker": "\(name)"])
    }

    func loop() async throws {
        // A queue that is away (NATS reconnecting, a database hiccup) must not end the worker:
        // it waits, backing off, and carries on once the queue answers again.
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let claimed: ClaimedJob?
            do {
                claimed = try await queue.claim(worker: name, lease: lease, now: Date())
                backoff = .milliseconds(250)
            } catch let error where !(error is CancellationError) {
                logger.warning("queue unavailable; the worker waits", metadata: ["worker": "\(name)", "error": "\(type(of: error))"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(10))
                continue
            }
            guard let claimed else {
                // Idle: wake on a new job, or poll for expired leases and delayed retries (and
                // notice a shutdown within a second).
                await queue.waitForWork(timeout: .seconds(1))
                continue
            }
            if Task.isShuttingDownGracefully {
                // Claimed as the shutdown began: hand it back untouched rather than start it.
                try? await handBack(claimed)
                break
            }
            do {
                try await work(claimed)
            } catch let error where !(error is CancellationError) {
                // Not settled: the lease expires (or the ack wait passes) and the job comes back.
                logger.warning("job not settled; it will be handed out again", metadata: ["job": "\(claimed.id)", "error": "\(type(of: error))"])
            }
        }
    }

    func work(_ claimed: ClaimedJob) async throws {
        let outcome = try await withThrowingTaskGroup(of: ReviewRunner.Outcome?.self) { group in
            group.addTask { await runner.process(claimed, logger: logger) }
            group.addTask {
                // Renew the lease while the review runs.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(max(1, lease / 3)))
                    try await queue.heartbeat(claimed, lease: lease, now: Date())
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            return ReviewRunner.Outcome.retry("worker stopped")
        }
        if Task.isCancelled {
            // Cut short by a forceful stop: hand the job back now, out of the cancelled task,
            // instead of holding its lease until it expires.
            try await Task { try await handBack(claimed) }.value
            return
        }
        switch outcome {
        case .published:
            try await queue.complete(claimed)
        case .retry(let reason):
            let delay = min(600, retryBase * pow(2, Double(claimed.attempt - 1)))
            try await queue.retry(claimed, delay: delay, reason: reason, maximumAttempts: maximumAttempts, now: Date())
            metrics.jobRetries.increment()
            if claimed.attempt >= maximumAttempts {
                metrics.scansFailed.increment()
                logger.error("review failed for good", metadata: ["job": "\(claimed.id)", "attempts": "\(claimed.attempt)", "reason": "\(reason)"])
            } else {
                logger.warning("review will be retried", metadata: ["job": "\(claimed.id)", "in_seconds": "\(Int(delay))", "reason": "\(reason)"])
            }
        case .failed(let reason):
            try await queue.retry(claimed, delay: 0, reason: reason, maximumAttempts: 0, now: Date())
            metrics.scansFailed.increment()
            logger.error("review failed", metadata: ["job": "\(claimed.id)", "reason": "\(reason)"])
        }
    }
}

extension ReviewWorker {
    /// Back in the queue at once, without counting against the job's attempts running out.
    func handBack(_ claimed: ClaimedJob) async throws {
        try await queue.retry(claimed, delay: 0, reason: "worker stopped", maximumAttempts: max(maximumAttempts, claimed.attempt + 1),
                              now: Date())
        logger.info("job handed back", metadata: ["worker": "\(name)", "job": "\(claimed.id)"])
    }
}

/// Deletes diffs whose retention has expired, each deletion audited, forgets revocations of
/// sessions that have expired, and reopens findings whose dismissal ran out.
public struct RetentionSweeper: Service, CustomStringConvertible {
    public var description: String { "RetentionSweeper(every \(Int(interval)) s)" }

    let store: any ReviewStore
    let sessions: (any AccessStore & AccessMaintenance)?
    let objects: any ObjectStore
    let interval: TimeInterval
    let metrics: ServiceMetrics
    let logger: Logger

    public init(store: any ReviewStore, sessions: (any AccessStore & AccessMaintenance)? = nil, objects: any ObjectStore, interval: TimeInterval,
                metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.sessions = sessions
        self.objects = objects
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        try await repeatUntilShutdown(every: .seconds(interval)) {
            do {
                _ = try await sweepOnce(now: Date())
            } catch {
                // Expired diffs stay listed and are deleted by the next pass.
                logger.warning("retention sweep incomplete; retried next pass", metadata: ["error": "\(type(of: error))"])
            }
        }
        logger.debug("retention sweeper stopped")
    }

    /// One pass; returns how many diffs were deleted.
    public func sweepOnce(now: Date) async throws -> Int {
        // Accounts that removed the App and did not come back within the grace period: their
        // data goes (the deletion expires their diffs, deleted just below).
        var deletedOrganisations = 0
        for organisation in try await sessions?.organisationsUninstalled(before: now.addingTimeInterval(-OrganisationDeletion.uninstalledGracePeriod)) ?? [] {
            _ = try await sessions?.deleteOrganisation(organisation, actor: "sweeper",
                                                       reason: "the forge installation was removed more than 30 days ago")
            deletedOrganisations += 1
        }
        // Closed pull requests past their organisation's review retention (their diffs expire now).
        var pullRequestsExpired = 0
        for retention in try await sessions?.reviewRetentions() ?? [] {
            pullRequestsExpired += try await sessions?.expireReviewResults(
                of: retention.organisation, closedBefore: now.addingTimeInterval(-Double(retention.days) * 86_400)) ?? 0
        }
        let expired = try await store.expiredDiffs(now: now)
        for diff in expired {
            try await objects.delete(diff.objectKey)
            try await store.markDiffDeleted(diff)
            metrics.diffsDeleted.increment()
        }
        // Objects left by a crash between upload and record expire on their own.
        let orphans = try await objects.sweep(now: now)
        // Rows of diffs a deletion detached from their review, once their objects are gone.
        let forgotten = try await sessions?.forgetDetachedDiffs() ?? 0
        let exportsExpired = try await sessions?.expireExports(now: now) ?? 0
        let revocations = try await sessions?.pruneExpiredRevocations() ?? 0
        let reopened = try await store.reopenExpiredDismissals()
        if !expired.isEmpty || !orphans.isEmpty || revocations > 0 || reopened > 0 || deletedOrganisations > 0 || forgotten > 0 || exportsExpired > 0
            || pullRequestsExpired > 0 {
            logger.info("retention sweep", metadata: ["deleted": "\(expired.count)", "orphans": "\(orphans.count)",
                                                      "session_revocations_pruned": "\(revocations)", "findings_reopened": "\(reopened)",
                                                      "organisations_deleted": "\(deletedOrganisations)", "diff_rows_forgotten": "\(forgotten)",
                                                      "exports_expired": "\(exportsExpired)", "pull_requests_expired": "\(pullRequestsExpired)"])
        }
        return expired.count
    }
}

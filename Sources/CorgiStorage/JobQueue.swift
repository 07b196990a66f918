public import Foundation

/// A scan to run: webhook metadata only (installation, repository, PR number, SHAs).
public struct ScanJob: Sendable, Hashable, Codable {
    public var forge: String
    public var installationID: Int
    public var organisation: String
    public var repository: String  // owner/name
    public var number: Int
    public var headSHA: String
    public var baseSHA: String?
    public var deliveryID: String
    /// What asked for it: `pull_request.opened`, `check_run.rerequested`, …
    public var trigger: String

    public init(forge: String, installationID: Int, organisation: String, repository: String, number: Int,
                headSHA: String, baseSHA: String?, deliveryID: String, trigger: String) {
        self.forge = forge
        self.installationID = installationID
        self.organisation = organisation
        self.repository = repository
        self.number = number
        self.headSHA = headSHA
        self.baseSHA = baseSHA
        self.deliveryID = deliveryID
        self.trigger = trigger
    }
}

public struct ClaimedJob: Sendable, Hashable {
    /// The queue's own id for this job (a row id, a stream sequence).
    public var id: Int
    public var job: ScanJob
    /// 1 on first delivery, counting up on each retry or redelivery.
    public var attempt: Int
    public var leaseOwner: String

    public init(id: Int, job: ScanJob, attempt: Int, leaseOwner: String) {
        self.id = id
        self.job = job
        self.attempt = attempt
        self.leaseOwner = leaseOwner
    }

    /// Stable across queues and redeliveries: one delivery makes at most one job.
    public var key: String { job.key }
}

extension ScanJob {
    public var key: String { "\(forge):\(deliveryID)" }
}

/// A durable queue with leases: a claimed job that is neither completed nor retried before its
/// lease expires (the worker crashed) is handed out again.
public protocol JobQueue: Sendable {
    /// False when a job with the same delivery id is already queued or done.
    func enqueue(_ job: ScanJob) async throws -> Bool
    func claim(worker: String, lease: TimeInterval, now: Date) async throws -> ClaimedJob?
    /// Extends the lease of a long job.
    func heartbeat(_ job: ClaimedJob, lease: TimeInterval, now: Date) async throws
    func complete(_ job: ClaimedJob) async throws
    /// Back in the queue after `delay`, or failed for good once `maximumAttempts` is reached.
    func retry(_ job: ClaimedJob, delay: TimeInterval, reason: String, maximumAttempts: Int, now: Date) async throws
    func counts() async throws -> [String: Int]
    /// Returns when a job may be available, or after `timeout`: a queue whose `claim` already
    /// waits for work (a JetStream pull) returns at once.
    func waitForWork(timeout: Duration) async
}

/// Everything the service keeps in its database, on either engine.
public typealias ServiceStore = ReviewStore & AuditLog & DeliveryStore

public enum WebhookAcceptance: Sendable, Equatable {
    case enqueued
    /// The delivery id was seen before: accepted, not run again.
    case redelivery
    /// Recorded (and audited) but nothing to run.
    case recorded
    /// Recorded with its job, but the queue is unreachable: the job is queued from the ledger
    /// once it is back.
    case deferred
}

/// What an installation event changes: which account has the app, and on which repositories.
public struct InstallationChange: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case installed, uninstalled, repositoriesAdded, repositoriesRemoved }
    public var kind: Kind
    public var installationID: Int
    public var account: String?
    public var repositories: [String]

    public init(kind: Kind, installationID: Int, account: String?, repositories: [String]) {
        self.kind = kind
        self.installationID = installationID
        self.account = account
        self.repositories = repositories
    }
}

public import Foundation

/// A durable queue with leases: a claimed job that is neither completed nor retried before its
/// lease expires (the worker crashed) is handed out again.
public protocol JobQueue: Sendable {
    /// False when a job with the same key (`ScanJob.key`: signed content, not the delivery id) is already queued or done.
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


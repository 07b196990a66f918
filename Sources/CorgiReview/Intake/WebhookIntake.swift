/// A verified webhook, decoded to what the service keeps of it: metadata only.
public import Foundation

public struct WebhookDelivery: Sendable, Hashable {
    public var deliveryID: String
    public var forge: String
    public var event: String
    /// The scan to run, if the event asks for one.
    public var job: ScanJob?
    public var installation: InstallationChange?
    public var audit: AuditEntry

    public init(deliveryID: String, forge: String, event: String, job: ScanJob?, installation: InstallationChange?, audit: AuditEntry) {
        self.deliveryID = deliveryID
        self.forge = forge
        self.event = event
        self.job = job
        self.installation = installation
        self.audit = audit
    }
}

/// Where the gateway hands a verified webhook: dedupe by delivery id, audit, enqueue.
public protocol WebhookIntake: Sendable {
    func accept(_ delivery: WebhookDelivery) async throws -> WebhookAcceptance
    /// Queue depth for readiness and metrics: `queued`, `running`, and what else the queue knows.
    func queueCounts() async throws -> [String: Int]
}

/// How far a delivery got, so a redelivery of one whose enqueue failed is enqueued after all.
public enum DeliveryState: Sendable, Hashable {
    /// First time seen: recorded and audited just now.
    case new
    /// Seen before, but its job was never confirmed as queued.
    case awaitingQueue
    /// Seen before and fully handled.
    case handled
}

/// The delivery ledger of a store whose queue lives elsewhere (JetStream): the delivery row
/// (with its job: metadata only), its audit event and any installation change are written in
/// one transaction, and the job is marked queued once the queue has confirmed it. Until then
/// the ledger is the job's outbox.
public protocol DeliveryStore: Sendable {
    func recordDelivery(_ delivery: WebhookDelivery) async throws -> DeliveryState
    func markDeliveryQueued(_ deliveryID: String) async throws
    /// Jobs of deliveries received before `cutoff` and not yet confirmed queued, oldest first.
    func deliveriesAwaitingQueue(receivedBefore cutoff: Date, limit: Int) async throws -> [ScanJob]
    /// Throws unless the store answers a trivial query (readiness).
    func checkReachable() async throws
}

/// Intake over a store and a separate queue that de-duplicates by delivery id (JetStream's
/// `Nats-Msg-Id`): record, then enqueue, then mark. When the queue is unreachable, or the
/// process dies between the steps, the delivery stays `awaitingQueue` with its job in the
/// ledger: `relayPending` (run by every gateway) or a redelivery by the forge queues it, and the
/// queue's de-duplication keeps it from running twice.
public struct LedgerIntake<Store: DeliveryStore, Queue: JobQueue>: WebhookIntake {
    public let store: Store
    public let queue: Queue

    public let readinessTimeout: Duration

    public init(store: Store, queue: Queue, readinessTimeout: Duration = .seconds(2)) {
        self.store = store
        self.queue = queue
        self.readinessTimeout = readinessTimeout
    }

    public func accept(_ delivery: WebhookDelivery) async throws -> WebhookAcceptance {
        let state = try await store.recordDelivery(delivery)
        guard let job = delivery.job else { return state == .new ? .recorded : .redelivery }
        guard state != .handled else { return .redelivery }
        let queued: Bool
        do {
            queued = try await queue.enqueue(job)
        } catch {
            return .deferred  // recorded with its job: relayed once the queue is back
        }
        try await store.markDeliveryQueued(delivery.deliveryID)
        return queued ? .enqueued : .redelivery
    }

    /// Queues what the ledger holds unqueued since before `cutoff`; returns how many it moved.
    /// Stops at the first failure: the queue is still away, and the next pass tries again.
    public func relayPending(receivedBefore cutoff: Date, limit: Int = 100) async throws -> Int {
        var relayed = 0
        for job in try await store.deliveriesAwaitingQueue(receivedBefore: cutoff, limit: limit) {
            _ = try await queue.enqueue(job)
            try await store.markDeliveryQueued(job.deliveryID)
            relayed += 1
        }
        return relayed
    }

    /// Readiness needs both halves: a gateway whose database is away cannot record a webhook.
    /// Neither may hang the probe, so each gets `readinessTimeout`.
    public func queueCounts() async throws -> [String: Int] {
        try await withThrowingTaskGroup(of: [String: Int]?.self) { group in
            group.addTask { try await store.checkReachable(); return nil }
            group.addTask { try await queue.counts() }
            group.addTask {
                try await Task.sleep(for: readinessTimeout)
                throw IntakeError.unreachable
            }
            defer { group.cancelAll() }
            var counts: [String: Int]?
            var answered = 0
            while answered < 2, let result = try await group.next() {
                answered += 1
                counts = result ?? counts
            }
            return counts ?? [:]
        }
    }
}

public enum IntakeError: Error, Sendable, CustomStringConvertible {
    /// The store or the queue did not answer in time.
    case unreachable

    public var description: String { "the delivery store or the queue did not answer in time" }
}

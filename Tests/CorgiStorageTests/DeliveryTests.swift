import CorgiReview
import CorgiStorage
import Foundation
import Testing

@Suite("Deliveries and installations, on every engine", .timeLimit(.minutes(2)))
struct DeliveryTests {
    @Test("a delivery with a job is awaiting its queue until marked queued, then handled", arguments: Backend.available)
    func deliveryStates(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let job = scanJob(deliveryID: "d-1")
            #expect(try await store.recordDelivery(delivery("d-1", job: job)) == .new)
            #expect(try await store.count("deliveries", where: "queued_at IS NULL") == 1)
            // Redelivered before the queue confirmed it: not audited again.
            #expect(try await store.recordDelivery(delivery("d-1", job: job)) == .awaitingQueue)
            try await store.markDeliveryQueued("d-1")
            #expect(try await store.count("deliveries", where: "queued_at IS NULL") == 0)
            #expect(try await store.recordDelivery(delivery("d-1", job: job)) == .handled)
            try await store.markDeliveryQueued("d-1")  // a second confirmation changes nothing
            #expect(try await store.recordDelivery(delivery("d-1", job: job)) == .handled)
            let events = try await store.auditEvents()
            #expect(events.map(\.action) == ["webhook.pull_request"])
            #expect(events.first?.metadata == ["delivery": "d-1"])
        }
    }

    @Test("a delivery without a job is handled at once", arguments: Backend.available)
    func deliveryWithoutJob(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ContractStore) async throws in
            #expect(try await store.recordDelivery(delivery("d-2", event: "ping")) == .new)
            #expect(try await store.recordDelivery(delivery("d-2", event: "ping")) == .handled)
            #expect(try await store.recordDelivery(delivery("d-3", event: "ping")) == .new)
            #expect(try await store.count("deliveries") == 2)
            #expect(try await store.count("deliveries", where: "queued_at IS NULL") == 0)
            #expect(try await store.count("audit_events") == 2)
        }
    }

    @Test("installations and their repositories are tracked", arguments: Backend.available)
    func installations(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            func change(_ id: String, _ kind: InstallationChange.Kind, installation: Int = 42, _ repositories: [String]) async throws {
                let state = try await store.recordDelivery(delivery(
                    id, installation: InstallationChange(kind: kind, installationID: installation, account: "octo", repositories: repositories),
                    event: "installation"))
                #expect(state == .new)
            }
            try await change("i-1", .installed, ["octo/a", "octo/b"])
            #expect(try await store.count("organisations") == 1)
            #expect(try await store.count("organisations", where: "removed_at IS NULL AND installation_id = 42 AND login = 'octo'") == 1)
            #expect(try await store.count("repositories", where: "active") == 2)

            try await change("i-2", .repositoriesAdded, ["octo/c"])
            #expect(try await store.count("repositories", where: "active") == 3)
            try await change("i-3", .repositoriesRemoved, ["octo/a"])
            #expect(try await store.count("repositories", where: "active") == 2)
            #expect(try await store.count("repositories", where: "NOT active AND full_name = 'octo/a'") == 1)
            #expect(try await store.count("repositories") == 3)

            try await change("i-4", .uninstalled, [])
            #expect(try await store.count("organisations", where: "removed_at IS NOT NULL") == 1)
            #expect(try await store.count("repositories", where: "active") == 0)

            // Installed again: the same organisation row comes back, with the repositories named.
            try await change("i-5", .installed, ["octo/a"])
            #expect(try await store.count("organisations") == 1)
            #expect(try await store.count("organisations", where: "removed_at IS NULL") == 1)
            #expect(try await store.count("repositories", where: "active") == 1)

            // Repositories of an installation made before the app saw it: the organisation is created.
            try await change("i-6", .repositoriesAdded, installation: 99, ["other/x"])
            #expect(try await store.count("organisations") == 2)
            #expect(try await store.count("repositories") == 4)

            #expect(try await store.count("audit_events") == 6)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("LedgerIntake: with the queue down the job waits in the ledger; the relay or a redelivery queues it once",
          arguments: Backend.available)
    func ledgerIntake(_ backend: Backend) async throws {
        try await withStore(backend) { store in try await checkLedgerIntake(store) }
    }
}

@Suite("LedgerIntake readiness")
struct LedgerReadinessTests {
    @Test("readiness fails, without hanging, when the store does not answer; it reports the queue when both do")
    func readiness() async throws {
        let hanging = LedgerIntake(store: SilentStore(), queue: FlakyQueue(failures: 0), readinessTimeout: .milliseconds(200))
        await #expect(throws: IntakeError.unreachable) { _ = try await hanging.queueCounts() }
        try await withSQLiteStore { store in
            let intake = LedgerIntake(store: store, queue: FlakyQueue(failures: 0), readinessTimeout: .seconds(10))
            let counts = try await intake.queueCounts()
            #expect(counts == ["queued": 0])
        }
    }
}

/// A database that accepted the connection and then went quiet.
struct SilentStore: DeliveryStore {
    func recordDelivery(_ delivery: WebhookDelivery) async throws -> DeliveryState { try await silence() }
    func markDeliveryQueued(_ deliveryID: String) async throws { try await silence() as Void }
    func deliveriesAwaitingQueue(receivedBefore cutoff: Date, limit: Int) async throws -> [ScanJob] { try await silence() }
    func checkReachable() async throws { try await silence() as Void }

    private func silence<T>() async throws -> T {
        try await Task.sleep(for: .seconds(3600))
        throw CancellationError()
    }
}

private func checkLedgerIntake<Store: ContractStore>(_ store: Store) async throws {
    let queue = FlakyQueue(failures: 1)
    let intake = LedgerIntake(store: store, queue: queue)
    let job = scanJob(deliveryID: "d-9")

    #expect(try await intake.accept(delivery("d-9", job: job)) == .deferred)
    #expect(try await store.count("deliveries", where: "queued_at IS NULL") == 1)
    #expect(await queue.keys.isEmpty)
    #expect(try await store.deliveriesAwaitingQueue(receivedBefore: Date().addingTimeInterval(-60), limit: 10).isEmpty)
    #expect(try await store.deliveriesAwaitingQueue(receivedBefore: Date().addingTimeInterval(60), limit: 10) == [job])

    // The relay moves it once the queue is back; a redelivery arriving first would do the same.
    #expect(try await intake.relayPending(receivedBefore: Date().addingTimeInterval(60)) == 1)
    #expect(await queue.keys == [job.key])
    #expect(try await store.count("deliveries", where: "queued_at IS NULL") == 0)
    #expect(try await intake.relayPending(receivedBefore: Date().addingTimeInterval(60)) == 0)

    #expect(try await intake.accept(delivery("d-9", job: job)) == .redelivery)
    #expect(await queue.enqueueCalls == 2)  // the handled redelivery did not reach the queue
    #expect(await queue.keys == [job.key])

    #expect(try await intake.accept(delivery("d-10", event: "ping")) == .recorded)
    #expect(try await intake.accept(delivery("d-10", event: "ping")) == .redelivery)
    #expect(try await intake.queueCounts() == ["queued": 1])
    // One audit event per delivery, however often it came.
    #expect(try await store.auditEvents().map { $0.metadata["delivery"] } == ["d-9", "d-10"])
}

/// A queue that is down for its first `failures` enqueues, and de-duplicates by job key (as
/// JetStream does by message id).
actor FlakyQueue: JobQueue {
    struct Down: Error {}
    private var failures: Int
    private(set) var keys: [String] = []
    private(set) var enqueueCalls = 0

    init(failures: Int) { self.failures = failures }

    func enqueue(_ job: ScanJob) async throws -> Bool {
        enqueueCalls += 1
        if failures > 0 {
            failures -= 1
            throw Down()
        }
        guard !keys.contains(job.key) else { return false }
        keys.append(job.key)
        return true
    }

    func claim(worker: String, lease: TimeInterval, now: Date) async throws -> ClaimedJob? { nil }
    func heartbeat(_ job: ClaimedJob, lease: TimeInterval, now: Date) async throws {}
    func complete(_ job: ClaimedJob) async throws {}
    func retry(_ job: ClaimedJob, delay: TimeInterval, reason: String, maximumAttempts: Int, now: Date) async throws {}
    func counts() async throws -> [String: Int] { ["queued": keys.count] }
    func waitForWork(timeout: Duration) async {}
}

@testable import CorgiNATS
import NIOCore
import Testing

@Suite("JetStream against nats-server", .requiresNATSServer, .timeLimit(.minutes(1)))
struct JetStreamTests {
    /// A JetStream server, a connection and a work-queue stream `JOBS` on `jobs.>` with a durable
    /// pull consumer `worker`.
    func withJobs(ackWait: Duration = .seconds(30), maxDeliver: Int = -1,
                  _ body: (NATSConnection, JetStream) async throws -> Void) async throws {
        try await withNATSServer(jetStream: true) { server in
            try await withConnection(await options(for: server)) { connection in
                let js = JetStream(connection: connection)
                _ = try await js.createOrUpdateStream(StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workqueue, storage: .file,
                                                                   maxAge: .seconds(3600), duplicateWindow: .seconds(60)))
                _ = try await js.createOrUpdateConsumer(stream: "JOBS", config: ConsumerConfig(
                    durableName: "worker", ackWait: ackWait, maxDeliver: maxDeliver, maxAckPending: 100, filterSubject: "jobs.>"))
                try await body(connection, js)
            }
        }
    }

    func publishJobs(_ js: JetStream, _ count: Int) async throws {
        for index in 1...count {
            let ack = try await js.publish("jobs.new", payload: ByteBuffer(string: "job \(index)"), messageID: "job-\(index)")
            #expect(ack.stream == "JOBS" && ack.sequence == UInt64(index) && !ack.duplicate)
        }
    }

    @Test("streams: create is idempotent, a changed config updates, info and delete work")
    func streamLifecycle() async throws {
        try await withNATSServer(jetStream: true) { server in
            try await withConnection(await options(for: server)) { connection in
                let js = JetStream(connection: connection)
                var config = StreamConfig(name: "EVENTS", subjects: ["events.*"], retention: .limits, storage: .memory,
                                          maxAge: .seconds(60), duplicateWindow: .seconds(30))
                let created = try await js.createOrUpdateStream(config)
                #expect(created.config == config)
                #expect(created.state.messages == 0)
                #expect(try await js.createOrUpdateStream(config).config.maxAge == .seconds(60))
                config.maxAge = .seconds(120)
                config.subjects = ["events.*", "audit.*"]
                let updated = try await js.createOrUpdateStream(config)
                #expect(updated.config.maxAge == .seconds(120) && updated.config.subjects == ["events.*", "audit.*"])
                _ = try await js.publish("audit.login", payload: ByteBuffer(string: "x"), messageID: nil)
                #expect(try await js.streamInfo("EVENTS").state.messages == 1)
                try await js.deleteStream("EVENTS")
                await #expect(throws: JetStreamError.self) { _ = try await js.streamInfo("EVENTS") }
                do {
                    _ = try await js.streamInfo("EVENTS")
                } catch JetStreamError.api(let error) {
                    #expect(error.code == 404 && error.errorCode == JetStreamAPIError.streamNotFound)
                }
            }
        }
    }

    @Test("API errors are typed: missing consumer, invalid config; no stream means no responders")
    func apiErrors() async throws {
        try await withJobs { _, js in
            do {
                _ = try await js.consumerInfo(stream: "JOBS", consumer: "nobody")
                Issue.record("no error for a missing consumer")
            } catch JetStreamError.api(let error) {
                #expect(error.errorCode == JetStreamAPIError.consumerNotFound && error.code == 404)
            }
            // A second work-queue consumer with an overlapping filter is refused by the server.
            await #expect(throws: JetStreamError.self) {
                _ = try await js.createOrUpdateConsumer(stream: "JOBS", config: ConsumerConfig(durableName: "other", filterSubject: "jobs.>"))
            }
            await #expect(throws: NATSError.noResponders(subject: "nostream.here")) {
                _ = try await js.publish("nostream.here", payload: ByteBuffer(string: "x"), messageID: nil)
            }
        }
    }

    @Test("consumers: create is idempotent, a changed ack wait updates, info reports counts")
    func consumerLifecycle() async throws {
        try await withJobs { _, js in
            var config = ConsumerConfig(durableName: "worker", ackWait: .seconds(30), maxAckPending: 100, filterSubject: "jobs.>")
            let again = try await js.createOrUpdateConsumer(stream: "JOBS", config: config)
            #expect(again.name == "worker" && again.streamName == "JOBS" && again.config.ackWait == .seconds(30))
            config.ackWait = .seconds(10)
            #expect(try await js.createOrUpdateConsumer(stream: "JOBS", config: config).config.ackWait == .seconds(10))
            try await publishJobs(js, 3)
            let info = try await js.consumerInfo(stream: "JOBS", consumer: "worker")
            #expect(info.numPending == 3 && info.numAckPending == 0 && info.numRedelivered == 0 && info.numWaiting == 0)
            try await js.deleteConsumer(stream: "JOBS", consumer: "worker")
            await #expect(throws: JetStreamError.self) { _ = try await js.consumerInfo(stream: "JOBS", consumer: "worker") }
        }
    }

    @Test("publishing the same Nats-Msg-Id twice stores one message and acks the second as duplicate")
    func deduplication() async throws {
        try await withJobs { _, js in
            let first = try await js.publish("jobs.new", payload: ByteBuffer(string: "review 42"), messageID: "delivery-42")
            let second = try await js.publish("jobs.new", payload: ByteBuffer(string: "review 42"), messageID: "delivery-42")
            #expect(!first.duplicate && second.duplicate && second.sequence == first.sequence)
            #expect(try await js.streamInfo("JOBS").state.messages == 1)
        }
    }

    @Test("fetch in batches with metadata; acks empty the work queue")
    func fetchAndAck() async throws {
        try await withJobs { _, js in
            try await publishJobs(js, 5)
            let firstBatch = try await js.fetch(stream: "JOBS", consumer: "worker", batch: 2, expires: .seconds(5))
            #expect(firstBatch.map { String(buffer: $0.payload) } == ["job 1", "job 2"])
            let metadata = firstBatch[0].metadata
            #expect(metadata.stream == "JOBS" && metadata.consumer == "worker" && metadata.delivered == 1)
            #expect(metadata.streamSequence == 1 && metadata.consumerSequence == 1 && metadata.pending == 4)
            #expect(metadata.timestamp > 1_600_000_000_000_000_000)
            #expect(firstBatch[0].headers?["Nats-Msg-Id"] == "job-1" && firstBatch[0].subject == "jobs.new")

            // Asking for more than there is returns what there is when the request expires.
            let started = ContinuousClock.now
            let rest = try await js.fetch(stream: "JOBS", consumer: "worker", batch: 10, expires: .milliseconds(700))
            #expect(rest.map(\.metadata.streamSequence) == [3, 4, 5])
            #expect(ContinuousClock.now - started < .seconds(4))  // at expiry, not held open (bounds loose for loaded CI machines)

            for message in firstBatch + rest.dropLast() { try await message.ack() }
            try await rest.last!.doubleAck()
            try await waitUntil("the work queue is empty") { try await js.streamInfo("JOBS").state.messages == 0 }
            let info = try await js.consumerInfo(stream: "JOBS", consumer: "worker")
            #expect(info.numAckPending == 0 && info.numPending == 0 && info.delivered.streamSequence == 5)
        }
    }

    @Test("fetching from an empty consumer: no_wait answers at once, otherwise at expiry")
    func emptyFetch() async throws {
        try await withJobs { _, js in
            let (immediate, quick) = try await timed {
                try await js.fetch(stream: "JOBS", consumer: "worker", batch: 5, expires: .seconds(5), noWait: true)
            }
            #expect(immediate.isEmpty && quick < .seconds(3))  // well before the 5 s expiry
            let (expired, waited) = try await timed {
                try await js.fetch(stream: "JOBS", consumer: "worker", batch: 5, expires: .milliseconds(500))
            }
            #expect(expired.isEmpty)
            try await publishJobs(js, 2)
            let (available, fast) = try await timed {
                try await js.fetch(stream: "JOBS", consumer: "worker", batch: 5, expires: .seconds(5), noWait: true)
            }
            #expect(available.count == 2 && fast < .seconds(3), "\(available.count) in \(fast)")
            #expect(waited >= .milliseconds(450) && waited < .seconds(4), "\(waited)")
        }
    }

    @Test("nak with a delay redelivers after the delay")
    func nakWithDelay() async throws {
        try await withJobs { _, js in
            try await publishJobs(js, 1)
            let message = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            let nakAt = ContinuousClock.now
            try await message.nak(delay: .seconds(1))
            #expect(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .milliseconds(300)).isEmpty)
            let redelivered = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .seconds(3)).first)
            #expect(ContinuousClock.now - nakAt >= .milliseconds(900))
            #expect(redelivered.metadata.delivered == 2 && redelivered.metadata.streamSequence == 1)
            try await redelivered.doubleAck()
        }
    }

    @Test("a plain nak redelivers at once")
    func nakNow() async throws {
        try await withJobs { _, js in
            try await publishJobs(js, 1)
            let message = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            try await message.nak()
            let again = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .seconds(2)).first)
            #expect(again.metadata.delivered == 2)
        }
    }

    @Test("without an ack the message comes back after ack_wait with delivered 2")
    func redeliveryAfterAckWait() async throws {
        try await withJobs(ackWait: .seconds(1)) { _, js in
            try await publishJobs(js, 1)
            // Measured from before the fetch: the server starts the ack wait when it delivers,
            // which is after this, so the bound holds however late this process sees the message.
            let fetchedAt = ContinuousClock.now
            let first = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            #expect(first.metadata.delivered == 1)
            let again = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .seconds(4)).first)
            #expect(ContinuousClock.now - fetchedAt >= .milliseconds(900))
            #expect(again.metadata.delivered == 2 && again.metadata.streamSequence == first.metadata.streamSequence)
            #expect(try await js.consumerInfo(stream: "JOBS", consumer: "worker").numRedelivered == 1)
            try await again.doubleAck()
        }
    }

    @Test("in-progress keeps extending the ack wait")
    func inProgress() async throws {
        try await withJobs(ackWait: .seconds(2)) { _, js in
            try await publishJobs(js, 1)
            let message = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            // Working on it: a progress ack every 400 ms, far inside the 2 s ack wait even on a
            // loaded machine.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(400))
                try await message.inProgress()
            }
            // 2.4 s after delivery, past the 2 s ack wait: still not redelivered.
            #expect(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .milliseconds(500)).isEmpty)
            let info = try await js.consumerInfo(stream: "JOBS", consumer: "worker")
            #expect(info.numAckPending == 1 && info.numRedelivered == 0)
            try await message.doubleAck()
            #expect(try await js.streamInfo("JOBS").state.messages == 0)
        }
    }

    @Test("term stops redelivery")
    func term() async throws {
        try await withJobs(ackWait: .seconds(1)) { _, js in
            try await publishJobs(js, 1)
            let message = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            try await message.term()
            #expect(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .milliseconds(1800)).isEmpty)
            let info = try await js.consumerInfo(stream: "JOBS", consumer: "worker")
            #expect(info.numAckPending == 0 && info.numRedelivered == 0)
        }
    }

    @Test("max_deliver caps the deliveries")
    func maxDeliver() async throws {
        try await withJobs(ackWait: .seconds(1), maxDeliver: 2) { _, js in
            try await publishJobs(js, 1)
            let first = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1).first)
            let second = try #require(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .seconds(4)).first)
            #expect(first.metadata.delivered == 1 && second.metadata.delivered == 2)
            #expect(try await js.fetch(stream: "JOBS", consumer: "worker", batch: 1, expires: .milliseconds(1800)).isEmpty)
            #expect(try await js.consumerInfo(stream: "JOBS", consumer: "worker").numAckPending == 0)
        }
    }
}

/// Polls `condition` until it holds, failing after `limit`.
func waitUntil(_ what: String, within limit: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSetupError("\(what): not within \(limit)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// The result of `body` and how long it took.
func timed<T>(_ body: () async throws -> T) async throws -> (T, Duration) {
    let started = ContinuousClock.now
    let result = try await body()
    return (result, ContinuousClock.now - started)
}

import CorgiNATS
import CorgiQueue
import CorgiReview
import Foundation
import Logging
import NIOCore
import Testing

/// The queue's mapping onto JetStream, over the client's protocol boundary: what each queue
/// operation sends. The real server is exercised end to end by tests/service/test_distributed.py.
@Suite("JetStream job queue")
struct JetStreamJobQueueTests {
    let configuration = JetStreamJobQueue.Configuration(
        stream: "SCANS", subject: "corgi.scans", consumer: "workers", ackWait: .seconds(30), maximumDeliveries: 3,
        duplicateWindow: .seconds(3600), fetchWait: .milliseconds(10))

    /// One job per head commit; its delivery id does not take part in the key.
    func job(_ head: String, delivery: String? = nil) -> ScanJob {
        ScanJob(forge: "github", installationID: 1, repositoryID: 99, organisation: "octo", repository: "octo/widgets", number: 7,
                headSHA: head, baseSHA: nil, deliveryID: delivery ?? "delivery-\(head)", trigger: "pull_request.opened")
    }

    func queue(_ jetStream: FakeJetStream) -> JetStreamJobQueue {
        JetStreamJobQueue(jetStream: jetStream, configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("prepare makes a file-backed work-queue stream and a durable explicit-ack pull consumer")
    func prepare() async throws {
        let jetStream = FakeJetStream()
        try await queue(jetStream).prepare()
        let stream = try #require(await jetStream.streams.first)
        #expect(stream.retention == .workqueue && stream.storage == .file && stream.subjects == ["corgi.scans"])
        #expect(stream.duplicateWindow == .seconds(3600))
        let consumer = try #require(await jetStream.consumers.first)
        #expect(consumer.durableName == "workers" && consumer.ackPolicy == .explicit && consumer.maxDeliver == 3)
        #expect(consumer.ackWait == .seconds(30) && consumer.filterSubject == "corgi.scans")
    }

    @Test("enqueue publishes with the job key as Nats-Msg-Id and reports a duplicate")
    func enqueue() async throws {
        let jetStream = FakeJetStream()
        let jobs = queue(jetStream)
        #expect(try await jobs.enqueue(job("d-1")))
        #expect(try await jobs.enqueue(job("d-1")) == false)
        #expect(try await jobs.enqueue(job("d-1", delivery: "replayed-under-a-new-id")) == false)
        #expect(try await jobs.enqueue(job("d-2")))
        #expect(await jetStream.published.map(\.messageID) == ["github:1:99:7:d-1:pull_request.opened", "github:1:99:7:d-1:pull_request.opened", "github:1:99:7:d-1:pull_request.opened",
                                                                      "github:1:99:7:d-2:pull_request.opened"])
    }

    @Test("a claimed job carries the stream sequence and the delivery count; settling sends the right acks")
    func settle() async throws {
        let jetStream = FakeJetStream()
        let jobs = queue(jetStream)
        let payload = try JSONEncoder().encode(job("d-1"))
        try await jetStream.stage(payload, delivered: 1, sequence: 17)
        try await jetStream.stage(payload, delivered: 2, sequence: 18)
        try await jetStream.stage(payload, delivered: 3, sequence: 19)

        let first = try #require(try await jobs.claim(worker: "w", lease: 30, now: Date()))
        #expect(first.id == 17 && first.attempt == 1 && first.job == job("d-1"))
        try await jobs.heartbeat(first, lease: 30, now: Date())
        try await jobs.complete(first)
        let second = try #require(try await jobs.claim(worker: "w", lease: 30, now: Date()))
        try await jobs.retry(second, delay: 1.5, reason: "GitHub 502", maximumAttempts: 3, now: Date())
        let third = try #require(try await jobs.claim(worker: "w", lease: 30, now: Date()))
        try await jobs.retry(third, delay: 4, reason: "GitHub 502", maximumAttempts: 3, now: Date())

        #expect(await jetStream.connection.replies == [
            Reply(subject: FakeJetStream.ackSubject(delivered: 1, sequence: 17), body: "+WPI", request: false),
            Reply(subject: FakeJetStream.ackSubject(delivered: 1, sequence: 17), body: "+ACK", request: true),
            Reply(subject: FakeJetStream.ackSubject(delivered: 2, sequence: 18), body: "-NAK {\"delay\":1500000000}", request: false),
            Reply(subject: FakeJetStream.ackSubject(delivered: 3, sequence: 19), body: "+TERM", request: false),
        ])
        // Settled jobs are forgotten: settling again sends nothing.
        try await jobs.complete(first)
        #expect(await jetStream.connection.replies.count == 4)
    }

    @Test("a message that is not a scan job is terminated, never run")
    func malformed() async throws {
        let jetStream = FakeJetStream()
        try await jetStream.stage(Data("{\"not\": \"a job\"}".utf8), delivered: 1, sequence: 5)
        #expect(try await queue(jetStream).claim(worker: "w", lease: 30, now: Date()) == nil)
        #expect(await jetStream.connection.replies.map(\.body) == ["+TERM"])
    }

    @Test("an empty fetch is no job; counts come from the consumer's state")
    func idleAndCounts() async throws {
        let jetStream = FakeJetStream()
        let jobs = queue(jetStream)
        #expect(try await jobs.claim(worker: "w", lease: 30, now: Date()) == nil)
        #expect(try await jobs.counts() == ["queued": 4, "running": 2, "waiting": 3, "redelivered": 1])
    }
}

struct Reply: Sendable, Equatable {
    var subject: String
    var body: String
    var request: Bool
}

/// Records what acknowledgements send; requests (double acks) are answered with +OK.
actor FakeConnection: NATSConnectionProtocol {
    var replies: [Reply] = []

    func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, replyTo: String?) async throws {
        replies.append(Reply(subject: subject, body: String(buffer: payload), request: false))
    }

    func subscribe(to subject: String, queueGroup: String?) async throws -> NATSSubscription {
        throw NATSError.connectionClosed
    }

    func request(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, timeout: Duration) async throws -> NATSMessage {
        replies.append(Reply(subject: subject, body: String(buffer: payload), request: true))
        return NATSMessage(subject: "_INBOX.reply", payload: ByteBuffer(string: "+OK"))
    }

    func flush() async throws {}
    nonisolated func newInbox() -> String { "_INBOX.test" }
}

actor FakeJetStream: JetStreamContext {
    let connection = FakeConnection()
    var streams: [StreamConfig] = []
    var consumers: [ConsumerConfig] = []
    var published: [(subject: String, messageID: String?)] = []
    private var seenIDs: Set<String> = []
    private var staged: [JetStreamMessage] = []

    static func ackSubject(delivered: Int, sequence: Int) -> String {
        "$JS.ACK.SCANS.workers.\(delivered).\(sequence).\(sequence).1700000000000000000.0"
    }

    func stage(_ payload: Data, delivered: Int, sequence: Int) throws {
        let message = NATSMessage(subject: "corgi.scans", replyTo: Self.ackSubject(delivered: delivered, sequence: sequence),
                                  payload: ByteBuffer(bytes: payload))
        staged.append(try JetStreamMessage(message, connection: connection))
    }

    func createOrUpdateStream(_ config: StreamConfig) async throws -> StreamInfo {
        streams.append(config)
        let encoded = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        return try JSONDecoder().decode(StreamInfo.self, from: Data(#"{"config":\#(encoded),"state":{}}"#.utf8))
    }

    func streamInfo(_ name: String) async throws -> StreamInfo { try await createOrUpdateStream(streams[0]) }
    func deleteStream(_ name: String) async throws {}

    func createOrUpdateConsumer(stream: String, config: ConsumerConfig) async throws -> ConsumerInfo {
        consumers.append(config)
        return try await consumerInfo(stream: stream, consumer: config.durableName)
    }

    func consumerInfo(stream: String, consumer: String) async throws -> ConsumerInfo {
        let json = """
            {"stream_name":"SCANS","name":"workers","config":{"durable_name":"workers","ack_policy":"explicit","deliver_policy":"all",
             "ack_wait":30000000000,"max_deliver":3},"delivered":{"consumer_seq":9,"stream_seq":9},
             "ack_floor":{"consumer_seq":5,"stream_seq":5},"num_ack_pending":2,"num_redelivered":1,"num_waiting":3,"num_pending":4}
            """
        return try JSONDecoder().decode(ConsumerInfo.self, from: Data(json.utf8))
    }

    func deleteConsumer(stream: String, consumer: String) async throws {}

    func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, messageID: String?) async throws -> PublishAck {
        published.append((subject, messageID))
        let duplicate = messageID.map { !seenIDs.insert($0).inserted } ?? false
        let json = #"{"stream":"SCANS","seq":\#(published.count)\#(duplicate ? #","duplicate":true"# : "")}"#
        return try JSONDecoder().decode(PublishAck.self, from: Data(json.utf8))
    }

    func fetch(stream: String, consumer: String, batch: Int, expires: Duration, noWait: Bool) async throws -> [JetStreamMessage] {
        guard !staged.isEmpty else { return [] }
        return [staged.removeFirst()]
    }
}

public import CorgiNATS
public import CorgiReview
public import Foundation
public import Logging
import NIOCore

/// The distributed mode's queue: a JetStream work-queue stream with one durable pull consumer
/// shared by every worker.
///
/// - enqueue publishes with the job's key (`ScanJob.key`, from signed content) as `Nats-Msg-Id`, so
///   a webhook delivered twice, or replayed under another delivery id, within the duplicate window
///   is stored once (after it, the store's scan keyed by the same key ends the review at once);
/// - claim fetches one message (the fetch waits for work, so idle workers need no polling);
/// - heartbeat sends in-progress, which restarts the ack wait while a long review runs;
/// - complete acknowledges and waits for the server's confirmation (the message then leaves
///   the stream); retry naks with a delay, or terminates once the attempts are spent;
/// - a worker that dies holding a message simply never acks it: JetStream redelivers it after
///   the ack wait, with its delivery count as the attempt number.
public actor JetStreamJobQueue: JobQueue {
    public struct Configuration: Sendable {
        public var stream: String
        public var subject: String
        public var consumer: String
        public var ackWait: Duration
        /// Deliveries before JetStream stops redelivering on its own (a worker crashing on a job).
        public var maximumDeliveries: Int
        public var duplicateWindow: Duration
        /// How long one claim waits for a job before returning nil.
        public var fetchWait: Duration

        public init(stream: String, subject: String, consumer: String, ackWait: Duration, maximumDeliveries: Int,
                    duplicateWindow: Duration, fetchWait: Duration = .seconds(5)) {
            self.stream = stream
            self.subject = subject
            self.consumer = consumer
            self.ackWait = ackWait
            self.maximumDeliveries = maximumDeliveries
            self.duplicateWindow = duplicateWindow
            self.fetchWait = fetchWait
        }
    }

    let jetStream: any JetStreamContext
    public let configuration: Configuration
    let logger: Logger
    /// Messages claimed and not yet settled, by stream sequence (the `ClaimedJob` id).
    private var inFlight: [Int: JetStreamMessage] = [:]

    public init(jetStream: any JetStreamContext, configuration: Configuration, logger: Logger) {
        self.jetStream = jetStream
        self.configuration = configuration
        self.logger = logger
    }

    public init(connection: any NATSConnectionProtocol, configuration: Configuration, logger: Logger) {
        self.init(jetStream: JetStream(connection: connection), configuration: configuration, logger: logger)
    }

    /// Creates or updates the stream and the consumer: every process calls it at start, so the
    /// first one creates them and a changed setting is applied by the next deploy.
    public func prepare() async throws {
        _ = try await jetStream.createOrUpdateStream(StreamConfig(
            name: configuration.stream, subjects: [configuration.subject], retention: .workqueue, storage: .file,
            duplicateWindow: configuration.duplicateWindow))
        _ = try await jetStream.createOrUpdateConsumer(stream: configuration.stream, config: ConsumerConfig(
            durableName: configuration.consumer, deliverPolicy: .all, ackPolicy: .explicit, ackWait: configuration.ackWait,
            maxDeliver: configuration.maximumDeliveries, filterSubject: configuration.subject))
    }

    public func enqueue(_ job: ScanJob) async throws -> Bool {
        let payload = try JSONEncoder().encode(job)
        let ack = try await jetStream.publish(configuration.subject, payload: ByteBuffer(bytes: payload), headers: nil, messageID: job.key)
        return !ack.duplicate
    }

    public func claim(worker: String, lease: TimeInterval, now: Date) async throws -> ClaimedJob? {
        let messages = try await jetStream.fetch(stream: configuration.stream, consumer: configuration.consumer, batch: 1,
                                                 expires: configuration.fetchWait, noWait: false)
        guard let message = messages.first else { return nil }
        let job: ScanJob
        do {
            job = try JSONDecoder().decode(ScanJob.self, from: Data(message.payload.readableBytesView))
        } catch {
            // Not ours, or from an incompatible version: never retried, never run.
            logger.error("queue message is not a scan job; terminated", metadata: ["sequence": "\(message.metadata.streamSequence)"])
            try await message.term()
            return nil
        }
        let id = Int(message.metadata.streamSequence)
        inFlight[id] = message
        return ClaimedJob(id: id, job: job, attempt: Int(message.metadata.delivered), leaseOwner: worker)
    }

    public func heartbeat(_ job: ClaimedJob, lease: TimeInterval, now: Date) async throws {
        try await inFlight[job.id]?.inProgress()
    }

    public func complete(_ job: ClaimedJob) async throws {
        guard let message = inFlight.removeValue(forKey: job.id) else { return }
        try await message.doubleAck()
    }

    public func retry(_ job: ClaimedJob, delay: TimeInterval, reason: String, maximumAttempts: Int, now: Date) async throws {
        guard let message = inFlight.removeValue(forKey: job.id) else { return }
        if job.attempt >= maximumAttempts {
            try await message.term()
        } else {
            try await message.nak(delay: .milliseconds(Int64(delay * 1000)))
        }
    }

    /// From the consumer's state: `queued` not yet delivered, `running` delivered and not yet
    /// acknowledged, `waiting` pull requests (idle workers), `redelivered`.
    public func counts() async throws -> [String: Int] {
        let info = try await jetStream.consumerInfo(stream: configuration.stream, consumer: configuration.consumer)
        return ["queued": Int(info.numPending), "running": info.numAckPending, "waiting": info.numWaiting,
                "redelivered": info.numRedelivered]
    }

    /// `claim` waits for work itself.
    public func waitForWork(timeout: Duration) async {}
}

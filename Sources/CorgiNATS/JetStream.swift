import Foundation
public import NIOCore

/// The JetStream operations a service needs, so tests can substitute a double for ``JetStream``.
public protocol JetStreamContext: Sendable {
    /// Creates the stream, or updates it when it exists with another configuration.
    func createOrUpdateStream(_ config: StreamConfig) async throws -> StreamInfo
    func streamInfo(_ name: String) async throws -> StreamInfo
    func deleteStream(_ name: String) async throws
    /// Creates the durable pull consumer, or updates it when it exists with another configuration.
    func createOrUpdateConsumer(stream: String, config: ConsumerConfig) async throws -> ConsumerInfo
    func consumerInfo(stream: String, consumer: String) async throws -> ConsumerInfo
    func deleteConsumer(stream: String, consumer: String) async throws
    /// Publishes and waits for the stream's acknowledgement. A `messageID` goes out as `Nats-Msg-Id`,
    /// so a retried publish within the duplicate window is stored once. Throws
    /// ``NATSError/noResponders(subject:)`` when no stream captures the subject.
    func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, messageID: String?) async throws -> PublishAck
    /// Pulls up to `batch` messages from a pull consumer. Returns when `batch` messages arrived, when
    /// the server reports none left (404/408), or when `expires` has passed, with what arrived so far.
    /// With `noWait` the server answers at once instead of holding the request open.
    func fetch(stream: String, consumer: String, batch: Int, expires: Duration, noWait: Bool) async throws -> [JetStreamMessage]
}

extension JetStreamContext {
    public func publish(_ subject: String, payload: ByteBuffer, messageID: String? = nil) async throws -> PublishAck {
        try await publish(subject, payload: payload, headers: nil, messageID: messageID)
    }

    public func fetch(stream: String, consumer: String, batch: Int, expires: Duration = .seconds(5)) async throws -> [JetStreamMessage] {
        try await fetch(stream: stream, consumer: consumer, batch: batch, expires: expires, noWait: false)
    }
}

/// JetStream over the `$JS.API` request subjects of a NATS connection.
public struct JetStream: JetStreamContext {
    public let connection: any NATSConnectionProtocol
    /// `$JS.API`, or `$JS.<domain>.API` for a JetStream domain.
    public let apiPrefix: String
    /// For API requests and publish acknowledgements.
    public var timeout: Duration

    public init(connection: any NATSConnectionProtocol, domain: String? = nil, timeout: Duration = .seconds(5)) {
        self.connection = connection
        self.apiPrefix = domain.map { "$JS.\($0).API" } ?? "$JS.API"
        self.timeout = timeout
    }

    public func createOrUpdateStream(_ config: StreamConfig) async throws -> StreamInfo {
        do {
            return try await api("STREAM.CREATE.\(config.name)", body: config)
        } catch JetStreamError.api(let error) where error.errorCode == JetStreamAPIError.streamNameInUse {
            return try await api("STREAM.UPDATE.\(config.name)", body: config)
        }
    }

    public func streamInfo(_ name: String) async throws -> StreamInfo {
        try await api("STREAM.INFO.\(name)")
    }

    public func deleteStream(_ name: String) async throws {
        let _: DeleteResponse = try await api("STREAM.DELETE.\(name)")
    }

    public func createOrUpdateConsumer(stream: String, config: ConsumerConfig) async throws -> ConsumerInfo {
        // `CONSUMER.CREATE.<stream>.<name>` (nats-server 2.9+) creates a durable, or updates it when
        // the configuration differs in fields that may change.
        try await api("CONSUMER.CREATE.\(stream).\(config.durableName)", body: ConsumerCreateRequest(streamName: stream, config: config))
    }

    public func consumerInfo(stream: String, consumer: String) async throws -> ConsumerInfo {
        try await api("CONSUMER.INFO.\(stream).\(consumer)")
    }

    public func deleteConsumer(stream: String, consumer: String) async throws {
        let _: DeleteResponse = try await api("CONSUMER.DELETE.\(stream).\(consumer)")
    }

    public func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, messageID: String?) async throws -> PublishAck {
        var headers = headers
        if let messageID {
            headers = headers ?? NATSHeaders()
            headers?["Nats-Msg-Id"] = messageID
        }
        let reply = try await connection.request(subject, payload: payload, headers: headers, timeout: timeout)
        return try Self.decode(PublishAck.self, from: reply.payload)
    }

    public func fetch(stream: String, consumer: String, batch: Int, expires: Duration, noWait: Bool) async throws -> [JetStreamMessage] {
        guard batch > 0 else { throw JetStreamError.invalidArgument("batch must be positive") }
        guard expires > .zero else { throw JetStreamError.invalidArgument("expires must be positive") }
        let inbox = connection.newInbox()
        // Deliveries carry the stream subject, not the inbox, so each fetch needs its own subscription.
        let subscription = try await connection.subscribe(to: inbox, queueGroup: nil)
        // nats-server reads no_wait together with expires as "wait until expiry for the first
        // message", so a no-wait pull sends no expiry; `expires` then only bounds the local wait.
        let request = noWait ? PullRequest(batch: batch, expires: nil, noWait: true) : PullRequest(batch: batch, expires: expires.nanoseconds, noWait: nil)
        do {
            try await connection.publish("\(apiPrefix).CONSUMER.MSG.NEXT.\(stream).\(consumer)",
                                         payload: try Self.encode(request), headers: nil, replyTo: inbox)
            let messages = try await collect(from: subscription, batch: batch, until: .now + expires + .milliseconds(500))
            try? await subscription.unsubscribe()
            return messages
        } catch {
            try? await subscription.unsubscribe()
            throw error
        }
    }

    private func collect(from subscription: NATSSubscription, batch: Int, until deadline: ContinuousClock.Instant) async throws -> [JetStreamMessage] {
        let connection = self.connection
        return try await withThrowingTaskGroup(of: [JetStreamMessage]?.self) { group in
            group.addTask {
                var messages: [JetStreamMessage] = []
                for await message in subscription {
                    if let status = message.status {
                        switch status {
                        case 100: continue  // idle heartbeat
                        case 404, 408: return messages
                        default:
                            if messages.isEmpty {
                                throw JetStreamError.pullFailed(status: status, description: message.headers?.statusDescription ?? "")
                            }
                            return messages
                        }
                    }
                    messages.append(try JetStreamMessage(message, connection: connection))
                    if messages.count == batch { return messages }
                }
                return messages  // cancelled at the deadline, or the connection closed
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            while let result = try await group.next() {
                if let messages = result {
                    group.cancelAll()
                    return messages
                }
                group.cancelAll()  // deadline: the collector returns what it has
            }
            return []
        }
    }

    // MARK: API plumbing

    private func api<Response: Decodable>(_ operation: String, body: some Encodable) async throws -> Response {
        try await api(operation, payload: try Self.encode(body))
    }

    private func api<Response: Decodable>(_ operation: String, payload: ByteBuffer = ByteBuffer()) async throws -> Response {
        let reply = try await connection.request("\(apiPrefix).\(operation)", payload: payload, headers: nil, timeout: timeout)
        return try Self.decode(Response.self, from: reply.payload)
    }

    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }

    /// Decodes a JetStream answer, turning an `{"error":...}` answer into ``JetStreamError/api(_:)``.
    static func decode<Response: Decodable>(_ type: Response.Type, from payload: ByteBuffer) throws -> Response {
        let data = Data(payload.readableBytesView)
        let decoder = JSONDecoder()
        if let envelope = try? decoder.decode(APIErrorEnvelope.self, from: data), let error = envelope.error {
            throw JetStreamError.api(error)
        }
        do {
            return try decoder.decode(Response.self, from: data)
        } catch {
            throw JetStreamError.invalidResponse("\(error): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}

public import NIOCore

/// A message fetched from a JetStream consumer, with the acknowledgements it accepts.
public struct JetStreamMessage: Sendable {
    public let message: NATSMessage
    public let metadata: JetStreamMessageMetadata
    let connection: any NATSConnectionProtocol

    /// Throws ``JetStreamError/notJetStreamMessage(_:)`` unless the reply subject is a `$JS.ACK` subject.
    public init(_ message: NATSMessage, connection: any NATSConnectionProtocol) throws {
        guard let reply = message.replyTo else { throw JetStreamError.notJetStreamMessage("") }
        self.metadata = try JetStreamMessageMetadata(ackSubject: reply)
        self.message = message
        self.connection = connection
    }

    public var subject: String { message.subject }
    public var headers: NATSHeaders? { message.headers }
    public var payload: ByteBuffer { message.payload }

    /// Acknowledges without waiting: the message is done (and removed from a work-queue stream).
    public func ack() async throws {
        try await reply("+ACK")
    }

    /// Acknowledges and waits for the server to confirm it recorded the ack, so a crash right after
    /// cannot lead to a redelivery of work already done.
    public func doubleAck(timeout: Duration = .seconds(5)) async throws {
        _ = try await connection.request(message.replyTo!, payload: ByteBuffer(string: "+ACK"), headers: nil, timeout: timeout)
    }

    /// Asks for redelivery, at once or after `delay`.
    public func nak(delay: Duration? = nil) async throws {
        if let delay {
            let body = try JetStream.encode(NakRequest(delay: delay.nanoseconds))
            try await reply("-NAK " + String(buffer: body))
        } else {
            try await reply("-NAK")
        }
    }

    /// Resets the ack wait: still working on it.
    public func inProgress() async throws {
        try await reply("+WPI")
    }

    /// Never redeliver this message.
    public func term() async throws {
        try await reply("+TERM")
    }

    private func reply(_ body: String) async throws {
        try await connection.publish(message.replyTo!, payload: ByteBuffer(string: body), headers: nil, replyTo: nil)
    }
}

/// What the `$JS.ACK` reply subject says about a delivery.
public struct JetStreamMessageMetadata: Sendable, Equatable {
    public var domain: String?
    public var accountHash: String?
    public var stream: String
    public var consumer: String
    /// How many times this message has been delivered, this delivery included.
    public var delivered: UInt64
    public var streamSequence: UInt64
    public var consumerSequence: UInt64
    /// When the message was stored, in nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// Messages still pending for the consumer after this one.
    public var pending: UInt64

    /// Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` and the newer form
    /// `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>]`.
    public init(ackSubject: String) throws {
        var tokens = ackSubject.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard tokens.count >= 9, tokens[0] == "$JS", tokens[1] == "ACK" else {
            throw JetStreamError.notJetStreamMessage(ackSubject)
        }
        if tokens.count == 9 {
            tokens.insert(contentsOf: ["", ""], at: 2)
        } else if tokens.count < 11 || tokens.count > 12 {
            throw JetStreamError.notJetStreamMessage(ackSubject)
        }
        let numbers = tokens[6...10].map { UInt64($0) }
        guard numbers.allSatisfy({ $0 != nil }), !tokens[4].isEmpty, !tokens[5].isEmpty else {
            throw JetStreamError.notJetStreamMessage(ackSubject)
        }
        domain = tokens[2].isEmpty || tokens[2] == "_" ? nil : tokens[2]
        accountHash = tokens[3].isEmpty ? nil : tokens[3]
        stream = tokens[4]
        consumer = tokens[5]
        delivered = numbers[0]!
        streamSequence = numbers[1]!
        consumerSequence = numbers[2]!
        timestamp = numbers[3]!
        pending = numbers[4]!
    }
}

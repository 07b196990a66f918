public import NIOCore

/// The core NATS operations a service needs, so tests can substitute a double for ``NATSConnection``.
public protocol NATSConnectionProtocol: Sendable {
    func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, replyTo: String?) async throws
    func subscribe(to subject: String, queueGroup: String?) async throws -> NATSSubscription
    /// Publishes with a unique reply subject and waits for the first reply. Throws
    /// ``NATSError/noResponders(subject:)`` when nothing is subscribed and
    /// ``NATSError/timedOut(_:)`` when no reply comes in time.
    func request(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, timeout: Duration) async throws -> NATSMessage
    /// Returns once the server has processed everything sent before it (a PING/PONG round trip).
    func flush() async throws
    /// A subject no other client will use, for replies.
    func newInbox() -> String
}

extension NATSConnectionProtocol {
    public func publish(_ subject: String, payload: ByteBuffer = ByteBuffer(), headers: NATSHeaders? = nil) async throws {
        try await publish(subject, payload: payload, headers: headers, replyTo: nil)
    }

    public func publish(_ subject: String, string: String, headers: NATSHeaders? = nil) async throws {
        try await publish(subject, payload: ByteBuffer(string: string), headers: headers, replyTo: nil)
    }

    public func subscribe(to subject: String) async throws -> NATSSubscription {
        try await subscribe(to: subject, queueGroup: nil)
    }

    public func request(_ subject: String, payload: ByteBuffer = ByteBuffer(), timeout: Duration = .seconds(5)) async throws -> NATSMessage {
        try await request(subject, payload: payload, headers: nil, timeout: timeout)
    }
}

/// Errors a ``NATSConnection`` reports to its callers.
public enum NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server rejected the credentials (`-ERR 'Authorization Violation'` and the like).
    case authorizationViolation(String)
    /// Any other `-ERR` the server sent.
    case server(String)
    /// A request reached no subscriber: the server answered with status 503.
    case noResponders(subject: String)
    case timedOut(String)
    /// The connection was never established (call `connect()` first).
    case notConnected
    /// The connection was closed by `close()` or gave up reconnecting.
    case connectionClosed
    /// The connection dropped while the operation waited for the server.
    case disconnected
    case connectionFailed(String)
    case tls(String)
    case invalidSubject(String)
    case invalidHeader(String)
    case payloadTooLarge(size: Int, limit: Int)
    /// A publish while reconnecting would exceed ``NATSOptions/reconnectBufferSize``.
    case reconnectBufferFull(limit: Int)
    case invalidNKeySeed(String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .authorizationViolation(let message): "NATS authorization failed: \(message)"
        case .server(let message): "NATS server error: \(message)"
        case .noResponders(let subject): "no responders for '\(subject)'"
        case .timedOut(let what): "NATS \(what) timed out"
        case .notConnected: "NATS connection is not connected"
        case .connectionClosed: "NATS connection is closed"
        case .disconnected: "NATS connection dropped"
        case .connectionFailed(let reason): "NATS connection failed: \(reason)"
        case .tls(let reason): "NATS TLS failed: \(reason)"
        case .invalidSubject(let subject): "invalid NATS subject '\(subject)'"
        case .invalidHeader(let reason): "invalid NATS header: \(reason)"
        case .payloadTooLarge(let size, let limit): "NATS payload of \(size) bytes exceeds the server's limit of \(limit)"
        case .reconnectBufferFull(let limit): "NATS reconnect buffer of \(limit) bytes is full"
        case .invalidNKeySeed(let reason): "invalid nkey seed: \(reason)"
        case .invalidURL(let url): "invalid NATS URL '\(url)'"
        }
    }

    /// Maps an `-ERR` text to an error: authentication failures get their own case so callers can
    /// tell bad credentials from everything else.
    static func fromServer(_ message: String) -> NATSError {
        let lowered = message.lowercased()
        if lowered.contains("authorization") || lowered.contains("authentication") {
            return .authorizationViolation(message)
        }
        return .server(message)
    }
}

/// The server sent bytes that are not the NATS protocol. The connection is dropped (and, if enabled,
/// re-established) when this happens.
public enum NATSProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOperation(String)
    case malformedControlLine(String)
    case controlLineTooLong(limit: Int)
    case payloadTooLarge(size: Int, limit: Int)
    case missingPayloadTerminator
    case invalidHeaders(String)
    case invalidInfo(String)

    public var description: String {
        switch self {
        case .unknownOperation(let line): "unknown NATS operation in '\(line)'"
        case .malformedControlLine(let line): "malformed NATS control line '\(line)'"
        case .controlLineTooLong(let limit): "NATS control line longer than \(limit) bytes"
        case .payloadTooLarge(let size, let limit): "NATS message of \(size) bytes exceeds the \(limit) byte limit"
        case .missingPayloadTerminator: "NATS message payload not followed by CRLF"
        case .invalidHeaders(let reason): "invalid NATS headers: \(reason)"
        case .invalidInfo(let reason): "invalid NATS INFO: \(reason)"
        }
    }
}

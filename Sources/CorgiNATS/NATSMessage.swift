public import NIOCore

/// A message delivered by the server (`MSG` or `HMSG`).
public struct NATSMessage: Sendable, Equatable {
    public var subject: String
    public var replyTo: String?
    /// `nil` for a `MSG` (no header block).
    public var headers: NATSHeaders?
    public var payload: ByteBuffer
    /// The subscription the server delivered it to.
    public var sid: UInt64

    public init(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: ByteBuffer = ByteBuffer(), sid: UInt64 = 0) {
        self.subject = subject
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
        self.sid = sid
    }

    /// The status code of a control message (404, 408, 409, 503, 100), if any.
    public var status: Int? { headers?.status }

    public var payloadString: String { String(buffer: payload) }
}

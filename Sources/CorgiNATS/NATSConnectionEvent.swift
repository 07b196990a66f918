public enum NATSConnectionStatus: Sendable, Equatable {
    /// Created, `connect()` not called yet (or the first connect failed).
    case idle
    case connecting
    case connected
    /// The connection dropped; publishes are buffered and subscriptions will be restored.
    case reconnecting
    /// After `close()`, or after reconnecting gave up. Final.
    case closed
}

public enum NATSConnectionEvent: Sendable, Equatable {
    case connected
    case disconnected(reason: String)
    case reconnected
    case closed
    /// An `-ERR` from the server, e.g. a permissions violation (the connection stays up) or, while
    /// reconnecting, rejected credentials.
    case serverError(NATSError)
    /// The server is shutting down gracefully; a reconnect will follow.
    case lameDuckMode
    /// A subscription's buffer was full and messages were dropped (reported once per subscription).
    case slowConsumer(subject: String)
}

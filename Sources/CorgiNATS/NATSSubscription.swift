/// Messages for one `SUB`. Iterate it to receive; the sequence ends after `unsubscribe()`, after the
/// `afterMessages` limit, or when the connection closes. Cancelling the iterating task, or dropping
/// the subscription, unsubscribes.
public struct NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage

    public let subject: String
    public let queueGroup: String?
    let messages: AsyncStream<NATSMessage>
    let unsubscribeHandler: @Sendable (Int?) async throws -> Void

    /// For test doubles of ``NATSConnectionProtocol``: a subscription over any stream of messages.
    public init(subject: String, queueGroup: String? = nil, messages: AsyncStream<NATSMessage>,
                unsubscribe: @escaping @Sendable (_ afterMessages: Int?) async throws -> Void) {
        self.subject = subject
        self.queueGroup = queueGroup
        self.messages = messages
        self.unsubscribeHandler = unsubscribe
    }

    public func makeAsyncIterator() -> AsyncStream<NATSMessage>.Iterator {
        messages.makeAsyncIterator()
    }

    /// Unsubscribes now, or once `afterMessages` messages in total have been delivered (`UNSUB <sid> <max>`).
    public func unsubscribe(afterMessages: Int? = nil) async throws {
        try await unsubscribeHandler(afterMessages)
    }
}

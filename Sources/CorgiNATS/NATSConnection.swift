import Foundation
public import Logging
public import NIOCore
import NIOPosix

/// A NATS client connection: publish, subscribe, request/reply, with reconnection.
///
/// After the connection drops it reconnects with exponential backoff, sends `CONNECT` again and
/// re-subscribes every live subscription under its old sid, so iterating code does not notice.
/// Publishes made meanwhile are buffered (see ``NATSOptions/reconnectBufferSize``); requests keep
/// waiting for their own timeout. Call ``close()`` when done: the connection keeps itself alive
/// until then.
public actor NATSConnection: NATSConnectionProtocol {
    public nonisolated let options: NATSOptions
    let logger: Logger
    let eventLoopGroup: any EventLoopGroup
    /// Every request's reply subject starts with this; one wildcard subscription covers them all.
    nonisolated let requestInboxPrefix: String

    public internal(set) var status: NATSConnectionStatus = .idle
    /// The latest `INFO` from the server.
    public internal(set) var serverInfo: ServerInfo?

    struct Session {
        let id: Int
        let channel: any Channel
        let address: NATSServerAddress
    }

    struct Subscription {
        let subject: String
        let queueGroup: String?
        let continuation: AsyncStream<NATSMessage>.Continuation
        var max: Int?
        var delivered = 0
        var deliveredThisSession = 0
        var reportedSlow = false
    }

    struct PendingRequest {
        let subject: String
        let continuation: CheckedContinuation<NATSMessage, any Error>
        let timer: Task<Void, Never>
    }

    enum PongWaiter {
        case keepalive
        case flush(id: Int, continuation: CheckedContinuation<Void, any Error>, timer: Task<Void, Never>)
        case abandoned
    }

    var session: Session?
    var sessionCounter = 0
    var serverIndex = 0
    var subscriptions: [UInt64: Subscription] = [:]
    var nextSID: UInt64 = 1
    var requestSID: UInt64?
    var pendingRequests: [String: PendingRequest] = [:]
    var nextRequestToken: UInt64 = 0
    var pongWaiters: [PongWaiter] = []
    var nextFlushID = 0
    var outstandingPings = 0
    var reconnectBuffer = ByteBuffer()
    var eventObservers: [Int: AsyncStream<NATSConnectionEvent>.Continuation] = [:]
    var nextObserverID = 0
    var reconnectTask: Task<Void, Never>?
    var keepaliveTask: Task<Void, Never>?

    /// `eventLoopGroup` defaults to NIO's shared singleton group.
    public init(options: NATSOptions, eventLoopGroup: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "codecorgi.nats")) {
        self.options = options
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.requestInboxPrefix = "\(options.inboxPrefix).\(Self.randomToken())"
    }

    /// Creates a connection and connects it.
    public static func connect(options: NATSOptions, logger: Logger = Logger(label: "codecorgi.nats")) async throws -> NATSConnection {
        let connection = NATSConnection(options: options, logger: logger)
        try await connection.connect()
        return connection
    }

    /// Connects to the first server that accepts. Throws ``NATSError/authorizationViolation(_:)``
    /// for rejected credentials, ``NATSError/tls(_:)`` for TLS failures, otherwise the last error.
    public func connect() async throws {
        switch status {
        case .idle: break
        case .closed: throw NATSError.connectionClosed
        case .connecting, .connected, .reconnecting: return
        }
        status = .connecting
        var lastError: any Error = NATSError.connectionFailed("no servers configured")
        for index in options.servers.indices {
            serverIndex = index
            do {
                try await establishSession()
                logger.info("NATS connected", metadata: ["server": "\(options.servers[index])"])
                emit(.connected)
                return
            } catch {
                lastError = error
                if status == .closed { throw NATSError.connectionClosed }
            }
        }
        status = .idle
        throw lastError
    }

    /// Flushes what was sent (briefly), closes the socket, fails pending requests with
    /// ``NATSError/connectionClosed`` and ends every subscription and event stream.
    public func close() async {
        if status == .closed { return }
        if status == .connected { try? await flush(timeout: .seconds(1)) }
        if status == .closed { return }
        let channel = session?.channel
        shutdown()
        try? await channel?.closeFuture.get()
    }

    /// A new stream of connection events, from now until the connection closes.
    public func events() -> AsyncStream<NATSConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: NATSConnectionEvent.self)
        guard status != .closed else {
            continuation.finish()
            return stream
        }
        let id = nextObserverID
        nextObserverID += 1
        eventObservers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObserver(id) }
        }
        return stream
    }

    public nonisolated func newInbox() -> String {
        "\(options.inboxPrefix).\(Self.randomToken())"
    }

    // MARK: Publish and subscribe

    public func publish(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, replyTo: String?) async throws {
        try SubjectValidation.check(subject, allowWildcards: false)
        if let replyTo { try SubjectValidation.check(replyTo, allowWildcards: false) }
        try sendPublish(subject: subject, replyTo: replyTo, headers: headers, payload: payload)
    }

    public func subscribe(to subject: String, queueGroup: String?) async throws -> NATSSubscription {
        try checkUsable()
        try SubjectValidation.check(subject)
        if let queueGroup { try SubjectValidation.checkQueueGroup(queueGroup) }
        let sid = nextSID
        nextSID += 1
        let (stream, continuation) = AsyncStream.makeStream(
            of: NATSMessage.self, bufferingPolicy: .bufferingOldest(max(1, options.subscriptionBufferLimit)))
        continuation.onTermination = { [weak self] termination in
            guard case .cancelled = termination else { return }
            Task { await self?.removeSubscription(sid) }
        }
        subscriptions[sid] = Subscription(subject: subject, queueGroup: queueGroup, continuation: continuation)
        sendControl(.subscribe(sid: sid, subject: subject, queueGroup: queueGroup))
        return NATSSubscription(subject: subject, queueGroup: queueGroup, messages: stream) { [weak self] max in
            await self?.unsubscribe(sid: sid, afterMessages: max)
        }
    }

    func unsubscribe(sid: UInt64, afterMessages max: Int?) {
        guard var subscription = subscriptions[sid] else { return }
        if let max, max > subscription.delivered {
            subscription.max = max
            subscriptions[sid] = subscription
            // The server counts from this connection's SUB; messages still in flight count on both sides.
            sendControl(.unsubscribe(sid: sid, max: max - subscription.delivered + subscription.deliveredThisSession))
        } else {
            removeSubscription(sid)
        }
    }

    func removeSubscription(_ sid: UInt64) {
        guard let subscription = subscriptions.removeValue(forKey: sid) else { return }
        subscription.continuation.finish()
        sendControl(.unsubscribe(sid: sid, max: nil))
    }

    // MARK: Request/reply and flush

    public func request(_ subject: String, payload: ByteBuffer, headers: NATSHeaders?, timeout: Duration) async throws -> NATSMessage {
        try SubjectValidation.check(subject, allowWildcards: false)
        try checkUsable()
        if requestSID == nil {
            requestSID = nextSID
            nextSID += 1
            sendControl(.subscribe(sid: requestSID!, subject: "\(requestInboxPrefix).*", queueGroup: nil))
        }
        nextRequestToken += 1
        let token = String(nextRequestToken, radix: 36)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<NATSMessage, any Error>) in
                guard !Task.isCancelled else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    await self?.failRequest(token, NATSError.timedOut("request to '\(subject)'"))
                }
                pendingRequests[token] = PendingRequest(subject: subject, continuation: continuation, timer: timer)
                do {
                    try sendPublish(subject: subject, replyTo: "\(requestInboxPrefix).\(token)", headers: headers, payload: payload)
                } catch {
                    failRequest(token, error)
                }
            }
        } onCancel: {
            Task { await self.failRequest(token, CancellationError()) }
        }
    }

    func failRequest(_ token: String, _ error: any Error) {
        guard let pending = pendingRequests.removeValue(forKey: token) else { return }
        pending.timer.cancel()
        pending.continuation.resume(throwing: error)
    }

    public func flush() async throws {
        try await flush(timeout: options.requestTimeout)
    }

    public func flush(timeout: Duration) async throws {
        guard status == .connected, let session else {
            throw status == .closed ? NATSError.connectionClosed : NATSError.notConnected
        }
        let id = nextFlushID
        nextFlushID += 1
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await self?.expireFlush(id)
            }
            pongWaiters.append(.flush(id: id, continuation: continuation, timer: timer))
            write(.ping, to: session)
        }
    }

    func expireFlush(_ id: Int) {
        guard let index = pongWaiters.firstIndex(where: { if case .flush(id, _, _) = $0 { true } else { false } }),
              case .flush(_, let continuation, _) = pongWaiters[index]
        else { return }
        // Keep the slot: PONGs answer PINGs in order.
        pongWaiters[index] = .abandoned
        continuation.resume(throwing: NATSError.timedOut("flush"))
    }

    // MARK: Inbound

    func handle(_ operation: ServerOperation, session: Session) {
        switch operation {
        case .message(let message):
            deliver(message)
        case .ping:
            write(.pong, to: session)
        case .pong:
            outstandingPings = 0
            guard !pongWaiters.isEmpty else { return }
            if case .flush(_, let continuation, let timer) = pongWaiters.removeFirst() {
                timer.cancel()
                continuation.resume()
            }
        case .ok:
            break
        case .info(let info):
            serverInfo = info
            if info.lameDuckMode { emit(.lameDuckMode) }
        case .error(let text):
            logger.warning("NATS server error", metadata: ["error": "\(text)"])
            emit(.serverError(NATSError.fromServer(text)))
        }
    }

    func deliver(_ message: NATSMessage) {
        if message.sid == requestSID {
            let token = String(message.subject.dropFirst(requestInboxPrefix.count + 1))
            guard let pending = pendingRequests.removeValue(forKey: token) else { return }
            pending.timer.cancel()
            if message.status == 503 {
                pending.continuation.resume(throwing: NATSError.noResponders(subject: pending.subject))
            } else {
                pending.continuation.resume(returning: message)
            }
            return
        }
        guard var subscription = subscriptions[message.sid] else { return }
        subscription.delivered += 1
        subscription.deliveredThisSession += 1
        if case .dropped = subscription.continuation.yield(message), !subscription.reportedSlow {
            subscription.reportedSlow = true
            logger.warning("NATS slow consumer: dropping messages", metadata: ["subject": "\(subscription.subject)"])
            emit(.slowConsumer(subject: subscription.subject))
        }
        if let max = subscription.max, subscription.delivered >= max {
            subscriptions[message.sid] = nil
            subscription.continuation.finish()
        } else {
            subscriptions[message.sid] = subscription
        }
    }

    // MARK: Outbound

    func sendPublish(subject: String, replyTo: String?, headers: NATSHeaders?, payload: ByteBuffer) throws {
        let size = payload.readableBytes + (try headers?.encoded().utf8.count ?? 0)
        if let limit = serverInfo?.maxPayload, size > limit {
            throw NATSError.payloadTooLarge(size: size, limit: limit)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.readableBytes + subject.utf8.count + 64)
        try buffer.writeCommand(.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload))
        switch status {
        case .connected:
            session?.channel.writeAndFlush(buffer, promise: nil)
        case .reconnecting:
            guard reconnectBuffer.readableBytes + buffer.readableBytes <= options.reconnectBufferSize else {
                throw NATSError.reconnectBufferFull(limit: options.reconnectBufferSize)
            }
            reconnectBuffer.writeImmutableBuffer(buffer)
        case .idle, .connecting:
            throw NATSError.notConnected
        case .closed:
            throw NATSError.connectionClosed
        }
    }

    /// SUB/UNSUB go out only when connected; while reconnecting the subscription table is replayed.
    func sendControl(_ command: ClientCommand) {
        guard status == .connected, let session else { return }
        write(command, to: session)
    }

    func write(_ command: ClientCommand, to session: Session) {
        var buffer = session.channel.allocator.buffer(capacity: 64)
        do {
            try buffer.writeCommand(command)
        } catch {
            logger.error("NATS cannot encode command", metadata: ["error": "\(error)"])
            return
        }
        session.channel.writeAndFlush(buffer, promise: nil)
    }

    func checkUsable() throws {
        switch status {
        case .idle, .connecting: throw NATSError.notConnected
        case .closed: throw NATSError.connectionClosed
        case .connected, .reconnecting: break
        }
    }

    // MARK: Events

    func emit(_ event: NATSConnectionEvent) {
        for observer in eventObservers.values { observer.yield(event) }
    }

    func removeObserver(_ id: Int) {
        eventObservers[id] = nil
    }

    static func randomToken() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<22).map { _ in alphabet.randomElement()! })
    }
}

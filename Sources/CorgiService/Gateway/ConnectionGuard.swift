import HTTPTypes
import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTPTypes

/// What an unauthenticated client may hold of the listener.
public struct ConnectionLimits: Sendable {
    /// From the connection's start (TLS handshake included) or the end of the previous response,
    /// until the request's head has arrived.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// From the request's head until its body has ended.
    public var bodyTimeout: TimeAmount = .seconds(30)
    /// Open connections from one remote address; more are closed at once. Behind a proxy every
    /// client shares its address: raise it there (`server.max_connections_per_client`).
    public var connectionsPerClient = 32

    public init() {}
}

/// Counts open connections per remote address, across the listener's event loops.
final class ClientConnections: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    /// Registers one more connection from `client`; false (and nothing registered) when it has `limit` already.
    func open(_ client: String, limit: Int) -> Bool {
        counts.withLockedValue { counts in
            let current = counts[client, default: 0]
            guard current < limit else { return false }
            counts[client] = current + 1
            return true
        }
    }

    func close(_ client: String) {
        counts.withLockedValue { counts in
            let remaining = counts[client, default: 1] - 1
            counts[client] = remaining > 0 ? remaining : nil
        }
    }
}

/// One per connection, after HTTP decoding: closes a connection whose client is over its cap,
/// whose request head does not arrive within `headerTimeout` (slow headers), or whose body does not
/// end within `bodyTimeout` of its head (slow bodies). The timers run on the channel's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Where the connection is in its request cycle; each waiting state owns the timer that ends it.
    private enum State {
        case idle
        case awaitingHead(Scheduled<Void>)
        case readingBody(Scheduled<Void>)
        case responding
        case closed
    }

    private let limits: ConnectionLimits
    private let clients: ClientConnections
    private let logger: Logger
    private var state = State.idle
    private var client: String?

    init(limits: ConnectionLimits, clients: ClientConnections, logger: Logger) {
        self.limits = limits
        self.clients = clients
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard clients.open(address, limit: limits.connectionsPerClient) else {
            logger.warning("connection refused: too many from one client", metadata: ["limit": "\(limits.connectionsPerClient)"])
            state = .closed
            context.close(promise: nil)
            return
        }
        client = address
        state = .awaitingHead(deadline(context, limits.headerTimeout, "request head not received in time"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if case .awaitingHead(let timer) = state { timer.cancel() }
            state = .readingBody(deadline(context, limits.bodyTimeout, "request body not received in time"))
        case .end:
            if case .readingBody(let timer) = state { timer.cancel() }
            if case .closed = state {} else { state = .responding }
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), case .responding = state {
            // Keep-alive: the next request's head has the same time to arrive as the first.
            state = .awaitingHead(deadline(context, limits.headerTimeout, "request head not received in time"))
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func release() {
        switch state {
        case .awaitingHead(let timer), .readingBody(let timer): timer.cancel()
        case .idle, .responding, .closed: break
        }
        state = .closed
        if let client {
            clients.close(client)
            self.client = nil
        }
    }

    private func deadline(_ context: ChannelHandlerContext, _ timeout: TimeAmount, _ reason: String) -> Scheduled<Void> {
        let channel = context.channel
        let logger = self.logger
        return context.eventLoop.scheduleTask(in: timeout) {
            logger.info("connection closed: \(reason)")
            channel.close(promise: nil)
        }
    }
}

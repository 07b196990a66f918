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
    /// After a body over `UnverifiedBodyBudget.smallBodyBytes` is answered 401 (its signature did
    /// not verify), the client's next large bodies are refused at their head for this long: reading
    /// and hashing 25 MiB costs real CPU, and a forge never sends a bad signature.
    public var refusedLargeBodyCooldown: TimeAmount = .seconds(60)
    /// How long such a refusal waits, reading nothing, before it is sent.
    public var refusalDelay: TimeAmount = .seconds(1)

    public init() {}
}

/// Counts open connections per remote address, across the listener's event loops, and remembers
/// the clients whose large bodies failed authentication.
final class ClientConnections: Sendable {
    /// Clients remembered at once; beyond it the entry that ends first is forgotten, so an
    /// attacker with many addresses cannot grow the table.
    static let maximumPenalties = 4_096

    private let counts = NIOLockedValueBox<[String: Int]>([:])
    private let penalties = NIOLockedValueBox<[String: NIODeadline]>([:])

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

    /// Refuses `client`'s large bodies until `deadline`.
    func penalize(_ client: String, until deadline: NIODeadline, now: NIODeadline = .now()) {
        penalties.withLockedValue { penalties in
            penalties[client] = max(deadline, penalties[client] ?? deadline)
            guard penalties.count > Self.maximumPenalties else { return }
            penalties = penalties.filter { $0.value > now }
            while penalties.count > Self.maximumPenalties, let first = penalties.min(by: { $0.value < $1.value }) {
                penalties[first.key] = nil
            }
        }
    }

    func isPenalized(_ client: String, now: NIODeadline = .now()) -> Bool {
        penalties.withLockedValue { penalties in
            guard let until = penalties[client] else { return false }
            if until > now { return true }
            penalties[client] = nil
            return false
        }
    }

    var penaltyCount: Int { penalties.withLockedValue(\.count) }
}

/// One per connection, after HTTP decoding: closes a connection whose client is over its cap,
/// whose request head does not arrive within `headerTimeout` (slow headers), or whose body does not
/// end within `bodyTimeout` of its head (slow bodies). The timers run on the channel's event loop.
/// A client whose large body was answered 401 has its next large bodies answered 429 at their
/// head, before a byte of them is read, for `refusedLargeBodyCooldown`.
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
        /// A refused request: its parts are dropped, and the refusal is sent when the timer fires.
        case refusing(Scheduled<Void>)
        case closed
    }

    private let limits: ConnectionLimits
    private let clients: ClientConnections
    private let logger: Logger
    private var state = State.idle
    private var client: String?
    /// Whether the request being answered declared a body over `UnverifiedBodyBudget.smallBodyBytes`
    /// (or did not declare its length).
    private var requestIsLarge = false

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
        if case .refusing = state { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            if case .awaitingHead(let timer) = state { timer.cancel() }
            requestIsLarge = Self.isLarge(request)
            if requestIsLarge, let client, clients.isPenalized(client) {
                refuse(context)
                return
            }
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
        if case .head(let response) = unwrapOutboundIn(data), response.status == .unauthorized, requestIsLarge, let client {
            clients.penalize(client, until: .now() + limits.refusedLargeBodyCooldown)
            logger.warning("client's large bodies refused for a while: one failed authentication",
                           metadata: ["seconds": "\(limits.refusedLargeBodyCooldown.nanoseconds / 1_000_000_000)"])
        }
        if case .end = unwrapOutboundIn(data), case .responding = state {
            // Keep-alive: the next request's head has the same time to arrive as the first.
            state = .awaitingHead(deadline(context, limits.headerTimeout, "request head not received in time"))
        }
        context.write(data, promise: promise)
    }

    /// A chunked body (no declared length) is read chunk by chunk and may grow as large as any;
    /// a request with neither header has no body.
    static func isLarge(_ request: HTTPRequest) -> Bool {
        guard let length = request.headerFields[.contentLength] else { return request.headerFields[.transferEncoding] != nil }
        return (Int(length) ?? .max) > UnverifiedBodyBudget.smallBodyBytes
    }

    /// Answers 429 and closes, without passing the request on or reading its body. The answer
    /// waits `refusalDelay` with reading stopped (a tarpit): the client's body fills the socket
    /// buffers and costs us nothing, and a client that reconnects at once cannot make us spend
    /// CPU on more than a few refusals a second. The connection cap bounds the waiting connections.
    private func refuse(_ context: ChannelHandlerContext) {
        if case .readingBody(let timer) = state { timer.cancel() }
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        var response = HTTPResponse(status: .tooManyRequests)
        response.headerFields[.retryAfter] = "\(limits.refusedLargeBodyCooldown.nanoseconds / 1_000_000_000)"
        response.headerFields[.connection] = "close"
        response.headerFields[.contentLength] = "0"
        let head = wrapOutboundOut(.head(response)), end = wrapOutboundOut(.end(nil))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        state = .refusing(context.eventLoop.scheduleTask(in: limits.refusalDelay) {
            // Cancelled by `release()` if the connection ends first, so the context is still valid.
            let context = loopBound.value
            context.write(head, promise: nil)
            let channel = context.channel
            context.writeAndFlush(end).whenComplete { _ in channel.close(promise: nil) }
        })
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
        case .awaitingHead(let timer), .readingBody(let timer), .refusing(let timer): timer.cancel()
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

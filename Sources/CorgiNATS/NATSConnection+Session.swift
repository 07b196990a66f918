import Logging
import NIOCore
import NIOPosix
import NIOSSL

extension NATSConnection {
    /// Opens one connection: TCP, `INFO`, TLS if wanted, `CONNECT` + `PING`, then waits for `PONG`
    /// (or `-ERR`). Only once the server has accepted does it become the current session, restore
    /// the subscriptions and send what was buffered while disconnected.
    func establishSession() async throws {
        let address = options.servers[serverIndex % options.servers.count]
        let (operations, continuation) = AsyncThrowingStream.makeStream(of: ServerOperation.self, throwing: (any Error).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.nanoseconds(options.connectTimeout.nanoseconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NATSInboundHandler(continuation: continuation))
                    }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            continuation.finish()
            throw NATSError.connectionFailed("\(address): \(error)")
        }

        let deadline = ContinuousClock.now + options.connectTimeout
        let watchdog = Task {
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }

        var usingTLS = false
        do {
            var iterator = operations.makeAsyncIterator()
            let info: ServerInfo
            switch try await iterator.next(isolation: #isolation) {
            case .info(let first): info = first
            case .error(let text): throw NATSError.fromServer(text)
            case .some(let other): throw NATSError.connectionFailed("\(address) sent \(other) before INFO")
            case nil: throw NATSError.connectionFailed("\(address) closed the connection before INFO")
            }
            serverInfo = info

            if options.tls != nil || info.tlsRequired {
                guard info.tlsRequired || info.tlsAvailable else {
                    throw NATSError.tls("\(address) does not offer TLS")
                }
                usingTLS = true
                try await startTLS(on: channel, address: address)
            }

            var buffer = channel.allocator.buffer(capacity: 512)
            try buffer.writeCommand(.connect(try connectRequest(info: info, tls: usingTLS)))
            try buffer.writeCommand(.ping)
            channel.writeAndFlush(buffer, promise: nil)

            handshake: while true {
                switch try await iterator.next(isolation: #isolation) {
                case .pong: break handshake
                case .error(let text): throw NATSError.fromServer(text)
                case .ping: channel.writeAndFlush(Self.encoded(.pong), promise: nil)
                case .info(let update): serverInfo = update
                case .ok, .message: continue
                case nil:
                    throw usingTLS
                        ? NATSError.tls("\(address) closed the connection during the TLS handshake or CONNECT")
                        : NATSError.connectionFailed("\(address) closed the connection during CONNECT")
                }
            }
        } catch {
            channel.close(promise: nil)
            if ContinuousClock.now >= deadline { throw NATSError.timedOut("connecting to \(address)") }
            if error is NATSError || error is NATSProtocolError { throw error }
            throw usingTLS ? NATSError.tls("\(address): \(error)") : NATSError.connectionFailed("\(address): \(error)")
        }

        guard status == .connecting || status == .reconnecting else {
            channel.close(promise: nil)
            throw NATSError.connectionClosed
        }
        sessionCounter += 1
        let session = Session(id: sessionCounter, channel: channel, address: address)
        self.session = session
        status = .connected
        outstandingPings = 0
        restoreSubscriptions(on: session)
        Task { await self.readLoop(session, operations) }
        startKeepalive(session.id)
    }

    private func restoreSubscriptions(on session: Session) {
        var buffer = session.channel.allocator.buffer(capacity: 256)
        for (sid, subscription) in subscriptions.sorted(by: { $0.key < $1.key }) {
            try? buffer.writeCommand(.subscribe(sid: sid, subject: subscription.subject, queueGroup: subscription.queueGroup))
            subscriptions[sid]?.deliveredThisSession = 0
            if let max = subscription.max {
                try? buffer.writeCommand(.unsubscribe(sid: sid, max: max - subscription.delivered))
            }
        }
        if let requestSID {
            try? buffer.writeCommand(.subscribe(sid: requestSID, subject: "\(requestInboxPrefix).*", queueGroup: nil))
        }
        buffer.writeImmutableBuffer(reconnectBuffer)
        reconnectBuffer.clear()
        if buffer.readableBytes > 0 { session.channel.writeAndFlush(buffer, promise: nil) }
    }

    private func startTLS(on channel: any Channel, address: NATSServerAddress) async throws {
        let tls = options.tls ?? NATSTLSOptions()
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile = tls.caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if let certificateFile = tls.certificateFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            }
            if let privateKeyFile = tls.privateKeyFile {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
            }
        } catch {
            throw NATSError.tls("cannot load certificates or key: \(error)")
        }
        let context = try NIOSSLContext(configuration: configuration)
        let name = tls.serverName ?? address.host
        // SNI cannot carry an IP address; without a name NIOSSL verifies the peer's IP instead.
        let serverHostname = (try? SocketAddress(ipAddress: name, port: 0)) == nil ? name : nil
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    private func connectRequest(info: ServerInfo, tls: Bool) throws -> ConnectRequest {
        var request = ConnectRequest(tlsRequired: tls, name: options.name, echo: options.echo)
        switch options.auth {
        case .none:
            break
        case .userPassword(let user, let password):
            request.user = user
            request.pass = password
        case .token(let token):
            request.authToken = token
        case .nkey(let seed):
            let key = try NKey(seed: seed)
            request.nkey = key.publicKey
            if let nonce = info.nonce { request.sig = try key.signNonce(nonce) }
        }
        return request
    }

    // MARK: Running session

    private func readLoop(_ session: Session, _ operations: AsyncThrowingStream<ServerOperation, any Error>) async {
        var failure: (any Error)?
        do {
            for try await operation in operations {
                handle(operation, session: session)
            }
        } catch {
            failure = error
        }
        sessionEnded(session.id, failure)
    }

    private func sessionEnded(_ id: Int, _ failure: (any Error)?) {
        guard let session, session.id == id else { return }
        self.session = nil
        keepaliveTask?.cancel()
        session.channel.close(promise: nil)
        failPongWaiters(NATSError.disconnected)
        guard status == .connected else { return }
        let reason = failure.map { "\($0)" } ?? "connection closed"
        logger.warning("NATS disconnected", metadata: ["server": "\(session.address)", "reason": "\(reason)"])
        emit(.disconnected(reason: reason))
        guard options.reconnect.enabled else {
            shutdown()
            return
        }
        status = .reconnecting
        reconnectTask = Task { await self.reconnectLoop() }
    }

    private func reconnectLoop() async {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while status == .reconnecting {
            attempt += 1
            if let maxAttempts = options.reconnect.maxAttempts, attempt > maxAttempts {
                logger.error("NATS reconnect gave up", metadata: ["attempts": "\(maxAttempts)"])
                shutdown()
                return
            }
            do {
                try await Task.sleep(for: options.reconnect.delay(forAttempt: attempt, using: &generator))
            } catch {
                return
            }
            guard status == .reconnecting else { return }
            if attempt > 1 { serverIndex += 1 }
            do {
                try await establishSession()
                logger.info("NATS reconnected", metadata: ["attempt": "\(attempt)"])
                emit(.reconnected)
                return
            } catch {
                logger.debug("NATS reconnect attempt failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if let error = error as? NATSError, case .authorizationViolation = error { emit(.serverError(error)) }
            }
        }
    }

    private func startKeepalive(_ sessionID: Int) {
        keepaliveTask?.cancel()
        let interval = options.pingInterval
        keepaliveTask = Task { [weak self] in
            while true {
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                guard let self, await self.sendKeepalive(sessionID) else { return }
            }
        }
    }

    private func sendKeepalive(_ sessionID: Int) -> Bool {
        guard let session, session.id == sessionID else { return false }
        if outstandingPings >= options.maxPingsOutstanding {
            logger.warning("NATS server stopped answering PINGs", metadata: ["server": "\(session.address)"])
            session.channel.close(promise: nil)
            return false
        }
        outstandingPings += 1
        pongWaiters.append(.keepalive)
        write(.ping, to: session)
        return true
    }

    private func failPongWaiters(_ error: NATSError) {
        let waiters = pongWaiters
        pongWaiters.removeAll()
        for case .flush(_, let continuation, let timer) in waiters {
            timer.cancel()
            continuation.resume(throwing: error)
        }
    }

    /// Final: nothing is sent or received after this.
    func shutdown() {
        status = .closed
        reconnectTask?.cancel()
        keepaliveTask?.cancel()
        session?.channel.close(promise: nil)
        session = nil
        failPongWaiters(.connectionClosed)
        let requests = pendingRequests
        pendingRequests.removeAll()
        for request in requests.values {
            request.timer.cancel()
            request.continuation.resume(throwing: NATSError.connectionClosed)
        }
        let ended = subscriptions
        subscriptions.removeAll()
        for subscription in ended.values { subscription.continuation.finish() }
        reconnectBuffer.clear()
        logger.info("NATS connection closed")
        emit(.closed)
        for observer in eventObservers.values { observer.finish() }
        eventObservers.removeAll()
    }

    static func encoded(_ command: ClientCommand) -> ByteBuffer {
        var buffer = ByteBuffer()
        try? buffer.writeCommand(command)
        return buffer
    }
}

extension Duration {
    /// Whole nanoseconds, saturating: the unit of NATS and JetStream durations.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}

import CorgiNATS
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Workers listen on no port, so they announce themselves over NATS instead: every few seconds
/// each publishes its name on a presence subject, and the gateway counts those heard recently
/// for its readiness endpoint and metrics.
actor WorkerRegistry {
    private var lastSeen: [String: ContinuousClock.Instant] = [:]
    let horizon: Duration

    init(horizon: Duration) { self.horizon = horizon }

    func heard(_ name: String) { lastSeen[name] = .now }

    func alive() -> Int {
        let cutoff = ContinuousClock.now - horizon
        lastSeen = lastSeen.filter { $0.value >= cutoff }
        return lastSeen.count
    }
}

/// In a worker: announces it until shutdown.
struct PresenceAnnouncer: Service, CustomStringConvertible {
    var description: String { "PresenceAnnouncer" }
    let connection: NATSConnection
    let subject: String
    let name: String
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await repeatUntilShutdown(every: interval) {
            do {
                try await connection.publish("\(subject).\(name)", string: name)
            } catch {
                logger.debug("presence not sent; NATS is reconnecting")
            }
        }
    }
}

/// In the gateway: records every announcement.
struct PresenceListener: Service, CustomStringConvertible {
    var description: String { "PresenceListener" }
    let connection: NATSConnection
    let subject: String
    let registry: WorkerRegistry

    func run() async throws {
        let subscription = try await connection.subscribe(to: "\(subject).*")
        await cancelWhenGracefulShutdown {
            for await message in subscription {
                guard let name = message.subject.split(separator: ".").last else { continue }
                await registry.heard(String(name))
            }
        }
        try? await subscription.unsubscribe()
    }
}

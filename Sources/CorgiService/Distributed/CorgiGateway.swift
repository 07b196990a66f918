import AsyncHTTPClient
import CorgiNATS
import CorgiPostgres
import CorgiQueue
import CorgiReview
public import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `corgi gateway`: the only HTTP listener of the distributed mode. It verifies webhooks, records
/// each delivery (and its audit event) in PostgreSQL and publishes the job to JetStream with the
/// delivery id as `Nats-Msg-Id`. It holds the webhook secret and the database password, never
/// the App's private key or the storage key.
public enum CorgiGateway {
    public static func run(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .gateway, environment: environment)
        MemoryTuning.returnLargeBlocksToTheSystem()
        let store = try PostgresStore(configuration: try await DistributedComponents.database(settings, secrets: secrets), logger: logger,
                                      auditKey: try await secrets.auditKey())
        let nats = try await DistributedComponents.nats(settings, secrets: secrets, name: "corgi-gateway", logger: logger)
        // Outbound HTTP of the gateway: the identity provider, when sign-in is configured.
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The pool must run before the first query.
                group.addTask { try await store.run() }
                try await store.checkSchema()
                let queue = try await DistributedComponents.jobQueue(settings, connection: nats, logger: logger)
                let registry = WorkerRegistry(horizon: .seconds(15))
                let metrics = ServiceMetrics()
                let intake = LedgerIntake(store: store, queue: queue)
                let gateway = WebhookGateway(
                    intake: intake, reviews: store, secrets: secrets, metrics: metrics, logger: logger,
                    maximumBodyBytes: settings.maximumBodyBytes, unverifiedBodyBytes: settings.unverifiedBodyBudgetBytes,
                    liveWorkers: { await registry.alive() }, githubEnabled: settings.githubEnabled, gitlabEnabled: settings.gitlabAPIURL != nil,
                                         giteaEnabled: settings.giteaAPIURL != nil)
                // The gateway is the only listener: the API is served here too.
                let router = gateway.router()
                // The checkpoint lives in the object store, which the gateway cannot read: the
                // chain is checked with the key, and the answer names what only the checkpoint shows.
                let auditKey = try await secrets.auditKey()
                try await ServiceComponents.registerAPI(on: router, store: store, settings: settings, secrets: secrets, http: http,
                                                        verifyAudit: {
                    var result = AuditVerification.verify(try await store.auditEvents(), key: auditKey, checkpoint: nil)
                    result.limitations.append("rows removed from the end show only against the checkpoint in the object store: run corgi audit verify")
                    return result
                })
                let app = try ServiceComponents.application(
                    router: router, settings: settings, listening: "corgi gateway listening",
                    metadata: ["stream": "\(settings.queue?.stream ?? "-")"], logger: logger)
                let listener = PresenceListener(connection: nats, subject: DistributedComponents.presenceSubject(settings), registry: registry)
                let relay = QueueRelay(intake: intake, interval: .seconds(2), grace: 2, logger: logger)
                let exporter = ExportService(store: store, interval: .seconds(1), logger: logger)
                let serviceGroup = ServiceComponents.serviceGroup([app, listener, relay, exporter], logger: logger)
                try await serviceGroup.run()
                group.cancelAll()
            }
        } catch {
            await nats.close()
            try? await http.shutdown()
            throw error
        }
        await nats.close()
        try await http.shutdown()
        logger.info("corgi gateway stopped")
    }
}

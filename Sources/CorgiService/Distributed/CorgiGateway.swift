import AsyncHTTPClient
import CorgiAccess
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
        // Each region's database (one region without `residency`); the home region's keeps the
        // region directory. The queue's servers are shared; each region has its own stream.
        var stores: [Region: PostgresStore] = [:], queueSettings: [Region: ServiceSettings] = [:]
        for region in settings.regions {
            let local = settings.settings(for: region)
            let regionSecrets = try await secrets.forRegion(directory: local.secretsDirectory, role: .gateway)
            stores[region] = try PostgresStore(configuration: try await DistributedComponents.database(local, secrets: regionSecrets),
                                               logger: logger, auditKey: try await secrets.auditKey())
            queueSettings[region] = local
        }
        let nats = try await DistributedComponents.nats(settings, secrets: secrets, name: "corgi-gateway", logger: logger)
        // Outbound HTTP of the gateway: the identity provider, when sign-in is configured.
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The pools must run before the first query.
                for store in stores.values { group.addTask { try await store.run() } }
                for store in stores.values { try await store.checkSchema() }
                let regional = try ServiceComponents.regional(stores, settings: settings)
                try await ServiceComponents.recordHeldOrganisations(regional, directory: regional.homeStore, settings: settings, logger: logger)
                var intakes: [Region: LedgerIntake<PostgresStore, JetStreamJobQueue>] = [:]
                for (region, store) in regional.all {
                    let queue = try await DistributedComponents.jobQueue(queueSettings[region]!, connection: nats, logger: logger)
                    intakes[region] = LedgerIntake(store: store, queue: queue)
                }
                let registry = WorkerRegistry(horizon: .seconds(15))
                let metrics = ServiceMetrics()
                let intake = RegionalIntake(regional.mapRegions { region, _ in intakes[region]! as any WebhookIntake })
                let gateway = WebhookGateway(
                    intake: intake, reviews: regional.map { $0 as any ReviewStore }, secrets: secrets, metrics: metrics, logger: logger,
                    maximumBodyBytes: settings.maximumBodyBytes, unverifiedBodyBytes: settings.unverifiedBodyBudgetBytes,
                    liveWorkers: { await registry.alive() }, githubEnabled: settings.githubEnabled, gitlabEnabled: settings.gitlabAPIURL != nil,
                                         giteaEnabled: settings.giteaAPIURL != nil)
                // The gateway is the only listener: the API is served here too.
                let router = gateway.router()
                // The checkpoint lives in the object store, which the gateway cannot read: the
                // chain is checked with the key, and the answer names what only the checkpoint shows.
                let auditKey = try await secrets.auditKey()
                try await ServiceComponents.registerAPI(
                    on: router, store: RegionalAccessStore(regional.map { $0 as any AccessStore }), settings: settings, secrets: secrets,
                    http: http, verifyAudit: { organisation in
                        let events = try await regional.store(for: organisation).auditEvents()
                        var result = AuditVerification.verify(events, key: auditKey, checkpoint: nil)
                        result.limitations.append("rows removed from the end show only against the checkpoint in the object store: run corgi audit verify")
                        return result
                    })
                let app = try ServiceComponents.application(
                    router: router, settings: settings, listening: "corgi gateway listening",
                    metadata: ["stream": "\(settings.queue?.stream ?? "-")", "regions": "\(settings.regions.map(\.rawValue).joined(separator: ","))"],
                    logger: logger)
                let listener = PresenceListener(connection: nats, subject: DistributedComponents.presenceSubject(settings), registry: registry)
                var services: [any Service] = [app, listener]
                for (region, store) in regional.all {
                    services.append(QueueRelay(intake: intakes[region]!, interval: .seconds(2), grace: 2, logger: logger))
                    services.append(ExportService(store: store, region: region, interval: .seconds(1), logger: logger))
                }
                let serviceGroup = ServiceComponents.serviceGroup(services, logger: logger)
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

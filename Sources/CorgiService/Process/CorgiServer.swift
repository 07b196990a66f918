import AsyncHTTPClient
import CorgiAccess
import CorgiDetection
import CorgiObjects
import CorgiReview
import CorgiStorage
public import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `corgi serve`: the whole review loop in one process — the webhook gateway, workers and the
/// retention sweeper over SQLite, an encrypted local object store and the durable queue in
/// the same SQLite file — run as services with graceful shutdown on SIGTERM and SIGINT.
public enum CorgiServer {
    public static func run(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .serve, environment: environment)
        MemoryTuning.returnLargeBlocksToTheSystem()
        // Each region's SQLite file and encrypted objects directory (one region without
        // `residency`). Audit rows are sealed with the audit key and each commit that appends one
        // is checkpointed to a file beside its database (see `FileAuditAnchor`).
        let auditKey = try await secrets.auditKey()
        var stores: [Region: SQLiteStore] = [:], objects: [Region: LocalEncryptedObjectStore] = [:], paths: [Region: String] = [:]
        func closeAll() async { for store in stores.values { try? await store.close() } }
        do {
            for region in settings.regions {
                let local = settings.settings(for: region)
                let regionSecrets = try await secrets.forRegion(directory: local.secretsDirectory, role: .serve)
                try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: local.databasePath).deletingLastPathComponent().path,
                                                        withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                stores[region] = try await SQLiteStore.open(path: local.databasePath, logger: logger, auditKey: auditKey,
                                                            auditAnchor: FileAuditAnchor(databasePath: local.databasePath))
                objects[region] = try LocalEncryptedObjectStore(directory: URL(fileURLWithPath: local.objectsDirectory),
                                                                sealer: Sealer(keys: await regionSecrets.storageKeys()))
                paths[region] = local.databasePath
            }
        } catch {
            await closeAll()
            throw error
        }
        let (ruleSet, scanOptions) = try await ServiceComponents.rules(settings, secrets: secrets)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let metrics = ServiceMetrics()
        do {
            let regional = try ServiceComponents.regional(stores, settings: settings)
            try await ServiceComponents.recordHeldOrganisations(regional, directory: regional.homeStore, settings: settings, logger: logger)
            let databasePaths = paths
            let github = try await ServiceComponents.github(settings, secrets: secrets, http: http)
            let gateway = WebhookGateway(intake: RegionalIntake(regional.map { $0 as any WebhookIntake }), reviews: regional.map { $0 as any ReviewStore },
                                         secrets: secrets, metrics: metrics, logger: logger,
                                         maximumBodyBytes: settings.maximumBodyBytes,
                                         unverifiedBodyBytes: settings.unverifiedBodyBudgetBytes,
                                         githubEnabled: settings.githubEnabled, gitlabEnabled: settings.gitlabAPIURL != nil,
                                         giteaEnabled: settings.giteaAPIURL != nil)
            let router = gateway.router()
            try await ServiceComponents.registerAPI(
                on: router, store: RegionalAccessStore(regional.map { $0 as any AccessStore }), settings: settings, secrets: secrets, http: http,
                verifyAudit: { organisation in
                    let region = try await regional.region(for: organisation)
                    return try await regional.stores[region]!.verifyAuditChain(key: auditKey, anchor: FileAuditAnchor(databasePath: databasePaths[region]!))
                })
            let app = try ServiceComponents.application(
                router: router, settings: settings, listening: "corgi serve listening",
                metadata: ["rules": "\(ruleSet.rules.count)", "workers": "\(settings.workers)",
                           "regions": "\(settings.regions.map(\.rawValue).joined(separator: ","))"], logger: logger)
            var services: [any Service] = [app]
            // Each region reviews from its own queue into its own stores, with its own sweeper
            // and exporter: nothing of one region's organisations is written in another.
            for (region, store) in regional.all {
                let runner = ServiceComponents.reviewRunner(store: store, objects: objects[region]!, github: github, ruleSet: ruleSet,
                                                            scanOptions: scanOptions, settings: settings, secrets: secrets, http: http,
                                                            metrics: metrics)
                let suffix = regional.isSingle ? "" : "-\(region)"
                for i in 0..<settings.workers {
                    services.append(ReviewWorker(name: "worker-\(ProcessInfo.processInfo.processIdentifier)\(suffix)-\(i)", queue: store,
                                                 runner: runner, metrics: metrics,
                                                 lease: TimeInterval(settings.leaseSeconds), maximumAttempts: settings.maximumAttempts,
                                                 retryBase: TimeInterval(settings.jobRetryBaseSeconds), logger: logger))
                }
                services.append(RetentionSweeper(store: store, sessions: store, objects: objects[region]!,
                                                 interval: TimeInterval(settings.sweepIntervalSeconds), metrics: metrics, logger: logger))
                services.append(ExportService(store: store, region: region, interval: .seconds(1), logger: logger))
            }
            let group = ServiceComponents.serviceGroup(services, logger: logger)
            try await group.run()
        } catch {
            try? await http.shutdown()
            await closeAll()
            throw error
        }
        try await http.shutdown()
        for store in stores.values { try await store.close() }
        logger.info("corgi serve stopped")
    }
}

import AsyncHTTPClient
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
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: settings.databasePath).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Audit rows are sealed with the audit key and each commit that appends one is
        // checkpointed to a file beside the database (see `FileAuditAnchor`).
        let store = try await SQLiteStore.open(path: settings.databasePath, logger: logger, auditKey: try await secrets.auditKey(),
                                               auditAnchor: FileAuditAnchor(databasePath: settings.databasePath))
        let objects = try LocalEncryptedObjectStore(directory: URL(fileURLWithPath: settings.objectsDirectory),
                                                    sealer: Sealer(keys: await secrets.storageKeys()))
        let (ruleSet, scanOptions) = try await ServiceComponents.rules(settings, secrets: secrets)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let metrics = ServiceMetrics()
        do {
            let github = try await ServiceComponents.github(settings, secrets: secrets, http: http)
            let runner = ServiceComponents.reviewRunner(store: store, objects: objects, github: github, ruleSet: ruleSet,
                                                        scanOptions: scanOptions, settings: settings, secrets: secrets, http: http,
                                                        metrics: metrics)
            let gateway = WebhookGateway(intake: store, reviews: store, secrets: secrets, metrics: metrics, logger: logger,
                                         maximumBodyBytes: settings.maximumBodyBytes,
                                         unverifiedBodyBytes: settings.unverifiedBodyBudgetBytes,
                                         githubEnabled: settings.githubEnabled, gitlabEnabled: settings.gitlabAPIURL != nil,
                                         giteaEnabled: settings.giteaAPIURL != nil)
            let router = gateway.router()
            let auditKey = try await secrets.auditKey(), anchor = FileAuditAnchor(databasePath: settings.databasePath)
            try await ServiceComponents.registerAPI(on: router, store: store, settings: settings, secrets: secrets, http: http,
                                                    verifyAudit: { try await store.verifyAuditChain(key: auditKey, anchor: anchor) })
            let app = try ServiceComponents.application(
                router: router, settings: settings, listening: "corgi serve listening",
                metadata: ["rules": "\(ruleSet.rules.count)", "workers": "\(settings.workers)"], logger: logger)
            var services: [any Service] = [app]
            for i in 0..<settings.workers {
                services.append(ReviewWorker(name: "worker-\(ProcessInfo.processInfo.processIdentifier)-\(i)", queue: store, runner: runner, metrics: metrics,
                                             lease: TimeInterval(settings.leaseSeconds), maximumAttempts: settings.maximumAttempts,
                                             retryBase: TimeInterval(settings.jobRetryBaseSeconds), logger: logger))
            }
            services.append(RetentionSweeper(store: store, sessions: store, objects: objects, interval: TimeInterval(settings.sweepIntervalSeconds),
                                             metrics: metrics, logger: logger))
            services.append(ExportService(store: store, interval: .seconds(1), logger: logger))
            let group = ServiceComponents.serviceGroup(services, logger: logger)
            try await group.run()
        } catch {
            try? await http.shutdown()
            try? await store.close()
            throw error
        }
        try await http.shutdown()
        try await store.close()
        logger.info("corgi serve stopped")
    }
}

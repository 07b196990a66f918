import AsyncHTTPClient
import CorgiDetection
import CorgiNATS
import CorgiPostgres
import CorgiQueue
import CorgiReview
public import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `corgi worker`: pulls jobs from JetStream, reviews them (PostgreSQL for findings and the audit
/// log, S3 for the sealed diffs) and acknowledges each once published. It listens on no port:
/// its liveness shows in the gateway's readiness and metrics, through the consumer's state and
/// the presence announcements it sends. It never holds the webhook secret.
public enum CorgiWorkerNode {
    public static func run(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .worker, environment: environment)
        let auditKey = try await secrets.auditKey()
        let store = try PostgresStore(configuration: try await DistributedComponents.database(settings, secrets: secrets), logger: logger,
                                      auditKey: auditKey)
        let name = "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "worker")-\(ProcessInfo.processInfo.processIdentifier)"
        let nats = try await DistributedComponents.nats(settings, secrets: secrets, name: "corgi-worker-\(name)", logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                try await store.checkSchema()
                let queue = try await DistributedComponents.jobQueue(settings, connection: nats, logger: logger)
                let objects = try await DistributedComponents.objects(settings, secrets: secrets, http: http)
                let (ruleSet, scanOptions) = try await ServiceComponents.rules(settings, secrets: secrets)
                let github = try await ServiceComponents.github(settings, secrets: secrets, http: http)
                let metrics = ServiceMetrics()
                let runner = ServiceComponents.reviewRunner(store: store, objects: objects, github: github, ruleSet: ruleSet,
                                                        scanOptions: scanOptions, settings: settings, secrets: secrets, http: http,
                                                        metrics: metrics)
                var services: [any Service] = []
                for i in 0..<settings.workers {
                    services.append(ReviewWorker(name: "\(name)-\(i)", queue: queue, runner: runner, metrics: metrics,
                                                 lease: TimeInterval(settings.queue?.ackWaitSeconds ?? settings.leaseSeconds),
                                                 maximumAttempts: settings.maximumAttempts,
                                                 retryBase: TimeInterval(settings.jobRetryBaseSeconds), logger: logger))
                }
                services.append(PresenceAnnouncer(connection: nats, subject: DistributedComponents.presenceSubject(settings), name: name,
                                                  interval: .seconds(5), logger: logger))
                services.append(RetentionSweeper(store: store, sessions: store, objects: objects, interval: TimeInterval(settings.sweepIntervalSeconds),
                                                 metrics: metrics, logger: logger))
                services.append(AuditCheckpointService(
                    checkpointer: AuditCheckpointer(log: store, anchor: ObjectStoreAuditAnchor(objects: objects), key: auditKey),
                    interval: .seconds(1), logger: logger))
                logger.notice("corgi worker ready", metadata: ["worker": "\(name)", "concurrency": "\(settings.workers)",
                                                              "rules": "\(ruleSet.rules.count)"])
                let serviceGroup = ServiceComponents.serviceGroup(services, logger: logger)
                try await serviceGroup.run()
                group.cancelAll()
            }
        } catch {
            try? await http.shutdown()
            await nats.close()
            throw error
        }
        try await http.shutdown()
        await nats.close()
        logger.info("corgi worker stopped")
    }
}

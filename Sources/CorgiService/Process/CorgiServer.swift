import AsyncHTTPClient
import CorgiDetection
import CorgiForges
import CorgiObjects
import CorgiStorage
public import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// `corgi serve`: the whole review loop in one process — the webhook gateway, workers and the
/// retention sweeper over SQLite, an encrypted local object store and the durable queue in
/// the same SQLite file — run as services with graceful shutdown on SIGTERM and SIGINT.
public enum CorgiServer {
    public static func run(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        try SecretStore.refuseEnvironmentSecrets(environment)
        let settings = try await ServiceSettings.load(path: settingsPath)
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let logger = Logger(label: "corgi") { label in JSONLogHandler(label: label, level: level) }

        let secrets = try await SecretStore(directory: settings.secretsDirectory)
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: settings.databasePath).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try await SQLiteStore.open(path: settings.databasePath, logger: logger)
        let objects = try LocalEncryptedObjectStore(directory: URL(fileURLWithPath: settings.objectsDirectory),
                                                    sealer: Sealer(keys: await secrets.storageKeys()))

        var scanConfiguration = ScanConfiguration()
        var directory: URL?
        if let path = settings.scanConfigurationPath {
            scanConfiguration = try ScanConfiguration.load(from: URL(fileURLWithPath: path))
            directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        let loaded = try scanConfiguration.resolveRules(relativeTo: directory)
        let ruleSet = try RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist)
        let scanOptions = ScanOptions(ignorePaths: scanConfiguration.ignorePaths ?? [])

        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let authenticator = GitHubAppAuthenticator(appID: settings.githubAppID, privateKeyPEM: { try await secrets.privateKey() })
        _ = try await authenticator.appJWT()  // fail fast on a bad private key
        var retry = GitHubAPI.RetryPolicy()
        retry.attempts = settings.githubRetryAttempts
        retry.initialBackoff = Double(settings.githubRetryInitialBackoffMilliseconds) / 1000
        retry.requestTimeout = TimeInterval(settings.githubTimeoutSeconds)
        let github = GitHubAPI(baseURL: settings.githubAPIURL, authenticator: authenticator, http: http, retry: retry)
        let metrics = ServiceMetrics()
        let pipeline = ReviewPipeline(store: store, objects: objects, github: github, ruleSet: ruleSet, scanOptions: scanOptions,
                                      settings: settings, metrics: metrics)
        let gateway = WebhookGateway(store: store, secrets: secrets, metrics: metrics, logger: logger, maximumBodyBytes: settings.maximumBodyBytes)

        let server: HTTPServerBuilder
        if let tls = settings.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
            server = try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } else {
            server = .http1()
        }
        let scheme = settings.tls == nil ? "http" : "https"
        let app = Application(
            router: gateway.router(), server: server,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "corgi"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                logger.notice("corgi serve listening", metadata: ["url": "\(scheme)://\(settings.host):\(port)", "port": "\(port)",
                                                               "rules": "\(ruleSet.rules.count)", "workers": "\(settings.workers)"])
            },
            logger: logger)
        var services: [any Service] = [app]
        for i in 0..<settings.workers {
            services.append(ReviewWorker(name: "worker-\(ProcessInfo.processInfo.processIdentifier)-\(i)", store: store, pipeline: pipeline,
                                         lease: TimeInterval(settings.leaseSeconds), maximumAttempts: settings.maximumAttempts,
                                         retryBase: TimeInterval(settings.jobRetryBaseSeconds), logger: logger))
        }
        services.append(RetentionSweeper(store: store, objects: objects, interval: TimeInterval(settings.sweepIntervalSeconds),
                                         metrics: metrics, logger: logger))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
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

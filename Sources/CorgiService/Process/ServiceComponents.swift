import AsyncHTTPClient
import CorgiAI
import CorgiAccess
import CorgiDashboard
import CorgiDetection
import CorgiCore
import CorgiForges
import CorgiReview
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The parts every process builds the same way from its settings: logging, the rule set, the
/// GitHub client and the HTTP application (with TLS when configured).
enum ServiceComponents {
    /// What every process does first: refuse secrets offered through the environment, read its
    /// settings, and open its secrets directory requiring exactly what its role needs.
    static func start(settingsPath: String, role: ServiceSettings.Role, environment: [String: String]) async throws
        -> (settings: ServiceSettings, logger: Logger, secrets: SecretStore)
    {
        try SecretStore.refuseEnvironmentSecrets(environment)
        let settings = try await ServiceSettings.load(path: settingsPath, role: role)
        let secrets = try await SecretStore(directory: settings.secretsDirectory, role: role, github: settings.githubEnabled)
        return (settings, logger(settings), secrets)
    }

    static func logger(_ settings: ServiceSettings) -> Logger {
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        return Logger(label: "corgi") { label in JSONLogHandler(label: label, level: level) }
    }

    /// How long a graceful shutdown may take before it becomes cancellation: a review in hand
    /// finishes within it (each forge call is bounded by its timeout and retries), and a process
    /// always exits.
    static let maximumGracefulShutdown = Duration.seconds(60)

    /// The one service group every process runs: SIGTERM and SIGINT shut down gracefully, and
    /// after `maximumGracefulShutdown` what is left is cancelled.
    static func serviceGroup(_ services: [any Service], logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        return ServiceGroup(configuration: configuration)
    }

    /// The review every worker runs: the forges it may talk to, the rules, and the policy from
    /// the settings; published reviews are counted in `metrics`.
    static func reviewRunner(store: any ReviewStore & AuditLog, objects: any ObjectStore, github: GitHubAPI?, ruleSet: RuleSet,
                             scanOptions: ScanOptions, settings: ServiceSettings, secrets: SecretStore, http: HTTPClient,
                             metrics: ServiceMetrics) -> ReviewRunner {
        var policy = ReviewPolicy(checkName: settings.checkName, failOn: Severity(rawValue: settings.failOn),
                                  maximumInlineComments: settings.maximumInlineComments, defaultRetentionDays: settings.retentionDays,
                                  retentionDaysByOrganisation: settings.organisationRetentionDays, contextFiles: settings.contextFiles)
        policy.modelTokensPerOrganisationPerDay = settings.ai?.tokensPerOrganisationPerDay
        var forges: [String: any Forge] = [:]
        if let github { forges["github"] = GitHubForge(api: github) }
        var retry = ForgeRetryPolicy()
        retry.attempts = settings.githubRetryAttempts
        retry.initialBackoff = Double(settings.githubRetryInitialBackoffMilliseconds) / 1000
        retry.requestTimeout = TimeInterval(settings.githubTimeoutSeconds)
        // Tokens are read per call: a rotated token is used at once, and none is kept in memory longer.
        if let gitlab = settings.gitlabAPIURL {
            forges["gitlab"] = GitLabForge(api: GitLabAPI(baseURL: gitlab, http: http, retry: retry) {
                try await secrets.requiredString(.gitlabToken)
            })
        }
        if let gitea = settings.giteaAPIURL {
            forges["gitea"] = GiteaForge(api: GiteaAPI(baseURL: gitea, http: http, retry: retry) {
                try await secrets.requiredString(.giteaToken)
            })
        }
        var modelReview: (any ModelReview)?
        // (The redactor fails only on its own constant globs, which its tests compile.)
        if let ai = settings.ai, let dialect = AIDialect(rawValue: ai.dialect), let redactor = try? PromptRedactor(ruleSet: ruleSet) {
            var configuration = HTTPAIProvider.Configuration(dialect: dialect, baseURL: ai.baseURL, model: ai.model, keyHeader: ai.keyHeader)
            configuration.callTimeout = TimeInterval(ai.timeoutSeconds)
            // The key is read at each call: a rotated key is used at once.
            let provider = HTTPAIProvider(configuration: configuration, http: http, logger: logger(settings)) { try await secrets.string(.aiAPIKey) }
            var limits = AIReviewLimits()
            limits.tokensPerReview = ai.tokensPerReview
            limits.tokensPerCall = ai.tokensPerCall
            limits.parallelCalls = ai.parallelCalls
            limits.maximumOutputTokens = ai.maximumOutputTokens
            limits.reviewTimeLimit = .seconds(ai.reviewTimeoutSeconds)
            modelReview = AIReviewer(provider: provider, redactor: redactor, limits: limits, fingerprintKey: scanOptions.fingerprintKey)
        }
        return ReviewRunner(store: store, objects: objects, forges: forges, ruleSet: ruleSet, scanOptions: scanOptions, policy: policy,
                            modelReview: modelReview,
                            onModelReview: { outcome in
                                metrics.aiCalls.increment(by: Int64(outcome.calls))
                                metrics.aiInputTokens.increment(by: Int64(outcome.inputTokens))
                                metrics.aiOutputTokens.increment(by: Int64(outcome.outputTokens))
                                metrics.aiFindings.increment(by: Int64(outcome.findings.count))
                                if let ai = settings.ai {
                                    metrics.aiCost.increment(by: (Double(outcome.inputTokens) * ai.inputPricePerMillionTokens
                                        + Double(outcome.outputTokens) * ai.outputPricePerMillionTokens) / 1_000_000)
                                }
                            },
                            onPublished: { reconciliation, duration in
                                metrics.scansCompleted.increment()
                                metrics.findingsNew.increment(by: Int64(reconciliation.new.count))
                                metrics.scanDuration.record(duration)
                            })
    }

    /// The rule set, and the scan options with the deployment's fingerprint key: every worker of
    /// a deployment publishes the same fingerprints, which confirm no guess to anyone without it.
    static func rules(_ settings: ServiceSettings, secrets: SecretStore) async throws -> (RuleSet, ScanOptions) {
        var scanConfiguration = ScanConfiguration()
        var directory: URL?
        if let path = settings.scanConfigurationPath {
            scanConfiguration = try ScanConfiguration.load(from: URL(fileURLWithPath: path))
            directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        let loaded = try scanConfiguration.resolveRules(relativeTo: directory, withTests: false)
        let ruleSet = try RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist, verifiedPatterns: loaded.verifiedPatterns)
        return (ruleSet, ScanOptions(ignorePaths: scanConfiguration.ignorePaths ?? [], fingerprintKey: try await secrets.fingerprintKey()))
    }

    /// The GitHub App client; nil when GitHub is not configured.
    static func github(_ settings: ServiceSettings, secrets: SecretStore, http: HTTPClient) async throws -> GitHubAPI? {
        guard settings.githubEnabled else { return nil }
        let authenticator = GitHubAppAuthenticator(appID: settings.githubAppID, privateKeyPEM: { try await secrets.privateKey() })
        _ = try await authenticator.appJWT()  // fail fast on a bad private key
        var retry = GitHubAPI.RetryPolicy()
        retry.attempts = settings.githubRetryAttempts
        retry.initialBackoff = Double(settings.githubRetryInitialBackoffMilliseconds) / 1000
        retry.requestTimeout = TimeInterval(settings.githubTimeoutSeconds)
        return GitHubAPI(baseURL: settings.githubAPIURL, authenticator: authenticator, http: http, retry: retry)
    }

    /// The HTTP listener; `listening` is logged at notice level once the port is bound.
    static func application(
        router: Router<BasicRequestContext>, settings: ServiceSettings, listening: String, metadata: Logger.Metadata, logger: Logger
    ) throws -> some ApplicationProtocol {
        // Unauthenticated clients hold the listener only so long and so often (see `ConnectionGuard`).
        let limits = settings.connectionLimits
        let clients = ClientConnections()
        let http1 = HTTPServerBuilder.http1(configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(limits: limits, clients: clients, logger: logger)],
            idleTimeout: limits.headerTimeout))
        let server: HTTPServerBuilder
        if let tls = settings.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            // TLS 1.0 and 1.1 are deprecated (RFC 8996): never negotiated.
            configuration.minimumTLSVersion = .tlsv12
            server = try .tls(http1, tlsConfiguration: configuration)
        } else {
            server = http1
        }
        let scheme = settings.tls == nil ? "http" : "https"
        return Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "corgi"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                var fields = metadata
                fields["url"] = "\(scheme)://\(settings.host):\(port)"
                fields["port"] = "\(port)"
                logger.notice("\(listening)", metadata: fields)
            },
            logger: logger)
    }
}

extension ServiceComponents {
    /// Each region's store with the way from an organisation to its region: the home region's
    /// store keeps the directory; without `residency`, the one store.
    static func regional<Store: RegionDirectory>(_ stores: [Region: Store], settings: ServiceSettings) throws -> Regional<Store> {
        guard let residency = settings.residency else { return Regional(single: stores[.default]!) }
        return try Regional(home: residency.home, stores: stores, directory: stores[residency.home]!, policy: residency.policy)
    }

    /// With residency on, every organisation a region's store already holds is recorded in that
    /// region before anything is routed: turning residency on (or adding a region) never places an
    /// organisation away from the data it has. An organisation found in a region other than its
    /// recorded one is reported (its data there is served by nobody) and left for the operator.
    static func recordHeldOrganisations<Store: AccessMaintenance>(_ regional: Regional<Store>, directory: any RegionDirectory,
                                                                  settings: ServiceSettings, logger: Logger) async throws {
        guard settings.residency != nil else { return }
        for (region, store) in regional.all {
            for organisation in try await store.organisationsHeld() {
                let recorded = try await directory.assignRegion(region, to: organisation, actor: "residency")
                if recorded != region {
                    logger.error("an organisation's data is outside its region", metadata: [
                        "organisation": "\(organisation)", "found_in": "\(region)", "region": "\(recorded)"])
                }
            }
        }
    }

    /// The API on `router` and, when `sso.oidc` is set, browser sign-in: its secrets are read now,
    /// so a missing one stops the process at start rather than at the first sign-in.
    static func registerAPI(on router: Router<BasicRequestContext>, store: any AccessStore, settings: ServiceSettings,
                            secrets: SecretStore, http: HTTPClient,
                            verifyAudit: @escaping @Sendable (OrganisationRef) async throws -> AuditVerification) async throws {
        var sessions: SessionAuthority?
        var signIn: [SignInRoutes] = []
        if settings.oidc != nil || settings.githubSignIn != nil || settings.saml != nil {
            let key = Array(try await secrets.requiredString(.sessionSigningKey).utf8)
            guard key.count >= 32 else {
                throw SettingsError("secret \(SecretStore.Name.sessionSigningKey.rawValue): at least 32 bytes (openssl rand -base64 32)")
            }
            // Settings refuse an https callback beside a plain one: either decides the cookies.
            let secure = settings.oidc?.secureCookies ?? settings.githubSignIn?.secureCookies ?? settings.saml?.secureCookies ?? true
            let minutes = settings.oidc?.sessionMinutes ?? settings.githubSignIn?.sessionMinutes ?? settings.saml?.sessionMinutes ?? 60
            let authority = await SessionAuthority(signingKey: key, secureCookies: secure, sessionMinutes: minutes)
            var routes: [SignInRoutes] = []
            if let oidc = settings.oidc {
                _ = try await secrets.requiredString(.oidcClientSecret)
                let client = OIDCClient(settings: oidc, http: http, clientSecret: { try await secrets.requiredString(.oidcClientSecret) })
                routes.append(SignInRoutes(provider: client, sessions: authority, method: .oidc(oidc), store: store))
            }
            if let github = settings.githubSignIn {
                _ = try await secrets.requiredString(.githubOAuthClientSecret)
                let client = GitHubOAuthClient(settings: github, http: http, clientSecret: { try await secrets.requiredString(.githubOAuthClientSecret) })
                routes.append(SignInRoutes(provider: client, sessions: authority, method: .github(github), store: store))
            }
            if let saml = settings.saml {
                routes.append(SignInRoutes(provider: SAMLIdentityProvider(serviceProvider: SAMLServiceProvider(settings: saml)), sessions: authority,
                                           method: .saml(saml), store: store))
            }
            for route in routes { route.register(on: router) }
            routes.first?.registerSessionRoutes(on: router)
            sessions = authority
            signIn = routes
        }
        let api = CorgiAPI(store: store, sessions: sessions, verifyAudit: verifyAudit)
        api.register(on: router)
        // The dashboard calls the API's own routes in process (and the session routes, for
        // signing out): a router of its own with exactly those, never the store.
        let inProcess = Router(context: BasicRequestContext.self)
        api.register(on: inProcess)
        signIn.first?.registerSessionRoutes(on: inProcess)
        let labels = ["oidc": "single sign-on (OpenID Connect)", "github": "GitHub", "saml": "single sign-on (SAML)"]
        try Dashboard(
            api: InProcessAPI(responder: inProcess.buildResponder()),
            configuration: DashboardConfiguration(
                signIn: signIn.map { DashboardConfiguration.SignInMethod(name: $0.method.name, label: labels[$0.method.name] ?? $0.method.name) },
                sessionCookie: sessions?.sessionCookie ?? "corgi_session", csrfCookie: sessions?.csrfCookie ?? "corgi_csrf",
                forgeWebURLs: forgeWebURLs(settings))
        ).register(on: router)
    }

    /// Where people open a pull request of each forge: GitHub's web address (github.com, or the
    /// Enterprise server sign-in names), and GitLab's and Gitea's from their API roots.
    static func forgeWebURLs(_ settings: ServiceSettings) -> [String: String] {
        var urls: [String: String] = [:]
        if let web = settings.githubSignIn?.webURL {
            urls["github"] = web
        } else if settings.githubAPIURL == "https://api.github.com" {
            urls["github"] = "https://github.com"
        }
        for (forge, api, suffix) in [("gitlab", settings.gitlabAPIURL, "/api/v4"), ("gitea", settings.giteaAPIURL, "/api/v1")] {
            if let api, api.hasSuffix(suffix) { urls[forge] = String(api.dropLast(suffix.count)) }
        }
        return urls
    }
}

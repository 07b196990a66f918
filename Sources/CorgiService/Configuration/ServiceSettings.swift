import Configuration
import CorgiReview
public import CorgiAccess
import Foundation
import NIOCore
import SystemPackage

/// Everything `corgi serve` reads from its YAML settings file. Secrets are not settings: they
/// come from files in `secrets.directory` (see ``SecretStore``).
public struct ServiceSettings: Sendable {
    public struct TLS: Sendable { public var certificatePath: String; public var keyPath: String }

    /// Which process reads the file: each needs its own sections.
    public enum Role: String, Sendable {
        /// `corgi serve`: SQLite and local objects (`storage.*`).
        case serve
        /// `corgi gateway`: PostgreSQL (`database.*`) and JetStream (`queue.*`).
        case gateway
        /// `corgi worker`: PostgreSQL, JetStream and S3 (`objects.s3.*`).
        case worker
        /// `corgi migrate`: PostgreSQL as the migration role.
        case migrate
        /// `corgi audit verify --config`: PostgreSQL as the application role, reading only.
        case audit
    }

    /// PostgreSQL. Passwords are secrets: `postgres-password` (application role) and
    /// `postgres-migration-password` (migration role, only for `corgi migrate`).
    public struct Database: Sendable {
        public var host = "127.0.0.1"
        public var port = 5432
        public var name = "corgi"
        public var user = "corgi_app"
        public var migrationUser = "corgi_owner"
        /// disable, require or verify-full.
        public var tls = "verify-full"
        public var caFile: String?
    }

    /// NATS JetStream. Credentials are secrets: `nats-password` with `user`, or `nats-nkey-seed`.
    public struct Queue: Sendable {
        public var servers = ["nats://127.0.0.1:4222"]
        public var stream = "CORGI_SCANS"
        public var subject = "corgi.scans"
        public var consumer = "corgi-workers"
        public var ackWaitSeconds = 60
        public var duplicateWindowSeconds = 24 * 3600
        public var user: String?
        public var nkey = false
        public var caFile: String?
    }

    /// S3-compatible storage for diffs. Keys are secrets: `s3-access-key-id`, `s3-secret-access-key`.
    public struct ObjectStorage: Sendable {
        public var endpoint: String
        public var region = "us-east-1"
        public var bucket = "corgi-diffs"
        public var serverSideEncryption: String? = "AES256"
    }

    /// Single sign-on through OpenID Connect for one organisation (`sso.oidc`): people sign in
    /// at `/auth/oidc/login`; their groups at the provider give their role, at every sign-in.
    /// Secrets: `oidc-client-secret`, `session-signing-key`.
    public struct OIDC: Sendable {
        /// Exactly the provider's `issuer` (discovery is read from it, and ID tokens must name it).
        public var issuer: String
        public var clientID: String
        /// This service's callback as the provider knows it: `<external URL>/auth/oidc/callback`.
        public var redirectURL: String
        public var organisation: OrganisationRef
        /// The ID-token claim holding the person's groups (GitLab: `groups_direct`).
        public var groupsClaim = "groups"
        /// Scopes asked for besides `openid email profile` (Gitea and Forgejo put groups in the ID
        /// token for the `groups` scope).
        public var extraScopes: [String] = []
        /// Group → role; the highest role among a person's groups wins; no mapped group: refused.
        public var roles: [String: CorgiAccess.Role] = [:]
        /// How long a session lasts (`sso.session_minutes`).
        public var sessionMinutes = 60
        /// Cookies are `Secure` (and `__Host-` prefixed) when the redirect URL is https.
        public var secureCookies: Bool { redirectURL.hasPrefix("https://") }
    }

    public var oidc: OIDC?

    /// Sign-in with GitHub for one organisation on GitHub (`sso.github`): people sign in at
    /// `/auth/github/login` with the GitHub App's user authorization; their membership and teams
    /// in the organisation give their role, at every sign-in. Secrets:
    /// `github-oauth-client-secret`, `session-signing-key`.
    public struct GitHubSignIn: Sendable {
        public var clientID: String
        /// `<external URL>/auth/github/callback`, as registered as the App's callback URL.
        public var redirectURL: String
        /// `github/<login>`.
        public var organisation: OrganisationRef
        /// Where people authorize (`https://github.com`, or a GitHub Enterprise Server's URL).
        public var webURL = "https://github.com"
        /// The REST API the person's token reads (`github.api_url` by default).
        public var apiURL = "https://api.github.com"
        /// `org:admin`, `org:member` or `team:<slug>` → role; the highest wins; none: refused.
        public var roles: [String: CorgiAccess.Role] = [:]
        public var sessionMinutes = 60
        public var secureCookies: Bool { redirectURL.hasPrefix("https://") }
    }

    public var githubSignIn: GitHubSignIn?

    /// Single sign-on through SAML 2.0 for one organisation (`sso.saml`): SP-initiated at
    /// `/auth/saml/login` (HTTP-Redirect binding), the IdP posts its response to
    /// `/auth/saml/acs` (HTTP-POST binding); the assertion must be signed with the IdP's
    /// certificate. The groups attribute gives the role, at every sign-in. Secret:
    /// `session-signing-key` (the IdP's certificate is public: a file named in the settings).
    public struct SAML: Sendable {
        /// The IdP's entity id: the assertion's `Issuer` must be exactly this.
        public var idpEntityID: String
        /// The IdP's single sign-on URL (HTTP-Redirect binding).
        public var idpSSOURL: String
        /// The IdP's signing certificate (PEM), read at start.
        public var idpCertificatePEM: [UInt8]
        /// This service's entity id: the assertion's `Audience` must name it.
        public var spEntityID: String
        /// `<external URL>/auth/saml/acs`: the response's `Destination` and the confirmation's `Recipient`.
        public var acsURL: String
        public var organisation: OrganisationRef
        /// The attribute holding the person's groups.
        public var groupsAttribute = "groups"
        /// Group → role; the highest wins; no mapped group: refused.
        public var roles: [String: CorgiAccess.Role] = [:]
        public var sessionMinutes = 60
        public var secureCookies: Bool { acsURL.hasPrefix("https://") }
    }

    public var saml: SAML?

    /// The AI review (`ai`): off unless this section names a provider, and then run only for
    /// organisations whose policy turns it on. Secret: `ai-api-key`.
    public struct AI: Sendable {
        /// `anthropic` (the Messages API) or `openai` (any OpenAI-compatible chat completions endpoint).
        public var dialect: String
        /// `https://api.anthropic.com`; for OpenAI-compatible servers the base with its version (`…/v1`).
        public var baseURL: String
        public var model: String
        /// OpenAI-compatible only: the header carrying the key (`authorization` sends a bearer key; Azure-style `api-key`).
        public var keyHeader: String?
        public var timeoutSeconds = 120
        public var tokensPerReview = 200_000
        public var tokensPerCall = 30_000
        public var parallelCalls = 4
        public var maximumOutputTokens = 4_096
        public var tokensPerOrganisationPerDay = 2_000_000
        public var reviewTimeoutSeconds = 600
        /// Prices per million tokens, in the operator's currency, for the cost metric (0: not counted).
        public var inputPricePerMillionTokens = 0.0
        public var outputPricePerMillionTokens = 0.0
    }

    public var ai: AI?

    public var role: Role = .serve
    /// Organisations in several regions (`residency`); nil: every organisation in the one
    /// region of the stores above.
    public var residency: Residency?
    public var database: Database?
    public var queue: Queue?
    public var objectStorage: ObjectStorage?

    public var host = "127.0.0.1"
    public var port = 8080
    public var tls: TLS?
    public var maximumBodyBytes = 25 << 20
    /// Bodies larger than 1 MiB held unverified at once, all connections together (`server.unverified_body_budget_bytes`).
    public var unverifiedBodyBudgetBytes = 32 << 20
    /// Header and body read timeouts and the per-client connection cap of the listener.
    public var connectionLimits = ConnectionLimits()
    public var githubAppID: String
    /// `github.app_id` is set: GitHub pull requests are reviewed (and the App's secrets required).
    public var githubEnabled = true
    public var githubAPIURL = "https://api.github.com"
    /// `gitlab.api_url` (the v4 API root, e.g. https://gitlab.example.com/api/v4): GitLab merge
    /// requests are reviewed when it is set and GitLab's secrets are in the secrets directory.
    public var gitlabAPIURL: String?
    /// `gitea.api_url` (e.g. https://gitea.example.com/api/v1; Forgejo too): reviewed when set and
    /// the Gitea secrets are in the secrets directory.
    public var giteaAPIURL: String?
    public var checkName = "Code Corgi"
    public var databasePath: String
    public var objectsDirectory: String
    public var secretsDirectory: String
    public var failOn: String = "high"
    public var maximumInlineComments = 30
    /// `policy.context_files`: changed files read whole at the head commit for function context.
    public var contextFiles = ReviewPolicy.defaultContextFiles
    public var retentionDays = 90
    public var organisationRetentionDays: [String: Int] = [:]
    public var workers = 1
    public var leaseSeconds = 300
    public var maximumAttempts = 5
    public var sweepIntervalSeconds = 3600
    public var logLevel = "info"
    public var scanConfigurationPath: String?
    public var githubTimeoutSeconds = 30
    public var githubRetryAttempts = 5
    public var githubRetryInitialBackoffMilliseconds = 500
    public var jobRetryBaseSeconds = 5

    /// Reads and validates the settings file; every problem names the setting.
    public static func load(path: String, role: Role = .serve) async throws -> ServiceSettings {
        guard FileManager.default.fileExists(atPath: path) else { throw SettingsError("settings file not found: \(path)") }
        let provider: FileProvider<YAMLSnapshot>
        do { provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)) } catch {
            throw SettingsError("\(path): not a valid YAML settings file")
        }
        let reader = SettingsReader(config: ConfigReader(provider: provider), file: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path }

        try reader.refuseSecrets(["gitlab.token", "gitlab.webhook_token", "gitlab.signing_key", "gitlab.private_token",
                                  "gitea.token", "gitea.webhook_secret"])
        try reader.refuseSecrets(["sso.oidc.client_secret", "sso.session_signing_key", "sso.github.client_secret"])
        try reader.refuseSecrets(["ai.api_key", "ai.key"])
        try reader.refuseSecrets(["github.webhook_secret", "github.private_key", "storage.encryption_key", "session.signing_key",
                                  "github.webhook-secret", "github.private-key"])
        try reader.refuseSecrets(["database.password", "queue.password", "queue.nkey_seed", "objects.s3.secret_access_key",
                                  "objects.s3.access_key_id"])
        // `corgi audit verify --config` reads either kind of settings: embedded when it names a database file.
        let auditsEmbedded = role == .audit ? try reader.optionalString("storage.database") != nil : false
        let embedded = role == .serve || auditsEmbedded
        // Every reviewing role needs at least one forge; GitHub is one of them, not a requirement.
        let reviews = ![.migrate, .audit].contains(role)
        let appID = reviews ? try reader.optionalString("github.app_id") : nil
        // A `github:` section without its App id is a half-configured GitHub: name what is missing.
        if reviews, appID == nil, try reader.optionalString("github.api_url") != nil { _ = try reader.requiredString("github.app_id") }
        if reviews, appID == nil, try reader.optionalString("gitlab.api_url") == nil, try reader.optionalString("gitea.api_url") == nil {
            throw SettingsError("\(path): no forge is configured: set github.app_id, gitlab.api_url or gitea.api_url")
        }
        var s = ServiceSettings(
            githubAppID: appID ?? "0",
            databasePath: embedded ? resolve(try reader.requiredString("storage.database")) : "",
            objectsDirectory: embedded ? resolve(try reader.requiredString("storage.objects")) : "",
            secretsDirectory: resolve(try reader.requiredString("secrets.directory")))
        s.role = role
        s.githubEnabled = appID != nil
        guard s.githubAppID.allSatisfy(\.isNumber) else { throw SettingsError("\(path): github.app_id must be the numeric App ID") }
        /// The `database` section under `prefix` (`` or `residency.regions.<region>.`).
        func database(_ prefix: String) throws -> Database {
            var db = Database()
            db.host = try reader.string(prefix + "database.host", default: db.host)
            try reader.refuseCredentials(inHost: db.host, setting: prefix + "database.host")
            db.port = try reader.int(prefix + "database.port", default: db.port, range: 1...65535)
            db.name = try reader.string(prefix + "database.name", default: db.name)
            db.user = try reader.string(prefix + "database.user", default: db.user)
            db.migrationUser = try reader.string(prefix + "database.migration_user", default: db.migrationUser)
            db.tls = try reader.string(prefix + "database.tls", default: db.tls)
            guard ["disable", "require", "verify-full"].contains(db.tls) else {
                throw SettingsError("\(path): \(prefix)database.tls must be disable, require or verify-full")
            }
            db.caFile = try reader.optionalString(prefix + "database.ca_file").map(resolve)
            return db
        }
        if !embedded {
            s.database = try database("")
        }
        if role == .gateway || role == .worker {
            var q = Queue()
            let servers = try reader.stringArray("queue.servers")
            if !servers.isEmpty { q.servers = servers }
            for server in q.servers where !(server.hasPrefix("nats://") || server.hasPrefix("tls://")) {
                throw SettingsError("\(path): queue.servers entries are nats:// or tls:// URLs")
            }
            for server in q.servers { try reader.refuseCredentials(inURL: server, setting: "queue.servers") }
            q.stream = try reader.string("queue.stream", default: q.stream)
            q.subject = try reader.string("queue.subject", default: q.subject)
            q.consumer = try reader.string("queue.consumer", default: q.consumer)
            q.ackWaitSeconds = try reader.int("queue.ack_wait_seconds", default: q.ackWaitSeconds, range: 1...3600)
            q.duplicateWindowSeconds = try reader.int("queue.duplicate_window_seconds", default: q.duplicateWindowSeconds, range: 1...(7 * 86400))
            q.user = try reader.optionalString("queue.user")
            q.nkey = try reader.string("queue.nkey", default: "false") == "true"
            q.caFile = try reader.optionalString("queue.ca_file").map(resolve)
            s.queue = q
        }
        let auditsObjects = role == .audit && !embedded ? try reader.optionalString("objects.s3.endpoint") != nil : false
        if role == .worker || auditsObjects {
            var o = ObjectStorage(endpoint: try reader.requiredString("objects.s3.endpoint"))
            guard o.endpoint.hasPrefix("https://") || o.endpoint.hasPrefix("http://") else {
                throw SettingsError("\(path): objects.s3.endpoint must be an http(s) URL")
            }
            try reader.refuseCredentials(inURL: o.endpoint, setting: "objects.s3.endpoint")
            o.region = try reader.string("objects.s3.region", default: o.region)
            o.bucket = try reader.string("objects.s3.bucket", default: o.bucket)
            let sse = try reader.string("objects.s3.server_side_encryption", default: "AES256")
            o.serverSideEncryption = sse == "none" ? nil : sse
            s.objectStorage = o
        }
        s.host = try reader.string("server.host", default: s.host)
        s.port = try reader.int("server.port", default: s.port, range: 0...65535)
        s.maximumBodyBytes = try reader.int("server.max_body_bytes", default: s.maximumBodyBytes, range: 1024...(256 << 20))
        s.unverifiedBodyBudgetBytes = try reader.int("server.unverified_body_budget_bytes", default: s.unverifiedBodyBudgetBytes,
                                                     range: (1 << 20)...(4 << 30))
        s.connectionLimits.headerTimeout = .seconds(Int64(try reader.int("server.header_timeout_seconds", default: 10, range: 1...300)))
        s.connectionLimits.bodyTimeout = .seconds(Int64(try reader.int("server.body_timeout_seconds", default: 30, range: 1...3600)))
        s.connectionLimits.connectionsPerClient = try reader.int("server.max_connections_per_client",
                                                                 default: s.connectionLimits.connectionsPerClient, range: 1...100_000)
        s.connectionLimits.refusedLargeBodyCooldown = .seconds(Int64(try reader.int("server.refused_large_body_cooldown_seconds",
                                                                                     default: 60, range: 0...86_400)))
        if let certificate = try reader.optionalString("server.tls.certificate") {
            guard let key = try reader.optionalString("server.tls.key") else { throw SettingsError("\(path): server.tls.key is required with server.tls.certificate") }
            s.tls = TLS(certificatePath: resolve(certificate), keyPath: resolve(key))
        }
        s.githubAPIURL = try reader.string("github.api_url", default: s.githubAPIURL)
        guard s.githubAPIURL.hasPrefix("https://") || s.githubAPIURL.hasPrefix("http://") else {
            throw SettingsError("\(path): github.api_url must be an http(s) URL")
        }
        try reader.refuseCredentials(inURL: s.githubAPIURL, setting: "github.api_url")
        // The installation tokens travel to this URL: plain HTTP only to this machine (a local double or proxy).
        if s.githubAPIURL.hasPrefix("http://"), !SettingsReader.isLoopback(url: s.githubAPIURL) {
            throw SettingsError("\(path): github.api_url must be https:// (plain http:// is allowed only to a loopback address): the App's tokens travel on it")
        }
        /// A forge's API root: the access token travels to it, so plain HTTP only to this machine.
        func forgeURL(_ setting: String) throws -> String? {
            guard let url = try reader.optionalString(setting) else { return nil }
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw SettingsError("\(path): \(setting) must be an http(s) URL") }
            try reader.refuseCredentials(inURL: url, setting: setting)
            if url.hasPrefix("http://"), !SettingsReader.isLoopback(url: url) {
                throw SettingsError("\(path): \(setting) must be https:// (plain http:// is allowed only to a loopback address): the access token travels on it")
            }
            return url
        }
        s.gitlabAPIURL = try forgeURL("gitlab.api_url")
        s.giteaAPIURL = try forgeURL("gitea.api_url")
        s.checkName = try reader.string("github.check_name", default: s.checkName)
        s.githubTimeoutSeconds = try reader.int("github.timeout_seconds", default: s.githubTimeoutSeconds, range: 1...600)
        s.githubRetryAttempts = try reader.int("github.retry_attempts", default: s.githubRetryAttempts, range: 1...20)
        s.githubRetryInitialBackoffMilliseconds = try reader.int("github.retry_initial_backoff_ms", default: s.githubRetryInitialBackoffMilliseconds, range: 1...60000)
        s.jobRetryBaseSeconds = try reader.int("worker.retry_base_seconds", default: s.jobRetryBaseSeconds, range: 1...3600)
        s.failOn = try reader.string("policy.fail_on", default: s.failOn)
        guard ["info", "low", "medium", "high", "critical", "never"].contains(s.failOn) else {
            throw SettingsError("\(path): policy.fail_on must be info, low, medium, high, critical or never")
        }
        s.maximumInlineComments = try reader.int("policy.max_inline_comments", default: s.maximumInlineComments, range: 0...100)
        s.contextFiles = try reader.int("policy.context_files", default: s.contextFiles, range: 0...300)
        s.retentionDays = try reader.int("retention.default_days", default: s.retentionDays, range: 1...3650)
        // retention.organisations: ["octo-org=30", ...]
        for entry in try reader.stringArray("retention.organisations") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let days = Int(parts[1]), (1...3650).contains(days) else {
                throw SettingsError("\(path): retention.organisations entries are \"organisation=days\" with 1 to 3650 days")
            }
            s.organisationRetentionDays[parts[0]] = days
        }
        s.workers = try reader.int("worker.concurrency", default: s.workers, range: 1...64)
        s.leaseSeconds = try reader.int("worker.lease_seconds", default: s.leaseSeconds, range: 5...86400)
        s.maximumAttempts = try reader.int("worker.max_attempts", default: s.maximumAttempts, range: 1...100)
        s.sweepIntervalSeconds = try reader.int("retention.sweep_interval_seconds", default: s.sweepIntervalSeconds, range: 1...86400)
        // Sign-in settings share these: a URL people's browsers or the service reach (https, or
        // plain http only on loopback, no credentials in it), the organisation people sign into,
        // and the group → role map (`["security-team=owner", "developers=member"]`).
        func signInURL(_ setting: String, _ value: String) throws -> String {
            guard value.hasPrefix("https://") || (value.hasPrefix("http://") && SettingsReader.isLoopback(url: value)) else {
                throw SettingsError("\(path): \(setting) must be https:// (plain http:// only to a loopback address)")
            }
            try reader.refuseCredentials(inURL: value, setting: setting)
            return value
        }
        func signInOrganisation(_ setting: String) throws -> OrganisationRef {
            let parts = try reader.requiredString(setting).split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let ref = OrganisationRef(validatingForge: parts[0], login: parts[1]) else {
                throw SettingsError("\(path): \(setting) is FORGE/LOGIN, e.g. github/acme")
            }
            return ref
        }
        func groupRoles(_ setting: String) throws -> [String: CorgiAccess.Role] {
            var roles: [String: CorgiAccess.Role] = [:]
            for entry in try reader.stringArray(setting) {
                let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, !pair[0].isEmpty, let role = CorgiAccess.Role(rawValue: pair[1]) else {
                    throw SettingsError("\(path): \(setting) entries are \"group=role\" with role owner, admin, member or auditor")
                }
                roles[pair[0]] = role
            }
            guard !roles.isEmpty else { throw SettingsError("\(path): \(setting) maps no group to a role: nobody could sign in") }
            return roles
        }
        if let issuer = try reader.optionalString("sso.oidc.issuer") {
            func url(_ setting: String, _ value: String) throws -> String { try signInURL(setting, value) }
            let ref = try signInOrganisation("sso.oidc.organisation")
            var oidc = OIDC(issuer: try url("sso.oidc.issuer", issuer), clientID: try reader.requiredString("sso.oidc.client_id"),
                            redirectURL: try url("sso.oidc.redirect_url", try reader.requiredString("sso.oidc.redirect_url")),
                            organisation: ref)
            guard oidc.redirectURL.hasSuffix("/auth/oidc/callback") else {
                throw SettingsError("\(path): sso.oidc.redirect_url must end in /auth/oidc/callback")
            }
            oidc.groupsClaim = try reader.string("sso.oidc.groups_claim", default: oidc.groupsClaim)
            oidc.extraScopes = try reader.stringArray("sso.oidc.scopes")
            // RFC 6749 §3.3: a scope token is printable ASCII without spaces, quotes or backslashes.
            guard oidc.extraScopes.count <= 16, oidc.extraScopes.allSatisfy({ scope in
                !scope.isEmpty && scope.utf8.count <= 64 && scope.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
            }) else { throw SettingsError("\(path): sso.oidc.scopes are at most 16 scope names (no spaces, quotes or backslashes)") }
            oidc.roles = try groupRoles("sso.oidc.roles")
            oidc.sessionMinutes = try reader.int("sso.session_minutes", default: oidc.sessionMinutes, range: 5...720)
            s.oidc = oidc
        }
        if let clientID = try reader.optionalString("sso.github.client_id") {
            let redirect = try signInURL("sso.github.redirect_url", try reader.requiredString("sso.github.redirect_url"))
            guard redirect.hasSuffix("/auth/github/callback") else {
                throw SettingsError("\(path): sso.github.redirect_url must end in /auth/github/callback")
            }
            let organisation = try reader.requiredString("sso.github.organisation")
            guard let ref = OrganisationRef(validatingForge: "github", login: organisation) else {
                throw SettingsError("\(path): sso.github.organisation is the organisation's login on GitHub, e.g. acme")
            }
            var github = GitHubSignIn(clientID: clientID, redirectURL: redirect, organisation: ref)
            github.webURL = try reader.string("sso.github.web_url", default: github.webURL)
            github.apiURL = s.githubAPIURL
            for (setting, value) in [("sso.github.web_url", github.webURL), ("github.api_url", github.apiURL)] {
                _ = try signInURL(setting, value)
            }
            // sso.github.roles: ["team:security=owner", "org:admin=admin", "org:member=member"]
            for entry in try reader.stringArray("sso.github.roles") {
                let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0] == "org:admin" || pair[0] == "org:member" || (pair[0].hasPrefix("team:") && pair[0].count > 5),
                      let role = CorgiAccess.Role(rawValue: pair[1])
                else {
                    throw SettingsError("\(path): sso.github.roles entries are \"org:admin=role\", \"org:member=role\" or \"team:<slug>=role\" "
                        + "with role owner, admin, member or auditor")
                }
                github.roles[pair[0]] = role
            }
            guard !github.roles.isEmpty else { throw SettingsError("\(path): sso.github.roles maps nothing to a role: nobody could sign in") }
            github.sessionMinutes = try reader.int("sso.session_minutes", default: github.sessionMinutes, range: 5...720)
            if let oidc = s.oidc, oidc.secureCookies != github.secureCookies {
                throw SettingsError("\(path): sso.oidc.redirect_url and sso.github.redirect_url must both be https:// or both loopback http://")
            }
            s.githubSignIn = github
        }
        if let idpEntityID = try reader.optionalString("sso.saml.idp_entity_id") {
            func url(_ setting: String) throws -> String { try signInURL(setting, try reader.requiredString(setting)) }
            let ref = try signInOrganisation("sso.saml.organisation")
            var saml = SAML(idpEntityID: idpEntityID, idpSSOURL: try url("sso.saml.idp_sso_url"), idpCertificatePEM: [],
                            spEntityID: try reader.requiredString("sso.saml.sp_entity_id"), acsURL: try url("sso.saml.acs_url"), organisation: ref)
            guard saml.acsURL.hasSuffix("/auth/saml/acs") else { throw SettingsError("\(path): sso.saml.acs_url must end in /auth/saml/acs") }
            saml.groupsAttribute = try reader.string("sso.saml.groups_attribute", default: saml.groupsAttribute)
            saml.roles = try groupRoles("sso.saml.roles")
            let certificatePath = resolve(try reader.requiredString("sso.saml.idp_certificate_file"))
            guard let certificate = FileManager.default.contents(atPath: certificatePath), certificate.count <= 64 * 1024,
                  String(decoding: certificate, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
            else { throw SettingsError("\(path): sso.saml.idp_certificate_file must be the IdP's signing certificate, PEM (\(certificatePath))") }
            saml.idpCertificatePEM = Array(certificate)
            saml.sessionMinutes = try reader.int("sso.session_minutes", default: saml.sessionMinutes, range: 5...720)
            for (name, secure) in [("sso.oidc.redirect_url", s.oidc?.secureCookies), ("sso.github.redirect_url", s.githubSignIn?.secureCookies)] {
                if let secure, secure != saml.secureCookies {
                    throw SettingsError("\(path): \(name) and sso.saml.acs_url must both be https:// or both loopback http://")
                }
            }
            s.saml = saml
        }
        s.residency = try Residency.read(reader, path: path, role: role, embedded: embedded, main: s, resolve: resolve, database: database)
        if let dialect = try reader.optionalString("ai.provider"), role == .serve || role == .worker {
            guard ["anthropic", "openai"].contains(dialect) else { throw SettingsError("\(path): ai.provider must be anthropic or openai") }
            let base = try reader.string("ai.base_url", default: dialect == "anthropic" ? "https://api.anthropic.com" : "")
            // The key travels to this URL: plain HTTP only to this machine (a local model server).
            guard base.hasPrefix("https://") || (base.hasPrefix("http://") && SettingsReader.isLoopback(url: base)) else {
                throw SettingsError("\(path): ai.base_url must be https:// (plain http:// only to a loopback address)")
            }
            try reader.refuseCredentials(inURL: base, setting: "ai.base_url")
            var ai = AI(dialect: dialect, baseURL: base, model: try reader.requiredString("ai.model"))
            ai.keyHeader = try reader.optionalString("ai.key_header")
            ai.timeoutSeconds = try reader.int("ai.timeout_seconds", default: ai.timeoutSeconds, range: 5...900)
            ai.tokensPerReview = try reader.int("ai.tokens_per_review", default: ai.tokensPerReview, range: 1_000...10_000_000)
            ai.tokensPerCall = try reader.int("ai.tokens_per_call", default: ai.tokensPerCall, range: 500...1_000_000)
            ai.parallelCalls = try reader.int("ai.parallel_calls", default: ai.parallelCalls, range: 1...32)
            ai.reviewTimeoutSeconds = try reader.int("ai.review_timeout_seconds", default: ai.reviewTimeoutSeconds, range: 10...7200)
            ai.maximumOutputTokens = try reader.int("ai.max_output_tokens", default: ai.maximumOutputTokens, range: 256...64_000)
            ai.tokensPerOrganisationPerDay = try reader.int("ai.tokens_per_organisation_per_day", default: ai.tokensPerOrganisationPerDay,
                                                            range: 1_000...1_000_000_000)
            for (setting, keyPath) in [("ai.input_price_per_million_tokens", \AI.inputPricePerMillionTokens),
                                       ("ai.output_price_per_million_tokens", \AI.outputPricePerMillionTokens)] {
                guard let text = try reader.optionalString(setting) else { continue }
                guard let price = Double(text), price >= 0, price < 1_000_000 else { throw SettingsError("\(path): \(setting) must be a price ≥ 0") }
                ai[keyPath: keyPath] = price
            }
            s.ai = ai
        }
        s.logLevel = try reader.string("logging.level", default: s.logLevel)
        s.scanConfigurationPath = try reader.optionalString("scan.config").map(resolve)
        return s
    }

    public func retentionDays(for organisation: String) -> Int { organisationRetentionDays[organisation] ?? retentionDays }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// swift-configuration lookups that turn "missing" and "malformed" into errors naming the key.
struct SettingsReader {
    let config: ConfigReader
    let file: String

    func requiredString(_ key: String) throws -> String {
        guard let value = config.string(forKey: ConfigKey(key)), !value.isEmpty else {
            throw SettingsError("\(file): missing setting \(key)")
        }
        return value
    }

    func optionalString(_ key: String) throws -> String? { config.string(forKey: ConfigKey(key)) }

    func string(_ key: String, default value: String) throws -> String { config.string(forKey: ConfigKey(key)) ?? value }

    func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        let parsed: Int
        do { parsed = try config.requiredInt(forKey: ConfigKey(key)) } catch {
            guard let raw = config.string(forKey: ConfigKey(key)) else { return value }
            guard let number = Int(raw) else { throw SettingsError("\(file): \(key) must be an integer") }
            parsed = number
        }
        guard range.contains(parsed) else { throw SettingsError("\(file): \(key) must be between \(range.lowerBound) and \(range.upperBound)") }
        return parsed
    }

    func stringArray(_ key: String) throws -> [String] { config.stringArray(forKey: ConfigKey(key)) ?? [] }

    /// A URL setting carrying credentials (`scheme://user:password@host`, or a user or token alone)
    /// is refused like a secret: the error names the setting and never repeats the value.
    func refuseCredentials(inURL url: String, setting: String) throws {
        guard let authority = Self.authority(of: url), authority.contains("@") else { return }
        throw SettingsError("\(file): \(setting) carries credentials (user or password before '@'): put them in the secrets directory, never in a URL")
    }

    /// A host setting holding a URL or credentials is refused the same way.
    func refuseCredentials(inHost host: String, setting: String) throws {
        guard host.contains("@") || host.contains("://") else { return }
        throw SettingsError("\(file): \(setting) must be a host name alone (no URL, no user or password): credentials go in the secrets directory")
    }

    /// What lies between `scheme://` and the path: `[userinfo@]host[:port]`.
    static func authority(of url: String) -> Substring? {
        guard let start = url.range(of: "://") else { return nil }
        let rest = url[start.upperBound...]
        return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }

    static func isLoopback(url: String) -> Bool {
        guard var host = authority(of: url).map(String.init) else { return false }
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
            return host == "::1"
        }
        host = String(host.prefix { $0 != ":" }).lowercased()
        if host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// A secret written into the settings file is refused: secrets live in the secrets directory.
    func refuseSecrets(_ keys: [String]) throws {
        for key in keys where config.string(forKey: ConfigKey(key), isSecret: true) != nil {
            throw SettingsError("\(file): \(key) is a secret and must not be in the settings file; put it in the secrets directory")
        }
    }
}

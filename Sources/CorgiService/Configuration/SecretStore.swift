import Configuration
import CorgiForges
public import CorgiDetection
public import CorgiReview
public import Foundation
import SystemPackage
// `struct stat` for `stamp(_:)`: on Linux its fields belong to whichever module loaded the header
// first, here CoreFoundation, and MemberImportVisibility wants that module imported by name.
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Secrets from files in a directory, the layout a Vault agent sidecar or a Kubernetes secret
/// mount writes. The directory is checked for changes on every read (a `stat` per file) and
/// re-read when something changed, so a rotated secret takes effect without a restart.
///
/// Values are held as `isSecret` configuration values: swift-configuration redacts them in its
/// access reports, and nothing here logs them.
public actor SecretStore {
    public enum Name: String, CaseIterable, Sendable {
        case githubPrivateKey = "github-private-key"
        case githubWebhookSecret = "github-webhook-secret"
        /// Optional: the previous webhook secret, accepted during a rotation.
        case githubWebhookSecretPrevious = "github-webhook-secret-previous"
        /// GitLab: the hook's secret token (sent verbatim in `X-Gitlab-Token`), its optional
        /// signing token (`whsec_…`, Standard Webhooks), and a project or group access token.
        case gitlabWebhookToken = "gitlab-webhook-token"
        case gitlabWebhookSigningKey = "gitlab-webhook-signing-key"
        case gitlabToken = "gitlab-token"
        /// Gitea / Forgejo: the webhook's secret (HMAC-SHA256 of the body) and an access token.
        case giteaWebhookSecret = "gitea-webhook-secret"
        case giteaToken = "gitea-token"
        /// Base64 of 32 random bytes; `storage-encryption-key-previous` may hold the old key.
        case storageEncryptionKey = "storage-encryption-key"
        case storageEncryptionKeyPrevious = "storage-encryption-key-previous"
        /// At least 32 random bytes: signs sign-in sessions and the sign-in flow's cookie
        /// (only when `sso.oidc` is configured).
        case sessionSigningKey = "session-signing-key"
        /// The OIDC client's secret at the identity provider (`sso.oidc`).
        case oidcClientSecret = "oidc-client-secret"
        /// The GitHub App's (or OAuth App's) client secret, for sign-in with GitHub (`sso.github`).
        case githubOAuthClientSecret = "github-oauth-client-secret"
        /// PostgreSQL password of the application role (distributed mode).
        case postgresPassword = "postgres-password"
        /// PostgreSQL password of the migration role: only `corgi migrate` reads it.
        case postgresMigrationPassword = "postgres-migration-password"
        case natsPassword = "nats-password"
        /// An nkey user seed (`SU…`).
        case natsNkeySeed = "nats-nkey-seed"
        case s3AccessKeyID = "s3-access-key-id"
        case s3SecretAccessKey = "s3-secret-access-key"
        /// At least 32 random bytes: seals audit rows and signs the audit log's checkpoints
        /// (docs/audit-log.md). Every process that appends audit events needs it, and so does
        /// `corgi audit verify --config`.
        case auditCheckpointKey = "audit-checkpoint-key"

        /// At least 16 random bytes (`openssl rand -base64 32`): keys the fingerprints published in
        /// comments, check runs and the database. Keep it for the deployment's life: another key
        /// gives every finding a new fingerprint (docs/security.md).
        case fingerprintKey = "fingerprint-key"
        /// The AI review's key for its model endpoint (`ai.*`): required for Anthropic, optional
        /// for an OpenAI-compatible server that takes none.
        case aiAPIKey = "ai-api-key"

        var configKey: ConfigKey { ConfigKey(rawValue.split(separator: "-").map(String.init)) }
    }

    /// What each process needs, and no more: the gateway never holds the App's private key or
    /// the storage key, a worker never holds the webhook secret.
    /// The secrets a role cannot start without; the GitHub App's only when GitHub is configured.
    public static func required(for role: ServiceSettings.Role, github: Bool = true) -> [Name] {
        let all = required(for: role)
        return github ? all : all.filter { ![.githubPrivateKey, .githubWebhookSecret].contains($0) }
    }

    static func required(for role: ServiceSettings.Role) -> [Name] {
        switch role {
        case .serve: [.githubPrivateKey, .githubWebhookSecret, .storageEncryptionKey, .auditCheckpointKey, .fingerprintKey]
        case .gateway: [.githubWebhookSecret, .postgresPassword, .auditCheckpointKey]
        case .worker: [.githubPrivateKey, .storageEncryptionKey, .postgresPassword, .s3AccessKeyID, .s3SecretAccessKey, .auditCheckpointKey,
                       .fingerprintKey]
        case .migrate: [.postgresMigrationPassword]
        // The distributed log's secrets (postgres-password, the S3 keys) are asked for when used.
        case .audit: [.auditCheckpointKey]
        }
    }

    let directory: String
    private var reader: ConfigReader
    private var stamp: [String]

    public init(directory: String, role: ServiceSettings.Role = .serve, github: Bool = true) async throws {
        try await self.init(directory: directory, requiring: Self.required(for: role, github: github),
                            auditKey: Self.required(for: role).contains(.auditCheckpointKey))
    }

    /// The secrets of another region's stores, for a process of `role`: its database password or
    /// its storage key (what the region's stores need; the forge's and the audit key stay the
    /// main directory's). The main store itself when the region keeps its secrets there.
    public func forRegion(directory: String, role: ServiceSettings.Role) async throws -> SecretStore {
        guard directory != self.directory else { return self }
        let needed: [Name] = switch role {
        case .serve: [.storageEncryptionKey]
        case .gateway: [.postgresPassword]
        case .migrate: [.postgresMigrationPassword]
        case .worker, .audit: []
        }
        return try await SecretStore(directory: directory, requiring: needed, auditKey: false)
    }

    init(directory: String, requiring required: [Name], auditKey: Bool) async throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SettingsError("secrets directory not found: \(directory)")
        }
        stamp = Self.stamp(directory)
        reader = try await Self.read(directory)
        for name in required where reader.string(forKey: name.configKey, isSecret: true)?.isEmpty ?? true {
            throw SettingsError("missing secret: \(directory)/\(name.rawValue)")
        }
        _ = try storageKeys()
        if auditKey { _ = try await self.auditKey() }
        for name in [Name.githubWebhookSecret, .githubWebhookSecretPrevious, .gitlabWebhookToken, .giteaWebhookSecret] {
            guard let secret = reader.string(forKey: name.configKey, isSecret: true) else { continue }
            try Self.checkWebhookSecret(secret, name: name)
        }
        if let signing = reader.string(forKey: Name.gitlabWebhookSigningKey.configKey, isSecret: true),
           (StandardWebhooks.key(fromSecret: signing)?.count ?? 0) < Self.minimumWebhookSecretBytes {
            throw SettingsError("secret \(Name.gitlabWebhookSigningKey.rawValue) must be GitLab's signing token (whsec_ and base64 of at least "
                + "\(Self.minimumWebhookSecretBytes) random bytes)")
        }
    }

    /// The Gitea / Forgejo webhook secret; nil when it is missing, and the route is off. A secret
    /// too short to be safe is not used: deliveries fail closed. (The access token is the
    /// workers' alone: a gateway never holds it.)
    public func giteaWebhookSecret() async throws -> [UInt8]? {
        try await refreshIfChanged()
        guard let text = reader.string(forKey: Name.giteaWebhookSecret.configKey, isSecret: true) else { return nil }
        let secret = [UInt8](text.trimmingCharacters(in: .newlines).utf8)
        return secret.count >= Self.minimumWebhookSecretBytes ? secret : nil
    }

    /// How GitLab webhooks authenticate here: the secret token and the signing keys configured
    /// (each mechanism configured must pass); nil when neither is, and GitLab's route is off.
    /// (The access token is the workers' alone: a gateway never holds it.)
    public func gitlabWebhookCredentials() async throws -> (tokens: [[UInt8]], signingKeys: [[UInt8]])? {
        try await refreshIfChanged()
        // Too short to be safe (rotated in badly): not used, so deliveries fail closed.
        var token: [UInt8]?
        if let text = reader.string(forKey: Name.gitlabWebhookToken.configKey, isSecret: true) {
            let bytes = [UInt8](text.trimmingCharacters(in: .newlines).utf8)
            if bytes.count >= Self.minimumWebhookSecretBytes { token = bytes }
        }
        var signing: [UInt8]?
        if let text = reader.string(forKey: Name.gitlabWebhookSigningKey.configKey, isSecret: true),
           let key = StandardWebhooks.key(fromSecret: text), key.count >= Self.minimumWebhookSecretBytes {
            signing = key
        }
        guard token != nil || signing != nil else { return nil }
        return ([token].compactMap { $0 }, [signing].compactMap { $0 })
    }

    /// Whoever guesses the webhook secret can sign webhooks that start reviews with the App's
    /// token: at least 16 bytes (GitHub's advice is a random string of high entropy).
    public static let minimumWebhookSecretBytes = 16

    static func checkWebhookSecret(_ secret: String, name: Name) throws {
        let bytes = secret.utf8.count
        guard bytes >= minimumWebhookSecretBytes else {
            throw SettingsError("secret \(name.rawValue) has \(bytes) bytes; it needs at least \(minimumWebhookSecretBytes) random bytes "
                + "(e.g. openssl rand -hex 32), because anyone who guesses it can sign webhooks")
        }
    }

    /// Refuses secrets offered through the environment: they leak into process listings,
    /// crash reports and child processes.
    public static func refuseEnvironmentSecrets(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let names = ["GITHUB_WEBHOOK_SECRET", "GITHUB_PRIVATE_KEY", "GITHUB_APP_PRIVATE_KEY", "WEBHOOK_SECRET"]
        for variable in environment.keys.sorted() {
            let upper = variable.uppercased()
            let ours = upper.hasPrefix("CORGI_") && ["SECRET", "KEY", "TOKEN", "PASSWORD"].contains { upper.contains($0) }
            if ours || names.contains(upper) {
                throw SettingsError("refusing the secret in environment variable \(variable): secrets are read only from files in the secrets directory")
            }
        }
    }

    public func string(_ name: Name) async throws -> String? {
        try await refreshIfChanged()
        return reader.string(forKey: name.configKey, isSecret: true)
    }

    /// Current webhook secrets (the previous one too while a rotation is under way).
    public func webhookSecrets() async throws -> [[UInt8]] {
        try await refreshIfChanged()
        // A secret rotated in too short is not used: signatures fail closed (401) rather than open.
        return [Name.githubWebhookSecret, .githubWebhookSecretPrevious].compactMap {
            reader.string(forKey: $0.configKey, isSecret: true).map { Array($0.utf8) }
        }.filter { $0.count >= Self.minimumWebhookSecretBytes }
    }

    public func privateKey() async throws -> String { try await requiredString(.githubPrivateKey) }

    public func requiredString(_ name: Name) async throws -> String {
        guard let value = try await string(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw SettingsError("missing secret: \(directory)/\(name.rawValue)")
        }
        return value
    }

    /// The audit key: the file's bytes, surrounding white space removed.
    public func auditKey() async throws -> AuditKey {
        let text = try await requiredString(.auditCheckpointKey)
        do { return try AuditKey(Array(text.utf8)) } catch {
            throw SettingsError("secret \(Name.auditCheckpointKey.rawValue): \(error)")
        }
    }

    /// The fingerprint key: the file's bytes, surrounding white space removed.
    public func fingerprintKey() async throws -> FingerprintKey {
        let text = try await requiredString(.fingerprintKey)
        do { return try FingerprintKey(Array(text.utf8), source: "\(directory)/\(Name.fingerprintKey.rawValue)") } catch {
            throw SettingsError("\(error)")
        }
    }

    /// Storage encryption keys, newest first.
    public func storageKeys() throws -> [[UInt8]] {
        try [Name.storageEncryptionKey, .storageEncryptionKeyPrevious].compactMap { name in
            guard let text = reader.string(forKey: name.configKey, isSecret: true) else { return nil }
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw SettingsError("secret \(name.rawValue) must be base64 of 32 random bytes (e.g. openssl rand -base64 32)")
            }
            return Array(data)
        }
    }

    private func refreshIfChanged() async throws {
        let now = Self.stamp(directory)
        guard now != stamp else { return }
        reader = try await Self.read(directory)
        stamp = now
    }

    private static func read(_ directory: String) async throws -> ConfigReader {
        ConfigReader(provider: try await DirectoryFilesProvider(directoryPath: FilePath(directory)))
    }

    /// Names, sizes, modification times and inodes: changes when a file (or the `..data`
    /// symlink Kubernetes swaps) changes.
    private static func stamp(_ directory: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.map { name in
            var info = stat()
            let path = directory + "/" + name
            guard stat(path, &info) == 0 else { return name }
            return "\(name):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
        }
    }
}

public import CorgiAccess
import CorgiPostgres
import CorgiReview
import CorgiStorage
public import Foundation
import Logging

/// `corgi api-key`: the operator's way to the first key of an organisation (the API needs a key
/// to make one). It opens the store the settings name — the embedded SQLite file or PostgreSQL
/// as the application role — with the audit key, so what it does is audited and sealed like
/// everything else; the actor is `cli:<user>`.
public enum APIKeyAdministration {
    public static func create(
        settingsPath: String, organisation: OrganisationRef, name: String, role: Role, scopes: Set<Permission>?, days: Int,
        actor: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> (APIKeySecret, APIKeyRecord) {
        guard (1...APIKeyRequest.maximumDays).contains(days) else {
            throw SettingsError("--expires-in-days: 1 to \(APIKeyRequest.maximumDays)")
        }
        return try await withStore(settingsPath, environment: environment) { store in
            let secret = APIKeySecret.generate()
            let draft = APIKeyDraft(secret: secret, organisation: organisation, name: name, role: role, scopes: scopes, createdBy: actor,
                                    expiresAt: Date().addingTimeInterval(TimeInterval(days) * 86_400))
            var metadata = ["forge": organisation.forge, "role": role.rawValue, "expires_in_days": "\(days)"]
            if let stored = APIKeyRecord.storedScopes(scopes) { metadata["scopes"] = stored }
            let record = try await store.createAPIKey(draft, audit: AuditEntry(
                actor: actor, action: "api_key.created", target: "api-key", organisation: organisation.login, metadata: metadata))
            return (secret, record)
        }
    }

    public static func list(settingsPath: String, organisation: OrganisationRef,
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> [APIKeyRecord] {
        try await withStore(settingsPath, environment: environment) { try await $0.apiKeys(of: organisation) }
    }

    /// False when the organisation has no live key with that id.
    public static func revoke(settingsPath: String, organisation: OrganisationRef, id: Int, actor: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Bool {
        try await withStore(settingsPath, environment: environment) { store in
            try await store.revokeAPIKey(id: id, of: organisation, now: Date(), audit: AuditEntry(
                actor: actor, action: "api_key.revoked", target: "api-key:\(id)", organisation: organisation.login,
                metadata: ["forge": organisation.forge]))
        }
    }

    /// Settings of either kind, read as `corgi audit verify --config` reads them: the store of
    /// the organisation's region (every region's, routed, when the settings have `residency`).
    static func withStore<T: Sendable>(_ settingsPath: String, environment: [String: String],
                                       _ body: (any AccessStore) async throws -> T) async throws -> T {
        var (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .audit, environment: environment)
        logger.logLevel = .warning
        let key = try await secrets.auditKey()
        guard settings.database != nil else {
            var stores: [Region: SQLiteStore] = [:]
            do {
                for region in settings.regions {
                    let path = settings.settings(for: region).databasePath
                    guard FileManager.default.fileExists(atPath: path) else {
                        throw SettingsError("\(path): no database yet; start corgi serve once to create it")
                    }
                    stores[region] = try await SQLiteStore.open(path: path, logger: logger, auditKey: key,
                                                                auditAnchor: FileAuditAnchor(databasePath: path))
                }
                let regional = try ServiceComponents.regional(stores, settings: settings)
                try await ServiceComponents.recordHeldOrganisations(regional, directory: regional.homeStore, settings: settings, logger: logger)
                let result = try await body(RegionalAccessStore(regional.map { $0 as any AccessStore }))
                for store in stores.values { try await store.close() }
                return result
            } catch {
                for store in stores.values { try? await store.close() }
                throw error
            }
        }
        var stores: [Region: PostgresStore] = [:]
        for region in settings.regions {
            let local = settings.settings(for: region)
            let regionSecrets = try await secrets.forRegion(directory: local.secretsDirectory, role: .gateway)
            stores[region] = try PostgresStore(configuration: try await DistributedComponents.database(local, secrets: regionSecrets),
                                               logger: logger, auditKey: key)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores.values { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            for store in stores.values { try await store.checkSchema() }
            let regional = try ServiceComponents.regional(stores, settings: settings)
            try await ServiceComponents.recordHeldOrganisations(regional, directory: regional.homeStore, settings: settings, logger: logger)
            return try await body(RegionalAccessStore(regional.map { $0 as any AccessStore }))
        }
    }
}

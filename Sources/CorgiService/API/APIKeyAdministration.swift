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

    /// Settings of either kind, read as `corgi audit verify --config` reads them.
    static func withStore<T: Sendable>(_ settingsPath: String, environment: [String: String],
                                       _ body: (any AccessStore) async throws -> T) async throws -> T {
        var (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .audit, environment: environment)
        logger.logLevel = .warning
        let key = try await secrets.auditKey()
        guard settings.database != nil else {
            guard FileManager.default.fileExists(atPath: settings.databasePath) else {
                throw SettingsError("\(settings.databasePath): no database yet; start corgi serve once to create it")
            }
            let store = try await SQLiteStore.open(path: settings.databasePath, logger: logger, auditKey: key,
                                                   auditAnchor: FileAuditAnchor(databasePath: settings.databasePath))
            do {
                let result = try await body(store)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
        return try await PostgresStore.withStore(configuration: try await DistributedComponents.database(settings, secrets: secrets),
                                                 logger: logger, auditKey: key) { try await body($0) }
    }
}

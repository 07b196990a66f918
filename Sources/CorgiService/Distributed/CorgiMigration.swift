import AsyncHTTPClient
import CorgiPostgres
public import CorgiReview
import CorgiStorage
public import Foundation
import Logging

/// `corgi migrate`: brings the PostgreSQL schema up to date as the migration role (the only
/// process that reads `postgres-migration-password`) and grants the application role exactly
/// what the gateway and workers need.
public enum CorgiMigration {
    /// The versions applied by this run (empty when the schema was current).
    public static func run(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> [Int] {
        let (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .migrate, environment: environment)
        let configuration = try await DistributedComponents.database(settings, secrets: secrets, asMigrationRole: true)
        return try await PostgresMigrator.migrate(configuration: configuration, appRole: settings.database?.user ?? "corgi_app", logger: logger)
    }
}

/// `corgi audit verify --config`: the audit log of either mode, read-only, verified with the audit
/// key against the checkpoint kept outside the database — for embedded settings the file beside
/// the SQLite database, for distributed ones the object in S3 (read as the application role).
public enum DistributedAudit {
    public static func verify(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> AuditVerification
    {
        var (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .audit, environment: environment)
        logger.logLevel = .warning
        let key = try await secrets.auditKey()
        guard settings.database != nil else {
            let store = try await SQLiteStore.openReadOnly(path: settings.databasePath, logger: logger)
            do {
                let result = try await store.verifyAuditChain(key: key, anchor: FileAuditAnchor(databasePath: settings.databasePath))
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
        guard settings.objectStorage != nil else {
            throw SettingsError("\(settingsPath): missing settings section objects.s3: the audit checkpoint is kept in the object store")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let anchor = ObjectStoreAuditAnchor(objects: try await DistributedComponents.objects(settings, secrets: secrets, http: http))
            let result = try await PostgresStore.withStore(configuration: try await DistributedComponents.database(settings, secrets: secrets),
                                                           logger: logger) { store in
                try await store.verifyAuditChain(key: key, anchor: anchor)
            }
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

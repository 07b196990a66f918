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
        // Every region's database, the home region's first; the versions are the same in each.
        var applied: [Int] = []
        for region in settings.regions {
            let local = settings.settings(for: region)
            let regionSecrets = try await secrets.forRegion(directory: local.secretsDirectory, role: .migrate)
            let configuration = try await DistributedComponents.database(local, secrets: regionSecrets, asMigrationRole: true)
            let versions = try await PostgresMigrator.migrate(configuration: configuration, appRole: local.database?.user ?? "corgi_app",
                                                              logger: logger)
            applied = Array(Set(applied + versions)).sorted()
        }
        return applied
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
            // Every region's log (each region's database has its own chain and checkpoint); the
            // first broken one is named with its region.
            var total = AuditVerification(rows: 0, firstBroken: nil)
            for region in settings.regions {
                let path = settings.settings(for: region).databasePath
                let store = try await SQLiteStore.openReadOnly(path: path, logger: logger)
                let result: AuditVerification
                do {
                    result = try await store.verifyAuditChain(key: key, anchor: FileAuditAnchor(databasePath: path))
                    try await store.close()
                } catch {
                    try? await store.close()
                    throw error
                }
                let label = settings.residency == nil ? "" : "region \(region): "
                total.rows += result.rows
                total.limitations += result.limitations.map { label + $0 }
                if total.firstBroken == nil, let broken = result.firstBroken { total.firstBroken = (broken.id, label + broken.reason) }
            }
            return total
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

import CorgiPostgres
public import CorgiStorage
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

/// `corgi audit verify --config`: the PostgreSQL audit log's chain, read as the application role.
public enum DistributedAudit {
    public static func verify(settingsPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> AuditVerification
    {
        var (settings, logger, secrets) = try await ServiceComponents.start(settingsPath: settingsPath, role: .audit, environment: environment)
        logger.logLevel = .warning
        return try await PostgresStore.withStore(configuration: try await DistributedComponents.database(settings, secrets: secrets),
                                                 logger: logger) { store in
            try await store.verifyAuditChain()
        }
    }
}

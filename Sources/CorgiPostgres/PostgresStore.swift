public import CorgiReview
import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle

/// The distributed store: review data, the webhook delivery ledger and the hash-chained audit log
/// in PostgreSQL, shared by every gateway and worker process. The job queue lives elsewhere
/// (NATS JetStream), so this is a `ReviewStore & AuditLog & DeliveryStore`, not a `JobQueue`.
///
/// It connects as the APPLICATION role, which may only read and write rows (see
/// `PostgresMigrator.grantStatements`); the schema is created and migrated beforehand by
/// `PostgresMigrator.migrate(configuration:appRole:logger:)` as the MIGRATION (owner) role.
///
/// Lifecycle: the store owns a `PostgresClient` connection pool, which works only while `run()`
/// runs. In the service, call `checkSchema()` at start-up (it uses a connection of its own, so a
/// bad address, password, certificate or an unmigrated database fails at once), then add the store
/// to the ServiceLifecycle `ServiceGroup` (it is a `Service`; graceful shutdown closes the pool).
/// In tests and one-shot commands, use `PostgresStore.withStore(configuration:logger:_:)`, which
/// checks the schema and runs the pool around the body.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    let configuration: PostgresConfiguration
    /// Seals every audit row appended (see `AuditEvent.sealedHash`); `nil`: plain hashes.
    let auditKey: AuditKey?

    /// The key of the transaction-level advisory lock that serialises audit appends (per database).
    static let auditLockKey: Int64 = 0x436F_7267_6941_7564  // "CorgiAud"

    /// Tables `count(_:where:)` may look at.
    static let inspectableTables: Set<String> = [
        "organisations", "repositories", "deliveries", "pull_requests", "scans", "findings", "diffs", "audit_events", "dismissals",
        "api_keys", "revoked_sessions", "organisation_policies", "dismissal_requests", "sessions", "organisation_deletions", "exports",
        "organisation_regions",
    ]

    /// Reads the CA file (for verify-full) now; connects only once `run()` runs.
    public init(configuration: PostgresConfiguration, logger: Logger, auditKey: AuditKey? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.auditKey = auditKey
        self.client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// Runs `body` with a store whose pool runs for the body's duration, after checking that the
    /// schema is at `PostgresMigrator.latestVersion`.
    public static func withStore<Result: Sendable>(
        configuration: PostgresConfiguration, logger: Logger, auditKey: AuditKey? = nil, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let store = try PostgresStore(configuration: configuration, logger: logger, auditKey: auditKey)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            try await store.checkSchema()
            return try await body(store)
        }
    }

    /// Fails unless the database schema is exactly the version this build was written for. It
    /// opens a connection of its own, outside the pool, so that a wrong address, password or
    /// certificate fails at once with the real error (the pool retries for a minute before it gives
    /// up); it does not need `run()`.
    public func checkSchema() async throws {
        let found = try await Self.withConnection(configuration: configuration, logger: logger) { connection in
            do {
                let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", logger: self.logger).collect()
                return try rows.first?.decode(Int.self) ?? 0
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {  // undefined_table: never migrated
                return 0
            }
        }
        guard found == PostgresMigrator.latestVersion else {
            throw PostgresStoreError.schemaVersion(found: found, expected: PostgresMigrator.latestVersion)
        }
    }

    /// One connection outside the pool, closed after the body.
    static func withConnection<Result: Sendable>(
        configuration: PostgresConfiguration, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    // MARK: Transactions

    /// Runs `body` in a READ COMMITTED transaction on one pooled connection. A deadlock or
    /// serialisation failure (which PostgreSQL resolves by aborting one side) is retried a few times.
    nonisolated(nonsending) func transaction<Result: Sendable>(
        _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await Self.transaction(on: connection, logger: logger, body)
                }
            } catch let error as PSQLError where attempt < 4 && ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "") {
                logger.debug("postgres transaction retried", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                attempt += 1
            }
        }
    }

    /// BEGIN … COMMIT on `connection`, ROLLBACK when `body` throws; the body's own error is rethrown.
    nonisolated(nonsending) static func transaction<Result: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await connection.query("BEGIN ISOLATION LEVEL READ COMMITTED", logger: logger)
        do {
            let result = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// One statement outside a transaction; the rows, collected.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    // MARK: Inspection (tests, metrics)

    /// Rows of a table, optionally filtered by a SQL condition: for tests and metrics only (the
    /// condition is SQL as written). The table must be one of the store's.
    public func count(_ table: String, where condition: String = "1 = 1") async throws -> Int {
        guard Self.inspectableTables.contains(table) else { throw PostgresStoreError.unknownTable(table) }
        let rows = try await rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table) WHERE \(condition)"))
        return try rows.first?.decode(Int.self) ?? 0
    }

    /// For tests of the privileges: runs one statement as the application role.
    public func execute(_ sql: String) async throws {
        try await rows(PostgresQuery(unsafeSQL: sql))
    }
}

extension PostgresStore: Service {
    /// Runs the connection pool until the task is cancelled or the service group shuts down
    /// gracefully. Call it once.
    public func run() async throws {
        await client.run()
    }
}

// MARK: Audit log

extension PostgresStore: AuditLog {
    @discardableResult
    public func audit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String]) async throws -> AuditEvent {
        try await transaction { connection in
            try await self.appendAudit(AuditEntry(actor: actor, action: action, target: target, organisation: organisation, metadata: metadata),
                                       on: connection)
        }
    }

    /// Appends one event inside the caller's transaction, chained to the last one. Appends from
    /// every process are serialised by a transaction-level advisory lock, held until the caller's
    /// COMMIT or ROLLBACK: the row read next is always the last committed one, ids stay
    /// contiguous, and the event commits (or not) with the change it describes. Call it as the
    /// transaction's last step, so the lock is held briefly and never taken before a row lock.
    func appendAudit(_ entry: AuditEntry, on connection: PostgresConnection) async throws -> AuditEvent {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))", logger: logger)
        // A statement of its own, after the lock: under READ COMMITTED its snapshot includes the
        // previous holder's commit. The time is the server's, read under the lock, so it never
        // goes backwards along the chain whatever the clocks of the processes appending.
        let rows = try await connection.query(
            """
            SELECT last.id, last.hash, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1) AS last ON true
            """, logger: logger).collect()
        guard let row = rows.first else { throw StorageError.unexpected("audit chain head") }
        let (lastID, lastHash, occurredAt) = try row.decode((Int?, String?, String).self)
        let id = (lastID ?? 0) + 1
        let previous = lastHash ?? AuditEvent.genesisHash
        let hash = AuditEvent.newHash(key: auditKey, previous: previous, id: id, occurredAt: occurredAt, entry: entry)
        // PostgreSQL text cannot hold a NUL: fields are kept in their storage form (see `AuditEvent.storageForm`).
        let (actor, action, target) = (AuditEvent.storageForm(entry.actor), AuditEvent.storageForm(entry.action), AuditEvent.storageForm(entry.target))
        let organisation = entry.organisation.map(AuditEvent.storageForm)
        try await connection.query(
            """
            INSERT INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash)
            VALUES (\(id), \(occurredAt), \(actor), \(action), \(target), \(organisation),
                    \(AuditEvent.canonical(entry.metadata)), \(previous), \(hash))
            """, logger: logger)
        return AuditEvent(id: id, occurredAt: occurredAt, actor: entry.actor, action: entry.action, target: entry.target,
                          organisation: entry.organisation, metadata: entry.metadata, previousHash: previous, hash: hash)
    }

    public func auditEvents() async throws -> [AuditEvent] {
        let rows = try await rows(
            "SELECT id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash FROM audit_events ORDER BY id")
        return try rows.map(Self.auditEvent)
    }

    static func auditEvent(_ row: PostgresRow) throws -> AuditEvent {
        let (id, occurredAt, actor, action, target, organisation, metadataText, previous, hash) =
            try row.decode((Int, String, String, String, String, String?, String, String, String).self)
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? ["_unreadable": metadataText]
        return AuditEvent(id: id, occurredAt: occurredAt, actor: AuditEvent.fromStorage(actor), action: AuditEvent.fromStorage(action),
                          target: AuditEvent.fromStorage(target), organisation: organisation.map(AuditEvent.fromStorage),
                          metadata: metadata, previousHash: previous, hash: hash)
    }


    public func auditHead() async throws -> AuditHead? {
        let rows = try await rows(
            """
            SELECT id, hash, (SELECT COALESCE(MIN(id), 0) FROM audit_events WHERE hash LIKE 'h1:%')
            FROM audit_events ORDER BY id DESC LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        let (id, hash, sealedFrom) = try row.decode((Int, String, Int).self)
        return AuditHead(count: id, hash: hash, sealedFrom: sealedFrom)
    }
}

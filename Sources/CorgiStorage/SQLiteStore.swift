public import Foundation
public import Logging
import NIOCore
internal import SQLiteNIO

/// The embedded store: one SQLite file holding the review data, the durable job queue and the
/// append-only audit log. One connection, used by one actor: writes are serialised, and a
/// transaction is never interleaved with another.
public actor SQLiteStore {
    let connection: SQLiteConnection
    let logger: Logger
    /// Rung whenever a job becomes available, so an idle worker claims it at once.
    public nonisolated let jobSignal = WakeSignal()
    /// One SQLite file has one process: the pull-request lock can live in memory.
    nonisolated let pullRequestLocks = KeyedLock()

    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let store = SQLiteStore(connection: connection, logger: logger)
        try await store.migrate()
        return store
    }

    init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func close() async throws { try await connection.close() }

    nonisolated func signalJobAvailable() {
        Task { await jobSignal.signal() }
    }

    // MARK: Migrations

    /// Versioned, forward-only migrations; each runs once, in a transaction.
    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            "PRAGMA journal_mode = WAL",
            """
            CREATE TABLE organisations (
                id INTEGER PRIMARY KEY, login TEXT NOT NULL, installation_id INTEGER UNIQUE,
                retention_days INTEGER NOT NULL DEFAULT 90, created_at TEXT NOT NULL, removed_at TEXT)
            """,
            """
            CREATE TABLE repositories (
                id INTEGER PRIMARY KEY, organisation_id INTEGER NOT NULL REFERENCES organisations(id),
                full_name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)
            """,
            "CREATE TABLE deliveries (delivery_id TEXT PRIMARY KEY, forge TEXT NOT NULL, event TEXT NOT NULL, received_at TEXT NOT NULL)",
            """
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0,
                available_at REAL NOT NULL, lease_owner TEXT, lease_expires_at REAL, last_error TEXT,
                created_at TEXT NOT NULL, finished_at TEXT)
            """,
            "CREATE INDEX jobs_ready ON jobs(state, available_at)",
            """
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                target TEXT NOT NULL, organisation TEXT, metadata TEXT NOT NULL, prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL)
            """,
            // Append-only, enforced by the database itself.
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        ]),
        (2, [
            """
            CREATE TABLE pull_requests (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, organisation TEXT NOT NULL,
                repository TEXT NOT NULL, number INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'open',
                head_sha TEXT, summary_comment_id INTEGER, updated_at TEXT NOT NULL,
                UNIQUE (forge, repository, number))
            """,
            """
            CREATE TABLE scans (
                id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL UNIQUE,
                pull_request_id INTEGER NOT NULL REFERENCES pull_requests(id), organisation TEXT NOT NULL,
                head_sha TEXT NOT NULL, status TEXT NOT NULL, check_run_id INTEGER, review_posted INTEGER NOT NULL DEFAULT 0,
                summary_posted INTEGER NOT NULL DEFAULT 0, conclusion TEXT, new_findings INTEGER, open_findings INTEGER,
                fixed_findings INTEGER, coverage TEXT, started_at TEXT NOT NULL, completed_at TEXT)
            """,
            """
            CREATE TABLE findings (
                id INTEGER PRIMARY KEY AUTOINCREMENT, pull_request_id INTEGER NOT NULL REFERENCES pull_requests(id),
                organisation TEXT NOT NULL, fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL, kind TEXT NOT NULL,
                severity TEXT NOT NULL, cwe TEXT, path TEXT NOT NULL, line INTEGER NOT NULL, column_number INTEGER NOT NULL,
                end_line INTEGER NOT NULL, message TEXT NOT NULL, redacted TEXT, status TEXT NOT NULL,
                first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, fixed_scan_id INTEGER,
                UNIQUE (pull_request_id, fingerprint))
            """,
            """
            CREATE TABLE diffs (
                object_key TEXT PRIMARY KEY, organisation TEXT NOT NULL, scan_id INTEGER, bytes INTEGER NOT NULL,
                created_at TEXT NOT NULL, expires_at REAL NOT NULL, deleted_at TEXT)
            """,
            "CREATE INDEX diffs_expiry ON diffs(deleted_at, expires_at)",
        ]),
        // When the job of a delivery was confirmed queued: NULL while it is not (see `DeliveryStore`).
        (3, [
            "ALTER TABLE deliveries ADD COLUMN queued_at TEXT",
            "UPDATE deliveries SET queued_at = received_at",
        ]),
        // The job of a delivery not yet queued: the ledger is its outbox (see `DeliveryStore`).
        (4, [
            "ALTER TABLE deliveries ADD COLUMN job TEXT",
        ]),
    ]

    func migrate() async throws {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", [])
        let applied = Set(try await connection.query("SELECT version FROM schema_migrations", []).compactMap { $0.column("version")?.integer })
        for migration in Self.migrations where !applied.contains(migration.version) {
            try await transaction {
                for statement in migration.statements where !statement.hasPrefix("PRAGMA") {
                    _ = try await connection.query(statement, [])
                }
                _ = try await connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                               [.integer(migration.version), .text(Self.now())])
            }
            logger.info("storage migrated", metadata: ["version": "\(migration.version)"])
        }
        _ = try await connection.query("PRAGMA journal_mode = WAL", [])
    }

    // The actor alone does not serialise: it is re-entered at every `await`, so a second call
    // could run a statement inside (or BEGIN over) another call's transaction. Every operation
    // therefore runs under this FIFO lock.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }  // ownership is handed over on release
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }

    func transaction<T>(_ body: () async throws -> T) async throws -> T {
        try await exclusive { try await unlockedTransaction(body) }
    }

    private func unlockedTransaction<T>(_ body: () async throws -> T) async throws -> T {
        _ = try await connection.query("BEGIN IMMEDIATE", [])
        do {
            let result = try await body()
            _ = try await connection.query("COMMIT", [])
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    // MARK: Audit log (see `AuditLog`)

    /// Appends an event, chained to the last one.
    @discardableResult
    public func audit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String] = [:]) async throws -> AuditEvent {
        try await transaction { try await appendAudit(actor: actor, action: action, target: target, organisation: organisation, metadata: metadata) }
    }

    /// Inside a transaction already open.
    func appendAudit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String]) async throws -> AuditEvent {
        let last = try await connection.query("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1", []).first
        let id = Int(last?.column("id")?.integer ?? 0) + 1
        let previous = last?.column("hash")?.string ?? AuditEvent.genesisHash
        let occurredAt = Self.now()
        let hash = AuditEvent.chainHash(previous: previous, id: id, occurredAt: occurredAt, actor: actor, action: action,
                                        target: target, organisation: organisation, metadata: metadata)
        _ = try await connection.query(
            "INSERT INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(id), .text(occurredAt), .text(actor), .text(action), .text(target),
             organisation.map { .text($0) } ?? .null, .text(AuditEvent.canonical(metadata)), .text(previous), .text(hash)])
        return AuditEvent(id: id, occurredAt: occurredAt, actor: actor, action: action, target: target,
                          organisation: organisation, metadata: metadata, previousHash: previous, hash: hash)
    }

    public func auditEvents() async throws -> [AuditEvent] {
        try await exclusive {
            try await connection.query("SELECT * FROM audit_events ORDER BY id", []).map { row in
                let metadataText = row.column("metadata")?.string ?? "{}"
                let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? ["_unreadable": metadataText]
                return AuditEvent(
                    id: Int(row.column("id")?.integer ?? 0), occurredAt: row.column("occurred_at")?.string ?? "",
                    actor: row.column("actor")?.string ?? "", action: row.column("action")?.string ?? "",
                    target: row.column("target")?.string ?? "", organisation: row.column("organisation")?.string,
                    metadata: metadata, previousHash: row.column("prev_hash")?.string ?? "", hash: row.column("hash")?.string ?? "")
            }
        }
    }

    /// For tests of the append-only guarantee: runs a statement as given.
    public func execute(_ sql: String) async throws {
        try await exclusive {
            _ = try await connection.query(sql, [])
        }
    }
}

extension SQLiteStore: AuditLog {}

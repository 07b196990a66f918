public import CorgiReview
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
    /// Seals every audit row appended (see `AuditEvent.sealedHash`); `nil`: plain hashes.
    let auditKey: AuditKey?
    /// Receives a signed checkpoint after every commit that appended audit rows.
    let auditAnchor: (any AuditAnchor)?
    /// The first sealed audit row (0: none yet); a checkpoint carries it.
    var auditSealedFrom = 0
    /// The head appended by the transaction running, anchored once it commits.
    var uncheckpointedHead: AuditHead?

    /// Opens (creating and migrating when needed) the database at `path`. With `auditKey` the audit
    /// rows are sealed, and with `auditAnchor` too every commit that appended one is checkpointed.
    public static func open(
        path: String, logger: Logger, auditKey: AuditKey? = nil, auditAnchor: (any AuditAnchor)? = nil
    ) async throws -> SQLiteStore {
        // Created owner-only before SQLite opens it: its -wal and -shm files take the same mode.
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { _ = Foundation.close(descriptor) }
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let store = SQLiteStore(connection: connection, logger: logger, auditKey: auditKey, auditAnchor: auditAnchor)
        try await store.migrate()
        try await store.restrictFileModes(path)
        try await store.loadAuditSealedFrom()
        return store
    }

    /// Opens an existing database read-only, for inspection (`corgi audit verify`): nothing is
    /// created, migrated or written, and a file that is not Code Corgi's is refused.
    public static func openReadOnly(path: String, logger: Logger) async throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw AuditStoreError.notADatabase(path) }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let uri = "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?mode=ro"
        let connection = try await SQLiteConnection.open(storage: .file(path: uri), logger: logger)
        let store = SQLiteStore(connection: connection, logger: logger, auditKey: nil, auditAnchor: nil)
        let tables = try? await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'", [])
        guard let tables, !tables.isEmpty else {
            try? await connection.close()
            throw AuditStoreError.notADatabase(path)
        }
        return store
    }

    init(connection: SQLiteConnection, logger: Logger, auditKey: AuditKey? = nil, auditAnchor: (any AuditAnchor)? = nil) {
        self.connection = connection
        self.logger = logger
        self.auditKey = auditKey
        self.auditAnchor = auditAnchor
    }

    /// The database and its -wal and -shm files hold customer metadata: owner only.
    func restrictFileModes(_ path: String) async throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            _ = chmod(path + suffix, 0o600)
        }
    }

    func loadAuditSealedFrom() async throws {
        let rows = try await connection.query("SELECT MIN(id) AS first FROM audit_events WHERE hash LIKE 'h1:%'", [])
        auditSealedFrom = Int(rows.first?.column("first")?.integer ?? 0)
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
        // Pull requests keyed by forge, installation and the forge's immutable repository id
        // instead of the repository's name: a renamed repository, or a name registered again by
        // another account, must never reach another installation's findings or summary comment.
        // SQLite cannot drop a UNIQUE constraint, so the table is rebuilt (ids kept, so scans and
        // findings still point at their rows). Rows from before have neither id: NULLs are
        // distinct in a UNIQUE constraint, so they are never matched again, and a pull request's
        // next review starts its reconciliation afresh (its summary comment is found by marker).
        (5, [
            """
            CREATE TABLE pull_requests_by_id (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, installation_id INTEGER, repository_id INTEGER,
                organisation TEXT NOT NULL, repository TEXT NOT NULL, number INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'open',
                head_sha TEXT, summary_comment_id INTEGER, updated_at TEXT NOT NULL,
                UNIQUE (forge, installation_id, repository_id, number))
            """,
            """
            INSERT INTO pull_requests_by_id (id, forge, organisation, repository, number, state, head_sha, summary_comment_id, updated_at)
            SELECT id, forge, organisation, repository, number, state, head_sha, summary_comment_id, updated_at FROM pull_requests
            """,
            "DROP TABLE pull_requests",
            "ALTER TABLE pull_requests_by_id RENAME TO pull_requests",
        ]),
        // Appends only at the head: a row must take the next id and link to the last row's hash.
        // This refuses `INSERT OR REPLACE` and upserts of an existing row (REPLACE deletes without
        // firing the DELETE trigger) and inserts out of sequence. A forged row that does chain to
        // the head is caught by its seal (see `AuditEvent.sealedHash`).
        (6, [
            """
            CREATE TRIGGER audit_events_in_sequence BEFORE INSERT ON audit_events
            WHEN NEW.id IS NOT (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_events)
              OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), '\(AuditEvent.genesisHash)')
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: an insert must take the next id and link to the head'); END
            """,
        ]),
        // Findings and rules a repository dismissed (`@corgi ignore`), one row per comment.
        (7, [
            """
            CREATE TABLE dismissals (
                id INTEGER PRIMARY KEY AUTOINCREMENT, organisation TEXT NOT NULL, forge TEXT NOT NULL, installation_id INTEGER NOT NULL,
                repository_id INTEGER NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, author TEXT NOT NULL,
                comment_id INTEGER NOT NULL, created_at TEXT NOT NULL,
                UNIQUE (forge, installation_id, repository_id, comment_id))
            """,
            "CREATE INDEX dismissals_by_repository ON dismissals(forge, installation_id, repository_id)",
        ]),
        // API keys: only the SHA-256 of each secret; times as Unix seconds. The API reads
        // findings by organisation: an index that starts with the tenant's two columns.
        (8, [
            """
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, organisation TEXT NOT NULL, name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'auditor')), scopes TEXT,
                display_prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_at REAL NOT NULL,
                expires_at REAL, last_used_at REAL, last_audited_use_at REAL, revoked_at REAL)
            """,
            "CREATE INDEX api_keys_by_organisation ON api_keys(forge, organisation)",
            "CREATE INDEX pull_requests_by_organisation ON pull_requests(forge, organisation)",
        ]),
        // Dismissals through the API: no comment behind them (comment_id NULL; NULLs are distinct
        // in the UNIQUE constraint), the finding they came from (once each) and the user's comment.
        // SQLite cannot drop NOT NULL, so the table is rebuilt with its ids.
        (9, [
            """
            CREATE TABLE dismissals_v9 (
                id INTEGER PRIMARY KEY AUTOINCREMENT, organisation TEXT NOT NULL, forge TEXT NOT NULL, installation_id INTEGER NOT NULL,
                repository_id INTEGER NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, author TEXT NOT NULL,
                comment_id INTEGER, finding_id INTEGER UNIQUE, comment TEXT, created_at TEXT NOT NULL,
                UNIQUE (forge, installation_id, repository_id, comment_id))
            """,
            """
            INSERT INTO dismissals_v9 (id, organisation, forge, installation_id, repository_id, target, reason, author, comment_id, created_at)
            SELECT id, organisation, forge, installation_id, repository_id, target, reason, author, comment_id, created_at FROM dismissals
            """,
            "DROP TABLE dismissals",
            "ALTER TABLE dismissals_v9 RENAME TO dismissals",
            "CREATE INDEX dismissals_by_repository ON dismissals(forge, installation_id, repository_id)",
        ]),
        // Sessions ended before their expiry (sign-out): the session cookie is a signed token, so
        // ending one early needs a list the authenticator checks.
        (10, [
            "CREATE TABLE revoked_sessions (session_id TEXT PRIMARY KEY, expires_at REAL NOT NULL, revoked_at TEXT NOT NULL)",
        ]),
        // An organisation's review policy (`OrganisationPolicy` as JSON), set through the API.
        (11, [
            """
            CREATE TABLE organisation_policies (
                forge TEXT NOT NULL, organisation TEXT NOT NULL, policy TEXT NOT NULL, updated_by TEXT NOT NULL,
                updated_at TEXT NOT NULL, PRIMARY KEY (forge, organisation))
            """,
        ]),
        // Dismissals until a date (`expires_at`, Unix seconds; NULL: for good). A finding whose
        // dismissal expired reopens and may be dismissed again, so `finding_id` is no longer
        // unique (the status check in the dismissing transaction records each dismissal once).
        (12, [
            """
            CREATE TABLE dismissals_v12 (
                id INTEGER PRIMARY KEY AUTOINCREMENT, organisation TEXT NOT NULL, forge TEXT NOT NULL, installation_id INTEGER NOT NULL,
                repository_id INTEGER NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, author TEXT NOT NULL,
                comment_id INTEGER, finding_id INTEGER, comment TEXT, created_at TEXT NOT NULL, expires_at REAL,
                UNIQUE (forge, installation_id, repository_id, comment_id))
            """,
            """
            INSERT INTO dismissals_v12 (id, organisation, forge, installation_id, repository_id, target, reason, author, comment_id,
                                        finding_id, comment, created_at)
            SELECT id, organisation, forge, installation_id, repository_id, target, reason, author, comment_id, finding_id, comment,
                   created_at FROM dismissals
            """,
            "DROP TABLE dismissals",
            "ALTER TABLE dismissals_v12 RENAME TO dismissals",
            "CREATE INDEX dismissals_by_repository ON dismissals(forge, installation_id, repository_id)",
            "CREATE INDEX dismissals_by_finding ON dismissals(finding_id)",
        ]),
        // Four-eyes triage: a dismissal requested by one person, approved or rejected by another.
        (13, [
            """
            CREATE TABLE dismissal_requests (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, organisation TEXT NOT NULL, finding_id INTEGER NOT NULL,
                reason TEXT NOT NULL, comment TEXT, expires_at REAL, requested_by TEXT NOT NULL, created_at REAL NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')), decided_by TEXT, decided_at REAL)
            """,
            "CREATE INDEX dismissal_requests_by_organisation ON dismissal_requests(forge, organisation, state)",
            "CREATE UNIQUE INDEX dismissal_requests_one_pending ON dismissal_requests(finding_id) WHERE state = 'pending'",
        ]),
        // Sessions people started by signing in (their sid, never a token), listed to them.
        (14, [
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, forge TEXT NOT NULL, organisation TEXT NOT NULL, subject TEXT NOT NULL,
                role TEXT NOT NULL, method TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL)
            """,
            "CREATE INDEX sessions_by_person ON sessions(forge, organisation, subject)",
        ]),
        // Organisations deleted (`OrganisationDeletion`): the record the sweeper reads to forget
        // the rows of their diffs once the objects are gone; the tombstone is the audit row named.
        // And exports of an organisation's data.
        (15, [
            """
            CREATE TABLE organisation_deletions (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, organisation TEXT NOT NULL, deleted_at TEXT NOT NULL,
                audit_event_id INTEGER NOT NULL)
            """,
            "CREATE INDEX organisation_deletions_by_organisation ON organisation_deletions(organisation, forge)",
            // Exports of an organisation's data (`OrganisationExport`): the archive is kept here
            // until it expires (metadata only: findings' redacted evidence, never code).
            """
            CREATE TABLE exports (
                id INTEGER PRIMARY KEY AUTOINCREMENT, forge TEXT NOT NULL, organisation TEXT NOT NULL, requested_by TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'ready', 'failed', 'expired')), created_at REAL NOT NULL,
                started_at REAL, finished_at REAL, expires_at REAL, bytes INTEGER, sha256 TEXT, archive BLOB)
            """,
            "CREATE INDEX exports_by_organisation ON exports(forge, organisation)",
        ]),
        // The region of every organisation (`RegionDirectory`), fixed when it is first seen; read
        // only in the home region's database.
        (16, [
            """
            CREATE TABLE organisation_regions (
                forge TEXT NOT NULL, organisation TEXT NOT NULL, region TEXT NOT NULL CHECK (region IN ('us', 'eu', 'apac')),
                assigned_at TEXT NOT NULL, PRIMARY KEY (forge, organisation))
            """,
        ]),
        // An organisation's audit events by time: its trail, and its model reviews' tokens today.
        (17, ["CREATE INDEX audit_events_by_organisation ON audit_events(organisation, occurred_at)"]),
        // A dataflow finding's path (source and sink lines, the rule's names): the dashboard shows it.
        (18, ["ALTER TABLE findings ADD COLUMN flow TEXT"]),
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
            await checkpointAppendedHead()
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            uncheckpointedHead = nil
            throw error
        }
    }

    /// After a commit that appended audit rows: anchors the new head outside the database. A
    /// failure is logged, not thrown (the rows are committed; the next append anchors again).
    private func checkpointAppendedHead() async {
        guard let head = uncheckpointedHead else { return }
        uncheckpointedHead = nil
        guard let auditKey, let auditAnchor else { return }
        do {
            try await auditAnchor.record(AuditCheckpoint.signed(count: head.count, head: head.hash, sealedFrom: head.sealedFrom, key: auditKey))
        } catch {
            logger.error("audit checkpoint not written", metadata: ["anchor": "\(auditAnchor.location)", "error": "\(error)"])
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
        let hash = AuditEvent.newHash(key: auditKey, previous: previous, id: id, occurredAt: occurredAt,
                                      entry: AuditEntry(actor: actor, action: action, target: target, organisation: organisation, metadata: metadata))
        _ = try await connection.query(
            "INSERT INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(id), .text(occurredAt), .text(AuditEvent.storageForm(actor)), .text(AuditEvent.storageForm(action)),
             .text(AuditEvent.storageForm(target)), organisation.map { .text(AuditEvent.storageForm($0)) } ?? .null,
             .text(AuditEvent.canonical(metadata)), .text(previous), .text(hash)])
        if auditKey != nil && auditSealedFrom == 0 { auditSealedFrom = id }
        uncheckpointedHead = AuditHead(count: id, hash: hash, sealedFrom: auditSealedFrom)
        return AuditEvent(id: id, occurredAt: occurredAt, actor: actor, action: action, target: target,
                          organisation: organisation, metadata: metadata, previousHash: previous, hash: hash)
    }

    public func auditEvents() async throws -> [AuditEvent] {
        try await exclusive {
            try await connection.query("SELECT * FROM audit_events ORDER BY id", []).map(Self.auditEvent)
        }
    }

    static func auditEvent(_ row: SQLiteRow) -> AuditEvent {
        let metadataText = row.column("metadata")?.string ?? "{}"
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? ["_unreadable": metadataText]
        return AuditEvent(
            id: Int(row.column("id")?.integer ?? 0), occurredAt: row.column("occurred_at")?.string ?? "",
            actor: AuditEvent.fromStorage(row.column("actor")?.string ?? ""),
            action: AuditEvent.fromStorage(row.column("action")?.string ?? ""),
            target: AuditEvent.fromStorage(row.column("target")?.string ?? ""),
            organisation: row.column("organisation")?.string.map(AuditEvent.fromStorage),
            metadata: metadata, previousHash: row.column("prev_hash")?.string ?? "", hash: row.column("hash")?.string ?? "")
    }


    public func auditHead() async throws -> AuditHead? {
        try await exclusive {
            let rows = try await connection.query(
                "SELECT id, hash, (SELECT MIN(id) FROM audit_events WHERE hash LIKE 'h1:%') AS sealed_from FROM audit_events ORDER BY id DESC LIMIT 1", [])
            guard let row = rows.first, let id = row.column("id")?.integer, let hash = row.column("hash")?.string else { return nil }
            return AuditHead(count: Int(id), hash: hash, sealedFrom: Int(row.column("sealed_from")?.integer ?? 0))
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

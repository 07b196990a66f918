public import Logging
import Foundation
import PostgresNIO

/// Versioned, forward-only migrations of the PostgreSQL schema, run by the MIGRATION (owner) role:
/// a separate step from the service, which connects as the APPLICATION role and can change data
/// only as `grantStatements` allow.
///
/// - Each version runs in one transaction and is recorded in `schema_migrations`.
/// - Concurrent migrators (several replicas starting at once) are serialised with a session-level
///   `pg_advisory_lock` on one connection; the second finds the versions applied and does nothing.
/// - After the versions, the application role's privileges are set anew, in one transaction:
///   everything on the schema's tables revoked, then exactly the grants below. Running it twice
///   changes nothing.
///
/// The application role must already exist (the DBA creates it with LOGIN and a password), must
/// not be a superuser and must not be a member of the owner role; it owns nothing.
public enum PostgresMigrator {
    public struct Migration: Sendable {
        public let version: Int
        public let summary: String
        let statements: [String]
    }

    /// The key of the session lock that serialises migrators (per database).
    static let migrationLockKey: Int64 = 0x436F_7267_694D_6967  // "CorgiMig"

    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// The schema mirrors SQLiteStore's, with PostgreSQL types. Timestamps the store writes itself
    /// are `timestamptz` set by the server; `audit_events.occurred_at` and `metadata` stay `text`
    /// because they are hashed into the chain exactly as written.
    public static let migrations: [Migration] = [
        Migration(version: 1, summary: "initial schema", statements: [
            """
            CREATE TABLE organisations (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                login text NOT NULL,
                installation_id bigint UNIQUE,
                retention_days integer NOT NULL DEFAULT 90,
                created_at timestamptz NOT NULL DEFAULT now(),
                removed_at timestamptz)
            """,
            """
            CREATE TABLE repositories (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                organisation_id bigint NOT NULL REFERENCES organisations(id),
                full_name text NOT NULL,
                active boolean NOT NULL DEFAULT true,
                UNIQUE (organisation_id, full_name))
            """,
            """
            CREATE TABLE deliveries (
                delivery_id text PRIMARY KEY,
                forge text NOT NULL,
                event text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                queued_at timestamptz)
            """,
            """
            CREATE TABLE pull_requests (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                repository text NOT NULL,
                number bigint NOT NULL,
                state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
                head_sha text,
                summary_comment_id bigint,
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (forge, repository, number))
            """,
            """
            CREATE TABLE scans (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_key text NOT NULL UNIQUE,
                pull_request_id bigint NOT NULL REFERENCES pull_requests(id),
                organisation text NOT NULL,
                head_sha text NOT NULL,
                status text NOT NULL CHECK (status IN ('running', 'scanned', 'published')),
                check_run_id bigint,
                review_posted boolean NOT NULL DEFAULT false,
                summary_posted boolean NOT NULL DEFAULT false,
                conclusion text,
                new_findings integer,
                open_findings integer,
                fixed_findings integer,
                coverage text,
                started_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz)
            """,
            "CREATE INDEX scans_pull_request ON scans (pull_request_id)",
            """
            CREATE TABLE findings (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pull_request_id bigint NOT NULL REFERENCES pull_requests(id),
                organisation text NOT NULL,
                fingerprint text NOT NULL,
                rule_id text NOT NULL,
                kind text NOT NULL,
                severity text NOT NULL,
                cwe text,
                path text NOT NULL,
                line integer NOT NULL,
                column_number integer NOT NULL,
                end_line integer NOT NULL,
                message text NOT NULL,
                redacted text,
                status text NOT NULL CHECK (status IN ('open', 'fixed')),
                first_scan_id bigint NOT NULL REFERENCES scans(id),
                last_scan_id bigint NOT NULL REFERENCES scans(id),
                fixed_scan_id bigint REFERENCES scans(id),
                UNIQUE (pull_request_id, fingerprint))
            """,
            """
            CREATE TABLE diffs (
                object_key text PRIMARY KEY,
                organisation text NOT NULL,
                scan_id bigint REFERENCES scans(id),
                bytes bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                deleted_at timestamptz)
            """,
            "CREATE INDEX diffs_expiry ON diffs (expires_at) WHERE deleted_at IS NULL",
            """
            CREATE TABLE audit_events (
                id bigint PRIMARY KEY CHECK (id > 0),
                occurred_at text NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                organisation text,
                metadata text NOT NULL,
                prev_hash text NOT NULL,
                hash text NOT NULL)
            """,
            // Append-only, twice over: the application role has only INSERT and SELECT on the table
            // (see `grantStatements`), and this owner-level trigger refuses UPDATE, DELETE and
            // TRUNCATE from anyone who does have the privilege (the owner, a superuser) until it is
            // dropped or disabled on purpose. Statement-level, so it fires even when no row matches.
            """
            CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'raise_exception';
            END
            $$
            """,
            """
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()
            """,
        ]),
        Migration(version: 2, summary: "deliveries keep their job until it is queued", statements: [
            // The ledger is the job's outbox while the queue is unreachable (LedgerIntake.relayPending).
            "ALTER TABLE deliveries ADD COLUMN job text",
        ]),
        // As SQLiteStore's version 5: rows from before keep NULL ids and are never matched again.
        Migration(version: 3, summary: "pull requests keyed by installation and repository id", statements: [
            "ALTER TABLE pull_requests ADD COLUMN installation_id bigint, ADD COLUMN repository_id bigint",
            "ALTER TABLE pull_requests DROP CONSTRAINT pull_requests_forge_repository_number_key",
            "ALTER TABLE pull_requests ADD CONSTRAINT pull_requests_identity UNIQUE (forge, installation_id, repository_id, number)",
        ]),
        // As SQLiteStore's version 6: appends only at the head. A row must take the next id and link
        // to the last row's hash, whoever inserts it (the owner too); upserts need UPDATE, which the
        // application role does not have. Appends are serialised by the audit advisory lock, so the
        // head read here is the one the appender chained to.
        Migration(version: 4, summary: "audit events append only at the head", statements: [
            """
            CREATE FUNCTION audit_events_check_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                head_id bigint;
                head_hash text;
            BEGIN
                SELECT id, hash INTO head_id, head_hash FROM audit_events ORDER BY id DESC LIMIT 1;
                IF NEW.id IS DISTINCT FROM COALESCE(head_id, 0) + 1
                   OR NEW.prev_hash IS DISTINCT FROM COALESCE(head_hash, repeat('0', 64)) THEN
                    RAISE EXCEPTION 'audit_events is append-only: an insert must take the next id and link to the head'
                        USING ERRCODE = 'raise_exception';
                END IF;
                RETURN NEW;
            END
            $$
            """,
            """
            CREATE TRIGGER audit_events_in_sequence BEFORE INSERT ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_check_sequence()
            """,
        ]),
        // As SQLiteStore's version 7: what a repository dismissed (`@corgi ignore`), one row per
        // comment; a dismissed finding is neither open nor fixed.
        Migration(version: 5, summary: "dismissals", statements: [
            """
            CREATE TABLE dismissals (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                organisation text NOT NULL,
                forge text NOT NULL,
                installation_id bigint NOT NULL,
                repository_id bigint NOT NULL,
                target text NOT NULL,
                reason text NOT NULL,
                author text NOT NULL,
                comment_id bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (forge, installation_id, repository_id, comment_id))
            """,
            "CREATE INDEX dismissals_by_repository ON dismissals (forge, installation_id, repository_id)",
            "ALTER TABLE findings DROP CONSTRAINT findings_status_check",
            "ALTER TABLE findings ADD CONSTRAINT findings_status_check CHECK (status IN ('open', 'fixed', 'dismissed'))",
        ]),
        // As SQLiteStore's version 8: API keys, only the SHA-256 of each secret.
        Migration(version: 6, summary: "api keys", statements: [
            """
            CREATE TABLE api_keys (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'auditor')),
                scopes text,
                display_prefix text NOT NULL,
                key_hash text NOT NULL UNIQUE,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz,
                last_used_at timestamptz,
                last_audited_use_at timestamptz,
                revoked_at timestamptz)
            """,
            "CREATE INDEX api_keys_by_organisation ON api_keys (forge, organisation)",
            "CREATE INDEX pull_requests_by_organisation ON pull_requests (forge, organisation)",
        ]),
        // As SQLiteStore's version 9: dismissals through the API.
        Migration(version: 7, summary: "api dismissals", statements: [
            "ALTER TABLE dismissals ALTER COLUMN comment_id DROP NOT NULL",
            "ALTER TABLE dismissals ADD COLUMN finding_id bigint UNIQUE, ADD COLUMN comment text",
        ]),
        // As SQLiteStore's version 10: sessions ended by sign-out.
        Migration(version: 8, summary: "revoked sessions", statements: [
            """
            CREATE TABLE revoked_sessions (
                session_id text PRIMARY KEY,
                expires_at timestamptz NOT NULL,
                revoked_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
        // Sign-outs must not grow the table without bound, yet the application role must not be
        // able to forget a revocation that still matters: it gets this function, which runs as
        // the table's owner and deletes only rows whose session expired by the database's clock.
        Migration(version: 9, summary: "prune expired session revocations", statements: [
            """
            CREATE FUNCTION prune_revoked_sessions() RETURNS integer
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                WITH pruned AS (DELETE FROM public.revoked_sessions WHERE expires_at < now() RETURNING 1)
                SELECT count(*)::integer FROM pruned
            $$
            """,
        ]),
        // As SQLiteStore's version 11: an organisation's review policy, set through the API.
        Migration(version: 10, summary: "organisation policies", statements: [
            """
            CREATE TABLE organisation_policies (
                forge text NOT NULL,
                organisation text NOT NULL,
                policy text NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (forge, organisation))
            """,
        ]),
        // As SQLiteStore's version 12: dismissals until a date; a finding may be dismissed again
        // once its dismissal expired.
        Migration(version: 11, summary: "dismissals until a date", statements: [
            "ALTER TABLE dismissals DROP CONSTRAINT dismissals_finding_id_key",
            "ALTER TABLE dismissals ADD COLUMN expires_at timestamptz",
            "CREATE INDEX dismissals_by_finding ON dismissals (finding_id)",
        ]),
        // As SQLiteStore's version 13: four-eyes triage.
        Migration(version: 12, summary: "dismissal requests", statements: [
            """
            CREATE TABLE dismissal_requests (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                finding_id bigint NOT NULL,
                reason text NOT NULL,
                comment text,
                expires_at timestamptz,
                requested_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
                decided_by text,
                decided_at timestamptz)
            """,
            "CREATE INDEX dismissal_requests_by_organisation ON dismissal_requests (forge, organisation, state)",
            "CREATE UNIQUE INDEX dismissal_requests_one_pending ON dismissal_requests (finding_id) WHERE state = 'pending'",
        ]),
        // As SQLiteStore's version 14: sessions people started, listed to them; the owner's pruning
        // function now forgets expired sessions with expired revocations.
        Migration(version: 13, summary: "signed-in sessions", statements: [
            """
            CREATE TABLE sessions (
                id text PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                subject text NOT NULL,
                role text NOT NULL,
                method text NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL)
            """,
            "CREATE INDEX sessions_by_person ON sessions (forge, organisation, subject)",
            """
            CREATE OR REPLACE FUNCTION prune_revoked_sessions() RETURNS integer
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                DELETE FROM public.sessions WHERE expires_at < now();
                WITH pruned AS (DELETE FROM public.revoked_sessions WHERE expires_at < now() RETURNING 1)
                SELECT count(*)::integer FROM pruned
            $$
            """,
        ]),
        // As SQLiteStore's version 15: deleting an organisation. The application role has no
        // DELETE anywhere; it gets these two functions, which run as the tables' owner and remove
        // exactly one organisation's rows (the store appends the tombstone in the same
        // transaction) or the rows of diffs whose objects the sweeper already deleted.
        Migration(version: 14, summary: "organisation deletion and export", statements: [
            """
            CREATE TABLE organisation_deletions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                deleted_at timestamptz NOT NULL DEFAULT now(),
                audit_event_id bigint NOT NULL)
            """,
            "CREATE INDEX organisation_deletions_by_organisation ON organisation_deletions (organisation, forge)",
            """
            CREATE TABLE exports (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                forge text NOT NULL,
                organisation text NOT NULL,
                requested_by text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'running', 'ready', 'failed', 'expired')),
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                finished_at timestamptz,
                expires_at timestamptz,
                bytes bigint,
                sha256 text,
                archive bytea)
            """,
            "CREATE INDEX exports_by_organisation ON exports (forge, organisation)",
            """
            CREATE FUNCTION delete_organisation(p_forge text, p_login text) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE
                counts jsonb := '{}'::jsonb;
                n integer;
                scan_ids bigint[];
                pull_request_ids bigint[];
            BEGIN
                SELECT coalesce(array_agg(id), '{}') INTO pull_request_ids FROM public.pull_requests
                    WHERE forge = p_forge AND organisation = p_login;
                SELECT coalesce(array_agg(id), '{}') INTO scan_ids FROM public.scans WHERE pull_request_id = ANY (pull_request_ids);
                -- Diffs: rows already swept go now; the others expire at once, detached from their
                -- reviews, and are forgotten once the sweeper deleted their objects.
                DELETE FROM public.diffs WHERE deleted_at IS NOT NULL
                    AND (scan_id = ANY (scan_ids) OR (organisation = p_login AND object_key LIKE 'diffs/' || p_forge || '/%'));
                UPDATE public.diffs SET expires_at = now(), scan_id = NULL WHERE deleted_at IS NULL
                    AND (scan_id = ANY (scan_ids) OR (organisation = p_login AND object_key LIKE 'diffs/' || p_forge || '/%'));
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('diffs_expired', n);
                DELETE FROM public.dismissal_requests WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('dismissal_requests', n);
                DELETE FROM public.dismissals WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('dismissals', n);
                DELETE FROM public.findings WHERE pull_request_id = ANY (pull_request_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('findings', n);
                DELETE FROM public.scans WHERE id = ANY (scan_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('reviews', n);
                DELETE FROM public.pull_requests WHERE id = ANY (pull_request_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('pull_requests', n);
                DELETE FROM public.organisation_policies WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('policies', n);
                DELETE FROM public.api_keys WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('api_keys', n);
                -- A session cookie is a signed token: it stays refused through a revocation until it expires.
                INSERT INTO public.revoked_sessions (session_id, expires_at)
                    SELECT id, expires_at FROM public.sessions WHERE forge = p_forge AND organisation = p_login
                    ON CONFLICT DO NOTHING;
                DELETE FROM public.sessions WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('sessions', n);
                DELETE FROM public.exports WHERE forge = p_forge AND organisation = p_login;
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('exports', n);
                IF p_forge = 'github' THEN
                    DELETE FROM public.repositories WHERE organisation_id IN (SELECT id FROM public.organisations WHERE login = p_login);
                    GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('repositories', n);
                    DELETE FROM public.organisations WHERE login = p_login;
                    GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('installations', n);
                END IF;
                RETURN counts::text;
            END
            $$
            """,
            """
            CREATE FUNCTION expire_review_results(p_forge text, p_login text, p_cutoff timestamptz) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE
                counts jsonb := '{}'::jsonb;
                n integer;
                scan_ids bigint[];
                pull_request_ids bigint[];
            BEGIN
                SELECT coalesce(array_agg(id), '{}') INTO pull_request_ids FROM public.pull_requests
                    WHERE forge = p_forge AND organisation = p_login AND state = 'closed' AND updated_at < p_cutoff;
                SELECT coalesce(array_agg(id), '{}') INTO scan_ids FROM public.scans WHERE pull_request_id = ANY (pull_request_ids);
                DELETE FROM public.diffs WHERE deleted_at IS NOT NULL AND scan_id = ANY (scan_ids);
                UPDATE public.diffs SET expires_at = now(), scan_id = NULL WHERE deleted_at IS NULL AND scan_id = ANY (scan_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('diffs_expired', n);
                DELETE FROM public.dismissal_requests
                    WHERE finding_id IN (SELECT id FROM public.findings WHERE pull_request_id = ANY (pull_request_ids));
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('dismissal_requests', n);
                DELETE FROM public.findings WHERE pull_request_id = ANY (pull_request_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('findings', n);
                DELETE FROM public.scans WHERE id = ANY (scan_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('reviews', n);
                DELETE FROM public.pull_requests WHERE id = ANY (pull_request_ids);
                GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('pull_requests', n);
                RETURN counts::text;
            END
            $$
            """,
            """
            CREATE FUNCTION forget_detached_diffs() RETURNS integer
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                WITH gone AS (DELETE FROM public.diffs WHERE deleted_at IS NOT NULL AND scan_id IS NULL RETURNING 1)
                SELECT count(*)::integer FROM gone
            $$
            """,
        ]),
        // As SQLiteStore's version 16: the region of every organisation, fixed when it is first
        // seen (read only in the home region's database; every database has the table).
        Migration(version: 15, summary: "organisation regions", statements: [
            """
            CREATE TABLE organisation_regions (
                forge text NOT NULL, organisation text NOT NULL, region text NOT NULL CHECK (region IN ('us', 'eu', 'apac')),
                assigned_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (forge, organisation))
            """,
        ]),
        // As SQLiteStore's version 17.
        Migration(version: 16, summary: "audit events by organisation and time", statements: [
            "CREATE INDEX audit_events_by_organisation ON audit_events (organisation, occurred_at)",
        ]),
        // As SQLiteStore's version 18.
        Migration(version: 17, summary: "dataflow paths of findings", statements: [
            "ALTER TABLE findings ADD COLUMN flow text",
        ]),
    ]

    /// What the application role may do, and nothing else: exactly what PostgresStore's queries
    /// need. No DELETE or TRUNCATE anywhere (nothing is ever deleted: retention marks `deleted_at`),
    /// no DDL (no CREATE on the schema, owns no table), and UPDATE only of the columns the store
    /// changes, so identifiers, organisations and fingerprints of existing rows are immutable to it.
    ///
    /// - `schema_migrations`: SELECT (the store checks the schema version at start-up).
    /// - `audit_events`: SELECT, INSERT only. UPDATE, DELETE and TRUNCATE are refused (42501).
    /// - `organisations`: SELECT, INSERT; UPDATE (login, removed_at) — installation tracking.
    /// - `repositories`: SELECT, INSERT; UPDATE (active).
    /// - `deliveries`: SELECT, INSERT; UPDATE (queued_at) — `markDeliveryQueued`.
    /// - `pull_requests`: SELECT, INSERT; UPDATE (head_sha, state, summary_comment_id, updated_at, repository)
    ///   — `repository` is the display name, which follows renames; the ids that key the row do not change.
    /// - `scans`: SELECT, INSERT; UPDATE (check_run_id, status, review_posted, summary_posted,
    ///   conclusion, new_findings, open_findings, fixed_findings, coverage, completed_at).
    /// - `findings`: SELECT, INSERT; UPDATE (status, first_scan_id, last_scan_id, fixed_scan_id,
    ///   path, line, column_number, end_line, severity, message, flow) — reconciliation.
    /// - `diffs`: SELECT, INSERT; UPDATE (deleted_at) — the sweeper.
    /// - `dismissals`: SELECT, INSERT only — a dismissal is never edited or removed by the application.
    /// - `api_keys`: SELECT, INSERT; UPDATE (last_used_at, last_audited_use_at, revoked_at) — a key's
    ///   hash, organisation, role and scopes never change; a revoked key stays revoked (the store
    ///   only sets `revoked_at` where it is NULL).
    /// - `organisation_policies`: SELECT, INSERT; UPDATE (policy, updated_by, updated_at) — the
    ///   organisation a row belongs to never changes.
    /// - `dismissal_requests`: SELECT, INSERT; UPDATE (state, decided_by, decided_at) — who asked,
    ///   for which finding and why never changes.
    /// - `sessions`: SELECT, INSERT only — a session is ended by listing it as revoked; expired
    ///   rows go through `prune_revoked_sessions()`.
    /// - `revoked_sessions`: SELECT, INSERT only — a sign-out is never undone; rows of expired
    ///   sessions go through EXECUTE on `prune_revoked_sessions()`.
    /// - `organisation_deletions`: SELECT, INSERT only — the record of each deletion. Deleting an
    ///   organisation's rows goes through EXECUTE on `delete_organisation(forge, login)` (one
    ///   organisation, all of its rows, in the caller's transaction with the tombstone) and on
    ///   `forget_detached_diffs()` (rows of swept diffs a deletion detached from their review) and
    ///   `expire_review_results(forge, login, cutoff)` (closed pull requests past the
    ///   organisation's review retention, in the caller's transaction with its audit row): no
    ///   DELETE privilege exists, so the application cannot remove a row any other way.
    /// - `exports`: SELECT, INSERT; UPDATE of the state and the archive's columns — whose export
    ///   it is and who asked never change; an expired archive is dropped by setting it NULL.
    /// - `organisation_regions`: SELECT, INSERT only — an organisation's region never changes.
    /// - schema `public`: USAGE only; database: CONNECT only (when the migration role owns the
    ///   database, PUBLIC loses CONNECT and TEMPORARY). Identity columns need no sequence grant.
    static func grantStatements(appRole role: String) -> [String] {
        [
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC",
            "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role)",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM \(role)",
            "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM \(role)",
            "GRANT USAGE ON SCHEMA public TO \(role)",
            "GRANT SELECT ON schema_migrations TO \(role)",
            "GRANT SELECT, INSERT ON audit_events TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (login, removed_at) ON organisations TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (active) ON repositories TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (queued_at) ON deliveries TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (head_sha, state, summary_comment_id, updated_at, repository) ON pull_requests TO \(role)",
            """
            GRANT SELECT, INSERT, UPDATE (check_run_id, status, review_posted, summary_posted, conclusion, new_findings,
                open_findings, fixed_findings, coverage, completed_at) ON scans TO \(role)
            """,
            """
            GRANT SELECT, INSERT, UPDATE (status, first_scan_id, last_scan_id, fixed_scan_id, path, line, column_number,
                end_line, severity, message, flow) ON findings TO \(role)
            """,
            "GRANT SELECT, INSERT, UPDATE (deleted_at) ON diffs TO \(role)",
            "GRANT SELECT, INSERT ON dismissals TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (last_used_at, last_audited_use_at, revoked_at) ON api_keys TO \(role)",
            "GRANT SELECT, INSERT ON revoked_sessions TO \(role)",
            "GRANT SELECT, INSERT ON sessions TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (policy, updated_by, updated_at) ON organisation_policies TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (state, decided_by, decided_at) ON dismissal_requests TO \(role)",
            "GRANT EXECUTE ON FUNCTION prune_revoked_sessions() TO \(role)",
            "GRANT SELECT, INSERT ON organisation_deletions TO \(role)",
            "GRANT SELECT, INSERT, UPDATE (state, started_at, finished_at, expires_at, bytes, sha256, archive) ON exports TO \(role)",
            "GRANT EXECUTE ON FUNCTION delete_organisation(text, text) TO \(role)",
            "GRANT EXECUTE ON FUNCTION forget_detached_diffs() TO \(role)",
            "GRANT EXECUTE ON FUNCTION expire_review_results(text, text, timestamptz) TO \(role)",
            "GRANT SELECT, INSERT ON organisation_regions TO \(role)",
        ]
    }

    /// Applies the versions not yet applied, then sets the application role's privileges.
    /// Returns the versions applied by this call (empty when the schema was up to date).
    ///
    /// - Parameters:
    ///   - configuration: the MIGRATION role's connection; it becomes the owner of every table.
    ///   - appRole: the APPLICATION role the service connects as.
    @discardableResult
    public static func migrate(configuration: PostgresConfiguration, appRole: String, logger: Logger) async throws -> [Int] {
        try await PostgresStore.withConnection(configuration: configuration, logger: logger) { connection in
            try await migrate(on: connection, appRole: appRole, logger: logger)
        }
    }

    static func migrate(on connection: PostgresConnection, appRole: String, logger: Logger) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock(\(migrationLockKey))", logger: logger)
        do {
            let applied = try await migrateLocked(on: connection, appRole: appRole, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLockKey))", logger: logger)
            return applied
        } catch {
            // The lock belongs to the session: closing the connection would release it too.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLockKey))", logger: logger)
            throw error
        }
    }

    private static func migrateLocked(on connection: PostgresConnection, appRole: String, logger: Logger) async throws -> [Int] {
        // The application role: exists, is not us, is no superuser and cannot act as us.
        let roleRows = try await connection.query(
            """
            SELECT r.rolsuper, r.rolname = current_user, pg_has_role(r.rolname, current_user, 'MEMBER')
            FROM pg_roles r WHERE r.rolname = \(appRole)
            """, logger: logger).collect()
        guard let roleRow = roleRows.first else {
            throw PostgresStoreError.migration("the application role '\(appRole)' does not exist: create it (LOGIN, a password) first")
        }
        let (isSuperuser, isUs, isMember) = try roleRow.decode((Bool, Bool, Bool).self)
        guard !isUs else { throw PostgresStoreError.migration("the application role must not be the migration role '\(appRole)'") }
        guard !isSuperuser else { throw PostgresStoreError.migration("the application role '\(appRole)' is a superuser: privileges would not apply") }
        guard !isMember else { throw PostgresStoreError.migration("the application role '\(appRole)' is a member of the migration role") }
        let role = quoteIdentifier(appRole)

        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, summary text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            done.insert(version)
        }
        if let newer = done.max(), newer > latestVersion {
            throw PostgresStoreError.migration("the database is at version \(newer), newer than this build's \(latestVersion): refusing to touch it")
        }

        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            try await PostgresStore.transaction(on: connection, logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, summary) VALUES (\(migration.version), \(migration.summary))", logger: logger)
            }
            applied.append(migration.version)
            logger.info("postgres schema migrated", metadata: ["version": "\(migration.version)", "summary": "\(migration.summary)"])
        }

        try await PostgresStore.transaction(on: connection, logger: logger) { connection in
            for statement in grantStatements(appRole: role) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            // Database- and schema-level settings need the database's owner; a migration role that
            // was only given the schema leaves them to the DBA.
            let ownsDatabase = try await connection.query(
                "SELECT pg_has_role(current_user, datdba, 'USAGE') FROM pg_database WHERE datname = current_database()",
                logger: logger).collect().first?.decode(Bool.self) ?? false
            if ownsDatabase {
                let database = try await connection.query("SELECT current_database()", logger: logger).collect().first?.decode(String.self) ?? ""
                let db = quoteIdentifier(database)
                try await connection.query(PostgresQuery(unsafeSQL: "REVOKE CREATE ON SCHEMA public FROM PUBLIC"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON DATABASE \(db) FROM PUBLIC"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON DATABASE \(db) FROM \(role)"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "GRANT CONNECT ON DATABASE \(db) TO \(role)"), logger: logger)
            } else {
                logger.warning("the migration role does not own the database: make sure PUBLIC has neither CREATE on schema public nor TEMPORARY on the database")
            }
        }
        return applied
    }

    /// A double-quoted SQL identifier.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

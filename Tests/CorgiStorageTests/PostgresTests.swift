import CorgiPostgres
import CorgiReview
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL: roles, migrations and TLS", .enabled(if: PostgresTestServer.wanted), .timeLimit(.minutes(2)))
struct PostgresTests {
    @Test("the owner is refused UPDATE, DELETE and TRUNCATE of audit_events by the triggers")
    func ownerRefusedByTriggers() async throws {
        try await PostgresTestDatabase.with { database in
            _ = try await database.withStore { store in
                try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
            }
            try await database.withOwner { owner in
                for statement in ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events WHERE id = 1",
                                  "DELETE FROM audit_events WHERE false", "TRUNCATE audit_events"] {
                    let refused = await expectServerError { try await owner.query(PostgresQuery(unsafeSQL: statement)) }
                    #expect(refused.state == "P0001", "\(statement)")
                    #expect(refused.message?.contains("append-only") == true, "\(statement): \(refused.message ?? "-")")
                }
            }
            try await database.withStore { (store: PostgresStore) async throws in
                #expect(try await store.auditEvents().map(\.actor) == ["a"])
            }
        }
    }

    @Test("the application role runs no DDL, owns nothing and changes only what the store changes")
    func applicationRoleIsLeastPrivileged() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withApp { app in
                let refusedStatements = [
                    "CREATE TABLE intruder (id int)",
                    "CREATE TEMPORARY TABLE intruder (id int)",
                    "DROP TABLE findings",
                    "DROP TABLE audit_events",
                    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
                    "CREATE INDEX intruder ON findings (path)",
                    "DELETE FROM findings",
                    "DELETE FROM deliveries",
                    "TRUNCATE diffs",
                    "UPDATE scans SET organisation = 'someone-else'",
                    "UPDATE findings SET fingerprint = 'x'",
                    "INSERT INTO schema_migrations (version, summary) VALUES (999, 'x')",
                    // A key's identity and powers are fixed at creation; keys are revoked, never removed.
                    "UPDATE api_keys SET role = 'owner'",
                    "UPDATE api_keys SET key_hash = 'x'",
                    "UPDATE api_keys SET organisation = 'someone-else'",
                    "UPDATE api_keys SET scopes = NULL",
                    "UPDATE api_keys SET expires_at = NULL",
                    "DELETE FROM api_keys",
                    // A sign-out is never undone: expired ones are pruned only through the owner's
                    // function, which the application role can neither replace nor rewrite.
                    "DELETE FROM revoked_sessions",
                    "UPDATE revoked_sessions SET expires_at = now()",
                    "CREATE OR REPLACE FUNCTION prune_revoked_sessions() RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$",
                    "ALTER FUNCTION prune_revoked_sessions() SECURITY INVOKER",
                    // A policy belongs to its organisation for good, and is replaced, never removed.
                    "UPDATE organisation_policies SET organisation = 'someone-else'",
                    "UPDATE organisation_policies SET forge = 'gitlab'",
                    "DELETE FROM organisation_policies",
                    // Who asked to dismiss which finding, and why, is fixed; requests are decided, never removed.
                    "UPDATE dismissal_requests SET requested_by = 'someone-else'",
                    "UPDATE dismissal_requests SET finding_id = 1",
                    "UPDATE dismissal_requests SET organisation = 'someone-else'",
                    "DELETE FROM dismissal_requests",
                    // A session is ended by listing it as revoked, never by editing or removing its row.
                    "UPDATE sessions SET expires_at = now()",
                    "UPDATE sessions SET subject = 'someone-else'",
                    "DELETE FROM sessions",
                    // A deletion's record stays; organisations are deleted only through delete_organisation().
                    "UPDATE organisation_deletions SET organisation = 'someone-else'",
                    "DELETE FROM organisation_deletions",
                    "UPDATE diffs SET scan_id = NULL",
                    "DELETE FROM organisations",
                    "DELETE FROM repositories",
                    "DELETE FROM scans",
                    "DELETE FROM pull_requests",
                    // An organisation's region is fixed when it is first seen: never moved, never forgotten.
                    "UPDATE organisation_regions SET region = 'us'",
                    "UPDATE organisation_regions SET organisation = 'someone-else'",
                    "DELETE FROM organisation_regions",
                ]
                for statement in refusedStatements {
                    let refused = await expectServerError { try await app.query(PostgresQuery(unsafeSQL: statement)) }
                    #expect(refused.state == "42501", "\(statement): \(refused.message ?? "-")")
                }
                let owned = try await app.query(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
                ).collect().first?.decode(Int.self)
                #expect(owned == 0)
                let superuser = try await app.query("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
                    .collect().first?.decode(Bool.self)
                #expect(superuser == false)
            }
        }
    }

    @Test("migrations are idempotent, and concurrent migrators apply each version once")
    func migrationsIdempotent() async throws {
        try await PostgresTestDatabase.with(migrate: false) { database in
            // Before any migration, the store refuses to start.
            await #expect(throws: PostgresStoreError.self) { try await database.withStore { _ in } }

            let runs = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await PostgresMigrator.migrate(configuration: database.ownerConfiguration, appRole: database.app, logger: testLogger)
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            let latest = PostgresMigrator.latestVersion
            #expect(runs.filter { !$0.isEmpty } == [Array(1...latest)])
            #expect(try await PostgresMigrator.migrate(configuration: database.ownerConfiguration, appRole: database.app, logger: testLogger).isEmpty)
            let versions = try await database.withOwner { owner in
                try await owner.query("SELECT version FROM schema_migrations ORDER BY version").decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions == Array(1...latest))
            try await database.withStore { store in
                try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
                #expect(try await store.count("audit_events") == 1)
            }
        }
    }

    @Test("the migrator refuses an application role that is missing or the owner itself")
    func migratorChecksTheApplicationRole() async throws {
        try await PostgresTestDatabase.with(migrate: false) { database in
            await #expect(throws: PostgresStoreError.self) {
                try await PostgresMigrator.migrate(configuration: database.ownerConfiguration, appRole: "corgi_no_such_role", logger: testLogger)
            }
            await #expect(throws: PostgresStoreError.self) {
                try await PostgresMigrator.migrate(configuration: database.ownerConfiguration, appRole: database.owner, logger: testLogger)
            }
        }
    }

    @Test("TLS: verify-full against the server's CA, require, disable; an unrelated CA is refused")
    func tls() async throws {
        let server = try PostgresTestServer.get()
        let caFile = try #require(server.caFile, "CORGI_TEST_POSTGRES_CA is not set (scripts/postgres prints it)")
        try await PostgresTestDatabase.with { database in
            let onTLS = "EXISTS (SELECT 1 FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl)"
            for (mode, encrypted) in [(PostgresConfiguration.TLSMode.verifyFull(caCertificateFile: caFile), true), (.require, true),
                                      (.disable, false)] {
                try await database.withStore(tls: mode) { store in
                    try await store.audit(actor: "tls", action: "x", target: "\(mode)", organisation: nil)
                    let rows = try await store.count("audit_events")
                    #expect(try await store.count("audit_events", where: onTLS) == (encrypted ? rows : 0), "\(mode)")
                }
            }

            let unrelated = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-unrelated-ca-\(UUID().uuidString).pem")
            try Data(unrelatedCA.utf8).write(to: unrelated)
            defer { try? FileManager.default.removeItem(at: unrelated) }
            var configuration = database.appConfiguration
            configuration.tls = .verifyFull(caCertificateFile: unrelated.path)
            configuration.connectTimeout = .seconds(5)
            do {
                try await PostgresStore.withStore(configuration: configuration, logger: testLogger) { _ in }
                Issue.record("verify-full accepted a server whose certificate the CA did not sign")
            } catch {
                // At once (the store checks with a connection of its own), and for the certificate.
                #expect((error as? PSQLError)?.code == .connectionError)
                #expect(String(reflecting: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(reflecting: error))")
            }

            configuration.tls = .verifyFull(caCertificateFile: "/nonexistent/ca.pem")
            #expect(throws: PostgresStoreError.self) { _ = try PostgresStore(configuration: configuration, logger: testLogger) }
        }
    }
}

@Suite("PostgreSQL configuration")
struct PostgresConfigurationTests {
    @Test("the password appears in no description")
    func passwordRedacted() {
        let configuration = PostgresConfiguration(host: "db", database: "corgi", username: "corgi_app", password: "s3cr3t-value",
                                                  tls: .verifyFull(caCertificateFile: "/etc/ca.pem"))
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [configuration.description, configuration.debugDescription, "\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("s3cr3t-value"), "\(text)")
        }
    }

    @Test("TLS modes from the settings' words")
    func tlsModes() throws {
        #expect(try PostgresConfiguration.TLSMode(mode: "disable", caCertificateFile: nil) == .disable)
        #expect(try PostgresConfiguration.TLSMode(mode: "require", caCertificateFile: nil) == .require)
        #expect(try PostgresConfiguration.TLSMode(mode: "verify-full", caCertificateFile: "/ca.pem") == .verifyFull(caCertificateFile: "/ca.pem"))
        #expect(throws: PostgresStoreError.self) { try PostgresConfiguration.TLSMode(mode: "verify-full", caCertificateFile: nil) }
        #expect(throws: PostgresStoreError.self) { try PostgresConfiguration.TLSMode(mode: "prefer", caCertificateFile: nil) }
    }
}

/// A CA that signed nothing the test server has (self-signed, P-256; no private key kept).
private let unrelatedCA = """
-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUQxSmRJ8I316KE5sfjfRQOT9F0s0wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRVW5yZWxhdGVkIHRlc3QgQ0EwIBcNMjYxMTIyMjI1MTQyWhgP
MjEyNjEwMjkyMjUxNDJaMBwxGjAYBgNVBAMMEVVucmVsYXRlZCB0ZXN0IENBMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtGltIqRgXILnO0/P3Dp2wM1HDVtnDcD4
82sJ93X9w7HlgoLKnapSO33pH3QiXW4wcmARVYu/PwZyU4kIHCXbp6NTMFEwHQYD
VR0OBBYEFGnVxYTEQwGCuPGx7LwSLPNTlBZFMB8GA1UdIwQYMBaAFGnVxYTEQwGC
uPGx7LwSLPNTlBZFMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
Ffjd03tHNxPvbJKb49A1oAQUMzQNYDTodtrkiYGCtR8CIQD2J082ifZMzu2OutGa
puQyHFbx86vx9+wPwUUywbr95g==
-----END CERTIFICATE-----

"""

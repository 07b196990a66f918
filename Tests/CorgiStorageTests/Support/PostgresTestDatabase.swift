import CorgiPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// The server `scripts/postgres start DIR PORT` prints: a superuser on 127.0.0.1 with TLS on.
struct PostgresTestServer: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String
    /// The CA that signed the server's certificate, for verify-full.
    var caFile: String?

    static let fromEnvironment: PostgresTestServer? = {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["CORGI_TEST_POSTGRES_HOST"], let port = env["CORGI_TEST_POSTGRES_PORT"].flatMap(Int.init),
              let user = env["CORGI_TEST_POSTGRES_USER"], let password = env["CORGI_TEST_POSTGRES_PASSWORD"]
        else { return nil }
        return PostgresTestServer(host: host, port: port, user: user, password: password,
                                  caFile: env["CORGI_TEST_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 })
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["CORGI_REQUIRE_SERVERS"] == "1" }

    /// Whether PostgreSQL cases run: a server is configured, or one is required (and they fail).
    static var wanted: Bool { fromEnvironment != nil || required }

    static func get() throws -> PostgresTestServer {
        guard let server = fromEnvironment else { throw MissingServer() }
        return server
    }

    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            "CORGI_REQUIRE_SERVERS=1 but no PostgreSQL test server is configured: run "
                + "eval \"$(scripts/postgres start DIR PORT)\" to set CORGI_TEST_POSTGRES_HOST, _PORT, _USER, _PASSWORD and _CA"
        }
    }

    /// A postgres-nio client configuration for any user and database of this server.
    func clientConfiguration(user: String, password: String, database: String) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                                         tls: .disable)
        configuration.options.maximumConnections = 2
        return configuration
    }

    func storeConfiguration(user: String, password: String, database: String, tls: PostgresConfiguration.TLSMode = .disable,
                            maximumConnections: Int = 6) -> PostgresConfiguration {
        PostgresConfiguration(host: host, port: port, database: database, username: user, password: password, tls: tls,
                              maximumConnections: maximumConnections)
    }
}

/// Runs `body` with a postgres-nio client that runs for the body's duration.
func withClient<Result: Sendable>(
    _ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A database of its own for one test, with its own migration (owner) role and application role,
/// all with unique names, so tests run in parallel against one server. `with` creates them through
/// the superuser, migrates as the owner, and drops them all afterwards.
struct PostgresTestDatabase: Sendable {
    let server: PostgresTestServer
    let name: String
    let owner: String
    let ownerPassword: String
    let app: String
    let appPassword: String

    var ownerConfiguration: PostgresConfiguration { server.storeConfiguration(user: owner, password: ownerPassword, database: name) }
    var appConfiguration: PostgresConfiguration { server.storeConfiguration(user: app, password: appPassword, database: name) }

    static func with<Result: Sendable>(migrate: Bool = true, _ body: (PostgresTestDatabase) async throws -> Result) async throws -> Result {
        let server = try PostgresTestServer.get()
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let database = PostgresTestDatabase(
            server: server, name: "corgi_t_\(suffix)", owner: "corgi_t_\(suffix)_owner", ownerPassword: randomPassword(),
            app: "corgi_t_\(suffix)_app", appPassword: randomPassword())
        return try await withClient(server.clientConfiguration(user: server.user, password: server.password, database: "postgres")) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(database.owner) LOGIN PASSWORD '\(database.ownerPassword)'"))
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(database.app) LOGIN PASSWORD '\(database.appPassword)'"))
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database.name) OWNER \(database.owner)"))
            let result: Result
            do {
                if migrate {
                    try await PostgresMigrator.migrate(configuration: database.ownerConfiguration, appRole: database.app, logger: testLogger)
                }
                result = try await body(database)
            } catch {
                try? await database.drop(admin)
                throw error
            }
            try await database.drop(admin)
            return result
        }
    }

    private func drop(_ admin: PostgresClient) async throws {
        try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        try await admin.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(app)"))
        try await admin.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(owner)"))
    }

    /// A store connected as the application role.
    func withStore<Result: Sendable>(
        tls: PostgresConfiguration.TLSMode = .disable, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        var configuration = appConfiguration
        configuration.tls = tls
        return try await PostgresStore.withStore(configuration: configuration, logger: testLogger, body)
    }

    /// A client connected as the owner (migration) role.
    func withOwner<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        try await withClient(server.clientConfiguration(user: owner, password: ownerPassword, database: name), body)
    }

    /// A client connected as the application role, for raw SQL.
    func withApp<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        try await withClient(server.clientConfiguration(user: app, password: appPassword, database: name), body)
    }

    private static func randomPassword() -> String {
        (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
    }
}

/// The SQLSTATE of a PostgreSQL error, if it is one.
func sqlState(of error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
}

func serverMessage(of error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.message]
}

/// Runs `body`, which must fail with a PostgreSQL error; returns its SQLSTATE and message.
func expectServerError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> (state: String?, message: String?) {
    do {
        try await body()
        Issue.record("expected PostgreSQL to refuse the statement", sourceLocation: sourceLocation)
        return (nil, nil)
    } catch {
        return (sqlState(of: error), serverMessage(of: error))
    }
}

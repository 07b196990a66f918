import NIOCore
import NIOSSL
import PostgresNIO

/// Where and how to reach PostgreSQL. The caller reads the values from its secrets file; nothing
/// here looks at the environment. The password never appears in `description`, `debugDescription`
/// or a mirror.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// TLS to the server, with libpq's meaning of the modes.
    public enum TLSMode: Sendable, Hashable {
        /// Plain TCP.
        case disable
        /// Encrypted, but the server's certificate is not checked (libpq `sslmode=require`): protects
        /// against a passive eavesdropper only.
        case require
        /// Encrypted; the server's certificate must chain to a certificate in this PEM file and name
        /// `host` (a DNS name, or an IP address in its subjectAltName) (libpq `sslmode=verify-full`).
        case verifyFull(caCertificateFile: String)

        /// From the configuration words `disable`, `require` and `verify-full` (which needs the CA file).
        public init(mode: String, caCertificateFile: String?) throws {
            switch mode.lowercased() {
            case "disable": self = .disable
            case "require": self = .require
            case "verify-full", "verify_full", "verifyfull":
                guard let caCertificateFile, !caCertificateFile.isEmpty else {
                    throw PostgresStoreError.configuration("TLS mode verify-full needs a CA certificate file")
                }
                self = .verifyFull(caCertificateFile: caCertificateFile)
            default:
                throw PostgresStoreError.configuration("unknown TLS mode '\(mode)': use disable, require or verify-full")
            }
        }
    }

    public var host: String
    public var port: Int
    public var database: String
    public var username: String
    public var password: String
    public var tls: TLSMode
    /// The most connections the pool opens.
    public var maximumConnections: Int
    public var connectTimeout: Duration

    public init(
        host: String, port: Int = 5432, database: String, username: String, password: String, tls: TLSMode,
        maximumConnections: Int = 10, connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
    }

    public var description: String {
        let mode = switch tls {
        case .disable: "disable"
        case .require: "require"
        case .verifyFull(let file): "verify-full (CA \(file))"
        }
        return "postgres://\(username)@\(host):\(port)/\(database) (tls \(mode), password redacted)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "database": database, "username": username,
                                "password": "<redacted>", "tls": tls, "maximumConnections": maximumConnections])
    }

    /// The client side of TLS, or nil for `disable`; reads the CA file now, so a bad file fails at once.
    func tlsConfiguration() throws -> TLSConfiguration? {
        switch tls {
        case .disable:
            return nil
        case .require:
            var context = TLSConfiguration.makeClientConfiguration()
            context.certificateVerification = .none
            return context
        case .verifyFull(let file):
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw PostgresStoreError.configuration("cannot read the CA certificate file \(file): \(error)")
            }
            guard !roots.isEmpty else { throw PostgresStoreError.configuration("no certificate in the CA file \(file)") }
            var context = TLSConfiguration.makeClientConfiguration()
            context.trustRoots = .certificates(roots)
            // Chain and name: postgres-nio passes `host` as the server name unless it is an IP
            // address, which NIOSSL then matches against the certificate's IP subjectAltNames.
            context.certificateVerification = .fullVerification
            return context
        }
    }

    /// postgres-nio's pool configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = try tlsConfiguration().map { .require($0) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }

    /// postgres-nio's configuration of one connection outside the pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = try tlsConfiguration().map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        let (seconds, attoseconds) = connectTimeout.components
        configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        return configuration
    }
}

public enum PostgresStoreError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    /// The database's schema is older (or newer) than this build: run the migrator.
    case schemaVersion(found: Int, expected: Int)
    case migration(String)
    case unknownTable(String)

    public var description: String {
        switch self {
        case .configuration(let s): "postgres configuration: \(s)"
        case .schemaVersion(let found, let expected):
            "postgres schema is at version \(found), this build needs \(expected): run the migrator (as the owner role) first"
        case .migration(let s): "postgres migration: \(s)"
        case .unknownTable(let t): "postgres: '\(t)' is not a table that can be inspected"
        }
    }
}

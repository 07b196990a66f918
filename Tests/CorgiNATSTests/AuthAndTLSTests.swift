@testable import CorgiNATS
import Foundation
import NIOCore
import Testing

@Suite("Authentication and TLS against nats-server", .requiresNATSServer, .timeLimit(.minutes(1)))
struct AuthAndTLSTests {
    static let userConfig = #"authorization { user: "corgi", password: "s3cret!pw" }"# + "\n"

    /// Connects, proves the connection works with a request round trip, and closes.
    func assertWorks(_ options: NATSOptions) async throws {
        try await withConnection(options) { connection in
            let subscription = try await connection.subscribe(to: "auth.check")
            try await connection.publish("auth.check", string: "ok")
            #expect(try await receive(subscription, count: 1).first?.payloadString == "ok")
        }
    }

    func connectError(_ options: NATSOptions) async -> (any Error)? {
        let connection = NATSConnection(options: options, logger: testLogger)
        do {
            try await connection.connect()
            await connection.close()
            return nil
        } catch {
            #expect(await connection.status == .idle)
            return error
        }
    }

    @Test("user and password: right ones connect, wrong ones fail with an authorization error")
    func userPassword() async throws {
        try await withNATSServer(extraConfig: Self.userConfig) { server in
            try await assertWorks(await options(for: server, auth: .userPassword(user: "corgi", password: "s3cret!pw")))
            try await assertWorks(try NATSOptions(url: "nats://corgi:s3cret%21pw@127.0.0.1:\(await server.port)"))

            let wrong = await connectError(await options(for: server, auth: .userPassword(user: "corgi", password: "nope")))
            #expect(wrong as? NATSError == .authorizationViolation("Authorization Violation"))
            #expect(String(describing: wrong!).contains("authorization failed"))
            let missing = await connectError(await options(for: server))
            #expect(missing as? NATSError == .authorizationViolation("Authorization Violation"))
        }
    }

    @Test("token: the right token connects, a wrong one is refused")
    func token() async throws {
        try await withNATSServer(extraConfig: #"authorization { token: "t0ken-xyz" }"# + "\n") { server in
            try await assertWorks(await options(for: server, auth: .token("t0ken-xyz")))
            let wrong = await connectError(await options(for: server, auth: .token("t0ken-abc")))
            #expect(wrong as? NATSError == .authorizationViolation("Authorization Violation"))
        }
    }

    @Test("nkey: the documented seed signs the nonce and is accepted; another key is refused")
    func nkey() async throws {
        let config = "authorization { users: [ { nkey: \(NKeyTests.publicKey) } ] }\n"
        try await withNATSServer(extraConfig: config) { server in
            try await assertWorks(await options(for: server, auth: .nkey(seed: NKeyTests.seed)))
            var generator = SeededGenerator(state: 99)
            let otherSeed = userSeed(for: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let wrong = await connectError(await options(for: server, auth: .nkey(seed: otherSeed)))
            #expect(wrong as? NATSError == .authorizationViolation("Authorization Violation"))
        }
    }

    @Test("a permissions violation arrives as a typed server error event and the connection stays up")
    func permissionsViolation() async throws {
        let config = """
            authorization {
              users: [ { user: "limited", password: "pw", permissions: { publish: ["allowed.>"], subscribe: ["allowed.>"] } } ]
            }

            """
        try await withNATSServer(extraConfig: config) { server in
            try await withConnection(await options(for: server, auth: .userPassword(user: "limited", password: "pw"))) { connection in
                let events = await connection.events()
                let allowed = try await connection.subscribe(to: "allowed.news")
                try await connection.publish("forbidden.news", string: "no")
                try await waitForEvent(events) { event in
                    guard case .serverError(.server(let text)) = event else { return false }
                    return text.contains("Permissions Violation") && text.contains("forbidden.news")
                }
                try await connection.publish("allowed.news", string: "yes")
                #expect(try await receive(allowed, count: 1).first?.payloadString == "yes")
                #expect(await connection.status == .connected)
            }
        }
    }

    @Test("TLS required by the server, verified against a custom CA")
    func tlsWithCustomCA() async throws {
        let certificates = try await TestCertificates.generate()
        defer { certificates.remove() }
        let config = serverTLS(certificate: certificates.serverCertificate, key: certificates.serverKey)
        try await withNATSServer(extraConfig: config) { server in
            try await assertWorks(await options(for: server, tls: NATSTLSOptions(caFile: certificates.caFile)))
            // Without options the client still upgrades (the server requires it) but trusts only the system store.
            let untrusted = await connectError(await options(for: server))
            guard case .tls(let reason)? = untrusted as? NATSError else {
                Issue.record("expected a TLS error, got \(String(describing: untrusted))")
                return
            }
            #expect(reason.contains("127.0.0.1"))
        }
    }

    @Test("TLS verifies the server's name: a certificate for another name is refused unless that name is expected")
    func tlsServerName() async throws {
        let certificates = try await TestCertificates.generate()
        defer { certificates.remove() }
        let config = serverTLS(certificate: certificates.namedCertificate, key: certificates.namedKey)
        try await withNATSServer(extraConfig: config) { server in
            let mismatch = await connectError(await options(for: server, tls: NATSTLSOptions(caFile: certificates.caFile)))
            guard case .tls? = mismatch as? NATSError else {
                Issue.record("expected a TLS error, got \(String(describing: mismatch))")
                return
            }
            try await assertWorks(await options(for: server, tls: NATSTLSOptions(caFile: certificates.caFile, serverName: "nats.example")))
        }
    }

    @Test("TLS with client certificates: accepted with one, refused without")
    func tlsClientCertificate() async throws {
        let certificates = try await TestCertificates.generate()
        defer { certificates.remove() }
        let config = serverTLS(certificate: certificates.serverCertificate, key: certificates.serverKey,
                               verifyingClientsWith: certificates.caFile)
        try await withNATSServer(extraConfig: config) { server in
            let withCertificate = NATSTLSOptions(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                 privateKeyFile: certificates.clientKey)
            try await assertWorks(await options(for: server, tls: withCertificate))
            let without = await connectError(await options(for: server, tls: NATSTLSOptions(caFile: certificates.caFile)))
            guard case .tls? = without as? NATSError else {
                Issue.record("expected a TLS error, got \(String(describing: without))")
                return
            }
        }
    }

    @Test("a client that demands TLS refuses a server without it")
    func tlsNotOffered() async throws {
        try await withNATSServer { server in
            let error = await connectError(await options(for: server, tls: NATSTLSOptions()))
            guard case .tls(let reason)? = error as? NATSError else {
                Issue.record("expected a TLS error, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("does not offer TLS"))
        }
    }
}

/// A throwaway CA, a server certificate for IP 127.0.0.1, one for DNS name nats.example and a client
/// certificate, made with the
/// openssl command-line tool.
struct TestCertificates {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server-key.pem").path }
    var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client-key.pem").path }
    /// A server certificate for DNS name nats.example only.
    var namedCertificate: String { directory.appendingPathComponent("named.pem").path }
    var namedKey: String { directory.appendingPathComponent("named-key.pem").path }

    static func generate() async throws -> TestCertificates {
        let certificates = TestCertificates(directory: try NATSTestServer.makeDirectory())
        let dir = certificates.directory
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await openssl(["req", "-x509"] + ec + ["-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Corgi Test CA",
                                                   "-addext", "basicConstraints=critical,CA:TRUE",
                                                   "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: dir)
        let leaves = [("server", "serverAuth", "IP:127.0.0.1"), ("client", "clientAuth", "IP:127.0.0.1"), ("named", "serverAuth", "DNS:nats.example")]
        for (name, usage, subjectAltName) in leaves {
            try "subjectAltName=\(subjectAltName)\nextendedKeyUsage=\(usage)\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                .write(to: dir.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
            try await openssl(["req"] + ec + ["-keyout", "\(name)-key.pem", "-out", "\(name).csr", "-subj", "/CN=corgi-\(name)"], in: dir)
            try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                               "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"], in: dir)
        }
        return certificates
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func openssl(_ arguments: [String], in directory: URL) async throws {
        let log = directory.appendingPathComponent("openssl.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestSetupError("openssl \(arguments.first ?? "") did not finish")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard process.terminationStatus == 0 else {
            throw TestSetupError("openssl \(arguments.joined(separator: " ")) failed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }
}

/// The server's `tls` block: its certificate, and with `caFile` a demand for client certificates.
func serverTLS(certificate: String, key: String, verifyingClientsWith caFile: String? = nil) -> String {
    let clients = caFile.map { "  ca_file: \"\($0)\"\n  verify: true\n" } ?? ""
    return "tls {\n  cert_file: \"\(certificate)\"\n  key_file: \"\(key)\"\n\(clients)  timeout: 5\n}\n"
}

import CorgiReview
import AsyncHTTPClient
import CorgiObjects
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Round trips against a real S3 API: moto's server with SigV4 enforced, started by
/// `scripts/s3-test-server` (scripts/test does it). Skipped when no server is configured,
/// unless CORGI_REQUIRE_SERVERS=1.
@Suite("S3 object store against a signature-checking S3 server", .enabled(if: S3TestServer.available))
struct S3ServerTests {
    let server = S3TestServer()

    func store(keys: [[UInt8]] = [Array(repeating: 7, count: 32)], secret: String? = nil) throws -> S3ObjectStore {
        let credentials = try server.credentials()
        let signer = SigV4Signer(accessKeyID: credentials.accessKeyID, secretAccessKey: secret ?? credentials.secretAccessKey,
                                 region: server.region)
        return S3ObjectStore(location: S3Location(endpoint: server.endpoint, region: server.region, bucket: server.bucket),
                             signer: signer, sealer: try Sealer(keys: keys), http: .shared)
    }

    @Test("put, get, head, list and delete round-trip, sealed before upload")
    func roundTrip() async throws {
        let store = try store()
        // moto's signature check fails for any query value holding a `/` (boto3's own requests
        // too), so listed prefixes here avoid one; botocore agrees with our signing of them.
        let prefix = "diffs-\(UUID().uuidString)-"
        let plaintext = Array("+let password = \"hunter2-corgi-marker\"\n".utf8)
        let expiry = Date().addingTimeInterval(3600)
        try await store.put(prefix + "a_b-c.diff", plaintext, expiresAt: expiry)
        try await store.put(prefix + "second.diff", [1, 2, 3], expiresAt: expiry)

        #expect(try await store.get(prefix + "a_b-c.diff") == plaintext)
        let head = try await store.head(prefix + "a_b-c.diff")
        #expect(head??.timeIntervalSince1970 == Double(Int(expiry.timeIntervalSince1970)))
        #expect(try await store.list(prefix: prefix) == [prefix + "a_b-c.diff", prefix + "second.diff"])

        // The bucket holds ciphertext only: read the raw object with the same credentials.
        let raw = try await server.rawObject(prefix + "a_b-c.diff", credentials: try server.credentials())
        #expect(!raw.isEmpty)
        #expect(String(decoding: raw, as: UTF8.self).contains("hunter2") == false)
        // A store with another key cannot open it.
        await #expect(throws: (any Error).self) { _ = try await self.store(keys: [Array(repeating: 9, count: 32)]).get(prefix + "a_b-c.diff") }

        try await store.delete(prefix + "a_b-c.diff")
        #expect(try await store.get(prefix + "a_b-c.diff") == nil)
        #expect(try await store.head(prefix + "a_b-c.diff") == .none)
        try await store.delete(prefix + "second.diff")
        #expect(try await store.list(prefix: prefix).isEmpty)
    }

    @Test("a wrong secret key is refused by the server's signature check")
    func badSignature() async throws {
        let store = try store(secret: "not-the-secret")
        await #expect(throws: S3Error.status(operation: "PutObject", status: 403, code: "SignatureDoesNotMatch")) {
            try await store.put("diffs/refused.diff", [1], expiresAt: Date().addingTimeInterval(60))
        }
    }

    @Test("the sweep deletes expired objects only, and an expired object reads as gone")
    func sweep() async throws {
        let store = try store()
        let prefix = "sweep-\(UUID().uuidString)-"
        let now = Date()
        try await store.put(prefix + "old.diff", [1], expiresAt: now.addingTimeInterval(-10))
        try await store.put(prefix + "new.diff", [2], expiresAt: now.addingTimeInterval(3600))
        #expect(try await store.get(prefix + "old.diff") == nil)
        let deleted = try await store.sweep(now: now)
        #expect(deleted.contains(prefix + "old.diff"))
        #expect(!deleted.contains(prefix + "new.diff"))
        #expect(try await store.list(prefix: prefix) == [prefix + "new.diff"])
        try await store.delete(prefix + "new.diff")
    }

    @Test("listing pages through more than one response")
    func paging() async throws {
        let store = try store()
        let prefix = "paging-\(UUID().uuidString)-"
        let keys = (0..<1003).map { String(format: "\(prefix)%04d", $0) }
        func inParallel(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: keys.count, by: 100) {
                    group.addTask { for key in keys[chunk..<min(chunk + 100, keys.count)] { try await body(key) } }
                }
                try await group.waitForAll()
            }
        }
        try await inParallel { try await store.put($0, [0], expiresAt: Date().addingTimeInterval(60)) }
        #expect(try await store.list(prefix: prefix) == keys)
        try await inParallel { try await store.delete($0) }
    }
}

/// The server `scripts/s3-test-server` started, as its exported variables describe it.
struct S3TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static var available: Bool {
        let configured = environment["CORGI_TEST_S3_ENDPOINT"] != nil
        if !configured && environment["CORGI_REQUIRE_SERVERS"] == "1" {
            Issue.record("CORGI_REQUIRE_SERVERS=1 but no S3 test server: run scripts/s3-test-server start DIR PORT")
            return true  // run, and fail loudly, rather than skip
        }
        return configured
    }

    var endpoint: String { Self.environment["CORGI_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:1" }
    var bucket: String { Self.environment["CORGI_TEST_S3_BUCKET"] ?? "corgi-diffs" }
    var region: String { Self.environment["CORGI_TEST_S3_REGION"] ?? "us-east-1" }

    struct Credentials: Decodable {
        var accessKeyID: String
        var secretAccessKey: String
        enum CodingKeys: String, CodingKey { case accessKeyID = "access_key_id", secretAccessKey = "secret_access_key" }
    }

    /// From a file, as the service reads its secrets: never from the environment.
    func credentials() throws -> Credentials {
        let path = Self.environment["CORGI_TEST_S3_CREDENTIALS_FILE"] ?? "/nonexistent"
        return try JSONDecoder().decode(Credentials.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func rawObject(_ key: String, credentials: Credentials) async throws -> [UInt8] {
        let base = URL(string: endpoint)!
        let path = "/" + bucket + "/" + SigV4Signer.encode(key, slash: false)
        let host = "\(base.host!):\(base.port!)"
        let signer = SigV4Signer(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey, region: region)
        let headers = signer.sign(SigV4Signer.Request(method: "GET", path: path, headers: [("host", host)], payloadHash: SigV4Signer.sha256Hex([])),
                                  date: Date())
        var request = HTTPClientRequest(url: endpoint + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        return Array(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}

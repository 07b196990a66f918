public import CorgiReview
public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// Where the distributed mode keeps diffs: an S3-compatible bucket (AWS S3, MinIO).
public struct S3Location: Sendable {
    /// `https://s3.eu-west-1.amazonaws.com`, `http://minio.internal:9000`.
    public var endpoint: String
    public var region: String
    public var bucket: String
    /// Server-side encryption header to send (`AES256`, `aws:kms`); our own AES-GCM comes first anyway.
    public var serverSideEncryption: String?

    public init(endpoint: String, region: String, bucket: String, serverSideEncryption: String? = "AES256") {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.bucket = bucket
        self.serverSideEncryption = serverSideEncryption
    }
}

public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    case status(operation: String, status: Int, code: String?)
    case transport(operation: String)

    public var description: String {
        switch self {
        case .status(let op, let status, let code): "S3 \(op): HTTP \(status)" + (code.map { " (\($0))" } ?? "")
        case .transport(let op): "S3 \(op): connection failed"
        }
    }
}

/// An `ObjectStore` over S3 with path-style requests signed with SigV4. Objects are sealed with
/// AES-256-GCM before they leave the process, so a misconfigured bucket never holds plaintext;
/// the expiry travels as object metadata and the sweeper enforces it.
public actor S3ObjectStore: ObjectStore {
    let location: S3Location
    let signer: SigV4Signer
    let sealer: Sealer
    let http: HTTPClient
    static let expiryHeader = "x-amz-meta-corgi-expires"

    public init(location: S3Location, signer: SigV4Signer, sealer: Sealer, http: HTTPClient) {
        self.location = location
        self.signer = signer
        self.sealer = sealer
        self.http = http
    }

    public func createBucketIfNeeded() async throws {
        let response = try await send("CreateBucket", "PUT", key: nil, query: [], body: [], headers: [])
        guard (200..<300).contains(response.status) || response.status == 409 else {
            throw S3Error.status(operation: "CreateBucket", status: response.status, code: Self.errorCode(response.body))
        }
    }

    public func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws {
        try LocalEncryptedObjectStore.validate(key)
        let sealed = try sealer.seal(bytes, objectKey: key)
        var headers = [("content-type", "application/octet-stream"), (Self.expiryHeader, String(Int(expiresAt.timeIntervalSince1970)))]
        if let sse = location.serverSideEncryption { headers.append(("x-amz-server-side-encryption", sse)) }
        let response = try await send("PutObject", "PUT", key: key, query: [], body: sealed, headers: headers)
        guard (200..<300).contains(response.status) else {
            throw S3Error.status(operation: "PutObject", status: response.status, code: Self.errorCode(response.body))
        }
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        try LocalEncryptedObjectStore.validate(key)
        let response = try await send("GetObject", "GET", key: key, query: [], body: [], headers: [])
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw S3Error.status(operation: "GetObject", status: response.status, code: Self.errorCode(response.body))
        }
        if let expiry = response.headers.first(name: Self.expiryHeader).flatMap(Double.init), expiry <= Date().timeIntervalSince1970 {
            return nil
        }
        return try sealer.open(response.body, objectKey: key)
    }

    /// The object's expiry, or nil when it does not exist.
    public func head(_ key: String) async throws -> Date?? {
        let response = try await send("HeadObject", "HEAD", key: key, query: [], body: [], headers: [])
        if response.status == 404 { return .none }
        guard response.status == 200 else { throw S3Error.status(operation: "HeadObject", status: response.status, code: nil) }
        return .some(response.headers.first(name: Self.expiryHeader).flatMap(Double.init).map(Date.init(timeIntervalSince1970:)))
    }

    public func delete(_ key: String) async throws {
        try LocalEncryptedObjectStore.validate(key)
        let response = try await send("DeleteObject", "DELETE", key: key, query: [], body: [], headers: [])
        guard (200..<300).contains(response.status) || response.status == 404 else {
            throw S3Error.status(operation: "DeleteObject", status: response.status, code: Self.errorCode(response.body))
        }
    }

    /// Every key under `prefix` (ListObjectsV2, page by page).
    public func list(prefix: String = "") async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("max-keys", "1000")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("ListObjectsV2", "GET", key: nil, query: query, body: [], headers: [])
            guard response.status == 200 else {
                throw S3Error.status(operation: "ListObjectsV2", status: response.status, code: Self.errorCode(response.body))
            }
            let xml = String(decoding: response.body, as: UTF8.self)
            keys += Self.elements("Key", in: xml)
            token = Self.elements("IsTruncated", in: xml).first == "true" ? Self.elements("NextContinuationToken", in: xml).first : nil
        } while token != nil
        return keys
    }

    public func sweep(now: Date) async throws -> [String] {
        var deleted: [String] = []
        for key in try await list() {
            if case .some(.some(let expiry)) = try await head(key), expiry <= now {
                try await delete(key)
                deleted.append(key)
            }
        }
        return deleted.sorted()
    }

    // MARK: Transport

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    func send(_ operation: String, _ method: String, key: String?, query: [(String, String)], body: [UInt8],
              headers: [(String, String)]) async throws -> Response {
        guard let base = URL(string: location.endpoint), let host = base.host else { throw S3Error.transport(operation: operation) }
        let hostHeader = base.port.map { "\(host):\($0)" } ?? host
        var path = base.path + "/" + SigV4Signer.encode(location.bucket, slash: true)
        if let key { path += "/" + SigV4Signer.encode(key, slash: false) }
        var allHeaders = headers + [("host", hostHeader)]
        let signed = signer.sign(
            SigV4Signer.Request(method: method, path: path, query: query, headers: allHeaders, payloadHash: SigV4Signer.sha256Hex(body)),
            date: Date())
        allHeaders += signed
        var url = location.endpoint.prefix(location.endpoint.count - base.path.count) + path
        if !query.isEmpty {
            url += "?" + query.map { "\(SigV4Signer.encode($0.0, slash: true))=\(SigV4Signer.encode($0.1, slash: true))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: String(url))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in allHeaders where name != "host" { request.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "PUT" {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            let bytes = method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: 256 << 20)
            return Response(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
        } catch {
            throw S3Error.transport(operation: operation)
        }
    }

    static func errorCode(_ body: [UInt8]) -> String? {
        elements("Code", in: String(decoding: body, as: UTF8.self)).first
    }

    /// Text of every `<name>…</name>` element, entities decoded. S3's XML is flat enough for this.
    static func elements(_ name: String, in xml: String) -> [String] {
        var results: [String] = []
        var rest = xml[...]
        let open = "<\(name)>", close = "</\(name)>"
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            let raw = rest[start.upperBound..<end.lowerBound]
            results.append(raw.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[end.upperBound...]
        }
        return results
    }
}

internal import Crypto
public import Foundation

/// AWS Signature Version 4 for S3-compatible storage (AWS, MinIO, moto).
///
/// Signs the method, the canonical path and query, the signed headers and the payload hash;
/// see "Create a signed AWS API request" in the AWS documentation.
public struct SigV4Signer: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var region: String
    public var service: String

    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    public struct Request: Sendable {
        public var method: String
        /// The path as sent, already percent-encoded per segment.
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        /// Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// The headers to add: `x-amz-date`, `x-amz-content-sha256` (S3) and `Authorization`.
    public func sign(_ request: Request, date: Date) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        var headers = request.headers
        headers.append(("x-amz-date", amzDate))
        if service == "s3" { headers.append(("x-amz-content-sha256", request.payloadHash)) }
        let (canonical, signedHeaders) = canonicalRequest(request, headers: headers)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.sha256Hex(Array(canonical.utf8)))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: String(amzDate.prefix(8)))))
        var result = [("x-amz-date", amzDate)]
        if service == "s3" { result.append(("x-amz-content-sha256", request.payloadHash)) }
        result.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return result
    }

    func canonicalRequest(_ request: Request, headers: [(String, String)]) -> (String, String) {
        let encoded: [(key: String, value: String)] = request.query.map { pair in
            (Self.encode(pair.0, slash: true), Self.encode(pair.1, slash: true))
        }
        let sorted = encoded.sorted { a, b in a.key == b.key ? a.value < b.value : a.key < b.key }
        let query = sorted.map { pair in pair.key + "=" + pair.value }.joined(separator: "&")
        var canonicalHeaders: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            canonicalHeaders[key] = canonicalHeaders[key].map { $0 + "," + trimmed } ?? trimmed
        }
        let names = canonicalHeaders.keys.sorted()
        let headerBlock = names.map { "\($0):\(canonicalHeaders[$0]!)\n" }.joined()
        let signed = names.joined(separator: ";")
        let canonical = [request.method, request.path.isEmpty ? "/" : request.path, query, headerBlock, signed, request.payloadHash]
            .joined(separator: "\n")
        return (canonical, signed)
    }

    func signingKey(day: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ data: String) -> SymmetricKey {
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(data.utf8), using: key)))
        }
        let dateKey = mac(SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8)), day)
        return mac(mac(mac(dateKey, region), service), "aws4_request")
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (and `/` in paths).
    public static func encode(_ s: String, slash: Bool) -> String {
        var out = ""
        for byte in s.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || c == "-" || c == "_" || c == "." || c == "~" || (!slash && c == "/")
            {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

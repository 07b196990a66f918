import AsyncHTTPClient
public import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Retries for forge API calls: 5xx, transport errors and rate limits are retried with
/// exponential backoff; other 4xx are not.
public struct ForgeRetryPolicy: Sendable {
    public var attempts = 5
    public var initialBackoff: TimeInterval = 0.5
    public var maximumBackoff: TimeInterval = 30
    /// A server asking for a longer wait than this fails the call instead (the job is retried later).
    public var maximumWait: TimeInterval = 120
    public var requestTimeout: TimeInterval = 30
    public init() {}
}

/// The HTTP transport every forge client shares: one request with its headers, the retry loop,
/// the rate-limit waits each forge documents, and the mapping of statuses to `ForgeError`.
/// Clients add their own authentication and media types; credentials are never logged.
struct ForgeHTTP: Sendable {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    let baseURL: String
    let http: HTTPClient
    var retry: ForgeRetryPolicy
    /// For log lines ("github call", "gitlab call").
    let name: String
    let userAgent = "code-corgi"

    init(baseURL: String, http: HTTPClient, retry: ForgeRetryPolicy, name: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.retry = retry
        self.name = name
    }

    /// `body` is sent as JSON. Statuses in `allow` are returned like 2xx.
    func execute(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [String: String], body: [UInt8]?,
        headers: [(String, String)], allow: Set<Int>, limit: Int, logger: Logger
    ) async throws -> Response {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.sorted { $0.key < $1.key }.map { "\(URLPathSegment.encode($0.key))=\(URLPathSegment.encode($0.value))" }
                .joined(separator: "&")
        }
        var lastStatus: Int?
        for attempt in 1...retry.attempts {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "User-Agent", value: userAgent)
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let started = Date()
            var wait: TimeInterval
            do {
                let response = try await http.execute(request, timeout: .seconds(Int64(retry.requestTimeout)))
                let status = Int(response.status.code)
                // At most `limit` bytes are read: a larger body is cut there (a caller that asked
                // for a diff sees it is over its limit; a cut JSON body fails to decode).
                var body: [UInt8] = []
                for try await chunk in response.body {
                    let room = limit - body.count
                    if chunk.readableBytes > room {
                        body += chunk.readableBytesView.prefix(room)
                        break
                    }
                    body += chunk.readableBytesView
                }
                let result = Response(status: status, headers: response.headers, body: body)
                logger.debug("\(name) call", metadata: [
                    "operation": "\(operation)", "status": "\(status)", "attempt": "\(attempt)",
                    "ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
                ])
                if (200..<300).contains(status) || allow.contains(status) { return result }
                lastStatus = status
                if let rateWait = Self.rateLimitWait(status: status, headers: response.headers) {
                    guard rateWait <= retry.maximumWait else { throw ForgeError.retriesExhausted(operation: operation, lastStatus: status) }
                    wait = rateWait
                } else if status >= 500 {
                    wait = backoff(attempt)
                } else if status == 401 {
                    throw ForgeError.unauthorized(operation: operation)
                } else if status == 404 {
                    throw ForgeError.notFound(operation: operation)
                } else {
                    throw ForgeError.http(operation: operation, status: status)
                }
            } catch let error as ForgeError {
                throw error
            } catch let error as DecodingError {
                throw error
            } catch {
                logger.warning("\(name) call failed", metadata: ["operation": "\(operation)", "attempt": "\(attempt)", "error": "\(type(of: error))"])
                wait = backoff(attempt)
            }
            if attempt == retry.attempts { break }
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
        throw ForgeError.retriesExhausted(operation: operation, lastStatus: lastStatus)
    }

    func backoff(_ attempt: Int) -> TimeInterval {
        let base = min(retry.maximumBackoff, retry.initialBackoff * pow(2, Double(attempt - 1)))
        return base * Double.random(in: 0.8...1.2)
    }

    /// How long a rate-limited response asks us to wait: `Retry-After` first; then GitHub's
    /// `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`, or GitLab's `RateLimit-Remaining: 0`
    /// with `RateLimit-Reset` (both Unix seconds).
    static func rateLimitWait(status: Int, headers: HTTPHeaders, now: Date = Date()) -> TimeInterval? {
        guard status == 403 || status == 429 else { return nil }
        if let retryAfter = headers.first(name: "Retry-After").flatMap(TimeInterval.init) { return max(0, retryAfter) }
        for prefix in ["X-RateLimit-", "RateLimit-"] where headers.first(name: prefix + "Remaining") == "0" {
            if let reset = headers.first(name: prefix + "Reset").flatMap(TimeInterval.init) {
                return max(0, reset - now.timeIntervalSince1970) + 1
            }
        }
        return status == 429 ? 60 : nil
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], operation: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw ForgeError.invalidResponse(operation: operation)
        }
    }

    static func json(_ value: some Encodable) throws -> [UInt8] { Array(try JSONEncoder().encode(value)) }
}

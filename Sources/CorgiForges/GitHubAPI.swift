public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// The GitHub REST calls the reviewer makes, with retries: 5xx, transport errors and rate
/// limits (`Retry-After`, `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`) are retried with
/// exponential backoff; other 4xx are not. The base URL is configurable for GitHub Enterprise.
public struct GitHubAPI: Sendable {
    public struct RetryPolicy: Sendable {
        public var attempts = 5
        public var initialBackoff: TimeInterval = 0.5
        public var maximumBackoff: TimeInterval = 30
        /// A server asking for a longer wait than this fails the call instead (the job is retried later).
        public var maximumWait: TimeInterval = 120
        public var requestTimeout: TimeInterval = 30
        public init() {}
    }

    public let baseURL: String
    public let authenticator: GitHubAppAuthenticator
    public let http: HTTPClient
    public var retry: RetryPolicy
    public let userAgent = "code-corgi"
    /// Diffs larger than this are treated like GitHub's own `too_large`.
    public var maximumDiffBytes = 25 << 20

    public init(baseURL: String, authenticator: GitHubAppAuthenticator, http: HTTPClient, retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.authenticator = authenticator
        self.http = http
        self.retry = retry
    }

    // MARK: Operations

    public func pullRequestDiff(_ pr: PullRequestReference, logger: Logger) async throws -> DiffFetch {
        let response = try await send(
            "pulls/get(diff)", .GET, "\(pr.apiPath)/pulls/\(pr.number)",
            accept: "application/vnd.github.diff", installation: pr.installationID, allow: [406],
            limit: maximumDiffBytes + 1, logger: logger)
        if response.status == 406 || response.body.count > maximumDiffBytes { return .tooLarge }
        return .diff(response.body)
    }

    /// The pull request's current head commit; nil when the pull request is gone.
    public func pullRequestHeadSHA(_ pr: PullRequestReference, logger: Logger) async throws -> String? {
        let response = try await send(
            "pulls/get", .GET, "\(pr.apiPath)/pulls/\(pr.number)",
            installation: pr.installationID, allow: [404], logger: logger)
        if response.status == 404 { return nil }
        struct PullRequest: Decodable {
            struct Head: Decodable { var sha: String }
            var head: Head
        }
        return try decode(PullRequest.self, response.body, operation: "pulls/get").head.sha
    }

    /// Every changed file, page by page (GitHub lists at most 3,000).
    public func pullRequestFiles(_ pr: PullRequestReference, logger: Logger) async throws -> [ChangedFile] {
        var files: [ChangedFile] = []
        for page in 1...30 {
            let response = try await send(
                "pulls/list-files", .GET, "\(pr.apiPath)/pulls/\(pr.number)/files",
                query: ["per_page": "100", "page": "\(page)"], installation: pr.installationID, logger: logger)
            let batch = try decode([ChangedFile].self, response.body, operation: "pulls/list-files")
            files += batch
            if batch.count < 100 { break }
        }
        return files
    }

    public func createCheckRun(_ pr: PullRequestReference, name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int {
        struct Body: Encodable {
            var name: String
            var head_sha: String
            var status = "in_progress"
            var external_id: String
            var started_at: String
        }
        let response = try await send(
            "checks/create", .POST, "\(pr.apiPath)/check-runs",
            body: Body(name: name, head_sha: headSHA, external_id: externalID, started_at: Self.timestamp()),
            installation: pr.installationID, logger: logger)
        struct Created: Decodable { var id: Int }
        return try decode(Created.self, response.body, operation: "checks/create").id
    }

    public func updateCheckRun(
        _ pr: PullRequestReference, checkRunID: Int, conclusion: String?, output: CheckRunOutput, logger: Logger
    ) async throws {
        struct Body: Encodable {
            var status: String?
            var conclusion: String?
            var completed_at: String?
            var output: CheckRunOutput
        }
        let body = Body(
            status: conclusion == nil ? nil : "completed", conclusion: conclusion,
            completed_at: conclusion == nil ? nil : Self.timestamp(), output: output)
        _ = try await send(
            "checks/update", .PATCH, "\(pr.apiPath)/check-runs/\(checkRunID)",
            body: body, installation: pr.installationID, logger: logger)
    }

    public func createReview(_ pr: PullRequestReference, commitID: String, body: String, comments: [ReviewComment], logger: Logger) async throws {
        struct Body: Encodable {
            var commit_id: String
            var body: String
            var event = "COMMENT"
            var comments: [ReviewComment]
        }
        _ = try await send(
            "pulls/create-review", .POST, "\(pr.apiPath)/pulls/\(pr.number)/reviews",
            body: Body(commit_id: commitID, body: body, comments: comments), installation: pr.installationID, logger: logger)
    }

    public func reviewComments(_ pr: PullRequestReference, logger: Logger) async throws -> [ExistingReviewComment] {
        var all: [ExistingReviewComment] = []
        for page in 1...30 {
            let response = try await send(
                "pulls/list-review-comments", .GET, "\(pr.apiPath)/pulls/\(pr.number)/comments",
                query: ["per_page": "100", "page": "\(page)"], installation: pr.installationID, logger: logger)
            let batch = try decode([ExistingReviewComment].self, response.body, operation: "pulls/list-review-comments")
            all += batch
            if batch.count < 100 { break }
        }
        return all
    }

    /// Comments on the pull request's conversation, to find our own summary after a crash.
    public func issueComments(_ pr: PullRequestReference, logger: Logger) async throws -> [(id: Int, body: String)] {
        struct Comment: Decodable {
            var id: Int
            var body: String?
        }
        var all: [(id: Int, body: String)] = []
        for page in 1...30 {
            let response = try await send(
                "issues/list-comments", .GET, "\(pr.apiPath)/issues/\(pr.number)/comments",
                query: ["per_page": "100", "page": "\(page)"], installation: pr.installationID, logger: logger)
            let batch = try decode([Comment].self, response.body, operation: "issues/list-comments")
            all += batch.map { ($0.id, $0.body ?? "") }
            if batch.count < 100 { break }
        }
        return all
    }

    public func createIssueComment(_ pr: PullRequestReference, body: String, logger: Logger) async throws -> Int {
        struct Body: Encodable { var body: String }
        let response = try await send(
            "issues/create-comment", .POST, "\(pr.apiPath)/issues/\(pr.number)/comments",
            body: Body(body: body), installation: pr.installationID, logger: logger)
        struct Created: Decodable { var id: Int }
        return try decode(Created.self, response.body, operation: "issues/create-comment").id
    }

    /// Returns false when the comment no longer exists (deleted by a user).
    public func updateIssueComment(_ pr: PullRequestReference, commentID: Int, body: String, logger: Logger) async throws -> Bool {
        struct Body: Encodable { var body: String }
        let response = try await send(
            "issues/update-comment", .PATCH, "\(pr.apiPath)/issues/comments/\(commentID)",
            body: Body(body: body), installation: pr.installationID, allow: [404], logger: logger)
        return response.status != 404
    }

    // MARK: Transport

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    func installationToken(_ installation: Int, logger: Logger) async throws -> String {
        try await authenticator.installationToken(for: installation) { jwt in
            let response = try await self.execute(
                "apps/create-installation-access-token", .POST, "/app/installations/\(installation)/access_tokens",
                query: [:], body: Optional<[UInt8]>.none, accept: "application/vnd.github+json",
                authorization: "Bearer \(jwt)", allow: [], limit: 1 << 20, logger: logger)
            struct Token: Decodable {
                var token: String
                var expires_at: String
            }
            let token = try decode(Token.self, response.body, operation: "apps/create-installation-access-token")
            let expires = ISO8601DateFormatter().date(from: token.expires_at) ?? Date().addingTimeInterval(3000)
            return (token.token, expires)
        }
    }

    func send(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [String: String] = [:],
        body: (some Encodable)? = Optional<Int>.none, accept: String = "application/vnd.github+json",
        installation: Int, allow: Set<Int> = [], limit: Int = 8 << 20, logger: Logger
    ) async throws -> Response {
        let encoded = try body.map { try JSONEncoder().encode($0) }.map { [UInt8]($0) }
        var token = try await installationToken(installation, logger: logger)
        do {
            return try await execute(operation, method, path, query: query, body: encoded, accept: accept,
                                     authorization: "token \(token)", allow: allow, limit: limit, logger: logger)
        } catch ForgeError.unauthorized {
            // A revoked or expired token: mint a new one once.
            await authenticator.invalidate(installation: installation)
            token = try await installationToken(installation, logger: logger)
            return try await execute(operation, method, path, query: query, body: encoded, accept: accept,
                                     authorization: "token \(token)", allow: allow, limit: limit, logger: logger)
        }
    }

    func execute(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [String: String], body: [UInt8]?,
        accept: String, authorization: String, allow: Set<Int>, limit: Int, logger: Logger
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
            request.headers.add(name: "Accept", value: accept)
            request.headers.add(name: "Authorization", value: authorization)
            request.headers.add(name: "User-Agent", value: userAgent)
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let started = Date()
            var wait: TimeInterval
            do {
                let response = try await http.execute(request, timeout: .seconds(Int64(retry.requestTimeout)))
                let status = Int(response.status.code)
                let bytes = try await response.body.collect(upTo: limit)
                let result = Response(status: status, headers: response.headers, body: Array(buffer: bytes))
                logger.debug("github call", metadata: [
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
                logger.warning("github call failed", metadata: ["operation": "\(operation)", "attempt": "\(attempt)", "error": "\(type(of: error))"])
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

    /// How long a rate-limited response asks us to wait, per GitHub's documentation.
    static func rateLimitWait(status: Int, headers: HTTPHeaders, now: Date = Date()) -> TimeInterval? {
        guard status == 403 || status == 429 else { return nil }
        if let retryAfter = headers.first(name: "Retry-After").flatMap(TimeInterval.init) { return max(0, retryAfter) }
        if headers.first(name: "X-RateLimit-Remaining") == "0",
           let reset = headers.first(name: "X-RateLimit-Reset").flatMap(TimeInterval.init)
        {
            return max(0, reset - now.timeIntervalSince1970) + 1
        }
        return status == 429 ? 60 : nil
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], operation: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw ForgeError.invalidResponse(operation: operation)
        }
    }

    static func timestamp(_ date: Date = Date()) -> String { ISO8601DateFormatter().string(from: date) }
}

public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// The GitHub REST calls the reviewer makes, with retries: 5xx, transport errors and rate
/// limits (`Retry-After`, `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`) are retried with
/// exponential backoff; other 4xx are not. The base URL is configurable for GitHub Enterprise.
public struct GitHubAPI: Sendable {
    public typealias RetryPolicy = ForgeRetryPolicy

    public var baseURL: String { transport.baseURL }
    public let authenticator: GitHubAppAuthenticator
    let transport: ForgeHTTP
    /// Diffs larger than this are treated like GitHub's own `too_large`.
    public var maximumDiffBytes = 25 << 20

    public init(baseURL: String, authenticator: GitHubAppAuthenticator, http: HTTPClient, retry: RetryPolicy = RetryPolicy()) {
        self.authenticator = authenticator
        transport = ForgeHTTP(baseURL: baseURL, http: http, retry: retry, name: "github")
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

    /// The pull request's base commit; nil when the pull request is gone.
    public func pullRequestBaseSHA(_ pr: PullRequestReference, logger: Logger) async throws -> String? {
        let response = try await send(
            "pulls/get", .GET, "\(pr.apiPath)/pulls/\(pr.number)",
            installation: pr.installationID, allow: [404], logger: logger)
        if response.status == 404 { return nil }
        struct PullRequest: Decodable {
            struct Base: Decodable { var sha: String }
            var base: Base
        }
        return try decode(PullRequest.self, response.body, operation: "pulls/get").base.sha
    }

    /// A file's bytes at `ref` (raw media type, at most `limit` bytes); nil when there is none, or
    /// when the path is not a plain repository path (``RepositoryPath``).
    public func fileContents(_ pr: PullRequestReference, path: String, ref: String, limit: Int = 1 << 20,
                             logger: Logger) async throws -> [UInt8]? {
        guard RepositoryPath.isPlain(path) else { return nil }
        let encoded = path.split(separator: "/").map { URLPathSegment.encode($0) }.joined(separator: "/")
        let response = try await send(
            "repos/get-content", .GET, "\(pr.apiPath)/contents/\(encoded)", query: ["ref": ref], accept: "application/vnd.github.raw",
            installation: pr.installationID, allow: [404], limit: limit, logger: logger)
        return response.status == 404 ? nil : response.body
    }

    /// The user's permission on the repository (`admin`, `maintain`, `write`, `triage`, `read`,
    /// `none`); nil when GitHub does not know them as a collaborator.
    public func collaboratorPermission(_ pr: PullRequestReference, login: String, logger: Logger) async throws -> String? {
        let response = try await send(
            "repos/get-collaborator-permission-level", .GET, "\(pr.apiPath)/collaborators/\(URLPathSegment.encode(login))/permission",
            installation: pr.installationID, allow: [404], logger: logger)
        if response.status == 404 { return nil }
        struct Permission: Decodable {
            var permission: String
            var role_name: String?
        }
        let answer = try decode(Permission.self, response.body, operation: "repos/get-collaborator-permission-level")
        return answer.role_name ?? answer.permission
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

    /// The id of this App's check run named `name` on `headSHA` with `externalID`, if one exists
    /// (the newest first; GitHub lists the runs of the calling App).
    public func checkRunID(_ pr: PullRequestReference, name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int? {
        struct Runs: Decodable {
            struct Run: Decodable {
                var id: Int
                var external_id: String?
            }
            var check_runs: [Run]
        }
        let response = try await send(
            "checks/list-for-ref", .GET, "\(pr.apiPath)/commits/\(URLPathSegment.encode(headSHA))/check-runs",
            query: ["check_name": name, "per_page": "100"], installation: pr.installationID, logger: logger)
        return try decode(Runs.self, response.body, operation: "checks/list-for-ref").check_runs.first { $0.external_id == externalID }?.id
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

    typealias Response = ForgeHTTP.Response

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
        try await transport.execute(
            operation, method, path, query: query, body: body,
            headers: [("Accept", accept), ("Authorization", authorization), ("X-GitHub-Api-Version", "2022-11-28")],
            allow: allow, limit: limit, logger: logger)
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], operation: String) throws -> T {
        try ForgeHTTP.decode(type, bytes, operation: operation)
    }

    static func timestamp(_ date: Date = Date()) -> String { ISO8601DateFormatter().string(from: date) }
}

public import AsyncHTTPClient
public import CorgiReview
import Foundation
public import Logging
import NIOHTTP1

/// The Gitea / Forgejo REST (v1) calls a review makes, with an access token (`Authorization:
/// token …`) and the shared retries (`ForgeHTTP`). `baseURL` is the API root, e.g.
/// `https://gitea.example.com/api/v1`. Repositories are addressed by owner and name, as the API
/// requires; the job keeps the repository's immutable id for everything the store keys.
public struct GiteaAPI: Sendable {
    let transport: ForgeHTTP
    let token: @Sendable () async throws -> String
    public var maximumDiffBytes = 25 << 20
    /// Gitea caps a page at 50 items (`MAX_RESPONSE_ITEMS`); a review reads at most this many pages.
    static let pageSize = 50
    static let maximumPages = 60

    public init(baseURL: String, http: HTTPClient, retry: ForgeRetryPolicy = ForgeRetryPolicy(),
                token: @escaping @Sendable () async throws -> String) {
        transport = ForgeHTTP(baseURL: baseURL, http: http, retry: retry, name: "gitea")
        self.token = token
    }

    static func path(_ repository: String) -> String {
        "/repos/" + repository.split(separator: "/", maxSplits: 1).map { URLPathSegment.encode($0) }.joined(separator: "/")
    }

    /// nil when the pull request is gone.
    public func pullRequest(_ repository: String, number: Int, logger: Logger) async throws -> GiteaPullRequest? {
        let response = try await send("pulls/get", .GET, "\(Self.path(repository))/pulls/\(number)", allow: [404], logger: logger)
        if response.status == 404 { return nil }
        return try ForgeHTTP.decode(GiteaPullRequest.self, response.body, operation: "pulls/get")
    }

    /// The whole diff as git writes it; nil when gone; `tooLarge` past `maximumDiffBytes`.
    public func pullRequestDiff(_ repository: String, number: Int, logger: Logger) async throws -> (bytes: [UInt8], tooLarge: Bool)? {
        let response = try await send("pulls/diff", .GET, "\(Self.path(repository))/pulls/\(number).diff", accept: "text/plain",
                                      allow: [404], limit: maximumDiffBytes + 1, logger: logger)
        if response.status == 404 { return nil }
        return (response.body, response.body.count > maximumDiffBytes)
    }

    /// A file's bytes at `ref` (at most `limit` bytes); nil when there is none, or when the path
    /// is not a plain repository path (``RepositoryPath``).
    public func fileContents(_ repository: String, path: String, ref: String, limit: Int = 1 << 20, logger: Logger) async throws -> [UInt8]? {
        guard RepositoryPath.isPlain(path) else { return nil }
        let encoded = path.split(separator: "/").map { URLPathSegment.encode($0) }.joined(separator: "/")
        let response = try await send("repos/raw", .GET, "\(Self.path(repository))/raw/\(encoded)", query: ["ref": ref],
                                      accept: "application/octet-stream", allow: [404], limit: limit, logger: logger)
        return response.status == 404 ? nil : response.body
    }

    /// `state`: pending, success, error, failure, warning.
    public func setStatus(_ repository: String, sha: String, state: String, context: String, description: String,
                          targetURL: String?, logger: Logger) async throws -> Int {
        struct Body: Encodable {
            var state: String
            var context: String
            var description: String
            var target_url: String?
        }
        let response = try await send("statuses/create", .POST, "\(Self.path(repository))/statuses/\(URLPathSegment.encode(sha))",
                                      body: Body(state: state, context: context, description: description, target_url: targetURL),
                                      logger: logger)
        struct Created: Decodable { var id: Int }
        return try ForgeHTTP.decode(Created.self, response.body, operation: "statuses/create").id
    }

    public func createReview(_ repository: String, number: Int, commitID: String, body: String, comments: [InlineComment],
                             logger: Logger) async throws {
        struct Comment: Encodable {
            var path: String
            var body: String
            var new_position: Int
        }
        struct Body: Encodable {
            var body: String
            var commit_id: String
            var event = "COMMENT"
            var comments: [Comment]
        }
        _ = try await send(
            "reviews/create", .POST, "\(Self.path(repository))/pulls/\(number)/reviews",
            body: Body(body: body, commit_id: commitID, comments: comments.map { Comment(path: $0.path, body: $0.body, new_position: $0.line) }),
            logger: logger)
    }

    /// The bodies of every review comment on the pull request.
    public func reviewCommentBodies(_ repository: String, number: Int, logger: Logger) async throws -> [String] {
        struct Review: Decodable { var id: Int }
        struct Comment: Decodable { var body: String? }
        let reviews: [Review] = try await pages("reviews/list", "\(Self.path(repository))/pulls/\(number)/reviews", logger: logger)
        var bodies: [String] = []
        for review in reviews {
            let response = try await send("reviews/comments", .GET, "\(Self.path(repository))/pulls/\(number)/reviews/\(review.id)/comments",
                                          logger: logger)
            bodies += try ForgeHTTP.decode([Comment].self, response.body, operation: "reviews/comments").compactMap(\.body)
        }
        return bodies
    }

    /// The pull request's conversation comments (Gitea returns them all at once).
    public func issueComments(_ repository: String, number: Int, logger: Logger) async throws -> [(id: Int, body: String)] {
        struct Comment: Decodable {
            var id: Int
            var body: String?
        }
        let response = try await send("issues/comments", .GET, "\(Self.path(repository))/issues/\(number)/comments", logger: logger)
        return try ForgeHTTP.decode([Comment].self, response.body, operation: "issues/comments").map { ($0.id, $0.body ?? "") }
    }

    public func createIssueComment(_ repository: String, number: Int, body: String, logger: Logger) async throws -> Int {
        struct Body: Encodable { var body: String }
        struct Created: Decodable { var id: Int }
        let response = try await send("issues/create-comment", .POST, "\(Self.path(repository))/issues/\(number)/comments",
                                      body: Body(body: body), logger: logger)
        return try ForgeHTTP.decode(Created.self, response.body, operation: "issues/create-comment").id
    }

    /// False when the comment no longer exists.
    public func updateIssueComment(_ repository: String, commentID: Int, body: String, logger: Logger) async throws -> Bool {
        struct Body: Encodable { var body: String }
        let response = try await send("issues/edit-comment", .PATCH, "\(Self.path(repository))/issues/comments/\(commentID)",
                                      body: Body(body: body), allow: [404], logger: logger)
        return response.status != 404
    }

    /// The user's permission on the repository (`owner`, `admin`, `write`, `read`, `none`); nil
    /// when Gitea does not know the user.
    public func collaboratorPermission(_ repository: String, login: String, logger: Logger) async throws -> String? {
        let response = try await send("repos/collaborator-permission", .GET,
                                      "\(Self.path(repository))/collaborators/\(URLPathSegment.encode(login))/permission",
                                      allow: [404], logger: logger)
        if response.status == 404 { return nil }
        struct Permission: Decodable { var permission: String }
        return try ForgeHTTP.decode(Permission.self, response.body, operation: "repos/collaborator-permission").permission
    }

    // MARK: Transport

    func send(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [String: String] = [:],
        body: (some Encodable)? = Optional<Int>.none, accept: String = "application/json", allow: Set<Int> = [],
        limit: Int = 8 << 20, logger: Logger
    ) async throws -> ForgeHTTP.Response {
        let encoded = try body.map { try ForgeHTTP.json($0) }
        return try await transport.execute(
            operation, method, path, query: query, body: encoded,
            headers: [("Accept", accept), ("Authorization", "token \(try await token())")],
            allow: allow, limit: limit, logger: logger)
    }

    func pages<T: Decodable>(_ operation: String, _ path: String, logger: Logger) async throws -> [T] {
        var all: [T] = []
        for page in 1...Self.maximumPages {
            let response = try await send(operation, .GET, path, query: ["page": "\(page)", "limit": "\(Self.pageSize)"], logger: logger)
            let batch = try ForgeHTTP.decode([T].self, response.body, operation: operation)
            all += batch
            if batch.count < Self.pageSize { break }
        }
        return all
    }
}

public struct GiteaPullRequest: Sendable, Equatable, Decodable {
    public struct Ref: Sendable, Equatable, Decodable { public var sha: String? }
    public var number: Int
    public var state: String?
    public var htmlURL: String?
    public var head: Ref
    public var base: Ref?

    enum CodingKeys: String, CodingKey {
        case number, state, head, base
        case htmlURL = "html_url"
    }
}

public import AsyncHTTPClient
import Foundation
public import Logging
import NIOHTTP1

/// The GitLab REST (v4) calls a review makes, with a project or group access token sent as
/// `PRIVATE-TOKEN` and the shared retries (`ForgeHTTP`: 5xx, transport errors, 429 with
/// `Retry-After` or `RateLimit-Reset`). `baseURL` is the API root of gitlab.com or a
/// self-managed instance, e.g. `https://gitlab.example.com/api/v4`.
///
/// Operations and fields follow GitLab's REST docs (merge requests, merge request diffs,
/// commit statuses, discussions, notes); projects are addressed by their numeric id, never by
/// path, so a renamed or transferred project keeps its reviews and a name taken over does not.
public struct GitLabAPI: Sendable {
    let transport: ForgeHTTP
    let token: @Sendable () async throws -> String
    /// Diffs larger than this are cut at a file boundary and the rest reported as not covered.
    public var maximumDiffBytes = 25 << 20
    /// GitLab pages lists at most 100 items; a review reads at most this many pages of each list.
    static let maximumPages = 100

    public init(baseURL: String, http: HTTPClient, retry: ForgeRetryPolicy = ForgeRetryPolicy(),
                token: @escaping @Sendable () async throws -> String) {
        transport = ForgeHTTP(baseURL: baseURL, http: http, retry: retry, name: "gitlab")
        self.token = token
    }

    public var baseURL: String { transport.baseURL }

    // MARK: Merge requests

    /// nil when the merge request (or the project, for this token) does not exist.
    public func mergeRequest(project: Int, iid: Int, logger: Logger) async throws -> GitLabMergeRequest? {
        let response = try await send("merge_requests/get", .GET, "/projects/\(project)/merge_requests/\(iid)", allow: [404], logger: logger)
        if response.status == 404 { return nil }
        return try ForgeHTTP.decode(GitLabMergeRequest.self, response.body, operation: "merge_requests/get")
    }

    /// Every file diff of the merge request's latest version, page by page.
    public func mergeRequestDiffs(project: Int, iid: Int, logger: Logger) async throws -> (diffs: [GitLabDiff], complete: Bool) {
        let (diffs, complete): ([GitLabDiff], Bool) = try await pages("merge_requests/diffs", "/projects/\(project)/merge_requests/\(iid)/diffs",
                                                                      logger: logger)
        return (diffs, complete)
    }

    /// A file's bytes at `ref` (at most `limit` bytes); nil when there is none, or when the path
    /// is not a plain repository path (``RepositoryPath``).
    public func fileContents(project: Int, path: String, ref: String, limit: Int = 1 << 20, logger: Logger) async throws -> [UInt8]? {
        guard RepositoryPath.isPlain(path) else { return nil }
        // The whole path is one URL-encoded parameter (slashes as %2F), as GitLab's files API asks.
        let response = try await send("repository/files/raw", .GET, "/projects/\(project)/repository/files/\(URLPathSegment.encode(path))/raw",
                                      query: ["ref": ref], allow: [404], limit: limit, logger: logger)
        return response.status == 404 ? nil : response.body
    }

    /// A project member's access level (30 Developer, 40 Maintainer, 50 Owner), inherited ones
    /// included; nil when the user is not a member.
    public func memberAccessLevel(project: Int, userID: Int, logger: Logger) async throws -> Int? {
        let response = try await send("members/get-all", .GET, "/projects/\(project)/members/all/\(userID)", allow: [404], logger: logger)
        if response.status == 404 { return nil }
        struct Member: Decodable { var access_level: Int }
        return try ForgeHTTP.decode(Member.self, response.body, operation: "members/get-all").access_level
    }

    // MARK: Commit statuses

    public func commitStatuses(project: Int, sha: String, logger: Logger) async throws -> [GitLabCommitStatus] {
        try await pages("commits/statuses", "/projects/\(project)/repository/commits/\(URLPathSegment.encode(sha))/statuses",
                        logger: logger).items
    }

    /// Sets the status named `name` on `sha`. `state`: pending, running, success, failed, canceled, skipped.
    public func setCommitStatus(project: Int, sha: String, state: String, name: String, description: String, targetURL: String?,
                                logger: Logger) async throws -> GitLabCommitStatus {
        struct Body: Encodable {
            var state: String
            var name: String
            var description: String
            var target_url: String?
        }
        let response = try await send(
            "commits/set-status", .POST, "/projects/\(project)/statuses/\(URLPathSegment.encode(sha))",
            body: Body(state: state, name: name, description: description, target_url: targetURL), logger: logger)
        return try ForgeHTTP.decode(GitLabCommitStatus.self, response.body, operation: "commits/set-status")
    }

    // MARK: Discussions and notes

    public func discussions(project: Int, iid: Int, logger: Logger) async throws -> [GitLabDiscussion] {
        try await pages("discussions/list", "/projects/\(project)/merge_requests/\(iid)/discussions", logger: logger).items
    }

    /// A discussion on one line of the new file, positioned on the merge request's diff refs.
    public func createDiffDiscussion(project: Int, iid: Int, body: String, position: GitLabPosition, logger: Logger) async throws {
        struct Body: Encodable {
            var body: String
            var position: GitLabPosition
        }
        _ = try await send("discussions/create", .POST, "/projects/\(project)/merge_requests/\(iid)/discussions",
                           body: Body(body: body, position: position), logger: logger)
    }

    /// The merge request's notes, oldest first, without system notes.
    public func notes(project: Int, iid: Int, logger: Logger) async throws -> [GitLabNote] {
        try await pages("notes/list", "/projects/\(project)/merge_requests/\(iid)/notes",
                        query: ["sort": "asc", "order_by": "created_at"], logger: logger).items.filter { $0.system != true }
    }

    public func createNote(project: Int, iid: Int, body: String, logger: Logger) async throws -> Int {
        struct Body: Encodable { var body: String }
        let response = try await send("notes/create", .POST, "/projects/\(project)/merge_requests/\(iid)/notes", body: Body(body: body),
                                      logger: logger)
        return try ForgeHTTP.decode(GitLabNote.self, response.body, operation: "notes/create").id
    }

    /// False when the note no longer exists.
    public func updateNote(project: Int, iid: Int, noteID: Int, body: String, logger: Logger) async throws -> Bool {
        struct Body: Encodable { var body: String }
        let response = try await send("notes/update", .PUT, "/projects/\(project)/merge_requests/\(iid)/notes/\(noteID)",
                                      body: Body(body: body), allow: [404], logger: logger)
        return response.status != 404
    }

    // MARK: Transport

    func send(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [String: String] = [:],
        body: (some Encodable)? = Optional<Int>.none, allow: Set<Int> = [], limit: Int = 8 << 20, logger: Logger
    ) async throws -> ForgeHTTP.Response {
        let encoded = try body.map { try ForgeHTTP.json($0) }
        return try await transport.execute(
            operation, method, path, query: query, body: encoded,
            headers: [("Accept", "application/json"), ("PRIVATE-TOKEN", try await token())],
            allow: allow, limit: limit, logger: logger)
    }

    /// Follows GitLab's offset pagination (`X-Next-Page`) up to `maximumPages`; `complete` is
    /// false when the list went on beyond that.
    func pages<T: Decodable>(_ operation: String, _ path: String, query: [String: String] = [:],
                             logger: Logger) async throws -> (items: [T], complete: Bool) {
        var all: [T] = []
        var page = "1"
        for _ in 0..<Self.maximumPages {
            var q = query
            q["per_page"] = "100"
            q["page"] = page
            let response = try await send(operation, .GET, path, query: q, limit: 64 << 20, logger: logger)
            all += try ForgeHTTP.decode([T].self, response.body, operation: operation)
            guard let next = response.headers.first(name: "X-Next-Page"), !next.isEmpty, next.allSatisfy(\.isNumber) else {
                return (all, true)
            }
            page = next
        }
        return (all, false)
    }
}

public struct GitLabMergeRequest: Sendable, Equatable, Decodable {
    public struct DiffRefs: Sendable, Equatable, Decodable {
        public var baseSHA: String?
        public var headSHA: String?
        public var startSHA: String?

        enum CodingKeys: String, CodingKey {
            case baseSHA = "base_sha"
            case headSHA = "head_sha"
            case startSHA = "start_sha"
        }
    }

    public var iid: Int
    public var state: String?
    public var sha: String?
    public var webURL: String?
    public var diffRefs: DiffRefs?

    enum CodingKeys: String, CodingKey {
        case iid, state, sha
        case webURL = "web_url"
        case diffRefs = "diff_refs"
    }
}

public struct GitLabDiff: Sendable, Equatable, Decodable {
    public var oldPath: String
    public var newPath: String
    public var diff: String?
    public var newFile: Bool?
    public var deletedFile: Bool?
    public var renamedFile: Bool?
    public var tooLarge: Bool?
    public var collapsed: Bool?

    enum CodingKeys: String, CodingKey {
        case diff, collapsed
        case oldPath = "old_path"
        case newPath = "new_path"
        case newFile = "new_file"
        case deletedFile = "deleted_file"
        case renamedFile = "renamed_file"
        case tooLarge = "too_large"
    }
}

public struct GitLabCommitStatus: Sendable, Equatable, Decodable {
    public var id: Int
    public var status: String
    public var name: String?
    public var description: String?
}

public struct GitLabNote: Sendable, Equatable, Decodable {
    public var id: Int
    public var body: String?
    public var system: Bool?
}

public struct GitLabDiscussion: Sendable, Equatable, Decodable {
    public var id: String
    public var notes: [GitLabNote]
}

/// Where a diff note sits: the merge request's diff refs and a line of the new file.
public struct GitLabPosition: Sendable, Equatable, Encodable {
    public var positionType = "text"
    public var baseSHA: String
    public var startSHA: String
    public var headSHA: String
    public var oldPath: String
    public var newPath: String
    public var newLine: Int

    enum CodingKeys: String, CodingKey {
        case positionType = "position_type"
        case baseSHA = "base_sha"
        case startSHA = "start_sha"
        case headSHA = "head_sha"
        case oldPath = "old_path"
        case newPath = "new_path"
        case newLine = "new_line"
    }
}

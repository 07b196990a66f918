public import CorgiReview
import Logging

/// Gitea or Forgejo as a review's forge: a commit status (context = the check's name), one
/// pull-request review with line comments on added lines, and one summary comment edited in
/// place. A job's `repositoryID` is the repository's id, `repository` its owner/name, `number`
/// the pull request's index; `installationID` is 0 (one configured instance).
public struct GiteaForge: Forge {
    public let api: GiteaAPI

    public init(api: GiteaAPI) { self.api = api }

    public func pullRequest(for job: ScanJob) -> (any ForgePullRequest)? {
        let parts = job.repository.split(separator: "/")
        guard parts.count == 2, job.number > 0 else { return nil }
        return GiteaPullRequestClient(api: api, repository: job.repository, number: job.number)
    }
}

struct GiteaPullRequestClient: ForgePullRequest {
    let api: GiteaAPI
    let repository: String
    let number: Int

    func headSHA(logger: Logger) async throws -> String? {
        try await api.pullRequest(repository, number: number, logger: logger)?.head.sha
    }

    func baseSHA(logger: Logger) async throws -> String? {
        try await api.pullRequest(repository, number: number, logger: logger)?.base?.sha
    }

    func fileContents(path: String, ref: String, logger: Logger) async throws -> [UInt8]? {
        try await api.fileContents(repository, path: path, ref: ref, logger: logger)
    }

    func diff(logger: Logger) async throws -> FetchedDiff {
        guard let (bytes, tooLarge) = try await api.pullRequestDiff(repository, number: number, logger: logger) else { return .unavailable }
        guard tooLarge else { return .whole(bytes) }
        // Cut at the last file boundary within the limit: the files after it are named as not covered.
        let marker = Array("\ndiff --git ".utf8)
        var cut = 0
        var i = min(bytes.count, api.maximumDiffBytes) - marker.count
        while i > 0 {
            if bytes[i..<(i + marker.count)].elementsEqual(marker) {
                cut = i + 1
                break
            }
            i -= 1
        }
        let kept = Array(bytes[..<cut])
        return .partial(kept, DiffGap(summary: "the diff exceeded \(api.maximumDiffBytes >> 20) MiB; the files after that point were not reviewed"))
    }

    func createCheck(name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int {
        let url = try await api.pullRequest(repository, number: number, logger: logger)?.htmlURL
        return try await api.setStatus(repository, sha: headSHA, state: "pending", context: name, description: "Reviewing", targetURL: url,
                                       logger: logger)
    }

    /// Gitea has no "neutral": a review that is not a failure is `success`, and its description
    /// says when it did not cover everything.
    func updateCheck(_ id: Int, name: String, headSHA: String, conclusion: String?, report: CheckReport, logger: Logger) async throws {
        let state = switch conclusion {
        case nil: "pending"
        case "failure": "failure"
        default: "success"
        }
        let description = String(((conclusion == "neutral" ? "Neutral: " : "") + report.title).prefix(255))
        let url = try await api.pullRequest(repository, number: number, logger: logger)?.htmlURL
        _ = try await api.setStatus(repository, sha: headSHA, state: state, context: name, description: description, targetURL: url, logger: logger)
    }

    func inlineCommentBodies(logger: Logger) async throws -> [String] {
        try await api.reviewCommentBodies(repository, number: number, logger: logger)
    }

    func postReview(commitID: String, body: String, comments: [InlineComment], logger: Logger) async throws {
        try await api.createReview(repository, number: number, commitID: commitID, body: body, comments: comments, logger: logger)
    }

    func comments(logger: Logger) async throws -> [ForgeComment] {
        try await api.issueComments(repository, number: number, logger: logger).map { ForgeComment(id: $0.id, body: $0.body) }
    }

    func updateComment(_ id: Int, body: String, logger: Logger) async throws -> Bool {
        try await api.updateIssueComment(repository, commentID: id, body: body, logger: logger)
    }

    func createComment(body: String, logger: Logger) async throws -> Int {
        try await api.createIssueComment(repository, number: number, body: body, logger: logger)
    }

    /// Write access: `write`, `admin` or `owner`. (Gitea answers this to a repository admin only:
    /// the bot needs admin on the repository for commands.)
    func canWrite(login: String, userID: Int?, logger: Logger) async throws -> Bool {
        guard !login.isEmpty, login.utf8.count <= 40 else { return false }
        return ["write", "admin", "owner"].contains(try await api.collaboratorPermission(repository, login: login, logger: logger) ?? "none")
    }
}

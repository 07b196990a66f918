public import Foundation

/// The GitHub webhook events Code Corgi acts on, decoded after the signature was verified.
/// Only metadata is kept (ids, names, numbers, SHAs): never a body, title or comment text.
public enum GitHubEvent: Sendable, Equatable {
    case pullRequest(PullRequestEvent)
    case installation(InstallationEvent)
    case installationRepositories(InstallationRepositoriesEvent)
    case checkRunRerequested(CheckRunEvent)
    /// A new comment on a pull request (chat commands).
    case issueComment(IssueCommentEvent)
    case ping(hookID: Int?, appID: Int?)
    /// An event or action we do not act on: accepted with a 2xx and ignored.
    case ignored(event: String, action: String?)

    public static func decode(event: String, body: Data) throws -> GitHubEvent {
        let decoder = JSONDecoder()
        do {
            switch event {
            case "pull_request":
                let e = try decoder.decode(PullRequestEvent.self, from: body)
                try validate(event, [
                    ("repository.full_name", GitHubName.isValidFullName(e.repository.fullName)),
                    ("pull_request.head.sha", GitHubName.isValidCommitSHA(e.pullRequest.head.sha)),
                    ("pull_request.base.sha", GitHubName.isValidCommitSHA(e.pullRequest.base.sha)),
                    ("number", e.number > 0),
                ])
                return PullRequestEvent.handledActions.contains(e.action) ? .pullRequest(e) : .ignored(event: event, action: e.action)
            case "installation":
                let e = try decoder.decode(InstallationEvent.self, from: body)
                try validate(event, [("repositories.full_name", (e.repositories ?? []).allSatisfy { GitHubName.isValidFullName($0.fullName) })])
                return .installation(e)
            case "installation_repositories":
                let e = try decoder.decode(InstallationRepositoriesEvent.self, from: body)
                try validate(event, [
                    ("repositories_added.full_name", e.repositoriesAdded.allSatisfy { GitHubName.isValidFullName($0.fullName) }),
                    ("repositories_removed.full_name", e.repositoriesRemoved.allSatisfy { GitHubName.isValidFullName($0.fullName) }),
                ])
                return .installationRepositories(e)
            case "check_run":
                let e = try decoder.decode(CheckRunEvent.self, from: body)
                try validate(event, [
                    ("repository.full_name", GitHubName.isValidFullName(e.repository.fullName)),
                    ("check_run.head_sha", GitHubName.isValidCommitSHA(e.checkRun.headSHA)),
                    ("check_run.pull_requests", e.checkRun.pullRequests.allSatisfy {
                        $0.number > 0 && GitHubName.isValidCommitSHA($0.base.sha) && GitHubName.isValidCommitSHA($0.head.sha)
                    }),
                ])
                return e.action == "rerequested" ? .checkRunRerequested(e) : .ignored(event: event, action: e.action)
            case "issue_comment":
                let e = try decoder.decode(IssueCommentEvent.self, from: body)
                try validate(event, [("repository.full_name", GitHubName.isValidFullName(e.repository.fullName)), ("issue.number", e.issue.number > 0)])
                return e.action == "created" && e.issue.pullRequest != nil ? .issueComment(e) : .ignored(event: event, action: e.action)
            case "ping":
                let e = try decoder.decode(PingEvent.self, from: body)
                return .ping(hookID: e.hookID, appID: e.hook?.appID)
            default:
                struct Action: Decodable { var action: String? }
                return .ignored(event: event, action: (try? decoder.decode(Action.self, from: body))?.action)
            }
        } catch let error as DecodingError {
            throw WebhookDecodingError(event: event, reason: WebhookDecodingError.describe(error))
        }
    }
}

extension GitHubEvent {
    /// Names and commit ids are checked against GitHub's rules before anything uses them; the
    /// error names the field, never the value.
    static func validate(_ event: String, _ checks: [(field: String, valid: Bool)]) throws {
        if let bad = checks.first(where: { !$0.valid }) {
            throw WebhookDecodingError(event: event, reason: "invalid value at \(bad.field) (not a valid GitHub name or commit id)")
        }
    }
}

public struct WebhookDecodingError: Error, Sendable, CustomStringConvertible {
    public var event: String
    public var reason: String
    public var description: String { "cannot decode the \(event) event: \(reason)" }

    /// Names the field, never quotes the payload.
    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String { c.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let c): return "missing \(([path(c)] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))"
        case .typeMismatch(_, let c): return "wrong type at \(path(c))"
        case .valueNotFound(_, let c): return "null at \(path(c))"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(c))"
        @unknown default: return "invalid payload"
        }
    }
}

public struct Account: Sendable, Equatable, Decodable {
    public var id: Int
    public var login: String
}

public struct Repository: Sendable, Equatable, Decodable {
    public var id: Int
    public var name: String
    public var fullName: String
    public var owner: Account?

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case fullName = "full_name"
    }
}

public struct InstallationReference: Sendable, Equatable, Decodable {
    public var id: Int
    public var account: Account?
}

public struct PullRequestEvent: Sendable, Equatable, Decodable {
    /// opened, synchronize, reopened → scan; closed → mark closed.
    static let handledActions: Set<String> = ["opened", "synchronize", "reopened", "closed"]

    public struct PullRequest: Sendable, Equatable, Decodable {
        public struct Ref: Sendable, Equatable, Decodable {
            public var sha: String
            public var ref: String
        }
        public var number: Int
        public var state: String
        public var head: Ref
        public var base: Ref
        public var merged: Bool?
    }

    public var action: String
    public var number: Int
    public var pullRequest: PullRequest
    public var repository: Repository
    public var installation: InstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, number, repository, installation
        case pullRequest = "pull_request"
    }

    public var triggersScan: Bool { ["opened", "synchronize", "reopened"].contains(action) }
}

public struct InstallationEvent: Sendable, Equatable, Decodable {
    public var action: String
    public var installation: InstallationReference
    public var repositories: [RepositoryReference]?
}

public struct RepositoryReference: Sendable, Equatable, Decodable {
    public var id: Int
    public var name: String
    public var fullName: String

    enum CodingKeys: String, CodingKey {
        case id, name
        case fullName = "full_name"
    }
}

public struct InstallationRepositoriesEvent: Sendable, Equatable, Decodable {
    public var action: String
    public var installation: InstallationReference
    public var repositoriesAdded: [RepositoryReference]
    public var repositoriesRemoved: [RepositoryReference]

    enum CodingKeys: String, CodingKey {
        case action, installation
        case repositoriesAdded = "repositories_added"
        case repositoriesRemoved = "repositories_removed"
    }
}

public struct CheckRunEvent: Sendable, Equatable, Decodable {
    public struct CheckRun: Sendable, Equatable, Decodable {
        public struct PullRequestReference: Sendable, Equatable, Decodable {
            public var number: Int
            public var head: PullRequestEvent.PullRequest.Ref
            public var base: PullRequestEvent.PullRequest.Ref
        }
        public var id: Int
        public var headSHA: String
        public var externalID: String?
        public var pullRequests: [PullRequestReference]

        enum CodingKeys: String, CodingKey {
            case id
            case headSHA = "head_sha"
            case externalID = "external_id"
            case pullRequests = "pull_requests"
        }
    }

    public var action: String
    public var checkRun: CheckRun
    public var repository: Repository
    public var installation: InstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, repository, installation
        case checkRun = "check_run"
    }
}

struct PingEvent: Decodable {
    struct Hook: Decodable {
        var appID: Int?
        enum CodingKeys: String, CodingKey { case appID = "app_id" }
    }
    var hookID: Int?
    var hook: Hook?
    enum CodingKeys: String, CodingKey {
        case hookID = "hook_id"
        case hook
    }
}

/// `issue_comment`: a comment on an issue or a pull request (GitHub's pull requests are issues).
/// The body is read only for a chat command, never kept.
public struct IssueCommentEvent: Sendable, Equatable, Decodable {
    public struct Issue: Sendable, Equatable, Decodable {
        public struct PullRequestLink: Sendable, Equatable, Decodable { public var url: String? }
        public var number: Int
        public var pullRequest: PullRequestLink?

        enum CodingKeys: String, CodingKey {
            case number
            case pullRequest = "pull_request"
        }
    }

    public struct Comment: Sendable, Equatable, Decodable {
        public var id: Int
        public var body: String?
        public var user: Account?
    }

    public var action: String
    public var issue: Issue
    public var comment: Comment
    public var repository: Repository
    public var installation: InstallationReference?
    public var sender: Account?

    /// Who wrote the comment: its author, else the event's sender (the same person for `created`).
    public var author: Account? { comment.user ?? sender }
}

public import Foundation

/// The Gitea and Forgejo webhook events a review acts on (`X-Gitea-Event` / `X-Forgejo-Event`:
/// `pull_request` and `issue_comment`), decoded from the documented payloads; only the fields used
/// are read. Forgejo sends the same payloads as Gitea.
public enum GiteaEvent: Sendable, Equatable {
    case pullRequest(GiteaPullRequestEvent)
    case comment(GiteaCommentEvent)
    case ignored(event: String)

    public struct DecodingFailure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func decode(event: String, body: Data) throws(DecodingFailure) -> GiteaEvent {
        do {
            switch event {
            case "pull_request":
                return .pullRequest(try JSONDecoder().decode(GiteaPullRequestEvent.self, from: body))
            case "issue_comment":
                let comment = try JSONDecoder().decode(GiteaCommentEvent.self, from: body)
                return comment.isPull == true ? .comment(comment) : .ignored(event: event)
            default:
                return .ignored(event: event)
            }
        } catch {
            throw DecodingFailure(description: "malformed \(event) payload")
        }
    }
}

public struct GiteaRepository: Sendable, Equatable, Decodable {
    public struct Owner: Sendable, Equatable, Decodable { public var login: String? }
    public var id: Int
    public var fullName: String
    public var owner: Owner?

    enum CodingKeys: String, CodingKey {
        case id, owner
        case fullName = "full_name"
    }

    /// Gitea's name rules (letters, digits, `-`, `_`, `.`; owners up to 40 characters, names up to
    /// 100; never `.` or `..`), checked before the name is stored, logged or put in a URL: a
    /// signed payload names the repository, it does not get to choose the request's path.
    public var hasValidFullName: Bool {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        func valid(_ part: Substring, _ maximum: Int) -> Bool {
            (1...maximum).contains(part.utf8.count) && part != "." && part != ".."
                && part.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        }
        return parts.count == 2 && valid(parts[0], 40) && valid(parts[1], 100)
    }

    /// The owning user or organisation: every row of this repository belongs to it.
    public var organisation: String { owner?.login ?? String(fullName.split(separator: "/").first ?? "") }
}

public struct GiteaPullRequestEvent: Sendable, Equatable, Decodable {
    public struct PullRequest: Sendable, Equatable, Decodable {
        public struct Ref: Sendable, Equatable, Decodable { public var sha: String? }
        public var number: Int
        public var head: Ref
        public var base: Ref?
    }

    public var action: String
    public var number: Int
    public var pullRequest: PullRequest
    public var repository: GiteaRepository

    enum CodingKeys: String, CodingKey {
        case action, number, repository
        case pullRequest = "pull_request"
    }

    /// Opened, reopened or new commits (Gitea says `synchronized`): review the head.
    public var triggersScan: Bool { ["opened", "reopened", "synchronized"].contains(action) }
    public var closes: Bool { action == "closed" }
}

public struct GiteaCommentEvent: Sendable, Equatable, Decodable {
    public struct Issue: Sendable, Equatable, Decodable { public var number: Int }
    public struct Comment: Sendable, Equatable, Decodable {
        public var id: Int?
        public var body: String?
    }

    public struct User: Sendable, Equatable, Decodable {
        public var id: Int?
        public var login: String?
    }

    public var action: String?
    public var issue: Issue
    public var comment: Comment?
    public var repository: GiteaRepository
    public var sender: User?
    public var isPull: Bool?

    enum CodingKeys: String, CodingKey {
        case action, issue, comment, repository, sender
        case isPull = "is_pull"
    }
}

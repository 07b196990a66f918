public import Foundation

/// The GitLab webhook events a review acts on, decoded from the documented payloads
/// (docs.gitlab.com, "Webhook events": merge request events and comment events). Only the
/// fields used are read; anything else is ignored.
public enum GitLabEvent: Sendable, Equatable {
    case mergeRequest(GitLabMergeRequestEvent)
    case note(GitLabNoteEvent)
    /// Another event or object kind: recorded, nothing to run.
    case ignored(event: String)

    public struct DecodingFailure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// `event` is the `X-Gitlab-Event` header.
    public static func decode(event: String, body: Data) throws(DecodingFailure) -> GitLabEvent {
        do {
            switch event {
            case "Merge Request Hook":
                return .mergeRequest(try JSONDecoder().decode(GitLabMergeRequestEvent.self, from: body))
            case "Note Hook":
                let note = try JSONDecoder().decode(GitLabNoteEvent.self, from: body)
                return note.objectAttributes.noteableType == "MergeRequest" && note.mergeRequest != nil ? .note(note) : .ignored(event: event)
            default:
                return .ignored(event: event)
            }
        } catch {
            throw DecodingFailure(description: "malformed \(event) payload")
        }
    }
}

public struct GitLabProject: Sendable, Equatable, Decodable {
    public var id: Int
    public var pathWithNamespace: String
    public var webURL: String?

    enum CodingKeys: String, CodingKey {
        case id
        case pathWithNamespace = "path_with_namespace"
        case webURL = "web_url"
    }

    /// The top-level group or user: the organisation every row of this project belongs to.
    public var organisation: String { String(pathWithNamespace.split(separator: "/").first ?? "") }
}

public struct GitLabUser: Sendable, Equatable, Decodable {
    public var id: Int?
    public var username: String?
}

public struct GitLabMergeRequestEvent: Sendable, Equatable, Decodable {
    public struct Attributes: Sendable, Equatable, Decodable {
        public struct Commit: Sendable, Equatable, Decodable { public var id: String }
        public var iid: Int
        public var action: String?
        public var state: String?
        public var lastCommit: Commit?
        /// Set only when the update pushed new commits.
        public var oldrev: String?

        enum CodingKeys: String, CodingKey {
            case iid, action, state, oldrev
            case lastCommit = "last_commit"
        }
    }

    public var objectKind: String
    public var user: GitLabUser?
    public var project: GitLabProject
    public var objectAttributes: Attributes

    enum CodingKeys: String, CodingKey {
        case user, project
        case objectKind = "object_kind"
        case objectAttributes = "object_attributes"
    }

    /// Opened, reopened, or updated with new commits: the head changed, review it.
    public var triggersScan: Bool {
        switch objectAttributes.action {
        case "open", "reopen": true
        case "update": objectAttributes.oldrev != nil
        default: false
        }
    }

    public var closes: Bool { ["close", "merge"].contains(objectAttributes.action ?? "") }
}

public struct GitLabNoteEvent: Sendable, Equatable, Decodable {
    public struct Attributes: Sendable, Equatable, Decodable {
        public var id: Int?
        public var note: String?
        public var noteableType: String?

        enum CodingKeys: String, CodingKey {
            case id, note
            case noteableType = "noteable_type"
        }
    }

    public struct MergeRequest: Sendable, Equatable, Decodable {
        public struct Commit: Sendable, Equatable, Decodable { public var id: String }
        public var iid: Int
        public var lastCommit: Commit?

        enum CodingKeys: String, CodingKey {
            case iid
            case lastCommit = "last_commit"
        }
    }

    public var user: GitLabUser?
    public var project: GitLabProject
    public var objectAttributes: Attributes
    public var mergeRequest: MergeRequest?

    enum CodingKeys: String, CodingKey {
        case user, project
        case objectAttributes = "object_attributes"
        case mergeRequest = "merge_request"
    }
}

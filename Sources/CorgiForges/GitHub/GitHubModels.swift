import Foundation

/// Identifies a pull request in one installation.
public struct PullRequestReference: Sendable, Hashable, Codable {
    public var installationID: Int
    public var owner: String
    public var repository: String
    public var number: Int

    public init(installationID: Int, owner: String, repository: String, number: Int) {
        self.installationID = installationID
        self.owner = owner
        self.repository = repository
        self.number = number
    }

    public var fullName: String { "\(owner)/\(repository)" }

    /// `owner/name` split, as webhooks carry it; nil unless both parts follow GitHub's rules
    /// (`GitHubName`), so no reference can steer a request elsewhere.
    public init?(installationID: Int, fullName: String, number: Int) {
        guard GitHubName.isValidFullName(fullName), number > 0 else { return nil }
        let parts = fullName.split(separator: "/", maxSplits: 1)
        self.init(installationID: installationID, owner: String(parts[0]), repository: String(parts[1]), number: number)
    }

    /// `/repos/{owner}/{repo}`, each segment percent-encoded.
    var apiPath: String { "/repos/\(URLPathSegment.encode(owner))/\(URLPathSegment.encode(repository))" }
}

/// The diff of a pull request, or why it could not be had whole.
public enum DiffFetch: Sendable {
    case diff([UInt8])
    /// GitHub refuses diffs over its limits (406 `too_large`): use the files API instead.
    case tooLarge
}

/// One entry of `GET /pulls/{n}/files`.
public struct ChangedFile: Sendable, Hashable, Decodable {
    public var filename: String
    public var status: String
    public var previousFilename: String?
    /// Missing for binary files and for files GitHub considers too large to show.
    public var patch: String?

    enum CodingKeys: String, CodingKey {
        case filename, status, patch
        case previousFilename = "previous_filename"
    }
}

public struct CheckRunAnnotation: Sendable, Hashable, Encodable {
    public var path: String
    public var startLine: Int
    public var endLine: Int
    public var annotationLevel: String
    public var message: String
    public var title: String?

    public init(path: String, startLine: Int, endLine: Int, annotationLevel: String, message: String, title: String?) {
        self.path = path
        self.startLine = startLine
        self.endLine = endLine
        self.annotationLevel = annotationLevel
        self.message = message
        self.title = title
    }

    enum CodingKeys: String, CodingKey {
        case path, message, title
        case startLine = "start_line"
        case endLine = "end_line"
        case annotationLevel = "annotation_level"
    }
}

public struct CheckRunOutput: Sendable, Hashable, Encodable {
    public var title: String
    public var summary: String
    public var annotations: [CheckRunAnnotation]?

    public init(title: String, summary: String, annotations: [CheckRunAnnotation]? = nil) {
        self.title = title
        self.summary = summary
        self.annotations = annotations
    }
}

public struct ReviewComment: Sendable, Hashable, Codable {
    public var path: String
    public var line: Int
    public var side: String
    public var body: String

    public init(path: String, line: Int, side: String = "RIGHT", body: String) {
        self.path = path
        self.line = line
        self.side = side
        self.body = body
    }
}

/// A review comment already on the pull request (to avoid posting one twice).
public struct ExistingReviewComment: Sendable, Hashable, Decodable {
    public var id: Int
    public var path: String
    public var line: Int?
    public var body: String
}

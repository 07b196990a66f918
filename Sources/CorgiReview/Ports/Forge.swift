public import Logging

/// A forge (GitHub, GitLab, Gitea/Forgejo) as a review sees it: a way to address the pull request
/// a job names. Adapters implement it; the review never knows which forge it talks to.
public protocol Forge: Sendable {
    /// The pull request of `job`, or `nil` when the job cannot name one on this forge (an
    /// invalid repository name): such a job fails without being retried.
    func pullRequest(for job: ScanJob) -> (any ForgePullRequest)?
}

/// Everything a review asks of a forge about one pull request.
///
/// Errors that trying again later could cure conform to `ForgeFailure` with `isTransient`; any
/// other error is retried as well, as the network is the usual cause.
public protocol ForgePullRequest: Sendable {
    /// The pull request's head commit now; `nil` when the pull request is gone.
    func headSHA(logger: Logger) async throws -> String?
    /// The pull request's base commit now; `nil` when the pull request is gone.
    func baseSHA(logger: Logger) async throws -> String?
    /// A file of the repository at `ref` (at most 1 MiB is read); `nil` when there is none.
    func fileContents(path: String, ref: String, logger: Logger) async throws -> [UInt8]?
    /// The pull request's diff; what the forge could not give is said in `.partial`.
    func diff(logger: Logger) async throws -> FetchedDiff
    /// Starts the review's check (a check run, a commit status) on `headSHA` and returns its id;
    /// a check this review already started (same `externalID`), whose id a crash kept from being
    /// recorded, is returned instead of a second one.
    func createCheck(name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int
    /// Updates the check; a non-nil `conclusion` completes it. Sending the same report twice is
    /// harmless (a resumed review does).
    func updateCheck(_ id: Int, name: String, headSHA: String, conclusion: String?, report: CheckReport, logger: Logger) async throws
    /// The bodies of the inline comments already on the pull request (any author): a resumed
    /// review finds its own by their hidden fingerprint markers.
    func inlineCommentBodies(logger: Logger) async throws -> [String]
    /// Posts one review: `body` and line comments on added lines of `commitID`.
    func postReview(commitID: String, body: String, comments: [InlineComment], logger: Logger) async throws
    /// The pull request's conversation comments, oldest first.
    func comments(logger: Logger) async throws -> [ForgeComment]
    /// False when the comment no longer exists.
    func updateComment(_ id: Int, body: String, logger: Logger) async throws -> Bool
    func createComment(body: String, logger: Logger) async throws -> Int
    /// Whether the user may push to the repository: only they may command a review.
    func canWrite(login: String, userID: Int?, logger: Logger) async throws -> Bool
}

/// A forge error that knows whether trying again later could succeed.
public protocol ForgeFailure: Error {
    var isTransient: Bool { get }
}

/// What a forge gave for a pull request's diff.
public enum FetchedDiff: Sendable, Equatable {
    case whole([UInt8])
    /// Part of the change, and what was left out.
    case partial([UInt8], DiffGap)
    /// The pull request or its diff is gone (404).
    case unavailable
}

/// What a forge could not give of a diff, said in the check run and the summary.
public struct DiffGap: Sendable, Equatable {
    /// How the diff was read ("the diff exceeded GitHub's limits, so 12 file(s) were read through the files API").
    public var summary: String
    /// Files with no patch, and why ("no patch from GitHub, e.g. binary or very large"). The
    /// review redacts secrets in the paths before it writes them anywhere.
    public var uncoveredPaths: [String]
    public var uncoveredReason: String
    /// A limit of the forge's listing that cut it short, if one did.
    public var limit: String?

    public init(summary: String, uncoveredPaths: [String] = [], uncoveredReason: String = "", limit: String? = nil) {
        self.summary = summary
        self.uncoveredPaths = uncoveredPaths
        self.uncoveredReason = uncoveredReason
        self.limit = limit
    }
}

/// A check's title, text and line annotations.
public struct CheckReport: Sendable, Hashable {
    public var title: String
    public var summary: String
    public var annotations: [CheckAnnotation]

    public init(title: String, summary: String, annotations: [CheckAnnotation]) {
        self.title = title
        self.summary = summary
        self.annotations = annotations
    }
}

public struct CheckAnnotation: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable { case failure, warning, notice }
    public var path: String
    public var startLine: Int
    public var endLine: Int
    public var level: Level
    public var title: String
    public var message: String

    public init(path: String, startLine: Int, endLine: Int, level: Level, title: String, message: String) {
        self.path = path
        self.startLine = startLine
        self.endLine = endLine
        self.level = level
        self.title = title
        self.message = message
    }
}

/// A comment on one added line of the new file.
public struct InlineComment: Sendable, Hashable {
    public var path: String
    public var line: Int
    public var body: String

    public init(path: String, line: Int, body: String) {
        self.path = path
        self.line = line
        self.body = body
    }
}

public struct ForgeComment: Sendable, Hashable {
    public var id: Int
    public var body: String

    public init(id: Int, body: String) {
        self.id = id
        self.body = body
    }
}

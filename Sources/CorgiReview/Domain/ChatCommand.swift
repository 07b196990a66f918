public import Foundation

/// What a comment on a pull request can ask of Code Corgi. Only a line that starts with
/// `@corgi` is a command; anything else in the comment is ignored.
///
/// - `@corgi help` — what Code Corgi can do;
/// - `@corgi rescan` — review the pull request's head again;
/// - `@corgi ignore <fingerprint or rule id> <reason>` — stop reporting a finding (by its
///   fingerprint) or a rule in this repository, with the reason kept in the audit log.
public enum ChatCommand: Sendable, Hashable {
    case help
    case rescan
    case ignore(target: String, reason: String)

    public static let mention = "@corgi"
    public static let maximumReason = 500

    /// The outcome of reading a comment.
    public enum Reading: Sendable, Hashable {
        /// Not addressed to Code Corgi.
        case none
        case command(ChatCommand)
        /// Addressed to it but not understood: the reply explains (`help` text).
        case invalid(String)
    }

    /// Reads the first line that starts with `@corgi` (case-insensitive; at most the first 64 KiB
    /// of the comment are looked at).
    public static func read(_ body: String) -> Reading {
        for raw in body.utf8.prefix(64 << 10).split(separator: 0x0A) {
            guard let line = String(raw)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  line.lowercased().hasPrefix(mention), line.count == mention.count || line.dropFirst(mention.count).first?.isWhitespace == true
            else { continue }
            let words = line.dropFirst(mention.count).split(whereSeparator: \.isWhitespace)
            guard let verb = words.first?.lowercased() else { return .invalid("no command given") }
            switch verb {
            case "help": return .command(.help)
            case "rescan": return .command(.rescan)
            case "ignore":
                guard words.count >= 3 else { return .invalid("`ignore` needs a fingerprint or rule id and a reason") }
                let target = String(words[1])
                guard isTarget(target) else { return .invalid("`ignore` needs a fingerprint or rule id (letters, digits, `.`, `_`, `-`, `:`)") }
                // Control characters are dropped: the reason is shown in comments and the audit log.
                let reason = String(words.dropFirst(2).joined(separator: " ").unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) })
                guard reason.count <= maximumReason else { return .invalid("the reason is longer than \(maximumReason) characters") }
                return .command(.ignore(target: target, reason: reason))
            default:
                return .invalid("unknown command")
            }
        }
        return .none
    }

    static func isTarget(_ s: String) -> Bool {
        (1...128).contains(s.utf8.count) && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || [0x2E, 0x5F, 0x2D, 0x3A].contains($0)
        }
    }

    public static let helpText = """
        Code Corgi reviews every push for security problems. In a comment, people with write access can ask:

        - `@corgi rescan` — review the pull request's head again;
        - `@corgi ignore <fingerprint or rule id> <reason>` — stop reporting a finding (its fingerprint is in the \
        finding's comment) or a rule in this repository; the reason and who gave it are kept in the audit log;
        - `@corgi help` — this text.

        A repository's own policy lives in `.corgi.yml` on the default branch.
        """
}

/// A command as queued: what was asked, by whom, in which comment.
public struct CommandRequest: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case help, rescan, ignore, invalid }
    public var kind: Kind
    /// The author's login on the forge, and the forge's numeric id for them when it has one.
    public var author: String
    public var authorID: Int?
    public var commentID: Int
    public var target: String?
    public var reason: String?

    public init(kind: Kind, author: String, authorID: Int?, commentID: Int, target: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.author = author
        self.authorID = authorID
        self.commentID = commentID
        self.target = target
        self.reason = reason
    }

    /// The request a comment makes, or nil when it is not addressed to Code Corgi.
    public init?(comment body: String, author: String, authorID: Int?, commentID: Int) {
        switch ChatCommand.read(body) {
        case .none: return nil
        case .command(.help): self.init(kind: .help, author: author, authorID: authorID, commentID: commentID)
        case .command(.rescan): self.init(kind: .rescan, author: author, authorID: authorID, commentID: commentID)
        case .command(.ignore(let target, let reason)):
            self.init(kind: .ignore, author: author, authorID: authorID, commentID: commentID, target: target, reason: reason)
        case .invalid(let why): self.init(kind: .invalid, author: author, authorID: authorID, commentID: commentID, reason: why)
        }
    }
}

/// A finding (by fingerprint) or a rule (by id) that a repository no longer wants reported.
public struct Dismissal: Sendable, Hashable {
    public var forge: String
    public var installationID: Int
    public var repositoryID: Int
    public var organisation: String
    /// A fingerprint or a rule id.
    public var target: String
    public var reason: String
    public var author: String
    /// The comment that asked: one dismissal per comment, however often its job runs.
    public var commentID: Int

    public init(forge: String, installationID: Int, repositoryID: Int, organisation: String, target: String, reason: String,
                author: String, commentID: Int) {
        self.forge = forge
        self.installationID = installationID
        self.repositoryID = repositoryID
        self.organisation = organisation
        self.target = target
        self.reason = reason
        self.author = author
        self.commentID = commentID
    }
}

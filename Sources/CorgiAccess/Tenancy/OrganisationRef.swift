/// The tenant every API call, key and row is scoped to: one organisation on one forge (a GitHub
/// installation's account, a GitLab top-level namespace, a Gitea/Forgejo owner).
///
/// The forge is part of the identity: `acme` on GitHub and `acme` on a GitLab instance are two
/// organisations that share nothing. Review rows carry both (`pull_requests.forge` and
/// `.organisation`), and every query of the access store filters on both.
public struct OrganisationRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var forge: String
    public var login: String

    /// The forges a review can come from, the only values `forge` takes.
    public static let forges: Set<String> = ["github", "gitlab", "gitea"]

    public init(forge: String, login: String) {
        self.forge = forge
        self.login = login
    }

    /// A reference from untrusted input (a URL path, a command line): nil unless the forge is
    /// one Code Corgi reviews and the login is a plausible account name (no separators, no
    /// control characters, at most 255 bytes), so it can be echoed in errors and logs.
    public init?(validatingForge forge: String, login: String) {
        guard Self.forges.contains(forge), !login.isEmpty, login.utf8.count <= 255,
              login.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        self.init(forge: forge, login: login)
    }

    /// `github/acme`: how audit rows and logs name it.
    public var description: String { "\(forge)/\(login)" }
}

import Foundation

/// The repository and revision a scan of `git diff BASE..HEAD` looked at, for SARIF's
/// `versionControlProvenance`. Built only from what git reports, and only ever holding a
/// repository address with its credentials removed.
public struct VersionControl: Sendable, Hashable {
    /// The remote's address with no user name, password or token, no query and no fragment.
    public var repositoryURI: String
    /// The full commit id of HEAD's side of the range.
    public var revisionID: String?

    public init(repositoryURI: String, revisionID: String?) {
        self.repositoryURI = repositoryURI
        self.revisionID = revisionID
    }

    /// A remote address as `git remote get-url` prints it (`https://…`, `ssh://…`, or scp-like
    /// `user@host:path`) as an absolute URI safe to publish: a token in the remote
    /// (`https://x-access-token:ghp_…@github.com/o/r.git`, a common CI setup) is dropped with
    /// the rest of the user information. Nil for anything that is not a network address (local
    /// paths name the user's directories) or does not parse.
    public static func publishableRemote(_ remote: String) -> String? {
        let trimmed = remote.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        if let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
           ["https", "http", "ssh", "git"].contains(scheme), let host = components.host, !host.isEmpty
        {
            var clean = URLComponents()
            clean.scheme = scheme
            clean.host = host
            clean.port = components.port
            clean.percentEncodedPath = components.percentEncodedPath
            return clean.string
        }
        // scp-like: [user[:password]@]host:path, no scheme. Everything up to the last `@` before
        // the path is user information, whatever colons it holds.
        guard !trimmed.contains("://") else { return nil }
        var rest = Substring(trimmed)
        if let at = rest.prefix(while: { $0 != "/" }).lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let host = String(rest[..<colon])
        let path = String(rest[rest.index(after: colon)...])
        // A one-letter host is a Windows drive (`C:\…`), not a machine.
        guard host.count > 1, !path.isEmpty, !path.contains("\\"), !path.contains("@"),
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return nil }
        var clean = URLComponents()
        clean.scheme = "ssh"
        clean.host = host
        clean.path = path.hasPrefix("/") ? path : "/" + path
        return clean.string
    }
}

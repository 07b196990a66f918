/// GitHub's rules for the names a webhook carries, checked before a name is stored, logged or
/// put in a URL: a signed payload is the forge's word on *which* repository, not a licence to
/// choose the request. A full name like `octo/../../app/installations/2/access_tokens` would
/// otherwise go out, with the installation's token, to another endpoint; `?` and `#` would
/// change the query.
public enum GitHubName {
    /// Account logins: 1–39 characters, letters, digits and hyphens (underscores in managed-user
    /// logins such as `jdoe_acme`), not starting with a hyphen or underscore.
    public static let maximumOwnerLength = 39
    /// Repository names: 1–100 characters, letters, digits, `.`, `-` and `_`; never `.` or `..`.
    public static let maximumRepositoryLength = 100

    public static func isValidOwner(_ s: some StringProtocol) -> Bool {
        guard let first = s.utf8.first, (1...maximumOwnerLength).contains(s.utf8.count), isAlphanumeric(first) else { return false }
        return s.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    public static func isValidRepository(_ s: some StringProtocol) -> Bool {
        guard (1...maximumRepositoryLength).contains(s.utf8.count), s != ".", s != ".." else { return false }
        return s.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// `owner/name`, each part valid.
    public static func isValidFullName(_ s: some StringProtocol) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && isValidOwner(parts[0]) && isValidRepository(parts[1])
    }

    /// A commit id: 40 hexadecimal digits (SHA-1), or 64 in a SHA-256 repository.
    public static func isValidCommitSHA(_ s: some StringProtocol) -> Bool {
        (s.utf8.count == 40 || s.utf8.count == 64) && s.utf8.allSatisfy { isHexDigit($0) }
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }
}

/// One segment of a URL path, percent-encoded: everything but RFC 3986's unreserved characters
/// is encoded, so a segment can never add a `/`, start a query or a fragment, or be `..` in
/// disguise (`.` alone is unreserved, which is why names are validated first as well).
public enum URLPathSegment {
    public static func encode(_ s: some StringProtocol) -> String {
        var out = ""
        for b in s.utf8 {
            if GitHubName.isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~") {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(b >> 4)])\(hex[Int(b & 0xF)])"
            }
        }
        return out
    }
}

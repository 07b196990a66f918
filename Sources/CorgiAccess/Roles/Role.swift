/// What a member of an organisation (or an API key acting for it) may do, from most to least.
/// Least privilege: every role is a fixed set of permissions (`PermissionTable`), and a key's
/// scopes can only narrow its role's set.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Everything, including the organisation's keys and, later, its deletion.
    case owner
    /// Everything but what only an owner may do.
    case admin
    /// Reads findings and triages them.
    case member
    /// Reads findings and the audit trail; changes nothing.
    case auditor

    /// Rank for "may grant": a role grants only roles at or below its own. `auditor` is not below
    /// `member` in what it sees (it reads the audit trail), so it ranks beside it, never above.
    var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .member, .auditor: 1
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

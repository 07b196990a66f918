/// One thing the API lets a caller do. The raw value is the API-key scope that grants it.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable {
    /// The organisation's overview: counts by severity and state.
    case readOrganisation = "organisation:read"
    /// Repositories, pull requests and findings, with redacted evidence (never code).
    case readFindings = "findings:read"
    /// Dismissing and reopening findings.
    case triageFindings = "findings:triage"
    /// The audit trail and its verification.
    case readAudit = "audit:read"
    /// The organisation's API keys: names, prefixes, roles, scopes, dates — never a secret.
    case readAPIKeys = "api-keys:read"
    /// Creating and revoking API keys.
    case writeAPIKeys = "api-keys:write"
    /// The organisation's review policy: reading it.
    case readPolicy = "policy:read"
    /// Changing the organisation's review policy (what reviews report and when they fail,
    /// retention, four-eyes triage, the AI review).
    case writePolicy = "policy:write"
    /// Exporting everything the organisation has (findings, reviews, settings, members, its audit
    /// trail) as one archive.
    case exportOrganisation = "organisation:export"
    /// The people who signed in to the organisation and the roles their identity provider gave
    /// them: who has access is an administrator's business, not every reader's.
    case readMembers = "members:read"
    /// Deleting the organisation: every finding, review, setting, key and session, at once and
    /// for good (the audit log keeps a sealed tombstone).
    case deleteOrganisation = "organisation:delete"
}

/// The one permission table: which role holds which permission. `docs/permissions.md` shows it
/// with the routes that need each permission; a test keeps the two identical.
public enum PermissionTable {
    public static func permissions(of role: Role) -> Set<Permission> {
        switch role {
        case .owner:
            Set(Permission.allCases)
        case .admin:
            Set(Permission.allCases).subtracting([.deleteOrganisation])
        case .member:
            [.readOrganisation, .readFindings, .triageFindings, .readPolicy]
        case .auditor:
            [.readOrganisation, .readFindings, .readAudit, .readPolicy]
        }
    }

    /// The roles holding `permission`, most privileged first.
    public static func roles(holding permission: Permission) -> [Role] {
        Role.allCases.filter { permissions(of: $0).contains(permission) }
    }
}

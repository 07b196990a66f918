/// Who is calling: an API key, or a person signed in through the organisation's identity
/// provider, acting for one organisation with a role (a key's narrowed by its scopes).
public struct Principal: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case apiKey(Int)
        /// The identity provider's `sub`, as the session carries it.
        case user(String)
    }

    public var subject: Subject
    public var organisation: OrganisationRef
    public var role: Role
    /// A key's scopes; nil: everything its role holds (always nil for a person).
    public var scopes: Set<Permission>?

    public init(subject: Subject, organisation: OrganisationRef, role: Role, scopes: Set<Permission>?) {
        self.subject = subject
        self.organisation = organisation
        self.role = role
        self.scopes = scopes
    }

    public init(keyID: Int, organisation: OrganisationRef, role: Role, scopes: Set<Permission>?) {
        self.init(subject: .apiKey(keyID), organisation: organisation, role: role, scopes: scopes)
    }

    public init(key: APIKeyRecord) {
        self.init(keyID: key.id, organisation: key.organisation, role: key.role, scopes: key.scopes)
    }

    public var keyID: Int? {
        if case .apiKey(let id) = subject { id } else { nil }
    }

    /// What this caller may do: the role's permissions, intersected with the scopes.
    public var permissions: Set<Permission> {
        let granted = PermissionTable.permissions(of: role)
        return scopes.map { granted.intersection($0) } ?? granted
    }

    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// How audit rows name this caller.
    public var actor: String { Self.actor(subject, in: organisation) }

    /// How audit rows name `subject` of `organisation`, also before a role is known (a refused sign-in).
    public static func actor(_ subject: Subject, in organisation: OrganisationRef) -> String {
        switch subject {
        case .apiKey(let id): "api-key:\(id)"
        case .user(let subject): "user:\(organisation.forge)/\(organisation.login)/\(subject)"
        }
    }

    /// Whether this caller may create a key with `role` and `scopes` for its organisation: never
    /// a role above its own, never a permission it does not hold itself (a narrowed admin key
    /// cannot mint a broader one).
    public func mayGrant(role: Role, scopes: Set<Permission>?) -> Bool {
        guard may(.writeAPIKeys), role <= self.role else { return false }
        let granted = scopes.map { PermissionTable.permissions(of: role).intersection($0) } ?? PermissionTable.permissions(of: role)
        return granted.isSubset(of: permissions)
    }
}

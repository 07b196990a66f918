/// Who is calling: an API key acting for one organisation with a role, narrowed by its scopes.
public struct Principal: Sendable, Hashable {
    public var keyID: Int
    public var organisation: OrganisationRef
    public var role: Role
    /// The key's scopes; nil: everything its role holds.
    public var scopes: Set<Permission>?

    public init(keyID: Int, organisation: OrganisationRef, role: Role, scopes: Set<Permission>?) {
        self.keyID = keyID
        self.organisation = organisation
        self.role = role
        self.scopes = scopes
    }

    public init(key: APIKeyRecord) {
        self.init(keyID: key.id, organisation: key.organisation, role: key.role, scopes: key.scopes)
    }

    /// What this caller may do: the role's permissions, intersected with the scopes.
    public var permissions: Set<Permission> {
        let granted = PermissionTable.permissions(of: role)
        return scopes.map { granted.intersection($0) } ?? granted
    }

    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// How audit rows name this caller.
    public var actor: String { "api-key:\(keyID)" }

    /// Whether this caller may create a key with `role` and `scopes` for its organisation: never
    /// a role above its own, never a permission it does not hold itself (a narrowed admin key
    /// cannot mint a broader one).
    public func mayGrant(role: Role, scopes: Set<Permission>?) -> Bool {
        guard may(.writeAPIKeys), role <= self.role else { return false }
        let granted = scopes.map { PermissionTable.permissions(of: role).intersection($0) } ?? PermissionTable.permissions(of: role)
        return granted.isSubset(of: permissions)
    }
}

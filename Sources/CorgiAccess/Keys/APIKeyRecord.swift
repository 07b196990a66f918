public import Foundation

/// An API key as the store keeps it: everything but the secret, which exists only as `hash`.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: Int
    public var organisation: OrganisationRef
    public var name: String
    public var role: Role
    /// nil: everything the role holds.
    public var scopes: Set<Permission>?
    /// The first characters of the secret, for lists.
    public var displayPrefix: String
    /// SHA-256 of the secret (`APIKeySecret.hash`).
    public var hash: String
    /// Who created it: `cli:<user>` for the bootstrap command, `api-key:<id>` through the API.
    public var createdBy: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: Int, organisation: OrganisationRef, name: String, role: Role, scopes: Set<Permission>?, displayPrefix: String,
                hash: String, createdBy: String, createdAt: Date, expiresAt: Date?, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.organisation = organisation
        self.name = name
        self.role = role
        self.scopes = scopes
        self.displayPrefix = displayPrefix
        self.hash = hash
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the key authenticates at `now`: not revoked, not expired.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// Scopes as stored: space-separated permission names, or nil.
    public static func storedScopes(_ scopes: Set<Permission>?) -> String? {
        scopes.map { $0.map(\.rawValue).sorted().joined(separator: " ") }
    }

    /// Scopes from storage; a name this build does not know grants nothing (fails closed).
    public static func scopes(stored: String?) -> Set<Permission>? {
        stored.map { Set($0.split(separator: " ").compactMap { Permission(rawValue: String($0)) }) }
    }
}

/// A key to create: the store assigns the id and the creation time.
public struct APIKeyDraft: Sendable, Hashable {
    public var organisation: OrganisationRef
    public var name: String
    public var role: Role
    public var scopes: Set<Permission>?
    public var displayPrefix: String
    public var hash: String
    public var createdBy: String
    public var expiresAt: Date?

    public init(secret: APIKeySecret, organisation: OrganisationRef, name: String, role: Role, scopes: Set<Permission>?,
                createdBy: String, expiresAt: Date?) {
        self.organisation = organisation
        self.name = name
        self.role = role
        self.scopes = scopes
        self.displayPrefix = secret.displayPrefix
        self.hash = secret.hash
        self.createdBy = createdBy
        self.expiresAt = expiresAt
    }
}

public import Foundation

/// A browser session a person started by signing in: listed to them (`GET /api/v1/me/sessions`)
/// so they can see where they are signed in and end a session they do not recognise. Holds no
/// token: the session's cookie is signed and never stored; `id` is its `sid` claim.
public struct SignedInSession: Sendable, Hashable, Codable {
    public var id: String
    public var organisation: OrganisationRef
    /// The identity provider's subject (`github:<id>` for GitHub).
    public var subject: String
    public var role: Role
    /// `oidc` or `github`.
    public var method: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, organisation: OrganisationRef, subject: String, role: Role, method: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.organisation = organisation
        self.subject = subject
        self.role = role
        self.method = method
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

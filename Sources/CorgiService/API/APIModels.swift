import CorgiAccess
import Foundation

/// What the API sends and receives, in snake_case JSON (`APIResponse.encoder`).
struct APIList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    /// Pass as `after` for the next page; absent on the last page.
    var nextAfter: Int?
}

struct APIMe: Encodable, Sendable {
    /// `api-key:<id>` or `user:<forge>/<organisation>/<sub>`, as audit rows name the caller.
    var actor: String
    var keyId: Int?
    var organisation: OrganisationRef
    var role: String
    var permissions: [String]
}

/// One of the caller's browser sessions: where they are signed in (never a token).
struct APISession: Encodable, Sendable {
    var id: String
    var method: String
    var role: String
    var createdAt: Date
    var expiresAt: Date
    /// The session this request came with.
    var current: Bool

    init(_ session: SignedInSession, current: Bool) {
        (id, method, role, createdAt, expiresAt) = (session.id, session.method, session.role.rawValue, session.createdAt, session.expiresAt)
        self.current = current
    }
}

struct APIKeyView: Encodable, Sendable {
    var id: Int
    var name: String
    var role: String
    var scopes: [String]?
    var prefix: String
    var createdBy: String
    var createdAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?
    var revokedAt: Date?

    init(_ record: APIKeyRecord) {
        id = record.id
        name = record.name
        role = record.role.rawValue
        scopes = record.scopes.map { $0.map(\.rawValue).sorted() }
        prefix = record.displayPrefix
        createdBy = record.createdBy
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        lastUsedAt = record.lastUsedAt
        revokedAt = record.revokedAt
    }
}

/// The one answer that carries a secret: the new key, shown once.
struct APICreatedKey: Encodable, Sendable {
    var key: String
    var apiKey: APIKeyView
}

struct APIKeyRequest: Decodable, Sendable {
    var name: String
    var role: String
    var scopes: [String]?
    var expiresInDays: Int?

    static let defaultDays = 90
    static let maximumDays = 365
}

struct APIDismissalRequest: Decodable, Sendable {
    var reason: String
    var comment: String?
    /// `YYYY-MM-DD`: the finding reopens at 00:00 UTC that day; absent or null: for good.
    var until: String?

    /// How far ahead a dismissal may end: a longer one is a dismissal for good, and says so.
    static let maximumDays = 1_095

    static let maximumComment = 1_000
}

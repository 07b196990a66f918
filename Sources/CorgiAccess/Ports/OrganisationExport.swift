public import Foundation
internal import Crypto

/// An export of everything an organisation has, built in the background and downloaded as one
/// archive (see `OrganisationArchiver`).
///
/// States: `pending` (requested) → `running` (claimed by an exporter) → `ready` (the archive is
/// stored until `expiresAt`) or `failed`; a ready export becomes `expired` when the sweeper
/// drops its archive. An exporter that dies while `running` leaves the row to be claimed again
/// once it is stale: the request is never lost.
public struct OrganisationExport: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, running, ready, failed, expired
    }

    public var id: Int
    public var organisation: OrganisationRef
    public var requestedBy: String
    public var state: State
    public var createdAt: Date
    public var finishedAt: Date?
    /// When a ready archive is dropped.
    public var expiresAt: Date?
    public var bytes: Int?
    /// Hex SHA-256 of the archive, so a download can be checked.
    public var sha256: String?

    public init(id: Int, organisation: OrganisationRef, requestedBy: String, state: State, createdAt: Date, finishedAt: Date? = nil,
                expiresAt: Date? = nil, bytes: Int? = nil, sha256: String? = nil) {
        self.id = id
        self.organisation = organisation
        self.requestedBy = requestedBy
        self.state = state
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.expiresAt = expiresAt
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// How long a ready archive is kept.
    public static let retention: TimeInterval = 7 * 86_400
    /// A `running` export not finished after this long is claimed again (its exporter died).
    public static let staleAfter: TimeInterval = 15 * 60

    /// Hex SHA-256 of an archive.
    public static func digest(_ archive: [UInt8]) -> String {
        SHA256.hash(data: archive).map { String(format: "%02x", $0) }.joined()
    }
}

/// A person who signed in to the organisation: the role the identity provider gave them at
/// their latest sign-in. Code Corgi keeps no other record of people (no passwords, no profiles).
public struct OrganisationMember: Sendable, Hashable, Codable {
    public var subject: String
    public var role: Role
    public var method: String
    public var lastSignIn: Date

    public init(subject: String, role: Role, method: String, lastSignIn: Date) {
        self.subject = subject
        self.role = role
        self.method = method
        self.lastSignIn = lastSignIn
    }
}

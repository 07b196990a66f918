public import Foundation

/// What deleting an organisation removed: the content of its tombstone.
///
/// Deletion is one transaction: every row the organisation has (findings, reviews, pull requests,
/// dismissals and requests, its policy, API keys, sessions, exports, installation and repositories) is
/// removed, its live sessions are revoked, and `organisation.deleted` is appended to the audit
/// log with these counts — sealed with the audit key like every row, so the tombstone cannot be
/// forged or edited without showing. The audit log itself keeps the organisation's rows: it is
/// metadata only, append-only, and the proof of what happened.
///
/// Diffs are objects the API process may not be able to reach (the gateway holds no storage
/// key): their rows are expired at once, the retention sweeper deletes the objects within one
/// pass and then forgets the rows (`forgetDetachedDiffs`).
public struct OrganisationDeletion: Sendable, Hashable, Codable {
    public var organisation: OrganisationRef
    /// Rows removed, by kind (`findings`, `reviews`, `pull_requests`, …).
    public var removed: [String: Int]
    /// Encrypted diff objects left for the sweeper to delete (their rows now expired).
    public var diffsExpired: Int
    /// The tombstone's id in the audit log.
    public var auditEventID: Int

    public init(organisation: OrganisationRef, removed: [String: Int], diffsExpired: Int, auditEventID: Int) {
        self.organisation = organisation
        self.removed = removed
        self.diffsExpired = diffsExpired
        self.auditEventID = auditEventID
    }

    /// The kinds of rows a deletion reports, in the order the stores count them.
    public static let kinds = [
        "findings", "reviews", "pull_requests", "dismissals", "dismissal_requests", "policies", "api_keys", "sessions",
        "installations", "repositories", "jobs", "exports",
    ]

    /// The tombstone's metadata: the forge, why, and every count (zeros included, so the row
    /// always says what was looked for).
    public func tombstoneMetadata(reason: String) -> [String: String] {
        var metadata = ["forge": organisation.forge, "reason": reason, "diffs_expired": String(diffsExpired)]
        for kind in Self.kinds { metadata[kind] = String(removed[kind] ?? 0) }
        return metadata
    }

    /// How long an organisation whose forge installation was removed keeps its data before the
    /// sweeper deletes it (a reinstallation within the grace period keeps everything).
    public static let uninstalledGracePeriod: TimeInterval = 30 * 86_400
}

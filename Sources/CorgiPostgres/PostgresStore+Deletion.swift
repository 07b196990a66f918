public import CorgiAccess
public import Foundation
import CorgiReview
import PostgresNIO

/// Deleting an organisation on PostgreSQL (see ``OrganisationDeletion``) through the owner's
/// `delete_organisation()`, in one transaction with the tombstone.
extension PostgresStore {
    public func deleteOrganisation(_ organisation: OrganisationRef, actor: String, reason: String) async throws -> OrganisationDeletion {
        try await transaction { connection in
            let text = try await connection.query(
                "SELECT delete_organisation(\(organisation.forge), \(organisation.login))", logger: self.logger).collect().first?.decode(String.self)
            guard let data = text?.data(using: .utf8), let counts = try? JSONDecoder().decode([String: Int].self, from: data) else {
                throw StorageError.unexpected("delete_organisation returned no counts")
            }
            var removed = counts
            let expired = removed.removeValue(forKey: "diffs_expired") ?? 0
            var deletion = OrganisationDeletion(organisation: organisation, removed: removed, diffsExpired: expired, auditEventID: 0)
            let tombstone = try await self.appendAudit(
                AuditEntry(actor: actor, action: "organisation.deleted", target: "organisation:\(organisation)", organisation: organisation.login,
                           metadata: deletion.tombstoneMetadata(reason: reason)), on: connection)
            try await connection.query(
                """
                INSERT INTO organisation_deletions (forge, organisation, audit_event_id)
                VALUES (\(organisation.forge), \(organisation.login), \(tombstone.id))
                """, logger: self.logger)
            deletion.auditEventID = tombstone.id
            return deletion
        }
    }

    public func reviewRetentions() async throws -> [ReviewRetention] {
        try await rows("SELECT forge, organisation, policy FROM organisation_policies ORDER BY forge, organisation").compactMap { row in
            let (forge, login, text) = try row.decode((String, String, String).self)
            return (try? OrganisationPolicy.stored(text))?.reviewRetentionDays.map {
                ReviewRetention(organisation: OrganisationRef(forge: forge, login: login), days: $0)
            }
        }
    }

    public func expireReviewResults(of organisation: OrganisationRef, closedBefore cutoff: Date) async throws -> Int {
        try await transaction { connection in
            let text = try await connection.query(
                "SELECT expire_review_results(\(organisation.forge), \(organisation.login), \(cutoff))", logger: self.logger).collect().first?
                .decode(String.self)
            guard let data = text?.data(using: .utf8), let counts = try? JSONDecoder().decode([String: Int].self, from: data) else {
                throw StorageError.unexpected("expire_review_results returned no counts")
            }
            let count = counts["pull_requests"] ?? 0
            guard count > 0 else { return 0 }
            var metadata = ["forge": organisation.forge, "diffs_expired": String(counts["diffs_expired"] ?? 0), "reason": "review retention"]
            for kind in ReviewRetention.kinds { metadata[kind] = String(counts[kind] ?? 0) }
            _ = try await self.appendAudit(AuditEntry(actor: "sweeper", action: "reviews.expired", target: "organisation:\(organisation)",
                                                      organisation: organisation.login, metadata: metadata), on: connection)
            return count
        }
    }

    public func forgetDetachedDiffs() async throws -> Int {
        try await rows("SELECT forget_detached_diffs() AS forgotten").first?.decode(Int.self) ?? 0
    }

    public func organisationsUninstalled(before cutoff: Date) async throws -> [OrganisationRef] {
        // An account installed again under a new installation keeps its data.
        try await rows(
            """
            SELECT DISTINCT login FROM organisations o WHERE removed_at IS NOT NULL AND removed_at < \(cutoff)
            AND NOT EXISTS (SELECT 1 FROM organisations live WHERE live.login = o.login AND live.removed_at IS NULL)
            ORDER BY login
            """).map { OrganisationRef(forge: "github", login: try $0.decode(String.self)) }
    }
}

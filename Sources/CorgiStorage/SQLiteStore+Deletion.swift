public import CorgiAccess
public import Foundation
import CorgiReview
internal import SQLiteNIO

/// Deleting an organisation on the embedded store (see ``OrganisationDeletion``): the same rows
/// as PostgreSQL's `delete_organisation()`, in one transaction with the tombstone.
extension SQLiteStore {
    public func deleteOrganisation(_ organisation: OrganisationRef, actor: String, reason: String) async throws -> OrganisationDeletion {
        try await transaction {
            let forge = SQLiteData.text(organisation.forge), login = SQLiteData.text(organisation.login)
            // The organisation's pull requests: findings, reviews and diffs reach it through them.
            let pullRequests = "SELECT id FROM pull_requests WHERE forge = ?1 AND organisation = ?2"
            let scans = "SELECT id FROM scans WHERE pull_request_id IN (\(pullRequests))"
            var removed: [String: Int] = [:]
            func delete(_ kind: String, _ sql: String) async throws {
                removed[kind, default: 0] += try await connection.query(sql + " RETURNING 1 AS gone", [forge, login]).count
            }
            // Diffs: objects the sweeper deletes. Rows already swept go now; the others expire at
            // once, detached from their reviews, and are forgotten once their object is gone.
            _ = try await connection.query(
                "DELETE FROM diffs WHERE deleted_at IS NOT NULL AND (scan_id IN (\(scans)) OR (organisation = ?2 AND object_key LIKE 'diffs/' || ?1 || '/%'))",
                [forge, login])
            let expired = try await connection.query(
                """
                UPDATE diffs SET expires_at = 0, scan_id = NULL
                WHERE deleted_at IS NULL AND (scan_id IN (\(scans)) OR (organisation = ?2 AND object_key LIKE 'diffs/' || ?1 || '/%'))
                RETURNING 1 AS expired
                """, [forge, login]).count
            try await delete("dismissal_requests", "DELETE FROM dismissal_requests WHERE forge = ?1 AND organisation = ?2")
            try await delete("dismissals", "DELETE FROM dismissals WHERE forge = ?1 AND organisation = ?2")
            try await delete("findings", "DELETE FROM findings WHERE pull_request_id IN (\(pullRequests))")
            try await delete("reviews", "DELETE FROM scans WHERE pull_request_id IN (\(pullRequests))")
            try await delete("pull_requests", "DELETE FROM pull_requests WHERE forge = ?1 AND organisation = ?2")
            try await delete("policies", "DELETE FROM organisation_policies WHERE forge = ?1 AND organisation = ?2")
            try await delete("api_keys", "DELETE FROM api_keys WHERE forge = ?1 AND organisation = ?2")
            // A session cookie is a signed token: it stays refused through a revocation until it expires.
            _ = try await connection.query(
                """
                INSERT INTO revoked_sessions (session_id, expires_at, revoked_at)
                SELECT id, expires_at, ?3 FROM sessions WHERE forge = ?1 AND organisation = ?2 ON CONFLICT DO NOTHING
                """, [forge, login, .text(Self.now())])
            try await delete("sessions", "DELETE FROM sessions WHERE forge = ?1 AND organisation = ?2")
            try await delete("exports", "DELETE FROM exports WHERE forge = ?1 AND organisation = ?2")
            // Installations are GitHub's (the App's accounts); the queue holds jobs as JSON.
            if organisation.forge == "github" {
                let installations = "SELECT id FROM organisations WHERE login = ?2 AND ?1 = 'github'"
                try await delete("repositories", "DELETE FROM repositories WHERE organisation_id IN (\(installations))")
                try await delete("installations", "DELETE FROM organisations WHERE login = ?2 AND ?1 = 'github'")
            }
            // A job being worked on finishes (its rows go with the next deletion); the others go now.
            try await delete("jobs", """
                DELETE FROM jobs WHERE state <> 'running'
                AND json_extract(payload, '$.forge') = ?1 AND json_extract(payload, '$.organisation') = ?2
                """)
            var deletion = OrganisationDeletion(organisation: organisation, removed: removed, diffsExpired: expired, auditEventID: 0)
            let tombstone = try await appendAudit(actor: actor, action: "organisation.deleted", target: "organisation:\(organisation)",
                                                  organisation: organisation.login, metadata: deletion.tombstoneMetadata(reason: reason))
            _ = try await connection.query(
                "INSERT INTO organisation_deletions (forge, organisation, deleted_at, audit_event_id) VALUES (?1, ?2, ?3, ?4)",
                [forge, login, .text(Self.now()), .integer(tombstone.id)])
            deletion.auditEventID = tombstone.id
            return deletion
        }
    }

    public func reviewRetentions() async throws -> [ReviewRetention] {
        try await exclusive {
            try await connection.query("SELECT forge, organisation, policy FROM organisation_policies ORDER BY forge, organisation", []).compactMap { row in
                guard let forge = row.column("forge")?.string, let login = row.column("organisation")?.string,
                      let days = (try? OrganisationPolicy.stored(row.column("policy")?.string ?? ""))?.reviewRetentionDays
                else { return nil }
                return ReviewRetention(organisation: OrganisationRef(forge: forge, login: login), days: days)
            }
        }
    }

    public func expireReviewResults(of organisation: OrganisationRef, closedBefore cutoff: Date) async throws -> Int {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await transaction {
            let parameters: [SQLiteData] = [.text(organisation.forge), .text(organisation.login), .text(formatter.string(from: cutoff))]
            let pullRequests = "SELECT id FROM pull_requests WHERE forge = ?1 AND organisation = ?2 AND state = 'closed' AND updated_at < ?3"
            let scans = "SELECT id FROM scans WHERE pull_request_id IN (\(pullRequests))"
            var removed: [String: Int] = [:]
            _ = try await connection.query("DELETE FROM diffs WHERE deleted_at IS NOT NULL AND scan_id IN (\(scans))", parameters)
            let expired = try await connection.query(
                "UPDATE diffs SET expires_at = 0, scan_id = NULL WHERE deleted_at IS NULL AND scan_id IN (\(scans)) RETURNING 1 AS expired",
                parameters).count
            for (kind, sql) in [
                ("dismissal_requests", "DELETE FROM dismissal_requests WHERE finding_id IN (SELECT id FROM findings WHERE pull_request_id IN (\(pullRequests)))"),
                ("findings", "DELETE FROM findings WHERE pull_request_id IN (\(pullRequests))"),
                ("reviews", "DELETE FROM scans WHERE pull_request_id IN (\(pullRequests))"),
                ("pull_requests", "DELETE FROM pull_requests WHERE id IN (\(pullRequests))"),
            ] {
                removed[kind] = try await connection.query(sql + " RETURNING 1 AS gone", parameters).count
            }
            let count = removed["pull_requests"] ?? 0
            guard count > 0 else { return 0 }
            var metadata = ["forge": organisation.forge, "diffs_expired": String(expired), "reason": "review retention"]
            for kind in ReviewRetention.kinds { metadata[kind] = String(removed[kind] ?? 0) }
            _ = try await appendAudit(actor: "sweeper", action: "reviews.expired", target: "organisation:\(organisation)",
                                      organisation: organisation.login, metadata: metadata)
            return count
        }
    }

    public func forgetDetachedDiffs() async throws -> Int {
        try await transaction {
            // A live diff always has its review; one without was detached by a deletion.
            try await connection.query("DELETE FROM diffs WHERE deleted_at IS NOT NULL AND scan_id IS NULL RETURNING 1 AS gone", []).count
        }
    }

    public func organisationsUninstalled(before cutoff: Date) async throws -> [OrganisationRef] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await exclusive {
            // An account installed again under a new installation keeps its data.
            try await connection.query(
                """
                SELECT DISTINCT login FROM organisations o WHERE removed_at IS NOT NULL AND removed_at < ?
                AND NOT EXISTS (SELECT 1 FROM organisations live WHERE live.login = o.login AND live.removed_at IS NULL)
                ORDER BY login
                """, [.text(formatter.string(from: cutoff))]).compactMap {
                $0.column("login")?.string.map { OrganisationRef(forge: "github", login: $0) }
            }
        }
    }
}

public import CorgiAccess
public import CorgiReview
public import Foundation
import NIOCore
internal import SQLiteNIO

/// Exports of an organisation's data on the embedded store (see ``OrganisationExport``).
extension SQLiteStore {
    public func requestExport(of organisation: OrganisationRef, requestedBy: String, audit entry: AuditEntry) async throws -> OrganisationExport {
        try await transaction {
            let now = Date()
            let rows = try await connection.query(
                "INSERT INTO exports (forge, organisation, requested_by, state, created_at) VALUES (?, ?, ?, 'pending', ?) RETURNING id",
                [.text(organisation.forge), .text(organisation.login), .text(requestedBy), .float(now.timeIntervalSince1970)])
            guard let id = rows.first?.column("id")?.integer else { throw StorageError.unexpected("export insert") }
            var metadata = entry.metadata
            metadata["export_id"] = "\(id)"
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: metadata)
            return OrganisationExport(id: Int(id), organisation: organisation, requestedBy: requestedBy, state: .pending, createdAt: now)
        }
    }

    public func export(id: Int, of organisation: OrganisationRef) async throws -> OrganisationExport? {
        try await exclusive {
            try await connection.query(
                "SELECT \(Self.exportColumns) FROM exports WHERE id = ? AND forge = ? AND organisation = ?",
                [.integer(id), .text(organisation.forge), .text(organisation.login)]).first.flatMap(Self.export)
        }
    }

    public func claimExport(staleBefore: Date) async throws -> OrganisationExport? {
        try await transaction {
            try await connection.query(
                """
                UPDATE exports SET state = 'running', started_at = ?
                WHERE id = (SELECT id FROM exports WHERE state = 'pending' OR (state = 'running' AND started_at < ?) ORDER BY id LIMIT 1)
                RETURNING \(Self.exportColumns)
                """, [.float(Date().timeIntervalSince1970), .float(staleBefore.timeIntervalSince1970)]).first.flatMap(Self.export)
        }
    }

    public func finishExport(id: Int, archive: [UInt8]?, expiresAt: Date, audit entry: AuditEntry) async throws {
        try await transaction {
            let finished = try await connection.query(
                """
                UPDATE exports SET state = ?, finished_at = ?, expires_at = ?, bytes = ?, sha256 = ?, archive = ?
                WHERE id = ? AND state = 'running' RETURNING id
                """,
                [.text(archive == nil ? "failed" : "ready"), .float(Date().timeIntervalSince1970),
                 archive == nil ? .null : .float(expiresAt.timeIntervalSince1970), archive.map { .integer($0.count) } ?? .null,
                 Self.optionalText(archive.map(OrganisationExport.digest)), archive.map { .blob(ByteBuffer(bytes: $0)) } ?? .null,
                 .integer(id)])
            // Deleted with its organisation meanwhile: nothing to store, nothing to audit.
            guard !finished.isEmpty else { return }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
        }
    }

    public func exportArchive(id: Int, of organisation: OrganisationRef, audit entry: AuditEntry) async throws -> [UInt8]? {
        try await transaction {
            guard let archive = try await connection.query(
                "SELECT archive FROM exports WHERE id = ? AND forge = ? AND organisation = ? AND state = 'ready'",
                [.integer(id), .text(organisation.forge), .text(organisation.login)]).first?.column("archive")?.blob.map({ Array($0.readableBytesView) })
            else { return nil }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
            return archive
        }
    }

    public func expireExports(now: Date) async throws -> Int {
        try await transaction {
            try await connection.query(
                "UPDATE exports SET state = 'expired', archive = NULL WHERE state = 'ready' AND expires_at <= ? RETURNING id",
                [.float(now.timeIntervalSince1970)]).count
        }
    }

    public func members(of organisation: OrganisationRef) async throws -> [OrganisationMember] {
        try await exclusive {
            // The role and method of each person's latest sign-in.
            try await connection.query(
                """
                SELECT subject, role, method, created_at FROM sessions s
                WHERE forge = ? AND organisation = ? AND created_at = (
                    SELECT MAX(created_at) FROM sessions l WHERE l.forge = s.forge AND l.organisation = s.organisation AND l.subject = s.subject)
                GROUP BY subject ORDER BY subject
                """, [.text(organisation.forge), .text(organisation.login)]).compactMap { row in
                guard let subject = row.column("subject")?.string, let role = Role(rawValue: row.column("role")?.string ?? "") else { return nil }
                return OrganisationMember(subject: subject, role: role, method: row.column("method")?.string ?? "",
                                          lastSignIn: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0))
            }
        }
    }

    static let exportColumns = "id, forge, organisation, requested_by, state, created_at, finished_at, expires_at, bytes, sha256"

    static func export(_ row: SQLiteRow) -> OrganisationExport? {
        guard let id = row.column("id")?.integer, let state = OrganisationExport.State(rawValue: row.column("state")?.string ?? "") else { return nil }
        func time(_ name: String) -> Date? { row.column(name)?.double.map { Date(timeIntervalSince1970: $0) } }
        return OrganisationExport(
            id: Int(id), organisation: OrganisationRef(forge: row.column("forge")?.string ?? "", login: row.column("organisation")?.string ?? ""),
            requestedBy: row.column("requested_by")?.string ?? "", state: state, createdAt: time("created_at") ?? Date(timeIntervalSince1970: 0),
            finishedAt: time("finished_at"), expiresAt: time("expires_at"), bytes: row.column("bytes")?.integer.map { Int($0) },
            sha256: row.column("sha256")?.string)
    }
}

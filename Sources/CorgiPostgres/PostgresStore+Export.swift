public import CorgiAccess
public import CorgiReview
public import Foundation
import NIOCore
import PostgresNIO

/// Exports of an organisation's data on PostgreSQL (see ``OrganisationExport``).
extension PostgresStore {
    public func requestExport(of organisation: OrganisationRef, requestedBy: String, audit entry: AuditEntry) async throws -> OrganisationExport {
        try await transaction { connection in
            let row = try await connection.query(
                """
                INSERT INTO exports (forge, organisation, requested_by, state) VALUES (\(organisation.forge), \(organisation.login), \(requestedBy), 'pending')
                RETURNING id, created_at
                """, logger: self.logger).collect().first
            guard let (id, createdAt) = try row?.decode((Int, Date).self) else { throw StorageError.unexpected("export insert") }
            var audit = entry
            audit.metadata["export_id"] = "\(id)"
            _ = try await self.appendAudit(audit, on: connection)
            return OrganisationExport(id: id, organisation: organisation, requestedBy: requestedBy, state: .pending, createdAt: createdAt)
        }
    }

    public func export(id: Int, of organisation: OrganisationRef) async throws -> OrganisationExport? {
        try await rows(
            """
            SELECT id, forge, organisation, requested_by, state, created_at, finished_at, expires_at, bytes, sha256 FROM exports
            WHERE id = \(id) AND forge = \(organisation.forge) AND organisation = \(organisation.login)
            """).first.flatMap(Self.export)
    }

    public func claimExport(staleBefore: Date) async throws -> OrganisationExport? {
        // SKIP LOCKED: two exporters never wait on, or claim, the same row.
        try await rows(
            """
            UPDATE exports SET state = 'running', started_at = now()
            WHERE id = (SELECT id FROM exports WHERE state = 'pending' OR (state = 'running' AND started_at < \(staleBefore))
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, forge, organisation, requested_by, state, created_at, finished_at, expires_at, bytes, sha256
            """).first.flatMap(Self.export)
    }

    public func finishExport(id: Int, archive: [UInt8]?, expiresAt: Date, audit entry: AuditEntry) async throws {
        try await transaction { connection in
            let state = archive == nil ? "failed" : "ready"
            let expiry: Date? = archive == nil ? nil : expiresAt
            let bytes = archive.map(\.count)
            let digest = archive.map(OrganisationExport.digest)
            let buffer = archive.map { ByteBuffer(bytes: $0) }
            let finished = try await connection.query(
                """
                UPDATE exports SET state = \(state), finished_at = now(), expires_at = \(expiry), bytes = \(bytes), sha256 = \(digest),
                    archive = \(buffer)
                WHERE id = \(id) AND state = 'running' RETURNING id
                """, logger: self.logger).collect()
            // Deleted with its organisation meanwhile: nothing to store, nothing to audit.
            guard !finished.isEmpty else { return }
            _ = try await self.appendAudit(entry, on: connection)
        }
    }

    public func exportArchive(id: Int, of organisation: OrganisationRef, audit entry: AuditEntry) async throws -> [UInt8]? {
        try await transaction { connection in
            guard let row = try await connection.query(
                """
                SELECT archive FROM exports
                WHERE id = \(id) AND forge = \(organisation.forge) AND organisation = \(organisation.login) AND state = 'ready'
                """, logger: self.logger).collect().first
            else { return nil }
            let archive = Array(try row.decode(ByteBuffer.self).readableBytesView)
            _ = try await self.appendAudit(entry, on: connection)
            return archive
        }
    }

    public func expireExports(now: Date) async throws -> Int {
        try await rows("UPDATE exports SET state = 'expired', archive = NULL WHERE state = 'ready' AND expires_at <= \(now) RETURNING id").count
    }

    public func members(of organisation: OrganisationRef) async throws -> [OrganisationMember] {
        // The role and method of each person's latest sign-in.
        try await rows(
            """
            SELECT DISTINCT ON (subject) subject, role, method, created_at FROM sessions
            WHERE forge = \(organisation.forge) AND organisation = \(organisation.login)
            ORDER BY subject, created_at DESC
            """).compactMap { row in
            let (subject, role, method, signedIn) = try row.decode((String, String, String, Date).self)
            return Role(rawValue: role).map { OrganisationMember(subject: subject, role: $0, method: method, lastSignIn: signedIn) }
        }
    }

    static func export(_ row: PostgresRow) -> OrganisationExport? {
        guard let (id, forge, login, requestedBy, state, createdAt, finishedAt, expiresAt, bytes, sha256) = try? row.decode(
            (Int, String, String, String, String, Date, Date?, Date?, Int?, String?).self),
            let state = OrganisationExport.State(rawValue: state)
        else { return nil }
        return OrganisationExport(id: id, organisation: OrganisationRef(forge: forge, login: login), requestedBy: requestedBy, state: state,
                                  createdAt: createdAt, finishedAt: finishedAt, expiresAt: expiresAt, bytes: bytes, sha256: sha256)
    }
}

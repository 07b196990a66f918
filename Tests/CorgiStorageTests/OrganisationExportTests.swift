import CorgiAccess
import CorgiCore
import CorgiReview
import Foundation
import Testing

/// Exports of an organisation's data, on every engine: requested, claimed once, finished with
/// the archive or a failure, downloaded only by their organisation, expired by the sweeper.
extension AccessStoreTests {
    func exportAudit(_ action: String, _ organisation: OrganisationRef) -> AuditEntry {
        AuditEntry(actor: "api-key:1", action: action, target: "export", organisation: organisation.login, metadata: ["forge": organisation.forge])
    }

    @Test("an export is claimed by one exporter, stored with its digest, downloaded only by its organisation, audited, and expires",
          arguments: Backend.available)
    func exportLifecycle(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let requested = try await store.requestExport(of: Self.acme, requestedBy: "api-key:1",
                                                          audit: exportAudit("organisation.export_requested", Self.acme))
            #expect(requested.state == .pending && requested.requestedBy == "api-key:1")
            // Another tenant, the same login on GitLab included, cannot see it.
            #expect(try await store.export(id: requested.id, of: Self.acmeOnGitLab) == nil)
            #expect(try await store.export(id: requested.id, of: Self.other) == nil)
            #expect(try await store.export(id: requested.id, of: Self.acme)?.state == .pending)

            let claimed = try #require(try await store.claimExport(staleBefore: Date().addingTimeInterval(-900)))
            #expect(claimed.id == requested.id && claimed.state == .running && claimed.organisation == Self.acme)
            #expect(try await store.claimExport(staleBefore: Date().addingTimeInterval(-900)) == nil, "claimed once")
            // Not ready: no archive.
            #expect(try await store.exportArchive(id: requested.id, of: Self.acme, audit: exportAudit("organisation.export_downloaded", Self.acme)) == nil)

            let archive: [UInt8] = Array("an archive \u{0}\u{1}\u{2}".utf8) + [UInt8](repeating: 0xFF, count: 1000)
            let expiry = Date().addingTimeInterval(3600)
            try await store.finishExport(id: requested.id, archive: archive, expiresAt: expiry, audit: exportAudit("organisation.exported", Self.acme))
            let ready = try #require(try await store.export(id: requested.id, of: Self.acme))
            #expect(ready.state == .ready && ready.bytes == archive.count && ready.sha256 == OrganisationExport.digest(archive))
            #expect(abs((ready.expiresAt ?? .distantPast).timeIntervalSince(expiry)) < 1 && ready.finishedAt != nil)

            let download = exportAudit("organisation.export_downloaded", Self.acme)
            #expect(try await store.exportArchive(id: requested.id, of: Self.acmeOnGitLab, audit: download) == nil)
            #expect(try await store.exportArchive(id: requested.id, of: Self.other, audit: download) == nil)
            #expect(try await store.exportArchive(id: requested.id, of: Self.acme, audit: download) == archive)
            let actions = try await store.auditEvents().map(\.action)
            #expect(actions == ["organisation.export_requested", "organisation.exported", "organisation.export_downloaded"],
                    "failed downloads are not audited; each successful one is")
            #expect(try await store.auditEvents().first?.metadata["export_id"] == "\(requested.id)")

            #expect(try await store.expireExports(now: Date()) == 0)
            #expect(try await store.expireExports(now: expiry.addingTimeInterval(1)) == 1)
            #expect(try await store.export(id: requested.id, of: Self.acme)?.state == .expired)
            #expect(try await store.exportArchive(id: requested.id, of: Self.acme, audit: download) == nil)
            #expect(try await store.count("exports", where: "archive IS NOT NULL") == 0, "the archive itself is dropped")
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("an export whose exporter died is claimed again once stale; a failure is stored without an archive", arguments: Backend.available)
    func exportRecovery(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let requested = try await store.requestExport(of: Self.acme, requestedBy: "api-key:1",
                                                          audit: exportAudit("organisation.export_requested", Self.acme))
            _ = try #require(try await store.claimExport(staleBefore: Date().addingTimeInterval(-900)))
            #expect(try await store.claimExport(staleBefore: Date().addingTimeInterval(-900)) == nil)
            let again = try #require(try await store.claimExport(staleBefore: Date().addingTimeInterval(60)), "stale: claimed again")
            #expect(again.id == requested.id)
            try await store.finishExport(id: requested.id, archive: nil, expiresAt: Date(), audit: exportAudit("organisation.export_failed", Self.acme))
            let failed = try #require(try await store.export(id: requested.id, of: Self.acme))
            #expect(failed.state == .failed && failed.bytes == nil && failed.sha256 == nil)
            // A second finish (the first exporter coming back) changes nothing and audits nothing.
            try await store.finishExport(id: requested.id, archive: [1, 2, 3], expiresAt: Date(), audit: exportAudit("organisation.exported", Self.acme))
            #expect(try await store.export(id: requested.id, of: Self.acme)?.state == .failed)
            #expect(try await store.auditEvents().filter { $0.action == "organisation.exported" }.isEmpty)
        }
    }

    @Test("members: the people who signed in, with the role of their latest sign-in, in their organisation only", arguments: Backend.available)
    func members(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let now = Date()
            func signIn(_ id: String, _ subject: String, _ role: Role, _ organisation: OrganisationRef, at offset: TimeInterval) async throws {
                try await store.recordSignIn(
                    SignedInSession(id: id, organisation: organisation, subject: subject, role: role, method: "oidc",
                                    createdAt: now.addingTimeInterval(offset), expiresAt: now.addingTimeInterval(offset + 3600)),
                    audit: AuditEntry(actor: "user:\(subject)", action: "sign_in.succeeded", target: "session", organisation: organisation.login,
                                      metadata: ["forge": organisation.forge]))
            }
            try await signIn("s1", "alice", .member, Self.acme, at: -600)
            try await signIn("s2", "alice", .admin, Self.acme, at: -60)
            try await signIn("s3", "bob", .auditor, Self.acme, at: -300)
            try await signIn("s4", "carol", .owner, Self.acmeOnGitLab, at: -30)
            let members = try await store.members(of: Self.acme)
            #expect(members.map(\.subject) == ["alice", "bob"])
            #expect(members.map(\.role) == [.admin, .auditor])
            #expect(try await store.members(of: Self.acmeOnGitLab).map(\.subject) == ["carol"])
            #expect(try await store.members(of: Self.other).isEmpty)
        }
    }
}

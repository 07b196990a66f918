import CorgiStorage
import Foundation
import Logging
import Testing

@Suite("SQLite store: audit log and deliveries")
struct AuditLogTests {
    func withStore(_ body: (SQLiteStore, String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        do { try await body(store, path) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("events chain by hash and verify")
    func chain() async throws {
        try await withStore { store, _ in
            let first = try await store.audit(actor: "webhook", action: "webhook.accepted", target: "octo/repo#1", organisation: "octo",
                                              metadata: ["delivery": "d1", "sha": "abc"])
            let second = try await store.audit(actor: "worker", action: "scan.completed", target: "octo/repo#1", organisation: "octo",
                                               metadata: ["findings": "3"])
            #expect(first.previousHash == String(repeating: "0", count: 64))
            #expect(second.previousHash == first.hash)
            let verification = try await store.verifyAuditChain()
            #expect(verification.rows == 2)
            #expect(verification.firstBroken == nil)
        }
    }

    @Test("UPDATE and DELETE on audit_events are refused by the database")
    func appendOnly() async throws {
        try await withStore { store, _ in
            try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
            await #expect(throws: (any Error).self) { try await store.execute("UPDATE audit_events SET actor = 'mallory'") }
            await #expect(throws: (any Error).self) { try await store.execute("DELETE FROM audit_events") }
            let events = try await store.auditEvents()
            #expect(events.map(\.actor) == ["a"])
        }
    }

    @Test("verification names the first row edited, deleted or re-linked")
    func tampering() {
        func chain(_ n: Int) -> [AuditEvent] {
            var rows: [AuditEvent] = []
            var previous = AuditEvent.genesisHash
            for id in 1...n {
                let hash = AuditEvent.chainHash(previous: previous, id: id, occurredAt: "t\(id)", actor: "a", action: "x", target: "t",
                                                organisation: "o", metadata: ["n": "\(id)"])
                rows.append(AuditEvent(id: id, occurredAt: "t\(id)", actor: "a", action: "x", target: "t", organisation: "o",
                                       metadata: ["n": "\(id)"], previousHash: previous, hash: hash))
                previous = hash
            }
            return rows
        }
        #expect(AuditVerification.verify(chain(5)).firstBroken == nil)
        var edited = chain(5)
        edited[2].metadata["n"] = "99"
        #expect(AuditVerification.verify(edited).firstBroken?.id == 3)
        var deleted = chain(5)
        deleted.remove(at: 1)
        #expect(AuditVerification.verify(deleted).firstBroken?.id == 3)
        var rehashed = chain(5)
        rehashed[1].actor = "mallory"
        rehashed[1].hash = rehashed[1].recomputedHash  // a forger recomputes one row: the next link breaks
        #expect(AuditVerification.verify(rehashed).firstBroken?.id == 3)
    }

    @Test("a redelivered webhook is recognised")
    func deliveries() async throws {
        try await withStore { store, _ in
            func delivery(_ id: String) -> WebhookDelivery {
                WebhookDelivery(deliveryID: id, forge: "github", event: "pull_request", job: nil, installation: nil,
                                audit: AuditEntry(actor: "github", action: "webhook.pull_request", target: "t", organisation: nil))
            }
            let first = try await store.recordDelivery(delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958")) == .new
            let again = try await store.recordDelivery(delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958")) == .new
            let other = try await store.recordDelivery(delivery("other")) == .new
            #expect(first && !again && other)
        }
    }

    @Test("reopening the file keeps data and does not re-run migrations")
    func reopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
        try await store.close()
        let again = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        let count = try await again.auditEvents().count
        #expect(count == 1)
        try await again.audit(actor: "b", action: "y", target: "t", organisation: nil)
        let verification = try await again.verifyAuditChain()
        #expect(verification.firstBroken == nil)
        try await again.close()
    }
}

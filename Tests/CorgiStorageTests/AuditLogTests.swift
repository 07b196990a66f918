import CorgiPostgres
import CorgiReview
import CorgiStorage
import Foundation
import Logging
import Testing

@Suite("Audit log, on every engine", .timeLimit(.minutes(2)))
struct AuditLogTests {
    @Test("events chain by hash and verify", arguments: Backend.available)
    func chain(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let first = try await store.audit(actor: "webhook", action: "webhook.accepted", target: "octo/repo#1", organisation: "octo",
                                              metadata: ["delivery": "d1", "sha": "abc"])
            let second = try await store.audit(actor: "worker", action: "scan.completed", target: "octo/repo#1", organisation: nil,
                                               metadata: ["findings": "3", "path": "a/b \"c\""])
            #expect(first.id == 1 && second.id == 2)
            #expect(first.previousHash == AuditEvent.genesisHash)
            #expect(second.previousHash == first.hash)
            let events = try await store.auditEvents()
            #expect(events == [first, second])
            let verification = try await store.verifyAuditChain()
            #expect(verification.rows == 2)
            #expect(verification.firstBroken == nil)
        }
    }

    @Test("UPDATE, DELETE and TRUNCATE of audit_events are refused by the database", arguments: Backend.available)
    func appendOnly(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
            switch backend {
            case .sqlite:
                // Triggers (SQLite has no TRUNCATE; DELETE without WHERE is its equivalent).
                await #expect(throws: (any Error).self) { try await store.execute("UPDATE audit_events SET actor = 'mallory'") }
                await #expect(throws: (any Error).self) { try await store.execute("DELETE FROM audit_events") }
                await #expect(throws: (any Error).self) { try await store.execute("DELETE FROM audit_events WHERE id = 1") }
            case .postgres:
                // The application role has no such privilege: 42501 insufficient_privilege.
                for statement in ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events", "TRUNCATE audit_events"] {
                    let refused = await expectServerError { try await store.execute(statement) }
                    #expect(refused.state == "42501", "\(statement): \(refused.message ?? "-")")
                }
            }
            let events = try await store.auditEvents()
            #expect(events.map(\.actor) == ["a"])
        }
    }

    @Test("concurrent appends leave one contiguous chain", arguments: Backend.available)
    func concurrentAppends(_ backend: Backend) async throws {
        switch backend {
        case .sqlite:
            // One store, many tasks: the actor's lock serialises them.
            try await withStore(.sqlite) { store in
                try await appendConcurrently(stores: [store], perStore: 200)
            }
        case .postgres:
            // Four stores (four pools, as four processes would have) × 50 appends at once.
            try await PostgresTestDatabase.with { database in
                try await withStores(4, of: database) { stores in
                    try await appendConcurrently(stores: stores, perStore: 50)
                }
            }
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
        #expect(AuditVerification.verify(deleted).firstBroken?.id == 2)  // the missing position itself
        var rehashed = chain(5)
        rehashed[1].actor = "mallory"
        rehashed[1].hash = rehashed[1].recomputedHash  // a forger recomputes one row: the next link breaks
        #expect(AuditVerification.verify(rehashed).firstBroken?.id == 3)
    }

    @Test("SQLite: reopening the file keeps data and does not re-run migrations")
    func reopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteStore.open(path: path, logger: testLogger)
        try await store.audit(actor: "a", action: "x", target: "t", organisation: nil)
        try await store.close()
        let again = try await SQLiteStore.open(path: path, logger: testLogger)
        let count = try await again.auditEvents().count
        #expect(count == 1)
        try await again.audit(actor: "b", action: "y", target: "t", organisation: nil)
        let verification = try await again.verifyAuditChain()
        #expect(verification.firstBroken == nil)
        try await again.close()
    }
}

/// `perStore` appends from each store, all at once; then the chain must hold every one of them
/// exactly once, numbered 1…n without a gap, and verify.
private func appendConcurrently(stores: [any ContractStore], perStore: Int) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (s, store) in stores.enumerated() {
            for i in 0..<perStore {
                group.addTask {
                    try await store.audit(actor: "worker-\(s)", action: "scan.recorded", target: "octo/repo#\(i)", organisation: "octo",
                                          metadata: ["store": "\(s)", "n": "\(i)"])
                }
            }
        }
        try await group.waitForAll()
    }
    let events = try await stores[0].auditEvents()
    let total = stores.count * perStore
    #expect(events.count == total)
    #expect(events.map(\.id) == Array(1...total))
    #expect(events.map(\.occurredAt) == events.map(\.occurredAt).sorted())  // time never goes backwards along the chain
    #expect(Set(events.map { "\($0.metadata["store"] ?? "?")/\($0.metadata["n"] ?? "?")" }).count == total)
    let verification = AuditVerification.verify(events)
    #expect(verification.firstBroken == nil, "\(verification.firstBroken.map { "row \($0.id): \($0.reason)" } ?? "")")
}

/// `n` stores on one database, each with its own connection pool.
func withStores(_ n: Int, of database: PostgresTestDatabase, _ opened: [PostgresStore] = [],
                _ body: ([PostgresStore]) async throws -> Void) async throws {
    if opened.count == n {
        try await body(opened)
    } else {
        try await database.withStore { store in try await withStores(n, of: database, opened + [store], body) }
    }
}

import CorgiPostgres
import CorgiReview
import CorgiStorage
import Foundation
import Logging
import PostgresNIO
import Testing

/// The audit log's promise (docs/security.md §1): whoever can write the database but not read the
/// audit key cannot change its history unseen. Each case is an attack by someone with the
/// database — the SQLite file with its triggers dropped, or PostgreSQL's owner role with the
/// triggers disabled — and `verify` must name the first position that is no longer the original.
@Suite("Audit log tampering, on every engine", .timeLimit(.minutes(3)))
struct AuditTamperingTests {
    /// What the attacker does to a log of six events (ids 1…6), and the first position verify must report.
    enum Attack: String, CaseIterable, CustomTestStringConvertible {
        case editRow, deleteFirst, deleteMiddle, deleteLast, deleteLastThree, deleteAll, swapRows
        case forgedInsertWithTriggers, forgedInsertWithoutTriggers, replaceLastRecomputed, rewriteFromRowThree
        case editAfterNUL

        var testDescription: String { rawValue }

        var firstBad: Int {
            switch self {
            case .editRow, .deleteMiddle, .rewriteFromRowThree: 3
            case .deleteFirst, .deleteAll: 1
            case .deleteLast, .replaceLastRecomputed: 6
            case .deleteLastThree: 4
            case .swapRows: 2
            case .forgedInsertWithTriggers, .forgedInsertWithoutTriggers: 7
            case .editAfterNUL: 5
            }
        }
    }

    static let key = try! AuditKey(Array(repeating: 0x5A, count: 32))
    /// A forger's own key: stands for every hash a forger can recompute without ours.
    static let forgersKey = try! AuditKey(Array(repeating: 0x17, count: 32))
    static let nulTarget = "octo/re\u{0}po#7"

    static var cases: [(Backend, Attack)] { Backend.available.flatMap { backend in Attack.allCases.map { (backend, $0) } } }

    @Test("verify reports the first tampered position", arguments: cases)
    func tampered(_ backend: Backend, _ attack: Attack) async throws {
        try await withSealedLog(backend) { log in
            let before = try await log.verify()
            #expect(before.firstBroken == nil, "\(before.firstBroken.map { "\($0.id): \($0.reason)" } ?? "")")
            #expect(before.rows == 6)
            try await perform(attack, on: log)
            let after = try await log.verify()
            #expect(after.firstBroken?.id == attack.firstBad, "\(attack): \(after.firstBroken.map { "\($0.id): \($0.reason)" } ?? "reported intact")")
        }
    }

    @Test("a NUL and any other byte in a sealed field round-trip exactly and verify", arguments: Backend.available)
    func everyByteRoundTrips(_ backend: Backend) async throws {
        try await withSealedLog(backend) { log in
            let odd = "a\u{0}b\u{1}\u{7F}\u{FFFF}b64:x é 🐶 \\ ' \" %"
            try await log.store.audit(actor: odd, action: "x\u{0}", target: "\u{FFFF}b64:bWFya2Vy",
                                      organisation: "\u{0}", metadata: ["k\u{0}": "v\u{0}"])
            await log.checkpoint()
            let events = try await log.store.auditEvents()
            #expect(events[1].target == Self.nulTarget)
            #expect(events.last?.actor == odd)
            #expect(events.last?.action == "x\u{0}")
            #expect(events.last?.target == "\u{FFFF}b64:bWFya2Vy")
            #expect(events.last?.organisation == "\u{0}")
            #expect(events.last?.metadata == ["k\u{0}": "v\u{0}"])
            let verification = try await log.verify()
            #expect(verification.firstBroken == nil, "\(verification.firstBroken.map { "\($0.id): \($0.reason)" } ?? "")")
            #expect(verification.rows == 7)
        }
    }

    @Test("REPLACE, upserts and out-of-sequence inserts are refused by the database", arguments: Backend.available)
    func outOfSequenceRefused(_ backend: Backend) async throws {
        try await withSealedLog(backend) { log in
            let events = try await log.store.auditEvents()
            let head = events[5]
            let refused: [String] = [
                // REPLACE of the last row with a recomputed hash: REPLACE deletes without the DELETE trigger.
                backend == .sqlite
                    ? Self.insert(id: 6, previous: events[4].hash, verb: "INSERT OR REPLACE")
                    : Self.insert(id: 6, previous: events[4].hash) + " ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, hash = excluded.hash",
                Self.insert(id: 6, previous: events[4].hash) + " ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
                Self.insert(id: 9, previous: head.hash),  // a gap
                Self.insert(id: 7, previous: events[4].hash),  // linked to a row that is not the head
                Self.insert(id: 0, previous: AuditEvent.genesisHash),
            ]
            for statement in refused {
                await #expect(throws: (any Error).self, "\(statement)") { try await log.store.execute(statement) }
            }
            let after = try await log.store.auditEvents()
            #expect(after == events)
        }
    }

    @Test("a checkpoint signed with another key, or removed, is reported", arguments: Backend.available)
    func anchorTampered(_ backend: Backend) async throws {
        try await withSealedLog(backend) { log in
            let kept = try #require(try await log.anchor.latest())
            try await log.anchor.record(AuditCheckpoint.signed(count: 3, head: kept.head, sealedFrom: kept.sealedFrom, key: Self.forgersKey))
            #expect(try await log.verify().firstBroken?.reason.contains("not signed with this audit key") == true)
            try FileManager.default.removeItem(atPath: log.anchor.path)
            #expect(try await log.verify().firstBroken?.reason.contains("no checkpoint") == true)
        }
    }

    @Test("without the key, verify still sees edits and says what it cannot see", arguments: Backend.available)
    func withoutKey(_ backend: Backend) async throws {
        try await withSealedLog(backend) { log in
            let plain = try await log.store.verifyAuditChain()
            #expect(plain.firstBroken == nil)
            #expect(plain.limitations.contains { $0.contains("cannot be detected") })
            try await log.attacker([Self.update("actor = 'mallory'", id: 2)])
            #expect(try await log.store.verifyAuditChain().firstBroken?.id == 2)
        }
    }

    // MARK: Attacks

    func perform(_ attack: Attack, on log: SealedLog) async throws {
        let events = try await log.store.auditEvents()
        switch attack {
        case .editRow:
            try await log.attacker([Self.update("metadata = '{\"findings\":\"0\"}'", id: 3)])
        case .deleteFirst:
            try await log.attacker(["DELETE FROM audit_events WHERE id = 1"])
        case .deleteMiddle:
            try await log.attacker(["DELETE FROM audit_events WHERE id = 3"])
        case .deleteLast:
            try await log.attacker(["DELETE FROM audit_events WHERE id = 6"])
        case .deleteLastThree:
            try await log.attacker(["DELETE FROM audit_events WHERE id >= 4"])
        case .deleteAll:
            try await log.attacker(["DELETE FROM audit_events"])
        case .swapRows:
            try await log.attacker([
                "UPDATE audit_events SET id = 1000 WHERE id = 2", "UPDATE audit_events SET id = 2 WHERE id = 3",
                "UPDATE audit_events SET id = 3 WHERE id = 1000",
            ])
        case .forgedInsertWithTriggers:
            // Chained to the head, so the in-sequence trigger lets it through: only the seal tells.
            try await log.store.execute(Self.insert(id: 7, previous: events[5].hash))
        case .forgedInsertWithoutTriggers:
            try await log.attacker([Self.insert(id: 7, previous: events[5].hash)])
        case .replaceLastRecomputed:
            try await log.attacker(["DELETE FROM audit_events WHERE id = 6", Self.insert(id: 6, previous: events[4].hash)])
        case .rewriteFromRowThree:
            // Row 3 edited, and rows 3…6 re-hashed so every link and digest holds again.
            var statements = ["DELETE FROM audit_events WHERE id >= 3"]
            var previous = events[1].hash
            for event in events[2...] {
                let actor = event.id == 3 ? "mallory" : event.actor
                statements.append(Self.insert(id: event.id, previous: previous, actor: actor, target: event.target))
                previous = Self.forgedHash(id: event.id, previous: previous, actor: actor, target: event.target)
            }
            try await log.attacker(statements)
        case .editAfterNUL:
            // Row 2 holds a NUL: it must verify, and an edit of row 5 must still be seen at 5.
            try await log.attacker([Self.update("actor = 'mallory'", id: 5)])
        }
    }

    static func update(_ assignment: String, id: Int) -> String { "UPDATE audit_events SET \(assignment) WHERE id = \(id)" }

    static func forgedHash(id: Int, previous: String, actor: String = "mallory", target: String = "octo/repo#1") -> String {
        AuditEvent.sealedHash(key: forgersKey, previous: previous, id: id, occurredAt: "2026-12-06T00:00:00.000Z", actor: actor,
                              action: "scan.recorded", target: target, organisation: "octo", metadata: [:])
    }

    /// A row as a forger writes it: every field and the digest right, the seal from another key.
    static func insert(id: Int, previous: String, actor: String = "mallory", target: String = "octo/repo#1", verb: String = "INSERT") -> String {
        let hash = forgedHash(id: id, previous: previous, actor: actor, target: target)
        func quoted(_ s: String) -> String { "'" + AuditEvent.storageForm(s).replacingOccurrences(of: "'", with: "''") + "'" }
        return "\(verb) INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash) VALUES "
            + "(\(id), '2026-12-06T00:00:00.000Z', \(quoted(actor)), 'scan.recorded', \(quoted(target)), 'octo', '{}', '\(previous)', '\(hash)')"
    }
}

/// A store sealing with `AuditTamperingTests.key`, six events appended (row 2 with a NUL in its
/// target), checkpointed to a file anchor; and the attacker's access to the same database.
struct SealedLog: Sendable {
    let store: any ContractStore
    let anchor: FileAuditAnchor
    /// Runs statements with the append-only triggers out of the way (SQLite: dropped from the file;
    /// PostgreSQL: disabled by the owner role).
    let attacker: @Sendable ([String]) async throws -> Void

    func verify() async throws -> AuditVerification {
        try await store.verifyAuditChain(key: AuditTamperingTests.key, anchor: anchor)
    }

    /// The distributed processes checkpoint periodically; the embedded store after every commit.
    func checkpoint() async {
        _ = try? await AuditCheckpointer(log: store, anchor: anchor, key: AuditTamperingTests.key).checkpoint()
    }
}

func withSealedLog(_ backend: Backend, _ body: (SealedLog) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let anchor = FileAuditAnchor(path: directory.appendingPathComponent("anchor").path)

    func fill(_ log: SealedLog) async throws {
        for i in 1...6 {
            try await log.store.audit(actor: "worker", action: "scan.recorded", target: i == 2 ? AuditTamperingTests.nulTarget : "octo/repo#\(i)",
                                      organisation: "octo", metadata: ["findings": "\(i)"])
        }
        await log.checkpoint()
        try await body(log)
    }

    switch backend {
    case .sqlite:
        let path = directory.appendingPathComponent("corgi.sqlite").path
        let store = try await SQLiteStore.open(path: path, logger: testLogger, auditKey: AuditTamperingTests.key, auditAnchor: anchor)
        let log = SealedLog(store: store, anchor: anchor) { statements in
            for trigger in ["audit_events_no_update", "audit_events_no_delete", "audit_events_in_sequence"] {
                try await store.execute("DROP TRIGGER IF EXISTS \(trigger)")
            }
            for statement in statements { try await store.execute(statement) }
        }
        do { try await fill(log) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    case .postgres:
        try await PostgresTestDatabase.with { database in
            try await PostgresStore.withStore(configuration: database.appConfiguration, logger: testLogger,
                                              auditKey: AuditTamperingTests.key) { store in
                let log = SealedLog(store: store, anchor: anchor) { statements in
                    try await database.withOwner { owner in
                        try await owner.withConnection { connection in
                            try await connection.query("ALTER TABLE audit_events DISABLE TRIGGER USER", logger: testLogger)
                            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: testLogger) }
                        }
                    }
                }
                try await fill(log)
            }
        }
    }
}

import CorgiAccess
import CorgiCore
import CorgiReview
import CorgiService
import CorgiStorage
import Foundation
import Logging
import Testing

/// The sweeper every process runs: besides expired diffs, it forgets revocations of sessions that
/// have expired, and keeps those that still matter.
@Suite("Retention sweeper")
struct RetentionSweeperTests {
    /// No diffs: this suite is about what the sweeper does beside them.
    struct NoObjects: ObjectStore {
        func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws {}
        func get(_ key: String) async throws -> [UInt8]? { nil }
        func delete(_ key: String) async throws {}
        func sweep(now: Date) async throws -> [String] { [] }
    }

    /// A fresh SQLite store and a sweeper over it (and no diffs); the file is removed afterwards.
    static func withSweeper(_ body: (SQLiteStore, RetentionSweeper) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-sweep-\(UUID().uuidString).sqlite").path
        var logger = Logger(label: "sweep-test")
        logger.logLevel = .warning
        let store = try await SQLiteStore.open(path: path, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sweeper = RetentionSweeper(store: store, sessions: store, objects: NoObjects(), interval: 3600, metrics: ServiceMetrics(), logger: logger)
        do { try await body(store, sweeper) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// Objects by key, and what was deleted.
    actor RecordingObjects: ObjectStore {
        var objects: [String: [UInt8]] = [:]
        var deleted: [String] = []
        func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws { objects[key] = bytes }
        func get(_ key: String) async throws -> [UInt8]? { objects[key] }
        func delete(_ key: String) async throws {
            objects[key] = nil
            deleted.append(key)
        }
        func sweep(now: Date) async throws -> [String] { [] }
    }

    @Test("an account that removed the App 30 days ago is deleted by a pass: rows, diff object and diff row, with a tombstone")
    func deletesUninstalledOrganisations() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-sweep-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "sweep-test"))
        let objects = RecordingObjects()
        let sweeper = RetentionSweeper(store: store, sessions: store, objects: objects, interval: 3600, metrics: ServiceMetrics(),
                                       logger: Logger(label: "sweep-test"))
        for (id, kind) in [("i-1", InstallationChange.Kind.installed), ("i-2", .uninstalled)] {
            _ = try await store.recordDelivery(WebhookDelivery(
                deliveryID: id, forge: "github", event: "installation", job: nil,
                installation: InstallationChange(kind: kind, installationID: 5, account: "acme", repositories: ["acme/api"]),
                audit: AuditEntry(actor: "github", action: "installation", target: "installation 5", organisation: "acme", metadata: ["forge": "github"])))
        }
        let job = ScanJob(forge: "github", installationID: 5, repositoryID: 50, organisation: "acme", repository: "acme/api", number: 1,
                          headSHA: "sha1", baseSHA: "base", deliveryID: "d1", trigger: "pull_request.opened")
        let scan = try await store.beginScan(ClaimedJob(id: 1, job: job, attempt: 1, leaseOwner: "test"))
        let key = "diffs/github/5/50/1/sha1-\(scan.scanID)"
        try await objects.put(key, [1, 2, 3], expiresAt: Date().addingTimeInterval(90 * 86_400))
        try await store.recordScanResult(scanID: scan.scanID, findings: [], conclusion: "success", coverage: nil,
                                         diff: (objectKey: key, bytes: 3, expiresAt: Date().addingTimeInterval(90 * 86_400)), audit: ["forge": "github"])
        // Within the grace period nothing happens.
        _ = try await sweeper.sweepOnce(now: Date().addingTimeInterval(29 * 86_400))
        #expect(try await store.count("pull_requests") == 1)
        #expect(await objects.deleted.isEmpty)
        // After it, one pass deletes the rows, the object and then the diff's row.
        _ = try await sweeper.sweepOnce(now: Date().addingTimeInterval(31 * 86_400))
        for table in ["pull_requests", "scans", "organisations", "repositories", "diffs"] {
            #expect(try await store.count(table) == 0, "\(table)")
        }
        #expect(await objects.deleted == [key])
        let tombstone = try #require(try await store.auditEvents().first { $0.action == "organisation.deleted" })
        #expect(tombstone.actor == "sweeper" && tombstone.organisation == "acme" && tombstone.metadata["reviews"] == "1")
        #expect(try await store.verifyAuditChain().firstBroken == nil)
        try await store.close()
    }

    @Test("a pass forgets revocations of expired sessions and keeps those of live ones")
    func prunesExpiredRevocations() async throws {
        try await Self.withSweeper { store, sweeper in
            let audit = AuditEntry(actor: "user:github/acme/alice", action: "sign_out", target: "session", organisation: "acme")
            try await store.revokeSession(id: "expired", of: OrganisationRef(forge: "github", login: "acme"), expiresAt: Date().addingTimeInterval(-1), audit: audit)
            try await store.revokeSession(id: "live", of: OrganisationRef(forge: "github", login: "acme"), expiresAt: Date().addingTimeInterval(3600), audit: audit)
            _ = try await sweeper.sweepOnce(now: Date())
            #expect(try await store.isSessionRevoked(id: "expired", of: OrganisationRef(forge: "github", login: "acme")) == false)
            #expect(try await store.isSessionRevoked(id: "live", of: OrganisationRef(forge: "github", login: "acme")))
        }
    }

    @Test("a pass reopens a finding whose dismissal ran out, and leaves one dismissed for good")
    func reopensExpiredDismissals() async throws {
        try await Self.withSweeper { store, sweeper in
            let job = ScanJob(forge: "github", installationID: 1, repositoryID: 11, organisation: "acme", repository: "acme/api", number: 1,
                              headSHA: "sha1", baseSHA: "base", deliveryID: "d1", trigger: "pull_request.opened")
            let scan = try await store.beginScan(ClaimedJob(id: 1, job: job, attempt: 1, leaseOwner: "test"))
            let found = ["expiring", "forever"].enumerated().map { index, rule in
                Finding(ruleID: rule, title: rule, kind: .code, severity: .high, confidence: .high, cwe: nil, owasp: nil, path: "App.swift",
                        line: index + 1, column: 1, endLine: index + 1, message: rule, fingerprint: "fp-\(rule)", redacted: nil)
            }
            try await store.recordScanResult(scanID: scan.scanID, findings: found, conclusion: "failure", coverage: nil, diff: nil,
                                             audit: ["forge": "github"])
            let acme = OrganisationRef(forge: "github", login: "acme")
            for (rule, until) in [("expiring", Date().addingTimeInterval(-1)), ("forever", nil)] {
                let id = try #require(try await store.findings(FindingQuery(organisation: acme, rule: rule)).first?.id)
                _ = try await store.dismissFinding(
                    FindingDismissal(findingID: id, organisation: acme, reason: .wontFix, comment: nil, author: "api-key:1", until: until),
                    audit: AuditEntry(actor: "api-key:1", action: "finding.dismissed", target: "finding:\(id)", organisation: "acme",
                                      metadata: ["forge": "github"]))
            }
            _ = try await sweeper.sweepOnce(now: Date())
            #expect(try await store.findings(FindingQuery(organisation: acme, state: .open)).map(\.ruleID) == ["expiring"])
            #expect(try await store.findings(FindingQuery(organisation: acme, state: .dismissed)).map(\.ruleID) == ["forever"])
        }
    }
}

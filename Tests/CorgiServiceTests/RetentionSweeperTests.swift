import CorgiAccess
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

    @Test("a pass forgets revocations of expired sessions and keeps those of live ones")
    func prunesExpiredRevocations() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-sweep-\(UUID().uuidString).sqlite").path
        var logger = Logger(label: "sweep-test")
        logger.logLevel = .warning
        let store = try await SQLiteStore.open(path: path, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let audit = AuditEntry(actor: "user:github/acme/alice", action: "sign_out", target: "session", organisation: "acme")
        try await store.revokeSession(id: "expired", expiresAt: Date().addingTimeInterval(-1), audit: audit)
        try await store.revokeSession(id: "live", expiresAt: Date().addingTimeInterval(3600), audit: audit)
        let sweeper = RetentionSweeper(store: store, sessions: store, objects: NoObjects(), interval: 3600, metrics: ServiceMetrics(),
                                       logger: logger)
        _ = try await sweeper.sweepOnce(now: Date())
        #expect(try await store.isSessionRevoked(id: "expired") == false)
        #expect(try await store.isSessionRevoked(id: "live"))
        try await store.close()
    }
}

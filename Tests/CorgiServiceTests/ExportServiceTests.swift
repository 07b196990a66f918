@testable import CorgiService
import CorgiAccess
import CorgiReview
import CorgiStorage
import Foundation
import Logging
import Testing

/// The exporter in process, on a real SQLite store: it claims a requested export, stores the
/// archive with its digest, and fails an export whose archive is over the limit, with the reason
/// in the audit row and no archive kept.
@Suite("Export service")
struct ExportServiceTests {
    static let acme = OrganisationRef(forge: "github", login: "acme")

    static func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-export-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var logger = Logger(label: "export-test")
        logger.logLevel = .warning
        let store = try await SQLiteStore.open(path: path, logger: logger)
        do { try await body(store) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    static func request(_ store: SQLiteStore) async throws -> OrganisationExport {
        try await store.requestExport(of: acme, requestedBy: "api-key:1", audit: AuditEntry(
            actor: "api-key:1", action: "organisation.export_requested", target: "organisation", organisation: "acme", metadata: ["forge": "github"]))
    }

    @Test("a requested export is built once: the archive's digest is stored, the build audited; nothing waits after")
    func builds() async throws {
        try await Self.withStore { store in
            let requested = try await Self.request(store)
            let service = ExportService(store: store, interval: .seconds(1), logger: Logger(label: "export-test"))
            #expect(try await service.exportOne(now: Date()))
            #expect(try await service.exportOne(now: Date()) == false, "nothing else waits")
            let ready = try #require(try await store.export(id: requested.id, of: Self.acme))
            #expect(ready.state == .ready)
            let archive = try #require(try await store.exportArchive(id: requested.id, of: Self.acme, audit: AuditEntry(
                actor: "api-key:1", action: "organisation.export_downloaded", target: "export", organisation: "acme")))
            #expect(ready.sha256 == OrganisationExport.digest(archive) && ready.bytes == archive.count)
            #expect(Array(archive[257..<262]) == Array("ustar".utf8))
            let built = try #require(try await store.auditEvents().first { $0.action == "organisation.exported" })
            #expect(built.actor == "exporter" && built.metadata["sha256"] == ready.sha256 && built.metadata["forge"] == "github")
        }
    }

    @Test("an archive over the limit fails the export with the reason; no archive is kept")
    func tooLarge() async throws {
        try await Self.withStore { store in
            let requested = try await Self.request(store)
            var service = ExportService(store: store, interval: .seconds(1), logger: Logger(label: "export-test"))
            service.maximumBytes = 1024
            #expect(try await service.exportOne(now: Date()))
            #expect(try await store.export(id: requested.id, of: Self.acme)?.state == .failed)
            #expect(try await store.count("exports", where: "archive IS NOT NULL") == 0)
            let failed = try #require(try await store.auditEvents().first { $0.action == "organisation.export_failed" })
            #expect(failed.metadata["error"]?.contains("more than the 1024") == true)
        }
    }
}

import CorgiAccess
import CorgiReview
import Foundation
import Logging
import ServiceLifecycle

/// Builds requested exports in the background, one at a time, in every process that serves the
/// API (`corgi serve`, `corgi gateway`): it claims a pending export (or one whose exporter died),
/// writes its archive and records the outcome, audited. The request survives a restart: it is a
/// row, not a task.
struct ExportService: Service, CustomStringConvertible {
    var description: String { "ExportService(every \(interval))" }

    let store: any AccessStore & AccessMaintenance
    /// The region of `store` (each region's exporter builds its own organisations' archives).
    var region: Region = .default
    let interval: Duration
    let logger: Logger
    /// The largest archive stored (the database keeps it until it expires); a larger one fails
    /// the export with that reason rather than growing the database without bound.
    var maximumBytes = 256 << 20

    func run() async throws {
        try await repeatUntilShutdown(every: interval) {
            do {
                while try await exportOne(now: Date()) {}
            } catch {
                // The claimed export stays `running` and is claimed again once stale.
                logger.warning("export failed; retried later", metadata: ["error": "\(type(of: error))"])
            }
        }
    }

    /// Claims and builds one export; false when none was waiting.
    func exportOne(now: Date) async throws -> Bool {
        guard let export = try await store.claimExport(staleBefore: now.addingTimeInterval(-OrganisationExport.staleAfter)) else { return false }
        let organisation = export.organisation
        var metadata = ["forge": organisation.forge, "export_id": "\(export.id)"]
        var archive: [UInt8]?
        do {
            let built = try await OrganisationArchiver(store: store, region: region).archive(export, now: now)
            if built.count > maximumBytes {
                metadata["error"] = "the archive has \(built.count) bytes, more than the \(maximumBytes) an export may hold"
            } else {
                archive = built
                metadata["bytes"] = "\(built.count)"
                metadata["sha256"] = OrganisationExport.digest(built)
            }
        } catch {
            metadata["error"] = "\(type(of: error))"
        }
        try await store.finishExport(
            id: export.id, archive: archive, expiresAt: now.addingTimeInterval(OrganisationExport.retention),
            audit: AuditEntry(actor: "exporter", action: archive == nil ? "organisation.export_failed" : "organisation.exported",
                              target: "export:\(export.id)", organisation: organisation.login, metadata: metadata))
        logger.info("export finished", metadata: ["export_id": "\(export.id)", "state": "\(archive == nil ? "failed" : "ready")"])
        return true
    }
}

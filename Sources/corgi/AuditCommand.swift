import ArgumentParser
import CorgiService
import CorgiReview
import CorgiStorage
import Foundation
import Logging

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Inspect the append-only audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the audit log's hash chain and report the first broken link (exit 1).")

        @Option(help: "The SQLite database of corgi serve, alone: links and hashes only; events deleted from the end cannot be detected.")
        var database: String?

        @Option(help: "The settings of corgi serve or of the distributed mode: verifies with the audit key against the checkpoint kept outside the database.")
        var config: String?

        func validate() throws {
            guard (database == nil) != (config == nil) else { throw ValidationError("give exactly one of --database and --config") }
        }

        func run() async throws {
            let result: AuditVerification
            if let config {
                result = try await UsageError.reportingSettings { try await DistributedAudit.verify(settingsPath: config) }
            } else {
                result = try await verifySQLite(database ?? "")
            }
            if let broken = result.firstBroken {
                let position = broken.id == 0 ? "the checkpoint" : "event \(broken.id)"
                print("audit log BROKEN at \(position): \(broken.reason) (\(result.rows) events read)")
                throw ExitCode(1)
            }
            print("audit log intact: \(result.rows) events, every link verified")
            for limitation in result.limitations {
                print("note: \(limitation)\(config == nil ? " (use --config SETTINGS to check against the checkpoint)" : "")")
            }
        }

        func verifySQLite(_ database: String) async throws -> AuditVerification {
            guard FileManager.default.fileExists(atPath: database) else { throw UsageError("database not found: \(database)") }
            var logger = Logger(label: "corgi.audit")
            logger.logLevel = .warning
            let store: SQLiteStore
            // Read-only: inspection never creates, migrates or writes anything.
            do { store = try await SQLiteStore.openReadOnly(path: database, logger: logger) } catch {
                throw UsageError("cannot open \(database): \(error)")
            }
            let result = try await store.verifyAuditChain()
            try await store.close()
            return result
        }
    }
}

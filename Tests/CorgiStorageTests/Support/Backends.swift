import CorgiAccess
import CorgiCore
import CorgiPostgres
import CorgiReview
import CorgiStorage
import Foundation
import Logging
import Testing

/// The storage engines the contract suite runs on. PostgreSQL needs a server: `scripts/postgres`
/// starts one and prints the `CORGI_TEST_POSTGRES_*` variables. Without them its cases are left
/// out, unless `CORGI_REQUIRE_SERVERS=1`, when they run and fail saying what is missing.
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [Backend] { PostgresTestServer.wanted ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// What the contract tests need of a store: the three service protocols, plus inspection.
protocol ContractStore: ReviewStore, AuditLog, DeliveryStore, AccessStore, AccessMaintenance, RegionDirectory {
    func count(_ table: String, where condition: String) async throws -> Int
    /// Runs one statement as the store's own connection (the application role on PostgreSQL).
    func execute(_ sql: String) async throws
}

extension ContractStore {
    func count(_ table: String) async throws -> Int { try await count(table, where: "1 = 1") }
}

extension SQLiteStore: ContractStore {}
extension PostgresStore: ContractStore {}

/// One fresh, empty store of `backend` for `body`, removed afterwards.
func withStore(_ backend: Backend, _ body: (any ContractStore) async throws -> Void) async throws {
    switch backend {
    case .sqlite:
        try await withSQLiteStore { try await body($0) }
    case .postgres:
        try await PostgresTestDatabase.with { database in
            try await database.withStore { try await body($0) }
        }
    }
}

func withSQLiteStore(_ body: (SQLiteStore) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-\(UUID().uuidString).sqlite").path
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let store = try await SQLiteStore.open(path: path, logger: testLogger)
    do {
        try await body(store)
    } catch {
        try? await store.close()
        throw error
    }
    try await store.close()
}

let testLogger: Logger = {
    var logger = Logger(label: "corgi-storage-tests")
    logger.logLevel = .warning
    return logger
}()

// MARK: Fixtures

func scanJob(deliveryID: String, number: Int = 7, headSHA: String = "aaaa111", repository: String = "octo/widgets",
             installationID: Int = 42, repositoryID: Int = 4242) -> ScanJob {
    ScanJob(forge: "github", installationID: installationID, repositoryID: repositoryID, organisation: "octo", repository: repository,
            number: number, headSHA: headSHA, baseSHA: "base000", deliveryID: deliveryID, trigger: "pull_request.synchronize")
}

func pullRequest(_ number: Int, installationID: Int = 42, repositoryID: Int = 4242) -> PullRequestKey {
    PullRequestKey(forge: "github", installationID: installationID, repositoryID: repositoryID, number: number)
}

func claimed(_ job: ScanJob, id: Int, attempt: Int = 1) -> ClaimedJob {
    ClaimedJob(id: id, job: job, attempt: attempt, leaseOwner: "worker-1")
}

func finding(_ name: String, path: String = "Sources/App.swift", line: Int, severity: Severity = .high) -> Finding {
    Finding(ruleID: "rule.\(name)", title: "rule.\(name)", kind: .secret, severity: severity, cwe: "CWE-798", path: path, line: line,
            column: 5, message: "a \(name) secret", fingerprint: "fp-\(name)", redacted: "AKIA****")
}

func delivery(_ id: String, job: ScanJob? = nil, installation: InstallationChange? = nil, event: String = "pull_request") -> WebhookDelivery {
    WebhookDelivery(deliveryID: id, forge: "github", event: event, job: job, installation: installation,
                    audit: AuditEntry(actor: "github", action: "webhook.\(event)", target: "octo/widgets", organisation: "octo",
                                      metadata: ["delivery": id]))
}

func published(_ scanID: Int) -> AuditEntry {
    AuditEntry(actor: "worker", action: "review.published", target: "scan \(scanID)", organisation: "octo", metadata: ["conclusion": "success"])
}

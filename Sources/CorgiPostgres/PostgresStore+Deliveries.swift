public import CorgiReview
public import Foundation
import PostgresNIO

extension PostgresStore: DeliveryStore {
    /// The delivery row, any installation change and its audit event, in one transaction. A
    /// delivery with a job stays `awaitingQueue` (queued_at NULL) until `markDeliveryQueued`;
    /// one without a job is handled at once.
    public func recordDelivery(_ delivery: WebhookDelivery) async throws -> DeliveryState {
        let job = try delivery.job.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return try await transaction { connection in
            let fresh = try await connection.query(
                """
                INSERT INTO deliveries (delivery_id, forge, event, queued_at, job)
                VALUES (\(delivery.deliveryID), \(delivery.forge), \(delivery.event), CASE WHEN \(delivery.job == nil) THEN now() END,
                        \(job))
                ON CONFLICT (delivery_id) DO NOTHING
                RETURNING delivery_id
                """, logger: self.logger).collect()
            guard !fresh.isEmpty else {
                let queued = try await connection.query(
                    "SELECT queued_at IS NOT NULL FROM deliveries WHERE delivery_id = \(delivery.deliveryID)", logger: self.logger
                ).collect().first?.decode(Bool.self)
                return queued == true ? .handled : .awaitingQueue
            }
            if let installation = delivery.installation { try await self.track(installation, on: connection) }
            // Last: the audit lock is then held only to the commit, and never before a row lock.
            _ = try await self.appendAudit(delivery.audit, on: connection)
            return .new
        }
    }

    public func deliveriesAwaitingQueue(receivedBefore cutoff: Date, limit: Int) async throws -> [ScanJob] {
        try await rows(
            """
            SELECT job FROM deliveries
            WHERE queued_at IS NULL AND job IS NOT NULL AND received_at < to_timestamp(\(cutoff.timeIntervalSince1970))
            ORDER BY received_at LIMIT \(limit)
            """
        ).map { row in try JSONDecoder().decode(ScanJob.self, from: Data(try row.decode(String.self).utf8)) }
    }

    public func checkReachable() async throws {
        try await rows("SELECT 1")
    }

    public func markDeliveryQueued(_ deliveryID: String) async throws {
        try await rows("UPDATE deliveries SET queued_at = now() WHERE delivery_id = \(deliveryID) AND queued_at IS NULL")
    }
}

extension PostgresStore {
    /// Keeps `organisations` and `repositories` in step with the app's installations (as
    /// SQLiteStore does), race-free between processes through the unique keys.
    func track(_ change: InstallationChange, on connection: PostgresConnection) async throws {
        let installationID = change.installationID
        let login = change.account ?? "installation-\(change.installationID)"
        switch change.kind {
        case .installed:
            try await connection.query(
                """
                INSERT INTO organisations (login, installation_id) VALUES (\(login), \(installationID))
                ON CONFLICT (installation_id) DO UPDATE SET login = excluded.login, removed_at = NULL
                """, logger: logger)
            try await setRepositories(change, active: true, on: connection)
        case .uninstalled:
            try await connection.query("UPDATE organisations SET removed_at = now() WHERE installation_id = \(installationID)", logger: logger)
            try await connection.query(
                """
                UPDATE repositories SET active = false
                WHERE organisation_id = (SELECT id FROM organisations WHERE installation_id = \(installationID))
                """, logger: logger)
        case .repositoriesAdded:
            try await setRepositories(change, active: true, on: connection)
        case .repositoriesRemoved:
            try await setRepositories(change, active: false, on: connection)
        }
    }

    private func setRepositories(_ change: InstallationChange, active: Bool, on connection: PostgresConnection) async throws {
        // Repositories of an installation we have not seen created (installed before us): the
        // organisation is created, named after the account.
        try await connection.query(
            """
            INSERT INTO organisations (login, installation_id)
            VALUES (\(change.account ?? "installation-\(change.installationID)"), \(change.installationID))
            ON CONFLICT (installation_id) DO NOTHING
            """, logger: logger)
        let organisation = try await connection.query(
            "SELECT id FROM organisations WHERE installation_id = \(change.installationID)", logger: logger).collect()
        guard let orgID = try organisation.first?.decode(Int.self) else { return }
        for name in change.repositories {
            try await connection.query(
                """
                INSERT INTO repositories (organisation_id, full_name, active) VALUES (\(orgID), \(name), \(active))
                ON CONFLICT (organisation_id, full_name) DO UPDATE SET active = excluded.active
                """, logger: logger)
        }
    }
}

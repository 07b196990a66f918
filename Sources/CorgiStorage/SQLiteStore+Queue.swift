public import CorgiReview
public import Foundation
internal import SQLiteNIO

extension SQLiteStore: JobQueue {
    public func enqueue(_ job: ScanJob) async throws -> Bool {
        try await transaction { try await insertJob(job, now: Date()) }
    }

    func insertJob(_ job: ScanJob, now: Date) async throws -> Bool {
        let payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        let rows = try await connection.query(
            """
            INSERT INTO jobs (dedupe_key, payload, available_at, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(dedupe_key) DO NOTHING RETURNING id
            """,
            [.text(job.key), .text(payload), .float(now.timeIntervalSince1970), .text(Self.now())])
        if !rows.isEmpty { signalJobAvailable() }
        return !rows.isEmpty
    }

    /// Records the delivery, audits it and enqueues the job in one transaction: a crash can
    /// lose neither half, and a redelivery is recognised by its id.
    public func acceptWebhook(
        deliveryID: String, forge: String, event: String, job: ScanJob?, installation: InstallationChange? = nil,
        audit: (actor: String, action: String, target: String, organisation: String?, metadata: [String: String])
    ) async throws -> WebhookAcceptance {
        try await transaction {
            let now = Self.now()
            let fresh = try await connection.query(
                "INSERT INTO deliveries (delivery_id, forge, event, received_at, queued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(delivery_id) DO NOTHING RETURNING delivery_id",
                [.text(deliveryID), .text(forge), .text(event), .text(now), .text(now)])
            guard !fresh.isEmpty else { return .redelivery }
            _ = try await appendAudit(actor: audit.actor, action: audit.action, target: audit.target, organisation: audit.organisation, metadata: audit.metadata)
            if let installation { try await track(installation) }
            guard let job else { return .recorded }
            return try await insertJob(job, now: Date()) ? .enqueued : .redelivery
        }
    }

    public func claim(worker: String, lease: TimeInterval, now: Date) async throws -> ClaimedJob? {
        try await exclusive {
            let t = now.timeIntervalSince1970
            let rows = try await connection.query(
                """
                UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
                WHERE id = (SELECT id FROM jobs
                            WHERE (state = 'queued' AND available_at <= ?) OR (state = 'running' AND lease_expires_at <= ?)
                            ORDER BY available_at, id LIMIT 1)
                RETURNING id, payload, attempts
                """,
                [.text(worker), .float(t + lease), .float(t), .float(t)])
            guard let row = rows.first, let payload = row.column("payload")?.string else { return nil }
            let job = try JSONDecoder().decode(ScanJob.self, from: Data(payload.utf8))
            return ClaimedJob(id: Int(row.column("id")?.integer ?? 0), job: job, attempt: Int(row.column("attempts")?.integer ?? 1), leaseOwner: worker)
        }
    }

    public func heartbeat(_ job: ClaimedJob, lease: TimeInterval, now: Date) async throws {
        try await exclusive {
            _ = try await connection.query("UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
                                           [.float(now.timeIntervalSince1970 + lease), .integer(job.id), .text(job.leaseOwner)])
        }
    }

    public func complete(_ job: ClaimedJob) async throws {
        try await exclusive {
            _ = try await connection.query("UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ?",
                                           [.text(Self.now()), .integer(job.id), .text(job.leaseOwner)])
        }
    }

    public func retry(_ job: ClaimedJob, delay: TimeInterval, reason: String, maximumAttempts: Int, now: Date) async throws {
        try await exclusive {
            if job.attempt >= maximumAttempts {
                _ = try await connection.query(
                    "UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ?",
                    [.text(reason), .text(Self.now()), .integer(job.id), .text(job.leaseOwner)])
            } else {
                _ = try await connection.query(
                    "UPDATE jobs SET state = 'queued', last_error = ?, available_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ?",
                    [.text(reason), .float(now.timeIntervalSince1970 + delay), .integer(job.id), .text(job.leaseOwner)])
                signalJobAvailable()
            }
        }
    }

    public func counts() async throws -> [String: Int] {
        try await exclusive {
            var result: [String: Int] = ["queued": 0, "running": 0, "done": 0, "failed": 0]
            for row in try await connection.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
                result[row.column("state")?.string ?? "?"] = Int(row.column("n")?.integer ?? 0)
            }
            return result
        }
    }

    public func waitForWork(timeout: Duration) async {
        await jobSignal.wait(timeout: timeout)
    }

    /// The next time a queued job becomes available or a lease expires, if any.
    public func nextWakeUp() async throws -> Date? {
        try await exclusive {
            let rows = try await connection.query(
                "SELECT MIN(t) AS t FROM (SELECT MIN(available_at) AS t FROM jobs WHERE state = 'queued' UNION ALL SELECT MIN(lease_expires_at) FROM jobs WHERE state = 'running')", [])
            return rows.first?.column("t")?.double.map(Date.init(timeIntervalSince1970:))
        }
    }
}

extension SQLiteStore {
    /// Keeps `organisations` and `repositories` in step with the app's installations.
    func track(_ change: InstallationChange) async throws {
        let id = SQLiteData.integer(change.installationID)
        switch change.kind {
        case .installed:
            _ = try await connection.query(
                """
                INSERT INTO organisations (login, installation_id, created_at) VALUES (?, ?, ?)
                ON CONFLICT(installation_id) DO UPDATE SET login = excluded.login, removed_at = NULL
                """, [.text(change.account ?? "installation-\(change.installationID)"), id, .text(Self.now())])
            try await setRepositories(change, active: true)
        case .uninstalled:
            _ = try await connection.query("UPDATE organisations SET removed_at = ? WHERE installation_id = ?", [.text(Self.now()), id])
            _ = try await connection.query(
                "UPDATE repositories SET active = 0 WHERE organisation_id = (SELECT id FROM organisations WHERE installation_id = ?)", [id])
        case .repositoriesAdded:
            try await setRepositories(change, active: true)
        case .repositoriesRemoved:
            try await setRepositories(change, active: false)
        }
    }

    private func setRepositories(_ change: InstallationChange, active: Bool) async throws {
        let organisation = try await connection.query("SELECT id FROM organisations WHERE installation_id = ?", [.integer(change.installationID)])
        var orgID = organisation.first?.column("id")?.integer
        if orgID == nil {
            // Repositories of an installation we have not seen created (installed before us).
            let created = try await connection.query(
                "INSERT INTO organisations (login, installation_id, created_at) VALUES (?, ?, ?) RETURNING id",
                [.text(change.account ?? "installation-\(change.installationID)"), .integer(change.installationID), .text(Self.now())])
            orgID = created.first?.column("id")?.integer
        }
        guard let orgID else { return }
        for name in change.repositories {
            let updated = try await connection.query(
                "UPDATE repositories SET active = ? WHERE organisation_id = ? AND full_name = ? RETURNING id",
                [.integer(active ? 1 : 0), .integer(orgID), .text(name)])
            if updated.isEmpty {
                _ = try await connection.query("INSERT INTO repositories (organisation_id, full_name, active) VALUES (?, ?, ?)",
                                               [.integer(orgID), .text(name), .integer(active ? 1 : 0)])
            }
        }
    }
}

extension SQLiteStore: WebhookIntake {
    public func accept(_ delivery: WebhookDelivery) async throws -> WebhookAcceptance {
        try await acceptWebhook(
            deliveryID: delivery.deliveryID, forge: delivery.forge, event: delivery.event, job: delivery.job,
            installation: delivery.installation,
            audit: (delivery.audit.actor, delivery.audit.action, delivery.audit.target, delivery.audit.organisation, delivery.audit.metadata))
    }

    public func queueCounts() async throws -> [String: Int] { try await counts() }
}

extension SQLiteStore: DeliveryStore {
    public func recordDelivery(_ delivery: WebhookDelivery) async throws -> DeliveryState {
        try await transaction {
            let job = try delivery.job.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            let fresh = try await connection.query(
                "INSERT INTO deliveries (delivery_id, forge, event, received_at, queued_at, job) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(delivery_id) DO NOTHING RETURNING delivery_id",
                [.text(delivery.deliveryID), .text(delivery.forge), .text(delivery.event), .text(Self.now()),
                 job == nil ? .text(Self.now()) : .null, job.map { .text($0) } ?? .null])
            guard !fresh.isEmpty else {
                let row = try await connection.query("SELECT queued_at FROM deliveries WHERE delivery_id = ?", [.text(delivery.deliveryID)]).first
                return row?.column("queued_at")?.string == nil ? .awaitingQueue : .handled
            }
            let a = delivery.audit
            _ = try await appendAudit(actor: a.actor, action: a.action, target: a.target, organisation: a.organisation, metadata: a.metadata)
            if let installation = delivery.installation { try await track(installation) }
            return .new
        }
    }

    public func deliveriesAwaitingQueue(receivedBefore cutoff: Date, limit: Int) async throws -> [ScanJob] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await exclusive {
            try await connection.query(
                "SELECT job FROM deliveries WHERE queued_at IS NULL AND job IS NOT NULL AND received_at < ? ORDER BY received_at LIMIT ?",
                [.text(formatter.string(from: cutoff)), .integer(limit)]
            ).compactMap { row in
                try row.column("job")?.string.map { try JSONDecoder().decode(ScanJob.self, from: Data($0.utf8)) }
            }
        }
    }

    public func checkReachable() async throws {
        try await exclusive { _ = try await connection.query("SELECT 1", []) }
    }

    public func markDeliveryQueued(_ deliveryID: String) async throws {
        try await exclusive {
            _ = try await connection.query("UPDATE deliveries SET queued_at = ? WHERE delivery_id = ? AND queued_at IS NULL",
                                           [.text(Self.now()), .text(deliveryID)])
        }
    }
}

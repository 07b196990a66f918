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
            [.text("\(job.forge):\(job.deliveryID)"), .text(payload), .float(now.timeIntervalSince1970), .text(Self.now())])
        if !rows.isEmpty { signalJobAvailable() }
        return !rows.isEmpty
    }

    /// Records the delivery, audits it and enqueues the job in one transaction: a crash can
    /// lose neither half, and a redelivery is recognised by its id.
    public func acceptWebhook(
        deliveryID: String, forge: String, event: String, job: ScanJob?, audit: (actor: String, action: String, target: String, organisation: String?, metadata: [String: String])
    ) async throws -> WebhookAcceptance {
        try await transaction {
            let fresh = try await connection.query(
                "INSERT INTO deliveries (delivery_id, forge, event, received_at) VALUES (?, ?, ?, ?) ON CONFLICT(delivery_id) DO NOTHING RETURNING delivery_id",
                [.text(deliveryID), .text(forge), .text(event), .text(Self.now())])
            guard !fresh.isEmpty else { return .redelivery }
            _ = try await appendAudit(actor: audit.actor, action: audit.action, target: audit.target, organisation: audit.organisation, metadata: audit.metadata)
            guard let job else { return .recorded }
            return try await insertJob(job, now: Date()) ? .enqueued : .redelivery
        }
    }

    public func claim(worker: String, lease: TimeInterval, now: Date) async throws -> ClaimedJob? {
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

    public func heartbeat(_ job: ClaimedJob, lease: TimeInterval, now: Date) async throws {
        _ = try await connection.query("UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
                                       [.float(now.timeIntervalSince1970 + lease), .integer(job.id), .text(job.leaseOwner)])
    }

    public func complete(_ job: ClaimedJob) async throws {
        _ = try await connection.query("UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ?",
                                       [.text(Self.now()), .integer(job.id), .text(job.leaseOwner)])
    }

    public func retry(_ job: ClaimedJob, delay: TimeInterval, reason: String, maximumAttempts: Int, now: Date) async throws {
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

    public func counts() async throws -> [String: Int] {
        var result: [String: Int] = ["queued": 0, "running": 0, "done": 0, "failed": 0]
        for row in try await connection.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
            result[row.column("state")?.string ?? "?"] = Int(row.column("n")?.integer ?? 0)
        }
        return result
    }

    /// The next time a queued job becomes available or a lease expires, if any.
    public func nextWakeUp() async throws -> Date? {
        let rows = try await connection.query(
            "SELECT MIN(t) AS t FROM (SELECT MIN(available_at) AS t FROM jobs WHERE state = 'queued' UNION ALL SELECT MIN(lease_expires_at) FROM jobs WHERE state = 'running')", [])
        return rows.first?.column("t")?.double.map(Date.init(timeIntervalSince1970:))
    }
}

public import CorgiCore
internal import CorgiAccess
public import CorgiReview
public import Foundation
import PostgresNIO

// The same semantics as SQLiteStore's ReviewStore, for many workers at once: a scan is keyed by
// its job's stable key (`ClaimedJob.key`, since `ClaimedJob.id` is the queue's own number), and
// reconciliation of one pull request is serialised by locking its row.
extension PostgresStore: ReviewStore {
    /// A session-level advisory lock on a connection held for the review: released by the
    /// unlock, or by PostgreSQL itself when a crashed worker's session ends. Two-key advisory
    /// locks live apart from the audit log's one-key lock.
    public func withPullRequestLock<T: Sendable>(
        _ pullRequest: PullRequestKey, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let key = pullRequest.description
        return try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.pullRequestLockClass), hashtext(\(key)))", logger: self.logger)
            do {
                let result = try await body()
                try await connection.query("SELECT pg_advisory_unlock(\(Self.pullRequestLockClass), hashtext(\(key)))", logger: self.logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.pullRequestLockClass), hashtext(\(key)))", logger: self.logger)
                throw error
            }
        }
    }

    /// "Corg": the first key of every pull-request lock.
    static let pullRequestLockClass: Int32 = 0x436F_7267

    public func beginScan(_ claimed: ClaimedJob) async throws -> ScanState {
        try await transaction { connection in
            let job = claimed.job
            let pr = try await connection.query(
                """
                INSERT INTO pull_requests (forge, installation_id, repository_id, organisation, repository, number, state, head_sha)
                VALUES (\(job.forge), \(job.installationID), \(job.repositoryID), \(job.organisation), \(job.repository), \(job.number),
                        'open', \(job.headSHA))
                ON CONFLICT (forge, installation_id, repository_id, number)
                DO UPDATE SET head_sha = excluded.head_sha, state = 'open', repository = excluded.repository, updated_at = now()
                RETURNING id, summary_comment_id
                """, logger: self.logger).collect()
            guard let prRow = pr.first else { throw StorageError.unexpected("pull request upsert") }
            let (prID, summaryID) = try prRow.decode((Int, Int?).self)
            try await connection.query(
                """
                INSERT INTO scans (job_key, pull_request_id, organisation, head_sha, status)
                VALUES (\(claimed.key), \(prID), \(job.organisation), \(job.headSHA), 'running')
                ON CONFLICT (job_key) DO NOTHING
                """, logger: self.logger)
            let scan = try await connection.query(
                "SELECT id, status, check_run_id, review_posted, summary_posted FROM scans WHERE job_key = \(claimed.key)",
                logger: self.logger).collect()
            guard let row = scan.first else { throw StorageError.unexpected("scan row") }
            let (scanID, status, checkRunID, reviewPosted, summaryPosted) = try row.decode((Int, String, Int?, Bool, Bool).self)
            return ScanState(scanID: scanID, pullRequestID: prID, status: ScanStatus(rawValue: status) ?? .running, checkRunID: checkRunID, reviewPosted: reviewPosted,
                             summaryPosted: summaryPosted, summaryCommentID: summaryID)
        }
    }

    public func setCheckRun(scanID: Int, checkRunID: Int) async throws {
        try await rows("UPDATE scans SET check_run_id = \(checkRunID) WHERE id = \(scanID)")
    }

    public func recordScanResult(
        scanID: Int, findings: [Finding], conclusion: String, coverage: String?,
        diff: (objectKey: String, bytes: Int, expiresAt: Date)?, audit metadata: [String: String]
    ) async throws {
        let diffRow = diff.map { DiffRow(objectKey: $0.objectKey, bytes: $0.bytes, expiresAt: $0.expiresAt) }
        try await transaction { connection in
            let scan = try await connection.query("SELECT pull_request_id, organisation FROM scans WHERE id = \(scanID)",
                                                  logger: self.logger).collect()
            guard let first = scan.first else { throw StorageError.unexpected("scan \(scanID) not found") }
            let (prID, organisation) = try first.decode((Int, String).self)
            // One reconciliation per pull request at a time (pull request, then scan: the order
            // beginScan takes them in); and a retried job whose first run already recorded its
            // result keeps that result.
            try await connection.query("SELECT id FROM pull_requests WHERE id = \(prID) FOR UPDATE", logger: self.logger)
            let status = try await connection.query("SELECT status FROM scans WHERE id = \(scanID) FOR UPDATE", logger: self.logger)
                .collect().first?.decode(String.self)
            guard status == "running" else { return }

            // The plan is the review core's (`ReconciliationPlan`): this only reads and writes it.
            var opened: [String: Int] = [:]
            var rules: [String: String] = [:]
            for try await (fingerprint, first, rule) in try await connection.query(
                "SELECT fingerprint, first_scan_id, rule_id FROM findings WHERE pull_request_id = \(prID) AND status = 'open'",
                logger: self.logger
            ).decode((String, Int, String).self) {
                opened[fingerprint] = first
                rules[fingerprint] = rule
            }
            var dismissed = Set<String>()
            for try await target in try await connection.query(
                """
                SELECT d.target FROM dismissals d JOIN pull_requests p
                  ON p.forge = d.forge AND p.installation_id = d.installation_id AND p.repository_id = d.repository_id
                WHERE p.id = \(prID) AND (d.expires_at IS NULL OR d.expires_at > now())
                """, logger: self.logger
            ).decode(String.self) {
                dismissed.insert(target)
            }
            let plan = ReconciliationPlan(scanID: scanID, findings: findings, open: opened, openRules: rules, dismissedTargets: dismissed)
            for write in plan.writes {
                let f = write.finding
                try await connection.query(
                    """
                    INSERT INTO findings (pull_request_id, organisation, fingerprint, rule_id, kind, severity, cwe, path, line,
                                          column_number, end_line, message, redacted, status, first_scan_id, last_scan_id, flow)
                    VALUES (\(prID), \(organisation), \(f.fingerprint), \(f.ruleID), \(f.kind.rawValue), \(f.severity.rawValue),
                            \(f.cwe), \(f.path), \(f.line), \(f.column), \(f.endLine), \(f.message), \(f.redacted), 'open',
                            \(write.firstScanID), \(scanID), \(FlowStep.stored(f.flow)))
                    ON CONFLICT (pull_request_id, fingerprint) DO UPDATE SET
                        first_scan_id = excluded.first_scan_id, status = 'open', fixed_scan_id = NULL, last_scan_id = excluded.last_scan_id,
                        path = excluded.path, line = excluded.line, column_number = excluded.column_number,
                        end_line = excluded.end_line, severity = excluded.severity, message = excluded.message, flow = excluded.flow
                    """, logger: self.logger)
            }
            if !plan.fixed.isEmpty {
                try await connection.query(
                    """
                    UPDATE findings SET status = 'fixed', fixed_scan_id = \(scanID)
                    WHERE pull_request_id = \(prID) AND fingerprint = ANY(\(plan.fixed))
                    """, logger: self.logger)
            }
            if !plan.dismissed.isEmpty {
                try await connection.query(
                    "UPDATE findings SET status = 'dismissed' WHERE pull_request_id = \(prID) AND fingerprint = ANY(\(plan.dismissed))",
                    logger: self.logger)
            }
            let (new, open, fixed) = (plan.newCount, plan.openCount, plan.fixedCount)
            try await connection.query(
                """
                UPDATE scans SET status = 'scanned', conclusion = \(conclusion), coverage = \(coverage),
                    new_findings = \(new), open_findings = \(open), fixed_findings = \(fixed)
                WHERE id = \(scanID)
                """, logger: self.logger)
            if let diffRow {
                try await connection.query(
                    """
                    INSERT INTO diffs (object_key, organisation, scan_id, bytes, expires_at)
                    VALUES (\(diffRow.objectKey), \(organisation), \(scanID), \(diffRow.bytes), \(diffRow.expiresAt))
                    ON CONFLICT (object_key) DO NOTHING
                    """, logger: self.logger)
            }
            var auditMetadata = metadata.merging(plan.auditCounts) { _, counted in counted }
            auditMetadata["conclusion"] = conclusion
            _ = try await self.appendAudit(
                AuditEntry(actor: "worker", action: "scan.recorded", target: metadata["target"] ?? "scan \(scanID)",
                           organisation: organisation, metadata: auditMetadata),
                on: connection)
        }
    }

    public func reconciliation(scanID: Int) async throws -> Reconciliation {
        let scan = try await rows("SELECT pull_request_id, conclusion, coverage FROM scans WHERE id = \(scanID)")
        guard let s = scan.first else { throw StorageError.unexpected("scan \(scanID) not found") }
        let (prID, conclusion, coverage) = try s.decode((Int, String?, String?).self)
        let rows = try await rows(
            """
            SELECT rule_id, kind, severity, cwe, path, line, column_number, end_line, message, fingerprint, redacted,
                   first_scan_id, last_scan_id, fixed_scan_id
            FROM findings WHERE pull_request_id = \(prID) AND (last_scan_id = \(scanID) OR fixed_scan_id = \(scanID))
            """)
        let tracked = try rows.map { row in
            let (ruleID, kind, severity, cwe, path, line, column, endLine, message, fingerprint, redacted, firstScanID, lastScanID, fixedScanID) =
                try row.decode((String, String, String, String?, String, Int, Int, Int, String, String, String?, Int, Int, Int?).self)
            return TrackedFinding(
                finding: Finding(
                    ruleID: ruleID, title: ruleID, kind: Finding.Kind(rawValue: kind) ?? .code, severity: Severity(rawValue: severity) ?? .info,
                    cwe: cwe, path: path, line: line, column: column, endLine: endLine, message: message, fingerprint: fingerprint,
                    redacted: redacted),
                firstScanID: firstScanID, lastScanID: lastScanID, fixedScanID: fixedScanID)
        }
        return Reconciliation(scanID: scanID, tracked: tracked, conclusion: conclusion ?? "neutral", coverage: coverage)
    }

    public func markReviewPosted(scanID: Int) async throws {
        try await rows("UPDATE scans SET review_posted = true WHERE id = \(scanID)")
    }

    public func markSummaryPosted(scanID: Int, pullRequestID: Int, commentID: Int) async throws {
        try await transaction { connection in
            // Pull request first, then scan: the order recordScanResult locks them in.
            try await connection.query("UPDATE pull_requests SET summary_comment_id = \(commentID) WHERE id = \(pullRequestID)",
                                       logger: self.logger)
            try await connection.query("UPDATE scans SET summary_posted = true WHERE id = \(scanID)", logger: self.logger)
        }
    }

    public func completeScan(scanID: Int, audit entry: AuditEntry) async throws {
        try await transaction { connection in
            let updated = try await connection.query(
                "UPDATE scans SET status = 'published', completed_at = now() WHERE id = \(scanID) AND status <> 'published' RETURNING id",
                logger: self.logger).collect()
            guard !updated.isEmpty else { return }
            _ = try await self.appendAudit(entry, on: connection)
        }
    }

    public func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws {
        try await rows(
            """
            UPDATE pull_requests SET state = 'closed', updated_at = now()
            WHERE forge = \(pullRequest.forge) AND installation_id = \(pullRequest.installationID)
              AND repository_id = \(pullRequest.repositoryID) AND number = \(pullRequest.number)
            """)
    }

    public func dismiss(_ d: Dismissal, audit entry: AuditEntry) async throws {
        try await transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO dismissals (organisation, forge, installation_id, repository_id, target, reason, author, comment_id)
                VALUES (\(d.organisation), \(d.forge), \(d.installationID), \(d.repositoryID), \(d.target), \(d.reason), \(d.author),
                        \(d.commentID))
                ON CONFLICT (forge, installation_id, repository_id, comment_id) DO NOTHING RETURNING id
                """, logger: self.logger).collect()
            guard !inserted.isEmpty else { return }
            _ = try await self.appendAudit(entry, on: connection)
        }
    }

    public func dismissedTargets(forge: String, installationID: Int, repositoryID: Int) async throws -> Set<String> {
        Set(try await rows(
            """
            SELECT target FROM dismissals WHERE forge = \(forge) AND installation_id = \(installationID) AND repository_id = \(repositoryID)
              AND (expires_at IS NULL OR expires_at > now())
            """
        ).map { try $0.decode(String.self) })
    }

    public func organisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy {
        guard let text = try await rows(
            "SELECT policy FROM organisation_policies WHERE forge = \(forge) AND organisation = \(organisation)"
        ).first?.decode(String.self) else { return OrganisationPolicy() }
        return try OrganisationPolicy.stored(text)
    }

    public func modelTokensUsed(forge: String, organisation: String, since day: String) async throws -> Int {
        // As SQLiteStore's: the audit log's scan events carry each review's tokens.
        let marker = AuditEvent.forgeMarker(forge)
        return try await rows(
            """
            SELECT COALESCE(SUM(COALESCE((metadata::jsonb ->> 'ai_input_tokens')::bigint, 0)
                              + COALESCE((metadata::jsonb ->> 'ai_output_tokens')::bigint, 0)), 0)::bigint
            FROM audit_events
            WHERE organisation = \(organisation) AND occurred_at >= \(day) AND action = 'scan.recorded'
              AND strpos(metadata, \(marker)) > 0
            """).first?.decode(Int.self) ?? 0
    }

    public func reopenExpiredDismissals() async throws -> Int {
        try await transaction { connection in
            // As SQLiteStore's: the database's clock decides which dismissals are in force.
            let rows = try await connection.query(
                """
                UPDATE findings SET status = 'open' WHERE status = 'dismissed' AND id IN (
                    SELECT f.id FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                    WHERE f.status = 'dismissed' AND NOT EXISTS (
                        SELECT 1 FROM dismissals d
                        WHERE d.forge = p.forge AND d.installation_id = p.installation_id AND d.repository_id = p.repository_id
                          AND (d.target = f.fingerprint OR d.target = f.rule_id) AND (d.expires_at IS NULL OR d.expires_at > now())))
                RETURNING id, organisation, (SELECT forge FROM pull_requests p WHERE p.id = findings.pull_request_id)
                """, logger: self.logger).collect()
            for row in rows {
                let (id, organisation, forge) = try row.decode((Int, String, String?).self)
                _ = try await self.appendAudit(AuditEntry(actor: "sweeper", action: "finding.reopened", target: "finding:\(id)",
                                                          organisation: organisation, metadata: ["forge": forge ?? "-", "reason": "dismissal expired"]),
                                               on: connection)
            }
            return rows.count
        }
    }

    public func expiredDiffs(now: Date) async throws -> [ExpiredDiff] {
        try await rows(
            "SELECT object_key, organisation FROM diffs WHERE deleted_at IS NULL AND expires_at <= \(now) ORDER BY expires_at, object_key"
        ).map { row in
            let (objectKey, organisation) = try row.decode((String, String).self)
            return ExpiredDiff(objectKey: objectKey, organisation: organisation)
        }
    }

    public func markDiffDeleted(_ diff: ExpiredDiff) async throws {
        try await transaction { connection in
            // Every worker runs a sweeper: only the one that marks the diff audits its deletion.
            let marked = try await connection.query(
                "UPDATE diffs SET deleted_at = now() WHERE object_key = \(diff.objectKey) AND deleted_at IS NULL RETURNING object_key",
                logger: self.logger).collect()
            guard !marked.isEmpty else { return }
            _ = try await self.appendAudit(
                AuditEntry(actor: "sweeper", action: "diff.deleted", target: diff.objectKey, organisation: diff.organisation,
                           metadata: ["forge": diff.forge, "reason": "retention expired"]),
                on: connection)
        }
    }
}

/// The diff of a scan result, as a Sendable value for the transaction closure.
private struct DiffRow: Sendable {
    var objectKey: String
    var bytes: Int
    var expiresAt: Date
}

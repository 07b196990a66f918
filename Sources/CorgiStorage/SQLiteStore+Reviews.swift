public import CorgiReview
public import CorgiCore
internal import CorgiAccess
public import Foundation
internal import SQLiteNIO

extension SQLiteStore: ReviewStore {
    public nonisolated func withPullRequestLock<T: Sendable>(
        _ pullRequest: PullRequestKey, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let key = pullRequest.description
        await pullRequestLocks.acquire(key)
        do {
            let result = try await body()
            await pullRequestLocks.release(key)
            return result
        } catch {
            await pullRequestLocks.release(key)
            throw error
        }
    }

    public func beginScan(_ claimed: ClaimedJob) async throws -> ScanState {
        try await transaction {
            let job = claimed.job
            let pr = try await connection.query(
                """
                INSERT INTO pull_requests (forge, installation_id, repository_id, organisation, repository, number, state, head_sha, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)
                ON CONFLICT(forge, installation_id, repository_id, number) DO UPDATE SET
                    head_sha = excluded.head_sha, state = 'open', repository = excluded.repository, updated_at = excluded.updated_at
                RETURNING id, summary_comment_id
                """,
                [.text(job.forge), .integer(job.installationID), .integer(job.repositoryID), .text(job.organisation), .text(job.repository),
                 .integer(job.number), .text(job.headSHA), .text(Self.now())])
            guard let prRow = pr.first, let prID = prRow.column("id")?.integer else { throw StorageError.unexpected("pull request upsert") }
            let summaryID = prRow.column("summary_comment_id")?.integer.map { Int($0) }
            _ = try await connection.query(
                "INSERT INTO scans (job_id, pull_request_id, organisation, head_sha, status, started_at) VALUES (?, ?, ?, ?, 'running', ?) ON CONFLICT(job_id) DO NOTHING",
                [.integer(claimed.id), .integer(prID), .text(job.organisation), .text(job.headSHA), .text(Self.now())])
            let scan = try await connection.query("SELECT * FROM scans WHERE job_id = ?", [.integer(claimed.id)])
            guard let row = scan.first else { throw StorageError.unexpected("scan row") }
            return ScanState(
                scanID: Int(row.column("id")?.integer ?? 0), pullRequestID: Int(prID), status: ScanStatus(rawValue: row.column("status")?.string ?? "") ?? .running,
                checkRunID: row.column("check_run_id")?.integer.map { Int($0) }, reviewPosted: row.column("review_posted")?.integer == 1,
                summaryPosted: row.column("summary_posted")?.integer == 1, summaryCommentID: summaryID)
        }
    }

    public func setCheckRun(scanID: Int, checkRunID: Int) async throws {
        try await exclusive {
            _ = try await connection.query("UPDATE scans SET check_run_id = ? WHERE id = ?", [.integer(checkRunID), .integer(scanID)])
        }
    }

    public func recordScanResult(
        scanID: Int, findings: [Finding], conclusion: String, coverage: String?,
        diff: (objectKey: String, bytes: Int, expiresAt: Date)?, audit metadata: [String: String]
    ) async throws {
        try await transaction {
            let scan = try await connection.query("SELECT pull_request_id, organisation, status FROM scans WHERE id = ?", [.integer(scanID)])
            guard let row = scan.first, let prID = row.column("pull_request_id")?.integer, let organisation = row.column("organisation")?.string else {
                throw StorageError.unexpected("scan \(scanID) not found")
            }
            // A retried job whose first run already recorded its result keeps that result.
            guard row.column("status")?.string == "running" else { return }
            // The plan is the review core's (`ReconciliationPlan`): this only reads and writes it.
            let open = try await connection.query(
                "SELECT fingerprint, first_scan_id, rule_id FROM findings WHERE pull_request_id = ? AND status = 'open'", [.integer(prID)])
            var opened: [String: Int] = [:]
            var rules: [String: String] = [:]
            for row in open {
                if let fingerprint = row.column("fingerprint")?.string, let first = row.column("first_scan_id")?.integer {
                    opened[fingerprint] = Int(first)
                    rules[fingerprint] = row.column("rule_id")?.string
                }
            }
            let dismissed = Set(try await connection.query(
                """
                SELECT d.target FROM dismissals d JOIN pull_requests p
                  ON p.forge = d.forge AND p.installation_id = d.installation_id AND p.repository_id = d.repository_id
                WHERE p.id = ? AND (d.expires_at IS NULL OR d.expires_at > ?)
                """, [.integer(prID), .float(Date().timeIntervalSince1970)]).compactMap { $0.column("target")?.string })
            let plan = ReconciliationPlan(scanID: scanID, findings: findings, open: opened, openRules: rules, dismissedTargets: dismissed)
            for write in plan.writes {
                let f = write.finding
                _ = try await connection.query(
                    """
                    INSERT INTO findings (pull_request_id, organisation, fingerprint, rule_id, kind, severity, cwe, path, line,
                                          column_number, end_line, message, redacted, status, first_scan_id, last_scan_id, flow)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
                    ON CONFLICT(pull_request_id, fingerprint) DO UPDATE SET
                        first_scan_id = excluded.first_scan_id, status = 'open', fixed_scan_id = NULL, last_scan_id = excluded.last_scan_id,
                        path = excluded.path, line = excluded.line, column_number = excluded.column_number,
                        end_line = excluded.end_line, severity = excluded.severity, message = excluded.message, flow = excluded.flow
                    """,
                    [.integer(prID), .text(organisation), .text(f.fingerprint), .text(f.ruleID), .text(f.kind.rawValue),
                     .text(f.severity.rawValue), f.cwe.map { .text($0) } ?? .null, .text(f.path), .integer(f.line),
                     .integer(f.column), .integer(f.endLine), .text(f.message), f.redacted.map { .text($0) } ?? .null,
                     .integer(write.firstScanID), .integer(scanID), FlowStep.stored(f.flow).map { .text($0) } ?? .null])
            }
            for fingerprint in plan.fixed {
                _ = try await connection.query(
                    "UPDATE findings SET status = 'fixed', fixed_scan_id = ? WHERE pull_request_id = ? AND fingerprint = ?",
                    [.integer(scanID), .integer(prID), .text(fingerprint)])
            }
            for fingerprint in plan.dismissed {
                _ = try await connection.query(
                    "UPDATE findings SET status = 'dismissed' WHERE pull_request_id = ? AND fingerprint = ?", [.integer(prID), .text(fingerprint)])
            }
            _ = try await connection.query(
                "UPDATE scans SET status = 'scanned', conclusion = ?, coverage = ?, new_findings = ?, open_findings = ?, fixed_findings = ? WHERE id = ?",
                [.text(conclusion), coverage.map { .text($0) } ?? .null, .integer(plan.newCount), .integer(plan.openCount),
                 .integer(plan.fixedCount), .integer(scanID)])
            if let diff {
                _ = try await connection.query(
                    "INSERT INTO diffs (object_key, organisation, scan_id, bytes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(object_key) DO NOTHING",
                    [.text(diff.objectKey), .text(organisation), .integer(scanID), .integer(diff.bytes), .text(Self.now()),
                     .float(diff.expiresAt.timeIntervalSince1970)])
            }
            var auditMetadata = metadata.merging(plan.auditCounts) { _, counted in counted }
            auditMetadata["conclusion"] = conclusion
            _ = try await appendAudit(actor: "worker", action: "scan.recorded", target: metadata["target"] ?? "scan \(scanID)",
                                      organisation: organisation, metadata: auditMetadata)
        }
    }

    public func reconciliation(scanID: Int) async throws -> Reconciliation {
        try await exclusive {
            let scan = try await connection.query("SELECT pull_request_id, conclusion, coverage FROM scans WHERE id = ?", [.integer(scanID)])
            guard let s = scan.first, let prID = s.column("pull_request_id")?.integer else { throw StorageError.unexpected("scan \(scanID) not found") }
            let rows = try await connection.query(
                "SELECT * FROM findings WHERE pull_request_id = ? AND (last_scan_id = ? OR fixed_scan_id = ?)",
                [.integer(prID), .integer(scanID), .integer(scanID)])
            let tracked = rows.map { row in
                TrackedFinding(
                    finding: Finding(
                        ruleID: row.column("rule_id")?.string ?? "", title: row.column("rule_id")?.string ?? "",
                        kind: Finding.Kind(rawValue: row.column("kind")?.string ?? "code") ?? .code,
                        severity: Severity(rawValue: row.column("severity")?.string ?? "info") ?? .info,
                        cwe: row.column("cwe")?.string, path: row.column("path")?.string ?? "",
                        line: Int(row.column("line")?.integer ?? 0), column: Int(row.column("column_number")?.integer ?? 0),
                        endLine: Int(row.column("end_line")?.integer ?? 0), message: row.column("message")?.string ?? "",
                        fingerprint: row.column("fingerprint")?.string ?? "", redacted: row.column("redacted")?.string),
                    firstScanID: Int(row.column("first_scan_id")?.integer ?? 0), lastScanID: Int(row.column("last_scan_id")?.integer ?? 0),
                    fixedScanID: row.column("fixed_scan_id")?.integer.map { Int($0) })
            }
            return Reconciliation(scanID: scanID, tracked: tracked, conclusion: s.column("conclusion")?.string ?? "neutral",
                                  coverage: s.column("coverage")?.string)
        }
    }

    public func markReviewPosted(scanID: Int) async throws {
        try await exclusive {
            _ = try await connection.query("UPDATE scans SET review_posted = 1 WHERE id = ?", [.integer(scanID)])
        }
    }

    public func markSummaryPosted(scanID: Int, pullRequestID: Int, commentID: Int) async throws {
        try await transaction {
            _ = try await connection.query("UPDATE scans SET summary_posted = 1 WHERE id = ?", [.integer(scanID)])
            _ = try await connection.query("UPDATE pull_requests SET summary_comment_id = ? WHERE id = ?", [.integer(commentID), .integer(pullRequestID)])
        }
    }

    public func completeScan(scanID: Int, audit entry: AuditEntry) async throws {
        try await transaction {
            let updated = try await connection.query(
                "UPDATE scans SET status = 'published', completed_at = ? WHERE id = ? AND status <> 'published' RETURNING id",
                [.text(Self.now()), .integer(scanID)])
            guard !updated.isEmpty else { return }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
        }
    }

    public func markPullRequestClosed(_ pullRequest: PullRequestKey) async throws {
        try await exclusive {
            _ = try await connection.query(
                "UPDATE pull_requests SET state = 'closed', updated_at = ? WHERE forge = ? AND installation_id = ? AND repository_id = ? AND number = ?",
                [.text(Self.now()), .text(pullRequest.forge), .integer(pullRequest.installationID), .integer(pullRequest.repositoryID),
                 .integer(pullRequest.number)])
        }
    }

    public func dismiss(_ d: Dismissal, audit entry: AuditEntry) async throws {
        try await transaction {
            let inserted = try await connection.query(
                """
                INSERT INTO dismissals (organisation, forge, installation_id, repository_id, target, reason, author, comment_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (forge, installation_id, repository_id, comment_id) DO NOTHING RETURNING id
                """,
                [.text(d.organisation), .text(d.forge), .integer(d.installationID), .integer(d.repositoryID), .text(d.target), .text(d.reason),
                 .text(d.author), .integer(d.commentID), .text(Self.now())])
            guard !inserted.isEmpty else { return }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
        }
    }

    public func dismissedTargets(forge: String, installationID: Int, repositoryID: Int) async throws -> Set<String> {
        try await exclusive {
            Set(try await connection.query(
                """
                SELECT target FROM dismissals WHERE forge = ? AND installation_id = ? AND repository_id = ?
                  AND (expires_at IS NULL OR expires_at > ?)
                """,
                [.text(forge), .integer(installationID), .integer(repositoryID), .float(Date().timeIntervalSince1970)]).compactMap { $0.column("target")?.string })
        }
    }

    public func organisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy {
        try await exclusive { try await readOrganisationPolicy(forge: forge, organisation: organisation) }
    }

    /// The stored policy, inside the caller's `exclusive` or `transaction`.
    func readOrganisationPolicy(forge: String, organisation: String) async throws -> OrganisationPolicy {
        guard let text = try await connection.query("SELECT policy FROM organisation_policies WHERE forge = ? AND organisation = ?",
                                                    [.text(forge), .text(organisation)]).first?.column("policy")?.string
        else { return OrganisationPolicy() }
        return try OrganisationPolicy.stored(text)
    }

    public func modelTokensUsed(forge: String, organisation: String, since day: String) async throws -> Int {
        try await exclusive {
            let row = try await connection.query(
                """
                SELECT COALESCE(SUM(COALESCE(CAST(json_extract(metadata, '$.ai_input_tokens') AS INTEGER), 0)
                                  + COALESCE(CAST(json_extract(metadata, '$.ai_output_tokens') AS INTEGER), 0)), 0) AS used
                FROM audit_events
                WHERE organisation = ? AND occurred_at >= ? AND action = 'scan.recorded' AND instr(metadata, ?) > 0
                """, [.text(organisation), .text(day), .text(AuditEvent.forgeMarker(forge))]).first
            return Int(row?.column("used")?.integer ?? 0)
        }
    }

    public func reopenExpiredDismissals() async throws -> Int {
        try await transaction {
            // A dismissed finding with no dismissal in force in its repository (by fingerprint or
            // rule) is open again; each reopening is audited.
            let reopened = try await connection.query(
                """
                UPDATE findings SET status = 'open' WHERE status = 'dismissed' AND id IN (
                    SELECT f.id FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                    WHERE f.status = 'dismissed' AND NOT EXISTS (
                        SELECT 1 FROM dismissals d
                        WHERE d.forge = p.forge AND d.installation_id = p.installation_id AND d.repository_id = p.repository_id
                          AND (d.target = f.fingerprint OR d.target = f.rule_id) AND (d.expires_at IS NULL OR d.expires_at > ?)))
                RETURNING id, organisation, pull_request_id
                """, [.float(Date().timeIntervalSince1970)])
            for row in reopened {
                let forge = try await connection.query("SELECT forge FROM pull_requests WHERE id = ?",
                                                       [.integer(row.column("pull_request_id")?.integer ?? 0)]).first?.column("forge")?.string ?? "-"
                _ = try await appendAudit(actor: "sweeper", action: "finding.reopened", target: "finding:\(row.column("id")?.integer ?? 0)",
                                          organisation: row.column("organisation")?.string, metadata: ["forge": forge, "reason": "dismissal expired"])
            }
            return reopened.count
        }
    }

    public func expiredDiffs(now: Date) async throws -> [ExpiredDiff] {
        try await exclusive {
            try await connection.query("SELECT object_key, organisation FROM diffs WHERE deleted_at IS NULL AND expires_at <= ? ORDER BY expires_at",
                                       [.float(now.timeIntervalSince1970)]).map {
                ExpiredDiff(objectKey: $0.column("object_key")?.string ?? "", organisation: $0.column("organisation")?.string ?? "")
            }
        }
    }

    public func markDiffDeleted(_ diff: ExpiredDiff) async throws {
        try await transaction {
            let marked = try await connection.query(
                "UPDATE diffs SET deleted_at = ? WHERE object_key = ? AND deleted_at IS NULL RETURNING object_key",
                [.text(Self.now()), .text(diff.objectKey)])
            guard !marked.isEmpty else { return }
            _ = try await appendAudit(actor: "sweeper", action: "diff.deleted", target: diff.objectKey, organisation: diff.organisation,
                                      metadata: ["forge": diff.forge, "reason": "retention expired"])
        }
    }

    /// Counts for tests and metrics.
    public func count(_ table: String, where condition: String = "1 = 1") async throws -> Int {
        try await exclusive {
            precondition(["organisations", "repositories", "findings", "scans", "pull_requests", "diffs", "deliveries", "jobs", "audit_events",
                          "dismissals", "api_keys", "revoked_sessions", "organisation_policies", "dismissal_requests", "sessions", "organisation_deletions", "exports",
                          "organisation_regions"].contains(table))
            return Int(try await connection.query("SELECT COUNT(*) AS n FROM \(table) WHERE \(condition)", []).first?.column("n")?.integer ?? 0)
        }
    }
}

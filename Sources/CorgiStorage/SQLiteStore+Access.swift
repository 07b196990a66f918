public import CorgiAccess
internal import CorgiCore
public import CorgiReview
public import Foundation
internal import SQLiteNIO

/// The API's reads and the API keys, on the embedded store. Every query names the tenant's forge
/// and login in its WHERE clause; findings reach their organisation through their pull request.
extension SQLiteStore: AccessStore {
    public func createAPIKey(_ draft: APIKeyDraft, audit entry: AuditEntry) async throws -> APIKeyRecord {
        try await transaction {
            let now = Date()
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (forge, organisation, name, role, scopes, display_prefix, key_hash, created_by, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """,
                [.text(draft.organisation.forge), .text(draft.organisation.login), .text(draft.name), .text(draft.role.rawValue),
                 Self.optionalText(APIKeyRecord.storedScopes(draft.scopes)), .text(draft.displayPrefix), .text(draft.hash),
                 .text(draft.createdBy), .float(now.timeIntervalSince1970), Self.optionalTime(draft.expiresAt)])
            guard let id = rows.first?.column("id")?.integer else { throw StorageError.unexpected("api key insert") }
            var metadata = entry.metadata
            metadata["key_id"] = "\(id)"
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: metadata)
            return APIKeyRecord(id: Int(id), organisation: draft.organisation, name: draft.name, role: draft.role, scopes: draft.scopes,
                                displayPrefix: draft.displayPrefix, hash: draft.hash, createdBy: draft.createdBy, createdAt: now,
                                expiresAt: draft.expiresAt)
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await exclusive {
            try await connection.query("SELECT * FROM api_keys WHERE key_hash = ?", [.text(hash)]).first.flatMap(Self.apiKeyRecord)
        }
    }

    public func recordAPIKeyUse(id: Int, of organisation: OrganisationRef, now: Date, auditInterval: TimeInterval) async throws {
        try await transaction {
            let t = now.timeIntervalSince1970
            let row = try await connection.query(
                "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND forge = ? AND organisation = ? RETURNING last_audited_use_at",
                [.float(t), .integer(id), .text(organisation.forge), .text(organisation.login)]).first
            guard let row else { return }
            if let audited = row.column("last_audited_use_at")?.double, t - audited < auditInterval { return }
            _ = try await connection.query("UPDATE api_keys SET last_audited_use_at = ? WHERE id = ?", [.float(t), .integer(id)])
            _ = try await appendAudit(actor: "api-key:\(id)", action: "api_key.used", target: "api-key:\(id)",
                                      organisation: organisation.login, metadata: ["forge": organisation.forge])
        }
    }

    public func apiKeys(of organisation: OrganisationRef) async throws -> [APIKeyRecord] {
        try await exclusive {
            try await connection.query("SELECT * FROM api_keys WHERE forge = ? AND organisation = ? ORDER BY id",
                                       [.text(organisation.forge), .text(organisation.login)]).compactMap(Self.apiKeyRecord)
        }
    }

    public func revokeAPIKey(id: Int, of organisation: OrganisationRef, now: Date, audit entry: AuditEntry) async throws -> Bool {
        try await transaction {
            let revoked = try await connection.query(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND forge = ? AND organisation = ? AND revoked_at IS NULL RETURNING id",
                [.float(now.timeIntervalSince1970), .integer(id), .text(organisation.forge), .text(organisation.login)])
            guard !revoked.isEmpty else { return false }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
            return true
        }
    }

    public func organisationSummary(_ organisation: OrganisationRef) async throws -> OrganisationSummary {
        try await exclusive {
            let tenant: [SQLiteData] = [.text(organisation.forge), .text(organisation.login)]
            let counts = try await connection.query(
                "SELECT COUNT(DISTINCT repository) AS repositories, COUNT(*) AS pulls FROM pull_requests WHERE forge = ? AND organisation = ?",
                tenant).first
            var byState: [String: Int] = [:]
            for row in try await connection.query(
                """
                SELECT f.status AS state, COUNT(*) AS n FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? GROUP BY f.status
                """, tenant) {
                byState[row.column("state")?.string ?? ""] = Int(row.column("n")?.integer ?? 0)
            }
            var bySeverity: [String: Int] = [:]
            for row in try await connection.query(
                """
                SELECT f.severity AS severity, COUNT(*) AS n FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? AND f.status = 'open' GROUP BY f.severity
                """, tenant) {
                bySeverity[row.column("severity")?.string ?? ""] = Int(row.column("n")?.integer ?? 0)
            }
            return OrganisationSummary(organisation: organisation, repositories: Int(counts?.column("repositories")?.integer ?? 0),
                                       pullRequests: Int(counts?.column("pulls")?.integer ?? 0), findingsByState: byState,
                                       openFindingsBySeverity: bySeverity)
        }
    }

    public func findingTrends(of organisation: OrganisationRef, since: Date) async throws -> FindingTrendRows {
        // Scan times are ISO 8601 UTC text of one width: they compare as strings, and SQLite turns
        // them into seconds (parsing 10,000 of them with ISO8601DateFormatter took a quarter second).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await exclusive {
            let parameters: [SQLiteData] = [.text(organisation.forge), .text(organisation.login), .text(formatter.string(from: since))]
            let timelines = try await connection.query(
                """
                SELECT (julianday(first.started_at) - 2440587.5) * 86400.0 AS first_seen,
                       (julianday(fixed.started_at) - 2440587.5) * 86400.0 AS fixed_at
                FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                JOIN scans first ON first.id = f.first_scan_id LEFT JOIN scans fixed ON fixed.id = f.fixed_scan_id
                WHERE p.forge = ?1 AND p.organisation = ?2 AND (first.started_at >= ?3 OR fixed.started_at >= ?3)
                """, parameters).compactMap { row -> FindingTrendRows.Timeline? in
                guard let firstSeen = row.column("first_seen")?.double else { return nil }
                return FindingTrendRows.Timeline(firstSeen: Date(timeIntervalSince1970: firstSeen),
                                                 fixedAt: row.column("fixed_at")?.double.map { Date(timeIntervalSince1970: $0) })
            }
            func top(_ column: String) async throws -> [FindingStatistics.Count] {
                try await connection.query(
                    """
                    SELECT \(column) AS name, COUNT(*) AS n FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                    WHERE p.forge = ?1 AND p.organisation = ?2 AND f.status = 'open'
                    GROUP BY \(column) ORDER BY n DESC, name LIMIT \(FindingStatistics.topCount)
                    """, Array(parameters.prefix(2))).map {
                    FindingStatistics.Count(name: $0.column("name")?.string ?? "", open: Int($0.column("n")?.integer ?? 0))
                }
            }
            return FindingTrendRows(timelines: timelines, topRepositories: try await top("p.repository"), topRules: try await top("f.rule_id"))
        }
    }

    public func repositories(of organisation: OrganisationRef) async throws -> [RepositorySummary] {
        try await exclusive {
            try await connection.query(
                """
                SELECT p.repository AS name, COUNT(DISTINCT p.id) AS pulls,
                       COUNT(f.id) FILTER (WHERE f.status = 'open') AS open_findings
                FROM pull_requests p LEFT JOIN findings f ON f.pull_request_id = p.id
                WHERE p.forge = ? AND p.organisation = ? GROUP BY p.repository ORDER BY p.repository
                """, [.text(organisation.forge), .text(organisation.login)]).map {
                RepositorySummary(name: $0.column("name")?.string ?? "", pullRequests: Int($0.column("pulls")?.integer ?? 0),
                                  openFindings: Int($0.column("open_findings")?.integer ?? 0))
            }
        }
    }

    public func pullRequests(_ query: PullRequestQuery) async throws -> [PullRequestRecord] {
        try await exclusive {
            var sql = """
                SELECT p.id, p.repository, p.number, p.state, p.head_sha, p.updated_at,
                       (SELECT COUNT(*) FROM findings f WHERE f.pull_request_id = p.id AND f.status = 'open') AS open_findings,
                       EXISTS (SELECT 1 FROM scans s WHERE s.pull_request_id = p.id AND s.status = 'running') AS reviewing
                FROM pull_requests p WHERE p.forge = ? AND p.organisation = ? AND p.id > ?
                """
            var binds: [SQLiteData] = [.text(query.organisation.forge), .text(query.organisation.login), .integer(query.page.after)]
            if let repository = query.repository { sql += " AND p.repository = ?"; binds.append(.text(repository)) }
            if let state = query.state { sql += " AND p.state = ?"; binds.append(.text(state)) }
            sql += " ORDER BY p.id LIMIT ?"
            binds.append(.integer(query.page.limit))
            return try await connection.query(sql, binds).map {
                PullRequestRecord(id: Int($0.column("id")?.integer ?? 0), repository: $0.column("repository")?.string ?? "",
                                  number: Int($0.column("number")?.integer ?? 0), state: $0.column("state")?.string ?? "",
                                  headSHA: $0.column("head_sha")?.string, updatedAt: $0.column("updated_at")?.string ?? "",
                                  openFindings: Int($0.column("open_findings")?.integer ?? 0), reviewing: $0.column("reviewing")?.integer == 1)
            }
        }
    }

    static let findingColumns = """
        f.id, p.repository, p.number, f.rule_id, f.kind, f.severity, f.cwe, f.path, f.line, f.end_line, f.message, f.redacted,
        f.status, f.fingerprint, f.first_scan_id, f.last_scan_id, f.fixed_scan_id, f.flow
        """

    public func findings(_ query: FindingQuery) async throws -> [FindingRecord] {
        try await exclusive {
            var sql = """
                SELECT \(Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? AND f.id > ?
                """
            var binds: [SQLiteData] = [.text(query.organisation.forge), .text(query.organisation.login), .integer(query.page.after)]
            if let repository = query.repository { sql += " AND p.repository = ?"; binds.append(.text(repository)) }
            if let number = query.pullRequest { sql += " AND p.number = ?"; binds.append(.integer(number)) }
            if let severity = query.severity { sql += " AND f.severity = ?"; binds.append(.text(severity)) }
            if let state = query.state { sql += " AND f.status = ?"; binds.append(.text(state.rawValue)) }
            if let rule = query.rule { sql += " AND f.rule_id = ?"; binds.append(.text(rule)) }
            sql += " ORDER BY f.id LIMIT ?"
            binds.append(.integer(query.page.limit))
            return try await connection.query(sql, binds).map(Self.findingRecord)
        }
    }

    public func finding(id: Int, of organisation: OrganisationRef) async throws -> FindingRecord? {
        try await exclusive {
            let tenant: [SQLiteData] = [.text(organisation.forge), .text(organisation.login), .integer(id)]
            guard var record = try await connection.query(
                """
                SELECT \(Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? AND f.id = ?
                """, tenant).first.map(Self.findingRecord)
            else { return nil }
            if record.state == FindingState.dismissed.rawValue, let row = try await connection.query(
                """
                SELECT reason, author, comment, created_at, expires_at FROM dismissals
                WHERE forge = ? AND organisation = ? AND finding_id = ? ORDER BY id DESC LIMIT 1
                """, tenant).first {
                record.dismissal = FindingRecord.Dismissal(
                    reason: row.column("reason")?.string ?? "", author: row.column("author")?.string ?? "", comment: row.column("comment")?.string,
                    dismissedAt: row.column("created_at")?.string ?? "", until: row.column("expires_at")?.double.map { Date(timeIntervalSince1970: $0) })
            }
            return record
        }
    }

    public func dismissFinding(_ d: FindingDismissal, audit entry: AuditEntry) async throws -> DismissalOutcome {
        try await transaction { try await dismissInTransaction(d, audit: entry) }
    }

    /// The dismissal itself, inside the caller's transaction.
    private func dismissInTransaction(_ d: FindingDismissal, audit entry: AuditEntry) async throws -> DismissalOutcome {
        do {
            let select = """
                SELECT \(Self.findingColumns), f.pull_request_id AS pr_id, p.installation_id, p.repository_id
                FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? AND f.id = ?
                """
            let tenant: [SQLiteData] = [.text(d.organisation.forge), .text(d.organisation.login), .integer(d.findingID)]
            guard let row = try await connection.query(select, tenant).first else { return .notFound }
            let finding = Self.findingRecord(row)
            guard finding.state == "open" else { return .notOpen(finding) }
            _ = try await connection.query(
                """
                INSERT INTO dismissals (organisation, forge, installation_id, repository_id, target, reason, author, finding_id, comment, created_at,
                                        expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(d.organisation.login), .text(d.organisation.forge), .integer(row.column("installation_id")?.integer ?? 0),
                 .integer(row.column("repository_id")?.integer ?? 0), .text(finding.fingerprint), .text(d.reason.rawValue), .text(d.author),
                 .integer(d.findingID), Self.optionalText(d.comment), .text(Self.now()), d.until.map { .float($0.timeIntervalSince1970) } ?? .null])
            _ = try await connection.query("UPDATE findings SET status = 'dismissed' WHERE id = ?", [.integer(d.findingID)])
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
            var dismissed = finding
            dismissed.state = "dismissed"
            return .dismissed(dismissed)
        }
    }

    static let requestColumns = "id, finding_id, reason, comment, expires_at, requested_by, created_at, state, decided_by, decided_at"

    static func requestRecord(_ row: SQLiteRow) -> DismissalRequestRecord {
        func time(_ name: String) -> Date? { row.column(name)?.double.map(Date.init(timeIntervalSince1970:)) }
        return DismissalRequestRecord(
            id: Int(row.column("id")?.integer ?? 0), findingId: Int(row.column("finding_id")?.integer ?? 0), reason: row.column("reason")?.string ?? "",
            comment: row.column("comment")?.string, until: time("expires_at"), requestedBy: row.column("requested_by")?.string ?? "",
            requestedAt: time("created_at") ?? Date(timeIntervalSince1970: 0),
            state: DismissalRequestRecord.State(rawValue: row.column("state")?.string ?? "") ?? .pending,
            decidedBy: row.column("decided_by")?.string, decidedAt: time("decided_at"))
    }

    public func requestDismissal(_ d: FindingDismissal, audit entry: AuditEntry) async throws -> DismissalRequestOutcome {
        try await transaction {
            guard let finding = try await connection.query(
                """
                SELECT \(Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = ? AND p.organisation = ? AND f.id = ?
                """, [.text(d.organisation.forge), .text(d.organisation.login), .integer(d.findingID)]).first.map(Self.findingRecord)
            else { return .notFound }
            guard finding.state == "open" else { return .notOpen }
            if let pending = try await connection.query(
                "SELECT \(Self.requestColumns) FROM dismissal_requests WHERE finding_id = ? AND state = 'pending'", [.integer(d.findingID)]
            ).first.map(Self.requestRecord) {
                return .alreadyRequested(pending)
            }
            let now = Date().timeIntervalSince1970
            let rows = try await connection.query(
                """
                INSERT INTO dismissal_requests (forge, organisation, finding_id, reason, comment, expires_at, requested_by, created_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING \(Self.requestColumns)
                """,
                [.text(d.organisation.forge), .text(d.organisation.login), .integer(d.findingID), .text(d.reason.rawValue),
                 Self.optionalText(d.comment), Self.optionalTime(d.until), .text(d.author), .float(now)])
            guard let record = rows.first.map(Self.requestRecord) else { throw StorageError.unexpected("dismissal request not returned") }
            var metadata = entry.metadata
            metadata["request"] = "\(record.id)"
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation, metadata: metadata)
            return .requested(record)
        }
    }

    public func dismissalRequests(of organisation: OrganisationRef, state: DismissalRequestRecord.State, page: Page) async throws -> [DismissalRequestRecord] {
        try await exclusive {
            try await connection.query(
                """
                SELECT \(Self.requestColumns) FROM dismissal_requests
                WHERE forge = ? AND organisation = ? AND state = ? AND id > ? ORDER BY id LIMIT ?
                """, [.text(organisation.forge), .text(organisation.login), .text(state.rawValue), .integer(page.after), .integer(page.limit)]
            ).map(Self.requestRecord)
        }
    }

    public func decideDismissalRequest(id: Int, of organisation: OrganisationRef, decision: DismissalDecision, decider: String,
                                       audit entry: AuditEntry) async throws -> DismissalDecisionOutcome {
        try await transaction {
            guard let request = try await connection.query(
                "SELECT \(Self.requestColumns) FROM dismissal_requests WHERE forge = ? AND organisation = ? AND id = ?",
                [.text(organisation.forge), .text(organisation.login), .integer(id)]).first.map(Self.requestRecord)
            else { return .notFound }
            guard request.state == .pending else { return .notPending(request) }
            if decision == .approve, request.requestedBy == decider { return .sameActor }
            func close(_ state: DismissalRequestRecord.State) async throws -> DismissalRequestRecord {
                let now = Date().timeIntervalSince1970
                _ = try await connection.query("UPDATE dismissal_requests SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                                               [.text(state.rawValue), .text(decider), .float(now), .integer(id)])
                var closed = request
                (closed.state, closed.decidedBy, closed.decidedAt) = (state, decider, Date(timeIntervalSince1970: now))
                return closed
            }
            var metadata = entry.metadata
            metadata["request"] = "\(id)"
            metadata["requested_by"] = request.requestedBy
            guard decision == .approve else {
                let closed = try await close(.rejected)
                _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                          metadata: metadata)
                return .rejected(closed)
            }
            let dismissal = FindingDismissal(findingID: request.findingId, organisation: organisation,
                                             reason: DismissalReason(rawValue: request.reason) ?? .wontFix, comment: request.comment,
                                             author: request.requestedBy, until: request.until)
            metadata["approved_by"] = decider
            metadata["reason"] = request.reason
            switch try await dismissInTransaction(dismissal, audit: AuditEntry(actor: entry.actor, action: entry.action, target: entry.target,
                                                                                organisation: entry.organisation, metadata: metadata)) {
            case .dismissed(let finding):
                _ = try await close(.approved)
                return .approved(finding)
            case .notOpen, .notFound:
                return .findingNotOpen(try await close(.rejected))
            }
        }
    }

    /// An organisation's events: rows naming its login and, in their metadata, its forge.
    public func auditEvents(of organisation: OrganisationRef, action: String?, target: String?, page: Page) async throws -> [AuditEvent] {
        try await exclusive {
            try await connection.query(
                """
                SELECT * FROM audit_events
                WHERE organisation = ?1 AND instr(metadata, ?2) > 0 AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR target = ?4)
                  AND id > ?5
                ORDER BY id LIMIT ?6
                """,
                [.text(AuditEvent.storageForm(organisation.login)), .text(AuditEvent.forgeMarker(organisation.forge)), Self.optionalText(action.map(AuditEvent.storageForm)),
                 Self.optionalText(target.map(AuditEvent.storageForm)), .integer(page.after), .integer(page.limit)]
            ).map(Self.auditEvent)
        }
    }

    public func organisationPolicy(of organisation: OrganisationRef) async throws -> OrganisationPolicy {
        try await organisationPolicy(forge: organisation.forge, organisation: organisation.login)
    }

    public func setOrganisationPolicy(_ policy: OrganisationPolicy, of organisation: OrganisationRef, audit entry: AuditEntry) async throws -> [String] {
        try await transaction {
            let changed = policy.changedSettings(from: try await readOrganisationPolicy(forge: organisation.forge, organisation: organisation.login))
            guard !changed.isEmpty else { return [] }
            _ = try await connection.query(
                """
                INSERT INTO organisation_policies (forge, organisation, policy, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (forge, organisation) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at
                """,
                [.text(organisation.forge), .text(organisation.login), .text(try policy.storedText()), .text(entry.actor), .text(Self.now())])
            var metadata = entry.metadata
            metadata["changed"] = changed.joined(separator: ",")
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: metadata)
            return changed
        }
    }

    public func revokeSession(id: String, of organisation: OrganisationRef, expiresAt: Date, audit entry: AuditEntry) async throws {
        try await transaction {
            let inserted = try await connection.query(
                "INSERT INTO revoked_sessions (session_id, expires_at, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING session_id",
                [.text(id), .float(expiresAt.timeIntervalSince1970), .text(Self.now())])
            guard !inserted.isEmpty else { return }
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
        }
    }

    public func pruneExpiredRevocations() async throws -> Int {
        try await transaction {
            let now = Date().timeIntervalSince1970
            // Expired sessions go with their revocations: neither matters once the cookie is refused anyway.
            _ = try await connection.query("DELETE FROM sessions WHERE expires_at < ?", [.float(now)])
            return try await connection.query("DELETE FROM revoked_sessions WHERE expires_at < ? RETURNING session_id", [.float(now)]).count
        }
    }

    public func recordSignIn(_ session: SignedInSession, audit entry: AuditEntry) async throws {
        try await transaction {
            _ = try await connection.query(
                """
                INSERT INTO sessions (id, forge, organisation, subject, role, method, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(session.id), .text(session.organisation.forge), .text(session.organisation.login), .text(session.subject),
                 .text(session.role.rawValue), .text(session.method), .float(session.createdAt.timeIntervalSince1970),
                 .float(session.expiresAt.timeIntervalSince1970)])
            _ = try await appendAudit(actor: entry.actor, action: entry.action, target: entry.target, organisation: entry.organisation,
                                      metadata: entry.metadata)
        }
    }

    public func sessions(of subject: String, in organisation: OrganisationRef) async throws -> [SignedInSession] {
        try await exclusive {
            try await connection.query(
                """
                SELECT s.* FROM sessions s
                WHERE s.forge = ? AND s.organisation = ? AND s.subject = ? AND s.expires_at > ?
                  AND NOT EXISTS (SELECT 1 FROM revoked_sessions r WHERE r.session_id = s.id)
                ORDER BY s.created_at, s.id
                """, [.text(organisation.forge), .text(organisation.login), .text(subject), .float(Date().timeIntervalSince1970)]
            ).compactMap { row in
                guard let role = Role(rawValue: row.column("role")?.string ?? "") else { return nil }
                return SignedInSession(
                    id: row.column("id")?.string ?? "", organisation: organisation, subject: subject, role: role,
                    method: row.column("method")?.string ?? "", createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0),
                    expiresAt: Date(timeIntervalSince1970: row.column("expires_at")?.double ?? 0))
            }
        }
    }

    public func isSessionRevoked(id: String, of organisation: OrganisationRef) async throws -> Bool {
        try await exclusive {
            !(try await connection.query("SELECT 1 AS revoked FROM revoked_sessions WHERE session_id = ?", [.text(id)]).isEmpty)
        }
    }

    // MARK: Rows

    static func findingRecord(_ row: SQLiteRow) -> FindingRecord {
        func int(_ name: String) -> Int { Int(row.column(name)?.integer ?? 0) }
        var record = FindingRecord(
            id: int("id"), repository: row.column("repository")?.string ?? "", pullRequest: int("number"),
            ruleID: row.column("rule_id")?.string ?? "", kind: row.column("kind")?.string ?? "", severity: row.column("severity")?.string ?? "",
            cwe: row.column("cwe")?.string, path: row.column("path")?.string ?? "", line: int("line"), endLine: int("end_line"),
            message: row.column("message")?.string ?? "", redacted: row.column("redacted")?.string, state: row.column("status")?.string ?? "",
            fingerprint: row.column("fingerprint")?.string ?? "", firstScanID: int("first_scan_id"), lastScanID: int("last_scan_id"),
            fixedScanID: row.column("fixed_scan_id")?.integer.map { Int($0) })
        record.flow = FlowStep.read(stored: row.column("flow")?.string)
        return record
    }

    static func apiKeyRecord(_ row: SQLiteRow) -> APIKeyRecord? {
        guard let id = row.column("id")?.integer, let role = Role(rawValue: row.column("role")?.string ?? "") else { return nil }
        func time(_ name: String) -> Date? { row.column(name)?.double.map { Date(timeIntervalSince1970: $0) } }
        return APIKeyRecord(
            id: Int(id), organisation: OrganisationRef(forge: row.column("forge")?.string ?? "", login: row.column("organisation")?.string ?? ""),
            name: row.column("name")?.string ?? "", role: role, scopes: APIKeyRecord.scopes(stored: row.column("scopes")?.string),
            displayPrefix: row.column("display_prefix")?.string ?? "", hash: row.column("key_hash")?.string ?? "",
            createdBy: row.column("created_by")?.string ?? "", createdAt: time("created_at") ?? Date(timeIntervalSince1970: 0),
            expiresAt: time("expires_at"), lastUsedAt: time("last_used_at"), revokedAt: time("revoked_at"))
    }

    static func optionalText(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
    static func optionalTime(_ value: Date?) -> SQLiteData { value.map { .float($0.timeIntervalSince1970) } ?? .null }
}

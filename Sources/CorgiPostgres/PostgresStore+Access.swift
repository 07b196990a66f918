public import CorgiAccess
internal import CorgiCore
public import CorgiReview
public import Foundation
import PostgresNIO

/// The same semantics as SQLiteStore's AccessStore. Optional filters are bound as NULL and
/// tested in SQL (`$n IS NULL OR …`), so every query is one fixed statement with bound values.
extension PostgresStore: AccessStore {
    public func createAPIKey(_ draft: APIKeyDraft, audit entry: AuditEntry) async throws -> APIKeyRecord {
        let scopes = APIKeyRecord.storedScopes(draft.scopes)
        return try await transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (forge, organisation, name, role, scopes, display_prefix, key_hash, created_by, expires_at)
                VALUES (\(draft.organisation.forge), \(draft.organisation.login), \(draft.name), \(draft.role.rawValue), \(scopes),
                        \(draft.displayPrefix), \(draft.hash), \(draft.createdBy), \(draft.expiresAt))
                RETURNING id, created_at
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw StorageError.unexpected("api key insert") }
            let (id, createdAt) = try row.decode((Int, Date).self)
            var audit = entry
            audit.metadata["key_id"] = "\(id)"
            _ = try await self.appendAudit(audit, on: connection)
            return APIKeyRecord(id: id, organisation: draft.organisation, name: draft.name, role: draft.role, scopes: draft.scopes,
                                displayPrefix: draft.displayPrefix, hash: draft.hash, createdBy: draft.createdBy, createdAt: createdAt,
                                expiresAt: draft.expiresAt)
        }
    }

    static let apiKeyColumns = """
        id, forge, organisation, name, role, scopes, display_prefix, key_hash, created_by, created_at, expires_at, last_used_at, revoked_at
        """

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE key_hash = \(hash)").first.flatMap(Self.apiKeyRecord)
    }

    public func recordAPIKeyUse(id: Int, of organisation: OrganisationRef, now: Date, auditInterval: TimeInterval) async throws {
        let auditBefore = now.addingTimeInterval(-auditInterval)
        try await transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE api_keys SET last_used_at = \(now),
                    last_audited_use_at = CASE WHEN last_audited_use_at IS NULL OR last_audited_use_at <= \(auditBefore)
                                               THEN \(now) ELSE last_audited_use_at END
                WHERE id = \(id) AND forge = \(organisation.forge) AND organisation = \(organisation.login)
                RETURNING last_audited_use_at = \(now)
                """, logger: self.logger).collect()
            guard let row = rows.first else { return }
            guard try row.decode(Bool.self) else { return }
            _ = try await self.appendAudit(
                AuditEntry(actor: "api-key:\(id)", action: "api_key.used", target: "api-key:\(id)", organisation: organisation.login,
                           metadata: ["forge": organisation.forge]),
                on: connection)
        }
    }

    public func apiKeys(of organisation: OrganisationRef) async throws -> [APIKeyRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys
            WHERE forge = \(organisation.forge) AND organisation = \(organisation.login) ORDER BY id
            """).compactMap(Self.apiKeyRecord)
    }

    public func revokeAPIKey(id: Int, of organisation: OrganisationRef, now: Date, audit entry: AuditEntry) async throws -> Bool {
        try await transaction { connection in
            let revoked = try await connection.query(
                """
                UPDATE api_keys SET revoked_at = \(now)
                WHERE id = \(id) AND forge = \(organisation.forge) AND organisation = \(organisation.login) AND revoked_at IS NULL
                RETURNING id
                """, logger: self.logger).collect()
            guard !revoked.isEmpty else { return false }
            _ = try await self.appendAudit(entry, on: connection)
            return true
        }
    }

    public func organisationSummary(_ organisation: OrganisationRef) async throws -> OrganisationSummary {
        let (forge, login) = (organisation.forge, organisation.login)
        let counts = try await rows(
            "SELECT COUNT(DISTINCT repository), COUNT(*) FROM pull_requests WHERE forge = \(forge) AND organisation = \(login)")
        let (repositories, pulls) = try counts.first?.decode((Int, Int).self) ?? (0, 0)
        var byState: [String: Int] = [:]
        for row in try await rows(
            """
            SELECT f.status, COUNT(*) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(forge) AND p.organisation = \(login) GROUP BY f.status
            """) {
            let (state, n) = try row.decode((String, Int).self)
            byState[state] = n
        }
        var bySeverity: [String: Int] = [:]
        for row in try await rows(
            """
            SELECT f.severity, COUNT(*) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(forge) AND p.organisation = \(login) AND f.status = 'open' GROUP BY f.severity
            """) {
            let (severity, n) = try row.decode((String, Int).self)
            bySeverity[severity] = n
        }
        return OrganisationSummary(organisation: organisation, repositories: repositories, pullRequests: pulls, findingsByState: byState,
                                   openFindingsBySeverity: bySeverity)
    }

    public func findingTrends(of organisation: OrganisationRef, since: Date) async throws -> FindingTrendRows {
        let (forge, login) = (organisation.forge, organisation.login)
        let timelines = try await rows(
            """
            SELECT first.started_at, fixed.started_at
            FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            JOIN scans first ON first.id = f.first_scan_id LEFT JOIN scans fixed ON fixed.id = f.fixed_scan_id
            WHERE p.forge = \(forge) AND p.organisation = \(login) AND (first.started_at >= \(since) OR fixed.started_at >= \(since))
            """).map { row in
            let (firstSeen, fixedAt) = try row.decode((Date, Date?).self)
            return FindingTrendRows.Timeline(firstSeen: firstSeen, fixedAt: fixedAt)
        }
        let count = { (row: PostgresRow) throws -> FindingStatistics.Count in
            let (name, open) = try row.decode((String, Int).self)
            return FindingStatistics.Count(name: name, open: open)
        }
        let repositories = try await rows(
            """
            SELECT p.repository, COUNT(*) AS n FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(forge) AND p.organisation = \(login) AND f.status = 'open'
            GROUP BY p.repository ORDER BY n DESC, p.repository LIMIT \(FindingStatistics.topCount)
            """).map(count)
        let rules = try await rows(
            """
            SELECT f.rule_id, COUNT(*) AS n FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(forge) AND p.organisation = \(login) AND f.status = 'open'
            GROUP BY f.rule_id ORDER BY n DESC, f.rule_id LIMIT \(FindingStatistics.topCount)
            """).map(count)
        return FindingTrendRows(timelines: timelines, topRepositories: repositories, topRules: rules)
    }

    public func repositories(of organisation: OrganisationRef) async throws -> [RepositorySummary] {
        try await rows(
            """
            SELECT p.repository, COUNT(DISTINCT p.id), COUNT(f.id) FILTER (WHERE f.status = 'open')
            FROM pull_requests p LEFT JOIN findings f ON f.pull_request_id = p.id
            WHERE p.forge = \(organisation.forge) AND p.organisation = \(organisation.login)
            GROUP BY p.repository ORDER BY p.repository
            """).map { row in
            let (name, pulls, open) = try row.decode((String, Int, Int).self)
            return RepositorySummary(name: name, pullRequests: pulls, openFindings: open)
        }
    }

    public func pullRequests(_ query: PullRequestQuery) async throws -> [PullRequestRecord] {
        try await rows(
            """
            SELECT p.id, p.repository, p.number, p.state, p.head_sha,
                   to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   (SELECT COUNT(*) FROM findings f WHERE f.pull_request_id = p.id AND f.status = 'open'),
                   EXISTS (SELECT 1 FROM scans s WHERE s.pull_request_id = p.id AND s.status = 'running')
            FROM pull_requests p
            WHERE p.forge = \(query.organisation.forge) AND p.organisation = \(query.organisation.login) AND p.id > \(query.page.after)
              AND (\(query.repository)::text IS NULL OR p.repository = \(query.repository))
              AND (\(query.state)::text IS NULL OR p.state = \(query.state))
            ORDER BY p.id LIMIT \(query.page.limit)
            """).map { row in
            let (id, repository, number, state, head, updated, open, reviewing) = try row.decode((Int, String, Int, String, String?, String, Int, Bool).self)
            return PullRequestRecord(id: id, repository: repository, number: number, state: state, headSHA: head, updatedAt: updated,
                                     openFindings: open, reviewing: reviewing)
        }
    }

    static let findingColumns = """
        f.id, p.repository, p.number, f.rule_id, f.kind, f.severity, f.cwe, f.path, f.line, f.end_line, f.message, f.redacted,
        f.status, f.fingerprint, f.first_scan_id, f.last_scan_id, f.fixed_scan_id, f.flow
        """

    public func findings(_ query: FindingQuery) async throws -> [FindingRecord] {
        let state = query.state?.rawValue
        return try await rows(
            """
            SELECT \(unescaped: Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(query.organisation.forge) AND p.organisation = \(query.organisation.login) AND f.id > \(query.page.after)
              AND (\(query.repository)::text IS NULL OR p.repository = \(query.repository))
              AND (\(query.pullRequest)::bigint IS NULL OR p.number = \(query.pullRequest))
              AND (\(query.severity)::text IS NULL OR f.severity = \(query.severity))
              AND (\(state)::text IS NULL OR f.status = \(state))
              AND (\(query.rule)::text IS NULL OR f.rule_id = \(query.rule))
            ORDER BY f.id LIMIT \(query.page.limit)
            """).map(Self.findingRecord)
    }

    public func finding(id: Int, of organisation: OrganisationRef) async throws -> FindingRecord? {
        guard var record = try await rows(
            """
            SELECT \(unescaped: Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
            WHERE p.forge = \(organisation.forge) AND p.organisation = \(organisation.login) AND f.id = \(id)
            """).first.map(Self.findingRecord)
        else { return nil }
        if record.state == FindingState.dismissed.rawValue, let row = try await rows(
            """
            SELECT reason, author, comment, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), expires_at FROM dismissals
            WHERE forge = \(organisation.forge) AND organisation = \(organisation.login) AND finding_id = \(id) ORDER BY id DESC LIMIT 1
            """).first {
            let (reason, author, comment, at, until) = try row.decode((String, String, String?, String, Date?).self)
            record.dismissal = FindingRecord.Dismissal(reason: reason, author: author, comment: comment, dismissedAt: at, until: until)
        }
        return record
    }

    public func dismissFinding(_ d: FindingDismissal, audit entry: AuditEntry) async throws -> DismissalOutcome {
        try await transaction { connection in try await self.dismiss(d, audit: entry, on: connection) }
    }

    /// The dismissal itself, inside the caller's transaction.
    private func dismiss(_ d: FindingDismissal, audit entry: AuditEntry, on connection: PostgresConnection) async throws -> DismissalOutcome {
        do {
            // FOR UPDATE: two dismissals of one finding at once record it once.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.findingColumns), COALESCE(p.installation_id, 0), COALESCE(p.repository_id, 0)
                FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = \(d.organisation.forge) AND p.organisation = \(d.organisation.login) AND f.id = \(d.findingID)
                FOR UPDATE OF f
                """, logger: self.logger).collect()
            guard let row = rows.first else { return .notFound }
            let finding = try Self.findingRecord(row)
            guard finding.state == "open" else { return .notOpen(finding) }
            let columns = row.makeRandomAccess()
            // After the finding's own columns (`findingColumns`, 18 of them).
            let installation = try columns[18].decode(Int.self), repository = try columns[19].decode(Int.self)
            try await connection.query(
                """
                INSERT INTO dismissals (organisation, forge, installation_id, repository_id, target, reason, author, finding_id, comment,
                                        expires_at)
                VALUES (\(d.organisation.login), \(d.organisation.forge), \(installation), \(repository), \(finding.fingerprint),
                        \(d.reason.rawValue), \(d.author), \(d.findingID), \(d.comment), \(d.until))
                """, logger: self.logger)
            try await connection.query("UPDATE findings SET status = 'dismissed' WHERE id = \(d.findingID)", logger: self.logger)
            _ = try await self.appendAudit(entry, on: connection)
            var dismissed = finding
            dismissed.state = "dismissed"
            return .dismissed(dismissed)
        }
    }

    static let requestColumns = "id, finding_id, reason, comment, expires_at, requested_by, created_at, state, decided_by, decided_at"

    static func requestRecord(_ row: PostgresRow) throws -> DismissalRequestRecord {
        let (id, finding, reason, comment, until, requestedBy, requestedAt, state, decidedBy, decidedAt) =
            try row.decode((Int, Int, String, String?, Date?, String, Date, String, String?, Date?).self)
        return DismissalRequestRecord(id: id, findingId: finding, reason: reason, comment: comment, until: until, requestedBy: requestedBy,
                                      requestedAt: requestedAt, state: DismissalRequestRecord.State(rawValue: state) ?? .pending,
                                      decidedBy: decidedBy, decidedAt: decidedAt)
    }

    public func requestDismissal(_ d: FindingDismissal, audit entry: AuditEntry) async throws -> DismissalRequestOutcome {
        try await transaction { connection in
            // FOR UPDATE of the finding: two requests at once leave one pending.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.findingColumns) FROM findings f JOIN pull_requests p ON p.id = f.pull_request_id
                WHERE p.forge = \(d.organisation.forge) AND p.organisation = \(d.organisation.login) AND f.id = \(d.findingID)
                FOR UPDATE OF f
                """, logger: self.logger).collect()
            guard let row = rows.first else { return .notFound }
            guard try Self.findingRecord(row).state == "open" else { return .notOpen }
            let pending = try await connection.query(
                "SELECT \(unescaped: Self.requestColumns) FROM dismissal_requests WHERE finding_id = \(d.findingID) AND state = 'pending'",
                logger: self.logger).collect()
            if let first = pending.first { return .alreadyRequested(try Self.requestRecord(first)) }
            let inserted = try await connection.query(
                """
                INSERT INTO dismissal_requests (forge, organisation, finding_id, reason, comment, expires_at, requested_by, state)
                VALUES (\(d.organisation.forge), \(d.organisation.login), \(d.findingID), \(d.reason.rawValue), \(d.comment), \(d.until),
                        \(d.author), 'pending')
                RETURNING \(unescaped: Self.requestColumns)
                """, logger: self.logger).collect()
            guard let first = inserted.first else { throw StorageError.unexpected("dismissal request insert") }
            let record = try Self.requestRecord(first)
            var audit = entry
            audit.metadata["request"] = "\(record.id)"
            _ = try await self.appendAudit(audit, on: connection)
            return .requested(record)
        }
    }

    public func dismissalRequests(of organisation: OrganisationRef, state: DismissalRequestRecord.State, page: Page) async throws -> [DismissalRequestRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.requestColumns) FROM dismissal_requests
            WHERE forge = \(organisation.forge) AND organisation = \(organisation.login) AND state = \(state.rawValue) AND id > \(page.after)
            ORDER BY id LIMIT \(page.limit)
            """).map(Self.requestRecord)
    }

    public func decideDismissalRequest(id: Int, of organisation: OrganisationRef, decision: DismissalDecision, decider: String,
                                       audit entry: AuditEntry) async throws -> DismissalDecisionOutcome {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.requestColumns) FROM dismissal_requests
                WHERE forge = \(organisation.forge) AND organisation = \(organisation.login) AND id = \(id) FOR UPDATE
                """, logger: self.logger).collect()
            guard let row = rows.first else { return .notFound }
            let request = try Self.requestRecord(row)
            guard request.state == .pending else { return .notPending(request) }
            if decision == .approve, request.requestedBy == decider { return .sameActor }
            func close(_ state: DismissalRequestRecord.State) async throws -> DismissalRequestRecord {
                let updated = try await connection.query(
                    """
                    UPDATE dismissal_requests SET state = \(state.rawValue), decided_by = \(decider), decided_at = now() WHERE id = \(id)
                    RETURNING \(unescaped: Self.requestColumns)
                    """, logger: self.logger).collect()
                guard let first = updated.first else { throw StorageError.unexpected("dismissal request update") }
                return try Self.requestRecord(first)
            }
            var audit = entry
            audit.metadata["request"] = "\(id)"
            audit.metadata["requested_by"] = request.requestedBy
            guard decision == .approve else {
                let closed = try await close(.rejected)
                _ = try await self.appendAudit(audit, on: connection)
                return .rejected(closed)
            }
            audit.metadata["approved_by"] = decider
            audit.metadata["reason"] = request.reason
            let dismissal = FindingDismissal(findingID: request.findingId, organisation: organisation,
                                             reason: DismissalReason(rawValue: request.reason) ?? .wontFix, comment: request.comment,
                                             author: request.requestedBy, until: request.until)
            switch try await self.dismiss(dismissal, audit: audit, on: connection) {
            case .dismissed(let finding):
                _ = try await close(.approved)
                return .approved(finding)
            case .notOpen, .notFound:
                return .findingNotOpen(try await close(.rejected))
            }
        }
    }

    /// As SQLiteStore's: rows naming the organisation's login and, in their metadata, its forge.
    public func auditEvents(of organisation: OrganisationRef, action: String?, target: String?, page: Page) async throws -> [AuditEvent] {
        let login = AuditEvent.storageForm(organisation.login), wanted = action.map(AuditEvent.storageForm)
        let about = target.map(AuditEvent.storageForm)
        let forge = AuditEvent.forgeMarker(organisation.forge)
        return try await rows(
            """
            SELECT id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash FROM audit_events
            WHERE organisation = \(login) AND strpos(metadata, \(forge)) > 0
              AND (\(wanted)::text IS NULL OR action = \(wanted)) AND (\(about)::text IS NULL OR target = \(about)) AND id > \(page.after)
            ORDER BY id LIMIT \(page.limit)
            """).map(Self.auditEvent)
    }

    public func organisationPolicy(of organisation: OrganisationRef) async throws -> OrganisationPolicy {
        try await organisationPolicy(forge: organisation.forge, organisation: organisation.login)
    }

    public func setOrganisationPolicy(_ policy: OrganisationPolicy, of organisation: OrganisationRef, audit entry: AuditEntry) async throws -> [String] {
        let text = try policy.storedText()
        return try await transaction { connection in
            // FOR UPDATE: two changes at once are audited against the policy each one replaced.
            // The row may not exist yet: the second of two first changes then conflicts on the key
            // and its transaction fails whole (nothing written, nothing audited).
            let current = try await connection.query(
                """
                SELECT policy FROM organisation_policies
                WHERE forge = \(organisation.forge) AND organisation = \(organisation.login) FOR UPDATE
                """, logger: self.logger).collect()
            let before = try current.first.map { try OrganisationPolicy.stored(try $0.decode(String.self)) } ?? OrganisationPolicy()
            let changed = policy.changedSettings(from: before)
            guard !changed.isEmpty else { return [] }
            if current.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO organisation_policies (forge, organisation, policy, updated_by)
                    VALUES (\(organisation.forge), \(organisation.login), \(text), \(entry.actor))
                    """, logger: self.logger)
            } else {
                try await connection.query(
                    """
                    UPDATE organisation_policies SET policy = \(text), updated_by = \(entry.actor), updated_at = now()
                    WHERE forge = \(organisation.forge) AND organisation = \(organisation.login)
                    """, logger: self.logger)
            }
            var audit = entry
            audit.metadata["changed"] = changed.joined(separator: ",")
            _ = try await self.appendAudit(audit, on: connection)
            return changed
        }
    }

    public func revokeSession(id: String, of organisation: OrganisationRef, expiresAt: Date, audit entry: AuditEntry) async throws {
        try await transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO revoked_sessions (session_id, expires_at) VALUES (\(id), \(expiresAt))
                ON CONFLICT DO NOTHING RETURNING session_id
                """, logger: self.logger).collect()
            guard !inserted.isEmpty else { return }
            _ = try await self.appendAudit(entry, on: connection)
        }
    }

    /// Through `prune_revoked_sessions()`: the application role may not delete from
    /// `revoked_sessions` itself, and the function deletes only rows expired by the database's clock.
    public func pruneExpiredRevocations() async throws -> Int {
        try await rows("SELECT prune_revoked_sessions() AS pruned").first?.decode(Int.self) ?? 0
    }

    public func recordSignIn(_ session: SignedInSession, audit entry: AuditEntry) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO sessions (id, forge, organisation, subject, role, method, created_at, expires_at)
                VALUES (\(session.id), \(session.organisation.forge), \(session.organisation.login), \(session.subject),
                        \(session.role.rawValue), \(session.method), \(session.createdAt), \(session.expiresAt))
                """, logger: self.logger)
            _ = try await self.appendAudit(entry, on: connection)
        }
    }

    public func sessions(of subject: String, in organisation: OrganisationRef) async throws -> [SignedInSession] {
        try await rows(
            """
            SELECT s.id, s.role, s.method, s.created_at, s.expires_at FROM sessions s
            WHERE s.forge = \(organisation.forge) AND s.organisation = \(organisation.login) AND s.subject = \(subject)
              AND s.expires_at > now() AND NOT EXISTS (SELECT 1 FROM revoked_sessions r WHERE r.session_id = s.id)
            ORDER BY s.created_at, s.id
            """).compactMap { row in
            let (id, role, method, createdAt, expiresAt) = try row.decode((String, String, String, Date, Date).self)
            guard let role = Role(rawValue: role) else { return nil }
            return SignedInSession(id: id, organisation: organisation, subject: subject, role: role, method: method, createdAt: createdAt,
                                   expiresAt: expiresAt)
        }
    }

    public func isSessionRevoked(id: String, of organisation: OrganisationRef) async throws -> Bool {
        !(try await rows("SELECT 1 FROM revoked_sessions WHERE session_id = \(id)").isEmpty)
    }

    // MARK: Rows

    static func findingRecord(_ row: PostgresRow) throws -> FindingRecord {
        let columns = row.makeRandomAccess()
        func int(_ i: Int) throws -> Int { try columns[i].decode(Int.self) }
        func text(_ i: Int) throws -> String { try columns[i].decode(String.self) }
        func optional(_ i: Int) throws -> String? { try columns[i].decode(String?.self) }
        var record = FindingRecord(
            id: try int(0), repository: try text(1), pullRequest: try int(2), ruleID: try text(3), kind: try text(4), severity: try text(5),
            cwe: try optional(6), path: try text(7), line: try int(8), endLine: try int(9), message: try text(10), redacted: try optional(11),
            state: try text(12), fingerprint: try text(13), firstScanID: try int(14), lastScanID: try int(15),
            fixedScanID: try columns[16].decode(Int?.self))
        record.flow = FlowStep.read(stored: try optional(17))
        return record
    }

    static func apiKeyRecord(_ row: PostgresRow) -> APIKeyRecord? {
        let columns = row.makeRandomAccess()
        guard let id = try? columns[0].decode(Int.self), let forge = try? columns[1].decode(String.self),
              let login = try? columns[2].decode(String.self), let name = try? columns[3].decode(String.self),
              let role = (try? columns[4].decode(String.self)).flatMap(Role.init(rawValue:)),
              let prefix = try? columns[6].decode(String.self), let hash = try? columns[7].decode(String.self),
              let createdBy = try? columns[8].decode(String.self), let createdAt = try? columns[9].decode(Date.self)
        else { return nil }
        func time(_ i: Int) -> Date? { (try? columns[i].decode(Date?.self)) ?? nil }
        return APIKeyRecord(
            id: id, organisation: OrganisationRef(forge: forge, login: login), name: name, role: role,
            scopes: APIKeyRecord.scopes(stored: (try? columns[5].decode(String?.self)) ?? nil), displayPrefix: prefix, hash: hash,
            createdBy: createdBy, createdAt: createdAt, expiresAt: time(10), lastUsedAt: time(11), revokedAt: time(12))
    }
}

import CorgiAccess
import CorgiCore
import CorgiReview
import Foundation
import Testing

@Suite("Access store: API keys and tenant-scoped reads, on every engine", .timeLimit(.minutes(2)))
struct AccessStoreTests {
    static let acme = OrganisationRef(forge: "github", login: "acme")
    /// The same login on another forge: another tenant.
    static let acmeOnGitLab = OrganisationRef(forge: "gitlab", login: "acme")
    static let other = OrganisationRef(forge: "github", login: "globex")

    func created(_ store: any ContractStore, _ organisation: OrganisationRef, role: Role = .member, scopes: Set<Permission>? = nil,
                 expiresAt: Date? = nil) async throws -> (APIKeySecret, APIKeyRecord) {
        let secret = APIKeySecret.generate()
        let draft = APIKeyDraft(secret: secret, organisation: organisation, name: "ci \(role)", role: role, scopes: scopes,
                                createdBy: "cli:test", expiresAt: expiresAt)
        let record = try await store.createAPIKey(draft, audit: AuditEntry(actor: "cli:test", action: "api_key.created",
                                                                           target: "api-key", organisation: organisation.login,
                                                                           metadata: ["forge": organisation.forge, "role": role.rawValue]))
        return (secret, record)
    }

    @Test("a key is stored as its hash, found by it, listed only in its organisation, and revoked once", arguments: Backend.available)
    func keyLifecycle(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let expiry = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded())
            let (secret, record) = try await created(store, Self.acme, role: .admin, scopes: [.readFindings, .readAPIKeys], expiresAt: expiry)
            _ = try await created(store, Self.other)
            // Only the hash is stored: no column holds the secret or its random part.
            #expect(try await store.count("api_keys", where: "key_hash = '\(secret.hash)'") == 1)
            #expect(try await store.count("api_keys", where: "key_hash LIKE '%\(secret.value.dropFirst(6).prefix(10))%' OR name LIKE 'corgi_%'") == 0)
            let found = try #require(try await store.apiKey(hash: secret.hash))
            #expect(found.id == record.id && found.organisation == Self.acme && found.role == .admin)
            #expect(found.scopes == [.readFindings, .readAPIKeys])
            #expect(found.expiresAt == expiry && found.revokedAt == nil && found.lastUsedAt == nil)
            #expect(try await store.apiKey(hash: APIKeySecret.generate().hash) == nil)
            #expect(try await store.apiKeys(of: Self.acme).map(\.id) == [record.id])
            #expect(try await store.apiKeys(of: Self.acmeOnGitLab).isEmpty)

            let revoke = AuditEntry(actor: "cli:test", action: "api_key.revoked", target: "api-key:\(record.id)", organisation: "acme")
            // Another organisation cannot revoke it, even knowing its id.
            #expect(try await store.revokeAPIKey(id: record.id, of: Self.other, now: Date(), audit: revoke) == false)
            #expect(try await store.revokeAPIKey(id: record.id, of: Self.acmeOnGitLab, now: Date(), audit: revoke) == false)
            #expect(try await store.revokeAPIKey(id: record.id, of: Self.acme, now: Date(), audit: revoke))
            #expect(try await store.revokeAPIKey(id: record.id, of: Self.acme, now: Date(), audit: revoke) == false)
            let revoked = try #require(try await store.apiKey(hash: secret.hash))
            #expect(revoked.revokedAt != nil && !revoked.isUsable(at: Date()))

            let actions = try await store.auditEvents().map(\.action)
            #expect(actions == ["api_key.created", "api_key.created", "api_key.revoked"])
            #expect(try await store.auditEvents().first?.metadata["key_id"] == "\(record.id)")
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("uses are recorded every time and audited once per interval", arguments: Backend.available)
    func keyUse(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (secret, record) = try await created(store, Self.acme)
            let t0 = Date()
            try await store.recordAPIKeyUse(id: record.id, of: Self.acme, now: t0, auditInterval: 3600)
            try await store.recordAPIKeyUse(id: record.id, of: Self.acme, now: t0.addingTimeInterval(60), auditInterval: 3600)
            try await store.recordAPIKeyUse(id: record.id, of: Self.acme, now: t0.addingTimeInterval(3700), auditInterval: 3600)
            let used = try await store.auditEvents().filter { $0.action == "api_key.used" }
            #expect(used.count == 2)
            #expect(used.allSatisfy { $0.actor == "api-key:\(record.id)" && $0.organisation == "acme" && $0.metadata["forge"] == "github" })
            let last = try #require(try await store.apiKey(hash: secret.hash)?.lastUsedAt)
            #expect(abs(last.timeIntervalSince(t0.addingTimeInterval(3700))) < 0.01)
        }
    }

    /// Pull requests with findings in three organisations, two of them `acme` on different forges.
    func seed(_ store: any ContractStore) async throws {
        var jobID = 0
        func review(_ organisation: OrganisationRef, installation: Int, repository: String, repositoryID: Int, number: Int,
                    _ findings: [Finding]) async throws {
            jobID += 1
            let job = ScanJob(forge: organisation.forge, installationID: installation, repositoryID: repositoryID,
                              organisation: organisation.login, repository: repository, number: number, headSHA: "sha\(jobID)",
                              baseSHA: "base", deliveryID: "d-\(jobID)", trigger: "pull_request.opened")
            let scan = try await store.beginScan(claimed(job, id: jobID))
            try await store.recordScanResult(scanID: scan.scanID, findings: findings, conclusion: "failure", coverage: nil, diff: nil,
                                             audit: ["target": "\(repository)#\(number)"])
            try await store.completeScan(scanID: scan.scanID, audit: published(scan.scanID))
        }
        try await review(Self.acme, installation: 1, repository: "acme/api", repositoryID: 11, number: 1,
                         [finding("a", line: 1), finding("b", line: 2, severity: .critical)])
        try await review(Self.acme, installation: 1, repository: "acme/web", repositoryID: 12, number: 5,
                         [finding("c", line: 3, severity: .medium)])
        try await review(Self.acmeOnGitLab, installation: 0, repository: "acme/api", repositoryID: 11, number: 1,
                         [finding("x", line: 1, severity: .critical), finding("y", line: 2)])
        try await review(Self.other, installation: 2, repository: "globex/api", repositoryID: 21, number: 1, [finding("z", line: 9)])
    }

    @Test("every read is scoped to one organisation on one forge", arguments: Backend.available)
    func tenancy(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            let mine = try await store.findings(FindingQuery(organisation: Self.acme))
            #expect(mine.map(\.ruleID) == ["rule.a", "rule.b", "rule.c"])
            #expect(Set(mine.map(\.repository)) == ["acme/api", "acme/web"])
            #expect(mine.allSatisfy { $0.state == "open" && $0.redacted == "AKIA****" })
            let theirs = try await store.findings(FindingQuery(organisation: Self.acmeOnGitLab))
            #expect(theirs.map(\.ruleID) == ["rule.x", "rule.y"])
            // Ids of another tenant's findings answer nothing, exactly like ids that do not exist.
            for id in theirs.map(\.id) + [99_999] {
                #expect(try await store.finding(id: id, of: Self.acme) == nil)
            }
            #expect(try await store.finding(id: mine[1].id, of: Self.acme)?.severity == "critical")

            let summary = try await store.organisationSummary(Self.acme)
            #expect(summary.repositories == 2 && summary.pullRequests == 2)
            #expect(summary.findingsByState == ["open": 3])
            #expect(summary.openFindingsBySeverity == ["high": 1, "critical": 1, "medium": 1])
            let empty = try await store.organisationSummary(OrganisationRef(forge: "gitea", login: "acme"))
            #expect(empty.pullRequests == 0 && empty.findingsByState.isEmpty)

            #expect(try await store.repositories(of: Self.acme).map(\.name) == ["acme/api", "acme/web"])
            #expect(try await store.repositories(of: Self.acme).map(\.openFindings) == [2, 1])
            #expect(try await store.pullRequests(PullRequestQuery(organisation: Self.acme)).map(\.number) == [1, 5])
            #expect(try await store.pullRequests(PullRequestQuery(organisation: Self.other)).map(\.repository) == ["globex/api"])
        }
    }

    @Test("filters and pages never step outside the organisation", arguments: Backend.available)
    func filtersAndPages(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            func rules(_ query: FindingQuery) async throws -> [String] { try await store.findings(query).map(\.ruleID) }
            #expect(try await rules(FindingQuery(organisation: Self.acme, severity: "critical")) == ["rule.b"])
            #expect(try await rules(FindingQuery(organisation: Self.acme, repository: "acme/web")) == ["rule.c"])
            #expect(try await rules(FindingQuery(organisation: Self.acme, repository: "acme/api", pullRequest: 1)) == ["rule.a", "rule.b"])
            #expect(try await rules(FindingQuery(organisation: Self.acme, state: .fixed)).isEmpty)
            #expect(try await rules(FindingQuery(organisation: Self.acme, rule: "rule.x")).isEmpty)
            // Pages in id order; the cursor of another tenant's row skips nothing of ours into theirs.
            let first = try await store.findings(FindingQuery(organisation: Self.acme, page: Page(after: 0, limit: 2)))
            #expect(first.map(\.ruleID) == ["rule.a", "rule.b"])
            let second = try await store.findings(FindingQuery(organisation: Self.acme, page: Page(after: first[1].id, limit: 2)))
            #expect(second.map(\.ruleID) == ["rule.c"])
            #expect(try await store.findings(FindingQuery(organisation: Self.acme, page: Page(after: second[0].id, limit: 2))).isEmpty)
            #expect(Page(after: -5, limit: 100_000) == Page(after: 0, limit: Page.maximumLimit))
            #expect(Page(limit: 0).limit == 1)
        }
    }

    @Test("a dismissal through the API follows the fingerprint into the repository's later reviews", arguments: Backend.available)
    func dismissal(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            // The same finding (same fingerprint) in another organisation's repository.
            let elsewhere = ScanJob(forge: "github", installationID: 2, repositoryID: 21, organisation: "globex", repository: "globex/api",
                                    number: 3, headSHA: "sha-g", baseSHA: "base", deliveryID: "d-globex-a", trigger: "pull_request.opened")
            let elsewhereScan = try await store.beginScan(claimed(elsewhere, id: 99))
            try await store.recordScanResult(scanID: elsewhereScan.scanID, findings: [finding("a", line: 1)], conclusion: "failure", coverage: nil,
                                             diff: nil, audit: ["target": "globex/api#3"])
            let a = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.a")).first)
            let audit = AuditEntry(actor: "api-key:1", action: "finding.dismissed", target: "finding:\(a.id)", organisation: "acme",
                                   metadata: ["reason": "false_positive"])
            func dismiss(_ id: Int, _ organisation: OrganisationRef) async throws -> DismissalOutcome {
                try await store.dismissFinding(FindingDismissal(findingID: id, organisation: organisation, reason: .falsePositive,
                                                                comment: "a test fixture", author: "api-key:1"), audit: audit)
            }
            // Another tenant cannot dismiss it.
            #expect(try await dismiss(a.id, Self.acmeOnGitLab) == .notFound)
            #expect(try await dismiss(a.id, Self.other) == .notFound)
            guard case .dismissed(let dismissed) = try await dismiss(a.id, Self.acme) else { Issue.record("not dismissed"); return }
            #expect(dismissed.state == "dismissed")
            guard case .notOpen = try await dismiss(a.id, Self.acme) else { Issue.record("dismissed twice"); return }
            #expect(try await store.finding(id: a.id, of: Self.acme)?.state == "dismissed")
            #expect(try await store.count("dismissals", where: "finding_id = \(a.id) AND comment_id IS NULL") == 1)
            #expect(try await store.auditEvents().filter { $0.action == "finding.dismissed" }.count == 1)
            // The next review of the pull request finds it again: it stays dismissed. Another pull
            // request of the same repository with the same finding never opens it.
            for (number, delivery) in [(1, "d-again"), (2, "d-other-pr")] {
                let job = ScanJob(forge: "github", installationID: 1, repositoryID: 11, organisation: "acme", repository: "acme/api",
                                  number: number, headSHA: "sha-\(delivery)", baseSHA: "base", deliveryID: delivery, trigger: "pull_request.synchronize")
                let scan = try await store.beginScan(claimed(job, id: 100 + number))
                try await store.recordScanResult(scanID: scan.scanID, findings: [finding("a", line: 1)], conclusion: "failure", coverage: nil,
                                                 diff: nil, audit: ["target": "acme/api#\(number)"])
            }
            let open = try await store.findings(FindingQuery(organisation: Self.acme, state: .open)).map(\.ruleID)
            #expect(!open.contains("rule.a"))
            // The same fingerprint in another organisation's repository is untouched.
            #expect(try await store.findings(FindingQuery(organisation: Self.other, state: .open)).map(\.ruleID) == ["rule.z", "rule.a"])
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("a dismissal until a date: in force until then, the finding reopens after it (audited), and may be dismissed again",
          arguments: Backend.available)
    func dismissalUntil(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            let a = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.a")).first)
            let b = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.b")).first)
            func dismiss(_ id: Int, until: Date?) async throws -> DismissalOutcome {
                try await store.dismissFinding(
                    FindingDismissal(findingID: id, organisation: Self.acme, reason: .acceptedRisk, comment: "the CISO's call", author: "api-key:1", until: until),
                    audit: AuditEntry(actor: "api-key:1", action: "finding.dismissed", target: "finding:\(id)", organisation: "acme"))
            }
            // `b` for a month, `a` until a moment already past (as a month later would be).
            guard case .dismissed = try await dismiss(b.id, until: Date().addingTimeInterval(30 * 86400)),
                  case .dismissed = try await dismiss(a.id, until: Date().addingTimeInterval(-1))
            else { Issue.record("not dismissed"); return }
            let targets = try await store.dismissedTargets(forge: "github", installationID: 1, repositoryID: 11)
            #expect(targets.contains(b.fingerprint) && !targets.contains(a.fingerprint))
            #expect(try await store.reopenExpiredDismissals() == 1)
            #expect(try await store.finding(id: a.id, of: Self.acme)?.state == "open")
            #expect(try await store.finding(id: b.id, of: Self.acme)?.state == "dismissed")
            // The single finding's answer says who dismissed it, why and until when; lists and reopened findings do not.
            let shown = try #require(try await store.finding(id: b.id, of: Self.acme)?.dismissal)
            #expect(shown.reason == "accepted_risk" && shown.author == "api-key:1" && shown.comment == "the CISO's call")
            #expect(abs((shown.until?.timeIntervalSinceNow ?? 0) - 30 * 86400) < 120 && shown.dismissedAt.hasPrefix("20"))
            #expect(try await store.finding(id: a.id, of: Self.acme)?.dismissal == nil)
            #expect(try await store.findings(FindingQuery(organisation: Self.acme)).allSatisfy { $0.dismissal == nil })
            #expect(try await store.finding(id: b.id, of: Self.acmeOnGitLab) == nil)
            #expect(try await store.reopenExpiredDismissals() == 0, "reopened once")
            let reopened = try await store.auditEvents().filter { $0.action == "finding.reopened" }
            #expect(reopened.map(\.target) == ["finding:\(a.id)"] && reopened.first?.organisation == "acme")
            // Reopened, it is dismissed again, for good this time: the sweep leaves it.
            guard case .dismissed = try await dismiss(a.id, until: nil) else { Issue.record("not dismissed again"); return }
            #expect(try await store.reopenExpiredDismissals() == 0)
            #expect(try await store.finding(id: a.id, of: Self.acme)?.state == "dismissed")
            #expect(try await store.finding(id: a.id, of: Self.acme)?.dismissal?.until == nil)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("four eyes: one pending request per finding, approved only by someone else, the dismissal the requester's, all audited",
          arguments: Backend.available)
    func fourEyes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            let a = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.a")).first)
            let b = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.b")).first)
            let c = try #require(try await store.findings(FindingQuery(organisation: Self.acme, rule: "rule.c")).first)
            func request(_ id: Int, by author: String, in organisation: OrganisationRef = Self.acme) async throws -> DismissalRequestOutcome {
                try await store.requestDismissal(
                    FindingDismissal(findingID: id, organisation: organisation, reason: .falsePositive, comment: "why", author: author),
                    audit: AuditEntry(actor: author, action: "finding.dismissal_requested", target: "finding:\(id)", organisation: organisation.login))
            }
            func decide(_ id: Int, _ decision: DismissalDecision, by decider: String, in organisation: OrganisationRef = Self.acme) async throws
                -> DismissalDecisionOutcome {
                try await store.decideDismissalRequest(id: id, of: organisation, decision: decision, decider: decider, audit: AuditEntry(
                    actor: decider, action: decision == .approve ? "finding.dismissed" : "finding.dismissal_rejected", target: "request:\(id)",
                    organisation: organisation.login))
            }
            guard case .requested(let first) = try await request(a.id, by: "api-key:1") else { Issue.record("not requested"); return }
            #expect(first.state == .pending && first.requestedBy == "api-key:1" && first.comment == "why")
            guard case .alreadyRequested(let same) = try await request(a.id, by: "api-key:2"), same.id == first.id else {
                Issue.record("a second pending request"); return
            }
            #expect(try await request(a.id, by: "api-key:2", in: Self.other) == .notFound)
            #expect(try await store.finding(id: a.id, of: Self.acme)?.state == "open", "a request dismisses nothing")
            #expect(try await store.dismissalRequests(of: Self.acme, state: .pending, page: Page()).map(\.id) == [first.id])
            #expect(try await store.dismissalRequests(of: Self.other, state: .pending, page: Page()).isEmpty)
            #expect(try await store.dismissalRequests(of: Self.acmeOnGitLab, state: .pending, page: Page()).isEmpty)
            // The requester cannot approve; another organisation cannot see the request.
            #expect(try await decide(first.id, .approve, by: "api-key:1") == .sameActor)
            #expect(try await decide(first.id, .approve, by: "api-key:9", in: Self.other) == .notFound)
            guard case .approved(let dismissed) = try await decide(first.id, .approve, by: "api-key:2") else { Issue.record("not approved"); return }
            #expect(dismissed.id == a.id && dismissed.state == "dismissed")
            #expect(try await store.finding(id: a.id, of: Self.acme)?.state == "dismissed")
            #expect(try await store.count("dismissals", where: "finding_id = \(a.id) AND author = 'api-key:1'") == 1)
            guard case .notPending(let closed) = try await decide(first.id, .reject, by: "api-key:3") else { Issue.record("decided twice"); return }
            #expect(closed.state == .approved && closed.decidedBy == "api-key:2" && closed.decidedAt != nil)
            // The requester may withdraw.
            guard case .requested(let second) = try await request(b.id, by: "api-key:1"),
                  case .rejected(let withdrawn) = try await decide(second.id, .reject, by: "api-key:1")
            else { Issue.record("not withdrawn"); return }
            #expect(withdrawn.state == .rejected && withdrawn.decidedBy == "api-key:1")
            #expect(try await store.finding(id: b.id, of: Self.acme)?.state == "open")
            // A finding dismissed meanwhile closes its request.
            guard case .requested(let third) = try await request(c.id, by: "api-key:1") else { Issue.record("not requested"); return }
            _ = try await store.dismissFinding(FindingDismissal(findingID: c.id, organisation: Self.acme, reason: .wontFix, comment: nil, author: "api-key:4"),
                                               audit: AuditEntry(actor: "api-key:4", action: "finding.dismissed", target: "finding:\(c.id)", organisation: "acme"))
            guard case .findingNotOpen(let void) = try await decide(third.id, .approve, by: "api-key:2") else { Issue.record("approved a dismissed finding"); return }
            #expect(void.state == .rejected)
            #expect(try await store.dismissalRequests(of: Self.acme, state: .pending, page: Page()).isEmpty)
            let actions = try await store.auditEvents().map(\.action).filter { $0.hasPrefix("finding.") }
            #expect(actions == ["finding.dismissal_requested", "finding.dismissed", "finding.dismissal_requested", "finding.dismissal_rejected",
                                "finding.dismissal_requested", "finding.dismissed"])
            let approval = try #require(try await store.auditEvents().first { $0.action == "finding.dismissed" })
            #expect(approval.metadata["requested_by"] == "api-key:1" && approval.metadata["approved_by"] == "api-key:2")
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("an organisation's audit trail holds its rows only: not another organisation's, not the same login on another forge",
          arguments: Backend.available)
    func auditTrail(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for (organisation, action) in [(Self.acme, "api_key.created"), (Self.acmeOnGitLab, "api_key.created"), (Self.other, "api_key.created"),
                                           (Self.acme, "organisation.policy_changed"), (Self.acme, "api_key.created")] {
                try await store.audit(actor: "api-key:1", action: action, target: "t", organisation: organisation.login,
                                      metadata: ["forge": organisation.forge])
            }
            // A row naming the login without a forge (as rows from before forges were recorded) is left out.
            try await store.audit(actor: "worker", action: "review.published", target: "acme/api#1", organisation: "acme", metadata: [:])
            let acme = try await store.auditEvents(of: Self.acme, action: nil, target: nil, page: Page())
            #expect(acme.map(\.id) == [1, 4, 5])
            #expect(acme.allSatisfy { $0.organisation == "acme" && $0.metadata["forge"] == "github" })
            #expect(try await store.auditEvents(of: Self.acmeOnGitLab, action: nil, target: nil, page: Page()).map(\.id) == [2])
            #expect(try await store.auditEvents(of: Self.other, action: nil, target: nil, page: Page()).map(\.id) == [3])
            #expect(try await store.auditEvents(of: Self.acme, action: "api_key.created", target: nil, page: Page()).map(\.id) == [1, 5])
            #expect(try await store.auditEvents(of: Self.acme, action: nil, target: nil, page: Page(after: 1, limit: 1)).map(\.id) == [4])
            #expect(try await store.auditEvents(of: Self.acme, action: "nothing", target: nil, page: Page()).isEmpty)
            #expect(try await store.auditEvents(of: Self.acme, action: nil, target: "t", page: Page()).map(\.id) == [1, 4, 5])
            #expect(try await store.auditEvents(of: Self.acme, action: nil, target: "other", page: Page()).isEmpty)
            // The rows come back as stored: the chain verifies from them.
            #expect(try await store.verifyAuditChain().firstBroken == nil)
            // A value that spells the pair is not the pair (JSON escapes its quotes).
            try await store.audit(actor: "api-key:1", action: "api_key.created", target: "t", organisation: "acme",
                                  metadata: ["forge": "gitlab", "note": #""forge":"github""#])
            #expect(try await store.auditEvents(of: Self.acme, action: nil, target: nil, page: Page()).map(\.id) == [1, 4, 5])
            #expect(try await store.auditEvents(of: Self.acmeOnGitLab, action: nil, target: nil, page: Page()).map(\.id) == [2, 7])
            // One target's rows only (a finding's history), in this organisation only.
            try await store.audit(actor: "user:alice", action: "finding.dismissed", target: "finding:9", organisation: "acme", metadata: ["forge": "github"])
            try await store.audit(actor: "user:bob", action: "finding.dismissed", target: "finding:9", organisation: "acme", metadata: ["forge": "gitlab"])
            #expect(try await store.auditEvents(of: Self.acme, action: nil, target: "finding:9", page: Page()).map(\.actor) == ["user:alice"])
            #expect(try await store.auditEvents(of: Self.acme, action: "finding.dismissed", target: "finding:90", page: Page()).isEmpty)
            // A row whose metadata was edited into something that is not JSON (appended at the head
            // as the triggers allow, by someone with the database's password): the trail still
            // lists, the row shows, and verification finds the break.
            let head = try #require(try await store.auditEvents().last)
            try await store.execute("""
                INSERT INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash)
                VALUES (\(head.id + 1), '2026-12-07T00:00:00Z', 'mallory', 'api_key.created', 't', 'acme', '{"forge":"github", not json',
                        '\(head.hash)', 'forged')
                """)
            let listed = try await store.auditEvents(of: Self.acme, action: nil, target: nil, page: Page())
            #expect(listed.map(\.id) == [1, 4, 5, 8, head.id + 1])
            #expect(try await store.verifyAuditChain().firstBroken?.id == head.id + 1)
        }
    }

    @Test("a person's sessions: listed to them only, without ended or expired ones; expired rows are pruned", arguments: Backend.available)
    func signedInSessions(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let now = Date()
            func record(_ id: String, _ subject: String, _ organisation: OrganisationRef, expires: TimeInterval) async throws {
                try await store.recordSignIn(
                    SignedInSession(id: id, organisation: organisation, subject: subject, role: .member, method: "oidc",
                                    createdAt: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(expires)),
                    audit: AuditEntry(actor: "user:\(subject)", action: "sign_in.succeeded", target: "session", organisation: organisation.login,
                                      metadata: ["forge": organisation.forge]))
            }
            try await record("s-laptop", "alice", Self.acme, expires: 3600)
            try await record("s-phone", "alice", Self.acme, expires: 1800)
            try await record("s-old", "alice", Self.acme, expires: -1)
            try await record("s-bob", "bob", Self.acme, expires: 3600)
            try await record("s-gitlab", "alice", Self.acmeOnGitLab, expires: 3600)
            #expect(Set(try await store.sessions(of: "alice", in: Self.acme).map(\.id)) == ["s-laptop", "s-phone"])
            #expect(try await store.sessions(of: "alice", in: Self.acmeOnGitLab).map(\.id) == ["s-gitlab"])
            #expect(try await store.sessions(of: "alice", in: Self.other).isEmpty)
            try await store.revokeSession(id: "s-phone", of: Self.acme, expiresAt: now.addingTimeInterval(1800), audit: AuditEntry(
                actor: "user:alice", action: "session.ended", target: "session", organisation: "acme", metadata: ["forge": "github"]))
            #expect(try await store.sessions(of: "alice", in: Self.acme).map(\.id) == ["s-laptop"])
            _ = try await store.pruneExpiredRevocations()
            #expect(try await store.count("sessions") == 4, "only the expired session is forgotten")
            #expect(try await store.auditEvents().filter { $0.action == "sign_in.succeeded" }.count == 5)
        }
    }

    @Test("a signed-out session is listed as revoked once, audited once", arguments: Backend.available)
    func sessionRevocation(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let audit = AuditEntry(actor: "user:github/acme/alice", action: "sign_out", target: "session", organisation: "acme",
                                   metadata: ["forge": "github"])
            #expect(try await store.isSessionRevoked(id: "sid-1", of: Self.acme) == false)
            try await store.revokeSession(id: "sid-1", of: Self.acme, expiresAt: Date().addingTimeInterval(3600), audit: audit)
            try await store.revokeSession(id: "sid-1", of: Self.acme, expiresAt: Date().addingTimeInterval(3600), audit: audit)
            #expect(try await store.isSessionRevoked(id: "sid-1", of: Self.acme))
            #expect(try await store.isSessionRevoked(id: "sid-2", of: Self.acme) == false)
            #expect(try await store.auditEvents().map(\.action) == ["sign_out"])
        }
    }

    @Test("revocations of expired sessions are forgotten, those of live sessions never", arguments: Backend.available)
    func pruningRevocations(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let audit = AuditEntry(actor: "user:github/acme/alice", action: "sign_out", target: "session", organisation: "acme",
                                   metadata: ["forge": "github"])
            try await store.revokeSession(id: "expired", of: Self.acme, expiresAt: Date().addingTimeInterval(-60), audit: audit)
            try await store.revokeSession(id: "live", of: Self.acme, expiresAt: Date().addingTimeInterval(3600), audit: audit)
            #expect(try await store.pruneExpiredRevocations() == 1)
            #expect(try await store.isSessionRevoked(id: "expired", of: Self.acme) == false)
            #expect(try await store.isSessionRevoked(id: "live", of: Self.acme))
            #expect(try await store.pruneExpiredRevocations() == 0)
            // The audit log keeps both sign-outs: pruning forgets a revocation, never its record.
            #expect(try await store.auditEvents().map(\.action) == ["sign_out", "sign_out"])
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("an organisation's policy: defaults until set, changes audited once with their names, scoped to one organisation on one forge",
          arguments: Backend.available)
    func organisationPolicy(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            func audit(_ organisation: OrganisationRef) -> AuditEntry {
                AuditEntry(actor: "api-key:1", action: "organisation.policy_changed", target: "organisation:\(organisation.login)",
                           organisation: organisation.login, metadata: ["forge": organisation.forge])
            }
            #expect(try await store.organisationPolicy(of: Self.acme) == OrganisationPolicy())
            let strict = OrganisationPolicy(failOn: "medium", ignorePaths: ["vendor/**"], diffRetentionDays: 30, fourEyes: true)
            #expect(try await store.setOrganisationPolicy(strict, of: Self.acme, audit: audit(Self.acme))
                    == ["fail_on", "ignore_paths", "diff_retention_days", "four_eyes"])
            #expect(try await store.organisationPolicy(of: Self.acme) == strict)
            // The review side reads the same row.
            #expect(try await store.organisationPolicy(forge: "github", organisation: "acme") == strict)
            // The same login on another forge, and another organisation, keep the defaults.
            #expect(try await store.organisationPolicy(of: Self.acmeOnGitLab) == OrganisationPolicy())
            #expect(try await store.organisationPolicy(of: Self.other) == OrganisationPolicy())
            // Setting the same policy again changes and audits nothing.
            #expect(try await store.setOrganisationPolicy(strict, of: Self.acme, audit: audit(Self.acme)).isEmpty)
            var relaxed = strict
            relaxed.fourEyes = false
            #expect(try await store.setOrganisationPolicy(relaxed, of: Self.acme, audit: audit(Self.acme)) == ["four_eyes"])
            #expect(try await store.organisationPolicy(of: Self.acme) == relaxed)
            let events = try await store.auditEvents()
            #expect(events.map(\.action) == ["organisation.policy_changed", "organisation.policy_changed"])
            #expect(events.map { $0.metadata["changed"] } == ["fail_on,ignore_paths,diff_retention_days,four_eyes", "four_eyes"])
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }
}

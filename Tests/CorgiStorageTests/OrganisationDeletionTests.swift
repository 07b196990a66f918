import CorgiAccess
import CorgiCore
import CorgiReview
import Foundation
import Testing

/// Deleting an organisation, on every engine: every row of it goes, read back from the tables
/// themselves; nothing of another tenant moves (the same login on another forge included); its
/// keys and sessions stop working; the tombstone verifies in the chain.
extension AccessStoreTests {
    @Test("deleting an organisation removes every row it has, and only its rows, revokes its sessions and leaves a verifying tombstone",
          arguments: Backend.available)
    func organisationDeletion(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            let now = Date()
            // Everything else an organisation can have, for acme and for the same login on GitLab.
            var keys: [OrganisationRef: APIKeySecret] = [:]
            for organisation in [Self.acme, Self.acmeOnGitLab] {
                keys[organisation] = try await created(store, organisation, role: .owner).0
                try await store.recordSignIn(
                    SignedInSession(id: "s-\(organisation.forge)", organisation: organisation, subject: "alice", role: .owner, method: "oidc",
                                    createdAt: now, expiresAt: now.addingTimeInterval(3600)),
                    audit: AuditEntry(actor: "user:alice", action: "sign_in.succeeded", target: "session", organisation: organisation.login,
                                      metadata: ["forge": organisation.forge]))
                _ = try await store.setOrganisationPolicy(OrganisationPolicy(failOn: "low"), of: organisation, audit: AuditEntry(
                    actor: "user:alice", action: "organisation.policy_changed", target: "organisation", organisation: organisation.login,
                    metadata: ["forge": organisation.forge]))
                let findings = try await store.findings(FindingQuery(organisation: organisation))
                _ = try await store.dismissFinding(
                    FindingDismissal(findingID: findings[0].id, organisation: organisation, reason: .falsePositive, comment: "fixture", author: "alice"),
                    audit: AuditEntry(actor: "alice", action: "finding.dismissed", target: "finding", organisation: organisation.login))
                _ = try await store.requestDismissal(
                    FindingDismissal(findingID: findings[1].id, organisation: organisation, reason: .wontFix, comment: nil, author: "bob"),
                    audit: AuditEntry(actor: "bob", action: "finding.dismissal_requested", target: "finding", organisation: organisation.login))
                // A review with a diff kept in the object store.
                let job = ScanJob(forge: organisation.forge, installationID: 7, repositoryID: 70, organisation: organisation.login,
                                  repository: "acme/diffs", number: 9, headSHA: "sha-d", baseSHA: "base", deliveryID: "d-\(organisation.forge)",
                                  trigger: "pull_request.opened")
                let scan = try await store.beginScan(claimed(job, id: organisation.forge == "github" ? 501 : 502))
                try await store.recordScanResult(scanID: scan.scanID, findings: [], conclusion: "success", coverage: nil,
                                                 diff: (objectKey: "diffs/\(organisation.forge)/7/70/9/sha-d-\(scan.scanID)", bytes: 10,
                                                        expiresAt: now.addingTimeInterval(86_400)),
                                                 audit: ["target": "acme/diffs#9"])
            }
            let before = try await store.auditEvents().count
            let theirFindings = try await store.findings(FindingQuery(organisation: Self.acmeOnGitLab)).count
            let globexFindings = try await store.findings(FindingQuery(organisation: Self.other)).count

            let deletion = try await store.deleteOrganisation(Self.acme, actor: "api-key:1", reason: "requested through the API")
            #expect(deletion.removed["findings"] == 3 && deletion.removed["reviews"] == 3 && deletion.removed["pull_requests"] == 3)
            #expect(deletion.removed["api_keys"] == 1 && deletion.removed["sessions"] == 1 && deletion.removed["policies"] == 1)
            #expect(deletion.removed["dismissals"] == 1 && deletion.removed["dismissal_requests"] == 1)
            #expect(deletion.diffsExpired == 1)

            // Read back from the tables, not through the API's queries.
            let acmeRows = "forge = 'github' AND organisation = 'acme'"
            for table in ["pull_requests", "api_keys", "sessions", "organisation_policies", "dismissals", "dismissal_requests"] {
                #expect(try await store.count(table, where: acmeRows) == 0, "\(table)")
            }
            for table in ["findings", "scans"] {
                #expect(try await store.count(table, where: "organisation = 'acme' AND pull_request_id NOT IN (SELECT id FROM pull_requests)") == 0,
                        "\(table)")
                #expect(try await store.count(table, where: "pull_request_id IN (SELECT id FROM pull_requests WHERE \(acmeRows))") == 0, "\(table)")
            }
            #expect(try await store.count("diffs", where: "object_key LIKE 'diffs/github/%' AND scan_id IS NOT NULL") == 0)
            // Through the API's reads too: an organisation with nothing.
            #expect(try await store.findings(FindingQuery(organisation: Self.acme)).isEmpty)
            #expect(try await store.organisationSummary(Self.acme).pullRequests == 0)
            #expect(try await store.organisationPolicy(of: Self.acme) == OrganisationPolicy())
            #expect(try await store.apiKey(hash: keys[Self.acme]!.hash) == nil, "the key no longer authenticates")
            #expect(try await store.isSessionRevoked(id: "s-github", of: Self.acme), "a signed session cookie stays refused until it expires")

            // Nothing of another tenant moved: the same login on GitLab, and globex.
            #expect(try await store.findings(FindingQuery(organisation: Self.acmeOnGitLab)).count == theirFindings)
            #expect(try await store.findings(FindingQuery(organisation: Self.other)).count == globexFindings)
            #expect(try await store.apiKey(hash: keys[Self.acmeOnGitLab]!.hash) != nil)
            #expect(try await store.isSessionRevoked(id: "s-gitlab", of: Self.acmeOnGitLab) == false)
            #expect(try await store.organisationPolicy(of: Self.acmeOnGitLab).failOn == "low")
            #expect(try await store.count("diffs", where: "object_key LIKE 'diffs/gitlab/%' AND scan_id IS NOT NULL AND deleted_at IS NULL") == 1)

            // The tombstone: one sealed row naming the counts, and the chain still verifies.
            let events = try await store.auditEvents()
            #expect(events.count == before + 1)
            let tombstone = try #require(events.last)
            #expect(tombstone.id == deletion.auditEventID && tombstone.action == "organisation.deleted" && tombstone.actor == "api-key:1")
            #expect(tombstone.organisation == "acme" && tombstone.metadata["forge"] == "github" && tombstone.metadata["findings"] == "3")
            #expect(tombstone.metadata["reason"] == "requested through the API")
            #expect(try await store.verifyAuditChain().firstBroken == nil)
            #expect(try await store.count("organisation_deletions", where: "organisation = 'acme' AND forge = 'github'") == 1)

            // The diff: expired at once; once the sweeper deleted its object, its row is forgotten.
            let expired = try await store.expiredDiffs(now: Date().addingTimeInterval(1))
            #expect(expired.map(\.objectKey).filter { $0.hasPrefix("diffs/github/") }.count == 1)
            #expect(try await store.forgetDetachedDiffs() == 0, "not before its object is deleted")
            for diff in expired { try await store.markDiffDeleted(diff) }
            #expect(try await store.forgetDetachedDiffs() == 1)
            #expect(try await store.count("diffs", where: "object_key LIKE 'diffs/github/%'") == 0)
            #expect(try await store.count("diffs", where: "object_key LIKE 'diffs/gitlab/%'") == 1)

            // Deleting again finds nothing, and says so in a second tombstone.
            let again = try await store.deleteOrganisation(Self.acme, actor: "api-key:1", reason: "requested through the API")
            #expect(again.removed.values.allSatisfy { $0 == 0 } && again.diffsExpired == 0)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("an account that removed the App is due for deletion after the grace period, unless it installed it again",
          arguments: Backend.available)
    func uninstalledOrganisations(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            func change(_ id: String, _ kind: InstallationChange.Kind, installation: Int, account: String) async throws {
                _ = try await store.recordDelivery(delivery(
                    id, installation: InstallationChange(kind: kind, installationID: installation, account: account, repositories: ["\(account)/a"]),
                    event: "installation"))
            }
            try await change("i-1", .installed, installation: 1, account: "gone")
            try await change("i-2", .installed, installation: 2, account: "back")
            try await change("i-3", .installed, installation: 3, account: "staying")
            try await change("i-4", .uninstalled, installation: 1, account: "gone")
            try await change("i-5", .uninstalled, installation: 2, account: "back")
            try await change("i-6", .installed, installation: 4, account: "back")
            #expect(try await store.organisationsUninstalled(before: Date().addingTimeInterval(-60)).isEmpty, "still within the grace period")
            let due = try await store.organisationsUninstalled(before: Date().addingTimeInterval(60))
            #expect(due == [OrganisationRef(forge: "github", login: "gone")])
            _ = try await store.deleteOrganisation(due[0], actor: "sweeper", reason: "uninstalled")
            #expect(try await store.count("organisations", where: "login = 'gone'") == 0)
            #expect(try await store.count("repositories", where: "full_name = 'gone/a'") == 0)
            #expect(try await store.count("organisations") == 3)
            #expect(try await store.organisationsUninstalled(before: Date().addingTimeInterval(60)).isEmpty)
        }
    }
}

extension AccessStoreTests {
    @Test("review retention: a closed pull request's results go after the organisation's days, open ones and other tenants stay",
          arguments: Backend.available)
    func reviewRetention(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await seed(store)
            let policyAudit = AuditEntry(actor: "api-key:1", action: "organisation.policy_changed", target: "organisation", organisation: "acme",
                                         metadata: ["forge": "github"])
            _ = try await store.setOrganisationPolicy(OrganisationPolicy(reviewRetentionDays: 30), of: Self.acme, audit: policyAudit)
            _ = try await store.setOrganisationPolicy(OrganisationPolicy(failOn: "low"), of: Self.other, audit: policyAudit)
            #expect(try await store.reviewRetentions() == [ReviewRetention(organisation: Self.acme, days: 30)])
            // acme/api#1 closes (with a pending dismissal request on one finding); acme/web#5 stays open.
            let closing = try await store.findings(FindingQuery(organisation: Self.acme, repository: "acme/api"))
            _ = try await store.requestDismissal(
                FindingDismissal(findingID: closing[0].id, organisation: Self.acme, reason: .wontFix, comment: nil, author: "bob"),
                audit: AuditEntry(actor: "bob", action: "finding.dismissal_requested", target: "finding", organisation: "acme"))
            try await store.markPullRequestClosed(PullRequestKey(forge: "github", installationID: 1, repositoryID: 11, number: 1))
            // The same login on GitLab closes its pull request too, but keeps results for good.
            try await store.markPullRequestClosed(PullRequestKey(forge: "gitlab", installationID: 0, repositoryID: 11, number: 1))

            #expect(try await store.expireReviewResults(of: Self.acme, closedBefore: Date().addingTimeInterval(-60)) == 0,
                    "closed just now: within its retention")
            let events = try await store.auditEvents().count
            #expect(try await store.expireReviewResults(of: Self.acme, closedBefore: Date().addingTimeInterval(60)) == 1)
            #expect(try await store.findings(FindingQuery(organisation: Self.acme)).map(\.repository) == ["acme/web"])
            #expect(try await store.pullRequests(PullRequestQuery(organisation: Self.acme)).map(\.number) == [5])
            #expect(try await store.count("dismissal_requests") == 0)
            #expect(try await store.findings(FindingQuery(organisation: Self.acmeOnGitLab)).count == 2)
            let expired = try #require(try await store.auditEvents().last)
            #expect(try await store.auditEvents().count == events + 1)
            #expect(expired.action == "reviews.expired" && expired.actor == "sweeper" && expired.organisation == "acme")
            #expect(expired.metadata["forge"] == "github" && expired.metadata["findings"] == "2" && expired.metadata["pull_requests"] == "1")
            #expect(expired.metadata["dismissal_requests"] == "1")
            // Nothing left to expire: nothing written.
            #expect(try await store.expireReviewResults(of: Self.acme, closedBefore: Date().addingTimeInterval(60)) == 0)
            #expect(try await store.auditEvents().count == events + 1)
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }
}

import CorgiCore
import CorgiDetection
import CorgiReview
import Foundation
import Logging
import Testing

/// The whole review on in-memory fakes: no database, no HTTP, one rule.
@Suite("Review runner: the review on in-memory fakes, crashed and resumed at every step")
struct ReviewRunnerTests {
    static let rules = TestRules.ruleSet("""
            rules:
              - id: fake-token
                title: Fake token
                kind: secret
                severity: high
                cwe: CWE-798
                message: A fake token is committed.
                keywords: [corgi_fake_]
                regex: '\\b(corgi_fake_[a-z0-9]{16})\\b'
            """, name: "review-tests")

    static func diff(_ lines: [(path: String, tokens: [String])]) -> [UInt8] {
        var text = ""
        for (path, tokens) in lines {
            text += "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -0,0 +1,\(tokens.count) @@\n"
            for token in tokens { text += "+let key = \"\(token)\"\n" }
        }
        return Array(text.utf8)
    }

    static let tokenA = "corgi_fake_q8wm3zr6tk1yv4np", tokenB = "corgi_fake_7lc2hx9bq8wm3zr6", tokenC = "corgi_fake_x1y2z3w4v5u6t7s8"

    static func job(head: String, delivery: String) -> ClaimedJob {
        ClaimedJob(id: 1, job: ScanJob(forge: "fake", installationID: 1, repositoryID: 42, organisation: "octo", repository: "octo/widgets",
                                       number: 7, headSHA: head, baseSHA: "base", deliveryID: delivery, trigger: "synchronize"),
                   attempt: 1, leaseOwner: "test")
    }

    struct World {
        let faults: Faults
        let store: InMemoryReviewStore
        let pr: FakePullRequestState
        let runner: ReviewRunner
    }

    static func world(diff: [UInt8], head: String = "aaaa111", crashAt: Int? = nil) -> World {
        let faults = Faults(crashAt: crashAt)
        let store = InMemoryReviewStore(faults: faults)
        let pr = FakePullRequestState(faults: faults, headSHA: head, diff: .whole(diff))
        let runner = ReviewRunner(store: store, objects: InMemoryObjectStore(), forges: ["fake": FakeForge(pullRequest: pr)], ruleSet: rules,
                                  scanOptions: ScanOptions(),
                                  policy: ReviewPolicy(checkName: "Code Corgi", failOn: .high, maximumInlineComments: 10, defaultRetentionDays: 30))
        return World(faults: faults, store: store, pr: pr, runner: runner)
    }

    /// Runs attempts of `claimed` until one publishes (a crash makes the next attempt resume).
    static func settle(_ world: World, _ claimed: ClaimedJob, attempts: Int = 3) async -> [ReviewRunner.Outcome] {
        var outcomes: [ReviewRunner.Outcome] = []
        var claimed = claimed
        for attempt in 1...attempts {
            claimed.attempt = attempt
            let outcome = await world.runner.process(claimed, logger: Logger(label: "test"))
            outcomes.append(outcome)
            if outcome == .published { break }
        }
        return outcomes
    }

    @Test("a first review posts a failing check, one inline comment per new finding and one summary")
    func firstReview() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA]), ("Lib.swift", [Self.tokenB])]))
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let checks = await w.pr.checks
        #expect(checks.count == 1)
        #expect(checks.values.first?.conclusion == "failure")
        #expect(checks.values.first?.report?.annotations.map(\.path) == ["App.swift", "Lib.swift"])
        let reviews = await w.pr.reviews
        #expect(reviews.count == 1 && reviews[0].comments.map(\.path) == ["App.swift", "Lib.swift"])
        #expect(reviews[0].commitID == "aaaa111")
        let comments = await w.pr.comments
        #expect(comments.count == 1 && comments[0].body.hasPrefix(ReviewFormatter.summaryMarker))
        #expect(comments[0].body.contains("**2 open** (2 new)"))
        // Findings never carry the secret: the comment shows a redacted prefix at most.
        #expect(!comments[0].body.contains(Self.tokenA) && !reviews[0].comments.contains { $0.body.contains(Self.tokenA) })
        let published = try await w.store.auditEvents().filter { $0.action == "review.published" }
        #expect(published.count == 1 && published[0].metadata["new"] == "2" && published[0].metadata["conclusion"] == "failure")
    }

    @Test("the next push: one fixed, one new, the summary edited in place, only the new finding commented")
    func nextPush() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA]), ("Lib.swift", [Self.tokenB])]))
        _ = await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1"))
        await w.pr.push(headSHA: "bbbb222", diff: .whole(Self.diff([("Lib.swift", [Self.tokenB]), ("New.swift", [Self.tokenC])])))
        #expect(await Self.settle(w, Self.job(head: "bbbb222", delivery: "d2")) == [.published])
        let comments = await w.pr.comments
        #expect(comments.count == 1)
        #expect(comments[0].body.contains("**2 open** (1 new), **1 fixed**"))
        let reviews = await w.pr.reviews
        #expect(reviews.count == 2 && reviews[1].comments.map(\.path) == ["New.swift"])
        // A deleted summary is posted again, not lost.
        await w.pr.deleteComment(comments[0].id)
        await w.pr.push(headSHA: "cccc333", diff: .whole(Self.diff([])))
        #expect(await Self.settle(w, Self.job(head: "cccc333", delivery: "d3")) == [.published])
        let after = await w.pr.comments
        #expect(after.count == 1 && after[0].id != comments[0].id && after[0].body.contains("**0 open** (0 new), **2 fixed**"))
        #expect(await w.pr.checks.values.filter { $0.headSHA == "cccc333" }.map(\.conclusion) == ["success"])
    }

    @Test("a job overtaken by a newer push is superseded: no findings, no comments, audited once")
    func superseded() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]), head: "bbbb222")
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let (checks, comments, reviews) = (await w.pr.checks, await w.pr.comments, await w.pr.reviews)
        #expect(checks.isEmpty && comments.isEmpty && reviews.isEmpty)
        #expect(try await w.store.auditEvents().map(\.action) == ["review.superseded"])
        // Redelivered: the scan is published, nothing happens again.
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        #expect(try await w.store.auditEvents().count == 1)
    }

    @Test("a vanished pull request completes neutral and says why")
    func vanished() async throws {
        let w = Self.world(diff: [])
        await w.pr.push(headSHA: "aaaa111", diff: .unavailable)
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let check = try #require(await w.pr.checks.values.first)
        #expect(check.conclusion == "neutral" && check.report?.summary.contains("could not be found (404)") == true)
    }

    @Test("a partial diff names what it left out, with secrets in paths redacted")
    func partialDiff() async throws {
        let w = Self.world(diff: [])
        let gap = DiffGap(summary: "the diff was too large", uncoveredPaths: ["config/\(Self.tokenB).bin"], uncoveredReason: "no patch")
        await w.pr.push(headSHA: "aaaa111", diff: .partial(Self.diff([("App.swift", [Self.tokenA])]), gap))
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let summary = try #require(await w.pr.comments.first?.body)
        #expect(summary.contains("the diff was too large; not covered (no patch): `config/"))
        #expect(!summary.contains(Self.tokenB))
    }

    @Test(".corgi.yml is read at the base commit: it applies; the pull request's own copy does not")
    func repositoryPolicy() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA]), ("vendor/Lib.swift", [Self.tokenB])]))
        await w.pr.setFile(".corgi.yml", at: "base0000", "ignore_paths: ['vendor/**']\nfail_on: never\n")
        // The pull request tries to switch everything off in its own head: ignored.
        await w.pr.setFile(".corgi.yml", at: "aaaa111", "packs: [code]\ndisable_rules: [fake-token]\n")
        var claimed = Self.job(head: "aaaa111", delivery: "d1")
        claimed.job.baseSHA = nil  // as from GitLab: the base is asked of the forge
        #expect(await Self.settle(w, claimed) == [.published])
        let check = try #require(await w.pr.checks.values.first)
        #expect(check.conclusion == "success")
        #expect(check.report?.annotations.map(\.path) == ["App.swift"])
        let summary = try #require(await w.pr.comments.first?.body)
        #expect(summary.contains("**1 open**") && !summary.contains("Policy: fails at"))
    }

    @Test("the organisation's policy applies under .corgi.yml: its ignored paths stay ignored, the file's fail-on replaces its own")
    func organisationPolicy() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA]), ("generated/Keys.swift", [Self.tokenB]), ("vendor/Lib.swift", [Self.tokenC])]))
        await w.store.setOrganisationPolicy(OrganisationPolicy(failOn: "never", ignorePaths: ["generated/**"], diffRetentionDays: 7),
                                            forge: "fake", organisation: "octo")
        // The repository adds an ignore and asks to fail again; it cannot un-ignore the organisation's path.
        await w.pr.setFile(".corgi.yml", at: "base", "ignore_paths: ['vendor/**']\nfail_on: high\n")
        let before = Date()
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let check = try #require(await w.pr.checks.values.first)
        #expect(check.conclusion == "failure")
        #expect(check.report?.annotations.map(\.path) == ["App.swift"])
        // The diff is kept for the organisation's 7 days, not the deployment's 30.
        let expiry = try #require(await w.store.diffs.values.first?.expiresAt)
        #expect(abs(expiry.timeIntervalSince(before) - 7 * 86400) < 60)
    }

    @Test("an organisation that turns a rule off: no review of its repositories reports it, with or without .corgi.yml")
    func organisationDisablesRule() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]))
        await w.store.setOrganisationPolicy(OrganisationPolicy(disabledRules: ["fake-token"]), forge: "fake", organisation: "octo")
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let check = try #require(await w.pr.checks.values.first)
        #expect(check.conclusion == "success" && (check.report?.annotations ?? []).isEmpty)
        // Another organisation's policy is not this one's.
        let other = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]))
        await other.store.setOrganisationPolicy(OrganisationPolicy(disabledRules: ["fake-token"]), forge: "fake", organisation: "someone-else")
        #expect(await Self.settle(other, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        #expect(try #require(await other.pr.checks.values.first).conclusion == "failure")
    }

    @Test("a broken .corgi.yml is named in the summary and the defaults apply")
    func brokenPolicy() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]))
        await w.pr.setFile(".corgi.yml", at: "base", "fail_on: sometimes\ncolour: blue\n")
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let check = try #require(await w.pr.checks.values.first)
        #expect(check.conclusion == "failure")
        let summary = try #require(await w.pr.comments.first?.body)
        #expect(summary.contains("`.corgi.yml` at the base commit `base`: `fail_on` must be one of"))
        #expect(summary.contains("unknown setting"))
    }

    static func command(_ body: String, by author: String, comment: Int) -> ClaimedJob {
        let request = try! #require(CommandRequest(comment: body, author: author, authorID: 7, commentID: comment))
        return ClaimedJob(id: 2, job: ScanJob(forge: "fake", installationID: 1, repositoryID: 42, organisation: "octo", repository: "octo/widgets",
                                              number: 7, headSHA: "", baseSHA: nil, deliveryID: "c-\(comment)", trigger: "comment",
                                              command: request),
                          attempt: 1, leaseOwner: "test")
    }

    static func replies(_ w: World) async -> [String] {
        await w.pr.comments.map(\.body).filter { $0.hasPrefix("<!-- corgi:reply=") }
    }

    @Test("@corgi ignore by a writer: dismissed once with who and why, reviewed again without it, one reply")
    func ignoreCommand() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA, Self.tokenB])]))
        #expect(await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1")) == [.published])
        let fingerprint = try #require(await w.store.findings.values.first?.values.first { $0.finding.line == 1 }?.finding.fingerprint)
        let ignore = Self.command("@corgi ignore \(fingerprint) a test fixture", by: "maintainer", comment: 501)
        #expect(await Self.settle(w, ignore) == [.published])
        #expect(await Self.settle(w, ignore) == [.published])  // redelivered or retried: nothing more
        #expect(await w.store.dismissals.map(\.target) == [fingerprint])
        let dismissedAudit = try await w.store.auditEvents().filter { $0.action == "finding.dismissed" }
        #expect(dismissedAudit.count == 1 && dismissedAudit[0].actor == "fake:maintainer" && dismissedAudit[0].metadata["reason"] == "a test fixture")
        let summary = try #require(await w.pr.comments.first { $0.body.hasPrefix(ReviewFormatter.summaryMarker) }?.body)
        #expect(summary.contains("**1 open** (0 new)") && summary.contains("1 finding(s) not reported: dismissed"))
        #expect(summary.contains("**0 fixed**"))
        let replies = await Self.replies(w)
        #expect(replies.count == 1 && replies[0].contains("is no longer reported"))
    }

    @Test("a command from someone without write access is refused, audited and answered; nothing changes")
    func refusedCommand() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]))
        #expect(await Self.settle(w, Self.command("@corgi ignore fake-token please", by: "drive-by", comment: 9)) == [.published])
        #expect(await w.store.dismissals.isEmpty)
        #expect(await w.pr.checks.isEmpty)
        #expect(try await w.store.auditEvents().map(\.action) == ["command.refused"])
        #expect(await Self.replies(w).first?.contains("only people with write access") == true)
    }

    @Test("@corgi rescan reviews the head as it is now; help and unknown commands only answer")
    func rescanAndHelp() async throws {
        let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA])]))
        #expect(await Self.settle(w, Self.command("@corgi rescan", by: "maintainer", comment: 11)) == [.published])
        #expect(await w.pr.checks.values.map(\.headSHA) == ["aaaa111"])
        #expect(await Self.settle(w, Self.command("@corgi help", by: "anyone", comment: 12)) == [.published])
        #expect(await Self.settle(w, Self.command("@corgi dance", by: "anyone", comment: 13)) == [.published])
        let replies = await Self.replies(w)
        #expect(replies.count == 3)
        #expect(replies[1].contains("@corgi rescan") && replies[2].contains("unknown command"))
        #expect(await w.pr.checks.count == 1)
    }

    /// The points a clean review passes, in order (the reference for the crash test).
    static func cleanRun() async -> (points: [String], world: World) {
        let w = world(diff: diff([("App.swift", [tokenA]), ("Lib.swift", [tokenB])]))
        _ = await settle(w, job(head: "aaaa111", delivery: "d1"))
        return (await w.faults.passed, w)
    }

    @Test("crashed just before or just after any write, the next attempt finishes the same review without duplicates")
    func crashAndResume() async throws {
        let (points, clean) = await Self.cleanRun()
        // Every write of the review: check, scan record, review, summary, check update, completion.
        #expect(points.count >= 16, "\(points)")
        let cleanSummary = await clean.pr.comments.map(\.body)
        for crashAt in 1...points.count {
            let w = Self.world(diff: Self.diff([("App.swift", [Self.tokenA]), ("Lib.swift", [Self.tokenB])]), crashAt: crashAt)
            let outcomes = await Self.settle(w, Self.job(head: "aaaa111", delivery: "d1"))
            let at = points[crashAt - 1]
            #expect(outcomes.count == 2 && outcomes.first != .published && outcomes.last == .published, "crash at \(at): \(outcomes)")
            // One summary, the same text as without the crash.
            #expect(await w.pr.comments.map(\.body) == cleanSummary, "crash at \(at)")
            // Every inline comment once.
            let inline = await w.pr.reviews.flatMap { $0.comments.map(\.path) }
            #expect(inline == ["App.swift", "Lib.swift"], "crash at \(at)")
            // One check, completed as failing: a check created just before a crash that kept its
            // id from being recorded is found again by its external id, not duplicated.
            let checks = await w.pr.checks
            #expect(checks.count == 1 && checks.values.first?.conclusion == "failure", "crash at \(at)")
            // Findings recorded once, the review audited once.
            let actions = try await w.store.auditEvents().map(\.action)
            #expect(actions == ["scan.recorded", "review.published"], "crash at \(at)")
        }
    }
}

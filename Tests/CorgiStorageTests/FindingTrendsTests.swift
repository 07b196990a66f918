import CorgiAccess
import CorgiCore
import CorgiReview
import Foundation
import Testing

@Suite("What the overview and the pull request pages read: trends, reviews in progress; on every engine", .timeLimit(.minutes(2)))
struct FindingTrendsTests {
    static let acme = OrganisationRef(forge: "github", login: "acme")
    static let acmeOnGitLab = OrganisationRef(forge: "gitlab", login: "acme")

    /// Reviews `repository#number` of `organisation` with `findings` (a new scan each call).
    func review(_ store: any ContractStore, _ organisation: OrganisationRef, _ repository: String, _ number: Int, job: Int,
                _ findings: [Finding]) async throws {
        let scanJob = ScanJob(forge: organisation.forge, installationID: 1, repositoryID: number, organisation: organisation.login,
                              repository: repository, number: number, headSHA: "sha\(job)", baseSHA: "base", deliveryID: "d-\(job)",
                              trigger: "pull_request.synchronize")
        let scan = try await store.beginScan(claimed(scanJob, id: job))
        try await store.recordScanResult(scanID: scan.scanID, findings: findings, conclusion: "failure", coverage: nil, diff: nil,
                                         audit: ["target": "\(repository)#\(number)"])
        try await store.completeScan(scanID: scan.scanID, audit: published(scan.scanID))
    }

    @Test("first-seen and fixed times, and the most open findings by repository and rule, of one organisation only",
          arguments: Backend.available)
    func trends(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let before = Date().addingTimeInterval(-60)
            try await review(store, Self.acme, "acme/api", 1, job: 1, [finding("a", line: 1), finding("b", line: 2), finding("c", line: 3)])
            try await review(store, Self.acme, "acme/web", 2, job: 2, [finding("a", path: "web.js", line: 1)])
            // The next review of acme/api#1 no longer has b: it is fixed.
            try await review(store, Self.acme, "acme/api", 1, job: 3, [finding("a", line: 1), finding("c", line: 3)])
            try await review(store, Self.acmeOnGitLab, "acme/api", 1, job: 4, [finding("z", line: 9), finding("y", line: 8)])

            let rows = try await store.findingTrends(of: Self.acme, since: before)
            #expect(rows.timelines.count == 4)
            let fixed = rows.timelines.filter { $0.fixedAt != nil }
            #expect(fixed.count == 1)
            #expect(fixed.allSatisfy { $0.fixedAt! >= $0.firstSeen && $0.firstSeen >= before })
            #expect(rows.topRepositories == [.init(name: "acme/api", open: 2), .init(name: "acme/web", open: 1)])
            #expect(rows.topRules == [.init(name: "rule.a", open: 2), .init(name: "rule.c", open: 1)])

            // Another tenant's rows never mix in; nothing is seen after the last review.
            let theirs = try await store.findingTrends(of: Self.acmeOnGitLab, since: before)
            #expect(theirs.timelines.count == 2 && theirs.topRules.map(\.name) == ["rule.y", "rule.z"])
            let later = try await store.findingTrends(of: Self.acme, since: Date().addingTimeInterval(3600))
            #expect(later.timelines.isEmpty && later.topRepositories.count == 2)

            let statistics = FindingStatistics(rows, weeks: 4, now: Date())
            #expect(statistics.weeks.count == 4)
            #expect(statistics.weeks.map(\.new).reduce(0, +) == 4 && statistics.weeks.last!.fixed == 1)
            #expect(statistics.fixedInPeriod == 1 && statistics.meanHoursToFix! >= 0)
        }
    }
}

extension FindingTrendsTests {
    @Test("a pull request is being reviewed from the scan's start until its result is recorded", arguments: Backend.available)
    func reviewing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await review(store, Self.acme, "acme/api", 1, job: 1, [finding("a", line: 1)])
            let job = ScanJob(forge: "github", installationID: 1, repositoryID: 1, organisation: "acme", repository: "acme/api", number: 1,
                              headSHA: "sha2", baseSHA: "base", deliveryID: "d-2", trigger: "pull_request.synchronize")
            let query = PullRequestQuery(organisation: Self.acme)
            #expect(try await store.pullRequests(query).map(\.reviewing) == [false])
            let scan = try await store.beginScan(claimed(job, id: 2))
            #expect(try await store.pullRequests(query).map(\.reviewing) == [true])
            #expect(try await store.pullRequests(PullRequestQuery(organisation: Self.acmeOnGitLab)).isEmpty)
            try await store.recordScanResult(scanID: scan.scanID, findings: [], conclusion: "success", coverage: nil, diff: nil,
                                             audit: ["target": "acme/api#1"])
            #expect(try await store.pullRequests(query).map(\.reviewing) == [false])
        }
    }
}

extension FindingTrendsTests {
    @Test("a dataflow finding keeps its path (source and sink lines, the rule's names); others have none", arguments: Backend.available)
    func flows(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var tainted = finding("sql", line: 7)
            tainted.flow = [FlowStep(line: 5, message: "source: Flask request data"), FlowStep(line: 7, message: "sink: SQL query (sql)")]
            try await review(store, Self.acme, "acme/api", 1, job: 1, [tainted, finding("plain", line: 9)])
            let rows = try await store.findings(FindingQuery(organisation: Self.acme))
            #expect(rows.first { $0.ruleID == "rule.sql" }?.flow == tainted.flow)
            #expect(rows.first { $0.ruleID == "rule.plain" }?.flow == nil)
            let id = try #require(rows.first { $0.ruleID == "rule.sql" }?.id)
            #expect(try await store.finding(id: id, of: Self.acme)?.flow?.map(\.line) == [5, 7])
            // The next review moves the sink: the path follows.
            tainted.flow = [FlowStep(line: 6, message: "source: Flask request data"), FlowStep(line: 8, message: "sink: SQL query (sql)")]
            try await review(store, Self.acme, "acme/api", 1, job: 2, [tainted])
            #expect(try await store.finding(id: id, of: Self.acme)?.flow?.map(\.line) == [6, 8])
        }
    }
}

@Suite("Finding statistics: weeks, means and limits")
struct FindingStatisticsTests {
    @Test("findings fall into the week of their time; those before the period count for nothing")
    func weeks() throws {
        // Wednesday 2026-12-02 12:00 UTC: its week starts Monday 2026-11-30.
        let now = Date(timeIntervalSince1970: 1_796_212_800)
        let day = 86_400.0
        let rows = FindingTrendRows(
            timelines: [
                .init(firstSeen: now.addingTimeInterval(-1 * day), fixedAt: now),                     // this week, fixed in 1 day
                .init(firstSeen: now.addingTimeInterval(-8 * day), fixedAt: now.addingTimeInterval(-2 * day)),  // last week, fixed in 6 days
                .init(firstSeen: now.addingTimeInterval(-30 * day), fixedAt: now.addingTimeInterval(-day)),     // before the period
                .init(firstSeen: now.addingTimeInterval(-9 * day), fixedAt: nil),
            ],
            topRepositories: (1...7).map { .init(name: "r\($0)", open: 10 - $0) }, topRules: [])
        let statistics = FindingStatistics(rows, weeks: 2, now: now)
        #expect(statistics.weeks.map(\.start) == ["2026-11-23", "2026-11-30"])
        #expect(statistics.weeks.map(\.new) == [2, 1])
        #expect(statistics.weeks.map(\.fixed) == [0, 3])
        #expect(statistics.fixedInPeriod == 3)
        // (24 + 144 + 696) / 3 hours.
        #expect(abs(statistics.meanHoursToFix! - 288) < 0.001)
        #expect(statistics.topRepositories.map(\.name) == ["r1", "r2", "r3", "r4", "r5"])
        #expect(FindingStatistics(FindingTrendRows(timelines: [], topRepositories: [], topRules: []), weeks: 3, now: now).meanHoursToFix == nil)
    }
}

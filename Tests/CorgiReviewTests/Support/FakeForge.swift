import CorgiReview
import Logging

/// One pull request on a forge, in memory: its head and diff, the checks, reviews and comments a
/// review made. Writes pass the fault points, so a test can crash a review after any of them.
actor FakePullRequestState {
    struct Check {
        var name: String
        var headSHA: String
        var externalID = ""
        var conclusion: String?
        var report: CheckReport?
    }

    let faults: Faults
    var headSHA: String?
    var baseSHA: String? = "base0000"
    var diff: FetchedDiff
    /// Repository files by commit and path.
    var files: [String: [String: [UInt8]]] = [:]
    /// Users with write access, by login.
    var writers: Set<String> = ["maintainer"]
    private(set) var checks: [Int: Check] = [:]
    private(set) var reviews: [(commitID: String, body: String, comments: [InlineComment])] = []
    private(set) var comments: [ForgeComment] = []
    private var nextID = 100

    init(faults: Faults, headSHA: String, diff: FetchedDiff) {
        self.faults = faults
        self.headSHA = headSHA
        self.diff = diff
    }

    func push(headSHA: String, diff: FetchedDiff) {
        self.headSHA = headSHA
        self.diff = diff
    }

    func deleteComment(_ id: Int) { comments.removeAll { $0.id == id } }

    func setFile(_ path: String, at ref: String, _ text: String) { files[ref, default: [:]][path] = Array(text.utf8) }

    private func newID() -> Int {
        nextID += 1
        return nextID
    }

    func createCheck(name: String, headSHA: String, externalID: String) async throws -> Int {
        // As the port asks: the check this review already started is found by its external id.
        if let existing = checks.first(where: { $0.value.externalID == externalID })?.key { return existing }
        try await faults.point("before createCheck")
        let id = newID()
        checks[id] = Check(name: name, headSHA: headSHA, externalID: externalID)
        try await faults.point("after createCheck")
        return id
    }

    func updateCheck(_ id: Int, conclusion: String?, report: CheckReport) async throws {
        try await faults.point("before updateCheck")
        checks[id]?.conclusion = conclusion
        checks[id]?.report = report
        try await faults.point("after updateCheck")
    }

    func postReview(commitID: String, body: String, comments: [InlineComment]) async throws {
        try await faults.point("before postReview")
        reviews.append((commitID, body, comments))
        try await faults.point("after postReview")
    }

    func updateComment(_ id: Int, body: String) async throws -> Bool {
        guard let index = comments.firstIndex(where: { $0.id == id }) else { return false }
        try await faults.point("before updateComment")
        comments[index].body = body
        try await faults.point("after updateComment")
        return true
    }

    func createComment(body: String) async throws -> Int {
        try await faults.point("before createComment")
        let id = newID()
        comments.append(ForgeComment(id: id, body: body))
        try await faults.point("after createComment")
        return id
    }
}

struct FakeForge: Forge {
    let pullRequest: FakePullRequestState

    func pullRequest(for job: ScanJob) -> (any ForgePullRequest)? {
        job.repository.contains("/") ? FakePullRequest(state: pullRequest) : nil
    }
}

struct FakePullRequest: ForgePullRequest {
    let state: FakePullRequestState

    func headSHA(logger: Logger) async throws -> String? { await state.headSHA }
    func diff(logger: Logger) async throws -> FetchedDiff { await state.diff }
    func baseSHA(logger: Logger) async throws -> String? { await state.baseSHA }
    func fileContents(path: String, ref: String, logger: Logger) async throws -> [UInt8]? { await state.files[ref]?[path] }
    func createCheck(name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int {
        try await state.createCheck(name: name, headSHA: headSHA, externalID: externalID)
    }
    func updateCheck(_ id: Int, name: String, headSHA: String, conclusion: String?, report: CheckReport, logger: Logger) async throws {
        try await state.updateCheck(id, conclusion: conclusion, report: report)
    }
    func inlineCommentBodies(logger: Logger) async throws -> [String] {
        await state.reviews.flatMap { $0.comments.map(\.body) }
    }
    func postReview(commitID: String, body: String, comments: [InlineComment], logger: Logger) async throws {
        try await state.postReview(commitID: commitID, body: body, comments: comments)
    }
    func comments(logger: Logger) async throws -> [ForgeComment] { await state.comments }
    func updateComment(_ id: Int, body: String, logger: Logger) async throws -> Bool { try await state.updateComment(id, body: body) }
    func createComment(body: String, logger: Logger) async throws -> Int { try await state.createComment(body: body) }
    func canWrite(login: String, userID: Int?, logger: Logger) async throws -> Bool { await state.writers.contains(login) }
}

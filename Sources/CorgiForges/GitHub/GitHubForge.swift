public import CorgiReview
import Logging

/// GitHub as a review's forge: a GitHub App's installation token, check runs, pull-request
/// reviews and an issue comment for the summary.
public struct GitHubForge: Forge {
    public let api: GitHubAPI

    public init(api: GitHubAPI) { self.api = api }

    public func pullRequest(for job: ScanJob) -> (any ForgePullRequest)? {
        PullRequestReference(installationID: job.installationID, fullName: job.repository, number: job.number)
            .map { GitHubPullRequest(api: api, reference: $0) }
    }
}

struct GitHubPullRequest: ForgePullRequest {
    let api: GitHubAPI
    let reference: PullRequestReference

    /// GitHub accepts at most 50 annotations per check-run update.
    static let annotationBatch = 50
    /// GitHub lists at most 3,000 files of a pull request.
    static let fileListLimit = 3000

    func headSHA(logger: Logger) async throws -> String? {
        try await api.pullRequestHeadSHA(reference, logger: logger)
    }

    func baseSHA(logger: Logger) async throws -> String? {
        try await api.pullRequestBaseSHA(reference, logger: logger)
    }

    func fileContents(path: String, ref: String, logger: Logger) async throws -> [UInt8]? {
        try await api.fileContents(reference, path: path, ref: ref, logger: logger)
    }

    /// The diff endpoint first; past GitHub's diff limits, the diff is rebuilt from the files API,
    /// whose patches leave out binary and very large files.
    func diff(logger: Logger) async throws -> FetchedDiff {
        do {
            switch try await api.pullRequestDiff(reference, logger: logger) {
            case .diff(let bytes): return .whole(bytes)
            case .tooLarge:
                logger.info("diff too large: using the files API")
                let files = try await api.pullRequestFiles(reference, logger: logger)
                var text = ""
                var missing: [String] = []
                for file in files {
                    guard let patch = file.patch else {
                        if file.status != "removed" { missing.append(file.filename) }
                        continue
                    }
                    let old = file.previousFilename ?? file.filename
                    let oldSide = file.status == "added" ? "/dev/null" : "a/\(old)"
                    let newSide = file.status == "removed" ? "/dev/null" : "b/\(file.filename)"
                    text += "diff --git a/\(old) b/\(file.filename)\n--- \(oldSide)\n+++ \(newSide)\n\(patch)\n"
                }
                let gap = DiffGap(
                    summary: "the diff exceeded GitHub's limits, so \(files.count) file(s) were read through the files API",
                    uncoveredPaths: missing, uncoveredReason: "no patch from GitHub, e.g. binary or very large",
                    limit: files.count >= Self.fileListLimit ? "GitHub lists at most 3,000 files, later files were not reviewed" : nil)
                return .partial(Array(text.utf8), gap)
            }
        } catch ForgeError.notFound {
            return .unavailable
        }
    }

    /// Reuses the check run a crashed attempt created (found by its external id) before the
    /// scan could record it, so a retry never leaves a second run in progress.
    func createCheck(name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int {
        if let existing = try await api.checkRunID(reference, name: name, headSHA: headSHA, externalID: externalID, logger: logger) {
            return existing
        }
        return try await api.createCheckRun(reference, name: name, headSHA: headSHA, externalID: externalID, logger: logger)
    }

    /// Annotations in batches of 50; the last update carries the conclusion.
    func updateCheck(_ id: Int, name: String, headSHA: String, conclusion: String?, report: CheckReport, logger: Logger) async throws {
        let all = report.annotations.map {
            CheckRunAnnotation(path: $0.path, startLine: $0.startLine, endLine: $0.endLine, annotationLevel: $0.level.rawValue,
                               message: $0.message, title: $0.title)
        }
        let batches = stride(from: 0, to: all.count, by: Self.annotationBatch).map { Array(all[$0..<min($0 + Self.annotationBatch, all.count)]) }
        let output = { (annotations: [CheckRunAnnotation]?) in
            CheckRunOutput(title: report.title, summary: report.summary, annotations: annotations)
        }
        for batch in batches.dropLast() {
            try await api.updateCheckRun(reference, checkRunID: id, conclusion: nil, output: output(batch), logger: logger)
        }
        try await api.updateCheckRun(reference, checkRunID: id, conclusion: conclusion, output: output(batches.last), logger: logger)
    }

    func inlineCommentBodies(logger: Logger) async throws -> [String] {
        try await api.reviewComments(reference, logger: logger).map(\.body)
    }

    func postReview(commitID: String, body: String, comments: [InlineComment], logger: Logger) async throws {
        try await api.createReview(reference, commitID: commitID, body: body,
                                   comments: comments.map { ReviewComment(path: $0.path, line: $0.line, side: "RIGHT", body: $0.body) },
                                   logger: logger)
    }

    func comments(logger: Logger) async throws -> [ForgeComment] {
        try await api.issueComments(reference, logger: logger).map { ForgeComment(id: $0.id, body: $0.body) }
    }

    func updateComment(_ id: Int, body: String, logger: Logger) async throws -> Bool {
        try await api.updateIssueComment(reference, commentID: id, body: body, logger: logger)
    }

    func createComment(body: String, logger: Logger) async throws -> Int {
        try await api.createIssueComment(reference, body: body, logger: logger)
    }

    /// Write access: the `admin`, `maintain` or `write` role (GitHub's `role_name`, or `permission`).
    func canWrite(login: String, userID: Int?, logger: Logger) async throws -> Bool {
        guard GitHubName.isValidOwner(login) else { return false }
        return ["admin", "maintain", "write"].contains(try await api.collaboratorPermission(reference, login: login, logger: logger) ?? "none")
    }
}

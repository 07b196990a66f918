public import CorgiReview
import Logging

/// GitLab (gitlab.com or self-managed) as a review's forge. A job's `repositoryID` is the
/// project's numeric id and its `number` the merge request's iid; `installationID` is 0 (one
/// configured instance).
///
/// The check is a commit status named after the check, with a link to the merge request;
/// inline comments are diff discussions positioned on the merge request's diff refs; the summary
/// is one note, edited in place. GitLab has no review body: the summary carries it.
public struct GitLabForge: Forge {
    public let api: GitLabAPI

    public init(api: GitLabAPI) { self.api = api }

    public func pullRequest(for job: ScanJob) -> (any ForgePullRequest)? {
        guard job.repositoryID > 0, job.number > 0 else { return nil }
        return GitLabMergeRequestClient(api: api, project: job.repositoryID, iid: job.number)
    }
}

struct GitLabMergeRequestClient: ForgePullRequest {
    let api: GitLabAPI
    let project: Int
    let iid: Int

    func headSHA(logger: Logger) async throws -> String? {
        try await api.mergeRequest(project: project, iid: iid, logger: logger)?.sha
    }

    func baseSHA(logger: Logger) async throws -> String? {
        try await api.mergeRequest(project: project, iid: iid, logger: logger)?.diffRefs?.baseSHA
    }

    func fileContents(path: String, ref: String, logger: Logger) async throws -> [UInt8]? {
        try await api.fileContents(project: project, path: path, ref: ref, logger: logger)
    }

    /// The merge request's file diffs joined into one git diff. Files GitLab leaves out
    /// (`too_large`, `collapsed`) and files past `maximumDiffBytes` are named as not covered.
    func diff(logger: Logger) async throws -> FetchedDiff {
        guard try await api.mergeRequest(project: project, iid: iid, logger: logger) != nil else { return .unavailable }
        let (files, complete) = try await api.mergeRequestDiffs(project: project, iid: iid, logger: logger)
        var text: [UInt8] = []
        var missing: [String] = []
        var cut = false
        for file in files {
            let hunks = file.diff ?? ""
            if hunks.isEmpty, file.tooLarge == true || file.collapsed == true {
                missing.append(file.newPath)
                continue
            }
            if cut || text.count + hunks.utf8.count > api.maximumDiffBytes {
                cut = true
                missing.append(file.newPath)
                continue
            }
            var header = "diff --git a/\(file.oldPath) b/\(file.newPath)\n"
            if file.newFile == true { header += "new file mode 100644\n" }
            if file.deletedFile == true { header += "deleted file mode 100644\n" }
            header += "--- " + (file.newFile == true ? "/dev/null" : "a/\(file.oldPath)") + "\n"
            header += "+++ " + (file.deletedFile == true ? "/dev/null" : "b/\(file.newPath)") + "\n"
            text += Array(header.utf8)
            text += Array(hunks.utf8)
            if !hunks.isEmpty, !hunks.hasSuffix("\n") { text.append(0x0A) }
        }
        guard !missing.isEmpty || !complete else { return .whole(text) }
        let gap = DiffGap(
            summary: "GitLab gave \(files.count - missing.count) of the merge request's file diffs",
            uncoveredPaths: missing, uncoveredReason: cut ? "past the diff size limit, or too large for GitLab's diff API" : "too large for GitLab's diff API",
            limit: complete ? nil : "GitLab's diff list went on beyond \(GitLabAPI.maximumPages * 100) files; later files were not reviewed")
        return .partial(text, gap)
    }

    /// Reuses the status a crashed attempt left running or pending, so a retry starts none.
    func createCheck(name: String, headSHA: String, externalID: String, logger: Logger) async throws -> Int {
        if let running = try await latestStatus(name: name, sha: headSHA, logger: logger), ["pending", "running"].contains(running.status) {
            return running.id
        }
        let url = try await api.mergeRequest(project: project, iid: iid, logger: logger)?.webURL
        return try await setStatus(sha: headSHA, state: "running", name: name, description: "Reviewing", targetURL: url, logger: logger).id
    }

    /// GitLab has no "neutral": a review that is not a failure (neutral: not all of the diff was
    /// covered, or superseded) is `success`, and its description says which.
    func updateCheck(_ id: Int, name: String, headSHA: String, conclusion: String?, report: CheckReport, logger: Logger) async throws {
        let state = switch conclusion {
        case nil: "running"
        case "failure": "failed"
        default: "success"
        }
        let description = Self.clip((conclusion == "neutral" ? "Neutral: " : "") + report.title, 255)
        if let current = try await latestStatus(name: name, sha: headSHA, logger: logger), current.status == state,
           current.description == description {
            return  // already set (a resumed review)
        }
        let url = try await api.mergeRequest(project: project, iid: iid, logger: logger)?.webURL
        _ = try await setStatus(sha: headSHA, state: state, name: name, description: description, targetURL: url, logger: logger)
    }

    func inlineCommentBodies(logger: Logger) async throws -> [String] {
        try await api.discussions(project: project, iid: iid, logger: logger).flatMap { $0.notes.compactMap(\.body) }
    }

    /// One diff discussion per comment, on the merge request's current diff refs. If the merge
    /// request moved past `commitID`, its lines no longer match: nothing is posted inline (the
    /// summary still lists every finding) and the newer push gets its own review.
    func postReview(commitID: String, body: String, comments: [InlineComment], logger: Logger) async throws {
        guard let refs = try await api.mergeRequest(project: project, iid: iid, logger: logger)?.diffRefs,
              let base = refs.baseSHA, let start = refs.startSHA, let head = refs.headSHA, head == commitID
        else {
            logger.info("merge request moved on: inline comments left to the newer review")
            return
        }
        for comment in comments {
            // Findings are on added lines, so the new path is the one to name (GitLab accepts the
            // same path on both sides for a line that exists only in the new file).
            let position = GitLabPosition(baseSHA: base, startSHA: start, headSHA: head, oldPath: comment.path, newPath: comment.path,
                                          newLine: comment.line)
            try await api.createDiffDiscussion(project: project, iid: iid, body: comment.body, position: position, logger: logger)
        }
    }

    func comments(logger: Logger) async throws -> [ForgeComment] {
        try await api.notes(project: project, iid: iid, logger: logger).map { ForgeComment(id: $0.id, body: $0.body ?? "") }
    }

    func updateComment(_ id: Int, body: String, logger: Logger) async throws -> Bool {
        try await api.updateNote(project: project, iid: iid, noteID: id, body: body, logger: logger)
    }

    func createComment(body: String, logger: Logger) async throws -> Int {
        try await api.createNote(project: project, iid: iid, body: body, logger: logger)
    }

    /// Write access: Developer (30) or above, by the user's numeric id (names can be taken over).
    func canWrite(login: String, userID: Int?, logger: Logger) async throws -> Bool {
        guard let userID, userID > 0 else { return false }
        return (try await api.memberAccessLevel(project: project, userID: userID, logger: logger) ?? 0) >= 30
    }

    // MARK: -

    func latestStatus(name: String, sha: String, logger: Logger) async throws -> GitLabCommitStatus? {
        try await api.commitStatuses(project: project, sha: sha, logger: logger).filter { $0.name == name }.max { $0.id < $1.id }
    }

    /// A refused transition (400) that left the status as asked, e.g. set by an attempt that
    /// crashed before it heard the answer, counts as done.
    func setStatus(sha: String, state: String, name: String, description: String, targetURL: String?,
                   logger: Logger) async throws -> GitLabCommitStatus {
        do {
            return try await api.setCommitStatus(project: project, sha: sha, state: state, name: name, description: description,
                                                 targetURL: targetURL, logger: logger)
        } catch ForgeError.http(let operation, 400) {
            if let current = try await latestStatus(name: name, sha: sha, logger: logger), current.status == state { return current }
            throw ForgeError.http(operation: operation, status: 400)
        }
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}

import CorgiCore
public import CorgiDetection
public import CorgiForges
public import CorgiObjects
public import CorgiReview
import Foundation
public import Logging
import Prometheus

/// One review, from a claimed job to a published check run, review and summary.
///
/// Every step records its progress before the next starts, so a job retried after a crash
/// resumes instead of repeating: the check run created at claim is reused, the findings are
/// reconciled once per scan, a review whose comments are already on the PR (found by their
/// hidden fingerprint markers) is not posted again, and the summary comment is updated in place.
public struct ReviewPipeline: Sendable {
    public let store: any ReviewStore & AuditLog
    public let objects: any ObjectStore
    public let github: GitHubAPI
    public let ruleSet: RuleSet
    public let scanOptions: ScanOptions
    public let formatter: ReviewFormatter
    public let settings: ServiceSettings
    let metrics: ServiceMetrics

    public init(store: any ReviewStore & AuditLog, objects: any ObjectStore, github: GitHubAPI, ruleSet: RuleSet, scanOptions: ScanOptions,
                settings: ServiceSettings, metrics: ServiceMetrics) {
        self.store = store
        self.objects = objects
        self.github = github
        self.ruleSet = ruleSet
        self.scanOptions = scanOptions
        self.settings = settings
        self.metrics = metrics
        formatter = ReviewFormatter(maximumInlineComments: settings.maximumInlineComments,
                                    failOn: Severity(rawValue: settings.failOn))
    }

    /// Failures the job should be retried for, and those it should not.
    public enum Outcome: Sendable, Equatable {
        case published
        case retry(String)
        case failed(String)
    }

    /// Reviews of one pull request never overlap, whichever workers run them.
    public func process(_ claimed: ClaimedJob, logger: Logger) async -> Outcome {
        let job = claimed.job
        do {
            return try await store.withPullRequestLock(job.pullRequest) {
                await review(claimed, logger: logger)
            }
        } catch {
            logger.warning("pull request lock unavailable", metadata: ["error": "\(type(of: error))"])
            return .retry("pull request lock unavailable")
        }
    }

    func review(_ claimed: ClaimedJob, logger parent: Logger) async -> Outcome {
        var logger = parent
        let job = claimed.job
        logger[metadataKey: "job"] = "\(claimed.id)"
        logger[metadataKey: "repository"] = "\(job.repository)"
        logger[metadataKey: "pr"] = "\(job.number)"
        logger[metadataKey: "sha"] = "\(job.headSHA.prefix(12))"
        logger[metadataKey: "delivery"] = "\(job.deliveryID)"
        logger[metadataKey: "attempt"] = "\(claimed.attempt)"
        let started = ContinuousClock.now
        guard let pr = PullRequestReference(installationID: job.installationID, fullName: job.repository, number: job.number) else {
            return .failed("invalid repository name")
        }
        // Without the repository's id the pull request cannot be told from another installation's
        // of the same name: such a job (queued by an older version) is not reviewed.
        guard job.repositoryID > 0 else { return .failed("job without a repository id: re-run the check to review it") }
        do {
            var state = try await store.beginScan(claimed)
            if state.status == "published" { return .published }
            // GitHub serves the pull request's current diff: a job for an older head would review
            // the newer push's lines against the old commit. The newer push has its own job.
            var pullRequestGone = false
            if state.status == "running" {
                let head = try await github.pullRequestHeadSHA(pr, logger: logger)
                if let head, head != job.headSHA {
                    try await supersede(state: state, by: head, job: job, pr: pr, logger: logger)
                    return .published
                }
                pullRequestGone = head == nil
            }
            if state.checkRunID == nil {
                let id = try await github.createCheckRun(pr, name: settings.checkName, headSHA: job.headSHA,
                                                         externalID: "corgi-scan-\(state.scanID)", logger: logger)
                try await store.setCheckRun(scanID: state.scanID, checkRunID: id)
                state.checkRunID = id
                logger.info("check run started", metadata: ["check_run": "\(id)"])
            }
            if state.status == "running" {
                try await scan(job: job, pr: pr, state: state, pullRequestGone: pullRequestGone, logger: logger)
            }
            let reconciliation = try await store.reconciliation(scanID: state.scanID)
            try await publish(reconciliation, job: job, pr: pr, state: state, logger: logger)
            try await store.completeScan(scanID: state.scanID)
            try await store.audit(actor: "worker", action: "review.published", target: "\(job.repository)#\(job.number)",
                                  organisation: job.organisation,
                                  metadata: ["sha": job.headSHA, "conclusion": reconciliation.conclusion,
                                             "new": "\(reconciliation.new.count)", "fixed": "\(reconciliation.fixed.count)"])
            metrics.scansCompleted.increment()
            metrics.findingsNew.increment(by: Int64(reconciliation.new.count))
            metrics.scanDuration.record(ContinuousClock.now - started)
            logger.info("review published", metadata: [
                "conclusion": "\(reconciliation.conclusion)", "new": "\(reconciliation.new.count)",
                "open": "\(reconciliation.open.count)", "fixed": "\(reconciliation.fixed.count)",
                "ms": "\((ContinuousClock.now - started).components.seconds * 1000 + (ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000)",
            ])
            return .published
        } catch let error as ForgeError {
            logger.warning("review step failed", metadata: ["error": "\(error)"])
            return error.isTransient ? .retry("\(error)") : .failed("\(error)")
        } catch {
            logger.warning("review step failed", metadata: ["error": "\(type(of: error)): \(error)"])
            return .retry("\(type(of: error))")
        }
    }

    static let notFound = "the pull request or its diff could not be found (404)"

    /// Closes a review overtaken by a newer push: its check run (if a crashed attempt made one)
    /// says so, and the pull request's findings and summary are left to the newer review.
    func supersede(state: ScanState, by head: String, job: ScanJob, pr: PullRequestReference, logger: Logger) async throws {
        if let checkRunID = state.checkRunID {
            try await github.updateCheckRun(
                pr, checkRunID: checkRunID, conclusion: "neutral",
                output: CheckRunOutput(title: "Superseded", summary: "A newer push (`\(head.prefix(12))`) is reviewed instead."), logger: logger)
        }
        try await store.completeScan(scanID: state.scanID)
        try await store.audit(actor: "worker", action: "review.superseded", target: "\(job.repository)#\(job.number)",
                              organisation: job.organisation, metadata: ["sha": job.headSHA, "head": head])
        logger.info("review superseded by a newer push", metadata: ["head": "\(head.prefix(12))"])
    }

    /// Fetch, store encrypted, scan, reconcile — recorded in one transaction.
    func scan(job: ScanJob, pr: PullRequestReference, state: ScanState, pullRequestGone: Bool, logger: Logger) async throws {
        var coverage: String?
        var diff: [UInt8]
        switch pullRequestGone ? .unavailable(Self.notFound) : try await fetchDiff(pr: pr, logger: logger) {
        case .whole(let bytes):
            diff = bytes
        case .partial(let bytes, let note):
            diff = bytes
            coverage = note
        case .unavailable(let reason):
            // The PR or its diff is gone (404): complete the check without findings and say why.
            try await store.recordScanResult(scanID: state.scanID, findings: [], conclusion: "neutral", coverage: reason, diff: nil,
                                             audit: ["target": "\(job.repository)#\(job.number)", "sha": job.headSHA, "outcome": "diff unavailable"])
            return
        }
        let retention = settings.retentionDays(for: job.organisation)
        // Ids, not names: names change hands and may be longer than a storage key allows.
        let objectKey = "diffs/\(job.forge)/\(job.installationID)/\(job.repositoryID)/\(job.number)/\(job.headSHA.prefix(40))-\(state.scanID)"
        let expires = Date().addingTimeInterval(TimeInterval(retention) * 86400)
        try await objects.put(objectKey, diff, expiresAt: expires)

        // A malformed part of the diff never costs the rest: the scan skips it, says where, and
        // every finding elsewhere is kept and published.
        let result = try Scan(ruleSet: ruleSet, options: scanOptions).run(bytes: diff)
        let findings = result.findings
        let s = result.statistics
        logger.info("diff scanned", metadata: [
            "files": "\(s.diff.files)", "added_lines": "\(s.diff.addedLines)", "binary_files": "\(s.diff.binaryFiles)",
            "malformed_regions": "\(s.diff.malformedRegions)", "truncated_lines": "\(s.diff.truncatedLines)",
            "findings": "\(findings.count)", "scan_ms": "\(s.durationMilliseconds)",
        ])
        var notes = [coverage].compactMap { $0 }
        if s.diff.addedLines == 0, !s.isIncomplete {
            notes.append(s.diff.binaryFiles > 0 ? "only binary files changed (\(s.diff.binaryFiles)); nothing to scan" : "no added lines")
        } else if s.diff.binaryFiles > 0 {
            notes.append("\(s.diff.binaryFiles) binary file(s) not scanned")
        }
        if let gaps = ReviewFormatter.notScanned(s) { notes.append(gaps) }
        coverage = notes.isEmpty ? nil : notes.joined(separator: "; ")
        let byteCount = diff.count
        diff.removeAll()
        // Findings decide; with none, a diff not wholly scanned is not a pass.
        var conclusion = formatter.conclusion(for: findings)
        if conclusion == "success", s.isIncomplete { conclusion = "neutral" }
        try await store.recordScanResult(
            scanID: state.scanID, findings: findings, conclusion: conclusion, coverage: coverage,
            diff: (objectKey, byteCount, expires),
            audit: ["target": "\(job.repository)#\(job.number)", "sha": job.headSHA, "object": objectKey,
                    "retention_days": "\(retention)", "outcome": s.isIncomplete ? "scanned in part" : "scanned",
                    "malformed_regions": "\(s.diff.malformedRegions)", "truncated_lines": "\(s.diff.truncatedLines)"])
    }

    enum Fetched {
        case whole([UInt8])
        case partial([UInt8], String)
        case unavailable(String)
    }

    func fetchDiff(pr: PullRequestReference, logger: Logger) async throws -> Fetched {
        do {
            switch try await github.pullRequestDiff(pr, logger: logger) {
            case .diff(let bytes): return .whole(bytes)
            case .tooLarge:
                logger.info("diff too large: using the files API")
                let files = try await github.pullRequestFiles(pr, logger: logger)
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
                var note = "the diff exceeded GitHub's limits, so \(files.count) file(s) were read through the files API"
                if !missing.isEmpty {
                    note += "; not covered (no patch from GitHub, e.g. binary or very large): "
                        + missing.prefix(20).map { Markdown.code(ruleSet.redactingSecrets(inPath: $0)) }.joined(separator: ", ") + (missing.count > 20 ? " and \(missing.count - 20) more" : "")
                }
                if files.count >= 3000 { note += "; GitHub lists at most 3,000 files, later files were not reviewed" }
                return .partial(Array(text.utf8), note)
            }
        } catch ForgeError.notFound {
            return .unavailable(Self.notFound)
        }
    }

    func publish(_ r: Reconciliation, job: ScanJob, pr: PullRequestReference, state: ScanState, logger: Logger) async throws {
        // 1. Inline comments for new findings, once.
        let (inline, overflow) = formatter.inlineComments(r)
        if !state.reviewPosted {
            if !inline.isEmpty {
                let existing = try await github.reviewComments(pr, logger: logger).map(\.body)
                let fresh = inline.filter { item in !existing.contains { $0.contains(ReviewFormatter.fingerprintMarker(item.fingerprint)) } }
                if !fresh.isEmpty {
                    try await github.createReview(pr, commitID: job.headSHA, body: formatter.reviewBody(r, posted: fresh.count, overflow: overflow),
                                                  comments: fresh.map(\.comment), logger: logger)
                }
            }
            try await store.markReviewPosted(scanID: state.scanID)
        }
        // 2. The summary comment, updated in place.
        if !state.summaryPosted {
            let body = formatter.summary(r, headSHA: job.headSHA, overflow: overflow)
            var commentID = state.summaryCommentID
            if let id = commentID, try await !github.updateIssueComment(pr, commentID: id, body: body, logger: logger) {
                commentID = nil  // deleted by someone: post a new one
            }
            if commentID == nil {
                // A crash may have come between posting the summary and recording its id.
                let ours = try await github.issueComments(pr, logger: logger).last { $0.body.hasPrefix(ReviewFormatter.summaryMarker) }
                if let ours, try await github.updateIssueComment(pr, commentID: ours.id, body: body, logger: logger) {
                    commentID = ours.id
                } else {
                    commentID = try await github.createIssueComment(pr, body: body, logger: logger)
                }
            }
            try await store.markSummaryPosted(scanID: state.scanID, pullRequestID: state.pullRequestID, commentID: commentID!)
        }
        // 3. The check run: annotations in batches of 50, the last update completes it.
        guard let checkRunID = state.checkRunID else { return }
        let batches = formatter.annotations(r)
        let output = { (annotations: [CheckRunAnnotation]?) in
            CheckRunOutput(title: formatter.title(r), summary: formatter.checkSummary(r), annotations: annotations)
        }
        for batch in batches.dropLast() {
            try await github.updateCheckRun(pr, checkRunID: checkRunID, conclusion: nil, output: output(batch), logger: logger)
        }
        try await github.updateCheckRun(pr, checkRunID: checkRunID, conclusion: r.conclusion, output: output(batches.last), logger: logger)
    }
}

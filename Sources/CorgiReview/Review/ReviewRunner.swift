public import CorgiCore
public import CorgiDetection
public import Foundation
public import Logging

/// One review, from a claimed job to a completed check, inline comments and a summary, on any
/// forge. The steps and their order are `ReviewStep`'s; this type performs them.
///
/// Every step records its progress before the next starts, so a job retried after a crash
/// resumes instead of repeating: the check created at claim is reused, the findings are
/// reconciled once per scan, inline comments already on the pull request (found by their hidden
/// fingerprint markers) are not posted again, and the summary comment is updated in place.
public struct ReviewRunner: Sendable {
    public let store: any ReviewStore & AuditLog
    public let objects: any ObjectStore
    /// By `ScanJob.forge`.
    public let forges: [String: any Forge]
    public let ruleSet: RuleSet
    public let scanOptions: ScanOptions
    public let policy: ReviewPolicy
    public let formatter: ReviewFormatter
    /// Called once per published review (metrics).
    let onPublished: @Sendable (Reconciliation, Duration) -> Void
    /// The model review, when the deployment configures one; it runs for organisations whose
    /// policy turns it on.
    public let modelReview: (any ModelReview)?
    /// Called once per model review (metrics: tokens and calls).
    let onModelReview: @Sendable (ModelReviewOutcome) -> Void

    public init(store: any ReviewStore & AuditLog, objects: any ObjectStore, forges: [String: any Forge], ruleSet: RuleSet,
                scanOptions: ScanOptions, policy: ReviewPolicy, modelReview: (any ModelReview)? = nil,
                onModelReview: @escaping @Sendable (ModelReviewOutcome) -> Void = { _ in },
                onPublished: @escaping @Sendable (Reconciliation, Duration) -> Void = { _, _ in }) {
        self.modelReview = modelReview
        self.onModelReview = onModelReview
        self.store = store
        self.objects = objects
        self.forges = forges
        self.ruleSet = ruleSet
        self.scanOptions = scanOptions
        self.policy = policy
        self.onPublished = onPublished
        formatter = ReviewFormatter(maximumInlineComments: policy.maximumInlineComments, failOn: policy.failOn)
    }

    /// Failures the job should be retried for, and those it should not.
    public enum Outcome: Sendable, Equatable {
        case published
        case retry(String)
        case failed(String)
    }

    static let notFound = "the pull request or its diff could not be found (404)"

    /// Reviews of one pull request never overlap, whichever workers run them.
    public func process(_ claimed: ClaimedJob, logger: Logger) async -> Outcome {
        do {
            return try await store.withPullRequestLock(claimed.job.pullRequest) {
                if let command = claimed.job.command { return await run(command, claimed, logger: logger) }
                return await review(claimed, logger: logger)
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
        logger[metadataKey: "forge"] = "\(job.forge)"
        logger[metadataKey: "repository"] = "\(job.repository)"
        logger[metadataKey: "pr"] = "\(job.number)"
        logger[metadataKey: "sha"] = "\(job.headSHA.prefix(12))"
        logger[metadataKey: "delivery"] = "\(job.deliveryID)"
        logger[metadataKey: "attempt"] = "\(claimed.attempt)"
        let started = ContinuousClock.now
        guard let forge = forges[job.forge] else { return .failed("no forge '\(job.forge)' is configured") }
        guard let pr = forge.pullRequest(for: job) else { return .failed("invalid repository name") }
        // Without the repository's id the pull request cannot be told from another installation's
        // of the same name: such a job (queued by an older version) is not reviewed.
        guard job.repositoryID > 0 else { return .failed("job without a repository id: re-run the check to review it") }
        do {
            var state = try await store.beginScan(claimed)
            var headChecked = false
            var pullRequestGone = false
            var reconciliation: Reconciliation?
            var overflow = 0
            var ownPolicy: RepositoryPolicy?
            func repositoryPolicy() async throws -> RepositoryPolicy {
                if let ownPolicy { return ownPolicy }
                let loaded = try await self.repositoryPolicy(job: job, pr: pr, logger: logger)
                ownPolicy = loaded
                return loaded
            }
            func reconciled() async throws -> Reconciliation {
                if let reconciliation { return reconciliation }
                let r = try await store.reconciliation(scanID: state.scanID)
                reconciliation = r
                return r
            }
            while true {
                switch ReviewStep.next(state, headChecked: headChecked) {
                case .checkHead:
                    // The forge serves the pull request's current diff: a job for an older head
                    // would review the newer push's lines against the old commit.
                    let head = try await pr.headSHA(logger: logger)
                    if let head, head != job.headSHA {
                        try await supersede(state: state, by: head, job: job, pr: pr, logger: logger)
                        return .published
                    }
                    pullRequestGone = head == nil
                    headChecked = true
                case .startCheck:
                    let id = try await pr.createCheck(name: policy.checkName, headSHA: job.headSHA,
                                                      externalID: "corgi-scan-\(state.scanID)", logger: logger)
                    try await store.setCheckRun(scanID: state.scanID, checkRunID: id)
                    state.checkRunID = id
                    logger.info("check run started", metadata: ["check_run": "\(id)"])
                case .scan:
                    try await scan(job: job, pr: pr, state: state, pullRequestGone: pullRequestGone, policy: try await repositoryPolicy(),
                                   logger: logger)
                    state.status = .scanned
                case .postReview:
                    let r = try await reconciled()
                    let formatter = formatter(for: try await repositoryPolicy())
                    let (inline, extra) = formatter.inlineComments(r)
                    overflow = extra
                    if !inline.isEmpty {
                        let existing = try await pr.inlineCommentBodies(logger: logger)
                        let fresh = inline.filter { item in !existing.contains { $0.contains(ReviewFormatter.fingerprintMarker(item.fingerprint)) } }
                        if !fresh.isEmpty {
                            try await pr.postReview(commitID: job.headSHA, body: formatter.reviewBody(r, posted: fresh.count, overflow: extra),
                                                    comments: fresh.map(\.comment), logger: logger)
                        }
                    }
                    try await store.markReviewPosted(scanID: state.scanID)
                    state.reviewPosted = true
                case .postSummary:
                    let r = try await reconciled()
                    let formatter = formatter(for: try await repositoryPolicy())
                    overflow = formatter.inlineComments(r).overflow
                    let commentID = try await postSummary(formatter.summary(r, headSHA: job.headSHA, overflow: overflow),
                                                          known: state.summaryCommentID, pr: pr, logger: logger)
                    try await store.markSummaryPosted(scanID: state.scanID, pullRequestID: state.pullRequestID, commentID: commentID)
                    state.summaryPosted = true
                    state.summaryCommentID = commentID
                case .complete:
                    let r = try await reconciled()
                    let formatter = formatter(for: try await repositoryPolicy())
                    if let checkRunID = state.checkRunID {
                        try await pr.updateCheck(checkRunID, name: policy.checkName, headSHA: job.headSHA, conclusion: r.conclusion,
                                                 report: formatter.checkReport(r), logger: logger)
                    }
                    try await store.completeScan(
                        scanID: state.scanID,
                        audit: AuditEntry(actor: "worker", action: "review.published", target: "\(job.repository)#\(job.number)",
                                          organisation: job.organisation,
                                          metadata: ["forge": job.forge, "sha": job.headSHA, "conclusion": r.conclusion, "new": "\(r.new.count)",
                                                     "fixed": "\(r.fixed.count)"]))
                    state.status = .published
                    let elapsed = ContinuousClock.now - started
                    onPublished(r, elapsed)
                    logger.info("review published", metadata: [
                        "conclusion": "\(r.conclusion)", "new": "\(r.new.count)", "open": "\(r.open.count)", "fixed": "\(r.fixed.count)",
                        "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                case .finished:
                    return .published
                }
            }
        } catch let error as any ForgeFailure {
            logger.warning("review step failed", metadata: ["error": "\(error)"])
            return error.isTransient ? .retry("\(error)") : .failed("\(error)")
        } catch {
            logger.warning("review step failed", metadata: ["error": "\(type(of: error)): \(error)"])
            return .retry("\(type(of: error))")
        }
    }

    /// A chat command: only people with write access may give one (checked on the forge each
    /// time); `ignore` records the dismissal (once per comment, audited with who and why), then
    /// `ignore` and `rescan` review the pull request's head as it is now. Every command gets one
    /// reply, found by its marker if a crashed attempt already posted it.
    func run(_ command: CommandRequest, _ claimed: ClaimedJob, logger parent: Logger) async -> Outcome {
        var logger = parent
        let job = claimed.job
        logger[metadataKey: "job"] = "\(claimed.id)"
        logger[metadataKey: "forge"] = "\(job.forge)"
        logger[metadataKey: "command"] = "\(command.kind.rawValue)"
        guard let forge = forges[job.forge] else { return .failed("no forge '\(job.forge)' is configured") }
        guard let pr = forge.pullRequest(for: job) else { return .failed("invalid repository name") }
        let marker = "<!-- corgi:reply=\(command.commentID) -->"
        let mention = "@" + command.author
        func reply(_ text: String) async throws {
            if try await pr.comments(logger: logger).contains(where: { $0.body.contains(marker) }) { return }
            _ = try await pr.createComment(body: marker + "\n" + text, logger: logger)
        }
        do {
            switch command.kind {
            case .help:
                try await reply(ChatCommand.helpText)
                return .published
            case .invalid:
                try await reply("\(mention): \(command.reason ?? "not understood").\n\n" + ChatCommand.helpText)
                return .published
            case .rescan, .ignore:
                break
            }
            guard try await pr.canWrite(login: command.author, userID: command.authorID, logger: logger) else {
                try await store.audit(actor: "\(job.forge):\(command.author)", action: "command.refused", target: "\(job.repository)#\(job.number)",
                                      organisation: job.organisation,
                                      metadata: ["command": command.kind.rawValue, "comment": "\(command.commentID)", "reason": "no write access"])
                try await reply("\(mention): only people with write access to this repository can ask Code Corgi to \(command.kind.rawValue).")
                logger.info("command refused: no write access")
                return .published
            }
            if command.kind == .ignore, let target = command.target, let reason = command.reason {
                try await store.dismiss(
                    Dismissal(forge: job.forge, installationID: job.installationID, repositoryID: job.repositoryID, organisation: job.organisation,
                              target: target, reason: reason, author: command.author, commentID: command.commentID),
                    audit: AuditEntry(actor: "\(job.forge):\(command.author)", action: "finding.dismissed",
                                      target: "\(job.repository)#\(job.number)", organisation: job.organisation,
                                      metadata: ["forge": job.forge, "dismissed": target, "reason": reason, "comment": "\(command.commentID)"]))
            }
            guard let head = try await pr.headSHA(logger: logger) else {
                try await reply("\(mention): the pull request is gone; nothing to review.")
                return .published
            }
            var current = claimed
            current.job.headSHA = head
            current.job.baseSHA = nil  // the base may have moved too: asked of the forge
            let outcome = await review(current, logger: logger)
            guard outcome == .published else { return outcome }
            switch command.kind {
            case .ignore:
                try await reply("\(mention): \(Markdown.code(command.target ?? "")) is no longer reported in this repository; "
                    + "who and why are kept in the audit log. Reviewed \(Markdown.code(String(head.prefix(12)))) again.")
            default:
                try await reply("\(mention): reviewed \(Markdown.code(String(head.prefix(12)))) again.")
            }
            return .published
        } catch let error as any ForgeFailure {
            logger.warning("command failed", metadata: ["error": "\(error)"])
            return error.isTransient ? .retry("\(error)") : .failed("\(error)")
        } catch {
            logger.warning("command failed", metadata: ["error": "\(type(of: error)): \(error)"])
            return .retry("\(type(of: error))")
        }
    }

    /// Updates the summary comment in place; finds it by its marker when its id was not recorded
    /// (a crash came between posting and recording) and posts a new one when it was deleted.
    func postSummary(_ body: String, known: Int?, pr: any ForgePullRequest, logger: Logger) async throws -> Int {
        if let known, try await pr.updateComment(known, body: body, logger: logger) { return known }
        let ours = try await pr.comments(logger: logger).last { $0.body.hasPrefix(ReviewFormatter.summaryMarker) }
        if let ours, try await pr.updateComment(ours.id, body: body, logger: logger) { return ours.id }
        return try await pr.createComment(body: body, logger: logger)
    }

    /// Closes a review overtaken by a newer push: its check (if a crashed attempt made one) says
    /// so, and the pull request's findings and summary are left to the newer review.
    func supersede(state: ScanState, by head: String, job: ScanJob, pr: any ForgePullRequest, logger: Logger) async throws {
        if let checkRunID = state.checkRunID {
            try await pr.updateCheck(checkRunID, name: policy.checkName, headSHA: job.headSHA, conclusion: "neutral",
                                     report: CheckReport(title: "Superseded", summary: "A newer push (`\(head.prefix(12))`) is reviewed instead.",
                                                         annotations: []),
                                     logger: logger)
        }
        try await store.completeScan(
            scanID: state.scanID,
            audit: AuditEntry(actor: "worker", action: "review.superseded", target: "\(job.repository)#\(job.number)",
                              organisation: job.organisation, metadata: ["forge": job.forge, "sha": job.headSHA, "head": head]))
        logger.info("review superseded by a newer push", metadata: ["head": "\(head.prefix(12))"])
    }

    /// The formatter with the repository's fail-on severity.
    func formatter(for policy: RepositoryPolicy) -> ReviewFormatter {
        var formatter = self.formatter
        formatter.failOn = policy.failOn(default: self.policy.failOn)
        return formatter
    }

    /// The organisation's policy, then `.corgi.yml` at the pull request's base commit over it: a
    /// pull request cannot change its own policy. No base, or no file: the organisation's policy
    /// (the deployment's defaults where it sets nothing).
    func repositoryPolicy(job: ScanJob, pr: any ForgePullRequest, logger: Logger) async throws -> RepositoryPolicy {
        let organisation = try await store.organisationPolicy(forge: job.forge, organisation: job.organisation).repositoryBase
        var base = job.baseSHA
        if base == nil { base = try await pr.baseSHA(logger: logger) }
        guard let base, !base.isEmpty else { return organisation }
        guard let bytes = try await pr.fileContents(path: RepositoryPolicy.path, ref: base, logger: logger) else { return organisation }
        var policy = RepositoryPolicy(parsing: bytes, base: organisation)
        policy.base = base
        if !policy.problems.isEmpty { logger.info("repository policy has problems", metadata: ["problems": "\(policy.problems.count)"]) }
        return policy
    }

    /// Fetch, store encrypted, scan, reconcile — recorded in one transaction.
    func scan(job: ScanJob, pr: any ForgePullRequest, state: ScanState, pullRequestGone: Bool, policy repository: RepositoryPolicy,
              logger: Logger) async throws {
        var coverage: String?
        var diff: [UInt8]
        switch pullRequestGone ? .unavailable : try await pr.diff(logger: logger) {
        case .whole(let bytes):
            diff = bytes
        case .partial(let bytes, let gap):
            diff = bytes
            coverage = describe(gap)
        case .unavailable:
            // The pull request or its diff is gone (404): complete the check without findings and say why.
            try await store.recordScanResult(scanID: state.scanID, findings: [], conclusion: "neutral", coverage: Self.notFound, diff: nil,
                                             audit: ["forge": job.forge, "target": "\(job.repository)#\(job.number)", "sha": job.headSHA,
                                                     "outcome": "diff unavailable"])
            return
        }
        let retention = repository.diffRetentionDays ?? policy.retentionDays(for: job.organisation)
        // Ids, not names: names change hands and may be longer than a storage key allows.
        let objectKey = "diffs/\(job.forge)/\(job.installationID)/\(job.repositoryID)/\(job.number)/\(job.headSHA.prefix(40))-\(state.scanID)"
        let expires = Date().addingTimeInterval(TimeInterval(retention) * 86400)
        try await objects.put(objectKey, diff, expiresAt: expires)

        // A malformed part of the diff never costs the rest: the scan skips it, says where, and
        // every finding elsewhere is kept and published.
        var options = scanOptions
        options.ignorePaths += repository.ignorePaths
        // The stored diff is the forge's; the scan reads it widened to the changed functions.
        let widened = await ReviewContext(ruleSet: ruleSet, policy: policy).widen(diff, headSHA: job.headSHA, pr: pr, logger: logger)
        let result = try Scan(ruleSet: ruleSet, options: options).run(bytes: widened.diff)
        // Findings the repository dismissed (`@corgi ignore`) are left out; the store leaves them
        // out of its reconciliation too (reading the same dismissals in its transaction).
        let dismissed = try await store.dismissedTargets(forge: job.forge, installationID: job.installationID, repositoryID: job.repositoryID)
        var ruleFindings = result.findings
        // The model's review, of the same widened diff, sees what the rules found (to not repeat it);
        // the paths it names are already redacted (PromptRedactor).
        var modelAudit: [String: String] = [:]
        var modelNote: String?
        if let modelReview, repository.aiReview {
            // The organisation's daily budget, from what today's reviews recorded in the audit log.
            var budget: Int?
            if let daily = policy.modelTokensPerOrganisationPerDay {
                let day = Self.utcDay(Date())
                budget = max(0, daily - (try await store.modelTokensUsed(forge: job.forge, organisation: job.organisation, since: day)))
            }
            let outcome: ModelReviewOutcome
            if budget == 0 {
                outcome = ModelReviewOutcome()
                modelNote = "AI review skipped: the organisation's daily token budget is spent"
            } else {
                outcome = await modelReview.review(ParsedDiff.parse(bytes: widened.diff), ruleFindings: ruleFindings, tokenBudget: budget)
            }
            onModelReview(outcome)
            ruleFindings += outcome.findings
            modelAudit = ["ai_calls": "\(outcome.calls)", "ai_input_tokens": "\(outcome.inputTokens)",
                          "ai_output_tokens": "\(outcome.outputTokens)", "ai_redactions": "\(outcome.redactions)",
                          "ai_dropped": "\(outcome.dropped)", "ai_findings": "\(outcome.findings.count)",
                          "ai_prompt_sha256": outcome.promptDigests.joined(separator: ",")]
            if !outcome.notReviewed.isEmpty, modelNote == nil {
                let shown = outcome.notReviewed.prefix(10).map { "\(Markdown.code($0.path)) (\($0.reason))" }
                modelNote = "AI review did not cover \(outcome.notReviewed.count) file(s): " + shown.joined(separator: ", ")
                    + (outcome.notReviewed.count > 10 ? ", …" : "")
            }
            logger.info("model review done", metadata: ["calls": "\(outcome.calls)", "findings": "\(outcome.findings.count)",
                                                        "dropped": "\(outcome.dropped)", "not_reviewed": "\(outcome.notReviewed.count)"])
        }
        let policed = repository.apply(to: ruleFindings)
        let findings = policed.filter { !dismissed.contains($0.fingerprint) && !dismissed.contains($0.ruleID) }
        let s = result.statistics
        logger.info("diff scanned", metadata: [
            "files": "\(s.diff.files)", "added_lines": "\(s.diff.addedLines)", "binary_files": "\(s.diff.binaryFiles)",
            "malformed_regions": "\(s.diff.malformedRegions)", "truncated_lines": "\(s.diff.truncatedLines)",
            "findings": "\(findings.count)", "scan_ms": "\(s.durationMilliseconds)",
        ])
        var notes = [coverage, widened.note, modelNote].compactMap { $0 }
        if findings.count < policed.count {
            notes.append("\(policed.count - findings.count) finding(s) not reported: dismissed with `@corgi ignore` (who and why: the audit log)")
        }
        if !repository.problems.isEmpty {
            notes.append("\(Markdown.code(RepositoryPolicy.path)) at the base commit \(Markdown.code(String((repository.base ?? "").prefix(12)))): "
                + repository.problems.joined(separator: "; "))
        }
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
        var conclusion = formatter(for: repository).conclusion(for: findings)
        if conclusion == "success", s.isIncomplete { conclusion = "neutral" }
        try await store.recordScanResult(
            scanID: state.scanID, findings: findings, conclusion: conclusion, coverage: coverage,
            diff: (objectKey, byteCount, expires),
            audit: ["forge": job.forge, "target": "\(job.repository)#\(job.number)", "sha": job.headSHA, "object": objectKey,
                    "retention_days": "\(retention)", "outcome": s.isIncomplete ? "scanned in part" : "scanned",
                    "malformed_regions": "\(s.diff.malformedRegions)", "truncated_lines": "\(s.diff.truncatedLines)"]
                .merging(modelAudit) { a, _ in a })
    }

    /// `yyyy-MM-dd` of `date` in UTC: the day a daily budget counts.
    static func utcDay(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    /// What a forge left out of the diff, with secrets in the paths redacted.
    func describe(_ gap: DiffGap) -> String {
        var note = gap.summary
        if !gap.uncoveredPaths.isEmpty {
            let listed = gap.uncoveredPaths.prefix(20).map { Markdown.code(ruleSet.redactingSecrets(inPath: $0)) }.joined(separator: ", ")
            note += "; not covered (\(gap.uncoveredReason)): " + listed
                + (gap.uncoveredPaths.count > 20 ? " and \(gap.uncoveredPaths.count - 20) more" : "")
        }
        if let limit = gap.limit { note += "; " + limit }
        return note
    }
}

/// The review as a state machine: the next step follows from what the store says is done
/// (`ScanState`) and from whether this attempt has already compared the job's head with the pull
/// request's. Every step records its result before the next starts, so an attempt that crashed
/// anywhere resumes at the step it did not finish, and a finished review is never redone.
///
///     checkHead → startCheck → scan → postReview → postSummary → complete → finished
///         └──── superseded (a newer push) ─────────────────────────────────→ finished
///
/// A scan already recorded (`scanned`) is not checked against the head again: its findings are
/// published as recorded.
public enum ReviewStep: Sendable, Hashable, CaseIterable {
    /// Is the job's head commit still the pull request's? (A newer push has its own job.)
    case checkHead
    /// Create the check on the forge and record its id.
    case startCheck
    /// Fetch the diff, keep it encrypted, scan it, record findings and their reconciliation.
    case scan
    /// Post inline comments for new findings (skipping those already on the pull request).
    case postReview
    /// Create or update the one summary comment and record its id.
    case postSummary
    /// Complete the check, then mark the scan published and audit it in one transaction.
    case complete
    case finished

    public static func next(_ state: ScanState, headChecked: Bool) -> ReviewStep {
        switch state.status {
        case .published: return .finished
        case .running where !headChecked: return .checkHead
        default: break
        }
        if state.checkRunID == nil { return .startCheck }
        if state.status == .running { return .scan }
        if !state.reviewPosted { return .postReview }
        if !state.summaryPosted { return .postSummary }
        return .complete
    }
}

public import CorgiCore
public import Foundation

/// A second reviewer beside the rules: a language model (`CorgiAI.AIReviewer`), run on the
/// review's diff when the organisation's policy turns it on. It must never see a secret (the
/// implementation redacts before anything leaves) and never fails a review: what it could not
/// cover is part of its outcome.
public protocol ModelReview: Sendable {
    /// `tokenBudget`: at most this many tokens (estimated before, counted after) for this review,
    /// when the organisation's daily budget leaves less than the review's own.
    func review(_ diff: ParsedDiff, ruleFindings: [Finding], tokenBudget: Int?) async -> ModelReviewOutcome
}

/// What a model review found and what it could not cover, with what it cost.
public struct ModelReviewOutcome: Sendable {
    /// The rule id every model finding carries: findings of it never fail a check by themselves.
    public static let ruleID = "ai-review"

    public var findings: [Finding] = []
    /// Files not reviewed, each with why (`withheld: …`, `over the review's token budget`, …).
    public var notReviewed: [(path: String, reason: String)] = []
    /// Answer items dropped: malformed, or pointing at a line that is not an added line.
    public var dropped = 0
    /// Lines and path parts redacted before sending.
    public var redactions = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var calls = 0
    /// SHA-256 of each prompt sent, for the audit log: never the prompt.
    public var promptDigests: [String] = []

    public init() {}
}

public import CorgiCore
public import Foundation

/// How far a scan got: running (claimed, not yet scanned) → scanned (findings recorded) →
/// published (everything posted on the forge, or superseded).
public enum ScanStatus: String, Sendable, Hashable {
    case running, scanned, published
}

/// Where a scan stands, so a retried job picks up where a crashed one stopped.
public struct ScanState: Sendable, Hashable {
    public var scanID: Int
    public var pullRequestID: Int
    public var status: ScanStatus
    public var checkRunID: Int?
    public var reviewPosted: Bool
    public var summaryPosted: Bool
    public var summaryCommentID: Int?

    public init(scanID: Int, pullRequestID: Int, status: ScanStatus, checkRunID: Int?, reviewPosted: Bool, summaryPosted: Bool,
                summaryCommentID: Int?) {
        self.scanID = scanID
        self.pullRequestID = pullRequestID
        self.status = status
        self.checkRunID = checkRunID
        self.reviewPosted = reviewPosted
        self.summaryPosted = summaryPosted
        self.summaryCommentID = summaryCommentID
    }
}

public struct ExpiredDiff: Sendable, Hashable {
    public var objectKey: String
    public var organisation: String

    public init(objectKey: String, organisation: String) {
        self.objectKey = objectKey
        self.organisation = organisation
    }

    /// The forge the diff came from: review diffs are kept under `diffs/<forge>/…` (see
    /// `ReviewRunner`); "-" for a key of another shape.
    public var forge: String {
        let parts = objectKey.split(separator: "/", maxSplits: 2)
        return parts.count == 3 && parts[0] == "diffs" ? String(parts[1]) : "-"
    }
}


public import CorgiCore
public import Foundation

/// Where a scan stands, so a retried job picks up where a crashed one stopped.
public struct ScanState: Sendable, Hashable {
    public var scanID: Int
    public var pullRequestID: Int
    public var status: String  // running → scanned → published
    public var checkRunID: Int?
    public var reviewPosted: Bool
    public var summaryPosted: Bool
    public var summaryCommentID: Int?

    public init(scanID: Int, pullRequestID: Int, status: String, checkRunID: Int?, reviewPosted: Bool, summaryPosted: Bool,
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
}


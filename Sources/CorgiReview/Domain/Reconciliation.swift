public import CorgiCore

/// Findings of one scan against the pull request's earlier scans, by fingerprint.
public struct Reconciliation: Sendable, Hashable {
    public var new: [Finding]
    public var stillOpen: [Finding]
    public var fixed: [Finding]
    public var conclusion: String
    public var coverage: String?

    public init(new: [Finding], stillOpen: [Finding], fixed: [Finding], conclusion: String, coverage: String?) {
        self.new = new
        self.stillOpen = stillOpen
        self.fixed = fixed
        self.conclusion = conclusion
        self.coverage = coverage
    }

    public var open: [Finding] { (new + stillOpen).sorted(by: Finding.reportOrder) }

    /// The findings a scan left behind, sorted into new, still open and fixed: `tracked` are the
    /// pull request's findings that this scan saw or fixed (`lastScanID` or `fixedScanID` is
    /// `scanID`), in any order.
    public init(scanID: Int, tracked: [TrackedFinding], conclusion: String, coverage: String?) {
        self.init(new: [], stillOpen: [], fixed: [], conclusion: conclusion, coverage: coverage)
        for row in tracked.sorted(by: { Finding.reportOrder($0.finding, $1.finding) }) {
            if row.fixedScanID == scanID {
                fixed.append(row.finding)
            } else if row.lastScanID == scanID {
                if row.firstScanID == scanID { new.append(row.finding) } else { stillOpen.append(row.finding) }
            }
        }
    }
}

/// A finding as the store keeps it for a pull request, with the scans that opened, last saw and
/// fixed it.
public struct TrackedFinding: Sendable, Hashable {
    public var finding: Finding
    public var firstScanID: Int
    public var lastScanID: Int
    public var fixedScanID: Int?

    public init(finding: Finding, firstScanID: Int, lastScanID: Int, fixedScanID: Int?) {
        self.finding = finding
        self.firstScanID = firstScanID
        self.lastScanID = lastScanID
        self.fixedScanID = fixedScanID
    }
}

/// What recording one scan changes in a pull request's findings. Computed here once, from the
/// findings the store reports open inside its transaction, and written by every store engine as
/// it is: the rules of new, still open, reopened and fixed exist nowhere else.
///
/// Invariants: a fingerprint is written at most once per scan (the first finding with it wins);
/// a finding open before and seen again keeps the scan that opened it; one seen again after it
/// was fixed, or never seen, is new in this scan; an open finding this scan did not see is
/// fixed by it; a dismissed finding (by fingerprint or rule) is never written, and one that was
/// open is marked dismissed, not fixed.
public struct ReconciliationPlan: Sendable, Hashable {
    public struct Write: Sendable, Hashable {
        public var finding: Finding
        /// The scan the finding counts as opened in (this scan for a new or reopened finding).
        public var firstScanID: Int
    }

    public var scanID: Int
    /// Rows to insert or update by fingerprint: open, last seen in this scan.
    public var writes: [Write]
    /// Fingerprints of open findings this scan fixes.
    public var fixed: [String]
    /// Fingerprints of open findings now dismissed (`@corgi ignore`): neither open nor fixed.
    public var dismissed: [String]

    public var newCount: Int { writes.count(where: { $0.firstScanID == scanID }) }
    public var openCount: Int { writes.count }
    public var fixedCount: Int { fixed.count }

    /// - Parameters:
    ///   - findings: this scan's findings, in report order.
    ///   - open: the pull request's open findings before this scan: fingerprint → the scan that opened it.
    ///   - openRules: the rule of each open finding (fingerprint → rule id), to apply rule dismissals.
    ///   - dismissedTargets: fingerprints and rule ids the repository dismissed: never written as open.
    public init(scanID: Int, findings: [Finding], open: [String: Int], openRules: [String: String] = [:],
                dismissedTargets: Set<String> = []) {
        self.scanID = scanID
        var seen = Set<String>()
        writes = []
        for finding in findings where seen.insert(finding.fingerprint).inserted {
            if dismissedTargets.contains(finding.fingerprint) || dismissedTargets.contains(finding.ruleID) { continue }
            writes.append(Write(finding: finding, firstScanID: open[finding.fingerprint] ?? scanID))
        }
        let isDismissed = { (fingerprint: String) in
            dismissedTargets.contains(fingerprint) || openRules[fingerprint].map(dismissedTargets.contains) == true
        }
        dismissed = open.keys.filter(isDismissed).sorted()
        fixed = open.keys.filter { !seen.contains($0) && !isDismissed($0) }.sorted()
    }

    /// The counts the audit row and the scan row record.
    public var auditCounts: [String: String] {
        ["new": "\(newCount)", "open": "\(openCount)", "fixed": "\(fixedCount)"]
    }
}

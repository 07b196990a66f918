import CorgiCore
import CorgiReview
import Testing

@Suite("Reconciliation: new, still open, reopened and fixed, decided once")
struct ReconciliationTests {
    static func finding(_ name: String, path: String = "App.swift", line: Int) -> Finding {
        Finding(ruleID: "rule.\(name)", title: name, kind: .secret, severity: .high, cwe: nil, path: path, line: line, column: 1,
                message: "a \(name) secret", fingerprint: "fp-\(name)", redacted: nil)
    }

    @Test("a first scan opens every finding once, the first of a repeated fingerprint wins")
    func firstScan() {
        let a = Self.finding("a", line: 1), b = Self.finding("b", line: 2)
        var aAgain = a
        aAgain.line = 99
        let plan = ReconciliationPlan(scanID: 7, findings: [a, b, aAgain], open: [:])
        #expect(plan.writes.map(\.finding) == [a, b])
        #expect(plan.writes.allSatisfy { $0.firstScanID == 7 })
        #expect(plan.fixed.isEmpty)
        #expect((plan.newCount, plan.openCount, plan.fixedCount) == (2, 2, 0))
        #expect(plan.auditCounts == ["new": "2", "open": "2", "fixed": "0"])
    }

    @Test("a finding seen again keeps the scan that opened it; one not seen is fixed; one back after a fix is new")
    func laterScan() {
        let a = Self.finding("a", line: 1), b = Self.finding("b", line: 2), c = Self.finding("c", line: 3)
        // a and b open since scans 1 and 2; c was fixed earlier, so it is not among the open ones.
        let plan = ReconciliationPlan(scanID: 5, findings: [b, c], open: ["fp-a": 1, "fp-b": 2])
        #expect(plan.writes.map(\.firstScanID) == [2, 5])
        #expect(plan.fixed == ["fp-a"])
        #expect((plan.newCount, plan.openCount, plan.fixedCount) == (1, 2, 1))
    }

    @Test("a scan with no findings fixes everything open, in a stable order")
    func emptyScan() {
        let plan = ReconciliationPlan(scanID: 3, findings: [], open: ["fp-z": 1, "fp-a": 2, "fp-m": 1])
        #expect(plan.writes.isEmpty)
        #expect(plan.fixed == ["fp-a", "fp-m", "fp-z"])
        #expect((plan.newCount, plan.openCount, plan.fixedCount) == (0, 0, 3))
    }

    @Test("stored rows sort into new, still open and fixed for the scan, in report order")
    func classification() {
        let a = Self.finding("a", path: "b.swift", line: 1), b = Self.finding("b", path: "a.swift", line: 9)
        let c = Self.finding("c", path: "a.swift", line: 2), d = Self.finding("d", line: 4), e = Self.finding("e", line: 5)
        let rows = [
            TrackedFinding(finding: a, firstScanID: 4, lastScanID: 4, fixedScanID: nil),  // new in 4
            TrackedFinding(finding: b, firstScanID: 2, lastScanID: 4, fixedScanID: nil),  // still open
            TrackedFinding(finding: c, firstScanID: 4, lastScanID: 4, fixedScanID: nil),  // new in 4
            TrackedFinding(finding: d, firstScanID: 1, lastScanID: 3, fixedScanID: 4),  // fixed by 4
            TrackedFinding(finding: e, firstScanID: 1, lastScanID: 2, fixedScanID: 3),  // fixed earlier: not this scan's
        ]
        let r = Reconciliation(scanID: 4, tracked: rows, conclusion: "failure", coverage: nil)
        #expect(r.new == [c, a])
        #expect(r.stillOpen == [b])
        #expect(r.fixed == [d])
        #expect(r.open == [c, b, a])
    }

    @Test("planning and classifying agree over a sequence of scans")
    func sequence() {
        // An in-memory store of tracked rows, written only as the plan says.
        var rows: [String: TrackedFinding] = [:]
        func record(_ scanID: Int, _ findings: [Finding]) -> Reconciliation {
            let open = rows.values.filter { $0.fixedScanID == nil }.reduce(into: [String: Int]()) { $0[$1.finding.fingerprint] = $1.firstScanID }
            let plan = ReconciliationPlan(scanID: scanID, findings: findings, open: open)
            for w in plan.writes {
                rows[w.finding.fingerprint] = TrackedFinding(finding: w.finding, firstScanID: w.firstScanID, lastScanID: scanID, fixedScanID: nil)
            }
            for fp in plan.fixed { rows[fp]?.fixedScanID = scanID }
            let r = Reconciliation(scanID: scanID, tracked: Array(rows.values), conclusion: "x", coverage: nil)
            #expect(r.new.count == plan.newCount && r.open.count == plan.openCount && r.fixed.count == plan.fixedCount)
            return r
        }
        let a = Self.finding("a", line: 1), b = Self.finding("b", line: 2)
        #expect(record(1, [a, b]).new == [a, b])
        let second = record(2, [b])
        #expect(second.fixed == [a] && second.stillOpen == [b] && second.new.isEmpty)
        let third = record(3, [a, b])
        #expect(third.new == [a] && third.stillOpen == [b] && third.fixed.isEmpty)
    }
}

import CorgiCore
import CorgiReview
import Testing

@Suite("Chat commands: read strictly from the comment, dismissals honoured by reconciliation")
struct ChatCommandTests {
    @Test("what is and is not a command", arguments: [
        ("@corgi help", ChatCommand.Reading.command(.help)),
        ("  @Corgi RESCAN  ", .command(.rescan)),
        ("thanks!\n@corgi ignore fp-1a2b test fixture, not a real key", .command(.ignore(target: "fp-1a2b", reason: "test fixture, not a real key"))),
        ("@corgi ignore python-yaml-unsafe-load the loader is the safe one", .command(.ignore(target: "python-yaml-unsafe-load", reason: "the loader is the safe one"))),
        ("hello @corgi help", .none),
        ("@corgibot help", .none),
        ("@corgi: reviewed again", .none),
        ("", .none),
        ("@corgi", .invalid("no command given")),
        ("@corgi dance", .invalid("unknown command")),
        ("@corgi ignore fp-1", .invalid("`ignore` needs a fingerprint or rule id and a reason")),
        ("@corgi ignore ../../etc reason", .invalid("`ignore` needs a fingerprint or rule id (letters, digits, `.`, `_`, `-`, `:`)")),
    ])
    func reading(_ body: String, _ expected: ChatCommand.Reading) {
        #expect(ChatCommand.read(body) == expected)
    }

    @Test("a reason has no control characters and a bounded length")
    func reasons() {
        #expect(ChatCommand.read("@corgi ignore r1 a\u{1B}[31mred\u{07}") == .command(.ignore(target: "r1", reason: "a[31mred")))
        let long = "@corgi ignore r1 " + String(repeating: "x", count: ChatCommand.maximumReason + 1)
        #expect(ChatCommand.read(long) == .invalid("the reason is longer than \(ChatCommand.maximumReason) characters"))
    }

    static func finding(_ name: String, rule: String) -> Finding {
        Finding(ruleID: rule, title: rule, kind: .secret, severity: .high, cwe: nil, path: "a.swift", line: 1, column: 1, message: "m",
                fingerprint: "fp-\(name)", redacted: nil)
    }

    @Test("dismissed findings are never written; open ones become dismissed, not fixed")
    func dismissedInPlan() {
        let a = Self.finding("a", rule: "r1"), b = Self.finding("b", rule: "r2"), c = Self.finding("c", rule: "r3")
        // a dismissed by fingerprint, everything of r2 by rule; c is new.
        let plan = ReconciliationPlan(scanID: 5, findings: [a, b, c], open: ["fp-a": 1, "fp-b": 2, "fp-old": 3],
                                      openRules: ["fp-a": "r1", "fp-b": "r2", "fp-old": "r9"], dismissedTargets: ["fp-a", "r2"])
        #expect(plan.writes.map(\.finding.fingerprint) == ["fp-c"])
        #expect(plan.dismissed == ["fp-a", "fp-b"])
        #expect(plan.fixed == ["fp-old"])
        #expect((plan.newCount, plan.openCount, plan.fixedCount) == (1, 1, 1))
    }
}

import CorgiAI
import CorgiCore
import CorgiDetection
import CorgiReview
import Foundation
import Testing

/// The AI half of a review against a scripted model: what is sent (numbered hunks, the rule
/// findings, nothing secret, no credential file), what is kept of the answer (only added lines of
/// files of the call), budgets, parallel calls and failures said as coverage.
@Suite("AI review: prompts, answers, budgets")
struct AIReviewerTests {
    /// A model that answers from a script and records every request.
    actor Model: AIProvider {
        nonisolated var name: String { "scripted" }
        var requests: [AIRequest] = []
        var running = 0, mostAtOnce = 0
        let answer: @Sendable (AIRequest) -> Result<JSONValue, AIProviderError>
        init(answer: @escaping @Sendable (AIRequest) -> Result<JSONValue, AIProviderError>) { self.answer = answer }

        func complete(_ request: AIRequest) async throws(AIProviderError) -> AIAnswer {
            requests.append(request)
            running += 1
            mostAtOnce = max(mostAtOnce, running)
            await Task.yield()
            running -= 1
            return AIAnswer(toolInput: try answer(request).get(), usage: AIUsage(inputTokens: request.prompt.utf8.count / 4, outputTokens: 20))
        }
    }

    static let loaded = try! RuleLoader.loadBuiltin(withTests: false)
    static let redactor = try! PromptRedactor(ruleSet: try! RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist))
    static let token = "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"

    static func file(_ path: String, _ lines: [String]) -> String {
        "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,\(lines.count) @@\n"
            + lines.map { "+" + $0 + "\n" }.joined()
    }

    /// A handler that lets any signed-in user delete any invoice: no rule names it.
    static let handler = [
        "@app.route('/invoices/<id>', methods=['DELETE'])",
        "@login_required",
        "def delete_invoice(id):",
        "    invoice = Invoice.query.get(id)",
        "    db.session.delete(invoice)",
        "    db.session.commit()",
        "    return '', 204",
    ]

    static func item(_ file: String, _ line: Int, severity: String = "high", category: String = "missing-authorization") -> JSONValue {
        .object(["file": .string(file), "line": .number(Double(line)), "severity": .string(severity), "category": .string(category),
                 "cwe": .string("CWE-862"), "message": .string("Any signed-in user can delete any invoice."),
                 "fix": .string("Check that the invoice belongs to the current user.")])
    }

    @Test("a seeded authorisation bug is reported at its line; nothing secret and no credential file is sent; bad items are dropped")
    func seededBug() async throws {
        let diff = ParsedDiff.parse(Self.file("app/invoices.py", Self.handler + ["GITHUB_TOKEN = \"\(Self.token)\""])
            + Self.file("deploy/.env", ["STRIPE_KEY=sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"]))
        let model = Model { _ in .success(.object(["findings": .array([
            Self.item("app/invoices.py", 5),
            Self.item("app/invoices.py", 42),                  // not a line of the diff
            Self.item("deploy/.env", 1),                       // a file never sent
            Self.item("app/invoices.py", 4, severity: "urgent"),
            .string("not an object"),
        ])])) }
        let rule = Finding(ruleID: "github-pat-classic", title: "GitHub token", kind: .secret, severity: .critical, cwe: nil,
                           path: "app/invoices.py", line: 8, column: 16, message: "m", fingerprint: "f", redacted: nil)
        let outcome = await AIReviewer(provider: model, redactor: Self.redactor, fingerprintKey: nil).review(diff, ruleFindings: [rule])
        #expect(outcome.findings.map { "\($0.path):\($0.line) \($0.severity) \($0.cwe ?? "-")" } == ["app/invoices.py:5 high CWE-862"])
        let finding = try #require(outcome.findings.first)
        #expect(finding.ruleID == "ai-review" && finding.kind == .code && finding.confidence == .low && finding.message.hasPrefix("AI review: "))
        #expect(outcome.dropped == 4)
        #expect(outcome.notReviewed.map(\.path) == ["deploy/.env"])
        let sent = await model.requests
        #expect(sent.count == 1 && outcome.calls == 1 && outcome.promptDigests.count == 1)
        let prompt = try #require(sent.first?.prompt)
        #expect(prompt.contains("+5:     db.session.delete(invoice)"))
        #expect(prompt.contains("app/invoices.py:8 github-pat-classic"), "the rule findings are listed")
        #expect(!prompt.contains(Self.token) && !prompt.contains("sk_live_") && prompt.contains("[REDACTED:github-pat-classic]"))
        #expect(sent.first?.tool.name == "report_findings" && outcome.redactions == 1)
    }

    @Test("the same bug one line lower keeps its fingerprint; another category is another finding")
    func fingerprints() async throws {
        let moved = ParsedDiff.parse(Self.file("app/invoices.py", ["import db"] + Self.handler))
        let first = await AIReviewer(provider: Model { _ in .success(.object(["findings": .array([Self.item("app/invoices.py", 5)])])) },
                                     redactor: Self.redactor, fingerprintKey: nil)
            .review(ParsedDiff.parse(Self.file("app/invoices.py", Self.handler)), ruleFindings: [])
        let second = await AIReviewer(provider: Model { _ in .success(.object(["findings": .array([
            Self.item("app/invoices.py", 6), Self.item("app/invoices.py", 6, category: "missing-csrf-check")])])) },
                                      redactor: Self.redactor, fingerprintKey: nil).review(moved, ruleFindings: [])
        #expect(first.findings.count == 1 && second.findings.count == 2)
        #expect(first.findings[0].fingerprint == second.findings[0].fingerprint)
        #expect(second.findings[0].fingerprint != second.findings[1].fingerprint)
    }

    @Test("budgets: files past the review's budget or too large for a call are named, calls run in parallel up to the limit")
    func budgets() async throws {
        var diffText = ""
        for i in 0..<12 { diffText += Self.file("src/module\(i).py", (0..<40).map { "value_\($0) = compute(\($0), \(i))" }) }
        diffText += Self.file("src/huge.py", (0..<4_000).map { "line_\($0) = \($0)" })
        var limits = AIReviewLimits()
        limits.tokensPerCall = 1_200
        limits.tokensPerReview = 2_500
        limits.maximumOutputTokens = 100
        limits.parallelCalls = 2
        let model = Model { _ in .success(.object(["findings": .array([])])) }
        let outcome = await AIReviewer(provider: model, redactor: Self.redactor, limits: limits, fingerprintKey: nil)
            .review(ParsedDiff.parse(diffText), ruleFindings: [])
        let reasons = Dictionary(grouping: outcome.notReviewed, by: \.reason).mapValues { $0.map(\.path) }
        #expect(reasons["larger than one model call may take"] == ["src/huge.py"])
        #expect((reasons["over the review's token budget"]?.count ?? 0) > 0)
        let sent = await model.requests
        let reviewed = Set(sent.flatMap { request in (0..<12).map { "src/module\($0).py" }.filter { request.prompt.contains("### \($0)\n") } })
        #expect(reviewed.count + (reasons["over the review's token budget"]?.count ?? 0) == 12, "every file is reviewed or named")
        #expect(sent.count > 1 && sent.allSatisfy { $0.prompt.utf8.count / limits.bytesPerToken <= limits.tokensPerCall + 200 })
        #expect(await model.mostAtOnce <= 2)
    }

    @Test("a failed call leaves its files named as not reviewed, with the reason, and the rest of the review stands")
    func failures() async throws {
        var limits = AIReviewLimits()
        limits.tokensPerCall = 20
        let model = Model { request in
            request.prompt.contains("### src/a.py") ? .failure(.status(503)) : .success(.object(["findings": .array([Self.item("src/b.py", 2)])]))
        }
        let diff = ParsedDiff.parse(Self.file("src/a.py", ["x = 1", "y = 2"]) + Self.file("src/b.py", ["x = 1", "y = 2"]))
        let outcome = await AIReviewer(provider: model, redactor: Self.redactor, limits: limits, fingerprintKey: nil).review(diff, ruleFindings: [])
        #expect(outcome.notReviewed.map { "\($0.path): \($0.reason)" } == ["src/a.py: the model call failed: the model endpoint answered HTTP 503"])
        #expect(outcome.findings.map(\.path) == ["src/b.py"])
    }
}

/// A model that never answers the calls naming `stuck`, until cancelled.
struct StuckModel: AIProvider {
    var name: String { "stuck" }
    let stuck: String

    func complete(_ request: AIRequest) async throws(AIProviderError) -> AIAnswer {
        if request.prompt.contains(stuck) {
            do { try await Task.sleep(for: .seconds(3600)) } catch { throw .unreachable("cancelled") }
        }
        return AIAnswer(toolInput: .object(["findings": .array([])]), usage: AIUsage(inputTokens: 10, outputTokens: 1))
    }
}

@Suite("AI review: the review's time limit")
struct AIReviewTimeLimitTests {
    @Test("calls still running when the review's time is up are cancelled, calls not begun are not made, and their files are named")
    func timeLimit() async throws {
        var limits = AIReviewLimits()
        limits.tokensPerCall = 12  // one file a call
        limits.parallelCalls = 1
        limits.reviewTimeLimit = .milliseconds(300)
        let diff = ParsedDiff.parse(AIReviewerTests.file("src/a.py", ["x = 1"]) + AIReviewerTests.file("src/b.py", ["x = 2"])
            + AIReviewerTests.file("src/c.py", ["x = 3"]))
        let started = ContinuousClock.now
        let outcome = await AIReviewer(provider: StuckModel(stuck: "### src/b.py"), redactor: AIReviewerTests.redactor, limits: limits,
                                       fingerprintKey: nil).review(diff, ruleFindings: [])
        #expect(ContinuousClock.now - started < .seconds(600), "the stuck call (an hour) was cancelled")
        #expect(outcome.calls == 1 && outcome.inputTokens == 10, "only a.py's call answered")
        #expect(outcome.notReviewed.map(\.path) == ["src/b.py", "src/c.py"])
        #expect(outcome.notReviewed.allSatisfy { $0.reason.contains("time limit") })
    }
}

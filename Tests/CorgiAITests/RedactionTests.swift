import CorgiAI
import CorgiCore
import CorgiDetection
import CorgiReview
import Foundation
import Testing

/// Redaction before anything reaches a model, attacked with every secret the secret packs know:
/// each built-in secret rule's own must-find cases, sent as a file under the case's path, must
/// leave no trace of the secret its regex captures in what would be sent.
@Suite("AI review: redaction of every prompt")
struct RedactionTests {
    static let loaded = try! RuleLoader.loadBuiltin(withTests: true)
    static let redactor = try! PromptRedactor(ruleSet: try! RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist))

    /// The secret a rule's regex captures in `text` (the rule's secret group, else the whole match).
    static func secret(of rule: RuleDefinition, in text: String) -> String? {
        guard let pattern = try? PCRE2Pattern(ValueGrammar.expand(rule.regex)) else { return nil }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> String? in
            guard let match = pattern.firstMatch(in: buffer, scratch: MatchScratch()) else { return nil }
            let group = rule.secretGroup ?? (pattern.captureCount > 0 ? 1 : 0)
            guard group < match.groups.count, let range = match.groups[group] ?? match.groups[0] else { return nil }
            return String(decoding: bytes[range], as: UTF8.self)
        }
    }

    @Test("no must-find case of any secret rule reaches the prompt")
    func everyRuleCase() throws {
        var checked = 0
        var leaks: [String] = []
        for rule in Self.loaded.rules where rule.kind == .secret {
            for test in rule.tests?.match ?? [] {
                let path = test.path ?? "src/settings.txt"
                let lines = test.text.components(separatedBy: "\n")
                let result = Self.redactor.redact([PromptRedactor.File(path: path, lines: lines)])
                let sent = result.files.map { $0.path + "\n" + $0.lines.joined(separator: "\n") }.joined(separator: "\n")
                if result.withheld.contains(where: { !$0.isEmpty }) && result.files.isEmpty { checked += 1; continue }
                guard let secret = Self.secret(of: rule, in: test.text), secret.count >= 8 else { continue }
                checked += 1
                if sent.contains(secret) { leaks.append("\(rule.id): \(path)") }
            }
        }
        #expect(leaks.isEmpty, "secrets sent: \(leaks.prefix(20))")
        #expect(checked > 2_000, "only \(checked) cases checked")
    }

    /// Every request a model is sent, recorded.
    actor Recorder: AIProvider {
        nonisolated var name: String { "recorder" }
        var prompts: [String] = []
        func complete(_ request: AIRequest) async throws(AIProviderError) -> AIAnswer {
            prompts.append(request.system + "\n" + request.prompt)
            return AIAnswer(toolInput: .object(["findings": .array([])]), usage: AIUsage(inputTokens: 0, outputTokens: 0))
        }
    }

    @Test("a review of a diff holding every must-find case sends none of their secrets to the model")
    func throughTheReviewer() async throws {
        var diff = "", secrets: [(rule: String, secret: String)] = []
        var index = 0
        for rule in Self.loaded.rules where rule.kind == .secret {
            for test in rule.tests?.match ?? [] {
                guard let secret = Self.secret(of: rule, in: test.text), secret.count >= 8, !test.text.contains("\u{0}") else { continue }
                let path = test.path ?? "cases/\(index)/settings.txt"
                let lines = test.text.components(separatedBy: "\n")
                diff += "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,\(lines.count) @@\n"
                diff += lines.map { "+" + $0 + "\n" }.joined()
                secrets.append((rule.id, secret))
                index += 1
            }
        }
        var limits = AIReviewLimits()
        limits.tokensPerReview = 100_000_000
        limits.tokensPerCall = 50_000
        let model = Recorder()
        let outcome = await AIReviewer(provider: model, redactor: Self.redactor, limits: limits, fingerprintKey: nil)
            .review(ParsedDiff.parse(diff), ruleFindings: [])
        let sent = await model.prompts.joined(separator: "\n")
        #expect(outcome.calls > 0 && outcome.redactions > 1_000 && secrets.count > 2_000)
        let leaked = secrets.filter { sent.contains($0.secret) }.map(\.rule)
        #expect(leaked.isEmpty, "sent to the model: \(leaked.prefix(20))")
    }

    @Test("files that are credentials by nature are withheld whole; paths and multi-line keys are redacted")
    func filesPathsAndBlocks() throws {
        let key = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw",
                   "7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh",
                   "-----END RSA PRIVATE KEY-----"]
        let files = [
            PromptRedactor.File(path: "deploy/.env", lines: ["DATABASE_URL=postgres://app@db/app", "DEBUG=1"]),
            PromptRedactor.File(path: "config/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/app.py", lines: ["import os"]),
            PromptRedactor.File(path: "keys/readme.md", lines: ["Use this key:"] + key + ["and nothing else."]),
            PromptRedactor.File(path: "app/main.py", lines: ["def handler(request):", "    return render(request.args['q'])"]),
        ]
        let result = Self.redactor.redact(files)
        #expect(result.withheld == ["deploy/.env"])
        #expect(result.files.map(\.path) == ["config/[REDACTED:github-pat-classic]/app.py", "keys/readme.md", "app/main.py"])
        let readme = result.files[1].lines
        #expect(readme.first == "Use this key:" && readme.last == "and nothing else.")
        #expect(readme.dropFirst().dropLast().allSatisfy { $0.hasPrefix("[REDACTED:") }, "\(readme)")
        #expect(result.files[2].lines == files[3].lines, "code without secrets goes as it is")
        #expect(result.redactions == 1 + key.count)
        #expect(!result.files.flatMap(\.lines).contains { $0.contains("7onLRnrq0") }, "no line of the key is sent")
    }
}

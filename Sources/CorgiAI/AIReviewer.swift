public import CorgiCore
public import CorgiDetection
public import CorgiReview
import Crypto
public import Foundation

/// How much an AI review may ask of the model.
public struct AIReviewLimits: Sendable, Hashable {
    /// Estimated tokens (prompt and answer) one review may spend; files past it are not sent.
    public var tokensPerReview = 200_000
    /// Estimated prompt tokens of one call: files are grouped up to it, a larger file is not sent.
    public var tokensPerCall = 30_000
    public var maximumOutputTokens = 4_096
    public var parallelCalls = 4
    /// Prompt tokens are estimated before a call at this many bytes each (the usage the provider
    /// reports is what is counted after it).
    public var bytesPerToken = 4
    /// Calls still running when this has passed since the review began are cancelled, and calls
    /// not begun are not made; their files are named as not reviewed.
    public var reviewTimeLimit = Duration.seconds(600)

    public init() {}
}

/// The AI half of a review: the diff's files, redacted, are sent in groups to the model with the
/// rule findings already made, and the model answers through one tool with findings on added
/// lines. Every answer item is checked: a file of the group, an added line, a known severity;
/// anything else is dropped and counted. Findings are `ai-review` code findings at low
/// confidence (an AI finding never fails a check by itself unless a policy says so).
public struct AIReviewer: ModelReview {
    public static let ruleID = ModelReviewOutcome.ruleID
    let provider: any AIProvider
    let redactor: PromptRedactor
    let limits: AIReviewLimits
    let fingerprintKey: FingerprintKey?

    public init(provider: any AIProvider, redactor: PromptRedactor, limits: AIReviewLimits = AIReviewLimits(), fingerprintKey: FingerprintKey?) {
        self.provider = provider
        self.redactor = redactor
        self.limits = limits
        self.fingerprintKey = fingerprintKey
    }

    static let system = """
        You are a security reviewer of a pull request. Report only security problems that the added lines (marked "+") \
        introduce and that no rule finding listed below already reports: broken or missing authorisation checks, missing \
        validation of untrusted input, injection, unsafe deserialisation, insecure defaults, logic flaws that let one user act \
        for another. Report each at the new-file line number of an added line of a file shown. Do not report style, \
        performance or secrets (they are redacted as [REDACTED:…] before you see them). Answer only through the \
        report_findings tool; an empty list when there is nothing to report.
        """

    public static let tool = AITool(name: "report_findings", description: "Report the security findings of the pull request's added lines.",
                                    inputSchema: .object([
        "type": .string("object"),
        "properties": .object(["findings": .object([
            "type": .string("array"),
            "items": .object([
                "type": .string("object"),
                "properties": .object([
                    "file": .object(["type": .string("string"), "description": .string("The file's path as shown.")]),
                    "line": .object(["type": .string("integer"), "description": .string("New-file line number of an added line.")]),
                    "end_line": .object(["type": .string("integer")]),
                    "severity": .object(["type": .string("string"), "enum": .array(["low", "medium", "high", "critical"].map { .string($0) })]),
                    "category": .object(["type": .string("string"), "description": .string("A short kebab-case name: missing-authorization, …")]),
                    "cwe": .object(["type": .string("string"), "description": .string("CWE-<number>, if one applies.")]),
                    "message": .object(["type": .string("string")]),
                    "fix": .object(["type": .string("string")]),
                ]),
                "required": .array(["file", "line", "severity", "category", "message"].map { .string($0) }),
            ]),
        ])]),
        "required": .array([.string("findings")]),
    ]))

    /// One file as the prompt shows it: hunks with new-file line numbers on added and context lines.
    struct PromptFile {
        var path: String
        var sentPath: String
        var lines: [String]
        var added: Set<Int>
    }

    public func review(_ diff: ParsedDiff, ruleFindings: [Finding]) async -> ModelReviewOutcome {
        await review(diff, ruleFindings: ruleFindings, tokenBudget: nil)
    }

    public func review(_ diff: ParsedDiff, ruleFindings: [Finding], tokenBudget: Int?) async -> ModelReviewOutcome {
        let reviewBudget = min(limits.tokensPerReview, tokenBudget ?? .max)
        var outcome = ModelReviewOutcome()
        // Render each file, then redact it (every line, context and removed ones too).
        var files: [PromptFile] = []
        for file in diff.files where !file.header.isBinary && !file.hunks.isEmpty && file.header.change != .deleted {
            // Redacted as the file's own lines (rules anchored at a line's start, and multi-line
            // ones, see them as in the file), then numbered for the prompt.
            let lines = file.hunks.flatMap { $0.lines.filter { !$0.isContinuation } }
            let redacted = redactor.redact([PromptRedactor.File(path: file.header.path, lines: lines.map(\.text))])
            outcome.redactions += redacted.redactions
            guard let sent = redacted.files.first else {
                outcome.notReviewed.append((redacted.withheld.first ?? file.header.path, "withheld: a file that is a credential by nature"))
                continue
            }
            var rendered: [String] = []
            var k = 0
            for hunk in file.hunks {
                rendered.append("@@ -\(hunk.header.oldStart),\(hunk.header.oldCount) +\(hunk.header.newStart),\(hunk.header.newCount) @@")
                for line in hunk.lines where !line.isContinuation {
                    let text = sent.lines[k]
                    k += 1
                    switch line.kind {
                    case .added: rendered.append("+\(line.newLine): \(text)")
                    case .context: rendered.append(" \(line.newLine): \(text)")
                    case .removed: rendered.append("-: \(text)")
                    }
                }
            }
            files.append(PromptFile(path: file.header.path, sentPath: sent.path, lines: rendered, added: Set(file.addedLineNumbers)))
        }
        // Group files into calls within the per-call and per-review budgets.
        var groups: [[PromptFile]] = []
        var current: [PromptFile] = []
        var currentTokens = 0, plannedTokens = 0
        for file in files {
            let tokens = file.lines.reduce(file.sentPath.utf8.count) { $0 + $1.utf8.count + 1 } / limits.bytesPerToken + 1
            if tokens > limits.tokensPerCall {
                outcome.notReviewed.append((file.sentPath, "larger than one model call may take"))
                continue
            }
            if plannedTokens + tokens + limits.maximumOutputTokens > reviewBudget {
                outcome.notReviewed.append((file.sentPath, "over the review's token budget"))
                continue
            }
            if currentTokens + tokens > limits.tokensPerCall, !current.isEmpty {
                groups.append(current)
                plannedTokens += limits.maximumOutputTokens
                current = []
                currentTokens = 0
            }
            current.append(file)
            currentTokens += tokens
            plannedTokens += tokens
        }
        if !current.isEmpty { groups.append(current) }

        let known = ruleFindings.map { "\($0.path):\($0.line) \($0.ruleID)" }
        /// A call's end, or the review's time running out.
        enum Event: Sendable {
            case answered(Int, Result<AIAnswer, AIProviderError>, String)
            case timeUp
        }
        let timeLimit = limits.reviewTimeLimit
        let results = await withTaskGroup(of: Event.self) { taskGroup in
            var next = 0, running = 0, collected: [(Int, Result<AIAnswer, AIProviderError>, String)] = []
            func start(_ index: Int) {
                let group = groups[index]
                let paths = Set(group.map(\.path))
                var prompt = "Rule findings already reported (do not repeat):\n"
                let listed = zip(ruleFindings, known).filter { paths.contains($0.0.path) }.map(\.1)
                prompt += listed.isEmpty ? "(none)\n" : listed.joined(separator: "\n") + "\n"
                for file in group { prompt += "\n### \(file.sentPath)\n" + file.lines.joined(separator: "\n") + "\n" }
                let request = AIRequest(system: Self.system, prompt: prompt, tool: Self.tool, maximumOutputTokens: limits.maximumOutputTokens)
                let digest = SHA256.hash(data: Array((Self.system + "\0" + prompt).utf8)).map { String(format: "%02x", $0) }.joined()
                running += 1
                taskGroup.addTask { [provider] in
                    do throws(AIProviderError) {
                        return .answered(index, .success(try await provider.complete(request)), digest)
                    } catch {
                        return .answered(index, .failure(error), digest)
                    }
                }
            }
            guard !groups.isEmpty else { return collected }
            taskGroup.addTask {
                try? await Task.sleep(for: timeLimit)
                return .timeUp
            }
            while next < min(limits.parallelCalls, groups.count) { start(next); next += 1 }
            while running > 0, let event = await taskGroup.next() {
                guard case .answered(let index, let result, let digest) = event else { break }  // time is up
                running -= 1
                collected.append((index, result, digest))
                if next < groups.count { start(next); next += 1 }
            }
            // Calls still running are cancelled; the timer too, when every call ended first.
            taskGroup.cancelAll()
            return collected.sorted { $0.0 < $1.0 }
        }
        let answered = Set(results.map(\.0))
        for index in groups.indices where !answered.contains(index) {
            for file in groups[index] { outcome.notReviewed.append((file.sentPath, "the review's time limit (\(timeLimit)) ran out")) }
        }
        for (index, result, digest) in results {
            outcome.calls += 1
            outcome.promptDigests.append(digest)
            switch result {
            case .failure(let error):
                for file in groups[index] { outcome.notReviewed.append((file.sentPath, "the model call failed: \(error)")) }
            case .success(let answer):
                outcome.inputTokens += answer.usage.inputTokens
                outcome.outputTokens += answer.usage.outputTokens
                let (found, dropped) = findings(in: answer.toolInput, files: groups[index])
                outcome.findings += found
                outcome.dropped += dropped
            }
        }
        return outcome
    }

    /// The answer's items that name a file of the call and an added line of it; the rest counted.
    func findings(in input: JSONValue, files: [PromptFile]) -> ([Finding], Int) {
        guard let items = input["findings"]?.array else { return ([], 1) }
        var found: [Finding] = [], dropped = 0
        var seen = Set<String>()
        for item in items {
            guard let name = item["file"]?.string, let file = files.first(where: { $0.sentPath == name || $0.path == name }),
                  let line = item["line"]?.int, file.added.contains(line),
                  let severity = item["severity"]?.string.flatMap(Severity.init(rawValue:)), severity != .info,
                  let category = item["category"]?.string.map(Self.token), !category.isEmpty,
                  let message = item["message"]?.string.map({ Self.text($0, limit: 1_000) }), !message.isEmpty
            else { dropped += 1; continue }
            let endLine = item["end_line"]?.int.flatMap { $0 >= line && file.added.contains($0) ? $0 : nil } ?? line
            let cwe = item["cwe"]?.string.flatMap { $0.range(of: #"^CWE-[0-9]{1,5}$"#, options: .regularExpression) != nil ? $0 : nil }
            let fix = item["fix"]?.string.map { Self.text($0, limit: 500) }.flatMap { $0.isEmpty ? nil : $0 }
            // Identity: the file, the added line's content (white space normalised) and the category.
            let content = file.lines.first { $0.hasPrefix("+\(line): ") }.map { String($0.dropFirst("+\(line): ".count)) } ?? ""
            var fingerprint = Array(content.utf8).withUnsafeBufferPointer {
                Fingerprint.make(ruleID: "\(Self.ruleID)/\(category)", path: file.path, content: $0, normaliseWhitespace: true)
            }
            guard seen.insert(fingerprint).inserted else { continue }
            if let fingerprintKey { fingerprint = fingerprintKey.keyed(fingerprint) }
            found.append(Finding(
                ruleID: Self.ruleID, title: "AI review: \(category)", kind: .code, severity: severity, confidence: .low, cwe: cwe,
                path: file.path, line: line, column: 1, endLine: endLine,
                message: "AI review: " + message + (fix.map { " Fix: " + $0 } ?? ""), fingerprint: fingerprint, redacted: nil))
        }
        return (found, dropped)
    }

    /// A category as a short lower-case token (what the model wrote, made safe to print).
    static func token(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.map { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) ? Character($0) : "-" }
            .prefix(48)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// Model text as one printable line of at most `limit` characters (the formatter escapes it further).
    static func text(_ s: String, limit: Int) -> String {
        let flat = String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        return String(flat.trimmingCharacters(in: .whitespaces).prefix(limit))
    }
}

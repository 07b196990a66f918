import ArgumentParser
import AsyncHTTPClient
import CorgiAI
import CorgiCore
import CorgiDetection
import CorgiReview
import Foundation
import Logging

/// `corgi scan --ai`: the AI review of the server, from the command line, with the same providers
/// and the same redaction. The key comes from a file, never from a flag or the environment.
struct ScanAIOptions: ParsableArguments {
    @Option(name: .customLong("ai"), help: ArgumentHelp("Also ask a model for findings no rule names: anthropic or openai (docs/ai-review.md).",
                                                        valueName: "PROVIDER"))
    var provider: String?

    @Option(name: .customLong("ai-model"), help: "The model, e.g. claude-sonnet-4-20250514.")
    var model: String?

    @Option(name: .customLong("ai-base-url"),
            help: "The endpoint's base (default https://api.anthropic.com; for openai the base with its version, e.g. http://127.0.0.1:11434/v1).")
    var baseURL: String?

    @Option(name: .customLong("ai-key-file"), help: ArgumentHelp("A file holding the API key (none for a local server that takes none).",
                                                                 valueName: "FILE"))
    var keyFile: String?

    @Option(name: .customLong("ai-key-header"), help: "openai only: the header carrying the key (default authorization; Azure-style: api-key).")
    var keyHeader: String?

    /// The diff is read whole for the model: at most this much.
    static let maximumDiffBytes = 64 << 20

    var isEnabled: Bool { provider != nil }

    func validate() throws {
        guard let provider else {
            if model != nil || baseURL != nil || keyFile != nil || keyHeader != nil { throw ValidationError("the --ai-* options need --ai PROVIDER") }
            return
        }
        guard AIDialect(rawValue: provider) != nil else { throw ValidationError("--ai: anthropic or openai") }
        guard model != nil else { throw ValidationError("--ai needs --ai-model") }
        if provider == "openai", baseURL == nil { throw ValidationError("--ai openai needs --ai-base-url (the endpoint's base, e.g. http://127.0.0.1:11434/v1)") }
        if provider == "anthropic", keyFile == nil { throw ValidationError("--ai anthropic needs --ai-key-file") }
        let base = baseURL ?? "https://api.anthropic.com"
        guard base.hasPrefix("https://") || base.hasPrefix("http://127.") || base.hasPrefix("http://localhost") || base.hasPrefix("http://[::1]")
        else { throw ValidationError("--ai-base-url must be https:// (plain http:// only to this machine): the key travels on it") }
    }

    /// The model's review of `diff`, given the rules' findings.
    func review(_ diff: [UInt8], ruleFindings: [Finding], ruleSet: RuleSet, fingerprintKey: FingerprintKey?) async throws -> ModelReviewOutcome {
        guard let provider, let dialect = AIDialect(rawValue: provider), let model else { return ModelReviewOutcome() }
        var key: String?
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile) else { throw UsageError("--ai-key-file: cannot read \(keyFile)") }
            key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard key?.isEmpty == false else { throw UsageError("--ai-key-file: \(keyFile) is empty") }
        }
        let configuration = HTTPAIProvider.Configuration(dialect: dialect, baseURL: baseURL ?? "https://api.anthropic.com", model: model,
                                                         keyHeader: keyHeader)
        var logger = Logger(label: "corgi.ai")
        logger.logLevel = .warning
        let apiKey = key
        let reviewer = AIReviewer(provider: HTTPAIProvider(configuration: configuration, http: HTTPClient.shared, logger: logger) { apiKey },
                                  redactor: try PromptRedactor(ruleSet: ruleSet), fingerprintKey: fingerprintKey)
        return await reviewer.review(ParsedDiff.parse(bytes: diff), ruleFindings: ruleFindings, tokenBudget: nil)
    }
}

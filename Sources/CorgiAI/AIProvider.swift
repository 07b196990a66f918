public import Foundation

/// A language model behind one of the supported APIs (the Anthropic Messages API, or any
/// OpenAI-compatible chat completions endpoint: vLLM, Ollama, llama.cpp, Azure-style gateways).
/// One call sends a system text and a prompt, forces the answer through one tool whose input
/// schema the caller gives, and returns that tool's input. What is sent must already be redacted
/// (``PromptRedactor``): a provider sends exactly what it is given.
public protocol AIProvider: Sendable {
    /// `anthropic` or `openai`, for logs and metrics.
    var name: String { get }
    func complete(_ request: AIRequest) async throws(AIProviderError) -> AIAnswer
}

/// The one tool the model must answer through (a forced tool call): the answer is structured
/// data, never free text that would need guessing at.
public struct AITool: Sendable, Hashable {
    public var name: String
    public var description: String
    /// A JSON Schema object.
    public var inputSchema: JSONValue

    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}

public struct AIRequest: Sendable, Hashable {
    public var system: String
    public var prompt: String
    public var tool: AITool
    public var maximumOutputTokens: Int

    public init(system: String, prompt: String, tool: AITool, maximumOutputTokens: Int) {
        self.system = system
        self.prompt = prompt
        self.tool = tool
        self.maximumOutputTokens = maximumOutputTokens
    }
}

public struct AIUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public var total: Int { inputTokens + outputTokens }
}

/// The model's answer: the forced tool's input, and what the call cost.
public struct AIAnswer: Sendable, Hashable {
    public var toolInput: JSONValue
    public var usage: AIUsage

    public init(toolInput: JSONValue, usage: AIUsage) {
        self.toolInput = toolInput
        self.usage = usage
    }
}

/// Why a call gave no answer. Never carries the prompt, the answer's text or a key.
public enum AIProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint answered with this status after the retries (4xx but 429 are not retried).
    case status(Int)
    /// No answer in time, or the connection failed, after the retries.
    case unreachable(String)
    /// The endpoint asked to wait longer than the call may (`retry-after` past the limit).
    case rateLimited(retryAfter: TimeInterval)
    /// The answer is not the API's shape, or holds no call of the forced tool.
    case malformed(String)
    /// No API key where the settings need one.
    case missingKey

    public var description: String {
        switch self {
        case .status(let code): "the model endpoint answered HTTP \(code)"
        case .unreachable(let reason): "the model endpoint could not be reached (\(reason))"
        case .rateLimited(let wait): "the model endpoint asked to wait \(Int(wait)) s, longer than a call may"
        case .malformed(let what): "the model's answer is malformed: \(what)"
        case .missingKey: "no API key for the model endpoint"
        }
    }

    /// Worth another attempt: rate limits, server errors and transport failures.
    public var isTransient: Bool {
        switch self {
        case .status(let code): code == 429 || code == 408 || (500...599).contains(code)
        case .unreachable: true
        case .rateLimited, .malformed, .missingKey: false
        }
    }
}

public import Foundation

/// How one API family is spoken: the endpoint's path, the authentication header, the request
/// body and where the forced tool's input sits in the answer. Pure functions, tested against the
/// providers' published examples.
public enum AIDialect: String, Sendable, Hashable, CaseIterable {
    /// `POST {base}/v1/messages` with `x-api-key` and `anthropic-version`; the tool is forced with
    /// `tool_choice: {type: tool, name}` and answered as a `tool_use` content block.
    case anthropicMessages = "anthropic"
    /// `POST {base}/chat/completions` (the base names the version, e.g. `…/v1`) with a bearer key
    /// (or none, for a local server); the tool is forced with `tool_choice: {type: function,
    /// function: {name}}` and answered as `choices[0].message.tool_calls[0].function.arguments`.
    case openAIChatCompletions = "openai"

    /// The Messages API version this client speaks.
    public static let anthropicVersion = "2023-06-01"

    /// The endpoint for `base` (a query string, as Azure-style gateways need, is kept at the end).
    public func endpoint(base: String) -> String {
        let (path, query) = base.firstIndex(of: "?").map { (String(base[..<$0]), String(base[$0...])) } ?? (base, "")
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        switch self {
        case .anthropicMessages: return trimmed + "/v1/messages" + query
        case .openAIChatCompletions: return trimmed + "/chat/completions" + query
        }
    }

    /// Headers besides `content-type`; `key` nil for an endpoint that takes none.
    public func headers(key: String?, keyHeader: String? = nil) -> [(String, String)] {
        switch self {
        case .anthropicMessages:
            return (key.map { [("x-api-key", $0)] } ?? []) + [("anthropic-version", Self.anthropicVersion)]
        case .openAIChatCompletions:
            guard let key else { return [] }
            // Azure-style gateways take the key in a header of their own (`api-key`).
            if let keyHeader, keyHeader.lowercased() != "authorization" { return [(keyHeader, key)] }
            return [("authorization", "Bearer \(key)")]
        }
    }

    public func body(_ request: AIRequest, model: String) throws(AIProviderError) -> [UInt8] {
        let body: JSONValue
        switch self {
        case .anthropicMessages:
            body = .object([
                "model": .string(model),
                "max_tokens": .number(Double(request.maximumOutputTokens)),
                "system": .string(request.system),
                "messages": .array([.object(["role": .string("user"), "content": .string(request.prompt)])]),
                "tools": .array([.object([
                    "name": .string(request.tool.name), "description": .string(request.tool.description),
                    "input_schema": request.tool.inputSchema,
                ])]),
                "tool_choice": .object(["type": .string("tool"), "name": .string(request.tool.name)]),
            ])
        case .openAIChatCompletions:
            body = .object([
                "model": .string(model),
                "max_tokens": .number(Double(request.maximumOutputTokens)),
                "messages": .array([
                    .object(["role": .string("system"), "content": .string(request.system)]),
                    .object(["role": .string("user"), "content": .string(request.prompt)]),
                ]),
                "tools": .array([.object([
                    "type": .string("function"),
                    "function": .object([
                        "name": .string(request.tool.name), "description": .string(request.tool.description),
                        "parameters": request.tool.inputSchema,
                    ]),
                ])]),
                "tool_choice": .object(["type": .string("function"), "function": .object(["name": .string(request.tool.name)])]),
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(body)) } catch { throw .malformed("the request could not be encoded") }
    }

    /// The forced tool's input and the usage from an answer's body.
    public func answer(from body: [UInt8], tool: String) throws(AIProviderError) -> AIAnswer {
        guard let json = JSONValue.parse(body) else { throw .malformed("not JSON") }
        switch self {
        case .anthropicMessages:
            guard let blocks = json["content"]?.array else { throw .malformed("no content") }
            guard let call = blocks.first(where: { $0["type"]?.string == "tool_use" && $0["name"]?.string == tool }),
                  let input = call["input"], case .object = input
            else { throw .malformed("no call of the tool \(tool)") }
            let usage = AIUsage(inputTokens: json["usage"]?["input_tokens"]?.int ?? 0, outputTokens: json["usage"]?["output_tokens"]?.int ?? 0)
            return AIAnswer(toolInput: input, usage: usage)
        case .openAIChatCompletions:
            guard let message = json["choices"]?.array?.first?["message"] else { throw .malformed("no choices") }
            guard let call = message["tool_calls"]?.array?.first(where: { $0["function"]?["name"]?.string == tool }),
                  let arguments = call["function"]?["arguments"]?.string
            else { throw .malformed("no call of the tool \(tool)") }
            // The arguments are JSON inside a string.
            guard let input = JSONValue.parse(Array(arguments.utf8)), case .object = input else {
                throw .malformed("the tool's arguments are not a JSON object")
            }
            let usage = AIUsage(inputTokens: json["usage"]?["prompt_tokens"]?.int ?? 0,
                                outputTokens: json["usage"]?["completion_tokens"]?.int ?? 0)
            return AIAnswer(toolInput: input, usage: usage)
        }
    }
}

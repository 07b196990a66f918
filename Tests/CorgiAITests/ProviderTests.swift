import AsyncHTTPClient
import CorgiAI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The two API dialects against the providers' published examples (`../shared/fixtures/llm/`
/// when present, else the contract written here from the providers' API references), and the
/// HTTP client against a double served in process: headers, forced tool calls, retries on 429
/// and 5xx honouring `retry-after`, and the failures that must not be retried.
@Suite("AI providers: request and answer contracts, retries", .serialized)
struct ProviderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/fixtures/llm")
        .standardizedFileURL

    static func fixture(_ name: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: fixtures.appendingPathComponent(name).path) else { return nil }
        return JSONValue.parse(Array(data))
    }

    static let tool = AITool(name: "report_findings", description: "Report security findings on added lines.", inputSchema: .object([
        "type": .string("object"),
        "properties": .object(["findings": .object(["type": .string("array")])]),
        "required": .array([.string("findings")]),
    ]))
    static let request = AIRequest(system: "You review pull requests for security problems.", prompt: "diff --git a/x b/x", tool: tool,
                                   maximumOutputTokens: 1024)

    /// The JSON type of every value along every path: what a contract compares, not the values.
    static func shape(_ value: JSONValue, _ path: String = "$") -> [String: String] {
        switch value {
        case .null: return [path: "null"]
        case .bool: return [path: "bool"]
        case .number: return [path: "number"]
        case .string: return [path: "string"]
        case .array(let items): return items.first.map { shape($0, path + "[]") }?.merging([path: "array"]) { a, _ in a } ?? [path: "array"]
        case .object(let fields): return fields.reduce(into: [path: "object"]) { $0.merge(shape($1.value, path + "." + $1.key)) { a, _ in a } }
        }
    }

    @Test("an Anthropic Messages request has the published request's shape, forces the tool and carries the system text apart")
    func anthropicRequest() throws {
        let body = try #require(JSONValue.parse(try AIDialect.anthropicMessages.body(Self.request, model: "claude-sonnet-4-20250514")))
        let ours = Self.shape(body)
        let published = Self.fixture("anthropic-messages.request.json").map { Self.shape($0) }
            ?? ["$": "object", "$.model": "string", "$.max_tokens": "number", "$.messages": "array", "$.messages[]": "object",
                "$.messages[].role": "string", "$.messages[].content": "string"]
        for (path, type) in published { #expect(ours[path] == type, "\(path)") }
        #expect(body["messages"]?.array?.count == 1 && body["messages"]?.array?.first?["role"]?.string == "user")
        #expect(body["system"]?.string == Self.request.system)
        // Tools, per the Messages API reference: name, description, input_schema; a forced choice.
        #expect(body["tools"]?.array?.first?["input_schema"] == Self.tool.inputSchema)
        #expect(body["tool_choice"] == .object(["type": .string("tool"), "name": .string("report_findings")]))
        #expect(AIDialect.anthropicMessages.endpoint(base: "https://api.anthropic.com/") == "https://api.anthropic.com/v1/messages")
        #expect(AIDialect.anthropicMessages.headers(key: "k").map(\.0) == ["x-api-key", "anthropic-version"])
    }

    @Test("an OpenAI-compatible request has the published tools request's shape and forces the function")
    func openAIRequest() throws {
        let body = try #require(JSONValue.parse(try AIDialect.openAIChatCompletions.body(Self.request, model: "gpt-5.4")))
        let ours = Self.shape(body)
        var published = Self.fixture("openai-chat-completions.tools.request.json").map { Self.shape($0) }
            ?? ["$": "object", "$.model": "string", "$.messages": "array", "$.messages[]": "object", "$.messages[].role": "string",
                "$.messages[].content": "string", "$.tools": "array", "$.tools[]": "object", "$.tools[].type": "string",
                "$.tools[].function": "object", "$.tools[].function.name": "string", "$.tools[].function.description": "string",
                "$.tools[].function.parameters": "object"]
        // The example lets the model choose (`"auto"`); a review forces its one function instead,
        // as the API reference documents: {"type": "function", "function": {"name": …}}.
        published["$.tool_choice"] = nil
        for (path, type) in published where !path.hasPrefix("$.tools[].function.parameters.") { #expect(ours[path] == type, "\(path)") }
        #expect(body["tool_choice"] == .object(["type": .string("function"), "function": .object(["name": .string("report_findings")])]))
        #expect(body["messages"]?.array?.map { $0["role"]?.string } == ["system", "user"])
        #expect(AIDialect.openAIChatCompletions.endpoint(base: "http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1/chat/completions")
        #expect(AIDialect.openAIChatCompletions.endpoint(base: "https://gw.example/openai/deployments/m?api-version=2024-10-21")
            == "https://gw.example/openai/deployments/m/chat/completions?api-version=2024-10-21")
        #expect(AIDialect.openAIChatCompletions.headers(key: "k").map(\.0) == ["authorization"])
        #expect(AIDialect.openAIChatCompletions.headers(key: "k", keyHeader: "api-key").map(\.0) == ["api-key"])
        #expect(AIDialect.openAIChatCompletions.headers(key: nil).isEmpty)
    }

    @Test("answers: the forced tool's input and the usage are read; a text-only answer is malformed")
    func answers() throws {
        let anthropic = Self.fixture("anthropic-messages.response.json") ?? .object([
            "content": .array([.object(["type": .string("text"), "text": .string("…")])]),
            "usage": .object(["input_tokens": .number(100), "output_tokens": .number(50)]),
        ])
        func encode(_ value: JSONValue) throws -> [UInt8] { Array(try JSONEncoder().encode(value)) }
        #expect(throws: AIProviderError.malformed("no call of the tool report_findings")) {
            _ = try AIDialect.anthropicMessages.answer(from: try encode(anthropic), tool: "report_findings")
        }
        guard case .object(var fields) = anthropic else { Issue.record("not an object"); return }
        fields["content"] = .array([.object(["type": .string("tool_use"), "id": .string("toolu_1"), "name": .string("report_findings"),
                                             "input": .object(["findings": .array([])])])])
        let answer = try AIDialect.anthropicMessages.answer(from: try encode(.object(fields)), tool: "report_findings")
        #expect(answer.toolInput == .object(["findings": .array([])]) && answer.usage == AIUsage(inputTokens: 100, outputTokens: 50))

        let openAI = try #require(Self.fixture("openai-chat-completions.tools.response.json") ?? JSONValue.parse(Array(#"""
            {"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function",
            "function":{"name":"get_current_weather","arguments":"{\n\"location\": \"Boston, MA\"\n}"}}]}}],
            "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}}
            """#.utf8)))
        let call = try AIDialect.openAIChatCompletions.answer(from: try encode(openAI), tool: "get_current_weather")
        #expect(call.toolInput == .object(["location": .string("Boston, MA")]) && call.usage == AIUsage(inputTokens: 82, outputTokens: 17))
        #expect(throws: AIProviderError.self) { _ = try AIDialect.openAIChatCompletions.answer(from: try encode(openAI), tool: "report_findings") }
        #expect(throws: AIProviderError.malformed("not JSON")) { _ = try AIDialect.openAIChatCompletions.answer(from: Array("<html>".utf8), tool: "x") }
    }

    /// What the double saw of each call.
    actor Calls {
        var seen: [(headers: HTTPFields, body: JSONValue?)] = []
        var script: [(status: HTTPResponse.Status, headers: HTTPFields, body: String)] = []
        func record(_ headers: HTTPFields, _ body: JSONValue?) -> (HTTPResponse.Status, HTTPFields, String) {
            seen.append((headers, body))
            return script.isEmpty ? (.internalServerError, [:], "{}") : script.removeFirst()
        }
        func play(_ steps: [(HTTPResponse.Status, HTTPFields, String)]) { script = steps.map { (status: $0.0, headers: $0.1, body: $0.2) } }
    }

    static let toolAnswer = #"{"content":[{"type":"tool_use","id":"toolu_1","name":"report_findings","input":{"findings":[]}}],"usage":{"input_tokens":12,"output_tokens":3}}"#
    static let functionAnswer = #"{"choices":[{"message":{"tool_calls":[{"type":"function","function":{"name":"report_findings","arguments":"{\"findings\":[]}"}}]}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#

    static func withDouble(_ body: @escaping @Sendable (Calls, String) async throws -> Void) async throws {
        let calls = Calls()
        let router = Router()
        for path in ["/v1/messages", "/v1/chat/completions"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                let (status, headers, answer) = await calls.record(request.headers, JSONValue.parse(Array(bytes.readableBytesView)))
                var fields = headers
                fields[.contentType] = "application/json"
                return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer)))
            }
        }
        try await Application(router: router).test(.live) { client in
            try await body(calls, "http://127.0.0.1:\(client.port!)")
        }
    }

    static func provider(_ dialect: AIDialect, _ base: String, key: String? = "sk-test-key", attempts: Int = 4) -> HTTPAIProvider {
        var configuration = HTTPAIProvider.Configuration(dialect: dialect, baseURL: dialect == .openAIChatCompletions ? base + "/v1" : base,
                                                         model: "model-1")
        configuration.initialBackoff = 0.01
        configuration.maximumWait = 2
        configuration.attempts = attempts
        return HTTPAIProvider(configuration: configuration, http: HTTPClient.shared, logger: Logger(label: "ai-test")) { key }
    }

    @Test("a 429 with retry-after and a 529 are waited out; headers carry the key and the API version")
    func anthropicRetries() async throws {
        try await Self.withDouble { calls, base in
            await calls.play([(.tooManyRequests, [HTTPField.Name("retry-after")!: "1"], #"{"type":"error"}"#),
                              (HTTPResponse.Status(code: 529), [:], #"{"type":"error","error":{"type":"overloaded_error"}}"#),
                              (.ok, [:], Self.toolAnswer)])
            let started = Date()
            let answer = try await Self.provider(.anthropicMessages, base).complete(Self.request)
            #expect(answer.usage.total == 15 && answer.toolInput == .object(["findings": .array([])]))
            #expect(Date().timeIntervalSince(started) >= 1, "retry-after was honoured")
            let seen = await calls.seen
            #expect(seen.count == 3)
            for call in seen {
                #expect(call.headers[HTTPField.Name("x-api-key")!] == "sk-test-key")
                #expect(call.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01")
                #expect(call.headers[.contentType] == "application/json" && call.headers[.authorization] == nil)
                #expect(call.body?["tool_choice"]?["name"]?.string == "report_findings")
            }
        }
    }

    @Test("an OpenAI-compatible endpoint gets a bearer key (or none), and 5xx is retried up to the attempts")
    func openAIRetries() async throws {
        try await Self.withDouble { calls, base in
            await calls.play([(.badGateway, [:], "{}"), (.ok, [:], Self.functionAnswer)])
            let answer = try await Self.provider(.openAIChatCompletions, base).complete(Self.request)
            #expect(answer.usage == AIUsage(inputTokens: 12, outputTokens: 3))
            #expect(await calls.seen.map { $0.headers[.authorization] } == ["Bearer sk-test-key", "Bearer sk-test-key"])
            // A local server without a key: no authorization header at all.
            await calls.play([(.ok, [:], Self.functionAnswer)])
            _ = try await Self.provider(.openAIChatCompletions, base, key: nil).complete(Self.request)
            #expect(await calls.seen.last?.headers[.authorization] == nil)
            // Server errors all the way: the last status, after exactly the attempts.
            await calls.play(Array(repeating: (.serviceUnavailable, [:], "{}"), count: 5))
            let before = await calls.seen.count
            await #expect(throws: AIProviderError.status(503)) { _ = try await Self.provider(.openAIChatCompletions, base, attempts: 3).complete(Self.request) }
            #expect(await calls.seen.count - before == 3)
        }
    }

    @Test("what must not be retried is not: a 400, a wait longer than allowed, a malformed answer, a missing key")
    func failuresThatStop() async throws {
        try await Self.withDouble { calls, base in
            await calls.play([(.badRequest, [:], #"{"error":"bad"}"#)])
            await #expect(throws: AIProviderError.status(400)) { _ = try await Self.provider(.anthropicMessages, base).complete(Self.request) }
            await calls.play([(.tooManyRequests, [HTTPField.Name("retry-after")!: "3600"], "{}")])
            await #expect(throws: AIProviderError.rateLimited(retryAfter: 3600)) {
                _ = try await Self.provider(.anthropicMessages, base).complete(Self.request)
            }
            await calls.play([(.ok, [:], #"{"content":[{"type":"text","text":"no tool"}]}"#)])
            await #expect(throws: AIProviderError.malformed("no call of the tool report_findings")) {
                _ = try await Self.provider(.anthropicMessages, base).complete(Self.request)
            }
            #expect(await calls.seen.count == 3, "one call each")
            await #expect(throws: AIProviderError.missingKey) { _ = try await Self.provider(.anthropicMessages, base, key: nil).complete(Self.request) }
            #expect(await calls.seen.count == 3, "no call without a key")
        }
    }
}

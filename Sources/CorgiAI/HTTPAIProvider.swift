public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// An ``AIProvider`` over HTTP: one dialect, one base URL and model, the key read from the
/// secrets directory at each call (a rotated key is used at once). Rate limits (429), overload
/// and server errors are retried with exponential backoff, honouring `retry-after`; each call is
/// bounded by `callTimeout`. Nothing of the prompt, the answer or the key is ever logged.
public struct HTTPAIProvider: AIProvider {
    public struct Configuration: Sendable {
        public var dialect: AIDialect
        public var baseURL: String
        public var model: String
        /// The header carrying the key for an OpenAI-compatible endpoint (`authorization`, the
        /// default, sends `Bearer <key>`; Azure-style gateways take `api-key`).
        public var keyHeader: String?
        public var callTimeout: TimeInterval = 120
        public var attempts = 4
        public var initialBackoff: TimeInterval = 1
        public var maximumBackoff: TimeInterval = 30
        /// A `retry-after` longer than this fails the call (the review says what was not reviewed).
        public var maximumWait: TimeInterval = 60
        /// Answers are read up to this size; a longer one is malformed.
        public var maximumAnswerBytes = 4 << 20

        public init(dialect: AIDialect, baseURL: String, model: String, keyHeader: String? = nil) {
            self.dialect = dialect
            self.baseURL = baseURL
            self.model = model
            self.keyHeader = keyHeader
        }
    }

    public let configuration: Configuration
    let http: HTTPClient
    /// The API key; nil for an endpoint that takes none (a local server).
    let key: @Sendable () async throws -> String?
    let logger: Logger

    public init(configuration: Configuration, http: HTTPClient, logger: Logger, key: @escaping @Sendable () async throws -> String?) {
        self.configuration = configuration
        self.http = http
        self.key = key
        self.logger = logger
    }

    public var name: String { configuration.dialect.rawValue }

    public func complete(_ request: AIRequest) async throws(AIProviderError) -> AIAnswer {
        let dialect = configuration.dialect
        let body = try dialect.body(request, model: configuration.model)
        let apiKey: String?
        do { apiKey = try await key() } catch { throw .missingKey }
        if dialect == .anthropicMessages, apiKey == nil { throw .missingKey }
        var failure = AIProviderError.unreachable("no attempt")
        for attempt in 1...max(1, configuration.attempts) {
            var wait = min(configuration.maximumBackoff, configuration.initialBackoff * pow(2, Double(attempt - 1)))
            do {
                let (status, headers, answer) = try await send(body, key: apiKey)
                logger.debug("model call", metadata: ["provider": "\(name)", "status": "\(status)", "attempt": "\(attempt)"])
                if (200..<300).contains(status) {
                    return try dialect.answer(from: answer, tool: request.tool.name)
                }
                failure = .status(status)
                guard failure.isTransient else { throw failure }
                if let asked = Self.retryAfter(headers.first(name: "retry-after")) {
                    guard asked <= configuration.maximumWait else { throw AIProviderError.rateLimited(retryAfter: asked) }
                    wait = max(wait, asked)
                }
            } catch let error as AIProviderError {
                throw error
            } catch {
                failure = .unreachable(error is HTTPClientError ? "\(error)" : "\(type(of: error))")
            }
            guard attempt < configuration.attempts else { break }
            logger.notice("model call retried", metadata: ["provider": "\(name)", "attempt": "\(attempt)", "wait_s": "\(Int(wait.rounded(.up)))"])
            do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { throw .unreachable("cancelled") }
        }
        throw failure
    }

    private func send(_ body: [UInt8], key: String?) async throws -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: configuration.dialect.endpoint(base: configuration.baseURL))
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "code-corgi")
        for (name, value) in configuration.dialect.headers(key: key, keyHeader: configuration.keyHeader) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .milliseconds(Int64(configuration.callTimeout * 1000)))
        var answer: [UInt8] = []
        for try await chunk in response.body {
            guard answer.count + chunk.readableBytes <= configuration.maximumAnswerBytes else {
                throw AIProviderError.malformed("the answer is larger than \(configuration.maximumAnswerBytes) bytes")
            }
            answer += chunk.readableBytesView
        }
        return (Int(response.status.code), response.headers, answer)
    }

    /// `retry-after` as seconds or an HTTP date; nil when absent or unreadable.
    static func retryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return format.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}

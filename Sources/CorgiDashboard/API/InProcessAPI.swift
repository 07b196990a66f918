import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore

/// The dashboard's only way to the organisation's data: the API's own routes, called in process
/// with the browser's cookies (and, for a change, its CSRF token), so every permission check,
/// tenant filter, validation and audit row is the API's — the dashboard holds no store.
///
/// Answers are JSON as the OpenAPI document describes them; a problem answer becomes
/// ``APICallError`` with its status and detail.
public struct InProcessAPI: Sendable {
    let responder: any HTTPResponder<BasicRequestContext>

    public init(responder: any HTTPResponder<BasicRequestContext>) {
        self.responder = responder
    }

    /// The browser's credentials: its cookie header as it came, and the CSRF token a form carried.
    struct Credentials: Sendable {
        var cookie: String?
        var csrf: String?
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        return encoder
    }()

    /// The largest answer read: a page of findings or audit rows is far smaller.
    static let maximumAnswer = 8 << 20

    func call(_ method: HTTPRequest.Method, _ path: String, body: Data? = nil, as credentials: Credentials,
              context: BasicRequestContext) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: Data) {
        var fields = HTTPFields()
        fields[.accept] = "application/json"
        if let cookie = credentials.cookie { fields[.cookie] = cookie }
        if let csrf = credentials.csrf { fields[HTTPField.Name("X-CSRF-Token")!] = csrf }
        if body != nil { fields[.contentType] = "application/json" }
        let head = HTTPRequest(method: method, scheme: "http", authority: "dashboard", path: path, headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body ?? Data())))
        let response: Response
        do { response = try await responder.respond(to: request, context: context) } catch let error as any HTTPResponseError {
            throw APICallError(status: error.status, detail: "\(error.status.reasonPhrase)")
        }
        let collected = CollectedBody()
        try await response.body.write(CollectingWriter(into: collected))
        return (response.status, response.headers, collected.data)
    }

    /// GET `path` and decode its JSON answer; a non-2xx answer throws ``APICallError``.
    func get<Answer: Decodable>(_ path: String, as credentials: Credentials, context: BasicRequestContext) async throws -> Answer {
        let (status, _, data) = try await call(.get, path, as: credentials, context: context)
        try Self.check(status, data)
        do { return try Self.decoder.decode(Answer.self, from: data) } catch {
            throw APICallError(status: .internalServerError, detail: "the API's answer to GET \(path.prefix(while: { $0 != "?" })) did not decode")
        }
    }

    /// A change (POST, PUT, DELETE) with an optional JSON body; returns the answer's bytes.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: (any Encodable)? = nil, as credentials: Credentials,
              context: BasicRequestContext) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: Data) {
        let body = try json.map { try Self.encoder.encode($0) }
        let answer = try await call(method, path, body: body, as: credentials, context: context)
        try Self.check(answer.status, answer.body)
        return answer
    }

    static func check(_ status: HTTPResponse.Status, _ data: Data) throws {
        guard status.kind == .successful else {
            let problem = try? JSONDecoder().decode(Problem.self, from: data)
            throw APICallError(status: status, detail: problem?.detail ?? status.reasonPhrase)
        }
    }

    struct Problem: Decodable {
        var detail: String?
    }
}

/// An API answer that was not a success: its status and the problem's detail (which the API
/// writes for people: it never holds a secret or code).
struct APICallError: Error, Sendable {
    var status: HTTPResponse.Status
    var detail: String
}

/// The answer's body as it is written (the API's bodies are whole buffers; a stream is read
/// up to ``InProcessAPI/maximumAnswer``).
final class CollectedBody {
    var data = Data()
}

struct CollectingWriter: ResponseBodyWriter {
    let into: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard into.data.count + buffer.readableBytes <= InProcessAPI.maximumAnswer else {
            throw APICallError(status: .internalServerError, detail: "the API's answer is too large to show")
        }
        into.data.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

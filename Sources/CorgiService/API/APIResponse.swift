import CorgiAccess
import CorgiCore
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// JSON in and out of the API: snake_case keys, ISO 8601 times, `no-store` (answers hold an
/// organisation's findings, and one holds a new key).
enum APIResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// A request's JSON body within the context's upload limit; anything else is a 400 that
    /// shows the expected `shape`.
    static func body<Body: Decodable>(_ type: Body.Type, of request: Request, context: some RequestContext, shape: String) async throws -> Body {
        do {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            return try decoder.decode(Body.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIProblem.badRequest("the body must be JSON: \(shape) within \(context.maxUploadSize / 1024) KiB")
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// The query string of a list route, validated: a value that is not what the document says is a
/// 400 naming the parameter, never ignored.
struct APIQuery {
    let parameters: [String: String]

    init(_ request: Request) throws {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard parameters[name] == nil else { throw APIProblem.badRequest("\(Self.printable(name)): give it once") }
            parameters[name] = String(value)
        }
        self.parameters = parameters
    }

    func text(_ name: String, maximum: Int) throws -> String? {
        guard let value = parameters[name] else { return nil }
        guard !value.isEmpty, APIText.length(value) <= maximum, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw APIProblem.badRequest("\(name): 1 to \(maximum) characters of printable text")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = parameters[name] else { return nil }
        guard value.utf8.count <= 19, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(value), range.contains(number) else {
            throw APIProblem.badRequest("\(name): an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func oneOf(_ name: String, _ values: [String]) throws -> String? {
        guard let value = parameters[name] else { return nil }
        guard values.contains(value) else { throw APIProblem.badRequest("\(name): one of \(values.joined(separator: ", "))") }
        return value
    }

    func page() throws -> Page {
        Page(after: try integer("after", in: 0...Int(Int64.max)) ?? 0, limit: try integer("limit", in: 1...Page.maximumLimit) ?? Page.defaultLimit)
    }

    /// The filters of the findings list and export.
    func findingQuery(_ organisation: OrganisationRef, page: Page) throws -> FindingQuery {
        FindingQuery(
            organisation: organisation, repository: try text("repository", maximum: 512),
            pullRequest: try integer("pull_request", in: 1...Int(Int32.max)),
            severity: try oneOf("severity", Severity.allCases.map(\.rawValue)),
            state: try oneOf("state", FindingState.allCases.map(\.rawValue)).flatMap(FindingState.init(rawValue:)),
            rule: try text("rule", maximum: 200), page: page)
    }

    /// A parameter name echoed in an error: printable ASCII, at most 40 characters.
    static func printable(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(40)))
    }
}

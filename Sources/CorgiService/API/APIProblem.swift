import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore

/// An API error as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`.
/// Details name what the caller sent, never data of the service: a foreign organisation's
/// resource gets the same `notFound` as one that does not exist.
struct APIProblem: HTTPResponseError, Equatable {
    let status: HTTPResponse.Status
    let title: String
    let detail: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Self.response(status: status, title: title, detail: detail)
        for field in headers { response.headers[field.name] = field.value }
        return response
    }

    static func response(status: HTTPResponse.Status, title: String, detail: String) -> Response {
        let body: [String: any Sendable] = ["type": "about:blank", "title": title, "status": Int(status.code), "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/problem+json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func unauthenticated(_ detail: String) -> APIProblem {
        APIProblem(status: .unauthorized, title: "Unauthorized", detail: detail, headers: [.wwwAuthenticate: #"Bearer realm="corgi""#])
    }

    static let notFound = APIProblem(status: .notFound, title: "Not Found", detail: "no such resource")
    static func forbidden(_ permission: String) -> APIProblem {
        APIProblem(status: .forbidden, title: "Forbidden", detail: "this key lacks the permission \(permission)")
    }
    static func badRequest(_ detail: String) -> APIProblem { APIProblem(status: .badRequest, title: "Bad Request", detail: detail) }
    static func methodNotAllowed(_ allowed: [HTTPRequest.Method]) -> APIProblem {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIProblem(status: .methodNotAllowed, title: "Method Not Allowed", detail: "this path takes \(list)", headers: [.allow: list])
    }
    static let unavailable = APIProblem(status: .serviceUnavailable, title: "Service Unavailable", detail: "the store is unavailable; retry later",
                                        headers: [.retryAfter: "5"])
}

/// Every error leaving an API route as problem+json: an `APIProblem` as it is, anything else
/// (a storage failure) as 503 without its text, which may name internals; logged by type only.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            throw problem
        } catch let error as HTTPError {
            throw APIProblem(status: error.status, title: error.status.reasonPhrase, detail: error.status.reasonPhrase.lowercased())
        } catch {
            context.logger.error("api request failed", metadata: ["error.type": "\(type(of: error))"])
            throw APIProblem.unavailable
        }
    }
}

/// Paths under `/api/` that no route serves answer 404 as problem+json too, like every other
/// API error; a path a route serves with other methods answers 405 with those methods in
/// `Allow` (RFC 9110 §15.5.6). Both are decided from the route table alone, never from data, so
/// neither says anything about an organisation. Added to the router itself, it also wraps the
/// router's not-found responder; other paths keep the router's plain 404.
struct APINotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && request.uri.path.hasPrefix("/api/") {
            let allowed = APIRoutes.methods(servingPath: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw APIProblem.notFound }
            throw APIProblem.methodNotAllowed(allowed)
        }
    }
}

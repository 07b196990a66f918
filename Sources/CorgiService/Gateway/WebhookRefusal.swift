import Foundation
import Hummingbird
import HTTPTypes

/// A delivery the gateway does not take, thrown by the webhook routes and answered as
/// `{"error": message}` with its status and headers. `counted`: a refused delivery for the
/// metrics (`WebhookMetricsMiddleware`); false for the gateway's own failures (storage, secrets).
struct WebhookRefusal: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]
    var counted = true

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = WebhookGateway.json(status, ["error": message])
        for field in headers { response.headers[field.name] = field.value }
        return response
    }

    static func unauthorized(_ message: String) -> WebhookRefusal { WebhookRefusal(status: .unauthorized, message: message) }
    static func badRequest(_ message: String) -> WebhookRefusal { WebhookRefusal(status: .badRequest, message: message) }
    static let notFound = WebhookRefusal(status: .notFound, message: "not found", counted: false)
    static let secretsUnavailable = WebhookRefusal(status: .serviceUnavailable, message: "secrets unavailable", counted: false)
    static let notRecorded = WebhookRefusal(status: .serviceUnavailable, message: "could not record the delivery; the forge will retry",
                                            counted: false)
    static func tooLarge(_ limit: Int) -> WebhookRefusal { WebhookRefusal(status: .contentTooLarge, message: "body exceeds \(limit) bytes") }
    /// 503 and the connection closed: the client may retry later, as GitHub does.
    static let overBudget = WebhookRefusal(status: .serviceUnavailable, message: "too many unverified request bodies in flight; retry later",
                                           headers: [.connection: "close", .retryAfter: "5"])
}

public import CorgiReview

/// Failures talking to a forge. Messages carry status codes and operation names, never
/// request or response bodies (a diff is code).
public enum ForgeError: Error, Sendable, Equatable, CustomStringConvertible {
    case configuration(String)
    case http(operation: String, status: Int)
    case notFound(operation: String)
    case unauthorized(operation: String)
    case transport(operation: String, reason: String)
    case retriesExhausted(operation: String, lastStatus: Int?)
    case invalidResponse(operation: String)

    public var description: String {
        switch self {
        case .configuration(let s): s
        case .http(let op, let status): "\(op): HTTP \(status)"
        case .notFound(let op): "\(op): not found (404)"
        case .unauthorized(let op): "\(op): unauthorized (401)"
        case .transport(let op, let reason): "\(op): \(reason)"
        case .retriesExhausted(let op, let status): "\(op): gave up after retries" + (status.map { " (last HTTP \($0))" } ?? "")
        case .invalidResponse(let op): "\(op): unexpected response"
        }
    }

    /// Whether trying again later could succeed.
    public var isTransient: Bool {
        switch self {
        case .transport, .retriesExhausted: true
        case .http(_, let status): status >= 500 || status == 429
        default: false
        }
    }
}

/// The review core retries transient failures and fails the rest.
extension ForgeError: ForgeFailure {}

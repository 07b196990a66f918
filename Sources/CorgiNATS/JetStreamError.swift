/// The error object of a JetStream API response: `{"error":{"code":..,"err_code":..,"description":..}}`.
public struct JetStreamAPIError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// HTTP-like status, e.g. 400, 404, 503.
    public var code: Int
    /// JetStream's own code, e.g. 10059 (stream not found) or 10014 (consumer not found).
    public var errorCode: Int
    public var errorDescription: String

    public static let streamNotFound = 10059
    public static let streamNameInUse = 10058
    public static let consumerNotFound = 10014

    enum CodingKeys: String, CodingKey {
        case code, errorCode = "err_code", errorDescription = "description"
    }

    public init(code: Int, errorCode: Int, errorDescription: String) {
        self.code = code
        self.errorCode = errorCode
        self.errorDescription = errorDescription
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(Int.self, forKey: .code)
        errorCode = try container.decodeIfPresent(Int.self, forKey: .errorCode) ?? 0
        errorDescription = try container.decodeIfPresent(String.self, forKey: .errorDescription) ?? ""
    }

    public var description: String { "JetStream API error \(code)/\(errorCode): \(errorDescription)" }
}

public enum JetStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered the API request with an error.
    case api(JetStreamAPIError)
    /// The server's answer could not be decoded.
    case invalidResponse(String)
    /// The message has no `$JS.ACK` reply subject, so it did not come from a JetStream consumer.
    case notJetStreamMessage(String)
    /// A pull request ended with a status other than 404/408 before any message arrived
    /// (e.g. 409 "Exceeded MaxWaiting" or "Consumer Deleted").
    case pullFailed(status: Int, description: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .api(let error): error.description
        case .invalidResponse(let reason): "invalid JetStream response: \(reason)"
        case .notJetStreamMessage(let reply): "not a JetStream message (reply subject '\(reply)')"
        case .pullFailed(let status, let description): "JetStream pull failed: \(status) \(description)"
        case .invalidArgument(let reason): "invalid JetStream argument: \(reason)"
        }
    }
}

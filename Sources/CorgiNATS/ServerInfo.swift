/// The server's `INFO`: what it supports and what it requires of the client.
public struct ServerInfo: Sendable, Equatable, Decodable {
    public var serverID: String
    public var serverName: String?
    public var version: String
    public var protocolVersion: Int
    public var headers: Bool
    public var maxPayload: Int
    public var authRequired: Bool
    public var tlsRequired: Bool
    public var tlsAvailable: Bool
    public var tlsVerify: Bool
    /// Present when the server expects the client to sign it (nkey authentication).
    public var nonce: String?
    public var jetStream: Bool
    public var connectURLs: [String]
    public var lameDuckMode: Bool

    enum CodingKeys: String, CodingKey {
        case serverID = "server_id", serverName = "server_name", version, protocolVersion = "proto", headers
        case maxPayload = "max_payload", authRequired = "auth_required", tlsRequired = "tls_required"
        case tlsAvailable = "tls_available", tlsVerify = "tls_verify", nonce, jetStream = "jetstream"
        case connectURLs = "connect_urls", lameDuckMode = "ldm"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        serverID = try container.decodeIfPresent(String.self, forKey: .serverID) ?? ""
        serverName = try container.decodeIfPresent(String.self, forKey: .serverName)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? ""
        protocolVersion = try container.decodeIfPresent(Int.self, forKey: .protocolVersion) ?? 0
        headers = try container.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        maxPayload = try container.decodeIfPresent(Int.self, forKey: .maxPayload) ?? 1024 * 1024
        authRequired = try container.decodeIfPresent(Bool.self, forKey: .authRequired) ?? false
        tlsRequired = try container.decodeIfPresent(Bool.self, forKey: .tlsRequired) ?? false
        tlsAvailable = try container.decodeIfPresent(Bool.self, forKey: .tlsAvailable) ?? false
        tlsVerify = try container.decodeIfPresent(Bool.self, forKey: .tlsVerify) ?? false
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        jetStream = try container.decodeIfPresent(Bool.self, forKey: .jetStream) ?? false
        connectURLs = try container.decodeIfPresent([String].self, forKey: .connectURLs) ?? []
        lameDuckMode = try container.decodeIfPresent(Bool.self, forKey: .lameDuckMode) ?? false
    }
}

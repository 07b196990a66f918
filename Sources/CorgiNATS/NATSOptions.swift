import Foundation

/// How to reach and authenticate to NATS.
public struct NATSOptions: Sendable {
    /// Tried in order on connect and in turn while reconnecting.
    public var servers: [NATSServerAddress]
    /// Shown by the server's monitoring endpoints.
    public var name: String?
    public var auth: NATSAuth
    /// `nil` upgrades to TLS with the system trust store only when the server requires it.
    public var tls: NATSTLSOptions?
    public var reconnect: NATSReconnectPolicy
    /// Bounds the TCP connect, the TLS handshake and the CONNECT/PONG exchange together.
    public var connectTimeout: Duration
    /// Default for flush and for requests that give none.
    public var requestTimeout: Duration
    /// Keepalive PINGs; after `maxPingsOutstanding` unanswered the connection counts as dead.
    public var pingInterval: Duration
    public var maxPingsOutstanding: Int
    /// Publishes made while reconnecting are buffered up to this many encoded bytes and sent after
    /// the subscriptions are restored; beyond it a publish throws ``NATSError/reconnectBufferFull(limit:)``.
    /// Zero makes every publish during a reconnect fail instead.
    public var reconnectBufferSize: Int
    /// Messages queued per subscription before new ones are dropped (a slow consumer).
    public var subscriptionBufferLimit: Int
    /// Whether the server echoes this connection's own publishes to its subscriptions.
    public var echo: Bool
    public var inboxPrefix: String

    public init(
        servers: [NATSServerAddress],
        name: String? = nil,
        auth: NATSAuth = .none,
        tls: NATSTLSOptions? = nil,
        reconnect: NATSReconnectPolicy = NATSReconnectPolicy(),
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(5),
        pingInterval: Duration = .seconds(60),
        maxPingsOutstanding: Int = 2,
        reconnectBufferSize: Int = 8 * 1024 * 1024,
        subscriptionBufferLimit: Int = 65_536,
        echo: Bool = true,
        inboxPrefix: String = "_INBOX"
    ) {
        self.servers = servers
        self.name = name
        self.auth = auth
        self.tls = tls
        self.reconnect = reconnect
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.pingInterval = pingInterval
        self.maxPingsOutstanding = maxPingsOutstanding
        self.reconnectBufferSize = reconnectBufferSize
        self.subscriptionBufferLimit = subscriptionBufferLimit
        self.echo = echo
        self.inboxPrefix = inboxPrefix
    }

    /// Options from URLs such as `nats://user:pass@host:4222`, `nats://token@host` or
    /// `tls://host:4443`; credentials in the first URL become ``auth``.
    public init(urls: [String], name: String? = nil) throws(NATSError) {
        var auth = NATSAuth.none
        var requireTLS = false
        var servers: [NATSServerAddress] = []
        for url in urls {
            let parsed = try NATSServerAddress.parse(url)
            servers.append(parsed.address)
            if case .none = auth, let credentials = parsed.auth { auth = credentials }
            requireTLS = requireTLS || parsed.tls
        }
        guard !servers.isEmpty else { throw .invalidURL("") }
        self.init(servers: servers, name: name, auth: auth, tls: requireTLS ? NATSTLSOptions() : nil)
    }

    public init(url: String, name: String? = nil) throws(NATSError) {
        try self.init(urls: [url], name: name)
    }
}

public struct NATSServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 4222) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func parse(_ text: String) throws(NATSError) -> (address: NATSServerAddress, auth: NATSAuth?, tls: Bool) {
        let withScheme = text.contains("://") ? text : "nats://\(text)"
        guard let components = URLComponents(string: withScheme), let scheme = components.scheme?.lowercased(),
              ["nats", "tls"].contains(scheme), let host = components.host, !host.isEmpty
        else { throw .invalidURL(text) }
        var auth: NATSAuth?
        if let user = components.user?.removingPercentEncoding, !user.isEmpty {
            if let password = components.password?.removingPercentEncoding {
                auth = .userPassword(user: user, password: password)
            } else {
                auth = .token(user)
            }
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (NATSServerAddress(host: bareHost, port: components.port ?? 4222), auth, scheme == "tls")
    }
}

public enum NATSAuth: Sendable {
    case none
    case userPassword(user: String, password: String)
    case token(String)
    /// A user nkey seed (`SU...`); the server's nonce is signed with it.
    case nkey(seed: String)
}

/// Options end up in logs and error reports: the password, token and seed never do.
extension NATSAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case .none: "none"
        case .userPassword(let user, _): "user \(user) with a password (redacted)"
        case .token: "token (redacted)"
        case .nkey: "nkey seed (redacted)"
        }
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}

/// TLS settings. The server's certificate is always verified, including its name or IP address.
public struct NATSTLSOptions: Sendable {
    /// PEM file of trusted CAs; `nil` trusts the system store.
    public var caFile: String?
    /// PEM client certificate (chain) and key, for servers that verify clients.
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// Name to verify and send as SNI; defaults to the host connected to.
    public var serverName: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }
}

/// Exponential backoff between reconnect attempts: `initialDelay`, doubling per attempt up to
/// `maxDelay`, plus up to `jitter` × the delay at random so a fleet does not reconnect in lockstep.
public struct NATSReconnectPolicy: Sendable {
    public var enabled: Bool
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var jitter: Double
    /// `nil` retries until `close()`.
    public var maxAttempts: Int?

    public init(enabled: Bool = true, initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
                jitter: Double = 0.2, maxAttempts: Int? = nil) {
        self.enabled = enabled
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxAttempts = maxAttempts
    }

    public static let disabled = NATSReconnectPolicy(enabled: false)

    /// The wait before attempt `attempt` (1-based).
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(attempt - 1, 0), 32)
        let base = min(initialDelay * (1 << doublings), maxDelay)
        guard jitter > 0 else { return base }
        return base + base * Double.random(in: 0...jitter, using: &generator)
    }
}

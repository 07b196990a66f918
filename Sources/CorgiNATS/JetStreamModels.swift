/// Stream settings sent to `STREAM.CREATE`/`STREAM.UPDATE`. Durations travel as nanoseconds.
public struct StreamConfig: Sendable, Equatable, Codable {
    public enum Retention: String, Sendable, Codable {
        case limits, interest, workqueue
    }

    public enum Storage: String, Sendable, Codable {
        case file, memory
    }

    public var name: String
    public var subjects: [String]
    public var retention: Retention
    public var storage: Storage
    /// `.zero` keeps messages forever.
    public var maxAge: Duration
    /// How long `Nats-Msg-Id` values are remembered for de-duplication; `nil` is the server's 2 minutes.
    public var duplicateWindow: Duration?
    public var replicas: Int
    /// -1 is unlimited.
    public var maxMessages: Int64
    public var maxBytes: Int64

    public init(name: String, subjects: [String], retention: Retention = .limits, storage: Storage = .file,
                maxAge: Duration = .zero, duplicateWindow: Duration? = nil, replicas: Int = 1,
                maxMessages: Int64 = -1, maxBytes: Int64 = -1) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.maxAge = maxAge
        self.duplicateWindow = duplicateWindow
        self.replicas = replicas
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
    }

    enum CodingKeys: String, CodingKey {
        case name, subjects, retention, storage, maxAge = "max_age", duplicateWindow = "duplicate_window"
        case replicas = "num_replicas", maxMessages = "max_msgs", maxBytes = "max_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        subjects = try container.decodeIfPresent([String].self, forKey: .subjects) ?? []
        retention = try container.decodeIfPresent(Retention.self, forKey: .retention) ?? .limits
        storage = try container.decodeIfPresent(Storage.self, forKey: .storage) ?? .file
        maxAge = .nanoseconds(try container.decodeIfPresent(Int64.self, forKey: .maxAge) ?? 0)
        duplicateWindow = try container.decodeIfPresent(Int64.self, forKey: .duplicateWindow).map { .nanoseconds($0) }
        replicas = try container.decodeIfPresent(Int.self, forKey: .replicas) ?? 1
        maxMessages = try container.decodeIfPresent(Int64.self, forKey: .maxMessages) ?? -1
        maxBytes = try container.decodeIfPresent(Int64.self, forKey: .maxBytes) ?? -1
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(subjects, forKey: .subjects)
        try container.encode(retention, forKey: .retention)
        try container.encode(storage, forKey: .storage)
        try container.encode(maxAge.nanoseconds, forKey: .maxAge)
        try container.encodeIfPresent(duplicateWindow?.nanoseconds, forKey: .duplicateWindow)
        try container.encode(replicas, forKey: .replicas)
        try container.encode(maxMessages, forKey: .maxMessages)
        try container.encode(maxBytes, forKey: .maxBytes)
    }
}

public struct StreamState: Sendable, Equatable, Decodable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var consumerCount: Int

    enum CodingKeys: String, CodingKey {
        case messages, bytes, firstSequence = "first_seq", lastSequence = "last_seq", consumerCount = "consumer_count"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decodeIfPresent(UInt64.self, forKey: .messages) ?? 0
        bytes = try container.decodeIfPresent(UInt64.self, forKey: .bytes) ?? 0
        firstSequence = try container.decodeIfPresent(UInt64.self, forKey: .firstSequence) ?? 0
        lastSequence = try container.decodeIfPresent(UInt64.self, forKey: .lastSequence) ?? 0
        consumerCount = try container.decodeIfPresent(Int.self, forKey: .consumerCount) ?? 0
    }
}

public struct StreamInfo: Sendable, Equatable, Decodable {
    public var config: StreamConfig
    public var state: StreamState
}

/// Settings of a durable pull consumer, sent to `CONSUMER.CREATE`.
public struct ConsumerConfig: Sendable, Equatable, Codable {
    public enum DeliverPolicy: String, Sendable, Codable {
        case all, last, new
        case lastPerSubject = "last_per_subject"
    }

    public enum AckPolicy: String, Sendable, Codable {
        case explicit, all, none
    }

    public var durableName: String
    public var deliverPolicy: DeliverPolicy
    public var ackPolicy: AckPolicy
    /// How long a delivered message may stay unacknowledged before it is redelivered.
    public var ackWait: Duration
    /// Deliveries per message, -1 for unlimited.
    public var maxDeliver: Int
    /// `nil` is the server's default (1000).
    public var maxAckPending: Int?
    public var filterSubject: String?

    public init(durableName: String, deliverPolicy: DeliverPolicy = .all, ackPolicy: AckPolicy = .explicit,
                ackWait: Duration = .seconds(30), maxDeliver: Int = -1, maxAckPending: Int? = nil, filterSubject: String? = nil) {
        self.durableName = durableName
        self.deliverPolicy = deliverPolicy
        self.ackPolicy = ackPolicy
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.maxAckPending = maxAckPending
        self.filterSubject = filterSubject
    }

    enum CodingKeys: String, CodingKey {
        case durableName = "durable_name", deliverPolicy = "deliver_policy", ackPolicy = "ack_policy"
        case ackWait = "ack_wait", maxDeliver = "max_deliver", maxAckPending = "max_ack_pending", filterSubject = "filter_subject"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        durableName = try container.decodeIfPresent(String.self, forKey: .durableName) ?? ""
        deliverPolicy = try container.decodeIfPresent(DeliverPolicy.self, forKey: .deliverPolicy) ?? .all
        ackPolicy = try container.decodeIfPresent(AckPolicy.self, forKey: .ackPolicy) ?? .explicit
        ackWait = .nanoseconds(try container.decodeIfPresent(Int64.self, forKey: .ackWait) ?? 30_000_000_000)
        maxDeliver = try container.decodeIfPresent(Int.self, forKey: .maxDeliver) ?? -1
        maxAckPending = try container.decodeIfPresent(Int.self, forKey: .maxAckPending)
        filterSubject = try container.decodeIfPresent(String.self, forKey: .filterSubject)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(durableName, forKey: .durableName)
        try container.encode(deliverPolicy, forKey: .deliverPolicy)
        try container.encode(ackPolicy, forKey: .ackPolicy)
        try container.encode(ackWait.nanoseconds, forKey: .ackWait)
        try container.encode(maxDeliver, forKey: .maxDeliver)
        try container.encodeIfPresent(maxAckPending, forKey: .maxAckPending)
        try container.encodeIfPresent(filterSubject, forKey: .filterSubject)
    }
}

public struct ConsumerInfo: Sendable, Equatable, Decodable {
    public struct SequenceInfo: Sendable, Equatable, Decodable {
        public var consumerSequence: UInt64
        public var streamSequence: UInt64

        enum CodingKeys: String, CodingKey {
            case consumerSequence = "consumer_seq", streamSequence = "stream_seq"
        }
    }

    public var streamName: String
    public var name: String
    public var config: ConsumerConfig
    public var delivered: SequenceInfo
    public var ackFloor: SequenceInfo
    /// Delivered but not yet acknowledged.
    public var numAckPending: Int
    /// Messages delivered more than once and still pending.
    public var numRedelivered: Int
    /// Pull requests waiting at the server.
    public var numWaiting: Int
    /// Messages not yet delivered.
    public var numPending: UInt64

    enum CodingKeys: String, CodingKey {
        case streamName = "stream_name", name, config, delivered, ackFloor = "ack_floor", numAckPending = "num_ack_pending"
        case numRedelivered = "num_redelivered", numWaiting = "num_waiting", numPending = "num_pending"
    }
}

/// The server's acknowledgement of a JetStream publish.
public struct PublishAck: Sendable, Equatable, Decodable {
    public var stream: String
    public var sequence: UInt64
    /// True when the `Nats-Msg-Id` was seen within the duplicate window and nothing was stored.
    public var duplicate: Bool
    public var domain: String?

    enum CodingKeys: String, CodingKey {
        case stream, sequence = "seq", duplicate, domain
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stream = try container.decode(String.self, forKey: .stream)
        sequence = try container.decode(UInt64.self, forKey: .sequence)
        duplicate = try container.decodeIfPresent(Bool.self, forKey: .duplicate) ?? false
        domain = try container.decodeIfPresent(String.self, forKey: .domain)
    }
}

struct ConsumerCreateRequest: Encodable {
    var streamName: String
    var config: ConsumerConfig

    enum CodingKeys: String, CodingKey {
        case streamName = "stream_name", config
    }
}

struct PullRequest: Encodable {
    var batch: Int
    var expires: Int64?
    var noWait: Bool?

    enum CodingKeys: String, CodingKey {
        case batch, expires, noWait = "no_wait"
    }
}

struct NakRequest: Encodable {
    var delay: Int64
}

struct APIErrorEnvelope: Decodable {
    var error: JetStreamAPIError?
}

struct DeleteResponse: Decodable {
    var success: Bool
}

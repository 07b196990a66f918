/// The append-only, hash-chained audit log. Implementations chain every row to the one before,
/// also when many processes append at once, and refuse edits and deletions in the database.
public protocol AuditLog: Sendable {
    @discardableResult
    func audit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String]) async throws -> AuditEvent
    /// Every event in id order.
    func auditEvents() async throws -> [AuditEvent]
    /// The last event's id and hash, and the first sealed event; `nil` when the log is empty.
    func auditHead() async throws -> AuditHead?
}

extension AuditLog {
    @discardableResult
    public func audit(actor: String, action: String, target: String, organisation: String?) async throws -> AuditEvent {
        try await audit(actor: actor, action: action, target: target, organisation: organisation, metadata: [:])
    }

    public func verifyAuditChain() async throws -> AuditVerification {
        AuditVerification.verify(try await auditEvents())
    }

    /// Verifies the chain with the key and against the checkpoint kept in `anchor`, which must
    /// be signed with the key: a checkpoint that is not is itself reported (position 0).
    public func verifyAuditChain(key: AuditKey, anchor: any AuditAnchor) async throws -> AuditVerification {
        let events = try await auditEvents()
        let checkpoint: AuditCheckpoint?
        do { checkpoint = try await anchor.latest() } catch {
            return AuditVerification(rows: events.count, firstBroken: (0, "\(error)"))
        }
        if let checkpoint, !checkpoint.isAuthentic(key) {
            return AuditVerification(rows: events.count, firstBroken: (0, "the checkpoint at \(anchor.location) is not signed with this audit key (forged, or the wrong key)"))
        }
        if checkpoint == nil, !events.isEmpty {
            return AuditVerification(rows: events.count, firstBroken: (0, "no checkpoint at \(anchor.location) although the log has events (the anchor was removed)"))
        }
        return AuditVerification.verify(events, key: key, checkpoint: checkpoint)
    }
}

/// What an audit row says, before the log numbers and chains it.
public struct AuditEntry: Sendable, Hashable {
    public var actor: String
    public var action: String
    public var target: String
    public var organisation: String?
    public var metadata: [String: String]

    public init(actor: String, action: String, target: String, organisation: String?, metadata: [String: String] = [:]) {
        self.actor = actor
        self.action = action
        self.target = target
        self.organisation = organisation
        self.metadata = metadata
    }
}

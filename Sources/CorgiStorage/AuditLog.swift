/// The append-only, hash-chained audit log. Implementations chain every row to the one before,
/// also when many processes append at once, and refuse edits and deletions in the database.
public protocol AuditLog: Sendable {
    @discardableResult
    func audit(actor: String, action: String, target: String, organisation: String?, metadata: [String: String]) async throws -> AuditEvent
    /// Every event in id order.
    func auditEvents() async throws -> [AuditEvent]
}

extension AuditLog {
    @discardableResult
    public func audit(actor: String, action: String, target: String, organisation: String?) async throws -> AuditEvent {
        try await audit(actor: actor, action: action, target: target, organisation: organisation, metadata: [:])
    }

    public func verifyAuditChain() async throws -> AuditVerification {
        AuditVerification.verify(try await auditEvents())
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

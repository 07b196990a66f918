public import Foundation
internal import Crypto

/// One step that touched customer data or policy. Metadata is identifiers and numbers only
/// (repository, PR number, SHA, counts): never code, diff text or secrets.
public struct AuditEvent: Sendable, Hashable {
    public var id: Int
    public var occurredAt: String
    public var actor: String
    public var action: String
    public var target: String
    public var organisation: String?
    public var metadata: [String: String]
    public var previousHash: String
    public var hash: String

    public init(
        id: Int, occurredAt: String, actor: String, action: String, target: String, organisation: String?,
        metadata: [String: String], previousHash: String, hash: String
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.target = target
        self.organisation = organisation
        self.metadata = metadata
        self.previousHash = previousHash
        self.hash = hash
    }

    public static let genesisHash = String(repeating: "0", count: 64)

    /// The chained hash: SHA-256 over the previous row's hash and every field of this row, in
    /// a fixed order, so editing, deleting or reordering any row breaks the chain after it.
    public static func chainHash(
        previous: String, id: Int, occurredAt: String, actor: String, action: String, target: String,
        organisation: String?, metadata: [String: String]
    ) -> String {
        var hasher = SHA256()
        for field in [previous, String(id), occurredAt, actor, action, target, organisation ?? "", canonical(metadata)] {
            hasher.update(data: Array(field.utf8))
            hasher.update(data: [0])
        }
        return hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Metadata as JSON with sorted keys: the same map always hashes the same.
    public static func canonical(_ metadata: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(metadata)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public var recomputedHash: String {
        Self.chainHash(previous: previousHash, id: id, occurredAt: occurredAt, actor: actor, action: action,
                       target: target, organisation: organisation, metadata: metadata)
    }
}

/// What `corgi audit verify` reports.
public struct AuditVerification: Sendable, Hashable {
    public var rows: Int
    /// The first row whose link is broken, and why; `nil` when the chain is intact.
    public var firstBroken: (id: Int, reason: String)?

    public static func == (a: Self, b: Self) -> Bool { a.rows == b.rows && a.firstBroken?.id == b.firstBroken?.id && a.firstBroken?.reason == b.firstBroken?.reason }
    public func hash(into h: inout Hasher) { h.combine(rows); h.combine(firstBroken?.id) }

    /// Walks rows in id order and checks each link.
    public static func verify(_ rows: [AuditEvent]) -> AuditVerification {
        var previous = AuditEvent.genesisHash
        var expectedID: Int?
        for row in rows {
            if let expected = expectedID, row.id != expected {
                return AuditVerification(rows: rows.count, firstBroken: (row.id, "row \(expected) is missing"))
            }
            if row.previousHash != previous {
                return AuditVerification(rows: rows.count, firstBroken: (row.id, "previous-hash link does not match the row before"))
            }
            if row.recomputedHash != row.hash {
                return AuditVerification(rows: rows.count, firstBroken: (row.id, "contents do not match the row's hash (edited)"))
            }
            previous = row.hash
            expectedID = row.id + 1
        }
        return AuditVerification(rows: rows.count, firstBroken: nil)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

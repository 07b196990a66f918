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
    /// The text `"forge":"<forge>"` exactly as ``canonical(_:)`` writes that pair. A value's own
    /// quotes are escaped in JSON, so the text occurs in a row's metadata only as that pair: the
    /// organisation's trail selects rows with it without parsing JSON, so a row whose metadata
    /// was edited into something that is not JSON is still listed (and shows in verification),
    /// never a failure of the whole listing.
    public static func forgeMarker(_ forge: String) -> String {
        let pair = canonical(["forge": forge])
        return String(pair.dropFirst().dropLast())
    }

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
    /// The first position whose event is missing, edited, forged or re-linked, and why; `nil`
    /// when the chain is intact.
    public var firstBroken: (id: Int, reason: String)?
    /// What this verification could not check (no key, no checkpoint), in plain words.
    public var limitations: [String] = []

    public init(rows: Int, firstBroken: (id: Int, reason: String)?, limitations: [String] = []) {
        self.rows = rows
        self.firstBroken = firstBroken
        self.limitations = limitations
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.rows == b.rows && a.firstBroken?.id == b.firstBroken?.id && a.firstBroken?.reason == b.firstBroken?.reason && a.limitations == b.limitations
    }
    public func hash(into h: inout Hasher) { h.combine(rows); h.combine(firstBroken?.id) }

    /// Walks rows in id order and checks each link, without the key and without a checkpoint:
    /// sealed rows are checked for their links only.
    public static func verify(_ rows: [AuditEvent]) -> AuditVerification {
        verify(rows, key: nil, checkpoint: nil)
    }

    /// Walks rows in id order. Every id from 1 on must be there, each row must link to the one
    /// before, each row's contents must match its hash (its seal, with the key); from the
    /// checkpoint's `sealedFrom` on every row must be sealed; and the table must still hold the
    /// checkpoint's row `count` with hash `head` — else rows were deleted from the end.
    /// `checkpoint` must already have been authenticated with `key`.
    public static func verify(_ rows: [AuditEvent], key: AuditKey?, checkpoint: AuditCheckpoint?) -> AuditVerification {
        var limitations: [String] = []
        if key == nil && rows.contains(where: \.isSealed) {
            limitations.append("without the audit checkpoint key a forger who recomputes hashes cannot be told apart")
        }
        if checkpoint == nil {
            limitations.append("no checkpoint: events deleted from the end of the log (or the whole log) cannot be detected")
        }
        func broken(_ id: Int, _ reason: String) -> AuditVerification {
            AuditVerification(rows: rows.count, firstBroken: (id, reason), limitations: limitations)
        }
        var previous = AuditEvent.genesisHash
        var seenSealed = false
        let sealedFrom = checkpoint.map { $0.sealedFrom > 0 ? $0.sealedFrom : $0.count + 1 } ?? Int.max
        for (index, row) in rows.enumerated() {
            let expected = index + 1
            if row.id != expected {
                return broken(expected, "event \(expected) is missing (the next one read is \(row.id))")
            }
            if row.previousHash != previous {
                return broken(row.id, "previous-hash link does not match the event before (re-linked, swapped or forged)")
            }
            if row.isSealed {
                seenSealed = true
                guard row.sealedDigestPart == row.recomputedDigest else {
                    return broken(row.id, "contents do not match the event's hash (edited)")
                }
                if let key, row.recomputedSeal(key) != row.hash {
                    return broken(row.id, "the event's seal is not the audit key's (forged, or its hash recomputed)")
                }
            } else {
                if seenSealed || row.id >= sealedFrom {
                    return broken(row.id, "event is not sealed with the audit key where every event is (forged)")
                }
                if row.recomputedHash != row.hash {
                    return broken(row.id, "contents do not match the event's hash (edited)")
                }
            }
            previous = row.hash
        }
        if let checkpoint {
            if rows.count < checkpoint.count {
                return broken(rows.count + 1, "event \(rows.count + 1) is missing: the checkpoint counts \(checkpoint.count) events (deleted from the end)")
            }
            if checkpoint.count > 0 && rows[checkpoint.count - 1].hash != checkpoint.head {
                return broken(checkpoint.count, "event \(checkpoint.count) is not the one the checkpoint anchors (rewritten)")
            }
        }
        return AuditVerification(rows: rows.count, firstBroken: nil, limitations: limitations)
    }
}

extension AuditEvent {
    var recomputedDigest: String {
        Self.sealedDigest(previous: previousHash, id: id, occurredAt: occurredAt, actor: actor, action: action, target: target,
                          organisation: organisation, metadata: metadata)
    }

    func recomputedSeal(_ key: AuditKey) -> String {
        Self.sealedHash(key: key, previous: previousHash, id: id, occurredAt: occurredAt, actor: actor, action: action, target: target,
                        organisation: organisation, metadata: metadata)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

public import Foundation
internal import Crypto

/// The secret that seals audit rows and signs checkpoints (`audit-checkpoint-key` in the
/// secrets directory). Whoever can write the database but not read this key can neither forge a
/// row that verifies nor move a checkpoint.
public struct AuditKey: Sendable {
    let key: SymmetricKey

    /// At least 32 bytes: the HMAC-SHA256 key's full strength.
    public static let minimumBytes = 32

    public init(_ bytes: [UInt8]) throws(AuditKeyError) {
        guard bytes.count >= Self.minimumBytes else { throw AuditKeyError.tooShort(bytes.count) }
        key = SymmetricKey(data: bytes)
    }

    func mac(_ fields: [String]) -> String {
        var hmac = HMAC<SHA256>(key: key)
        for field in fields { hmac.update(data: AuditEvent.lengthPrefixed(field)) }
        return Data(hmac.finalize()).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

public enum AuditKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(Int)

    public var description: String {
        switch self {
        case .tooShort(let n):
            "the audit checkpoint key has \(n) bytes; it needs at least \(AuditKey.minimumBytes) random bytes (e.g. openssl rand -base64 48)"
        }
    }
}

extension AuditEvent {
    /// Sealed rows' hashes are `h1:DIGEST:SEAL`: DIGEST the hex SHA-256 over the fields, each
    /// prefixed by its length in 8 bytes (big-endian) so no byte inside a field (a NUL included)
    /// can shift the boundary between two fields; SEAL the hex HMAC-SHA256 of DIGEST with the audit
    /// key. Without the key the digest still shows an edit; with it a recomputed digest shows too.
    /// Rows written before the key existed carry the plain hex SHA-256 of `chainHash`.
    public static let sealPrefix = "h1:"

    public var isSealed: Bool { hash.hasPrefix(Self.sealPrefix) }

    public static func sealedHash(
        key: AuditKey, previous: String, id: Int, occurredAt: String, actor: String, action: String, target: String,
        organisation: String?, metadata: [String: String]
    ) -> String {
        let digest = sealedDigest(previous: previous, id: id, occurredAt: occurredAt, actor: actor, action: action, target: target,
                                  organisation: organisation, metadata: metadata)
        return sealPrefix + digest + ":" + key.mac([digest])
    }

    static func sealedDigest(
        previous: String, id: Int, occurredAt: String, actor: String, action: String, target: String, organisation: String?,
        metadata: [String: String]
    ) -> String {
        var hasher = SHA256()
        // An absent organisation is not the empty one: a presence byte before it.
        for field in [previous, String(id), occurredAt, actor, action, target, organisation.map { "1" + $0 } ?? "0", canonical(metadata)] {
            hasher.update(data: lengthPrefixed(field))
        }
        return hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// The DIGEST part of a sealed hash (`nil` for an unsealed or malformed one).
    var sealedDigestPart: String? {
        guard isSealed else { return nil }
        let parts = hash.dropFirst(Self.sealPrefix.count).split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[0]) : nil
    }

    /// The hash of a new row: sealed when the store holds the key.
    public static func newHash(
        key: AuditKey?, previous: String, id: Int, occurredAt: String, entry: AuditEntry
    ) -> String {
        if let key {
            return sealedHash(key: key, previous: previous, id: id, occurredAt: occurredAt, actor: entry.actor, action: entry.action,
                              target: entry.target, organisation: entry.organisation, metadata: entry.metadata)
        }
        return chainHash(previous: previous, id: id, occurredAt: occurredAt, actor: entry.actor, action: entry.action,
                         target: entry.target, organisation: entry.organisation, metadata: entry.metadata)
    }

    static func lengthPrefixed(_ field: String) -> [UInt8] {
        let bytes = Array(field.utf8)
        let length = UInt64(bytes.count)
        return (0..<8).reversed().map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + bytes
    }

    // MARK: Storage form of text fields

    /// Neither engine keeps a NUL in a text column (SQLite's C strings end there, PostgreSQL
    /// refuses it), yet every byte of a signed field must come back exactly. A field holding a
    /// NUL, or starting with the marker, is stored as the marker and the base64 of its UTF-8;
    /// every other field verbatim. U+FFFF is a noncharacter: no forge name or identifier has it.
    static let storageMarker = "\u{FFFF}b64:"

    public static func storageForm(_ field: String) -> String {
        guard field.utf8.contains(0) || field.hasPrefix(storageMarker) else { return field }
        return storageMarker + Data(field.utf8).base64EncodedString()
    }

    public static func fromStorage(_ stored: String) -> String {
        guard stored.hasPrefix(storageMarker),
              let data = Data(base64Encoded: String(stored.dropFirst(storageMarker.count)))
        else { return stored }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Where the chain's head was, signed: the anchor outside the table that makes truncation
/// visible. A checkpoint is only ever written after the rows it counts are committed, so the
/// table always holds at least `count` rows and row `count` has hash `head`.
public struct AuditCheckpoint: Sendable, Hashable {
    public var count: Int
    public var head: String
    /// The first sealed row; every row from it on must be sealed (0: no sealed row yet).
    public var sealedFrom: Int
    public var mac: String

    public static func signed(count: Int, head: String, sealedFrom: Int, key: AuditKey) -> AuditCheckpoint {
        AuditCheckpoint(count: count, head: head, sealedFrom: sealedFrom, mac: key.mac(signedFields(count, head, sealedFrom)))
    }

    static func signedFields(_ count: Int, _ head: String, _ sealedFrom: Int) -> [String] {
        ["corgi-audit-checkpoint-v1", String(count), head, String(sealedFrom)]
    }

    public func isAuthentic(_ key: AuditKey) -> Bool {
        let expected = key.mac(Self.signedFields(count, head, sealedFrom))
        // Constant time: a forger learns nothing from how long the comparison took.
        return expected.utf8.count == mac.utf8.count && zip(expected.utf8, mac.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// One line: `v1 COUNT HEAD SEALED_FROM MAC`.
    public var line: String { "v1 \(count) \(head) \(sealedFrom) \(mac)" }

    public init?(line: String) {
        let parts = line.split(separator: " ").map(String.init)
        guard parts.count == 5, parts[0] == "v1", let count = Int(parts[1]), count >= 0, let sealedFrom = Int(parts[3]), sealedFrom >= 0
        else { return nil }
        self.init(count: count, head: parts[2], sealedFrom: sealedFrom, mac: parts[4])
    }

    public init(count: Int, head: String, sealedFrom: Int, mac: String) {
        self.count = count
        self.head = head
        self.sealedFrom = sealedFrom
        self.mac = mac
    }
}

/// Where checkpoints are kept: somewhere the database's role cannot write.
public protocol AuditAnchor: Sendable {
    /// Replaces the checkpoint kept (a later one always counts at least as many rows).
    func record(_ checkpoint: AuditCheckpoint) async throws
    /// The checkpoint kept; `nil` when none was ever written. Throws when one is there but unreadable.
    func latest() async throws -> AuditCheckpoint?
    /// Where it is, for messages.
    var location: String { get }
}

public enum AuditStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADatabase(String)

    public var description: String {
        switch self {
        case .notADatabase(let path): "\(path) is not a Code Corgi database (no audit_events table); nothing was changed"
        }
    }
}

public enum AuditAnchorError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)

    public var description: String {
        switch self {
        case .unreadable(let location): "the audit checkpoint at \(location) is unreadable (damaged or tampered with)"
        }
    }
}

/// The embedded anchor: a file of its own beside the SQLite database (`corgi.sqlite.audit-checkpoint`),
/// replaced atomically (write, fsync, rename), mode 0600. Not inside the database file on purpose:
/// SQL access to the database, a database tool or a restored copy of the file cannot reach it,
/// and without the key nobody can write one that verifies.
public struct FileAuditAnchor: AuditAnchor {
    public let path: String

    public init(path: String) { self.path = path }

    public init(databasePath: String) { self.init(path: databasePath + ".audit-checkpoint") }

    public var location: String { path }

    public func record(_ checkpoint: AuditCheckpoint) async throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AuditAnchorError.unreadable(path + " (cannot write: errno \(errno))") }
        let bytes = Array((checkpoint.line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw AuditAnchorError.unreadable(path + " (cannot write: errno \(errno))")
        }
    }

    public func latest() async throws -> AuditCheckpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let checkpoint = AuditCheckpoint(line: text) else { throw AuditAnchorError.unreadable(path) }
        return checkpoint
    }
}

/// The head of the chain as the table holds it now.
public struct AuditHead: Sendable, Hashable {
    public var count: Int
    public var hash: String
    public var sealedFrom: Int

    public init(count: Int, hash: String, sealedFrom: Int) {
        self.count = count
        self.hash = hash
        self.sealedFrom = sealedFrom
    }
}

/// Writes a checkpoint of the chain's head to the anchor whenever the head moved. Run it after
/// appends commit (the embedded store does, after every append) or periodically (the distributed
/// workers do): it never anchors a row that is not sealed, so a forged row appended by someone
/// without the key is reported by `verify` rather than vouched for.
public actor AuditCheckpointer {
    let log: any AuditLog
    let anchor: any AuditAnchor
    let key: AuditKey
    var lastRecorded: AuditHead?

    public init(log: any AuditLog, anchor: any AuditAnchor, key: AuditKey) {
        self.log = log
        self.anchor = anchor
        self.key = key
    }

    /// The checkpoint written, or `nil` when the head had not moved (or is not sealed).
    @discardableResult
    public func checkpoint() async throws -> AuditCheckpoint? {
        guard let head = try await log.auditHead(), head != lastRecorded else { return nil }
        guard head.hash.hasPrefix(AuditEvent.sealPrefix) else { return nil }
        if let kept = try? await anchor.latest(), kept.count > head.count { return nil }  // another process is ahead
        let checkpoint = AuditCheckpoint.signed(count: head.count, head: head.hash, sealedFrom: head.sealedFrom, key: key)
        try await anchor.record(checkpoint)
        lastRecorded = head
        return checkpoint
    }
}

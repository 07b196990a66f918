public import CorgiObjects
public import CorgiReview
import Foundation

/// The distributed anchor: the audit checkpoint as one object in the object store (S3), which
/// the PostgreSQL roles cannot reach at all — an attacker holding the database's credentials, or
/// its owner role, cannot move it. Sealed like every object, and signed with the audit key.
/// It never expires: the retention sweep leaves it alone.
public struct ObjectStoreAuditAnchor: AuditAnchor {
    public static let key = "audit/checkpoint"
    let objects: any ObjectStore
    let name: String

    public init(objects: any ObjectStore, name: String = "the object store") {
        self.objects = objects
        self.name = name
    }

    public var location: String { "\(name) (\(Self.key))" }

    public func record(_ checkpoint: AuditCheckpoint) async throws {
        try await objects.put(Self.key, Array(checkpoint.line.utf8), expiresAt: .distantFuture)
    }

    public func latest() async throws -> AuditCheckpoint? {
        let bytes: [UInt8]?
        do { bytes = try await objects.get(Self.key) } catch let error as ObjectStoreError {
            throw AuditAnchorError.unreadable("\(location): \(error)")
        }
        guard let bytes else { return nil }
        guard let checkpoint = AuditCheckpoint(line: String(decoding: bytes, as: UTF8.self)) else {
            throw AuditAnchorError.unreadable(location)
        }
        return checkpoint
    }
}

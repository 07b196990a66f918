public import Foundation

/// Where diffs are kept between fetch and scan, encrypted, until they expire. The embedded
/// implementation writes local files; the distributed one speaks S3. Both encrypt before
/// writing, so storage never holds plaintext.
public protocol ObjectStore: Sendable {
    func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws
    /// `nil` when the object does not exist or has expired.
    func get(_ key: String) async throws -> [UInt8]?
    func delete(_ key: String) async throws
    /// Deletes every object expired at `now` and returns their keys.
    func sweep(now: Date) async throws -> [String]
}

public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey(String)
    case corrupted(String)
    case unknownEncryptionKey(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidKey(let k): "invalid object key '\(k)'"
        case .corrupted(let k): "object '\(k)' failed authentication (corrupted or tampered with)"
        case .unknownEncryptionKey(let k): "object '\(k)' was sealed with an encryption key that is no longer configured"
        case .io(let s): s
        }
    }
}

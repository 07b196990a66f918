internal import CorgiReview
internal import Crypto
public import Foundation

/// AES-256-GCM with the object key as authenticated data, so a sealed file cannot be moved to
/// another key. Several encryption keys may be configured: the first seals, every one opens,
/// which lets keys rotate without re-encrypting at once.
///
/// Layout: `CORGI1` ‖ key id (8 bytes, SHA-256 prefix of the key) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
public struct Sealer: Sendable {
    static let magic = Array("CORGI1".utf8)
    let keys: [(id: [UInt8], key: SymmetricKey)]

    /// - Parameter keys: raw 32-byte keys, newest first.
    public init(keys: [[UInt8]]) throws {
        guard !keys.isEmpty else { throw ObjectStoreError.io("no storage encryption key configured") }
        self.keys = try keys.map { raw in
            guard raw.count == 32 else { throw ObjectStoreError.io("a storage encryption key must be 32 bytes (base64 of 32 random bytes)") }
            return (Array(SHA256.hash(data: raw).prefix(8)), SymmetricKey(data: raw))
        }
    }

    public func seal(_ plaintext: [UInt8], objectKey: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: keys[0].key, authenticating: Array(objectKey.utf8))
        return Self.magic + keys[0].id + Array(box.combined!)
    }

    public func open(_ sealed: [UInt8], objectKey: String) throws -> [UInt8] {
        let header = Self.magic.count + 8
        guard sealed.count >= header + 12 + 16, Array(sealed.prefix(Self.magic.count)) == Self.magic else {
            throw ObjectStoreError.corrupted(objectKey)
        }
        let id = Array(sealed[Self.magic.count..<header])
        guard let key = keys.first(where: { $0.id == id })?.key else { throw ObjectStoreError.unknownEncryptionKey(objectKey) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed[header...])
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(objectKey.utf8)))
        } catch {
            throw ObjectStoreError.corrupted(objectKey)
        }
    }
}

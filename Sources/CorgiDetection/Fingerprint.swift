internal import Crypto

/// A finding's identity across line moves, rebases and squashes: the rule, the path and the
/// matched content with its white space normalised. Never the line number.
///
/// This plain digest is never published: findings carry `FingerprintKey.keyed(_:)` of it. It is
/// still what baselines written before keyed fingerprints hold, so they keep matching.
public enum Fingerprint {
    public static func make(ruleID: String, path: String, content: UnsafeBufferPointer<UInt8>, normaliseWhitespace: Bool) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("corgi/v1\0\(ruleID)\0\(path)\0".utf8))
        if normaliseWhitespace {
            var normalised: [UInt8] = []
            normalised.reserveCapacity(content.count)
            var pendingSpace = false
            for b in content {
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                    pendingSpace = !normalised.isEmpty
                } else {
                    if pendingSpace { normalised.append(0x20) }
                    pendingSpace = false
                    normalised.append(b)
                }
            }
            hasher.update(data: normalised)
        } else {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(content))
        }
        let digest = hasher.finalize()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest.prefix(16) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The key that makes published fingerprints useless for confirming a guess.
///
/// `Fingerprint.make` is a plain SHA-256 over the rule, the path and the matched content: with
/// the rule and path public, anyone holding a published fingerprint could test candidate secrets
/// offline. Findings therefore carry `keyed(_:)`, an HMAC-SHA256 of that digest under this key,
/// and the plain digest is never published. The same key gives the same fingerprints, so
/// baselines keep working wherever the key is the same: per deployment in the service (the
/// `fingerprint-key` secret), per repository or from the configuration in the CLI
/// (docs/security.md).
public struct FingerprintKey: Sendable {
    /// Fewer bytes than this are refused: a short key can be guessed as easily as the secret.
    public static let minimumBytes = 16
    let key: SymmetricKey
    /// Where the key came from, for messages (never the key).
    public let source: String

    public init(_ bytes: some Collection<UInt8>, source: String) throws(FingerprintKeyError) {
        guard bytes.count >= Self.minimumBytes else { throw FingerprintKeyError(source: source, count: bytes.count) }
        key = SymmetricKey(data: Array(bytes))
        self.source = source
    }

    /// A key derived from material that is itself secret to the readers of the output (a
    /// repository's root commit id, say), separated from other uses by `label`.
    public static func derived(from material: String, label: String, source: String) -> FingerprintKey {
        let digest = SHA256.hash(data: Array("corgi fingerprint key\0\(label)\0\(material)".utf8))
        // 32 bytes: never below the minimum.
        return try! FingerprintKey(Array(digest), source: source)
    }

    /// Random for this process: what a scan uses when nobody chose a key. Fingerprints are stable
    /// within one run only, and confirm nothing.
    public static let processLocal: FingerprintKey = {
        var generator = SystemRandomNumberGenerator()
        return try! FingerprintKey((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }, source: "random for this process")
    }()

    /// The published fingerprint of a plain digest from `Fingerprint.make`: 32 hex digits.
    public func keyed(_ digest: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("corgi/v2\0\(digest)".utf8), using: key)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in Array(mac).prefix(16) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

public struct FingerprintKeyError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var count: Int
    public var description: String {
        "fingerprint key \(source): \(count) byte(s); at least \(FingerprintKey.minimumBytes) random bytes are needed "
            + "(e.g. openssl rand -base64 32), or published fingerprints could confirm a guessed secret"
    }
}

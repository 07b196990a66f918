import CorgiDetection
import Crypto
import Foundation

/// An API key's secret: `corgi_` + 30 random base62 characters + 6 base62 characters of their
/// CRC32, the scheme of GitHub's tokens. The prefix lets the secret pack (rule
/// `corgi-api-key`) and other scanners find a leaked key; the checksum tells a real key from a
/// look-alike without a database, and lets the API refuse a mistyped key before any lookup.
///
/// The secret is shown once, when created; the store keeps only its SHA-256 (`hash`). A key of
/// 30 base62 characters holds about 178 bits, so an unsalted hash is safe: there is no
/// dictionary to try.
public struct APIKeySecret: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "corgi_"
    static let randomLength = 30
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The whole secret. Never logged: `description` hides it.
    public let value: String

    /// A new secret from the system's cryptographic generator (rejection sampling: no bias).
    public static func generate() -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        var random: [UInt8] = []
        random.reserveCapacity(randomLength)
        while random.count < randomLength {
            let byte = UInt8.random(in: 0...255, using: &generator)
            if byte < 248 { random.append(alphabet[Int(byte % 62)]) }  // 248 = 4 × 62
        }
        return APIKeySecret(unchecked: prefix + String(decoding: random, as: UTF8.self) + TokenChecksum.base62CRC32(random))
    }

    private init(unchecked value: String) { self.value = value }

    /// A presented key: nil unless it has the prefix, the length, the alphabet and a matching
    /// checksum.
    public init?(presented text: some StringProtocol) {
        let bytes = Array(text.utf8)
        let head = Array(Self.prefix.utf8)
        guard bytes.count == head.count + Self.randomLength + 6, bytes.starts(with: head) else { return nil }
        let body = bytes[head.count...]
        guard body.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        let random = body.prefix(Self.randomLength)
        guard TokenChecksum.base62CRC32(random) == String(decoding: body.suffix(6), as: UTF8.self) else { return nil }
        self.value = String(text)
    }

    /// What the store keeps: the SHA-256 of the secret, lowercase hex.
    public var hash: String { Self.hash(of: value) }

    static func hash(of value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The first characters, shown in lists so a user can tell keys apart (`corgi_AbC1…`):
    /// 4 random characters, 24 bits, reveal nothing useful.
    public var displayPrefix: String { String(value.prefix(Self.prefix.count + 4)) }

    public var description: String { displayPrefix + "…" }
}

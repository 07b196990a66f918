import Crypto
import Foundation

/// A NATS user nkey: an ed25519 key pair decoded from its seed (`SU...`), used to sign the server's
/// nonce during `CONNECT`.
///
/// Encoding per the nkeys spec: base32 (RFC 4648, no padding) of prefix bytes, the 32-byte key and a
/// little-endian CRC-16/XMODEM of everything before it.
public struct NKey: Sendable {
    /// The public key in its encoded form (`U...`).
    public let publicKey: String
    private let seed: [UInt8]

    static let seedPrefix: UInt8 = 18 << 3  // 'S'
    static let userPrefix: UInt8 = 20 << 3  // 'U'

    public init(seed encodedSeed: String) throws(NATSError) {
        let trimmed = encodedSeed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Base32.decode(trimmed), raw.count == 36 else {
            throw .invalidNKeySeed("not a base32 seed of the expected length")
        }
        guard CRC16.xmodem(raw[..<34]) == UInt16(raw[34]) | UInt16(raw[35]) << 8 else {
            throw .invalidNKeySeed("checksum mismatch")
        }
        guard raw[0] & 0b1111_1000 == Self.seedPrefix else { throw .invalidNKeySeed("not a seed") }
        let keyType = (raw[0] & 0b0000_0111) << 5 | (raw[1] & 0b1111_1000) >> 3
        guard keyType == Self.userPrefix else { throw .invalidNKeySeed("not a user seed (SU...)") }
        seed = Array(raw[2..<34])
        let key: Curve25519.Signing.PrivateKey
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed) } catch {
            throw .invalidNKeySeed("not an ed25519 seed")
        }
        publicKey = Self.encode(prefix: Self.userPrefix, key: Array(key.publicKey.rawRepresentation))
    }

    /// An ed25519 signature of `data`.
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        Array(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: data))
    }

    /// The `sig` field of `CONNECT`: the signed nonce, base64url without padding.
    func signNonce(_ nonce: String) throws -> String {
        Data(try sign(Array(nonce.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func encode(prefix: UInt8, key: [UInt8]) -> String {
        var raw = [prefix] + key
        let crc = CRC16.xmodem(raw[...])
        raw += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        return Base32.encode(raw)
    }
}

enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            bits = bits << 8 | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int(bits >> UInt32(bitCount) & 31)])
            }
        }
        if bitCount > 0 { output.append(alphabet[Int(bits << UInt32(5 - bitCount) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// `nil` for a character outside the alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            bits = bits << 5 | UInt32(value)
            bitCount += 5
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(bits >> UInt32(bitCount) & 0xFF))
            }
        }
        return output
    }
}

enum CRC16 {
    /// CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
    static func xmodem(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? crc << 1 ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}

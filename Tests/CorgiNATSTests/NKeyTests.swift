@testable import CorgiNATS
import Crypto
import Testing

@Suite("nkeys")
struct NKeyTests {
    static let seed = "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY"
    static let publicKey = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"

    @Test("the documented user seed decodes to its public key")
    func documentedVector() throws {
        #expect(try NKey(seed: Self.seed).publicKey == Self.publicKey)
    }

    @Test("the seed re-encodes to itself and the public key checksum holds")
    func reencode() throws {
        let raw = try #require(Base32.decode(Self.seed))
        #expect(userSeed(for: Array(raw[2..<34])) == Self.seed)
        let publicRaw = try #require(Base32.decode(Self.publicKey))
        #expect(publicRaw.count == 35 && publicRaw[0] == NKey.userPrefix)
        #expect(CRC16.xmodem(publicRaw[..<33]) == UInt16(publicRaw[33]) | UInt16(publicRaw[34]) << 8)
    }

    @Test("the nonce signature verifies with the public key and is base64url without padding")
    func signature() throws {
        let key = try NKey(seed: Self.seed)
        let signature = try key.signNonce("aEBq3mC8K-7NHkX")
        #expect(!signature.contains("=") && !signature.contains("+") && !signature.contains("/"))
        let publicRaw = try #require(Base32.decode(Self.publicKey))
        let verifier = try Curve25519.Signing.PublicKey(rawRepresentation: publicRaw[1..<33])
        #expect(verifier.isValidSignature(try key.sign(Array("aEBq3mC8K-7NHkX".utf8)), for: Array("aEBq3mC8K-7NHkX".utf8)))
    }

    @Test("CRC-16/XMODEM check value")
    func crc() {
        #expect(CRC16.xmodem(Array("123456789".utf8)[...]) == 0x31C3)
    }

    @Test("broken seeds are refused with a reason")
    func invalidSeeds() {
        var corrupted = Array(Self.seed)
        corrupted[10] = corrupted[10] == "A" ? "B" : "A"
        for bad in [String(corrupted), Self.publicKey, "SU", "not base32!", ""] {
            #expect(throws: NATSError.self) { try NKey(seed: bad) }
        }
    }
}

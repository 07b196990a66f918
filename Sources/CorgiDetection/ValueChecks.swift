#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generic checks on candidate secret values.
public enum ValueChecks {
    /// Shannon entropy in bits per byte.
    public static func entropy(_ bytes: some Collection<UInt8>) -> Double {
        guard !bytes.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for b in bytes { counts[Int(b)] += 1 }
        let n = Double(bytes.count)
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / n
            h -= p * log2(p)
        }
        return h
    }

    /// Whether `bytes` is random enough for a rule asking `minimum` bits per byte. Thresholds are
    /// set for tokens drawn from 36 to 64 symbols; a value of hexadecimal digits only draws from
    /// 16, so even a random one rarely passes a threshold above 3.5 (32 random hex digits average
    /// 3.6 bits, 16 average 3.3): for such a value the bar is at most 3.0, which repeated and
    /// patterned hex (`deadbeefdeadbeef`, 2.2) still fails.
    public static func meetsEntropy(_ bytes: some Collection<UInt8>, minimum: Double) -> Bool {
        let value = entropy(bytes)
        if value >= minimum { return true }
        guard bytes.count >= 16, bytes.allSatisfy(isHexDigit) else { return false }
        return value >= min(minimum, 3.0)
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// Mostly one character (`xxxxxxxx`, `00000000`, `aaaa-aaaa`): a placeholder.
    public static func isRepeated(_ bytes: [UInt8]) -> Bool {
        let alnum = bytes.filter(isAlphanumeric)
        guard alnum.count >= 4 else { return false }
        var counts = [Int](repeating: 0, count: 256)
        for b in alnum { counts[Int(KeywordAutomaton.fold(b))] += 1 }
        return Double(counts.max()!) / Double(alnum.count) >= 0.6
    }

    /// Runs of consecutive characters (`abcdefgh`, `12345678`, `0123456789abcdef`): a placeholder.
    /// Letters and digits counting up in step (`a1b2c3d4e5f6…`) are one too. A prefixed token
    /// (`shpss_a1b2c3…`) is judged by its random part as well, after its last `_`, `-` or `.`.
    public static func isSequential(_ bytes: [UInt8]) -> Bool {
        if isSequentialWhole(bytes[...]) { return true }
        guard let cut = bytes.lastIndex(where: { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
              bytes.count - cut - 1 >= 12
        else { return false }
        return isSequentialWhole(bytes[(cut + 1)...])
    }

    static func isSequentialWhole(_ bytes: ArraySlice<UInt8>) -> Bool {
        let alnum = bytes.filter(isAlphanumeric).map(KeywordAutomaton.fold)
        guard alnum.count >= 6 else { return false }
        if sequentialShare(alnum) >= 0.75 { return true }
        let letters = alnum.filter { $0 >= UInt8(ascii: "a") }
        let digits = alnum.filter { $0 <= UInt8(ascii: "9") }
        return letters.count >= 6 && digits.count >= 6 && sequentialShare(letters) >= 0.75 && sequentialShare(digits) >= 0.75
    }

    /// The share of neighbours one apart (`9` then `a` counts, as in hex counting).
    static func sequentialShare(_ folded: [UInt8]) -> Double {
        guard folded.count >= 2 else { return 0 }
        var sequential = 0
        for i in 1..<folded.count {
            let d = Int(folded[i]) - Int(folded[i - 1])
            if d == 1 || d == -1 || (folded[i - 1] == UInt8(ascii: "9") && folded[i] == UInt8(ascii: "a")) {
                sequential += 1
            }
        }
        return Double(sequential) / Double(folded.count - 1)
    }

    /// Not the output of one random generator: a long value whose alphabet is one generator's
    /// but for one or two characters (`…3137eJ406e…` among lowercase hex, `G7c64847-…-29aG` in a
    /// UUID, one capital among forty lowercase letters). Real tokens come from a generator that
    /// draws every character from the same alphabet: a random mixed-case value of 20 characters
    /// has two capitals or fewer about once in 500 draws, and fewer the longer it gets. Such a
    /// value is a hand-edited or made-up one. Tokens with a fixed prefix (`sk_live_`, `pk.`) are
    /// judged after their last separator.
    public static func hasInconsistentAlphabet(_ bytes: [UInt8]) -> Bool {
        // The random part: after the last of `_`, `-`, `.` when what follows is long enough.
        var body = bytes[...]
        if let cut = bytes.lastIndex(where: { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }),
           bytes.count - cut - 1 >= 20
        {
            body = bytes[(cut + 1)...]
        }
        let alnum = body.filter(isAlphanumeric)
        guard alnum.count >= 20 else { return false }
        var lower = 0, upper = 0, digits = 0, hexLetters = 0
        for b in alnum {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                lower += 1
                if b <= UInt8(ascii: "f") { hexLetters += 1 }
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                upper += 1
                if b <= UInt8(ascii: "F") { hexLetters += 1 }
            default: digits += 1
            }
        }
        // One or two capitals among many lowercase letters, or the reverse.
        if (1...2).contains(upper), lower >= 12 { return true }
        if (1...2).contains(lower), upper >= 12 { return true }
        // Hexadecimal but for one or two letters past `f`.
        let nonHex = alnum.count - digits - hexLetters
        if (1...2).contains(nonHex), digits >= 6, hexLetters >= 6, alnum.count >= 24 { return true }
        // Letters of both cases and no digit, in lowercase runs of 3.5 letters or more on
        // average: words glued together (`NIOSingleStepByteToMessageDecoder`), not random letters,
        // whose lowercase runs average 2 (3.5 or more in one draw of 32 in 60, of 40 in 100).
        if digits == 0, upper > 0, lower > 0, alnum.count >= 20, meanLowercaseRun(body) >= 3.5 { return true }
        return false
    }

    /// The mean length of the runs of lowercase letters (any other byte ends a run).
    static func meanLowercaseRun(_ bytes: ArraySlice<UInt8>) -> Double {
        var runs = 0, letters = 0, inRun = false
        for b in bytes {
            if b >= 0x61 && b <= 0x7A {
                letters += 1
                if !inRun { runs += 1; inRun = true }
            } else {
                inRun = false
            }
        }
        return runs == 0 ? 0 : Double(letters) / Double(runs)
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}

/// Checksums carried by token formats. A rule names one in `checksum:`.
public enum TokenChecksum {
    public static let known = ["github-crc32", "grafana-crc32", "cloudflare-crc32", "age-bech32", "jwt-structure"]

    public static func verify(_ name: String, _ value: [UInt8]) -> Bool? {
        switch name {
        case "github-crc32": return githubCRC32(value)
        case "grafana-crc32": return grafanaCRC32(value)
        case "cloudflare-crc32": return cloudflareCRC32(value)
        case "age-bech32": return bech32(value)
        case "jwt-structure": return JWTStructure.isGenuine(value)
        default: return nil
        }
    }

    /// Grafana's service account tokens, `glsa_<32 random>_<8 hex>`: the hex is the CRC32 (IEEE)
    /// of everything before the last `_`, its four bytes little-endian (Grafana's satokengen).
    static func grafanaCRC32(_ token: [UInt8]) -> Bool {
        guard let cut = token.lastIndex(of: UInt8(ascii: "_")), token.count - cut - 1 == 8 else { return false }
        let expected = hex(crc32(token[..<cut]), mostSignificantFirst: false)
        return Array(token[(cut + 1)...]).map(KeywordAutomaton.fold) == expected
    }

    /// A CRC in 8 lowercase hex digits, its bytes in the order given.
    static func hex(_ crc: UInt32, mostSignificantFirst: Bool) -> [UInt8] {
        let order = mostSignificantFirst ? Array((0..<4).reversed()) : Array(0..<4)
        return order.flatMap { i -> [UInt8] in
            let byte = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
            return [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Cloudflare's scannable credentials (2026), `cfk_`, `cfut_` and `cfat_`: 40 random
    /// characters after the prefix, then 8 hex digits, the CRC32 (IEEE) of those 40 characters
    /// written most significant byte first.
    static func cloudflareCRC32(_ token: [UInt8]) -> Bool {
        guard let underscore = token.firstIndex(of: UInt8(ascii: "_")), token.count - underscore - 1 == 48 else { return false }
        let expected = hex(crc32(token[(underscore + 1)..<(underscore + 41)]), mostSignificantFirst: true)
        return Array(token[(underscore + 41)...]).map(KeywordAutomaton.fold) == expected
    }

    /// A Bech32 string (BIP 173) whose checksum holds: age's `AGE-SECRET-KEY-1…` keys. Case is
    /// ignored, as Bech32 allows one case per string.
    static func bech32(_ text: [UInt8]) -> Bool {
        let lower = text.map(KeywordAutomaton.fold)
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator > 0, lower.count - separator > 6 else { return false }
        var values: [UInt32] = lower[..<separator].map { UInt32($0 >> 5) } + [0] + lower[..<separator].map { UInt32($0 & 31) }
        for c in lower[(separator + 1)...] {
            guard let v = bech32Alphabet.firstIndex(of: c) else { return false }
            values.append(UInt32(v))
        }
        let generator: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var check: UInt32 = 1
        for v in values {
            let top = check >> 25
            check = (check & 0x1FF_FFFF) << 5 ^ v
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { check ^= generator[i] }
        }
        return check == 1
    }

    static let bech32Alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// GitHub's newer tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) end in 6 base62 characters
    /// encoding the CRC32 of the 30 random characters before them.
    static func githubCRC32(_ token: [UInt8]) -> Bool {
        guard let underscore = token.firstIndex(of: UInt8(ascii: "_")) else { return false }
        let body = Array(token[(underscore + 1)...])
        guard body.count == 36 else { return false }
        let random = body[..<30], check = body[30...]
        return base62(crc32(random), width: 6) == Array(check)
    }

    /// The 6 base62 characters GitHub's token format appends to its random part: the CRC32 of
    /// `random`. Code Corgi's own API keys use the same scheme, so a leaked one is told from a
    /// look-alike exactly as a GitHub token is.
    public static func base62CRC32(_ random: some Sequence<UInt8>) -> String {
        String(decoding: base62(crc32(random), width: 6), as: UTF8.self)
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    static func base62(_ value: UInt32, width: Int) -> [UInt8] {
        var v = value
        var digits: [UInt8] = []
        repeat {
            digits.append(base62Alphabet[Int(v % 62)])
            v /= 62
        } while v > 0
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return digits.reversed()
    }
}

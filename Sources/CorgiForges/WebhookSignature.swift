internal import Crypto

/// Webhook authentication, checked over the raw body bytes before anything parses them.
///
/// Several secrets may be current at once so a rotation never drops deliveries: the new secret
/// is added to the secrets directory, the forge is switched, the old one is removed.
public enum WebhookSignature {
    /// GitHub (`X-Hub-Signature-256: sha256=<hex>`), Gitea and Forgejo (the same header, or
    /// `X-Gitea-Signature` / `X-Forgejo-Signature` as bare hex).
    public static func verifyHMACSHA256(body: some Collection<UInt8>, signature header: String?, secrets: [[UInt8]]) -> Bool {
        guard var hex = header?.utf8[...] else { return false }
        if hex.starts(with: "sha256=".utf8) { hex = hex.dropFirst(7) }
        guard let expected = decodeHex(hex), expected.count == SHA256.byteCount else { return false }
        let bytes = Array(body)
        var valid = false
        for secret in secrets where !secret.isEmpty {
            // isValidAuthenticationCode compares in constant time.
            if HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: bytes, using: SymmetricKey(data: secret)) {
                valid = true
            }
        }
        return valid
    }

    /// GitLab sends the configured token verbatim in `X-Gitlab-Token`: compare in constant time.
    public static func verifyToken(_ header: String?, secrets: [[UInt8]]) -> Bool {
        guard let header else { return false }
        let given = Array(header.utf8)
        var valid = false
        for secret in secrets where !secret.isEmpty && constantTimeEquals(given, secret) { valid = true }
        return valid
    }

    /// Equal-length comparison whose time does not depend on where the inputs differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    /// `sha256=<hex>` for a body, as a forge would send it (tests and tools).
    public static func githubSignature(body: some Collection<UInt8>, secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body), using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { String(format: $0) }.joined()
    }

    static func decodeHex(_ hex: Substring.UTF8View) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var high: UInt8?
        for c in hex {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            case 0x41...0x46: v = c - 0x41 + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    private static func String(format byte: UInt8) -> Swift.String {
        let digits = Array("0123456789abcdef")
        return Swift.String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

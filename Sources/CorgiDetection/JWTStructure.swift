import Foundation
internal import Crypto

/// The structure a real JSON Web Token has (RFC 7519): a header and a payload that decode to
/// JSON objects, the header naming its `alg`. A token-shaped string whose parts do not decode is
/// made up or mangled; one signed with a secret that documentation publishes (jwt.io's example
/// secrets) is an example, not a leak.
enum JWTStructure {
    /// HMAC secrets printed beside example tokens in public documentation.
    static let documentedSecrets = [
        "a-string-secret-at-least-256-bits-long", "your-256-bit-secret", "your-384-bit-secret", "your-512-bit-secret",
    ]

    static func isGenuine(_ token: [UInt8]) -> Bool {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
              let header = decodeObject(parts[0]), let algorithm = header["alg"] as? String,
              decodeObject(parts[1]) != nil
        else { return false }
        let signingInput = Array(token[..<(parts[0].count + 1 + parts[1].count)])
        let signature = Array(parts[2])
        return !signedWithDocumentedSecret(signingInput, signature: signature, algorithm: algorithm)
    }

    static func decodeObject(_ part: ArraySlice<UInt8>) -> [String: Any]? {
        guard let bytes = Array(part).withUnsafeBufferPointer({ EncodedSegments.decodeBase64($0) }) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    static func signedWithDocumentedSecret(_ input: [UInt8], signature: [UInt8], algorithm: String) -> Bool {
        for secret in documentedSecrets {
            let key = SymmetricKey(data: Array(secret.utf8))
            let mac: [UInt8]
            switch algorithm {
            case "HS256": mac = Array(HMAC<SHA256>.authenticationCode(for: input, using: key))
            case "HS384": mac = Array(HMAC<SHA384>.authenticationCode(for: input, using: key))
            case "HS512": mac = Array(HMAC<SHA512>.authenticationCode(for: input, using: key))
            default: return false
            }
            if base64URL(mac) == signature { return true }
        }
        return false
    }

    static func base64URL(_ bytes: [UInt8]) -> [UInt8] {
        Array(Data(bytes).base64EncodedString().utf8).compactMap { b -> UInt8? in
            switch b {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: b
            }
        }
    }
}

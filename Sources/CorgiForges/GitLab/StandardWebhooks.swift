internal import Crypto
public import Foundation

/// The Standard Webhooks signature scheme (standardwebhooks.com, spec 1.0.0), which GitLab uses
/// for a hook's signing token: `webhook-signature` holds space-separated `v1,<base64>` entries,
/// each an HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` keyed by the secret's bytes
/// (the base64 after `whsec_`). A delivery is authentic when any entry matches (compared in
/// constant time) and its timestamp is within `tolerance` of now in either direction, so a
/// captured delivery cannot be replayed later.
public enum StandardWebhooks {
    public static let defaultTolerance: TimeInterval = 300

    /// The HMAC key of a `whsec_…` secret (the prefix is optional); nil when not base64.
    public static func key(fromSecret secret: String) -> [UInt8]? {
        var text = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("whsec_") { text.removeFirst(6) }
        // Secrets are often pasted without base64's padding: read them as if padded.
        if text.utf8.count % 4 != 0 { text += String(repeating: "=", count: 4 - text.utf8.count % 4) }
        guard let data = Data(base64Encoded: text), !data.isEmpty else { return nil }
        return Array(data)
    }

    public enum Verdict: Sendable, Equatable {
        case valid
        case refused(Failure)
    }

    public enum Failure: Error, Sendable, Equatable {
        case missingHeaders
        case badTimestamp
        case outsideTolerance
        case noMatchingSignature
    }

    public static func verify(
        id: String?, timestamp: String?, signatures: String?, body: some Collection<UInt8>, keys: [[UInt8]],
        now: Date = Date(), tolerance: TimeInterval = defaultTolerance
    ) -> Verdict {
        guard let id, !id.isEmpty, let timestamp, let signatures, !signatures.isEmpty else { return .refused(.missingHeaders) }
        guard timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }), timestamp.utf8.count <= 12, let seconds = TimeInterval(timestamp)
        else { return .refused(.badTimestamp) }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { return .refused(.outsideTolerance) }
        let signed = Array("\(id).\(timestamp).".utf8) + Array(body)
        var valid = false
        for entry in signatures.split(separator: " ") {
            guard entry.hasPrefix("v1,"), let mac = Data(base64Encoded: String(entry.dropFirst(3))) else { continue }
            for key in keys where !key.isEmpty {
                // isValidAuthenticationCode compares in constant time.
                if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: key)) { valid = true }
            }
        }
        return valid ? .valid : .refused(.noMatchingSignature)
    }

    /// `v1,<base64>` for `body` (tests and doubles sign with it).
    public static func sign(id: String, timestamp: String, body: some Collection<UInt8>, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + Array(body), using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}

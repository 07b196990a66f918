/// Turns a secret into something safe to print.
///
/// The promise users rely on: no output ever shows more than a 4-character prefix of a secret,
/// and short secrets show proportionally less so that a prefix never gives most of it away.
public enum Redaction {
    public static let maximumVisiblePrefix = 4
    public static let mask = "****"

    public static func redact(_ secret: some StringProtocol) -> String {
        let scalars = Array(secret.unicodeScalars)
        // A quarter of the secret at most, and never more than 4 characters.
        let visible = min(maximumVisiblePrefix, scalars.count / 4)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(visible))
        return String(out) + mask
    }

    /// Redacts raw bytes that may not be valid UTF-8.
    public static func redact(bytes: some Collection<UInt8>) -> String {
        redact(String(decoding: bytes, as: UTF8.self))
    }
}

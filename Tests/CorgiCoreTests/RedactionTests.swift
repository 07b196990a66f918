import CorgiCore
import Testing

@Suite("Redaction")
struct RedactionTests {
    @Test("never more than a 4-character prefix", arguments: [
        ("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", "ghp_****"),
        ("sk_live_abcdefgh", "sk_l****"),
        ("hunter2!", "hu****"),
        ("abc", "****"),
        ("", "****"),
        ("pässwörd-geheim", "päs****"),
        ("pässwörd-geheim-lang", "päss****"),
    ])
    func prefix(secret: String, expected: String) {
        let redacted = Redaction.redact(secret)
        #expect(redacted == expected)
        let visible = redacted.replacingOccurrences(of: Redaction.mask, with: "")
        #expect(visible.count <= 4)
        #expect(visible.count <= secret.count / 4)
    }

    @Test("invalid UTF-8 secrets are redacted too")
    func bytes() {
        #expect(Redaction.redact(bytes: [0x41, 0x42, 0xFF, 0x43, 0x44, 0x45, 0x46, 0x47]) == "AB****")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

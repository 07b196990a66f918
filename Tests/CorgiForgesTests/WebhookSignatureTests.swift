import CorgiForges
import Foundation
import Testing

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    struct Vector: Decodable {
        var secret: String
        var payload: String
        var signature: String?
        var expected_signature: String?
        var x_hub_signature_256: String?
    }

    static func vector() throws -> (secret: [UInt8], payload: [UInt8], header: String) {
        let json = try JSONSerialization.jsonObject(with: Fixtures.data("github/webhook-signature-test-vector.json")) as! [String: Any]
        func find(_ keys: [String]) -> String? { keys.lazy.compactMap { json[$0] as? String }.first }
        let secret = find(["secret", "webhook_secret"])!
        let payload = find(["payload", "body"])!
        var header = find(["x_hub_signature_256", "X-Hub-Signature-256", "header", "signature_header", "expected_header", "signature", "expected_signature", "expected"])!
        if !header.hasPrefix("sha256=") { header = "sha256=" + header }
        return (Array(secret.utf8), Array(payload.utf8), header)
    }

    @Test("GitHub's published test vector verifies")
    func publishedVector() throws {
        let v = try Self.vector()
        #expect(WebhookSignature.verifyHMACSHA256(body: v.payload, signature: v.header, secrets: [v.secret]))
        #expect(WebhookSignature.githubSignature(body: v.payload, secret: v.secret) == v.header)
        // Gitea and Forgejo send the same HMAC as bare hex.
        #expect(WebhookSignature.verifyHMACSHA256(body: v.payload, signature: String(v.header.dropFirst(7)), secrets: [v.secret]))
    }

    @Test("wrong secret, changed body, malformed or missing header are rejected")
    func rejections() throws {
        let v = try Self.vector()
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: v.header, secrets: [Array("wrong".utf8)]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload + [0x20], signature: v.header, secrets: [v.secret]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: nil, secrets: [v.secret]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: "sha256=zz", secrets: [v.secret]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: "sha1=" + String(v.header.dropFirst(7)), secrets: [v.secret]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: String(v.header.dropLast(2)), secrets: [v.secret]))
        #expect(!WebhookSignature.verifyHMACSHA256(body: v.payload, signature: v.header, secrets: [[]]))
    }

    @Test("during a rotation both the old and the new secret verify")
    func rotation() throws {
        let v = try Self.vector()
        #expect(WebhookSignature.verifyHMACSHA256(body: v.payload, signature: v.header, secrets: [Array("new".utf8), v.secret]))
    }

    @Test("GitLab tokens compare in constant time")
    func gitlabToken() {
        #expect(WebhookSignature.verifyToken("s3cret", secrets: [Array("s3cret".utf8)]))
        #expect(!WebhookSignature.verifyToken("s3cre", secrets: [Array("s3cret".utf8)]))
        #expect(!WebhookSignature.verifyToken(nil, secrets: [Array("s3cret".utf8)]))
        #expect(WebhookSignature.constantTimeEquals([1, 2], [1, 2]))
        #expect(!WebhookSignature.constantTimeEquals([1, 2], [1, 2, 0]))
    }
}

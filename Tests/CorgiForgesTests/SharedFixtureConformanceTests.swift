import CorgiForges
import Foundation
import Testing

/// Extra conformance checks against third-party fixtures (octokit's recorded webhook payloads and
/// GitHub's signature vector in ../shared): run when that folder is there, skipped otherwise.
@Suite("Conformance with the shared octokit fixtures", .enabled(if: Fixtures.sharedAvailable,
                                                               "conformance checks skipped: ../shared/fixtures is absent (set CORGI_SHARED_DIR to run them)"))
struct SharedFixtureConformanceTests {
    static let handled: [(event: String, file: String)] = [
        ("pull_request", "opened.json"), ("pull_request", "synchronize.json"), ("pull_request", "reopened.json"),
        ("pull_request", "closed.json"), ("installation", "created.json"), ("installation", "deleted.json"),
        ("installation_repositories", "added.json"), ("installation_repositories", "removed.json"),
        ("check_run", "rerequested.json"), ("ping", "payload.json"), ("ping", "with-app_id.json"),
    ]

    @Test("every recorded payload of an event we handle decodes", arguments: 0..<handled.count)
    func decodes(_ index: Int) throws {
        let (event, file) = Self.handled[index]
        let decoded = try GitHubEvent.decode(event: event, body: Fixtures.sharedData("github/webhooks/\(event)/\(file)"))
        if case .ignored = decoded { Issue.record("\(event)/\(file) was ignored") }
    }

    @Test("events we do not act on are ignored, not refused")
    func ignored() throws {
        #expect(try GitHubEvent.decode(event: "push", body: Fixtures.sharedData("github/webhooks/push/payload.json"))
            == .ignored(event: "push", action: nil))
        #expect(try GitHubEvent.decode(event: "check_run", body: Fixtures.sharedData("github/webhooks/check_run/requested_action.json"))
            == .ignored(event: "check_run", action: "requested_action"))
    }

    @Test("the shared signature test vector verifies")
    func signatureVector() throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.sharedData("github/webhook-signature-test-vector.json")) as! [String: Any]
        func find(_ keys: [String]) -> String? { keys.lazy.compactMap { json[$0] as? String }.first }
        let secret = try #require(find(["secret", "webhook_secret"]))
        let payload = try #require(find(["payload", "body"]))
        var header = try #require(find(["x_hub_signature_256", "X-Hub-Signature-256", "header", "signature_header", "expected_header",
                                         "signature", "expected_signature", "expected"]))
        if !header.hasPrefix("sha256=") { header = "sha256=" + header }
        #expect(WebhookSignature.verifyHMACSHA256(body: Array(payload.utf8), signature: header, secrets: [Array(secret.utf8)]))
    }
}

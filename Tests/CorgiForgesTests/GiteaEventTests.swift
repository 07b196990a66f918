import CorgiForges
import Foundation
import Testing

@Suite("Gitea and Forgejo events")
struct GiteaEventTests {
    static func pullRequest(action: String, fullName: String = "acme/widgets") -> Data {
        Data("""
            {"action": "\(action)", "number": 5,
             "pull_request": {"number": 5, "head": {"sha": "aaaa"}, "base": {"sha": "bbbb"}},
             "repository": {"id": 77, "full_name": "\(fullName)", "owner": {"login": "acme"}}}
            """.utf8)
    }

    @Test("opened, reopened and synchronized review; closed closes; others record")
    func actions() throws {
        for (action, scans, closes) in [("opened", true, false), ("reopened", true, false), ("synchronized", true, false),
                                        ("synchronize", false, false), ("edited", false, false), ("closed", false, true)] {
            guard case .pullRequest(let e) = try GiteaEvent.decode(event: "pull_request", body: Self.pullRequest(action: action))
            else { Issue.record("\(action) not decoded"); continue }
            #expect(e.triggersScan == scans && e.closes == closes, "\(action)")
            #expect(e.repository.id == 77 && e.repository.organisation == "acme" && e.pullRequest.head.sha == "aaaa")
        }
    }

    @Test("repository names follow Gitea's rules before they reach a URL", arguments: [
        ("acme/widgets", true), ("john.doe/my_repo-2", true), ("acme/..", false), ("../widgets", false), ("acme/a/b", false),
        ("acme/wid gets", false), ("acme/widgets?x=1", false), ("acme/wïdgets", false), ("/widgets", false),
        (String(repeating: "a", count: 41) + "/w", false),
    ])
    func names(_ fullName: String, _ valid: Bool) throws {
        guard case .pullRequest(let e) = try GiteaEvent.decode(event: "pull_request", body: Self.pullRequest(action: "opened", fullName: fullName))
        else { Issue.record("not decoded"); return }
        #expect(e.repository.hasValidFullName == valid)
    }

    @Test("comments on pull requests decode; on issues and other events are ignored; garbage is refused")
    func comments() throws {
        let onPull = Data(#"{"action": "created", "is_pull": true, "issue": {"number": 5}, "comment": {"id": 1, "body": "@corgi help"}, "repository": {"id": 77, "full_name": "acme/widgets"}}"#.utf8)
        guard case .comment(let c) = try GiteaEvent.decode(event: "issue_comment", body: onPull) else { Issue.record("not decoded"); return }
        #expect(c.issue.number == 5 && c.comment?.body == "@corgi help")
        let onIssue = Data(#"{"is_pull": false, "issue": {"number": 5}, "repository": {"id": 77, "full_name": "acme/widgets"}}"#.utf8)
        #expect(try GiteaEvent.decode(event: "issue_comment", body: onIssue) == .ignored(event: "issue_comment"))
        #expect(try GiteaEvent.decode(event: "push", body: Data("{}".utf8)) == .ignored(event: "push"))
        #expect(throws: GiteaEvent.DecodingFailure.self) { try GiteaEvent.decode(event: "pull_request", body: Data("{\"action\": 1}".utf8)) }
    }

    @Test("the published Gitea signature vectors verify; a changed byte does not",
          .enabled(if: Fixtures.sharedAvailable, "skipped: ../shared/fixtures is absent"))
    func signatureVectors() throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.sharedData("gitea/webhook-signature-test-vectors.json")) as! [String: Any]
        let secret = Array(try #require(json["secret"] as? String).utf8)
        let vectors = try #require(json["vectors"] as? [[String: Any]])
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let file = try #require(vector["payload_file"] as? String)
            let body = Array(try Fixtures.sharedData("gitea/\(file)"))
            let signature = try #require(vector["X-Gitea-Signature"] as? String)
            #expect(WebhookSignature.verifyHMACSHA256(body: body, signature: signature, secrets: [secret]), "\(file)")
            #expect(!WebhookSignature.verifyHMACSHA256(body: body + [0x20], signature: signature, secrets: [secret]), "\(file)")
        }
    }

    @Test("the recorded Gitea and Forgejo payloads decode", .enabled(if: Fixtures.sharedAvailable, "skipped: ../shared/fixtures is absent"))
    func recorded() throws {
        for file in ["gitea-pull_request.synchronized.json", "gitea-pull_request.opened.2022.json", "forgejo-pull_request.reopened.json"] {
            guard case .pullRequest(let e) = try GiteaEvent.decode(event: "pull_request", body: Fixtures.sharedData("gitea/\(file)"))
            else { Issue.record("\(file) not decoded"); continue }
            #expect(e.triggersScan && e.repository.hasValidFullName, "\(file)")
        }
        guard case .comment = try GiteaEvent.decode(event: "issue_comment", body: Fixtures.sharedData("gitea/gitea-issue_comment.created.pull.json"))
        else { Issue.record("comment not decoded"); return }
        #expect(try GiteaEvent.decode(event: "issue_comment", body: Fixtures.sharedData("gitea/gitea-issue_comment.created.issue.json"))
            == .ignored(event: "issue_comment"))
    }
}

import CorgiForges
import Foundation
import Testing

@Suite("GitHub webhook payloads (our own, from GitHub's documentation)")
struct GitHubEventTests {
    func event(_ name: String, _ file: String) throws -> GitHubEvent {
        try GitHubEvent.decode(event: name, body: Fixtures.data("github/webhooks/\(name)/\(file)"))
    }

    @Test("pull_request opened, synchronize, reopened and closed", arguments: ["opened", "synchronize", "reopened", "closed"])
    func pullRequests(action: String) throws {
        guard case .pullRequest(let e) = try event("pull_request", "\(action).json") else {
            Issue.record("not decoded as a pull request")
            return
        }
        let raw = try JSONSerialization.jsonObject(with: Fixtures.data("github/webhooks/pull_request/\(action).json")) as! [String: Any]
        let pr = raw["pull_request"] as! [String: Any]
        #expect(e.action == action)
        #expect(e.number == raw["number"] as? Int)
        #expect(e.pullRequest.head.sha == (pr["head"] as! [String: Any])["sha"] as? String)
        #expect(e.pullRequest.base.ref == (pr["base"] as! [String: Any])["ref"] as? String)
        #expect(e.repository.fullName == (raw["repository"] as! [String: Any])["full_name"] as? String)
        #expect(e.installation?.id == (raw["installation"] as! [String: Any])["id"] as? Int)
        #expect(e.triggersScan == (action != "closed"))
    }

    @Test("installation and installation_repositories")
    func installations() throws {
        guard case .installation(let created) = try event("installation", "created.json") else { Issue.record("installation"); return }
        #expect(created.action == "created")
        #expect(created.installation.id > 0)
        guard case .installationRepositories(let added) = try event("installation_repositories", "added.json") else { Issue.record("repos"); return }
        #expect(added.action == "added")
        #expect(!added.repositoriesAdded.isEmpty)
        guard case .installationRepositories(let removed) = try event("installation_repositories", "removed.json") else { Issue.record("repos"); return }
        #expect(!removed.repositoriesRemoved.isEmpty)
    }

    @Test("check_run rerequested is a rescan; requested_action is ignored")
    func checkRuns() throws {
        guard case .checkRunRerequested(let e) = try event("check_run", "rerequested.json") else { Issue.record("rerequested"); return }
        #expect(!e.checkRun.headSHA.isEmpty)
        #expect(e.installation != nil)
        #expect(try event("check_run", "requested_action.json") == .ignored(event: "check_run", action: "requested_action"))
    }

    @Test("ping, and events we do not act on")
    func others() throws {
        guard case .ping(let hook, _) = try event("ping", "payload.json") else { Issue.record("ping"); return }
        #expect(hook != nil)
        guard case .ping(_, let app) = try event("ping", "with-app_id.json") else { Issue.record("ping"); return }
        #expect(app != nil)
        #expect(try event("push", "payload.json") == .ignored(event: "push", action: nil))
        #expect(try event("issue_comment", "created.json") == .ignored(event: "issue_comment", action: "created"))
    }

    @Test("malformed JSON after a valid signature is a clear error that quotes nothing")
    func malformed() {
        #expect(throws: WebhookDecodingError.self) { try GitHubEvent.decode(event: "pull_request", body: Data("{not json".utf8)) }
        do {
            _ = try GitHubEvent.decode(event: "pull_request", body: Data(#"{"action": "opened", "secret_marker": 1}"#.utf8))
        } catch {
            #expect("\(error)".contains("missing"))
            #expect(!"\(error)".contains("secret_marker"))
        }
    }
}

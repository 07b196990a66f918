import CorgiAccess
import CorgiCore
import CorgiForges
import CorgiReview
import CorgiService
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The webhook routes of every forge in process (`app.test(.router)`): each refuses what is not
/// authentic before parsing it, answers 404 while its forge is off, and hands a verified delivery
/// to the ledger with the right job, or closes the right pull request.
@Suite("Webhook routes, in process")
struct WebhookRouteTests {
    static let githubSecret = "github-secret-of-32-random-chars"
    static let gitlabToken = "gitlab-token-of-32-random-chars!"
    static let giteaSecret = "gitea-secret-of-32-random-chars!"
    static let signingKey = Array("a-signing-key-of-32-random-bytes".utf8)

    struct Gateway {
        let intake: RecordingIntake
        let store: ClosingStore
        let app: Application<RouterResponder<BasicRequestContext>>
    }

    static func gateway(gitlab: Bool = true, gitea: Bool = true, signing: Bool = false, maximumBodyBytes: Int = 1 << 20) async throws -> Gateway {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var files = ["github-webhook-secret": githubSecret, "gitlab-webhook-token": gitlabToken, "gitea-webhook-secret": giteaSecret,
                     "audit-checkpoint-key": String(repeating: "k", count: 32), "postgres-password": "p"]
        if signing { files["gitlab-webhook-signing-key"] = "whsec_" + Data(signingKey).base64EncodedString() }
        for (name, value) in files { try Data(value.utf8).write(to: directory.appendingPathComponent(name)) }
        let secrets = try await SecretStore(directory: directory.path, role: .gateway)
        let intake = RecordingIntake(), store = ClosingStore()
        let gateway = WebhookGateway(intake: intake, reviews: Regional(single: store as any ReviewStore), secrets: secrets, metrics: ServiceMetrics(),
                                     logger: Logger(label: "test"), maximumBodyBytes: maximumBodyBytes,
                                     gitlabEnabled: gitlab, giteaEnabled: gitea)
        return Gateway(intake: intake, store: store, app: Application(router: gateway.router()))
    }

    static func post(_ app: Application<RouterResponder<BasicRequestContext>>, _ path: String, _ body: [UInt8],
                     _ headers: [String: String]) async throws -> (status: Int, body: String) {
        var built = HTTPFields()
        for (name, value) in headers { built[HTTPField.Name(name)!] = value }
        built[.contentType] = "application/json"
        let fields = built
        return try await app.test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(bytes: body)) { response in
                (Int(response.status.code), String(buffer: response.body))
            }
        }
    }

    static func hexHMAC(_ body: [UInt8], _ secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: GitHub

    static let githubOpened = try! Array(Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tests/fixtures/github/webhooks/pull_request/opened.json")))

    @Test("GitHub: a signed pull request is queued; a bad or missing signature is refused and nothing is recorded")
    func github() async throws {
        let g = try await Self.gateway()
        let body = Self.githubOpened
        let signed = ["X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": "sha256=" + Self.hexHMAC(body, Self.githubSecret)]
        #expect(try await Self.post(g.app, "/webhooks/github", body, signed).status == 202)
        var forged = signed
        forged["X-Hub-Signature-256"] = "sha256=" + Self.hexHMAC(body, "another-secret-of-32-random-char")
        #expect(try await Self.post(g.app, "/webhooks/github", body, forged).status == 401)
        forged["X-Hub-Signature-256"] = nil
        #expect(try await Self.post(g.app, "/webhooks/github", body, forged).status == 401)
        let deliveries = await g.intake.deliveries
        #expect(deliveries.count == 1 && deliveries[0].job?.forge == "github" && deliveries[0].deliveryID == "d-1")
        // Redelivered: accepted once more, not run again.
        let again = try await Self.post(g.app, "/webhooks/github", body, signed)
        #expect(again.status == 202 && again.body.contains("duplicate"))
    }

    // MARK: GitLab

    static func gitlabMergeRequest(action: String, path: String = "acme/widgets") -> [UInt8] {
        Array("""
            {"object_kind": "merge_request", "project": {"id": 15, "path_with_namespace": "\(path)"},
             "object_attributes": {"iid": 3, "action": "\(action)", "last_commit": {"id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}}}
            """.utf8)
    }

    @Test("GitLab: the secret token is compared exactly; a job carries the project id and iid; close closes")
    func gitlab() async throws {
        let g = try await Self.gateway()
        let headers = ["X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": Self.gitlabToken, "Idempotency-Key": "k-1"]
        #expect(try await Self.post(g.app, "/webhooks/gitlab", Self.gitlabMergeRequest(action: "open"), headers).status == 202)
        for token in [nil, "", String(Self.gitlabToken.dropLast()), Self.gitlabToken + "x", Self.gitlabToken.uppercased()] {
            var h = headers
            h["X-Gitlab-Token"] = token
            h["Idempotency-Key"] = "k-\(token?.count ?? -1)"
            #expect(try await Self.post(g.app, "/webhooks/gitlab", Self.gitlabMergeRequest(action: "open"), h).status == 401)
        }
        var close = headers
        close["Idempotency-Key"] = "k-close"
        #expect(try await Self.post(g.app, "/webhooks/gitlab", Self.gitlabMergeRequest(action: "close"), close).status == 202)
        let deliveries = await g.intake.deliveries
        #expect(deliveries.count == 2)
        let job = try #require(deliveries.first?.job)
        #expect((job.forge, job.repositoryID, job.number, job.organisation) == ("gitlab", 15, 3, "acme"))
        #expect(await g.store.closed == [PullRequestKey(forge: "gitlab", installationID: 0, repositoryID: 15, number: 3)])
    }

    @Test("GitLab with a signing key: a fresh valid signature passes; a stale or missing one does not")
    func gitlabSigned() async throws {
        let g = try await Self.gateway(signing: true)
        let body = Self.gitlabMergeRequest(action: "open")
        func headers(_ id: String, _ timestamp: Int) -> [String: String] {
            ["X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": Self.gitlabToken, "Idempotency-Key": id, "webhook-id": id,
             "webhook-timestamp": "\(timestamp)",
             "webhook-signature": StandardWebhooks.sign(id: id, timestamp: "\(timestamp)", body: body, key: Self.signingKey)]
        }
        let now = Int(Date().timeIntervalSince1970)
        #expect(try await Self.post(g.app, "/webhooks/gitlab", body, headers("s-1", now)).status == 202)
        #expect(try await Self.post(g.app, "/webhooks/gitlab", body, headers("s-2", now - 3600)).status == 401)
        var unsigned = headers("s-3", now)
        unsigned["webhook-signature"] = nil
        #expect(try await Self.post(g.app, "/webhooks/gitlab", body, unsigned).status == 401)
        #expect(await g.intake.deliveries.count == 1)
    }

    // MARK: Gitea / Forgejo

    static func giteaPullRequest(action: String, fullName: String = "acme/widgets") -> [UInt8] {
        Array("""
            {"action": "\(action)", "number": 5, "pull_request": {"number": 5, "head": {"sha": "aaaa"}, "base": {"sha": "bbbb"}},
             "repository": {"id": 77, "full_name": "\(fullName)", "owner": {"login": "acme"}}}
            """.utf8)
    }

    @Test("Gitea and Forgejo: either signature header verifies; an empty one never does; a hostile name is refused")
    func gitea() async throws {
        let g = try await Self.gateway()
        let body = Self.giteaPullRequest(action: "opened")
        let signature = Self.hexHMAC(body, Self.giteaSecret)
        let forgejo = ["X-Forgejo-Event": "pull_request", "X-Forgejo-Delivery": "f-1", "X-Forgejo-Signature": signature]
        let gitea = ["X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "g-1", "X-Gitea-Signature": signature]
        #expect(try await Self.post(g.app, "/webhooks/gitea", body, forgejo).status == 202)
        #expect(try await Self.post(g.app, "/webhooks/gitea", body, gitea).status == 202)
        // Gitea sends empty signature headers for a hook without a secret: refused, as is GitHub's prefixed form.
        for bad in ["", "sha256=" + signature, String(repeating: "0", count: 64)] {
            #expect(try await Self.post(g.app, "/webhooks/gitea", body, ["X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "b",
                                                                          "X-Gitea-Signature": bad]).status == 401)
        }
        let evil = Self.giteaPullRequest(action: "opened", fullName: "acme/../admin")
        #expect(try await Self.post(g.app, "/webhooks/gitea", evil, ["X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "e",
                                                                      "X-Gitea-Signature": Self.hexHMAC(evil, Self.giteaSecret)]).status == 400)
        let closed = Self.giteaPullRequest(action: "closed")
        #expect(try await Self.post(g.app, "/webhooks/gitea", closed, ["X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "c",
                                                                        "X-Gitea-Signature": Self.hexHMAC(closed, Self.giteaSecret)]).status == 202)
        #expect(await g.intake.deliveries.compactMap(\.job).map(\.repositoryID) == [77, 77])
        #expect(await g.store.closed == [PullRequestKey(forge: "gitea", installationID: 0, repositoryID: 77, number: 5)])
    }

    // MARK: Every forge

    @Test("a forge that is off answers 404 whatever is sent", arguments: ["/webhooks/gitlab", "/webhooks/gitea"])
    func off(_ path: String) async throws {
        let g = try await Self.gateway(gitlab: false, gitea: false)
        #expect(try await Self.post(g.app, path, Self.gitlabMergeRequest(action: "open"),
                                    ["X-Gitlab-Token": Self.gitlabToken, "X-Gitlab-Event": "Merge Request Hook"]).status == 404)
        #expect(await g.intake.deliveries.isEmpty)
    }

    @Test("a body over the limit is refused before it is read, on every route",
          arguments: ["/webhooks/github", "/webhooks/gitlab", "/webhooks/gitea"])
    func tooLarge(_ path: String) async throws {
        let g = try await Self.gateway(maximumBodyBytes: 1024)
        let status = try await Self.post(g.app, path, Array(repeating: 0x20, count: 4096), ["X-Gitlab-Token": Self.gitlabToken]).status
        #expect(status == 413)
    }

    @Test("a verified but malformed payload is a clear 400 on every route")
    func malformed() async throws {
        let g = try await Self.gateway()
        let garbage = Array("[1, 2".utf8)
        #expect(try await Self.post(g.app, "/webhooks/github", garbage, [
            "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "m", "X-Hub-Signature-256": "sha256=" + Self.hexHMAC(garbage, Self.githubSecret),
        ]).status == 400)
        #expect(try await Self.post(g.app, "/webhooks/gitlab", garbage, [
            "X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": Self.gitlabToken, "Idempotency-Key": "m",
        ]).status == 400)
        #expect(try await Self.post(g.app, "/webhooks/gitea", garbage, [
            "X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "m", "X-Gitea-Signature": Self.hexHMAC(garbage, Self.giteaSecret),
        ]).status == 400)
        #expect(await g.intake.deliveries.isEmpty)
    }
}

import CorgiForges
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Prometheus

/// `POST /webhooks/gitea`: pull request and comment events from Gitea or Forgejo.
///
/// Authenticated before a byte is parsed: `X-Forgejo-Signature` or `X-Gitea-Signature` (the same
/// bare hex HMAC-SHA256 of the raw body) must match the configured secret; an empty signature, which
/// Gitea sends for a hook without a secret, never matches. The route answers 404 while Gitea is not
/// configured (no `gitea.api_url` or no webhook secret). Deliveries are
/// deduplicated by `X-Forgejo-Delivery` / `X-Gitea-Delivery`.
extension WebhookGateway {
    static let forgejoSignatureHeader = HTTPField.Name("X-Forgejo-Signature")!
    static let giteaSignatureHeader = HTTPField.Name("X-Gitea-Signature")!
    static let forgejoEventHeader = HTTPField.Name("X-Forgejo-Event")!
    static let giteaEventHeader = HTTPField.Name("X-Gitea-Event")!
    static let forgejoDeliveryHeader = HTTPField.Name("X-Forgejo-Delivery")!
    static let giteaDeliveryHeader = HTTPField.Name("X-Gitea-Delivery")!

    func gitea(_ incoming: Request, logger: Logger) async throws -> Response {
        try await receive(incoming, forge: "gitea", logger: logger, credentials: { giteaEnabled ? try await secrets.giteaWebhookSecret() : nil }) {
            headers, bytes, secret, log throws(WebhookRefusal) in
            let signature = headers[Self.forgejoSignatureHeader].flatMap { $0.isEmpty ? nil : $0 } ?? headers[Self.giteaSignatureHeader]
            guard let signature, !signature.isEmpty, !signature.hasPrefix("sha256="),
                  WebhookSignature.verifyHMACSHA256(body: bytes, signature: signature, secrets: [secret])
            else { throw unauthenticated("bad or missing signature", error: "invalid signature", bytes: bytes.count, logger: log) }
        } handle: { headers, bytes, log in
            // Signed by the forge from here on.
            let eventHeader = headers[Self.forgejoEventHeader] ?? headers[Self.giteaEventHeader]
            let deliveryHeader = headers[Self.forgejoDeliveryHeader] ?? headers[Self.giteaDeliveryHeader]
            guard let event = eventHeader, Self.isToken(event, maximum: 64), let delivery = deliveryHeader, Self.isToken(delivery, maximum: 128)
            else { throw WebhookRefusal.badRequest("missing or invalid X-Gitea-Event / X-Gitea-Delivery") }
            var log = log
            log[metadataKey: "delivery"] = "\(delivery)"
            log[metadataKey: "event"] = "\(event)"
            return try await decodeAndAccept({ try GiteaEvent.decode(event: event, body: Data(bytes)) }, logger: log) {
                try await acceptGitea($0, event: event, delivery: delivery, logger: log)
            }
        }
    }

    func acceptGitea(_ decoded: GiteaEvent, event: String, delivery: String, logger: Logger) async throws -> Response {
        switch decoded {
        case .pullRequest(let e):
            let repository = e.repository, number = e.number
            let action = Self.isToken(e.action, maximum: 32) ? e.action : "other"
            guard repository.hasValidFullName else {
                throw WebhookRefusal.badRequest("invalid repository name")
            }
            var metadata = ["delivery": delivery, "event": event, "forge": "gitea", "repository": repository.fullName, "pr": "\(number)"]
            var job: ScanJob?
            var closing: PullRequestKey?
            if e.triggersScan {
                guard let head = e.pullRequest.head.sha, Self.isToken(head, maximum: 64) else {
                    throw WebhookRefusal.badRequest("pull request event without a head commit")
                }
                metadata["sha"] = head
                job = ScanJob(forge: "gitea", installationID: 0, repositoryID: repository.id, organisation: repository.organisation,
                              repository: repository.fullName, number: number, headSHA: head, baseSHA: e.pullRequest.base?.sha,
                              deliveryID: delivery, trigger: "pull_request.\(action)")
            } else if e.closes {
                closing = PullRequestKey(forge: "gitea", installationID: 0, repositoryID: repository.id, number: number)
            }
            return try await record(
                WebhookDelivery(deliveryID: delivery, forge: "gitea", event: event, job: job, installation: nil,
                                audit: AuditEntry(actor: "gitea", action: "webhook.pull_request.\(action)", target: "\(repository.fullName)#\(number)",
                                                  organisation: repository.organisation, metadata: metadata)),
                closing: closing, logger: logger)
        case .comment(let e):
            guard e.repository.hasValidFullName else { throw WebhookRefusal.badRequest("invalid repository name") }
            // Only new comments command; an edit does not run a command again.
            let job = e.action == "created"
                ? Self.commandJob(forge: "gitea", installationID: 0, repositoryID: e.repository.id, organisation: e.repository.organisation,
                                  repository: e.repository.fullName, number: e.issue.number, delivery: delivery, body: e.comment?.body,
                                  author: e.sender?.login, authorID: e.sender?.id, commentID: e.comment?.id)
                : nil
            var metadata = ["delivery": delivery, "event": event, "forge": "gitea", "repository": e.repository.fullName, "pr": "\(e.issue.number)"]
            if let command = job?.command { metadata["command"] = command.kind.rawValue }
            return try await record(
                WebhookDelivery(deliveryID: delivery, forge: "gitea", event: event, job: job, installation: nil,
                                audit: AuditEntry(actor: "gitea", action: "webhook.issue_comment", target: "\(e.repository.fullName)#\(e.issue.number)",
                                                  organisation: e.repository.organisation, metadata: metadata)),
                closing: nil, logger: logger)
        case .ignored(let name):
            metrics.webhooksIgnored.increment()
            logger.info("webhook ignored")
            return Self.json(.accepted, ["status": "ignored", "event": name])
        }
    }
}

import CorgiForges
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Prometheus

/// `POST /webhooks/gitlab`: merge request and comment events from a GitLab project or group hook.
///
/// Authenticated before a byte is parsed: the hook's secret token (`X-Gitlab-Token`, compared in
/// constant time) and, when a signing token is configured, its Standard Webhooks signature with a
/// timestamp within five minutes; every mechanism configured must pass. The route answers 404
/// while GitLab is not configured (no `gitlab.api_url`, or neither webhook secret). Deliveries are deduplicated by GitLab's `Idempotency-Key` (the same on every retry).
extension WebhookGateway {
    static let gitlabEventHeader = HTTPField.Name("X-Gitlab-Event")!
    static let gitlabTokenHeader = HTTPField.Name("X-Gitlab-Token")!
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!
    static let gitlabEventUUIDHeader = HTTPField.Name("X-Gitlab-Event-UUID")!
    static let webhookIDHeader = HTTPField.Name("webhook-id")!
    static let webhookTimestampHeader = HTTPField.Name("webhook-timestamp")!
    static let webhookSignatureHeader = HTTPField.Name("webhook-signature")!

    func gitlab(_ incoming: Request, logger: Logger) async throws -> Response {
        try await receive(incoming, forge: "gitlab", logger: logger,
                          credentials: { gitlabEnabled ? try await secrets.gitlabWebhookCredentials() : nil }) {
            headers, bytes, credentials, log throws(WebhookRefusal) in
            if !credentials.tokens.isEmpty, !WebhookSignature.verifyToken(headers[Self.gitlabTokenHeader], secrets: credentials.tokens) {
                throw unauthenticated("bad or missing X-Gitlab-Token", error: "invalid token", bytes: bytes.count, logger: log)
            }
            if !credentials.signingKeys.isEmpty,
               case .refused(let failure) = StandardWebhooks.verify(
                   id: headers[Self.webhookIDHeader], timestamp: headers[Self.webhookTimestampHeader],
                   signatures: headers[Self.webhookSignatureHeader], body: bytes, keys: credentials.signingKeys) {
                throw unauthenticated("bad signature", error: "invalid signature", bytes: bytes.count, logger: log,
                                      metadata: ["reason": "\(failure)"])
            }
        } handle: { headers, bytes, log in
            // From GitLab from here on.
            let deliveryHeader = headers[Self.idempotencyKeyHeader] ?? headers[Self.webhookIDHeader] ?? headers[Self.gitlabEventUUIDHeader]
            guard let event = headers[Self.gitlabEventHeader], Self.isEventName(event),
                  let delivery = deliveryHeader, Self.isToken(delivery, maximum: 128)
            else { throw WebhookRefusal.badRequest("missing or invalid X-Gitlab-Event / Idempotency-Key") }
            var log = log
            log[metadataKey: "delivery"] = "\(delivery)"
            log[metadataKey: "event"] = "\(event)"
            return try await decodeAndAccept({ try GitLabEvent.decode(event: event, body: Data(bytes)) }, logger: log) {
                try await acceptGitLab($0, event: event, delivery: delivery, logger: log)
            }
        }
    }

    /// GitLab's event names are words and spaces ("Merge Request Hook").
    static func isEventName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0 == " ") }
    }

    func acceptGitLab(_ decoded: GitLabEvent, event: String, delivery: String, logger: Logger) async throws -> Response {
        switch decoded {
        case .mergeRequest(let e):
            let project = e.project, iid = e.objectAttributes.iid
            let action = e.objectAttributes.action.map { Self.isToken($0, maximum: 32) ? $0 : "other" } ?? "none"
            var metadata = ["delivery": delivery, "event": event, "forge": "gitlab", "repository": project.pathWithNamespace, "pr": "\(iid)"]
            var job: ScanJob?
            var closing: PullRequestKey?
            if e.triggersScan {
                guard let head = e.objectAttributes.lastCommit?.id, Self.isToken(head, maximum: 64) else {
                    throw WebhookRefusal.badRequest("merge request event without a last commit")
                }
                metadata["sha"] = head
                job = ScanJob(forge: "gitlab", installationID: 0, repositoryID: project.id, organisation: project.organisation,
                              repository: project.pathWithNamespace, number: iid, headSHA: head, baseSHA: nil, deliveryID: delivery,
                              trigger: "merge_request.\(action)")
            } else if e.closes {
                closing = PullRequestKey(forge: "gitlab", installationID: 0, repositoryID: project.id, number: iid)
            }
            return try await record(
                WebhookDelivery(deliveryID: delivery, forge: "gitlab", event: "merge_request", job: job, installation: nil,
                                audit: AuditEntry(actor: "gitlab", action: "webhook.merge_request.\(action)",
                                                  target: "\(project.pathWithNamespace)!\(iid)", organisation: project.organisation,
                                                  metadata: metadata)),
                closing: closing, logger: logger)
        case .note(let e):
            let iid = e.mergeRequest?.iid ?? 0
            let job = Self.commandJob(forge: "gitlab", installationID: 0, repositoryID: e.project.id, organisation: e.project.organisation,
                                      repository: e.project.pathWithNamespace, number: iid, delivery: delivery, body: e.objectAttributes.note,
                                      author: e.user?.username, authorID: e.user?.id, commentID: e.objectAttributes.id)
            var metadata = ["delivery": delivery, "event": event, "forge": "gitlab", "repository": e.project.pathWithNamespace, "pr": "\(iid)"]
            if let command = job?.command { metadata["command"] = command.kind.rawValue }
            return try await record(
                WebhookDelivery(deliveryID: delivery, forge: "gitlab", event: "note", job: iid > 0 ? job : nil, installation: nil,
                                audit: AuditEntry(actor: "gitlab", action: "webhook.note", target: "\(e.project.pathWithNamespace)!\(iid)",
                                                  organisation: e.project.organisation, metadata: metadata)),
                closing: nil, logger: logger)
        case .ignored(let name):
            metrics.webhooksIgnored.increment()
            logger.info("webhook ignored")
            return Self.json(.accepted, ["status": "ignored", "event": name])
        }
    }
}

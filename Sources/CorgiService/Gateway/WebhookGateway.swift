public import CorgiAccess
import CorgiForges
public import CorgiReview
import Foundation
public import Hummingbird
import HTTPTypes
import Prometheus
public import Logging
import NIOCore

/// The HTTP side: `POST /webhooks/github`, health, readiness and metrics.
///
/// Order matters for a webhook: cap the body, verify the signature over the raw bytes (401
/// before any byte is parsed), then dedupe, decode, audit and enqueue in one transaction, and
/// answer 202 — the review itself happens in a worker.
public struct WebhookGateway: Sendable {
    let intake: any WebhookIntake
    /// Where a closed pull request is marked closed: its organisation's region.
    let reviews: Regional<any ReviewStore>
    let secrets: SecretStore
    let metrics: ServiceMetrics
    let logger: Logger
    let maximumBodyBytes: Int
    /// Bytes of bodies not yet verified, shared by every connection (see `readUnverifiedBody`).
    let unverifiedBodyBudget: UnverifiedBodyBudget
    /// Live workers, where they run in other processes (distributed mode).
    let liveWorkers: (@Sendable () async -> Int)?
    /// `github.app_id` is set: `/webhooks/github` answers; otherwise 404 like any forge that is off.
    let githubEnabled: Bool
    /// `gitlab.api_url` is set: `/webhooks/gitlab` answers once GitLab's secrets are there too.
    let gitlabEnabled: Bool
    /// `gitea.api_url` is set: `/webhooks/gitea` answers once the Gitea secrets are there too.
    let giteaEnabled: Bool

    public init(intake: any WebhookIntake, reviews: Regional<any ReviewStore>, secrets: SecretStore, metrics: ServiceMetrics, logger: Logger,
                maximumBodyBytes: Int, unverifiedBodyBytes: Int = 32 << 20, liveWorkers: (@Sendable () async -> Int)? = nil,
                githubEnabled: Bool = true, gitlabEnabled: Bool = false, giteaEnabled: Bool = false) {
        self.githubEnabled = githubEnabled
        self.gitlabEnabled = gitlabEnabled
        self.giteaEnabled = giteaEnabled
        self.unverifiedBodyBudget = UnverifiedBodyBudget(largeBytes: unverifiedBodyBytes)
        self.liveWorkers = liveWorkers
        self.intake = intake
        self.reviews = reviews
        self.secrets = secrets
        self.metrics = metrics
        self.logger = logger
        self.maximumBodyBytes = maximumBodyBytes
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: WebhookMetricsMiddleware(metrics: metrics))
        router.post("/webhooks/github") { request, context in try await self.github(request, logger: context.logger) }
        router.post("/webhooks/gitlab") { request, context in try await self.gitlab(request, logger: context.logger) }
        router.post("/webhooks/gitea") { request, context in try await self.gitea(request, logger: context.logger) }
        router.get("/healthz") { _, _ in Self.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in await self.readiness() }
        router.get("/metrics") { _, _ in
            _ = await self.queueState()  // refreshes the queue and worker gauges
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: self.metrics.text())))
        }
        router.get("/ping") { _, _ in Self.json(.ok, ["status": "pong"]) }
        return router
    }

    func readiness() async -> Response {
        guard let state = await queueState() else { return Self.json(.serviceUnavailable, ["status": "queue unavailable"]) }
        var fields = ["status": "ready"]
        for (key, value) in state { fields[key] = "\(value)" }
        return Self.json(.ok, fields)
    }

    /// Queue depth (and live workers when they run elsewhere), also kept in the gauges.
    func queueState() async -> [String: Int]? {
        guard var counts = try? await intake.queueCounts() else { return nil }
        for key in ["queued", "running", "failed"] where counts[key] == nil { counts[key] = 0 }
        metrics.queueDepth.set(Int64(counts["queued"] ?? 0))
        metrics.queueInFlight.set(Int64(counts["running"] ?? 0))
        if let liveWorkers {
            let alive = await liveWorkers()
            counts["workers"] = alive
            metrics.workersAlive.set(Int64(alive))
        }
        return counts
    }

    /// The body of a webhook not yet verified: within `maximumBodyBytes` and the budget for
    /// unverified bodies (released once the request is answered).
    func readBody(_ request: inout Request, logger log: Logger) async throws(WebhookRefusal) -> (ByteBuffer, UnverifiedReservation) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
            log.warning("webhook refused: body too large", metadata: ["bytes": "\(length)"])
            throw .tooLarge(maximumBodyBytes)
        }
        switch await readUnverifiedBody(&request) {
        case .read(let read, let reserved):
            return (read, reserved)
        case .tooLarge:
            log.warning("webhook refused: body too large or unreadable")
            throw .tooLarge(maximumBodyBytes)
        case .overBudget:
            log.warning("webhook refused: unverified body budget exhausted")
            throw .overBudget
        }
    }

    /// What every webhook route does, in this order: fetch the forge's credentials (none: the
    /// forge is off, 404); read the body within the limits; let `verify` refuse it (throwing)
    /// before a byte is parsed; then `handle` the verified body. Refusals are thrown as
    /// `WebhookRefusal`; latency and refusals are counted by `WebhookMetricsMiddleware`.
    func receive<Credentials>(
        _ incoming: Request, forge: String, logger parent: Logger, credentials: () async throws -> Credentials?,
        verify: (HTTPFields, ByteBufferView, Credentials, Logger) throws(WebhookRefusal) -> Void,
        handle: (HTTPFields, ByteBufferView, Logger) async throws -> Response
    ) async throws -> Response {
        var request = incoming
        var log = parent
        log[metadataKey: "forge"] = "\(forge)"
        let known: Credentials?
        do { known = try await credentials() } catch {
            log.error("webhook secrets unavailable")
            throw WebhookRefusal.secretsUnavailable
        }
        guard let known else { throw WebhookRefusal.notFound }
        var (body, reservation) = try await readBody(&request, logger: log)
        // Held until this request is answered, verified or not.
        defer { reservation.release() }
        let bytes = body.readableBytesView
        try verify(request.headers, bytes, known, log)
        return try await handle(request.headers, bytes, log)
    }

    /// A refused delivery: logged by reason (never by content), answered 401.
    func unauthenticated(_ reason: String, error: String, bytes: Int, logger: Logger, metadata: Logger.Metadata = [:]) -> WebhookRefusal {
        logger.warning("webhook refused: \(reason)", metadata: metadata.merging(["bytes": "\(bytes)"]) { a, _ in a })
        return .unauthorized(error)
    }

    /// Decodes a verified payload and records it: a malformed payload is a 400, a storage failure
    /// a 503 (the forge retries).
    func decodeAndAccept<Event>(_ decode: () throws -> Event, logger log: Logger,
                                accept: (Event) async throws -> Response) async throws -> Response {
        let decoded: Event
        do { decoded = try decode() } catch {
            log.warning("webhook refused: malformed payload", metadata: ["reason": "\(error)"])
            throw WebhookRefusal.badRequest("\(error)")
        }
        do {
            return try await accept(decoded)
        } catch let refusal as WebhookRefusal {
            throw refusal
        } catch {
            log.error("webhook not recorded: storage error", metadata: ["error": "\(error)"])
            throw WebhookRefusal.notRecorded
        }
    }

    func github(_ incoming: Request, logger: Logger) async throws -> Response {
        try await receive(incoming, forge: "github", logger: logger, credentials: { githubEnabled ? try await secrets.webhookSecrets() : nil }) {
            headers, bytes, secretList, log throws(WebhookRefusal) in
            guard WebhookSignature.verifyHMACSHA256(body: bytes, signature: headers[Self.signatureHeader], secrets: secretList) else {
                throw unauthenticated("bad or missing signature", error: "invalid signature", bytes: bytes.count, logger: log)
            }
        } handle: { headers, bytes, log in
            // Signed by the forge from here on.
            guard let event = headers[Self.eventHeader], Self.isToken(event, maximum: 64),
                  let delivery = headers[Self.deliveryHeader], Self.isToken(delivery, maximum: 128)
            else { throw WebhookRefusal.badRequest("missing or invalid X-GitHub-Event / X-GitHub-Delivery") }
            var log = log
            log[metadataKey: "delivery"] = "\(delivery)"
            log[metadataKey: "event"] = "\(event)"
            return try await decodeAndAccept({ try GitHubEvent.decode(event: event, body: Data(bytes)) }, logger: log) {
                try await accept($0, event: event, delivery: delivery, logger: log)
            }
        }
    }

    func accept(_ decoded: GitHubEvent, event: String, delivery: String, logger: Logger) async throws -> Response {
        var job: ScanJob?
        var action = "webhook.\(event)"
        var target = "-"
        var organisation: String?
        var metadata = ["delivery": delivery, "event": event, "forge": "github"]
        var closePR: PullRequestKey?
        var installationChange: InstallationChange?

        switch decoded {
        case .pullRequest(let e):
            guard let installation = e.installation else { throw WebhookRefusal.badRequest("not a GitHub App delivery (no installation)") }
            organisation = e.repository.owner?.login ?? String(e.repository.fullName.split(separator: "/").first ?? "")
            target = "\(e.repository.fullName)#\(e.number)"
            action = "webhook.pull_request.\(e.action)"
            metadata["sha"] = e.pullRequest.head.sha
            metadata["repository"] = e.repository.fullName
            metadata["pr"] = "\(e.number)"
            if e.triggersScan {
                job = ScanJob(forge: "github", installationID: installation.id, repositoryID: e.repository.id, organisation: organisation ?? "",
                              repository: e.repository.fullName, number: e.number, headSHA: e.pullRequest.head.sha,
                              baseSHA: e.pullRequest.base.sha, deliveryID: delivery, trigger: "pull_request.\(e.action)")
            } else {
                closePR = PullRequestKey(forge: "github", installationID: installation.id, repositoryID: e.repository.id, number: e.number)
            }
        case .checkRunRerequested(let e):
            guard let installation = e.installation, let pr = e.checkRun.pullRequests.first else {
                metrics.webhooksIgnored.increment()
                return Self.json(.accepted, ["status": "ignored", "reason": "check run without a pull request"])
            }
            organisation = e.repository.owner?.login
            target = "\(e.repository.fullName)#\(pr.number)"
            action = "webhook.check_run.rerequested"
            metadata["sha"] = e.checkRun.headSHA
            metadata["pr"] = "\(pr.number)"
            job = ScanJob(forge: "github", installationID: installation.id, repositoryID: e.repository.id, organisation: organisation ?? "",
                          repository: e.repository.fullName, number: pr.number, headSHA: e.checkRun.headSHA, baseSHA: pr.base.sha,
                          deliveryID: delivery, trigger: "check_run.rerequested", rerequestedCheckRunID: e.checkRun.id)
        case .installation(let e):
            organisation = e.installation.account?.login
            target = "installation \(e.installation.id)"
            action = "installation.\(e.action)"
            metadata["repositories"] = "\(e.repositories?.count ?? 0)"
            let kind: InstallationChange.Kind? = switch e.action {
            case "created", "unsuspend", "new_permissions_accepted": .installed
            case "deleted", "suspend": .uninstalled
            default: nil
            }
            installationChange = kind.map {
                InstallationChange(kind: $0, installationID: e.installation.id, account: e.installation.account?.login,
                                   repositories: e.repositories?.map(\.fullName) ?? [])
            }
        case .installationRepositories(let e):
            organisation = e.installation.account?.login
            target = "installation \(e.installation.id)"
            action = "installation_repositories.\(e.action)"
            metadata["added"] = e.repositoriesAdded.map(\.fullName).joined(separator: ",")
            metadata["removed"] = e.repositoriesRemoved.map(\.fullName).joined(separator: ",")
            installationChange = e.action == "added"
                ? InstallationChange(kind: .repositoriesAdded, installationID: e.installation.id, account: e.installation.account?.login,
                                     repositories: e.repositoriesAdded.map(\.fullName))
                : InstallationChange(kind: .repositoriesRemoved, installationID: e.installation.id, account: e.installation.account?.login,
                                     repositories: e.repositoriesRemoved.map(\.fullName))
        case .issueComment(let e):
            guard let installation = e.installation else { throw WebhookRefusal.badRequest("not a GitHub App delivery (no installation)") }
            organisation = e.repository.owner?.login ?? String(e.repository.fullName.split(separator: "/").first ?? "")
            target = "\(e.repository.fullName)#\(e.issue.number)"
            action = "webhook.issue_comment.created"
            metadata["repository"] = e.repository.fullName
            metadata["pr"] = "\(e.issue.number)"
            job = Self.commandJob(forge: "github", installationID: installation.id, repositoryID: e.repository.id, organisation: organisation ?? "",
                                  repository: e.repository.fullName, number: e.issue.number, delivery: delivery, body: e.comment.body,
                                  author: e.author?.login, authorID: e.author?.id, commentID: e.comment.id)
            if let command = job?.command { metadata["command"] = command.kind.rawValue }
        case .ping(let hook, let app):
            target = "hook \(hook.map(String.init) ?? "-")"
            action = "webhook.ping"
            metadata["app"] = app.map(String.init) ?? "-"
        case .ignored(let name, let act):
            metrics.webhooksIgnored.increment()
            // The action is payload text: logged only when it is a token, like the event name.
            logger.info("webhook ignored", metadata: ["action": "\(act.map { Self.isToken($0, maximum: 64) ? $0 : "(not a token)" } ?? "-")"])
            return Self.json(.accepted, ["status": "ignored", "event": name])
        }

        return try await record(
            WebhookDelivery(deliveryID: delivery, forge: "github", event: event, job: job, installation: installationChange,
                            audit: AuditEntry(actor: "github", action: action, target: target, organisation: organisation, metadata: metadata)),
            closing: closePR, logger: logger)
    }

    /// The job a comment asks for, if it is addressed to Code Corgi (`@corgi …`): a command run
    /// once per comment, against the pull request's head when it runs. The comment's text is read
    /// here and never kept; only the command, its target and reason travel.
    static func commandJob(forge: String, installationID: Int, repositoryID: Int, organisation: String, repository: String, number: Int,
                           delivery: String, body: String?, author: String?, authorID: Int?, commentID: Int?) -> ScanJob? {
        guard let body, let author, !author.isEmpty, author.utf8.count <= 255, let commentID, commentID > 0,
              let command = CommandRequest(comment: body, author: author, authorID: authorID, commentID: commentID)
        else { return nil }
        return ScanJob(forge: forge, installationID: installationID, repositoryID: repositoryID, organisation: organisation,
                       repository: repository, number: number, headSHA: "", baseSHA: nil, deliveryID: delivery,
                       trigger: "comment.\(command.kind.rawValue)", command: command)
    }

    /// Records a verified delivery in the ledger (and queues its job); the same for every forge.
    func record(_ delivery: WebhookDelivery, closing closePR: PullRequestKey?, logger: Logger) async throws -> Response {
        let target = delivery.audit.target, action = delivery.audit.action, metadata = delivery.audit.metadata
        let result = try await intake.accept(delivery)
        switch result {
        case .redelivery:
            metrics.webhooksDuplicate.increment()
            logger.info("webhook redelivered: accepted, not run again")
            return Self.json(.accepted, ["status": "duplicate"])
        case .enqueued:
            metrics.webhooksAccepted.increment()
            logger.info("webhook queued", metadata: ["target": "\(target)", "sha": "\(metadata["sha"] ?? "-")"])
            return Self.json(.accepted, ["status": "queued"])
        case .deferred:
            metrics.webhooksAccepted.increment()
            logger.warning("queue unreachable: job kept in the delivery ledger and queued once it is back",
                           metadata: ["target": "\(target)", "sha": "\(metadata["sha"] ?? "-")"])
            return Self.json(.accepted, ["status": "deferred"])
        case .recorded:
            metrics.webhooksAccepted.increment()
            if let closePR {
                let store = try await reviews.store(for: delivery.organisationRef)
                try await store.markPullRequestClosed(closePR)
            }
            logger.info("webhook recorded", metadata: ["action": "\(action)"])
            return Self.json(.accepted, ["status": "recorded"])
        }
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")!

    static func isToken(_ s: String, maximum: Int) -> Bool {
        !s.isEmpty && s.count <= maximum && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    static func json(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(fields)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

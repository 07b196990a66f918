public import CorgiAccess
import CorgiCore
import CorgiReview
import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import NIOCore

/// The REST API under `/api/v1`: an organisation's repositories, pull requests and findings,
/// and its API keys. Routes come from `APIRoutes.all` and nowhere else; each is answered only
/// for the organisation of the caller's key, and only with the permission the table names.
public struct CorgiAPI: Sendable {
    let store: any AccessStore
    var now: @Sendable () -> Date = { Date() }

    /// Browser sessions, when sign-in is configured (`sso.oidc`); API keys work either way.
    let sessions: SessionAuthority?

    /// Checks the whole audit chain of the organisation's region for `GET
    /// …/audit-events/verification` (with the audit key and the checkpoint where the process
    /// holds them); by default the store's own hash chain.
    let verifyAudit: (@Sendable (OrganisationRef) async throws -> AuditVerification)?

    public init(store: any AccessStore) {
        self.init(store: store, sessions: nil)
    }

    init(store: any AccessStore, sessions: SessionAuthority?, verifyAudit: (@Sendable (OrganisationRef) async throws -> AuditVerification)? = nil) {
        self.store = store
        self.sessions = sessions
        if let verifyAudit {
            self.verifyAudit = verifyAudit
        } else if let log = store as? any AuditLog {
            self.verifyAudit = { _ in try await log.verifyAuditChain() }
        } else {
            self.verifyAudit = nil
        }
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: APINotFoundMiddleware<BasicRequestContext>())
        router.get(RouterPath(APIRoutes.openAPI.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let api = router.group(context: APIRequestContext.self)
            .add(middleware: APIErrorMiddleware<APIRequestContext>())
            .add(middleware: APIKeyAuthenticator(store: store, now: now, sessions: sessions))
        api.on(RouterPath(APIRoutes.me.path), method: APIRoutes.me.method) { _, context in
            let principal = try Self.caller(context)
            return try APIResponse.json(.ok, APIMe(actor: principal.actor, keyId: principal.keyID, organisation: principal.organisation, role: principal.role.rawValue,
                                                   permissions: principal.permissions.map(\.rawValue).sorted()))
        }
        api.on(RouterPath(APIRoutes.mySessions.path), method: APIRoutes.mySessions.method) { _, context in
            let principal = try Self.caller(context)
            // An API key is not a person: it has no browser sessions.
            guard case .user(let subject) = principal.subject else { return try APIResponse.json(.ok, APIList<APISession>(items: [], nextAfter: nil)) }
            let sessions = try await store.sessions(of: subject, in: principal.organisation)
            return try APIResponse.json(.ok, APIList(items: sessions.map { APISession($0, current: $0.id == context.sessionID) }, nextAfter: nil))
        }
        scoped(api, APIRoutes.organisation) { _, _, _, organisation in
            try APIResponse.json(.ok, try await store.organisationSummary(organisation))
        }
        scoped(api, APIRoutes.deleteOrganisation) { _, _, principal, organisation in
            try await deleteOrganisation(principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.requestExport) { _, _, principal, organisation in
            try await requestExport(principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.export) { _, context, _, organisation in
            guard let id = Self.id(context), let export = try await store.export(id: id, of: organisation) else { throw APIProblem.notFound }
            return try APIResponse.json(.ok, export)
        }
        scoped(api, APIRoutes.exportArchive) { _, context, principal, organisation in
            try await exportArchive(id: Self.id(context), principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.statistics) { request, _, _, organisation in
            let weeks = try APIQuery(request).integer("weeks", in: 1...FindingStatistics.maximumWeeks) ?? 12
            let now = self.now()
            let rows = try await store.findingTrends(of: organisation, since: FindingStatistics.periodStart(weeks: weeks, now: now))
            return try APIResponse.json(.ok, FindingStatistics(rows, weeks: weeks, now: now))
        }
        scoped(api, APIRoutes.members) { _, _, _, organisation in
            try APIResponse.json(.ok, APIList(items: try await store.members(of: organisation), nextAfter: nil))
        }
        scoped(api, APIRoutes.repositories) { _, _, _, organisation in
            try APIResponse.json(.ok, APIList(items: try await store.repositories(of: organisation), nextAfter: nil))
        }
        scoped(api, APIRoutes.pullRequests) { request, _, _, organisation in
            let query = try APIQuery(request)
            let page = try query.page()
            let rows = try await store.pullRequests(PullRequestQuery(
                organisation: organisation, repository: try query.text("repository", maximum: 512),
                state: try query.oneOf("state", ["open", "closed"]), page: page))
            return try APIResponse.json(.ok, APIList(items: rows, nextAfter: rows.count == page.limit ? rows.last?.id : nil))
        }
        scoped(api, APIRoutes.findings) { request, _, _, organisation in
            let query = try APIQuery(request)
            let page = try query.page()
            let rows = try await store.findings(try query.findingQuery(organisation, page: page))
            return try APIResponse.json(.ok, APIList(items: rows, nextAfter: rows.count == page.limit ? rows.last?.id : nil))
        }
        scoped(api, APIRoutes.exportFindings) { request, _, _, organisation in
            try await export(request, organisation: organisation)
        }
        scoped(api, APIRoutes.finding) { _, context, _, organisation in
            guard let id = Self.id(context), let finding = try await store.finding(id: id, of: organisation) else { throw APIProblem.notFound }
            return try APIResponse.json(.ok, finding)
        }
        scoped(api, APIRoutes.dismissFinding) { request, context, principal, organisation in
            try await dismiss(request, id: Self.id(context), context: context, principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.dismissalRequests) { request, _, _, organisation in
            let query = try APIQuery(request)
            let page = try query.page()
            let state = try query.oneOf("state", DismissalRequestRecord.State.allCases.map(\.rawValue)).flatMap(DismissalRequestRecord.State.init) ?? .pending
            let rows = try await store.dismissalRequests(of: organisation, state: state, page: page)
            return try APIResponse.json(.ok, APIList(items: rows, nextAfter: rows.count == page.limit ? rows.last?.id : nil))
        }
        scoped(api, APIRoutes.approveDismissal) { _, context, principal, organisation in
            try await decide(.approve, id: Self.id(context), principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.rejectDismissal) { _, context, principal, organisation in
            try await decide(.reject, id: Self.id(context), principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.auditEvents) { request, _, _, organisation in
            try await auditTrail(request, organisation: organisation)
        }
        scoped(api, APIRoutes.auditVerification) { _, _, _, organisation in
            try await verifyAuditTrail(of: organisation)
        }
        scoped(api, APIRoutes.policy) { _, _, _, organisation in
            try APIResponse.json(.ok, try await store.organisationPolicy(of: organisation))
        }
        scoped(api, APIRoutes.setPolicy) { request, context, principal, organisation in
            try await setPolicy(request, context: context, principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.apiKeys) { _, _, _, organisation in
            try APIResponse.json(.ok, APIList(items: try await store.apiKeys(of: organisation).map(APIKeyView.init), nextAfter: nil))
        }
        scoped(api, APIRoutes.createAPIKey) { request, context, principal, organisation in
            try await createKey(request, context: context, principal: principal, organisation: organisation)
        }
        scoped(api, APIRoutes.revokeAPIKey) { _, context, principal, organisation in
            try await revokeKey(Self.id(context), principal: principal, organisation: organisation)
        }
    }

    /// Registers `route` for callers whose key belongs to the organisation in the path and holds
    /// the route's permission. Order of the checks: a path that names no valid organisation, or
    /// another organisation than the key's, is 404 (as if it did not exist); then a missing
    /// permission in one's own organisation is 403.
    func scoped(
        _ api: RouterGroup<APIRequestContext>, _ route: APIRoute,
        _ handler: @escaping @Sendable (Request, APIRequestContext, Principal, OrganisationRef) async throws -> Response
    ) {
        guard case .organisation(let permission) = route.access else { preconditionFailure("\(route) is not organisation-scoped") }
        api.on(RouterPath(route.path), method: route.method) { request, context in
            let principal = try Self.caller(context)
            guard let forge = context.parameters.get("forge"), let login = context.parameters.get("organisation"),
                  let organisation = OrganisationRef(validatingForge: forge, login: login), organisation == principal.organisation
            else { throw APIProblem.notFound }
            guard principal.may(permission) else { throw APIProblem.forbidden(permission.rawValue) }
            return try await handler(request, context, principal, organisation)
        }
    }

    static func caller(_ context: APIRequestContext) throws -> Principal {
        guard let principal = context.principal else { throw APIProblem.unauthenticated("send an API key: Authorization: Bearer corgi_…") }
        return principal
    }

    static func id(_ context: APIRequestContext) -> Int? {
        context.parameters.get("id").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }
}

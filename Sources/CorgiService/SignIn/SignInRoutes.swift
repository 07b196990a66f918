import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import JWTKit
import HTTPTypes
import Logging
import NIOCore

/// Which sign-in a set of routes serves: its name in the paths and the audit trail (`oidc`,
/// `github`), the organisation it signs people into, and how the provider's groups map to roles.
struct SignInMethod: Sendable {
    var name: String
    var organisation: OrganisationRef
    var roles: [String: Role]
    /// The provider returns the browser with a cross-site POST (SAML's HTTP-POST binding): the
    /// flow cookie must be `SameSite=None` (over https) to come along.
    var crossSitePost = false

    static func oidc(_ settings: ServiceSettings.OIDC) -> SignInMethod {
        SignInMethod(name: "oidc", organisation: settings.organisation, roles: settings.roles)
    }

    static func github(_ settings: ServiceSettings.GitHubSignIn) -> SignInMethod {
        SignInMethod(name: "github", organisation: settings.organisation, roles: settings.roles)
    }

    static func saml(_ settings: ServiceSettings.SAML) -> SignInMethod {
        SignInMethod(name: "saml", organisation: settings.organisation, roles: settings.roles, crossSitePost: true)
    }
}

/// Browser sign-in through the organisation's identity provider (`NAME` is the method's: `oidc`
/// for OpenID Connect, `github` for GitHub's user authorization, `saml` for SAML 2.0):
///
/// - `GET /auth/NAME/login`: a fresh state, nonce and PKCE verifier in a signed, HttpOnly cookie
///   that lives 10 minutes; redirect to the provider.
/// - `GET /auth/NAME/callback`: the cookie must verify and carry the returned state (once: a
///   replay is refused); the code is redeemed with the verifier, the identity verified
///   (`OIDCClient`: the ID token; `GitHubOAuthClient`: the person's membership and teams read with
///   their own token), the person's groups mapped to a role — the highest mapped one, at every
///   sign-in — and a session cookie set. No mapped group: refused. A sign-in with another role
///   than the person's other sessions ends those (rotation on a privilege change).
/// - `POST /auth/saml/acs` instead of the callback for SAML: the IdP's form carries the response
///   as the code and the state as `RelayState` (`SAMLIdentityProvider` verifies it).
/// - `POST /auth/logout`: ends the session (with its CSRF token): listed as revoked, so the
///   cookie stops working everywhere, not only in this browser, and clears the cookies.
///
/// Every success and every refusal is audited (`sign_in.succeeded`, `sign_in.refused` with the
/// reason, never a token); refusals answer 401 problem+json naming the reason.
struct SignInRoutes: Sendable {
    let provider: any IdentityProvider
    let sessions: SessionAuthority
    let method: SignInMethod
    /// The audit log, and where sign-outs are recorded.
    let store: any AccessStore
    let consumed = ConsumedStates()

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath("/auth/\(method.name)/login")) { _, context in try await login(context) }
        if method.crossSitePost {
            router.post(RouterPath("/auth/\(method.name)/acs")) { request, context in try await assertionConsumer(request, context) }
        } else {
            router.get(RouterPath("/auth/\(method.name)/callback")) { request, context in try await callback(request, context) }
        }
    }

    /// Sign-out, and ending another of one's sessions, whatever the method (every session is the
    /// same kind of cookie).
    func registerSessionRoutes(on router: Router<BasicRequestContext>) {
        router.post("/auth/logout") { request, context in try await logout(request, context) }
        router.post("/auth/sessions/:id/end") { request, context in try await end(request, context) }
    }

    func login(_ context: BasicRequestContext) async throws -> Response {
        let state = SessionAuthority.random(), nonce = SessionAuthority.random(), verifier = SessionAuthority.random()
        let url: String
        do {
            url = try await provider.authorizationURL(state: state, nonce: nonce, codeChallenge: SessionAuthority.challenge(verifier))
        } catch let error as SignInError {
            context.logger.error("sign-in unavailable: \(error.reason)")
            throw APIProblem(status: .serviceUnavailable, title: "Service Unavailable", detail: "sign-in is unavailable: \(error.reason)")
        }
        let cookie = try await sessions.flow(state: state, nonce: nonce, verifier: verifier)
        return Response(status: .found, headers: [
            .location: url, .cacheControl: "no-store",
            .setCookie: sessions.setCookie(sessions.flowCookie, cookie, maxAge: Int(SessionAuthority.flowLifetime),
                                           sameSite: method.crossSitePost && sessions.secureCookies ? "None" : "Lax"),
        ])
    }

    func callback(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        return try await complete(request, context) {
            if let error = parameters.get("error") {
                throw SignInError("the identity provider refused: \(Self.printable(error))")
            }
            guard let code = parameters.get("code"), let state = parameters.get("state"), code.utf8.count <= 4096, state.utf8.count <= 512 else {
                throw SignInError("the callback carries no code and state")
            }
            return (String(code), String(state))
        }
    }

    /// The largest SAML response form accepted (the response itself is limited to 1 MiB).
    static let maximumAssertionForm = 2 << 20

    /// `POST /auth/saml/acs`: the IdP's form with `SAMLResponse` (base64) and `RelayState`.
    func assertionConsumer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try? await request.body.collect(upTo: Self.maximumAssertionForm)
        return try await complete(request, context) {
            guard let body else { throw SignInError("the SAML response form is larger than \(Self.maximumAssertionForm >> 20) MiB") }
            var fields: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let name = String(parts[0]).removingPercentEncoding,
                      let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
                else { continue }
                fields[name] = value
            }
            guard let response = fields["SAMLResponse"], let relayState = fields["RelayState"], relayState.utf8.count <= 512 else {
                throw SignInError("the form carries no SAMLResponse and RelayState")
            }
            return (response, relayState)
        }
    }

    /// The end of every sign-in: `read` gives the provider's code (or response) and the state it
    /// echoed; the state must be this browser's flow's, once; the provider's answer is redeemed
    /// and verified; the identity gets its session.
    func complete(_ request: Request, _ context: BasicRequestContext, read: () async throws -> (code: String, state: String)) async throws -> Response {
        do {
            let (code, state) = try await read()
            guard let cookie = SessionAuthority.cookie(sessions.flowCookie, in: request.headers[.cookie]),
                  let flow = await sessions.verifyFlow(cookie)
            else { throw SignInError("no sign-in in progress in this browser (or it expired): start again") }
            guard OIDCClient.equal(flow.state, state) else { throw SignInError("the state does not match this browser's sign-in") }
            guard await consumed.consume(flow.state, until: flow.exp.value) else { throw SignInError("this sign-in was already completed") }
            let identity = try await provider.redeem(code: code, codeVerifier: flow.verifier, nonce: flow.nonce)
            return try await grant(identity, context: context)
        } catch let error as SignInError {
            if !error.reason.hasPrefix("none of your groups") { try? await refuse(error.reason, subject: nil, context: context) }
            var problem = APIProblem(status: .unauthorized, title: "Sign-in refused", detail: error.reason)
            problem.headers = [.setCookie: sessions.clearCookie(sessions.flowCookie)]
            throw problem
        }
    }

    /// Maps a verified identity's groups to its role — the highest mapped one, at every sign-in;
    /// none mapped: refused — and starts its session: recorded and audited, cookies set, the
    /// sign-in flow's cookie cleared.
    func grant(_ identity: VerifiedIdentity, context: BasicRequestContext) async throws -> Response {
        // The most privileged mapped role (Role.allCases runs from owner down).
        let mapped = Set(identity.groups.compactMap { method.roles[$0] })
        guard let role = Role.allCases.first(where: mapped.contains) else {
            try await refuse("none of the person's groups is mapped to a role", subject: identity.subject, context: context)
            throw SignInError("none of your groups at the identity provider gives a role in \(method.organisation)")
        }
        let (token, csrf, sid, issued, expires) = try await sessions.session(subject: identity.subject, organisation: method.organisation, role: role)
        let principal = Principal(subject: .user(identity.subject), organisation: method.organisation, role: role, scopes: nil)
        try await store.recordSignIn(
            SignedInSession(id: sid, organisation: method.organisation, subject: identity.subject, role: role, method: method.name,
                            createdAt: issued, expiresAt: expires),
            audit: AuditEntry(actor: principal.actor, action: "sign_in.succeeded", target: "session", organisation: method.organisation.login,
                              metadata: ["forge": method.organisation.forge, "role": role.rawValue, "provider": method.name]))
        // Rotation on a privilege change: the person's other sessions that carry another role
        // (the provider moved them to another group) end now, so the old role does not linger
        // in another browser until it expires. Sessions with the same role stay (other devices).
        for other in try await store.sessions(of: identity.subject, in: method.organisation) where other.id != sid && other.role != role {
            try await store.revokeSession(id: other.id, of: method.organisation, expiresAt: other.expiresAt, audit: AuditEntry(
                actor: principal.actor, action: "session.ended", target: "session", organisation: method.organisation.login,
                metadata: ["forge": method.organisation.forge, "reason": "role changed", "role": other.role.rawValue]))
        }
        context.logger.notice("signed in", metadata: ["role": "\(role.rawValue)"])
        var headers: HTTPFields = [.location: "/", .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: sessions.setCookie(sessions.sessionCookie, token, maxAge: Int(sessions.sessionLifetime))))
        headers.append(HTTPField(name: .setCookie, value: sessions.setCookie(sessions.csrfCookie, csrf, maxAge: Int(sessions.sessionLifetime),
                                                                                httpOnly: false)))
        headers.append(HTTPField(name: .setCookie, value: sessions.clearCookie(sessions.flowCookie)))
        return Response(status: .seeOther, headers: headers)
    }

    /// The request's live session and its person, for a request that changes something: the
    /// session must verify and not be ended, and carry its CSRF token in `X-CSRF-Token`.
    func currentSession(_ request: Request) async throws -> (SessionAuthority.SessionClaims, Principal) {
        guard let token = SessionAuthority.cookie(sessions.sessionCookie, in: request.headers[.cookie]),
              let session = await sessions.verifySession(token), let principal = session.principal,
              !(try await store.isSessionRevoked(id: session.sid, of: principal.organisation))
        else { throw APIProblem.unauthenticated("not signed in") }
        guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], OIDCClient.equal(sent, session.csrf) else {
            throw APIProblem(status: .forbidden, title: "Forbidden", detail: "send the session's CSRF token in X-CSRF-Token")
        }
        return (session, principal)
    }

    func logout(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (session, principal) = try await currentSession(request)
        // The cookie is a signed token: ending it before its expiry means listing it as revoked.
        try await store.revokeSession(id: session.sid, of: principal.organisation, expiresAt: session.exp.value, audit: AuditEntry(
            actor: principal.actor, action: "sign_out", target: "session", organisation: principal.organisation.login,
            metadata: ["forge": principal.organisation.forge]))
        var headers: HTTPFields = [.cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: sessions.clearCookie(sessions.sessionCookie)))
        headers.append(HTTPField(name: .setCookie, value: sessions.clearCookie(sessions.csrfCookie)))
        return Response(status: .noContent, headers: headers)
    }

    /// `POST /auth/sessions/{id}/end`: ends one of the person's own sessions (a browser they left
    /// signed in), with the current session's CSRF token; another person's session, or one that
    /// ended or expired, is 404. Listed as revoked, as sign-out does, and audited.
    func end(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (session, principal) = try await currentSession(request)
        let id = context.parameters.get("id") ?? ""
        guard let ended = try await store.sessions(of: session.sub.value, in: principal.organisation).first(where: { OIDCClient.equal($0.id, id) })
        else { throw APIProblem.notFound }
        try await store.revokeSession(id: ended.id, of: principal.organisation, expiresAt: ended.expiresAt, audit: AuditEntry(
            actor: principal.actor, action: "session.ended", target: "session", organisation: principal.organisation.login,
            metadata: ["forge": principal.organisation.forge, "current": ended.id == session.sid ? "yes" : "no"]))
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    func refuse(_ reason: String, subject: String?, context: BasicRequestContext) async throws {
        context.logger.warning("sign-in refused: \(reason)")
        try await store.audit(AuditEntry(actor: subject.map { Principal.actor(.user($0), in: method.organisation) } ?? method.name,
                                         action: "sign_in.refused", target: "session", organisation: method.organisation.login,
                                         metadata: ["forge": method.organisation.forge, "reason": reason, "provider": method.name]),
                              of: method.organisation)
    }

    /// An error code from the provider, echoed: printable ASCII, at most 64 characters.
    static func printable(_ text: some StringProtocol) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(64)))
    }
}

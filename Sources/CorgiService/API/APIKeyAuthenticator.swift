import CorgiAccess
import Foundation
import Hummingbird
import JWTKit
import HTTPTypes
import Logging

/// Authenticates every `/api/v1` route but the public ones: `Authorization: Bearer corgi_…`.
///
/// The key's format and checksum are checked first (a typo or a stray token costs no lookup),
/// then its SHA-256 is looked up; revoked, expired and unknown keys get the same 401, so the
/// answer never tells which keys exist. Uses are recorded (`last_used_at`, to the minute) and
/// audited once an hour per key (`AccessStore.recordAPIKeyUse`). Keys are never logged; the key id is.
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = APIRequestContext
    let store: any AccessStore
    /// How often a key's use goes into the audit log.
    var useAuditInterval: TimeInterval = 3600
    /// How stale `last_used_at` may get before a use is written.
    static let useRecordInterval: TimeInterval = 60
    var now: @Sendable () -> Date = { Date() }

    /// Browser sessions from `/auth/oidc/callback`, when sign-in is configured.
    var sessions: SessionAuthority?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            if let sessions, let token = SessionAuthority.cookie(sessions.sessionCookie, in: request.headers[.cookie]) {
                return try await session(token, sessions: sessions, request, context: context, next: next)
            }
            throw APIProblem.unauthenticated("send an API key: Authorization: Bearer corgi_…")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let secret = APIKeySecret(presented: parts[1]) else {
            throw APIProblem.unauthenticated("the API key is not valid")
        }
        let key: APIKeyRecord?
        do { key = try await store.apiKey(hash: secret.hash) } catch {
            context.logger.error("api key lookup failed", metadata: ["error.type": "\(type(of: error))"])
            throw APIProblem.unavailable
        }
        let at = now()
        guard let key, key.isUsable(at: at) else {
            // Nothing of the presented key is logged: not even its prefix.
            context.logger.notice("api key refused: unknown, revoked or expired")
            throw APIProblem.unauthenticated("the API key is not valid")
        }
        // A write per request would serialise every call of a busy key on the store: `last_used_at`
        // is kept to the minute, and the audited use (hourly) is decided by the store.
        if key.lastUsedAt.map({ at.timeIntervalSince($0) >= Self.useRecordInterval }) ?? true {
            do { try await store.recordAPIKeyUse(id: key.id, of: key.organisation, now: at, auditInterval: useAuditInterval) } catch {
                context.logger.error("api key use not recorded", metadata: ["error.type": "\(type(of: error))"])
                throw APIProblem.unavailable
            }
        }
        var context = context
        context.principal = Principal(key: key)
        context.logger[metadataKey: "api.key_id"] = "\(key.id)"
        return try await next(request, context)
    }

    /// A person's session: valid and unexpired, and for a request that changes something, the
    /// session's CSRF token in `X-CSRF-Token` (a cross-site form can send the cookie, never the
    /// header).
    func session(_ token: String, sessions: SessionAuthority, _ request: Request, context: Context,
                 next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let claims = await sessions.verifySession(token), let principal = claims.principal else { throw APIProblem.unauthenticated("the session is not valid (or it expired): sign in again") }
        let revoked: Bool
        do { revoked = try await store.isSessionRevoked(id: claims.sid, of: principal.organisation) } catch {
            context.logger.error("session check failed", metadata: ["error.type": "\(type(of: error))"])
            throw APIProblem.unavailable
        }
        guard !revoked else { throw APIProblem.unauthenticated("the session is not valid (or it expired): sign in again") }
        if ![.get, .head, .options].contains(request.method) {
            guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], OIDCClient.equal(sent, claims.csrf) else {
                throw APIProblem(status: .forbidden, title: "Forbidden", detail: "send the session's CSRF token in X-CSRF-Token")
            }
        }
        var context = context
        context.principal = principal
        context.sessionID = claims.sid
        return try await next(request, context)
    }
}

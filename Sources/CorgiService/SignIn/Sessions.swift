import CorgiAccess
import Crypto
import Foundation
import JWTKit

/// Signs and verifies the two cookies of browser sign-in with the `session-signing-key`
/// (HS256): the short-lived sign-in flow (state, nonce, PKCE verifier) and the session itself.
/// Each carries its `use`, so one can never be presented as the other.
///
/// A session is a person of one organisation with the role their groups gave at sign-in, and a
/// CSRF token that unsafe requests must echo in `X-CSRF-Token` (the token is also in a cookie
/// that scripts of the page may read; other sites can read neither).
struct SessionAuthority: Sendable {
    struct FlowClaims: JWTPayload {
        var use: String
        var state: String
        var nonce: String
        var verifier: String
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard use == "sign-in" else { throw SignInError("not a sign-in cookie") }
        }
    }

    struct SessionClaims: JWTPayload {
        var use: String
        var sub: SubjectClaim
        var forge: String
        var organisation: String
        var role: String
        var csrf: String
        var sid: String
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard use == "session" else { throw SignInError("not a session cookie") }
        }

        /// The person this session signs in; nil when a claim is not one this build issues.
        var principal: Principal? {
            guard let role = Role(rawValue: role), let organisation = OrganisationRef(validatingForge: forge, login: organisation) else { return nil }
            return Principal(subject: .user(sub.value), organisation: organisation, role: role, scopes: nil)
        }
    }

    let keys: JWTKeyCollection
    let secureCookies: Bool
    let sessionLifetime: TimeInterval
    static let flowLifetime: TimeInterval = 600

    init(signingKey: [UInt8], secureCookies: Bool, sessionMinutes: Int) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: signingKey)), digestAlgorithm: .sha256)
        self.keys = keys
        self.secureCookies = secureCookies
        self.sessionLifetime = TimeInterval(sessionMinutes) * 60
    }

    // MARK: Cookie names: `__Host-` (Secure, Path=/, no Domain: no subdomain can set or read them) over https.

    var flowCookie: String { (secureCookies ? "__Host-" : "") + "corgi_signin" }
    var sessionCookie: String { (secureCookies ? "__Host-" : "") + "corgi_session" }
    var csrfCookie: String { (secureCookies ? "__Host-" : "") + "corgi_csrf" }

    func setCookie(_ name: String, _ value: String, maxAge: Int, httpOnly: Bool = true, sameSite: String = "Lax") -> String {
        var cookie = "\(name)=\(value); Path=/; Max-Age=\(maxAge); SameSite=\(sameSite)"
        if httpOnly { cookie += "; HttpOnly" }
        if secureCookies { cookie += "; Secure" }
        return cookie
    }

    func clearCookie(_ name: String) -> String { setCookie(name, "", maxAge: 0) }

    // MARK: Tokens

    func flow(state: String, nonce: String, verifier: String) async throws -> String {
        try await keys.sign(FlowClaims(use: "sign-in", state: state, nonce: nonce, verifier: verifier,
                                       exp: ExpirationClaim(value: Date().addingTimeInterval(Self.flowLifetime))))
    }

    func verifyFlow(_ token: String) async -> FlowClaims? {
        try? await keys.verify(token, as: FlowClaims.self)
    }

    /// A new session; returns the cookie value, its CSRF token and its id (`sid`) with its times.
    func session(subject: String, organisation: OrganisationRef, role: Role) async throws
        -> (token: String, csrf: String, sid: String, issued: Date, expires: Date)
    {
        let csrf = Self.random(), sid = Self.random()
        let now = Date(), expires = now.addingTimeInterval(sessionLifetime)
        let token = try await keys.sign(SessionClaims(
            use: "session", sub: SubjectClaim(value: subject), forge: organisation.forge, organisation: organisation.login, role: role.rawValue,
            csrf: csrf, sid: sid, iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: expires)))
        return (token, csrf, sid, now, expires)
    }

    func verifySession(_ token: String) async -> SessionClaims? {
        try? await keys.verify(token, as: SessionClaims.self)
    }

    // MARK: Helpers

    /// 32 random bytes, base64url without padding.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
    static func challenge(_ verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// The value of cookie `name` in a `Cookie` header.
    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name { return parts[1] }
        }
        return nil
    }
}

/// States of completed sign-ins, kept for the flow cookie's lifetime: a callback replayed with
/// the same cookie and code is refused here even before the provider refuses the used code.
/// Bounded: entries past their expiry are dropped, and at most `capacity` are kept.
actor ConsumedStates {
    private var expiries: [String: Date] = [:]
    let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// False when `state` was consumed before.
    func consume(_ state: String, until expiry: Date) -> Bool {
        let now = Date()
        if expiries.count >= capacity { expiries = expiries.filter { $0.value > now } }
        if let seen = expiries[state], seen > now { return false }
        guard expiries.count < capacity else { return false }
        expiries[state] = expiry
        return true
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a completed sign-in learned about a person from the identity provider, after every
/// check: the token's signature, issuer, audience, expiry and nonce.
struct VerifiedIdentity: Sendable, Hashable {
    /// The provider's `sub`: printable ASCII, at most 255 characters (OIDC Core §2).
    var subject: String
    var email: String?
    var groups: [String]
}

/// An identity provider as the sign-in routes use it: `OIDCClient` (OpenID Connect),
/// `GitHubOAuthClient` (GitHub's user authorization) and `SAMLIdentityProvider` (SAML 2.0).
protocol IdentityProvider: Sendable {
    /// Where to send the browser, carrying the flow's state, nonce and PKCE challenge.
    func authorizationURL(state: String, nonce: String, codeChallenge: String) async throws -> String
    /// Redeems the authorization code (with the PKCE verifier) and verifies the ID token
    /// against `nonce`.
    func redeem(code: String, codeVerifier: String, nonce: String) async throws -> VerifiedIdentity
}

extension IdentityProvider {
    /// One request to the provider, its body bounded; any failure to reach it is a `SignInError`
    /// naming `provider` (never the request, which may carry a secret).
    static func fetch(_ request: HTTPClientRequest, with http: HTTPClient, provider: String) async throws -> (HTTPResponseStatus, Data) {
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (response.status, Data(body.readableBytesView))
        } catch {
            throw SignInError("\(provider) could not be reached")
        }
    }
}

/// Why a sign-in was refused. `reason` goes to the person, the log and the audit row; it never
/// quotes a token.
struct SignInError: Error, Sendable, Equatable, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}

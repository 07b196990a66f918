import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1

/// OpenID Connect (authorization code flow with PKCE) against one provider: discovery from the
/// configured issuer, the token exchange with the client secret, and ID-token verification with
/// the provider's JWKS — signature (only the key the header names; `none` and keys of another
/// type are refused by jwt-kit), issuer (exactly the configured one), audience (the client id,
/// and nothing else), expiry, issue time and nonce.
///
/// The JWKS is cached; a token naming a key id the cache does not hold, or failing to verify,
/// makes it fetch the set again, so a key rotated at the provider is picked up without a restart.
actor OIDCClient: IdentityProvider {
    struct Discovery: Decodable, Sendable {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var jwksUri: String
    }

    /// The claims Code Corgi reads; the groups claim is read by name from the same payload.
    struct IDToken: JWTIdentityToken {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var nonce: String?
        var email: String?
        var audience: AudienceClaim { aud }

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    let settings: ServiceSettings.OIDC
    let clientSecret: @Sendable () async throws -> String
    let http: HTTPClient
    private var discovery: Discovery?
    private var keys: JWTKeyCollection?
    private var keyIDs: Set<String> = []
    /// Clock skew tolerated for `iat`.
    static let skew: TimeInterval = 300

    init(settings: ServiceSettings.OIDC, http: HTTPClient, clientSecret: @escaping @Sendable () async throws -> String) {
        self.settings = settings
        self.http = http
        self.clientSecret = clientSecret
    }

    func authorizationURL(state: String, nonce: String, codeChallenge: String) async throws -> String {
        let endpoints = try await discovered()
        guard var components = URLComponents(string: endpoints.authorizationEndpoint) else {
            throw SignInError("the provider's authorization endpoint is not a URL")
        }
        components.queryItems = (components.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: settings.clientID),
            URLQueryItem(name: "redirect_uri", value: settings.redirectURL),
            URLQueryItem(name: "scope", value: (["openid", "email", "profile"] + settings.extraScopes).joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        // `+` in a query is a space to many servers: encode it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw SignInError("the provider's authorization endpoint is not a URL") }
        return url
    }

    func redeem(code: String, codeVerifier: String, nonce: String) async throws -> VerifiedIdentity {
        let endpoints = try await discovered()
        var request = HTTPClientRequest(url: endpoints.tokenEndpoint)
        request.method = .POST
        let secret = try await clientSecret()
        let credentials = "\(Self.formEncode(settings.clientID)):\(Self.formEncode(secret))"
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURL), ("code_verifier", codeVerifier)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await fetch(request)
        guard status == .ok else { throw SignInError("the provider refused the authorization code (HTTP \(status.code))") }
        struct TokenResponse: Decodable { var idToken: String? }
        guard let token = (try? Self.decoder.decode(TokenResponse.self, from: body))?.idToken else {
            throw SignInError("the provider's token response holds no ID token")
        }
        return try await verify(idToken: token, nonce: nonce)
    }

    /// The checks of an ID token, apart from fetching it (unit-tested with tokens of our own).
    func verify(idToken: String, nonce: String) async throws -> VerifiedIdentity {
        let parts = idToken.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.base64URL(parts[0]), let payload = Self.base64URL(parts[1]),
              let headerFields = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { throw SignInError("the ID token is not a signed JWT") }
        guard (headerFields["alg"] as? String).map({ $0 != "none" && !$0.hasPrefix("HS") }) == true else {
            throw SignInError("the ID token is not signed with the provider's key")
        }
        let kid = headerFields["kid"] as? String
        var collection = try await signingKeys(refreshingFor: kid)
        let claims: IDToken
        do {
            claims = try await collection.verify(idToken, as: IDToken.self, expectedAudience: settings.clientID)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw SignInError(error.failedClaim is ExpirationClaim ? "the ID token has expired" : "the ID token was issued for another client")
        } catch {
            // A key the cached set does not hold under that id: fetch the set once more.
            collection = try await signingKeys(refreshingFor: kid, force: true)
            do { claims = try await collection.verify(idToken, as: IDToken.self, expectedAudience: settings.clientID) } catch {
                throw SignInError("the ID token's signature does not verify with the provider's keys")
            }
        }
        guard claims.iss.value == settings.issuer else { throw SignInError("the ID token was issued by another issuer") }
        guard claims.iat.value.timeIntervalSinceNow < Self.skew else { throw SignInError("the ID token is issued in the future") }
        guard let sent = claims.nonce, Self.equal(sent, nonce) else { throw SignInError("the ID token's nonce does not match this sign-in") }
        let subject = claims.sub.value
        guard !subject.isEmpty, subject.utf8.count <= 255, subject.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else {
            throw SignInError("the ID token's subject is not a plain identifier")
        }
        var groups: [String] = []
        if let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] {
            if let list = object[settings.groupsClaim] as? [String] { groups = list }
            else if let one = object[settings.groupsClaim] as? String { groups = [one] }
        }
        return VerifiedIdentity(subject: subject, email: claims.email, groups: groups)
    }

    // MARK: Discovery and keys

    private func discovered() async throws -> Discovery {
        if let discovery { return discovery }
        let url = settings.issuer.hasSuffix("/") ? settings.issuer + ".well-known/openid-configuration"
            : settings.issuer + "/.well-known/openid-configuration"
        let (status, body) = try await fetch(HTTPClientRequest(url: url))
        guard status == .ok, let found = try? Self.decoder.decode(Discovery.self, from: body) else {
            throw SignInError("the provider's discovery document could not be read")
        }
        // OIDC Discovery §4.3: the document's issuer is exactly the one asked.
        guard found.issuer == settings.issuer else { throw SignInError("the provider's discovery document names another issuer") }
        for endpoint in [found.authorizationEndpoint, found.tokenEndpoint, found.jwksUri] {
            guard endpoint.hasPrefix("https://") || (endpoint.hasPrefix("http://") && settings.issuer.hasPrefix("http://")) else {
                throw SignInError("the provider's endpoints must use https")
            }
        }
        discovery = found
        return found
    }

    /// The provider's keys: fetched when none are cached, when the token names a key id the
    /// cache lacks, and once more after a token fails to verify (a rotation the token's header
    /// may not name: some providers send no `kid`). ID tokens come from the provider's own token
    /// endpoint over the back channel, never from the browser, so this cannot be driven by
    /// whoever holds the browser.
    private func signingKeys(refreshingFor kid: String?, force: Bool = false) async throws -> JWTKeyCollection {
        let unknown = kid.map { !keyIDs.contains($0) } ?? false
        if let keys, !force, !unknown { return keys }
        let endpoints = try await discovered()
        let (status, body) = try await fetch(HTTPClientRequest(url: endpoints.jwksUri))
        guard status == .ok, let set = try? JSONDecoder().decode(JWKS.self, from: body) else {
            throw SignInError("the provider's signing keys could not be read")
        }
        let collection = JWTKeyCollection()
        for key in set.keys {
            // Keys of a kind jwt-kit cannot verify with (encryption keys, unknown types) are skipped.
            _ = try? await collection.add(jwk: key)
        }
        keys = collection
        keyIDs = Set(set.keys.compactMap { $0.keyIdentifier?.string })
        return collection
    }

    private func fetch(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, Data) {
        try await Self.fetch(request, with: http, provider: "the identity provider")
    }

    // MARK: Helpers

    /// Whether the cached key set holds `kid` (tests).
    func holdsKey(_ kid: String) -> Bool { keyIDs.contains(kid) }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// `application/x-www-form-urlencoded` (RFC 6749 §2.3.1 applies it to the client id and secret too).
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func base64URL(_ part: Substring) -> Data? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

import AsyncHTTPClient
import CorgiAccess
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@testable import CorgiService

/// `OIDCClient`'s ID-token checks against a provider served in process (discovery and JWKS over
/// real HTTP), with tokens this test signs: each attack is refused with its own reason.
@Suite("OIDC: ID-token verification", .serialized)
struct OIDCClientTests {
    /// The provider's published keys, which a test may rotate.
    actor Provider {
        var published: [(kid: String, key: ES256PrivateKey)] = []
        func publish(_ keys: [(kid: String, key: ES256PrivateKey)]) { published = keys }
        func jwks() -> String {
            let keys = published.map { entry -> String in
                let (x, y) = entry.key.parameters!
                return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(entry.kid)","x":"\#(x)","y":"\#(y)"}"#
            }
            return #"{"keys":[\#(keys.joined(separator: ","))]}"#
        }
    }

    struct Claims: JWTPayload {
        var iss: String
        var sub: String
        var aud: [String]
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var nonce: String?
        var groups: [String]?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func sign(_ claims: Claims, with key: ES256PrivateKey, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// Runs `body` with a live provider and a client configured for it.
    static func withProvider(_ body: @escaping @Sendable (Provider, OIDCClient, String) async throws -> Void) async throws {
        let provider = Provider()
        let router = Router()
        router.get("/.well-known/openid-configuration") { request, _ -> Response in
            let issuer = "http://\(request.head.authority ?? "127.0.0.1")"
            let document = #"{"issuer":"\#(issuer)","authorization_endpoint":"\#(issuer)/authorize","token_endpoint":"\#(issuer)/token","jwks_uri":"\#(issuer)/jwks"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.get("/jwks") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: await provider.jwks())))
        }
        try await Application(router: router).test(.live) { client in
            let issuer = "http://localhost:\(client.port!)"
            let settings = ServiceSettings.OIDC(issuer: issuer, clientID: "corgi", redirectURL: "http://127.0.0.1:1/auth/oidc/callback",
                                                organisation: OrganisationRef(forge: "github", login: "acme"))
            let oidc = OIDCClient(settings: settings, http: HTTPClient.shared, clientSecret: { "secret" })
            try await body(provider, oidc, issuer)
        }
    }

    static func claims(_ issuer: String, aud: [String] = ["corgi"], expiresIn: TimeInterval = 300, issuedAgo: TimeInterval = 0,
                       nonce: String? = "n-1", groups: [String]? = ["security"]) -> Claims {
        Claims(iss: issuer, sub: "alice@example.com", aud: aud, exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
               iat: IssuedAtClaim(value: Date().addingTimeInterval(-issuedAgo)), nonce: nonce, groups: groups)
    }

    static func refusal(_ oidc: OIDCClient, _ token: String, nonce: String = "n-1") async -> String? {
        do {
            _ = try await oidc.verify(idToken: token, nonce: nonce)
            return nil
        } catch let error as SignInError {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    @Test("a token signed by the provider's key for this client, issuer and nonce is accepted, with its groups")
    func accepted() async throws {
        try await Self.withProvider { provider, oidc, issuer in
            let key = ES256PrivateKey()
            await provider.publish([("k1", key)])
            let identity = try await oidc.verify(idToken: try await Self.sign(Self.claims(issuer), with: key, kid: "k1"), nonce: "n-1")
            #expect(identity == VerifiedIdentity(subject: "alice@example.com", email: nil, groups: ["security"]))
        }
    }

    @Test("wrong audience, extra audience, expired, future, wrong issuer, wrong or missing nonce: each refused by name")
    func claimsRefused() async throws {
        try await Self.withProvider { provider, oidc, issuer in
            let key = ES256PrivateKey()
            await provider.publish([("k1", key)])
            func refused(_ claims: Claims, nonce: String = "n-1") async throws -> String {
                await Self.refusal(oidc, try await Self.sign(claims, with: key, kid: "k1"), nonce: nonce) ?? "accepted"
            }
            let cases: [(Claims, String, String)] = [
                (Self.claims(issuer, aud: ["another-client"]), "n-1", "another client"),
                (Self.claims(issuer, aud: ["corgi", "evil"]), "n-1", "another client"),
                (Self.claims(issuer, expiresIn: -60), "n-1", "expired"),
                (Self.claims(issuer, issuedAgo: -3600), "n-1", "future"),
                (Self.claims("http://evil.example"), "n-1", "another issuer"),
                (Self.claims(issuer), "n-2", "nonce"),
                (Self.claims(issuer, nonce: nil), "n-1", "nonce"),
            ]
            for (claims, nonce, reason) in cases {
                let answer = try await refused(claims, nonce: nonce)
                #expect(answer.contains(reason), "\(reason): \(answer)")
            }
        }
    }

    @Test("unsigned, HMAC-signed, tampered and foreign-key tokens are refused")
    func signaturesRefused() async throws {
        try await Self.withProvider { provider, oidc, issuer in
            let key = ES256PrivateKey()
            await provider.publish([("k1", key)])
            let good = try await Self.sign(Self.claims(issuer), with: key, kid: "k1")
            let parts = good.split(separator: ".").map(String.init)
            func encode(_ json: String) -> String { SessionAuthority.base64URL(Data(json.utf8)) }
            // alg none, no signature.
            let none = encode(#"{"alg":"none","typ":"JWT","kid":"k1"}"#) + "." + parts[1] + "."
            #expect(await Self.refusal(oidc, none) != nil)
            // HS256 with the public key's coordinates as the secret (algorithm confusion).
            let hmacKeys = JWTKeyCollection()
            await hmacKeys.add(hmac: HMACKey(from: key.parameters!.x), digestAlgorithm: .sha256, kid: "k1")
            let confused = try await hmacKeys.sign(Self.claims(issuer), kid: JWKIdentifier(string: "k1"))
            #expect(await Self.refusal(oidc, confused) != nil)
            // The payload changed after signing: more groups.
            var claims = Self.claims(issuer)
            claims.groups = ["security", "admins"]
            let tampered = parts[0] + "." + (try await Self.sign(claims, with: key, kid: "k1")).split(separator: ".")[1] + "." + parts[2]
            #expect(await Self.refusal(oidc, tampered)?.contains("signature") == true)
            // Signed by a key the provider never published, under its kid and under another.
            let stranger = ES256PrivateKey()
            let underKnownID = try await Self.sign(Self.claims(issuer), with: stranger, kid: "k1")
            let underNewID = try await Self.sign(Self.claims(issuer), with: stranger, kid: "k9")
            #expect(await Self.refusal(oidc, underKnownID)?.contains("signature") == true)
            #expect(await Self.refusal(oidc, underNewID) != nil)
            let garbage = await Self.refusal(oidc, "not.a.token"), empty = await Self.refusal(oidc, "")
            #expect(garbage != nil && empty != nil)
        }
    }

    @Test("a key rotated at the provider is fetched when a token names it; the retired key no longer verifies")
    func rotation() async throws {
        try await Self.withProvider { provider, oidc, issuer in
            let old = ES256PrivateKey(), new = ES256PrivateKey()
            await provider.publish([("old", old)])
            _ = try await oidc.verify(idToken: try await Self.sign(Self.claims(issuer), with: old, kid: "old"), nonce: "n-1")
            let before = (await oidc.holdsKey("old"), await oidc.holdsKey("new"))
            #expect(before == (true, false))
            await provider.publish([("new", new)])
            _ = try await oidc.verify(idToken: try await Self.sign(Self.claims(issuer), with: new, kid: "new"), nonce: "n-1")
            let after = (await oidc.holdsKey("old"), await oidc.holdsKey("new"))
            #expect(after == (false, true))
            let retired = try await Self.sign(Self.claims(issuer), with: old, kid: "old")
            #expect(await Self.refusal(oidc, retired) != nil)
        }
    }

    @Test("sessions: a sign-in cookie is not a session, a session is not a sign-in cookie, and a tampered one is nothing")
    func sessionTokens() async throws {
        let authority = await SessionAuthority(signingKey: Array(repeating: 7, count: 32), secureCookies: true, sessionMinutes: 60)
        let other = await SessionAuthority(signingKey: Array(repeating: 8, count: 32), secureCookies: true, sessionMinutes: 60)
        let flow = try await authority.flow(state: "s", nonce: "n", verifier: "v")
        let (session, csrf, _, _, _) = try await authority.session(subject: "alice", organisation: OrganisationRef(forge: "github", login: "acme"), role: .member)
        #expect(await authority.verifyFlow(flow)?.state == "s")
        #expect(await authority.verifySession(session)?.csrf == csrf)
        #expect(await authority.verifySession(flow) == nil)
        #expect(await authority.verifyFlow(session) == nil)
        #expect(await other.verifySession(session) == nil)
        var bytes = Array(session.utf8)
        let middle = session.split(separator: ".")[0].count + 5
        bytes[middle] = bytes[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(await authority.verifySession(String(decoding: bytes, as: UTF8.self)) == nil)
        #expect(authority.sessionCookie == "__Host-corgi_session")
        #expect(authority.setCookie(authority.sessionCookie, "x", maxAge: 60).contains("; HttpOnly; Secure"))
        #expect(SessionAuthority.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("a consumed state is refused until it expires; the table stays bounded")
    func consumedStates() async {
        let states = ConsumedStates(capacity: 3)
        let later = Date().addingTimeInterval(600)
        #expect(await states.consume("a", until: later))
        #expect(!(await states.consume("a", until: later)))
        #expect(await states.consume("b", until: Date().addingTimeInterval(-1)))
        #expect(await states.consume("b", until: later))  // the earlier entry had expired
        #expect(await states.consume("c", until: later))
        #expect(!(await states.consume("d", until: later)))  // full of live entries: refused, never unbounded
    }
}

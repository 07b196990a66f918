public import Foundation
internal import JWTKit

/// GitHub App authentication: an RS256 JWT signed with the app's private key buys an
/// installation token, which is cached until shortly before it expires.
///
/// The private key is read through a closure on every signing so a rotated key file takes
/// effect without a restart.
public actor GitHubAppAuthenticator {
    public typealias KeySource = @Sendable () async throws -> String

    let appID: String
    let privateKeyPEM: KeySource
    /// Tokens within this margin of their expiry are replaced before use.
    let refreshMargin: TimeInterval
    private var tokens: [Int: (token: String, expires: Date)] = [:]
    private var signer: (pem: String, keys: JWTKeyCollection)?

    public init(appID: String, privateKeyPEM: @escaping KeySource, refreshMargin: TimeInterval = 300) {
        self.appID = appID
        self.privateKeyPEM = privateKeyPEM
        self.refreshMargin = refreshMargin
    }

    struct AppClaims: JWTPayload {
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var iss: IssuerClaim
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A JWT for the app itself: issued 60 s in the past against clock drift, valid 9 minutes
    /// (GitHub accepts at most 10).
    public func appJWT(now: Date = Date()) async throws -> String {
        let pem = try await privateKeyPEM()
        let keys: JWTKeyCollection
        if let signer, signer.pem == pem {
            keys = signer.keys
        } else {
            let key: Insecure.RSA.PrivateKey
            do { key = try Insecure.RSA.PrivateKey(pem: pem) } catch {
                throw ForgeError.configuration("the GitHub App private key is not a valid RSA PEM key")
            }
            keys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
            signer = (pem, keys)
        }
        // GitHub requires integer NumericDates; jwt-kit writes a Date's fractional seconds.
        let whole = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AppClaims(
            iat: IssuedAtClaim(value: whole.addingTimeInterval(-60)),
            exp: ExpirationClaim(value: whole.addingTimeInterval(540)),
            iss: IssuerClaim(value: appID))
        return try await keys.sign(claims)
    }

    /// A cached installation token, or a new one from `mint` (which calls the API with the JWT).
    public func installationToken(
        for installation: Int, now: Date = Date(),
        mint: @Sendable (String) async throws -> (token: String, expires: Date)
    ) async throws -> String {
        if let cached = tokens[installation], cached.expires.timeIntervalSince(now) > refreshMargin {
            return cached.token
        }
        let jwt = try await appJWT(now: now)
        let fresh = try await mint(jwt)
        tokens[installation] = fresh
        return fresh.token
    }

    /// Drops a cached token, e.g. after a 401.
    public func invalidate(installation: Int) { tokens[installation] = nil }
}

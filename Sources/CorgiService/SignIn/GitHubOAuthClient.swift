import CorgiAccess
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sign-in with GitHub: the GitHub App's (or OAuth App's) user authorization, the web
/// application flow with PKCE (docs.github.com, "Authorizing OAuth apps" and "Generating a user
/// access token for a GitHub App").
///
/// The person is known by GitHub's numeric user id (logins change hands); their "groups" are
/// what GitHub says of them in the configured organisation, read with their own token:
/// `org:admin` or `org:member` from their active membership (`GET /user/memberships/orgs/{org}`)
/// and `team:<slug>` for each of their teams there (`GET /user/teams`). Someone who is not an
/// active member is refused whatever their teams elsewhere. The token is used for those reads
/// and dropped: never stored, logged or put in a session.
actor GitHubOAuthClient: IdentityProvider {
    let settings: ServiceSettings.GitHubSignIn
    let clientSecret: @Sendable () async throws -> String
    let http: HTTPClient
    /// Pages of `GET /user/teams` read at most (100 teams each).
    static let maximumTeamPages = 10

    init(settings: ServiceSettings.GitHubSignIn, http: HTTPClient, clientSecret: @escaping @Sendable () async throws -> String) {
        self.settings = settings
        self.http = http
        self.clientSecret = clientSecret
    }

    /// The organisation's login on GitHub (`github/<login>`).
    var organisationLogin: String { settings.organisation.login }

    func authorizationURL(state: String, nonce: String, codeChallenge: String) async throws -> String {
        guard var components = URLComponents(string: settings.webURL + "/login/oauth/authorize") else {
            throw SignInError("the GitHub web URL is not a URL")
        }
        components.queryItems = [
            URLQueryItem(name: "client_id", value: settings.clientID),
            URLQueryItem(name: "redirect_uri", value: settings.redirectURL),
            // read:org lets the person's own token read their membership and teams (OAuth Apps;
            // a GitHub App's user token has its members: read permission instead).
            URLQueryItem(name: "scope", value: "read:org"),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "allow_signup", value: "false"),
        ]
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw SignInError("the GitHub web URL is not a URL") }
        return url
    }

    /// GitHub's sign-in issues no ID token, so there is no nonce to check: the state (bound to the
    /// browser's signed cookie, used once) and the PKCE verifier tie the code to this sign-in.
    func redeem(code: String, codeVerifier: String, nonce: String) async throws -> VerifiedIdentity {
        let token = try await accessToken(code: code, codeVerifier: codeVerifier)
        struct User: Decodable { var id: Int64; var login: String; var email: String? }
        let user: User = try await get("/user", token: token, what: "the signed-in user")
        guard user.id > 0 else { throw SignInError("GitHub named no user") }

        struct Membership: Decodable {
            var state: String
            var role: String
            struct Organization: Decodable { var login: String }
            var organization: Organization
        }
        let membershipPath = "/user/memberships/orgs/" + (organisationLogin.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        guard let membership: Membership = try await getIfPresent(membershipPath, token: token, what: "the organisation membership"),
              membership.state == "active", membership.organization.login.lowercased() == organisationLogin.lowercased()
        else { throw SignInError("you are not an active member of \(organisationLogin) on GitHub") }
        var groups = [membership.role == "admin" ? "org:admin" : "org:member"]

        struct Team: Decodable {
            var slug: String
            struct Organization: Decodable { var login: String }
            var organization: Organization
        }
        for page in 1...Self.maximumTeamPages {
            let teams: [Team] = try await get("/user/teams?per_page=100&page=\(page)", token: token, what: "the teams")
            groups += teams.filter { $0.organization.login.lowercased() == organisationLogin.lowercased() }.map { "team:" + $0.slug }
            if teams.count < 100 { break }
        }
        // Prefixed: a GitHub account is never the same actor as an OIDC subject of the same text.
        return VerifiedIdentity(subject: "github:\(user.id)", email: user.email, groups: groups)
    }

    /// `POST /login/oauth/access_token` with the client secret and the PKCE verifier. GitHub
    /// answers a refused code with 200 and an `error` field: both are checked.
    func accessToken(code: String, codeVerifier: String) async throws -> String {
        var request = HTTPClientRequest(url: settings.webURL + "/login/oauth/access_token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "code-corgi")
        let form = [("client_id", settings.clientID), ("client_secret", try await clientSecret()), ("code", code),
                    ("redirect_uri", settings.redirectURL), ("code_verifier", codeVerifier)]
            .map { "\($0.0)=\(OIDCClient.formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await fetch(request)
        struct TokenResponse: Decodable { var accessToken: String?; var tokenType: String?; var error: String? }
        let response = try? OIDCClient.decoder.decode(TokenResponse.self, from: body)
        if let error = response?.error { throw SignInError("GitHub refused the authorization code (\(SignInRoutes.printable(error)))") }
        guard status == .ok, let token = response?.accessToken, !token.isEmpty, token.utf8.count <= 1024,
              response?.tokenType?.lowercased() ?? "bearer" == "bearer"
        else { throw SignInError("GitHub refused the authorization code (HTTP \(status.code))") }
        return token
    }

    private func get<T: Decodable>(_ path: String, token: String, what: String) async throws -> T {
        guard let value: T = try await getIfPresent(path, token: token, what: what) else {
            throw SignInError("GitHub did not answer with \(what) (HTTP 404)")
        }
        return value
    }

    /// The JSON at `path` of the API with the person's token; nil on 404 (GitHub's answer for a
    /// membership that does not exist).
    private func getIfPresent<T: Decodable>(_ path: String, token: String, what: String) async throws -> T? {
        var request = HTTPClientRequest(url: settings.apiURL + path)
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: "code-corgi")
        let (status, body) = try await fetch(request)
        if status == .notFound { return nil }
        guard status == .ok else { throw SignInError("GitHub did not answer with \(what) (HTTP \(status.code))") }
        do { return try OIDCClient.decoder.decode(T.self, from: body) } catch {
            throw SignInError("GitHub answered with something other than \(what)")
        }
    }

    private func fetch(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, Data) {
        try await Self.fetch(request, with: http, provider: "GitHub")
    }
}

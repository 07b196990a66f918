import Foundation
public import Hummingbird
import HTTPTypes
import Mustache
import NIOCore

/// What the dashboard needs to know of the process it runs in: how people sign in, the session
/// cookies' names (their `__Host-` prefix depends on https), and where each forge shows a pull
/// request.
public struct DashboardConfiguration: Sendable {
    public struct SignInMethod: Sendable, Hashable {
        /// The method's name in its paths (`oidc`, `github`, `saml`).
        public var name: String
        public var label: String

        public init(name: String, label: String) {
            self.name = name
            self.label = label
        }
    }

    public var signIn: [SignInMethod]
    public var sessionCookie: String
    public var csrfCookie: String
    /// Web base URL by forge (`github` → `https://github.com`); a forge without one gets no link.
    public var forgeWebURLs: [String: String]

    public init(signIn: [SignInMethod], sessionCookie: String, csrfCookie: String, forgeWebURLs: [String: String]) {
        self.signIn = signIn
        self.sessionCookie = sessionCookie
        self.csrfCookie = csrfCookie
        self.forgeWebURLs = forgeWebURLs
    }
}

/// A problem the dashboard shows as a page of its own (a form too large, a bad link); before
/// anyone is known (a cross-site form), a plain answer.
struct DashboardProblem: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var detail: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: detail + "\n")))
    }
}

/// The dashboard at `/` of the API's listener: server-rendered pages over the API and nothing
/// else (``InProcessAPI``), for people signed in through the organisation's identity provider.
///
/// Every page reads with the browser's own session, so what a person sees is exactly what the
/// API lets their role read; every form posts here with the session's CSRF token, which the
/// dashboard hands to the API as `X-CSRF-Token` — the API decides, and audits. The UI hides what
/// the role may not do (the navigation, the forms), and the API refuses it anyway.
public struct Dashboard: Sendable {
    let api: InProcessAPI
    let configuration: DashboardConfiguration
    let library: MustacheLibrary

    public init(api: InProcessAPI, configuration: DashboardConfiguration) throws {
        self.api = api
        self.configuration = configuration
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    public func register(on router: Router<BasicRequestContext>) {
        let pages = router.group().add(middleware: PageHeaders<BasicRequestContext>())
        for (path, asset) in Assets.byPath {
            pages.get(RouterPath(path)) { request, _ in
                if request.headers[.ifNoneMatch] == asset.etag { return Response(status: .notModified, headers: [.eTag: asset.etag]) }
                return Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=3600", .eTag: asset.etag],
                                body: .init(byteBuffer: ByteBuffer(string: asset.body)))
            }
        }
        pages.get("/sign-in") { request, context in try await signInPage(request, context) }
        pages.get("/") { request, context in try await page(request, context) { try await overview($0, context) } }
        pages.get("/repositories") { request, context in try await page(request, context) { try await repositories($0, context) } }
        pages.get("/pull-requests") { request, context in try await page(request, context) { try await pullRequests($0, request, context) } }
        pages.get("/pull-requests/:forgeOwner/:name/:number") { request, context in
            try await page(request, context) { try await pullRequest($0, context) }
        }
        pages.get("/findings") { request, context in try await page(request, context) { try await findings($0, request, context) } }
        pages.get("/findings/:id") { request, context in try await page(request, context) { try await finding($0, context) } }
        pages.post("/findings/dismissals") { request, context in try await action(request, context) { try await dismiss($0, $1, context) } }
        pages.get("/dismissal-requests") { request, context in try await page(request, context) { try await dismissalRequests($0, context) } }
        pages.post("/dismissal-requests/:id/approval") { request, context in
            try await action(request, context) { reader, _ in try await decide(reader, approve: true, context) }
        }
        pages.post("/dismissal-requests/:id/rejection") { request, context in
            try await action(request, context) { reader, _ in try await decide(reader, approve: false, context) }
        }
        pages.get("/policy") { request, context in try await page(request, context) { try await policy($0, context) } }
        pages.post("/policy") { request, context in try await action(request, context) { try await savePolicy($0, $1, context) } }
        pages.get("/members") { request, context in try await page(request, context) { try await members($0, context) } }
        pages.get("/api-keys") { request, context in try await page(request, context) { try await apiKeys($0, context) } }
        pages.post("/api-keys") { request, context in try await action(request, context) { try await createKey($0, $1, request, context) } }
        pages.post("/api-keys/:id/revoke") { request, context in try await action(request, context) { reader, _ in try await revokeKey(reader, context) } }
        pages.get("/audit") { request, context in try await page(request, context) { try await audit($0, request, context, verify: false) } }
        pages.get("/audit/verification") { request, context in
            try await page(request, context) { try await audit($0, request, context, verify: true) }
        }
        pages.get("/settings") { request, context in try await page(request, context) { try await settings($0, context) } }
        pages.get("/sessions") { request, context in try await page(request, context) { try await sessions($0, context) } }
        pages.post("/sessions/:id/end") { request, context in try await action(request, context) { reader, _ in try await endSession(reader, context) } }
        pages.post("/sign-out") { request, context in try await action(request, context) { reader, _ in try await signOut(reader, context) } }
    }
}

// MARK: - The reader and the two kinds of request

/// The signed-in person reading a page: who the API says they are, and what the pages need to
/// call it in their name.
struct Reader: Sendable {
    var me: APIMe
    var credentials: InProcessAPI.Credentials
    /// The session's CSRF token, for the forms of the page.
    var csrf: String

    /// `/api/v1/orgs/{forge}/{organisation}`: every page reads its own organisation only.
    var organisationPath: String { "/api/v1/orgs/\(Self.segment(me.organisation.forge))/\(Self.segment(me.organisation.login))" }

    func may(_ permission: String) -> Bool { me.may(permission) }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }
}

/// A page to render: its template, title and values (the layout's are added).
struct Page {
    var template: String
    var title: String
    var values: [String: Any] = [:]
    /// The page's own URL when it refreshes its data in place.
    var refresh: String?
    var status: HTTPResponse.Status = .ok
}

extension Dashboard {
    /// The signed-in reader, or nil when the request carries no session the API accepts.
    func reader(_ request: Request, _ context: BasicRequestContext, formCSRF: String? = nil) async throws -> Reader? {
        let jar = request.cookies
        guard jar[configuration.sessionCookie] != nil else { return nil }
        // Only the two session cookies go to the API: nothing else of the browser's.
        let cookies = [configuration.sessionCookie, configuration.csrfCookie].compactMap { name in jar[name].map { "\(name)=\($0.value)" } }
        let credentials = InProcessAPI.Credentials(cookie: cookies.joined(separator: "; "), csrf: formCSRF)
        do {
            let me: APIMe = try await api.get("/api/v1/me", as: credentials, context: context)
            return Reader(me: me, credentials: credentials, csrf: jar[configuration.csrfCookie]?.value ?? "")
        } catch let error as APICallError where error.status == .unauthorized {
            return nil
        }
    }

    static func redirect(_ location: String, headers extra: [HTTPField] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for field in extra { headers.append(field) }
        return Response(status: .seeOther, headers: headers)
    }

    /// A page read with the browser's session; without one, the sign-in page.
    func page(_ request: Request, _ context: BasicRequestContext, _ build: (Reader) async throws -> Page) async throws -> Response {
        guard let reader = try await reader(request, context) else { return Self.redirect("/sign-in") }
        do {
            var page = try await build(reader)
            if let notice = request.uri.queryParameters.get("notice").flatMap({ Notice(rawValue: String($0)) }) {
                page.values["notice"] = notice.text
            }
            return render(page, reader: reader, path: request.uri.path)
        } catch let error as APICallError {
            if error.status == .unauthorized { return Self.redirect("/sign-in") }
            return render(problemPage(error.status, error.detail, back: "/"), reader: reader, path: request.uri.path)
        } catch let problem as DashboardProblem {
            return render(problemPage(problem.status, problem.detail, back: "/"), reader: reader, path: request.uri.path)
        }
    }

    /// A form's change: refused from another site (the browser says so) before anything is read;
    /// the form's CSRF token goes to the API with the session, which checks it.
    func action(_ request: Request, _ context: BasicRequestContext, _ perform: (Reader, FormBody) async throws -> Response) async throws -> Response {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" {
            throw DashboardProblem(status: .forbidden, detail: "A form from another site cannot change anything here.")
        }
        // An `Origin` must name this very host (`null`, an opaque origin, names none).
        if let origin = request.headers[HTTPField.Name("Origin")!],
           URL(string: origin).map({ url in "\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")" }) != request.head.authority {
            throw DashboardProblem(status: .forbidden, detail: "A form from another site cannot change anything here.")
        }
        let form = try await FormBody.read(request)
        guard let reader = try await reader(request, context, formCSRF: form["csrf"] ?? "") else { return Self.redirect("/sign-in") }
        do {
            return try await perform(reader, form)
        } catch let error as APICallError {
            if error.status == .unauthorized { return Self.redirect("/sign-in") }
            return render(problemPage(error.status, error.detail, back: Self.localPath(form["back"]) ?? "/"), reader: reader, path: request.uri.path)
        } catch let problem as DashboardProblem {
            return render(problemPage(problem.status, problem.detail, back: Self.localPath(form["back"]) ?? "/"), reader: reader, path: request.uri.path)
        }
    }

    /// `path` when it is a path of this site (no scheme, no host, no `//`): never an open redirect.
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.utf8.count <= 2048,
              path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        return path
    }

    func problemPage(_ status: HTTPResponse.Status, _ detail: String, back: String) -> Page {
        let title: String
        switch status {
        case .forbidden: title = "Not allowed"
        case .notFound: title = "Not found"
        case .badRequest: title = "That did not work"
        case .conflict: title = "Already done"
        default: title = status.reasonPhrase
        }
        return Page(template: "problem", title: title, values: ["detail": detail, "back": back], status: status)
    }

    func signInPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        if try await reader(request, context) != nil { return Self.redirect("/") }
        let methods = configuration.signIn.map { ["name": $0.name, "label": $0.label] }
        let page = Page(template: "sign-in", title: "Sign in", values: ["methods": methods, "hasMethods": !methods.isEmpty])
        return render(page, reader: nil, path: "/sign-in")
    }

    // MARK: Rendering

    static let navigation: [(path: String, label: String, permission: String?)] = [
        ("/", "Overview", "organisation:read"), ("/repositories", "Repositories", "findings:read"),
        ("/pull-requests", "Pull requests", "findings:read"), ("/findings", "Findings", "findings:read"),
        ("/dismissal-requests", "Approvals", "findings:triage"),
        ("/policy", "Policy", "policy:read"), ("/members", "Members", "members:read"), ("/api-keys", "API keys", "api-keys:read"),
        ("/audit", "Audit log", "audit:read"), ("/settings", "Settings", "organisation:read"), ("/sessions", "Sessions", nil),
    ]

    func render(_ page: Page, reader: Reader?, path: String) -> Response {
        var values = page.values
        values["title"] = page.title
        if let reader {
            let nav: [[String: Any]] = Self.navigation.filter { $0.permission.map(reader.may) ?? true }.map { item in
                let current = item.path == "/" ? path == "/" : path == item.path || path.hasPrefix(item.path + "/")
                return ["href": item.path, "label": item.label, "current": current]
            }
            values["nav"] = nav
            values["hasNav"] = !nav.isEmpty
            values["organisation"] = "\(reader.me.organisation.forge)/\(reader.me.organisation.login)"
            values["user"] = ["subject": Self.personName(reader.me.actor), "role": reader.me.role, "csrf": reader.csrf]
            values["csrf"] = reader.csrf
        }
        if let refresh = page.refresh { values["refresh"] = refresh }
        let html = library.render(values, withTemplate: page.template) ?? ""
        return Response(status: page.status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `user:github/acme/alice` → `alice`.
    static func personName(_ actor: String) -> String {
        actor.hasPrefix("user:") ? String(actor.split(separator: "/").last ?? Substring(actor)) : actor
    }
}

/// What a change says on the page it returns to: a fixed set, so a link cannot put words on the page.
enum Notice: String {
    case dismissed, requested, approved, rejected, policy, revoked, ended

    var text: String {
        switch self {
        case .dismissed: "Dismissed: later reviews of the repository leave the finding out."
        case .requested: "Dismissal requested: it waits for a second person's approval (four-eyes triage)."
        case .approved: "Approved: the finding is dismissed, and later reviews leave it out."
        case .rejected: "The dismissal request was closed: the finding stays open."
        case .policy: "The policy was saved; the audit log records the change."
        case .revoked: "The key was revoked: it stops working now."
        case .ended: "The session was ended."
        }
    }
}

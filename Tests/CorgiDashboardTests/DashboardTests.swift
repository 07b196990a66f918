@testable import CorgiDashboard
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The dashboard in process against a stand-in for the API (a router answering the few routes
/// the pages read, as the OpenAPI document shapes them): what it sends the API, what it refuses
/// before calling it, and that nothing the API returns becomes markup.
@Suite("Dashboard pages over a stand-in API")
struct DashboardTests {
    /// What the stand-in API received: every change's path, CSRF header and body.
    final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var changes: [(path: String, csrf: String?, body: String)] = []

        func add(_ path: String, _ csrf: String?, _ body: String) { lock.withLock { changes.append((path, csrf, body)) } }
        var all: [(path: String, csrf: String?, body: String)] { lock.withLock { changes } }
    }

    static let hostileMessage = #"<script>alert("x")</script> & 'quotes'"#
    static let hostilePath = #"app/"><img src=x onerror=alert(1)>.py"#

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The API stand-in: a session cookie `corgi_session=good` is a member of github/acme (or
    /// `auditor` an auditor); changes need `X-CSRF-Token: tok`.
    static func api(_ received: Received) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        @Sendable func role(_ request: Request) -> String? {
            let cookie = request.headers[.cookie] ?? ""
            if cookie.contains("corgi_session=good") { return "member" }
            if cookie.contains("corgi_session=auditor") { return "auditor" }
            return nil
        }
        router.get("/api/v1/me") { request, _ in
            guard let role = role(request) else { return json(.unauthorized, #"{"title":"Unauthorized","detail":"no session"}"#) }
            let permissions = role == "member" ? #"["organisation:read","findings:read","findings:triage","policy:read"]"#
                : #"["organisation:read","findings:read","audit:read","policy:read"]"#
            return json(.ok, #"{"actor":"user:github/acme/alice","organisation":{"forge":"github","login":"acme"},"role":"\#(role)","permissions":\#(permissions)}"#)
        }
        router.get("/api/v1/orgs/github/acme/findings") { request, _ in
            guard role(request) != nil else { return json(.unauthorized, "{}") }
            let message = try String(decoding: JSONEncoder().encode(hostileMessage), as: UTF8.self)
            let path = try String(decoding: JSONEncoder().encode(hostilePath), as: UTF8.self)
            return json(.ok, """
                {"items":[{"id":7,"repository":"acme/api","pull_request":3,"rule_id":"generic-secret","kind":"secret","severity":"high",
                "cwe":"CWE-798","path":\(path),"line":4,"end_line":4,"message":\(message),"redacted":"sk_l****","state":"open",
                "fingerprint":"f","first_scan_id":1,"last_scan_id":1}]}
                """)
        }
        router.get("/api/v1/orgs/github/acme/members") { _, _ in
            json(.forbidden, #"{"title":"Forbidden","detail":"this needs members:read"}"#)
        }
        router.post("/api/v1/orgs/github/acme/findings/:id/dismissal") { request, context in
            let body = try await request.body.collect(upTo: 4096)
            let csrf = request.headers[HTTPField.Name("X-CSRF-Token")!]
            received.add("findings/\(context.parameters.get("id") ?? "")/dismissal", csrf, String(buffer: body))
            guard csrf == "tok" else { return json(.forbidden, #"{"detail":"send the session's CSRF token"}"#) }
            return json(.ok, "{}")
        }
        return router
    }

    func withDashboard(_ body: @escaping @Sendable (any TestClientProtocol, Received) async throws -> Void) async throws {
        let received = Received()
        let dashboard = try Dashboard(
            api: InProcessAPI(responder: Self.api(received).buildResponder()),
            configuration: DashboardConfiguration(signIn: [.init(name: "oidc", label: "single sign-on")], sessionCookie: "corgi_session",
                                                  csrfCookie: "corgi_csrf", forgeWebURLs: ["github": "https://github.com"]))
        let router = Router(context: BasicRequestContext.self)
        dashboard.register(on: router)
        try await Application(router: router).test(.router) { client in try await body(client, received) }
    }

    static let member: HTTPFields = [.cookie: "corgi_session=good; corgi_csrf=tok; other=cookie"]

    @Test("values from the API are text, never markup; pages carry the strict policy and are not cached")
    func escaping() async throws {
        try await withDashboard { client, _ in
            try await client.execute(uri: "/findings", method: .get, headers: Self.member) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(!html.contains("<script>alert") && !html.contains("<img src=x"))
                #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"))
                #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
                // The only scripts are the site's own file.
                #expect(html.components(separatedBy: "<script").count == 2 && html.contains(#"<script src="/assets/corgi.js" defer></script>"#))
                let csp = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"))
                #expect(response.headers[.cacheControl] == "no-store")
                // A member triages: the bulk form carries the session's CSRF token.
                #expect(html.contains(#"<input type="hidden" name="csrf" value="tok">"#))
            }
        }
    }

    @Test("without a session the pages send people to sign in; the sign-in page lists the methods")
    func signIn() async throws {
        try await withDashboard { client, _ in
            for path in ["/", "/findings", "/members"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/sign-in")
                }
            }
            try await client.execute(uri: "/findings", method: .get, headers: [.cookie: "corgi_session=forged"]) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/sign-in")
            }
            try await client.execute(uri: "/sign-in", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"href="/auth/oidc/login""#))
            }
        }
    }

    @Test("a form's change goes to the API with the form's token; other sites and missing tokens change nothing")
    func forms() async throws {
        try await withDashboard { client, received in
            var headers = Self.member
            headers[.contentType] = "application/x-www-form-urlencoded"
            let form = ByteBuffer(string: "csrf=tok&id=7&id=9&reason=used_in_tests&comment=fixture+data&back=%2Ffindings%3Fstate%3Dopen")
            try await client.execute(uri: "/findings/dismissals", method: .post, headers: headers, body: form) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/findings?state=open&notice=dismissed")
            }
            #expect(received.all.map(\.path) == ["findings/7/dismissal", "findings/9/dismissal"])
            #expect(received.all.allSatisfy { $0.csrf == "tok" && $0.body.contains(#""reason":"used_in_tests""#) && $0.body.contains("fixture data") })

            // Another site's form is refused before the API hears of it.
            var foreign = headers
            foreign[HTTPField.Name("Origin")!] = "https://evil.example"
            try await client.execute(uri: "/findings/dismissals", method: .post, headers: foreign, body: form) { response in
                #expect(response.status == .forbidden)
            }
            var opaque = headers
            opaque[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            try await client.execute(uri: "/findings/dismissals", method: .post, headers: opaque, body: form) { response in
                #expect(response.status == .forbidden)
            }
            #expect(received.all.count == 2)
            // The cookie alone is not enough: the API refuses a form without the token, and the page says why.
            let tokenless = ByteBuffer(string: "id=7&reason=used_in_tests&back=%2F%2Fevil.example")
            try await client.execute(uri: "/findings/dismissals", method: .post, headers: headers, body: tokenless) { response in
                #expect(response.status == .forbidden)
                let html = String(buffer: response.body)
                #expect(html.contains("CSRF token") && html.contains(#"<a href="/">Go back</a>"#))
            }
        }
    }

    @Test("what the API refuses, the page refuses with the API's reason; the navigation hides it")
    func refusals() async throws {
        try await withDashboard { client, _ in
            try await client.execute(uri: "/members", method: .get, headers: [.cookie: "corgi_session=auditor"]) { response in
                #expect(response.status == .forbidden)
                let html = String(buffer: response.body)
                #expect(html.contains("Not allowed") && html.contains("members:read"))
                #expect(!html.contains(#"href="/members""#))
                #expect(html.contains(#"href="/audit""#))
            }
        }
    }

    @Test("local paths only: no scheme, no other host, no control characters")
    func localPaths() {
        #expect(Dashboard.localPath("/findings?state=open") == "/findings?state=open")
        for path in ["//evil.example/x", "https://evil.example", "/\\evil", "findings", "/a\nb", nil] as [String?] {
            #expect(Dashboard.localPath(path) == nil)
        }
    }

    @Test("form bodies: repeated names, plus signs and percent escapes")
    func formBodies() {
        let form = FormBody(parsing: "id=1&id=2&comment=a+b%26c&empty=&broken=%zz")
        #expect(form.all("id") == ["1", "2"] && form["comment"] == "a b&c" && form["empty"] == "")
        #expect(form["broken"] == "" && form["missing"] == nil)
    }

    @Test("chart axes step by 1, 2 or 5 × 10ⁿ with at most six ticks; labels are escaped")
    func chart() {
        #expect(BarChart.ticks(upTo: 1) == [0, 1])
        #expect(BarChart.ticks(upTo: 7) == [0, 2, 4, 6, 8])
        #expect(BarChart.ticks(upTo: 10_000) == [0, 2_000, 4_000, 6_000, 8_000, 10_000])
        let svg = BarChart(title: "<t>", labels: ["2026-11-30"], series: [.init(name: "New & <b>", cssClass: "bar-new", values: [3])]).svg(id: "c")
        #expect(svg.contains("&lt;t&gt;") && svg.contains("New &amp; &lt;b&gt;") && !svg.contains("<b>") && !svg.contains("style="))
    }
}

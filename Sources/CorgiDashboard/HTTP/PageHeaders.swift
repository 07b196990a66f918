import Hummingbird
import HTTPTypes

/// Headers on every dashboard answer: a strict Content-Security-Policy (own scripts and styles
/// only, no inline code, forms post only here, no framing), no MIME sniffing, no referrer to
/// other sites (the forge and CWE links learn nothing of the page; within the site the browser
/// still sends its `Origin`, which `no-referrer` would turn into `null` on every form), and no
/// caching of pages (they hold an organisation's findings; assets say otherwise themselves).
struct PageHeaders<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("Content-Security-Policy")!] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

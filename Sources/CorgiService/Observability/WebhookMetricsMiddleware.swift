import Hummingbird
import Prometheus

/// Webhook latency and refusals for every `/webhooks/` route, so the handlers count nothing
/// themselves. (Request ids come from Hummingbird: `hb.request.id` on the request's logger.)
struct WebhookMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/webhooks/") else { return try await next(request, context) }
        let started = ContinuousClock.now
        defer { metrics.webhookLatency.record(ContinuousClock.now - started) }
        do {
            return try await next(request, context)
        } catch let refusal as WebhookRefusal {
            if refusal.counted { metrics.webhooksRejected.increment() }
            throw refusal
        }
    }
}

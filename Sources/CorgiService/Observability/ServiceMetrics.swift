public import Prometheus

/// The service's Prometheus metrics, on one registry owned by the server (no global state).
public struct ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let webhooksAccepted: Counter
    let webhooksRejected: Counter
    let webhooksDuplicate: Counter
    let webhooksIgnored: Counter
    let scansCompleted: Counter
    let scansFailed: Counter
    let jobRetries: Counter
    let findingsNew: Counter
    let diffsDeleted: Counter
    let webhookLatency: DurationHistogram
    let scanDuration: DurationHistogram
    let queueDepth: Gauge
    let queueInFlight: Gauge
    let workersAlive: Gauge
    let aiCalls: Counter
    let aiInputTokens: Counter
    let aiOutputTokens: Counter
    let aiFindings: Counter
    let aiCost: Counter

    public init() {
        webhooksAccepted = registry.makeCounter(name: "corgi_webhooks_accepted_total", help: "Webhooks verified and queued or recorded")
        webhooksRejected = registry.makeCounter(name: "corgi_webhooks_rejected_total", help: "Webhooks refused (signature, size, malformed)")
        webhooksDuplicate = registry.makeCounter(name: "corgi_webhooks_redelivered_total", help: "Redelivered webhooks accepted without a rerun")
        webhooksIgnored = registry.makeCounter(name: "corgi_webhooks_ignored_total", help: "Verified webhooks of events we do not act on")
        scansCompleted = registry.makeCounter(name: "corgi_scans_completed_total", help: "Reviews published")
        scansFailed = registry.makeCounter(name: "corgi_scans_failed_total", help: "Reviews that failed for good")
        jobRetries = registry.makeCounter(name: "corgi_job_retries_total", help: "Jobs put back for a later attempt")
        findingsNew = registry.makeCounter(name: "corgi_findings_new_total", help: "New findings reported")
        diffsDeleted = registry.makeCounter(name: "corgi_diffs_deleted_total", help: "Diffs deleted by retention")
        webhookLatency = registry.makeDurationHistogram(
            name: "corgi_webhook_seconds", buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100), .seconds(1)],
            help: "Time to answer a webhook")
        scanDuration = registry.makeDurationHistogram(
            name: "corgi_review_seconds", buckets: [.milliseconds(100), .seconds(1), .seconds(5), .seconds(30), .seconds(120)],
            help: "Time from claim to published review")
        queueDepth = registry.makeGauge(name: "corgi_queue_pending", help: "Jobs waiting for a worker")
        queueInFlight = registry.makeGauge(name: "corgi_queue_in_flight", help: "Jobs claimed and not yet acknowledged")
        workersAlive = registry.makeGauge(name: "corgi_workers_alive", help: "Workers heard from recently (distributed mode)")
        aiCalls = registry.makeCounter(name: "corgi_ai_calls_total", help: "Calls to the AI review's model")
        aiInputTokens = registry.makeCounter(name: "corgi_ai_input_tokens_total", help: "Prompt tokens the model reported")
        aiOutputTokens = registry.makeCounter(name: "corgi_ai_output_tokens_total", help: "Answer tokens the model reported")
        aiFindings = registry.makeCounter(name: "corgi_ai_findings_total", help: "Findings the AI review kept")
        aiCost = registry.makeCounter(name: "corgi_ai_cost_total",
                                      help: "Estimated cost of the model calls, at the settings' prices per million tokens (ai.*_price_per_million_tokens)")
    }

    public func text() -> String { registry.emitToString() }
}

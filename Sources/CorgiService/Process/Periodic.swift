import ServiceLifecycle

/// Runs `body` now and then every `interval` until the task is cancelled or the service group
/// shuts down gracefully. `body` handles its own errors: a background chore that fails once
/// (a store or the queue briefly away) must not take its process down.
func repeatUntilShutdown(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await body()
                try await Task.sleep(for: interval)
            }
        }
    } catch is CancellationError {}
}

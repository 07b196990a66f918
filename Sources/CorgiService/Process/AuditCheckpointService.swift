import CorgiReview
import Logging
import ServiceLifecycle

/// Anchors the audit log's head outside the database every `interval`, and once more on a
/// graceful shutdown. The distributed workers run it (the gateway holds no object-store
/// credentials); the embedded store anchors after every commit itself. Events appended since
/// the last checkpoint are the only ones whose deletion from the end would go unseen, so the
/// interval is short: a checkpoint is written only when the head moved.
struct AuditCheckpointService: Service {
    let checkpointer: AuditCheckpointer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await repeatUntilShutdown(every: interval) { await checkpoint() }
        await checkpoint()
    }

    private func checkpoint() async {
        do {
            if let written = try await checkpointer.checkpoint() {
                logger.debug("audit checkpoint written", metadata: ["count": "\(written.count)"])
            }
        } catch {
            logger.warning("audit checkpoint not written", metadata: ["error": "\(error)"])
        }
    }
}

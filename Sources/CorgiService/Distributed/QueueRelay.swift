import CorgiReview
import Foundation
import Logging
import ServiceLifecycle

/// In every gateway: moves jobs the delivery ledger holds unqueued (the queue was unreachable,
/// or a gateway died between recording and publishing) onto the queue. Several gateways may
/// relay the same job; the queue's de-duplication by delivery id keeps one.
struct QueueRelay<Store: DeliveryStore, Queue: JobQueue>: Service, CustomStringConvertible {
    var description: String { "QueueRelay" }
    let intake: LedgerIntake<Store, Queue>
    let interval: Duration
    /// Younger deliveries are still being published by the request that recorded them.
    let grace: TimeInterval
    let logger: Logger

    func run() async throws {
        try await repeatUntilShutdown(every: interval) {
            do {
                let relayed = try await intake.relayPending(receivedBefore: Date().addingTimeInterval(-grace))
                if relayed > 0 { logger.notice("queued jobs from the delivery ledger", metadata: ["jobs": "\(relayed)"]) }
            } catch {
                logger.debug("delivery ledger not relayed yet", metadata: ["error": "\(type(of: error))"])
            }
        }
    }
}

import Hummingbird
import HTTPTypes
import NIOCore

/// Reading a webhook's body before its signature is checked: within `maximumBodyBytes`, and
/// within the gateway's budget of unverified bytes shared by every connection.
extension WebhookGateway {
    enum UnverifiedBody {
        case read(ByteBuffer, UnverifiedReservation)
        case tooLarge
        case overBudget
    }

    /// Reserves the declared length up front (or each chunk as it comes, without one), so a body
    /// the budget cannot hold is refused before its bytes are buffered.
    func readUnverifiedBody(_ request: inout Request) async -> UnverifiedBody {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        var reservation = UnverifiedReservation(budget: unverifiedBodyBudget)
        if let declared, !reservation.take(declared, totalAfter: declared) { return .overBudget }
        var body = ByteBuffer()
        body.reserveCapacity(min(declared ?? 0, maximumBodyBytes))
        do {
            for try await chunk in request.body {
                let total = body.readableBytes + chunk.readableBytes
                guard total <= maximumBodyBytes else {
                    reservation.release()
                    return .tooLarge
                }
                if declared == nil, !reservation.take(chunk.readableBytes, totalAfter: total) {
                    reservation.release()
                    return .overBudget
                }
                var chunk = chunk
                body.writeBuffer(&chunk)
            }
        } catch {
            reservation.release()
            return .tooLarge
        }
        return .read(body, reservation)
    }
}

/// The unverified bytes one request holds, from the small pool up to `UnverifiedBodyBudget.smallBodyBytes`
/// of body and from the large one beyond; given back once the signature has been checked.
struct UnverifiedReservation {
    let budget: UnverifiedBodyBudget
    private(set) var small = 0
    private(set) var large = 0

    init(budget: UnverifiedBodyBudget) { self.budget = budget }

    /// Takes `bytes` for a body that is `totalAfter` bytes long once they are added.
    mutating func take(_ bytes: Int, totalAfter: Int) -> Bool {
        let isLarge = totalAfter > UnverifiedBodyBudget.smallBodyBytes
        guard budget.reserve(bytes, large: isLarge) else { return false }
        if isLarge { large += bytes } else { small += bytes }
        return true
    }

    mutating func release() {
        budget.release(small, large: false)
        budget.release(large, large: true)
        small = 0
        large = 0
    }
}

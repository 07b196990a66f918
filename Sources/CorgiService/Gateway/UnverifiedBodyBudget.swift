import NIOConcurrencyHelpers

/// Bytes of request bodies held before their signature is verified, across all connections. A
/// client without the webhook secret can make the gateway buffer at most this much: beyond it a
/// body is refused (503) before it is read. Bodies up to `smallBodyBytes` — every ordinary
/// webhook — draw from a pool of their own, so large unsigned bodies cannot starve them.
public final class UnverifiedBodyBudget: Sendable {
    public static let smallBodyBytes = 1 << 20

    private struct Pools {
        var small: Int
        var large: Int
    }

    private let pools: NIOLockedValueBox<Pools>

    /// - Parameters:
    ///   - largeBytes: for bodies over `smallBodyBytes`.
    ///   - smallBytes: for bodies up to `smallBodyBytes`.
    public init(largeBytes: Int, smallBytes: Int = 16 << 20) {
        pools = NIOLockedValueBox(Pools(small: smallBytes, large: largeBytes))
    }

    /// Takes `bytes` from the large pool or the small one; false, and nothing taken, when it has not enough.
    public func reserve(_ bytes: Int, large: Bool) -> Bool {
        pools.withLockedValue { pools in
            if large {
                guard pools.large >= bytes else { return false }
                pools.large -= bytes
            } else {
                guard pools.small >= bytes else { return false }
                pools.small -= bytes
            }
            return true
        }
    }

    /// Gives back what `reserve` took.
    public func release(_ bytes: Int, large: Bool) {
        guard bytes > 0 else { return }
        pools.withLockedValue { pools in
            if large { pools.large += bytes } else { pools.small += bytes }
        }
    }
}

/// Wakes a waiting worker when work arrives, or after a timeout: the in-process half of the
/// embedded queue (the database is the durable half).
public actor WakeSignal {
    private var pending = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextID = 0

    public init() {}

    public func signal() {
        if waiters.isEmpty {
            pending = true
        } else {
            let all = waiters
            waiters.removeAll()
            for (_, w) in all { w.resume() }
        }
    }

    /// Returns on the next signal (or one that came since the last wait), or after `timeout`.
    public func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        let id = nextID
        nextID += 1
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}

@testable import CorgiNATS
import Foundation
import Logging
import NIOCore
import Testing

/// Connection logs stay out of test output; set CORGI_NATS_TEST_LOGS=1 to see them.
let testLogger: Logger = {
    var logger = Logger(label: "corgi-nats-tests")
    logger.logLevel = ProcessInfo.processInfo.environment["CORGI_NATS_TEST_LOGS"] == "1" ? .debug : .critical
    return logger
}()

extension NATSReconnectPolicy {
    /// Quick retries so reconnect tests take milliseconds, not seconds.
    static let fast = NATSReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(400), jitter: 0.1)
}

func options(for server: NATSTestServer, auth: NATSAuth = .none, tls: NATSTLSOptions? = nil) async -> NATSOptions {
    NATSOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: await server.port)], name: "corgi-tests",
                auth: auth, tls: tls, reconnect: .fast, connectTimeout: .seconds(5), requestTimeout: .seconds(5))
}

/// Connects, runs `body`, and always closes the connection.
func withConnection<T>(_ options: NATSOptions, _ body: (NATSConnection) async throws -> T) async throws -> T {
    let connection = NATSConnection(options: options, logger: testLogger)
    try await connection.connect()
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// Fails with a clear error instead of hanging when `body` takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String = "operation",
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TestSetupError("\(what) did not finish within \(limit)")
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// The next `count` messages of a subscription, failing after `limit`.
func receive(_ subscription: NATSSubscription, count: Int, within limit: Duration = .seconds(5)) async throws -> [NATSMessage] {
    try await withTimeout(limit, "receiving \(count) messages on \(subscription.subject)") {
        var messages: [NATSMessage] = []
        for await message in subscription {
            messages.append(message)
            if messages.count == count { break }
        }
        return messages
    }
}

/// Waits for the first event `matching`, failing after `limit`.
func waitForEvent(_ events: AsyncStream<NATSConnectionEvent>, within limit: Duration = .seconds(10),
                  matching: @escaping @Sendable (NATSConnectionEvent) -> Bool) async throws {
    try await withTimeout(limit, "waiting for a connection event") {
        for await event in events where matching(event) { return }
        throw TestSetupError("event stream ended")
    }
}

/// Deterministic generator for the garbage tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A valid user seed for arbitrary key bytes, for "wrong key" tests.
func userSeed(for key: [UInt8]) -> String {
    let prefix = NKey.seedPrefix | NKey.userPrefix >> 5
    var raw: [UInt8] = [prefix, (NKey.userPrefix & 31) << 3] + key
    let crc = CRC16.xmodem(raw[...])
    raw += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    return Base32.encode(raw)
}

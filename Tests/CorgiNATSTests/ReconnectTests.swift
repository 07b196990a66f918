@testable import CorgiNATS
import Foundation
import NIOCore
import Testing

@Suite("Reconnecting against nats-server", .requiresNATSServer, .timeLimit(.minutes(1)))
struct ReconnectTests {
    @Test("after a server restart subscriptions resume, buffered publishes arrive and stored jobs are still fetched")
    func restartMidStream() async throws {
        try await withNATSServer(jetStream: true) { server in
            let serverOptions = await options(for: server)
            try await withConnection(serverOptions) { connection in
                let events = await connection.events()
                let updates = try await connection.subscribe(to: "updates")
                let js = JetStream(connection: connection)
                _ = try await js.createOrUpdateStream(StreamConfig(name: "JOBS", subjects: ["jobs.*"], retention: .workqueue))
                _ = try await js.createOrUpdateConsumer(stream: "JOBS", config: ConsumerConfig(durableName: "worker"))
                for index in 1...3 {
                    _ = try await js.publish("jobs.new", payload: ByteBuffer(string: "job \(index)"), messageID: "job-\(index)")
                }
                try await connection.publish("updates", string: "before")
                #expect(try await receive(updates, count: 1).map(\.payloadString) == ["before"])

                await server.stopProcess()
                try await waitForEvent(events) { if case .disconnected = $0 { true } else { false } }
                #expect(await connection.status == .reconnecting)
                try await connection.publish("updates", string: "during")  // buffered

                try await server.restart()
                try await waitForEvent(events) { $0 == .reconnected }
                #expect(await connection.status == .connected)
                #expect(try await receive(updates, count: 1).map(\.payloadString) == ["during"])

                try await withConnection(serverOptions) { other in
                    try await other.publish("updates", string: "after")
                    try await other.flush()
                }
                #expect(try await receive(updates, count: 1).map(\.payloadString) == ["after"])

                let jobs = try await js.fetch(stream: "JOBS", consumer: "worker", batch: 3, expires: .seconds(5))
                #expect(jobs.map { String(buffer: $0.payload) } == ["job 1", "job 2", "job 3"])
                for job in jobs { try await job.doubleAck() }
                #expect(try await js.streamInfo("JOBS").state.messages == 0)
            }
        }
    }

    @Test("a server that stops answering is detected by keepalive PINGs, and the client reconnects when it resumes")
    func staleConnection() async throws {
        try await withNATSServer { server in
            var serverOptions = await options(for: server)
            serverOptions.pingInterval = .milliseconds(200)
            serverOptions.connectTimeout = .seconds(1)
            try await withConnection(serverOptions) { connection in
                let events = await connection.events()
                let subscription = try await connection.subscribe(to: "alive")
                await server.signal(SIGSTOP)
                try await waitForEvent(events, within: .seconds(5)) { if case .disconnected = $0 { true } else { false } }
                await server.signal(SIGCONT)
                try await waitForEvent(events, within: .seconds(10)) { $0 == .reconnected }
                try await connection.publish("alive", string: "yes")
                #expect(try await receive(subscription, count: 1).first?.payloadString == "yes")
            }
        }
    }

    @Test("publishes beyond the reconnect buffer fail; giving up closes the connection and fails pending requests")
    func givingUp() async throws {
        try await withNATSServer { server in
            var serverOptions = await options(for: server)
            serverOptions.reconnectBufferSize = 100
            serverOptions.reconnect = NATSReconnectPolicy(initialDelay: .milliseconds(300), maxDelay: .milliseconds(300), maxAttempts: 3)
            let connection = NATSConnection(options: serverOptions, logger: testLogger)
            try await connection.connect()
            let events = await connection.events()
            await server.stopProcess()
            try await waitForEvent(events) { if case .disconnected = $0 { true } else { false } }
            try await connection.publish("small", string: "fits")
            await #expect(throws: NATSError.reconnectBufferFull(limit: 100)) {
                try await connection.publish("large", payload: ByteBuffer(repeating: 1, count: 200))
            }
            await #expect(throws: NATSError.connectionClosed) {
                _ = try await connection.request("pending", timeout: .seconds(30))
            }
            #expect(await connection.status == .closed)
            await connection.close()
        }
    }
}

@testable import CorgiNATS
import NIOCore
import Testing

@Suite("Core NATS against nats-server", .requiresNATSServer, .timeLimit(.minutes(1)))
struct CoreIntegrationTests {
    @Test("publish and subscribe round trip, with and without headers")
    func pubSub() async throws {
        try await withNATSServer { server in
            try await withConnection(await options(for: server)) { connection in
                #expect(await connection.status == .connected)
                #expect(await connection.serverInfo?.version == "2.9.10")
                let subscription = try await connection.subscribe(to: "greetings.*")
                try await connection.flush()
                try await connection.publish("greetings.plain", string: "hello")
                try await connection.publish("greetings.headers", payload: ByteBuffer(string: "with headers"),
                                             headers: ["Corgi-Trace": "abc", "Empty": ""])
                let messages = try await receive(subscription, count: 2)
                #expect(messages[0].subject == "greetings.plain" && messages[0].payloadString == "hello" && messages[0].headers == nil)
                #expect(messages[1].subject == "greetings.headers" && messages[1].payloadString == "with headers")
                #expect(messages[1].headers?["Corgi-Trace"] == "abc" && messages[1].headers?["Empty"] == "")
            }
        }
    }

    @Test("request/reply through the shared inbox, concurrently")
    func requestReply() async throws {
        try await withNATSServer { server in
            let serverOptions = await options(for: server)
            try await withConnection(serverOptions) { responder in
                let service = try await responder.subscribe(to: "echo")
                let responderTask = Task {
                    for await request in service {
                        try await responder.publish(request.replyTo!, string: "echo: " + request.payloadString)
                    }
                }
                defer { responderTask.cancel() }
                try await responder.flush()
                try await withConnection(serverOptions) { client in
                    try await withThrowingTaskGroup(of: (Int, String).self) { group in
                        for index in 0..<20 {
                            group.addTask {
                                let reply = try await client.request("echo", payload: ByteBuffer(string: "\(index)"), timeout: .seconds(5))
                                return (index, reply.payloadString)
                            }
                        }
                        for try await (index, reply) in group { #expect(reply == "echo: \(index)") }
                    }
                }
            }
        }
    }

    @Test("a request nobody answers fails with no responders; a silent responder times out")
    func noResponders() async throws {
        try await withNATSServer { server in
            try await withConnection(await options(for: server)) { connection in
                await #expect(throws: NATSError.noResponders(subject: "nobody.home")) {
                    _ = try await connection.request("nobody.home", timeout: .seconds(5))
                }
                let silent = try await connection.subscribe(to: "silent")
                try await connection.flush()
                let started = ContinuousClock.now
                await #expect(throws: NATSError.timedOut("request to 'silent'")) {
                    _ = try await connection.request("silent", timeout: .milliseconds(300))
                }
                #expect(ContinuousClock.now - started >= .milliseconds(290))
                try await silent.unsubscribe()
            }
        }
    }

    @Test("a queue group shares messages; a plain subscriber gets them all")
    func queueGroups() async throws {
        try await withNATSServer { server in
            try await withConnection(await options(for: server)) { connection in
                let first = try await connection.subscribe(to: "work", queueGroup: "workers")
                let second = try await connection.subscribe(to: "work", queueGroup: "workers")
                let observer = try await connection.subscribe(to: "work")
                try await connection.flush()
                for index in 0..<40 { try await connection.publish("work", string: "\(index)") }
                try await connection.flush()
                #expect(try await receive(observer, count: 40).count == 40)
                try await first.unsubscribe()
                try await second.unsubscribe()
                var shared = 0
                for subscription in [first, second] {
                    for await _ in subscription { shared += 1 }
                }
                #expect(shared == 40)
            }
        }
    }

    @Test("UNSUB with a maximum ends the subscription after that many messages")
    func unsubscribeAfterMax() async throws {
        try await withNATSServer { server in
            try await withConnection(await options(for: server)) { connection in
                let subscription = try await connection.subscribe(to: "limited")
                try await subscription.unsubscribe(afterMessages: 3)
                for index in 0..<10 { try await connection.publish("limited", string: "\(index)") }
                let received = try await withTimeout(.seconds(5), "the limited subscription") {
                    var payloads: [String] = []
                    for await message in subscription { payloads.append(message.payloadString) }
                    return payloads
                }
                #expect(received == ["0", "1", "2"])
            }
        }
    }

    @Test("closing ends subscriptions and refuses further use")
    func close() async throws {
        try await withNATSServer { server in
            let connection = NATSConnection(options: await options(for: server), logger: testLogger)
            try await connection.connect()
            let events = await connection.events()
            let subscription = try await connection.subscribe(to: "x")
            await connection.close()
            #expect(await connection.status == .closed)
            for await _ in subscription { Issue.record("message after close") }
            await #expect(throws: NATSError.connectionClosed) { try await connection.publish("x", string: "late") }
            var seen: [NATSConnectionEvent] = []
            for await event in events { seen.append(event) }
            #expect(seen == [.closed])
        }
    }

    @Test("a publish over the server's max_payload is refused locally")
    func maxPayload() async throws {
        try await withNATSServer(extraConfig: "max_payload: 1024\n") { server in
            try await withConnection(await options(for: server)) { connection in
                await #expect(throws: NATSError.payloadTooLarge(size: 2000, limit: 1024)) {
                    try await connection.publish("big", payload: ByteBuffer(repeating: 0, count: 2000))
                }
            }
        }
    }
}

@testable import CorgiNATS
import Foundation
import NIOCore
import Testing

@Suite("JetStream metadata, models and options")
struct ModelTests {
    @Test("credentials never show when options are printed, dumped or interpolated", arguments: [
        NATSAuth.userPassword(user: "corgi", password: "hunter2-secret"), .token("hunter2-secret"), .nkey(seed: "SUhunter2-secret"),
    ])
    func credentialsRedacted(_ auth: NATSAuth) throws {
        let options = NATSOptions(servers: [NATSServerAddress(host: "127.0.0.1")], auth: auth)
        var dumped = ""
        dump(options, to: &dumped)
        for text in [String(describing: options), String(reflecting: options), "\(auth)", dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
    }

    @Test("ack subject, 9-token form")
    func ackSubjectV1() throws {
        let metadata = try JetStreamMessageMetadata(ackSubject: "$JS.ACK.JOBS.worker.2.17.5.1700000000123456789.3")
        #expect(metadata.domain == nil && metadata.accountHash == nil)
        #expect(metadata.stream == "JOBS" && metadata.consumer == "worker" && metadata.delivered == 2)
        #expect(metadata.streamSequence == 17 && metadata.consumerSequence == 5)
        #expect(metadata.timestamp == 1_700_000_000_123_456_789 && metadata.pending == 3)
    }

    @Test("ack subject, 11- and 12-token forms with domain and account hash")
    func ackSubjectV2() throws {
        let eleven = try JetStreamMessageMetadata(ackSubject: "$JS.ACK.hub.ACCHASH.JOBS.worker.1.8.8.1700000000000000000.0")
        #expect(eleven.domain == "hub" && eleven.accountHash == "ACCHASH" && eleven.stream == "JOBS" && eleven.streamSequence == 8)
        let twelve = try JetStreamMessageMetadata(ackSubject: "$JS.ACK._.ACCHASH.JOBS.worker.3.9.4.1700000000000000000.12.r4nd0m")
        #expect(twelve.domain == nil && twelve.delivered == 3 && twelve.consumerSequence == 4 && twelve.pending == 12)
    }

    @Test("subjects that are not ack subjects are refused", arguments: [
        "_INBOX.abc", "$JS.ACK.JOBS.worker.1.2.3.4", "$JS.ACK.JOBS.worker.x.2.3.4.5", "$JS.NAK.JOBS.worker.1.2.3.4.5",
        "$JS.ACK.a.b.JOBS.worker.1.2.3.4", "$JS.ACK.a.b.c.JOBS.worker.1.2.3.4.5.6.7",
    ])
    func notAckSubjects(subject: String) {
        #expect(throws: JetStreamError.self) { try JetStreamMessageMetadata(ackSubject: subject) }
    }

    @Test("stream and consumer configs encode durations as nanoseconds")
    func configEncoding() throws {
        let stream = StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workqueue, storage: .memory,
                                  maxAge: .seconds(3600), duplicateWindow: .seconds(120))
        let json = String(buffer: try JetStream.encode(stream))
        #expect(json.contains(#""max_age":3600000000000"#) && json.contains(#""duplicate_window":120000000000"#))
        #expect(json.contains(#""retention":"workqueue""#) && json.contains(#""storage":"memory""#) && json.contains(#""num_replicas":1"#))
        #expect(try JSONDecoder().decode(StreamConfig.self, from: Data(json.utf8)) == stream)

        let consumer = ConsumerConfig(durableName: "worker", ackWait: .milliseconds(1500), maxDeliver: 3, maxAckPending: 10, filterSubject: "jobs.new")
        let consumerJSON = String(buffer: try JetStream.encode(consumer))
        #expect(consumerJSON.contains(#""ack_wait":1500000000"#) && consumerJSON.contains(#""ack_policy":"explicit""#))
        #expect(consumerJSON.contains(#""deliver_policy":"all""#) && consumerJSON.contains(#""durable_name":"worker""#))
        #expect(try JSONDecoder().decode(ConsumerConfig.self, from: Data(consumerJSON.utf8)) == consumer)
    }

    @Test("an API error answer becomes a typed error")
    func apiError() {
        let payload = ByteBuffer(string: #"{"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"}}"#)
        #expect(throws: JetStreamError.api(JetStreamAPIError(code: 404, errorCode: 10059, errorDescription: "stream not found"))) {
            _ = try JetStream.decode(StreamInfo.self, from: payload)
        }
        #expect(throws: JetStreamError.self) { _ = try JetStream.decode(PublishAck.self, from: ByteBuffer(string: "nonsense")) }
    }

    @Test("backoff doubles, is capped and jitters within bounds")
    func backoff() {
        let policy = NATSReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2), jitter: 0.5)
        var generator = SeededGenerator(state: 7)
        for attempt in 1...40 {
            let base = min(Duration.milliseconds(100) * (1 << min(attempt - 1, 32)), .seconds(2))
            let delay = policy.delay(forAttempt: attempt, using: &generator)
            #expect(delay >= base && delay <= base * 1.5, "attempt \(attempt): \(delay)")
        }
        let exact = NATSReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0)
        #expect((1...5).map { exact.delay(forAttempt: $0, using: &generator) }
                == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1)])
    }

    @Test("URLs give servers, credentials and TLS")
    func urls() throws {
        let options = try NATSOptions(urls: ["nats://alice:s%40cret@10.0.0.1:4223", "tls://nats.internal"])
        #expect(options.servers == [NATSServerAddress(host: "10.0.0.1", port: 4223), NATSServerAddress(host: "nats.internal", port: 4222)])
        guard case .userPassword("alice", "s@cret") = options.auth else { Issue.record("auth \(options.auth)"); return }
        #expect(options.tls != nil)
        guard case .token("t0ken") = try NATSOptions(url: "t0ken@127.0.0.1").auth else { Issue.record("token"); return }
        #expect(throws: NATSError.self) { try NATSOptions(url: "http://example.com") }
    }

    @Test("durations convert to nanoseconds")
    func nanoseconds() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
    }
}

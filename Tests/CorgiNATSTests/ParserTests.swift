@testable import CorgiNATS
import NIOCore
import Testing

@Suite("Protocol parser and encoder")
struct ParserTests {
    static let info = #"INFO {"server_id":"NABC","version":"2.9.10","proto":1,"headers":true,"max_payload":1048576,"nonce":"n0nce","tls_required":false}"# + "\r\n"

    static let mixedStream: String = info
        + "PING\r\n"
        + "MSG orders.created 7 5\r\nhello\r\n"
        + "MSG orders.created 7 _INBOX.abc.1 12\r\nhello\r\nworld\r\n"
        + "HMSG jobs.new 9 $JS.ACK.JOBS.worker.1.2.2.1700000000000000000.0 40 45\r\nNATS/1.0\r\nNats-Msg-Id: job-1\r\nX: a:b\r\n\r\nwork!\r\n"
        + "PONG\r\n+OK\r\n-ERR 'Unknown Protocol Operation'\r\n"
        + "MSG empty 1 0\r\n\r\n"

    static func parseAll(_ chunks: [[UInt8]]) throws -> [ServerOperation] {
        var parser = NATSParser()
        var operations: [ServerOperation] = []
        for chunk in chunks {
            parser.append(ByteBuffer(bytes: chunk))
            while let operation = try parser.next() { operations.append(operation) }
        }
        return operations
    }

    @Test("a mixed stream parses to the expected operations")
    func wholeStream() throws {
        let operations = try Self.parseAll([Array(Self.mixedStream.utf8)])
        #expect(operations.count == 9)
        guard case .info(let info) = operations[0] else { Issue.record("expected INFO"); return }
        #expect(info.serverID == "NABC" && info.version == "2.9.10" && info.headers && info.nonce == "n0nce")
        #expect(operations[1] == .ping)
        #expect(operations[2] == .message(NATSMessage(subject: "orders.created", payload: ByteBuffer(string: "hello"), sid: 7)))
        #expect(operations[3] == .message(NATSMessage(subject: "orders.created", replyTo: "_INBOX.abc.1",
                                                      payload: ByteBuffer(string: "hello\r\nworld"), sid: 7)))
        guard case .message(let hmsg) = operations[4] else { Issue.record("expected HMSG"); return }
        #expect(hmsg.subject == "jobs.new" && hmsg.sid == 9)
        #expect(hmsg.replyTo == "$JS.ACK.JOBS.worker.1.2.2.1700000000000000000.0")
        #expect(hmsg.headers?["nats-msg-id"] == "job-1")
        #expect(hmsg.headers?["X"] == "a:b")
        #expect(hmsg.headers?.status == nil)
        #expect(hmsg.payloadString == "work!")
        #expect(operations[5] == .pong && operations[6] == .ok)
        #expect(operations[7] == .error("Unknown Protocol Operation"))
        #expect(operations[8] == .message(NATSMessage(subject: "empty", sid: 1)))
    }

    @Test("frames fed byte by byte parse the same as all at once")
    func byteByByte() throws {
        let bytes = Array(Self.mixedStream.utf8)
        let expected = try Self.parseAll([bytes])
        #expect(try Self.parseAll(bytes.map { [$0] }) == expected)
    }

    @Test("frames split at every possible boundary parse the same")
    func everySplit() throws {
        let bytes = Array(Self.mixedStream.utf8)
        let expected = try Self.parseAll([bytes])
        for split in 0...bytes.count {
            #expect(try Self.parseAll([Array(bytes[..<split]), Array(bytes[split...])]) == expected, "split at \(split)")
        }
    }

    @Test("HMSG status lines", arguments: [
        ("NATS/1.0 404 No Messages\r\n\r\n", 404, "No Messages"),
        ("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n", 408, "Request Timeout"),
        ("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 0\r\n\r\n", 100, "Idle Heartbeat"),
        ("NATS/1.0 409 Consumer Deleted\r\n\r\n", 409, "Consumer Deleted"),
        ("NATS/1.0 503\r\n\r\n", 503, nil),
    ] as [(String, Int, String?)])
    func statusLines(block: String, status: Int, description: String?) throws {
        let frame = "HMSG _INBOX.x.1 3 \(block.utf8.count) \(block.utf8.count)\r\n\(block)\r\n"
        let operations = try Self.parseAll(Array(frame.utf8).map { [$0] })
        guard case .message(let message) = operations.first else { Issue.record("no message"); return }
        #expect(message.status == status)
        #expect(message.headers?.statusDescription == description)
        #expect(message.payload.readableBytes == 0)
        if status == 408 { #expect(message.headers?["Nats-Pending-Messages"] == "1") }
    }

    @Test("garbage gives a clear protocol error", arguments: [
        ("HELLO world\r\n", "unknownOperation"),
        ("MSG subject\r\n", "malformedControlLine"),
        ("MSG subject notanumber 5\r\nhello\r\n", "malformedControlLine"),
        ("MSG subject 1 -5\r\n", "malformedControlLine"),
        ("MSG a 1 b c d\r\n", "malformedControlLine"),
        ("HMSG subject 1 10 5\r\n", "malformedControlLine"),
        ("MSG subject 1 3\r\nhelloXX", "missingPayloadTerminator"),
        ("HMSG s 1 12 12\r\nHTTP/1.1 200\r\n", "invalidHeaders"),
        ("HMSG s 1 20 20\r\nNATS/1.0\r\nbadheader\r\n\r\n", "invalidHeaders"),
        ("HMSG s 1 19 19\r\nNATS/1.0 4O4 Bad\r\n\r\n\r\n", "invalidHeaders"),
        ("INFO {not json\r\n", "invalidInfo"),
        ("MSG s 1 999999999999\r\n", "payloadTooLarge"),
        ("\u{01}\u{02}\u{03}\r\n", "unknownOperation"),
    ])
    func garbage(input: String, kind: String) {
        do {
            _ = try Self.parseAll([Array(input.utf8)])
            Issue.record("no error for \(input.debugDescription)")
        } catch let error as NATSProtocolError {
            #expect(String(describing: error).isEmpty == false)
            #expect(Self.kind(of: error) == kind, "\(input.debugDescription): \(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    static func kind(of error: NATSProtocolError) -> String {
        switch error {
        case .unknownOperation: "unknownOperation"
        case .malformedControlLine: "malformedControlLine"
        case .controlLineTooLong: "controlLineTooLong"
        case .payloadTooLarge: "payloadTooLarge"
        case .missingPayloadTerminator: "missingPayloadTerminator"
        case .invalidHeaders: "invalidHeaders"
        case .invalidInfo: "invalidInfo"
        }
    }

    @Test("a control line without end is rejected once it passes the limit")
    func endlessControlLine() {
        var parser = NATSParser(maxControlLine: 1024)
        parser.append(ByteBuffer(repeating: UInt8(ascii: "A"), count: 1000))
        #expect(throws: Never.self) { _ = try parser.next() }
        parser.append(ByteBuffer(repeating: UInt8(ascii: "A"), count: 100))
        #expect(throws: NATSProtocolError.controlLineTooLong(limit: 1024)) { _ = try parser.next() }
    }

    @Test("random bytes never crash the parser: they parse or throw a protocol error")
    func randomGarbage() {
        var generator = SeededGenerator(state: 0xC0_46_1)
        let alphabet = Array("MSG HMSG PING PONG INFO +OK -ERR NATS/1.0 0123456789 \r\n:{}".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...80, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            var parser = NATSParser(maxControlLine: 64, maxPayload: 1024)
            parser.append(ByteBuffer(bytes: bytes))
            // `next()` throws only NATSProtocolError (typed throws); reaching here without a trap is the point.
            do {
                while try parser.next() != nil {}
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("commands encode to the wire format")
    func encoding() throws {
        func encode(_ command: ClientCommand) throws -> String {
            var buffer = ByteBuffer()
            try buffer.writeCommand(command)
            return String(buffer: buffer)
        }
        #expect(try encode(.publish(subject: "a.b", replyTo: nil, headers: nil, payload: ByteBuffer(string: "hi"))) == "PUB a.b 2\r\nhi\r\n")
        #expect(try encode(.publish(subject: "a", replyTo: "r.1", headers: nil, payload: ByteBuffer())) == "PUB a r.1 0\r\n\r\n")
        let headers: NATSHeaders = ["Nats-Msg-Id": "42"]
        #expect(try encode(.publish(subject: "a", replyTo: nil, headers: headers, payload: ByteBuffer(string: "xyz")))
                == "HPUB a 29 32\r\nNATS/1.0\r\nNats-Msg-Id: 42\r\n\r\nxyz\r\n")
        #expect(try encode(.subscribe(sid: 3, subject: "jobs.>", queueGroup: "workers")) == "SUB jobs.> workers 3\r\n")
        #expect(try encode(.subscribe(sid: 4, subject: "x", queueGroup: nil)) == "SUB x 4\r\n")
        #expect(try encode(.unsubscribe(sid: 3, max: 5)) == "UNSUB 3 5\r\n")
        #expect(try encode(.unsubscribe(sid: 3, max: nil)) == "UNSUB 3\r\n")
        let connect = try encode(.connect(ConnectRequest(tlsRequired: false, name: "corgi", echo: true, user: "u", pass: "p")))
        #expect(connect.hasPrefix("CONNECT {") && connect.hasSuffix("}\r\n"))
        for field in [#""verbose":false"#, #""pedantic":false"#, #""headers":true"#, #""no_responders":true"#,
                      #""protocol":1"#, #""user":"u""#, #""pass":"p""#] {
            #expect(connect.contains(field), "\(field) in \(connect)")
        }
        #expect(!connect.contains("auth_token") && !connect.contains("sig"))
    }

    @Test("headers that would break framing are refused")
    func badHeaders() {
        var buffer = ByteBuffer()
        #expect(throws: NATSError.self) {
            try buffer.writeCommand(.publish(subject: "a", replyTo: nil, headers: ["X": "line\r\nbreak"], payload: ByteBuffer()))
        }
        #expect(throws: NATSError.self) {
            try buffer.writeCommand(.publish(subject: "a", replyTo: nil, headers: ["Bad Name": "v"], payload: ByteBuffer()))
        }
    }

    @Test("headers round-trip through encode and parse")
    func headerRoundTrip() throws {
        var headers = NATSHeaders()
        headers.append("1", for: "A")
        headers.append("2", for: "A")
        headers["B"] = "x: y"
        let parsed = try NATSHeaders.parse(Array(try headers.encoded().utf8))
        #expect(parsed == headers)
        #expect(parsed.values(for: "a") == ["1", "2"])
    }

    @Test("subjects with whitespace or empty tokens are refused")
    func subjects() {
        for bad in ["", "a b", "a\tb", "a..b", ".a", "a.", "a\r\n"] {
            #expect(throws: NATSError.invalidSubject(bad)) { try SubjectValidation.check(bad) }
        }
        #expect(throws: NATSError.self) { try SubjectValidation.check("a.*", allowWildcards: false) }
        #expect(throws: Never.self) { try SubjectValidation.check("a.*.>") }
    }
}

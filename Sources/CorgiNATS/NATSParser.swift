import Foundation
import NIOCore

/// Incremental decoder for the server side of the NATS protocol: bytes go in as they arrive, in
/// chunks split anywhere, and complete operations come out. Anything that is not the protocol throws
/// a ``NATSProtocolError`` rather than trapping; the caller then drops the connection.
struct NATSParser {
    /// INFO with many `connect_urls` is the longest line a server sends; 64 KiB leaves ample room.
    static let defaultMaxControlLine = 64 * 1024
    static let defaultMaxPayload = 64 * 1024 * 1024

    private struct PendingMessage {
        var subject: String
        var sid: UInt64
        var replyTo: String?
        var headerLength: Int?
        var totalLength: Int
    }

    let maxControlLine: Int
    let maxPayload: Int
    private var buffer = ByteBuffer()
    private var pending: PendingMessage?
    /// How far the current control line has been searched for LF, so a line arriving byte by byte
    /// is not rescanned from its start each time.
    private var scanned = 0

    init(maxControlLine: Int = defaultMaxControlLine, maxPayload: Int = defaultMaxPayload) {
        self.maxControlLine = maxControlLine
        self.maxPayload = maxPayload
    }

    mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex > 64 * 1024 {
            buffer.discardReadBytes()
        }
        buffer.writeImmutableBuffer(bytes)
    }

    /// The next complete operation, or `nil` when more bytes are needed.
    mutating func next() throws(NATSProtocolError) -> ServerOperation? {
        while true {
            if let message = pending {
                return try readPayload(of: message)
            }
            guard let line = try readControlLine() else { return nil }
            if let operation = try parseControlLine(line) {
                return operation
            }
            // A MSG/HMSG line: loop to read its payload.
        }
    }

    private mutating func readControlLine() throws(NATSProtocolError) -> [UInt8]? {
        let view = buffer.readableBytesView
        let searchStart = view.startIndex + scanned
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if view.count > maxControlLine { throw .controlLineTooLong(limit: maxControlLine) }
            return nil
        }
        let length = newline - view.startIndex
        if length > maxControlLine { throw .controlLineTooLong(limit: maxControlLine) }
        var line = Array(view[view.startIndex..<newline])
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        buffer.moveReaderIndex(forwardBy: length + 1)
        scanned = 0
        return line
    }

    private mutating func parseControlLine(_ line: [UInt8]) throws(NATSProtocolError) -> ServerOperation? {
        let opEnd = line.firstIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } ?? line.endIndex
        let op = String(decoding: line[..<opEnd], as: UTF8.self).uppercased()
        let rest = line[opEnd...]
        switch op {
        case "MSG", "HMSG":
            pending = try parseMessageArguments(rest, hasHeaders: op == "HMSG", line: line)
            return nil
        case "PING":
            return .ping
        case "PONG":
            return .pong
        case "+OK":
            return .ok
        case "-ERR":
            var text = String(decoding: rest, as: UTF8.self).trimmingWhitespace()
            if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") { text = text.dropFirst().dropLast() }
            return .error(String(text))
        case "INFO":
            do {
                return .info(try JSONDecoder().decode(ServerInfo.self, from: Data(rest)))
            } catch {
                throw .invalidInfo(String(describing: error))
            }
        case "":
            if line.isEmpty { return nil }  // a stray blank line carries nothing
            throw .unknownOperation(Self.printable(line))
        default:
            throw .unknownOperation(Self.printable(line))
        }
    }

    private func parseMessageArguments(_ rest: ArraySlice<UInt8>, hasHeaders: Bool, line: [UInt8]) throws(NATSProtocolError) -> PendingMessage {
        let arguments = rest.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.map { String(decoding: $0, as: UTF8.self) }
        let malformed = NATSProtocolError.malformedControlLine(Self.printable(line))
        let sizeCount = hasHeaders ? 2 : 1
        guard arguments.count == 2 + sizeCount || arguments.count == 3 + sizeCount else { throw malformed }
        guard let sid = UInt64(arguments[1]) else { throw malformed }
        let sizes = arguments.suffix(sizeCount).map { Int($0) }
        guard sizes.allSatisfy({ $0 != nil && $0! >= 0 }) else { throw malformed }
        let total = sizes.last!!
        let headerLength = hasHeaders ? sizes.first! : nil
        if let headerLength, headerLength > total { throw malformed }
        if total > maxPayload { throw .payloadTooLarge(size: total, limit: maxPayload) }
        let replyTo = arguments.count == 3 + sizeCount ? arguments[2] : nil
        return PendingMessage(subject: arguments[0], sid: sid, replyTo: replyTo, headerLength: headerLength, totalLength: total)
    }

    private mutating func readPayload(of message: PendingMessage) throws(NATSProtocolError) -> ServerOperation? {
        guard buffer.readableBytes >= message.totalLength + 2 else { return nil }
        let headerLength = message.headerLength ?? 0
        var headers: NATSHeaders?
        if message.headerLength != nil {
            headers = try NATSHeaders.parse(buffer.readableBytesView.prefix(headerLength))
        }
        buffer.moveReaderIndex(forwardBy: headerLength)
        let payload = buffer.readSlice(length: message.totalLength - headerLength)!
        guard buffer.readBytes(length: 2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")] else {
            throw .missingPayloadTerminator
        }
        pending = nil
        return .message(NATSMessage(subject: message.subject, replyTo: message.replyTo, headers: headers, payload: payload, sid: message.sid))
    }

    /// A short, printable rendering of a bad line for error messages.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        String(bytes.prefix(64).map { (32..<127).contains($0) ? Character(UnicodeScalar($0)) : "?" })
    }
}

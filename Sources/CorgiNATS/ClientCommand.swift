import Foundation
import NIOCore

/// The `CONNECT` options this client sends: headers and no-responders on, verbose and pedantic off.
struct ConnectRequest: Encodable, Equatable {
    var verbose = false
    var pedantic = false
    var tlsRequired: Bool
    var name: String?
    var lang = "swift"
    var version = "1.0.0"
    var protocolVersion = 1
    var echo: Bool
    var headers = true
    var noResponders = true
    var user: String?
    var pass: String?
    var authToken: String?
    var nkey: String?
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case verbose, pedantic, tlsRequired = "tls_required", name, lang, version, protocolVersion = "protocol", echo
        case headers, noResponders = "no_responders", user, pass, authToken = "auth_token", nkey, sig
    }
}

/// Everything the client writes to the server.
enum ClientCommand {
    case connect(ConnectRequest)
    case publish(subject: String, replyTo: String?, headers: NATSHeaders?, payload: ByteBuffer)
    case subscribe(sid: UInt64, subject: String, queueGroup: String?)
    case unsubscribe(sid: UInt64, max: Int?)
    case ping
    case pong
}

extension ByteBuffer {
    mutating func writeCommand(_ command: ClientCommand) throws(NATSError) {
        switch command {
        case .connect(let request):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json: Data
            do { json = try encoder.encode(request) } catch { throw .connectionFailed("cannot encode CONNECT: \(error)") }
            writeString("CONNECT ")
            writeBytes(json)
            writeString("\r\n")
        case .publish(let subject, let replyTo, let headers, let payload):
            let reply = replyTo.map { " \($0)" } ?? ""
            if let headers {
                let headerBlock = try headers.encoded()
                let headerLength = headerBlock.utf8.count
                writeString("HPUB \(subject)\(reply) \(headerLength) \(headerLength + payload.readableBytes)\r\n")
                writeString(headerBlock)
            } else {
                writeString("PUB \(subject)\(reply) \(payload.readableBytes)\r\n")
            }
            writeImmutableBuffer(payload)
            writeString("\r\n")
        case .subscribe(let sid, let subject, let queueGroup):
            writeString("SUB \(subject)\(queueGroup.map { " \($0)" } ?? "") \(sid)\r\n")
        case .unsubscribe(let sid, let max):
            writeString("UNSUB \(sid)\(max.map { " \($0)" } ?? "")\r\n")
        case .ping:
            writeString("PING\r\n")
        case .pong:
            writeString("PONG\r\n")
        }
    }
}

enum SubjectValidation {
    /// Subjects and queue groups are single protocol tokens: no whitespace or control characters.
    static func check(_ subject: String, allowWildcards: Bool = true) throws(NATSError) {
        guard !subject.isEmpty,
              !subject.unicodeScalars.contains(where: { $0.value <= 32 || $0.value == 127 }),
              !subject.hasPrefix("."), !subject.hasSuffix("."), !subject.contains("..")
        else { throw .invalidSubject(subject) }
        if !allowWildcards, subject.split(separator: ".").contains(where: { $0 == "*" || $0 == ">" }) {
            throw .invalidSubject(subject)
        }
    }

    static func checkQueueGroup(_ group: String) throws(NATSError) {
        guard !group.isEmpty, !group.unicodeScalars.contains(where: { $0.value <= 32 || $0.value == 127 }) else {
            throw .invalidSubject(group)
        }
    }
}

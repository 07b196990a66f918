/// NATS message headers (`NATS/1.0` block): ordered fields, plus the optional status line the
/// server uses for control messages (`NATS/1.0 503`, `NATS/1.0 404 No Messages`, ...).
///
/// Names keep their case; lookups ignore it, since servers and clients disagree on canonical case.
public struct NATSHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var fields: [Field]
    /// Status code from the version line, e.g. 404, 408, 409, 503, or 100 for idle heartbeats.
    public var status: Int?
    /// Text after the status code, e.g. "No Messages" or "Request Timeout".
    public var statusDescription: String?

    public init() {
        self.init(fields: [])
    }

    public init(fields: [Field], status: Int? = nil, statusDescription: String? = nil) {
        self.fields = fields
        self.status = status
        self.statusDescription = statusDescription
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(fields: elements.map { Field(name: $0.0, value: $0.1) })
    }

    /// The first value for `name`; setting replaces every field of that name.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            if let newValue { fields.append(Field(name: name, value: newValue)) }
        }
    }

    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public mutating func append(_ value: String, for name: String) {
        fields.append(Field(name: name, value: value))
    }

    public var isEmpty: Bool { fields.isEmpty && status == nil }
}

extension NATSHeaders {
    static let versionLine = "NATS/1.0"

    /// Parses a complete header block, including its terminating empty line.
    static func parse(_ bytes: some Collection<UInt8>) throws(NATSProtocolError) -> NATSHeaders {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix(versionLine) else {
            throw .invalidHeaders("missing \(versionLine) version line")
        }
        var headers = NATSHeaders()
        let statusPart = first.dropFirst(versionLine.count)
        if !statusPart.isEmpty {
            guard statusPart.first == " " || statusPart.first == "\t" else {
                throw .invalidHeaders("unexpected version line '\(first.prefix(64))'")
            }
            let trimmed = statusPart.drop { $0 == " " || $0 == "\t" }
            let code = trimmed.prefix { $0 != " " && $0 != "\t" }
            if !code.isEmpty {
                guard code.count == 3, let status = Int(code) else {
                    throw .invalidHeaders("invalid status '\(code.prefix(16))'")
                }
                headers.status = status
                let description = trimmed.dropFirst(code.count).trimmingWhitespace()
                headers.statusDescription = description.isEmpty ? nil : String(description)
            }
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidHeaders("header line without ':'")
            }
            let name = line[..<colon].trimmingWhitespace()
            guard !name.isEmpty else { throw .invalidHeaders("empty header name") }
            headers.fields.append(Field(name: String(name), value: String(line[line.index(after: colon)...].trimmingWhitespace())))
        }
        return headers
    }

    /// The wire form, ending with the empty line. Throws when a name or value would break framing.
    func encoded() throws(NATSError) -> String {
        var text = Self.versionLine
        if let status {
            text += " \(status)"
            if let statusDescription { text += " \(statusDescription)" }
        }
        text += "\r\n"
        for field in fields {
            guard !field.name.isEmpty, !field.name.contains(where: { $0 == ":" || $0.isWhitespace }) else {
                throw .invalidHeader("name '\(field.name)'")
            }
            guard !field.value.contains(where: \.isNewline) else {
                throw .invalidHeader("value of '\(field.name)' contains a line break")
            }
            text += "\(field.name): \(field.value)\r\n"
        }
        return text + "\r\n"
    }
}

extension StringProtocol {
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        count == other.count && lowercased() == other.lowercased()
    }

    func trimmingWhitespace() -> SubSequence {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}

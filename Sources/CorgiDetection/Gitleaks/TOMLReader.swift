/// A TOML value. Only what configuration files need; dates are kept as strings.
public indirect enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table([String: TOMLValue])

    public subscript(key: String) -> TOMLValue? {
        if case .table(let t) = self { return t[key] }
        return nil
    }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .boolean(let b) = self { b } else { nil } }
    public var array: [TOMLValue]? { if case .array(let a) = self { a } else { nil } }
    public var table: [String: TOMLValue]? { if case .table(let t) = self { t } else { nil } }
    public var double: Double? {
        switch self {
        case .float(let d): d
        case .integer(let i): Double(i)
        default: nil
        }
    }
    public var int: Int? { if case .integer(let i) = self { i } else { nil } }
}

public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "TOML line \(line): \(reason)" }
}

/// A small TOML 1.0 reader (no package in the mirror resolves here: TOMLKit depends on a package
/// that is not available). Covers tables, arrays of tables, dotted keys, basic and literal strings
/// (single- and multi-line), integers, floats, booleans, arrays and inline tables. Date-times are
/// read as strings.
public struct TOMLReader {
    private let s: [UInt8]
    private var i = 0
    private var line = 1

    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var reader = TOMLReader(s: Array(text.utf8))
        return try reader.document()
    }

    private init(s: [UInt8]) { self.s = s }

    private func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    private mutating func document() throws(TOMLError) -> [String: TOMLValue] {
        var root: [String: TOMLValue] = [:]
        var current: [String] = []  // path of the table being filled; arrays of tables: last element
        var definedTables = Set<[String]>()
        while true {
            skipTrivia(newlines: true)
            guard i < s.count else { break }
            if s[i] == UInt8(ascii: "[") {
                let isArray = i + 1 < s.count && s[i + 1] == UInt8(ascii: "[")
                i += isArray ? 2 : 1
                skipTrivia(newlines: false)
                let path = try key()
                skipTrivia(newlines: false)
                guard expect("]"), !isArray || expect("]") else { throw fail("expected ']' after table name") }
                if isArray {
                    try Self.appendTable(at: path, in: &root, line: line)
                } else {
                    guard definedTables.insert(path).inserted else { throw fail("table [\(path.joined(separator: "."))] defined twice") }
                    try Self.ensureTable(at: path, in: &root, line: line)
                }
                current = path
                try endOfLine()
                continue
            }
            let path = try key()
            skipTrivia(newlines: false)
            guard expect("=") else { throw fail("expected '=' after key") }
            skipTrivia(newlines: false)
            let v = try value()
            try Self.insert(v, at: current + path, in: &root, line: line)
            try endOfLine()
        }
        return root
    }

    // MARK: Tree edits (arrays of tables address their last element)

    private static func modify(
        _ path: ArraySlice<String>, in table: inout [String: TOMLValue], line: Int,
        _ body: (inout [String: TOMLValue]) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else { return try body(&table) }
        var child = table[first] ?? .table([:])
        switch child {
        case .table(var t):
            try modify(path.dropFirst(), in: &t, line: line, body)
            child = .table(t)
        case .array(var a) where !a.isEmpty:
            guard case .table(var t) = a[a.count - 1] else { throw TOMLError(line: line, reason: "'\(first)' is not a table") }
            try modify(path.dropFirst(), in: &t, line: line, body)
            a[a.count - 1] = .table(t)
            child = .array(a)
        default:
            throw TOMLError(line: line, reason: "'\(first)' is already a value")
        }
        table[first] = child
    }

    private static func ensureTable(at path: [String], in root: inout [String: TOMLValue], line: Int) throws(TOMLError) {
        try modify(path[...], in: &root, line: line) { _ throws(TOMLError) in }
    }

    private static func appendTable(at path: [String], in root: inout [String: TOMLValue], line: Int) throws(TOMLError) {
        try modify(path.dropLast(), in: &root, line: line) { (t: inout [String: TOMLValue]) throws(TOMLError) in
            var items: [TOMLValue] = []
            if let existing = t[path.last!] {
                guard case .array(let a) = existing else { throw TOMLError(line: line, reason: "'\(path.last!)' is not an array of tables") }
                items = a
            }
            items.append(.table([:]))
            t[path.last!] = .array(items)
        }
    }

    private static func insert(_ v: TOMLValue, at path: [String], in root: inout [String: TOMLValue], line: Int) throws(TOMLError) {
        try modify(path.dropLast(), in: &root, line: line) { (t: inout [String: TOMLValue]) throws(TOMLError) in
            guard t[path.last!] == nil else { throw TOMLError(line: line, reason: "key '\(path.joined(separator: "."))' defined twice") }
            t[path.last!] = v
        }
    }

    // MARK: Lexing

    private mutating func skipTrivia(newlines: Bool) {
        while i < s.count {
            let c = s[i]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                i += 1
            } else if c == 0x0A, newlines {
                line += 1
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < s.count, s[i] != 0x0A { i += 1 }
            } else {
                break
            }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipTrivia(newlines: false)
        guard i >= s.count || s[i] == 0x0A else { throw fail("unexpected text after a value") }
    }

    private mutating func expect(_ c: Character) -> Bool {
        guard i < s.count, s[i] == c.asciiValue! else { return false }
        i += 1
        return true
    }

    private mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        repeat {
            skipTrivia(newlines: false)
            guard i < s.count else { throw fail("expected a key") }
            if s[i] == UInt8(ascii: "\"") || s[i] == UInt8(ascii: "'") {
                guard case .string(let k) = try value() else { throw fail("bad key") }
                parts.append(k)
            } else {
                let start = i
                while i < s.count, Self.isBareKey(s[i]) { i += 1 }
                guard i > start else { throw fail("expected a key") }
                parts.append(String(decoding: s[start..<i], as: UTF8.self))
            }
            skipTrivia(newlines: false)
        } while expect(".")
        return parts
    }

    private static func isBareKey(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    private func starts(_ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        return i + bytes.count <= s.count && Array(s[i..<(i + bytes.count)]) == bytes
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard i < s.count else { throw fail("expected a value") }
        if starts("\"\"\"") { return .string(try multiline(quote: "\"\"\"", escapes: true)) }
        if starts("'''") { return .string(try multiline(quote: "'''", escapes: false)) }
        switch s[i] {
        case UInt8(ascii: "\""): return .string(try basicString())
        case UInt8(ascii: "'"):
            i += 1
            let start = i
            while i < s.count, s[i] != UInt8(ascii: "'"), s[i] != 0x0A { i += 1 }
            guard i < s.count, s[i] == UInt8(ascii: "'") else { throw fail("unterminated literal string") }
            defer { i += 1 }
            return .string(String(decoding: s[start..<i], as: UTF8.self))
        case UInt8(ascii: "["): return try arrayValue()
        case UInt8(ascii: "{"): return try inlineTable()
        default: return try scalar()
        }
    }

    private mutating func multiline(quote: String, escapes: Bool) throws(TOMLError) -> String {
        i += 3
        if i < s.count, s[i] == 0x0A { i += 1; line += 1 } else if starts("\r\n") { i += 2; line += 1 }
        var out: [UInt8] = []
        while i < s.count {
            if starts(quote) {
                // Up to two quote characters may end the content just before the delimiter.
                var extra = 0
                while starts(quote + String(repeating: String(quote.first!), count: extra + 1)), extra < 2 { extra += 1 }
                out += Array(repeating: s[i], count: extra)
                i += 3 + extra
                return String(decoding: out, as: UTF8.self)
            }
            if escapes, s[i] == UInt8(ascii: "\\") {
                // A line-ending backslash trims the newline and the white space after it.
                var j = i + 1
                while j < s.count, s[j] == 0x20 || s[j] == 0x09 || s[j] == 0x0D { j += 1 }
                if j < s.count, s[j] == 0x0A {
                    i = j
                    while i < s.count, s[i] == 0x20 || s[i] == 0x09 || s[i] == 0x0A || s[i] == 0x0D {
                        if s[i] == 0x0A { line += 1 }
                        i += 1
                    }
                    continue
                }
                out += try escape()
                continue
            }
            if s[i] == 0x0A { line += 1 }
            out.append(s[i])
            i += 1
        }
        throw fail("unterminated multi-line string")
    }

    private mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < s.count, s[i] != UInt8(ascii: "\"") {
            if s[i] == 0x0A { throw fail("unterminated string") }
            if s[i] == UInt8(ascii: "\\") { out += try escape(); continue }
            out.append(s[i])
            i += 1
        }
        guard i < s.count else { throw fail("unterminated string") }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func escape() throws(TOMLError) -> [UInt8] {
        i += 1
        guard i < s.count else { throw fail("unterminated escape") }
        let c = s[i]
        i += 1
        switch c {
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "e"): return [0x1B]
        case UInt8(ascii: "\""): return [0x22]
        case UInt8(ascii: "\\"): return [0x5C]
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = c == UInt8(ascii: "u") ? 4 : 8
            guard i + n <= s.count, let code = UInt32(String(decoding: s[i..<(i + n)], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(code)
            else { throw fail("bad unicode escape") }
            i += n
            return Array(String(Character(scalar)).utf8)
        default:
            throw fail("unknown escape '\\\(Character(Unicode.Scalar(c)))' (in a regex use a literal string: '...' or '''...''')")
        }
    }

    private mutating func arrayValue() throws(TOMLError) -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            skipTrivia(newlines: true)
            guard i < s.count else { throw fail("unterminated array") }
            if expect("]") { return .array(items) }
            items.append(try value())
            skipTrivia(newlines: true)
            if expect(",") { continue }
            skipTrivia(newlines: true)
            guard expect("]") else { throw fail("expected ',' or ']' in an array") }
            return .array(items)
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        i += 1
        var table: [String: TOMLValue] = [:]
        skipTrivia(newlines: false)
        if expect("}") { return .table(table) }
        while true {
            let path = try key()
            guard expect("=") else { throw fail("expected '=' in an inline table") }
            skipTrivia(newlines: false)
            let v = try value()
            try Self.insert(v, at: path, in: &table, line: line)
            skipTrivia(newlines: false)
            if expect(",") { skipTrivia(newlines: false); continue }
            guard expect("}") else { throw fail("expected ',' or '}' in an inline table") }
            return .table(table)
        }
    }

    private mutating func scalar() throws(TOMLError) -> TOMLValue {
        let start = i
        while i < s.count, !(s[i] == UInt8(ascii: ",") || s[i] == UInt8(ascii: "]") || s[i] == UInt8(ascii: "}")
            || s[i] == 0x0A || s[i] == UInt8(ascii: "#") || s[i] == 0x0D) { i += 1 }
        let text = String(decoding: s[start..<i], as: UTF8.self).trimmingTrailingSpaces()
        i = start + text.utf8.count
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "": throw fail("expected a value")
        default: break
        }
        let digits = text.replacingUnderscores()
        if let n = Int(digits) { return .integer(n) }
        if digits.hasPrefix("0x"), let n = Int(digits.dropFirst(2), radix: 16) { return .integer(n) }
        if let d = Double(digits) { return .float(d) }
        if text.first?.isNumber == true { return .string(text) }  // a date-time
        throw fail("unrecognised value")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var t = Substring(self)
        while let last = t.last, last == " " || last == "\t" { t = t.dropLast() }
        return String(t)
    }
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

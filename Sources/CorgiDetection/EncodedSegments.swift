#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds and decodes the encoded parts of a line where secrets hide: base64 (a Kubernetes
/// `Secret`'s `data:`, a `.dockerconfigjson`'s `auth`, a base64-encoded config or JWT), hex,
/// percent-encoding, and backslash escapes (a JSON document or config file inside a string:
/// `"{\"password\": \"…\"}"`, `DOCKER_AUTH_CONFIG={\"auths\": …}`).
///
/// The scanner substitutes each decoded segment into the line in place and rescans the result
/// with every secret rule, so `password: czNjcjN0UEBzcw==` is seen as `password: s3cr3tP@ss`; a
/// finding is reported at the encoded text. Decoding is bounded: segments of 20 bytes to
/// `maximumSegment`, at most `maximumSegments` a line, and only results that are text (a random
/// key's bytes, an image or a hash decode to binary and are dropped without a scan).
public enum EncodedSegments {
    public enum Encoding: String, Sendable, CustomStringConvertible {
        case base64, hex, percent, escaped

        public var description: String {
            switch self {
            case .base64: "base64-encoded"
            case .hex: "hex-encoded"
            case .percent: "percent-encoded"
            case .escaped: "backslash-escaped"
            }
        }
    }

    public struct Segment: Sendable, Equatable {
        public var encoding: Encoding
        /// Byte range of the encoded text in the line.
        public var range: Range<Int>
        public var decoded: [UInt8]
    }

    static let minimumSegment = 12
    /// The fewest bytes of the alphabets in a segment: the rest may be `=` padding (two at most).
    static let minimumBody = minimumSegment - 2
    /// Longer lines are not decoded (minified assets, data URIs): their plain scan still runs.
    static let maximumLine = 1 << 20
    static let maximumSegment = 64 * 1024
    static let maximumSegments = 16

    /// Decodable segments of `line` whose decoded bytes are text, in order.
    public static func find(in line: UnsafeBufferPointer<UInt8>) -> [Segment] {
        base64Bytes.withUnsafeBufferPointer { find(in: line, base64: $0) }
    }

    /// Which bytes are in either base64 alphabet: a table read per byte of every line scanned.
    static let base64Bytes: [Bool] = (0..<256).map { isBase64(UInt8($0)) }

    private static func find(in line: UnsafeBufferPointer<UInt8>, base64: UnsafeBufferPointer<Bool>) -> [Segment] {
        var segments: [Segment] = []
        // `i` is where the next run may start: the line's start, just after a byte outside the
        // alphabets, or just after a run. A run long enough to decode has at least
        // `minimumBody` bytes of the alphabets, so when the byte `minimumBody - 1` on from `i`
        // is not one, no such run starts before it: the search skips there without reading
        // the bytes in between. Code and prose are mostly short words, so most bytes are never
        // read (a run was found byte by byte, a tenth of a scan of real history).
        var i = 0
        let n = line.count
        while i + minimumBody <= n, segments.count < maximumSegments {
            let probe = i + minimumBody - 1
            guard base64[Int(line[probe])] else { i = probe + 1; continue }
            // The run holding the probe starts at `i` or just after a byte outside the alphabets.
            var start = probe
            while start > i, base64[Int(line[start - 1])] { start -= 1 }
            i = start
            var j = probe + 1
            while j < n, base64[Int(line[j])] { j += 1 }
            var end = j
            while end < n, end - j < 2, line[end] == UInt8(ascii: "=") { end += 1 }
            let length = end - i
            if length >= minimumSegment, length <= maximumSegment {
                let run = UnsafeBufferPointer(rebasing: line[i..<end])
                // An even run of hex digits is hex (even when it is no text), anything else base64.
                let isHex = run.count % 2 == 0 && isAllHex(run)
                let decoded = isHex ? decodeHex(run, asText: true) : decodeBase64(run, asText: true)
                if let decoded, isText(decoded) {
                    let encoding: Encoding = isAllHex(run) ? .hex : .base64
                    segments.append(Segment(encoding: encoding, range: i..<end, decoded: decoded))
                }
            }
            i = max(end, i + 1)
        }
        if segments.count < maximumSegments, let decoded = decodePercent(line) {
            segments.append(decoded)
        }
        if segments.count < maximumSegments, let decoded = decodeEscapes(line) {
            segments.append(decoded)
        }
        return segments
    }

    // MARK: - Base64 (standard and URL alphabets, padding optional)

    static func isBase64(_ b: UInt8) -> Bool {
        ValueChecks.isAlphanumeric(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }

    static func base64Value(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return b - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return b - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }

    /// Decodes base64 text; nil for a length no encoder produces or a character outside the
    /// alphabets. A run that mixes `+`/`/` with `-`/`_` is not base64 either.
    public static func decodeBase64(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        decodeBase64(text, asText: false)
    }

    /// With `asText`, gives up (nil) at the first decoded byte that makes the result fail
    /// ``isText(_:)``'s byte tests: most runs the scanner tries are identifiers and random keys,
    /// whose decoded bytes fail within a few bytes, and decoding each whole was a twelfth of a
    /// scan of real history.
    static func decodeBase64(_ text: UnsafeBufferPointer<UInt8>, asText: Bool) -> [UInt8]? {
        var body = text[...]
        while body.last == UInt8(ascii: "=") { body = body.dropLast() }
        guard body.count % 4 != 1 else { return nil }
        // Asked for text, the run is first checked without keeping a byte: nearly every run
        // fails within a few bytes, and then nothing was allocated for it.
        if asText, !mayDecodeToText(body) { return nil }
        let standard = body.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
        let url = body.contains { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        guard !(standard && url) else { return nil }
        var gate = TextGate(length: body.count * 6 / 8)
        if asText, !gate.isPossible { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for b in body {
            guard let v = base64Value(b) else { return nil }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                let byte = UInt8(truncatingIfNeeded: buffer >> UInt32(bits))
                if asText, !gate.admits(byte) { return nil }
                out.append(byte)
            }
        }
        return out
    }

    /// Whether `body` decodes, in one alphabet, to bytes ``TextGate`` admits: `decodeBase64`'s
    /// answer with `asText`, without its output.
    static func mayDecodeToText(_ body: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var gate = TextGate(length: body.count * 6 / 8)
        guard gate.isPossible else { return false }
        var standard = false, url = false
        var buffer: UInt32 = 0
        var bits = 0
        for b in body {
            guard let v = base64Value(b) else { return false }
            if b == UInt8(ascii: "+") || b == UInt8(ascii: "/") { standard = true }
            if b == UInt8(ascii: "-") || b == UInt8(ascii: "_") { url = true }
            if standard && url { return false }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                if !gate.admits(UInt8(truncatingIfNeeded: buffer >> UInt32(bits))) { return false }
            }
        }
        return true
    }

    /// ``isText(_:)``'s byte tests, byte by byte, for a result of known length: no control
    /// character, and at most a tenth of the bytes outside printable ASCII.
    struct TextGate {
        let length: Int
        private var outside = 0

        init(length: Int) { self.length = length }

        var isPossible: Bool { length >= 8 }

        @inline(__always)
        mutating func admits(_ b: UInt8) -> Bool {
            if (b >= 0x20 && b < 0x7F) || b == 0x09 || b == 0x0A || b == 0x0D { return true }
            if b < 0x20 || b == 0x7F { return false }
            outside += 1
            return outside * 10 <= length
        }
    }

    // MARK: - Hex

    static func isAllHex(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.allSatisfy { hexValue($0) != nil }
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes an even-length run of hex digits; nil otherwise.
    public static func decodeHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        decodeHex(text, asText: false)
    }

    /// With `asText`, gives up (nil) as soon as the result cannot be text (see `decodeBase64`).
    static func decodeHex(_ text: UnsafeBufferPointer<UInt8>, asText: Bool) -> [UInt8]? {
        guard text.count % 2 == 0, isAllHex(text) else { return nil }
        var gate = TextGate(length: text.count / 2)
        if asText, !gate.isPossible { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var i = 0
        while i < text.count {
            let byte = hexValue(text[i])! << 4 | hexValue(text[i + 1])!
            if asText, !gate.admits(byte) { return nil }
            out.append(byte)
            i += 2
        }
        return out
    }

    // MARK: - Percent-encoding

    /// The whole line percent-decoded, as one segment, when it has at least three escapes of
    /// characters that matter to a secret's context (`%3D` `=`, `%3A` `:`, `%22` `"`, `%40` `@`,
    /// `%2F` `/`, `%2B` `+`, …) and decodes to text.
    static func decodePercent(_ line: UnsafeBufferPointer<UInt8>) -> Segment? {
        // Most lines hold no `%` at all: find the first with memchr instead of a loop in Swift.
        guard let base = line.baseAddress, let found = memchr(base, Int32(UInt8(ascii: "%")), line.count) else { return nil }
        var escapes = 0
        var first = -1, last = -1
        var i = UnsafeRawPointer(found) - UnsafeRawPointer(base)
        while i + 2 < line.count {
            if line[i] == UInt8(ascii: "%"), hexValue(line[i + 1]) != nil, hexValue(line[i + 2]) != nil {
                escapes += 1
                if first < 0 { first = i }
                last = i + 3
                i += 3
            } else {
                i += 1
            }
        }
        guard escapes >= 3 else { return nil }
        // The segment runs from the first escape's token start to the last escape's token end.
        var start = first
        while start > 0, !isDelimiter(line[start - 1]) { start -= 1 }
        var end = last
        while end < line.count, !isDelimiter(line[end]) { end += 1 }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        i = start
        while i < end {
            if line[i] == UInt8(ascii: "%"), i + 2 < end, let hi = hexValue(line[i + 1]), let lo = hexValue(line[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else if line[i] == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(line[i])
                i += 1
            }
        }
        guard isText(out) else { return nil }
        return Segment(encoding: .percent, range: start..<end, decoded: out)
    }

    // MARK: - Backslash escapes

    /// The stretch of the line from its first escaped quote to its last, unescaped, as one
    /// segment, when it holds at least two escaped quotes (`\"`): a JSON document or a config
    /// file written inside a string, whose keys and values the rules cannot see through the
    /// escapes. Escapes nested up to three deep (`\\\"`) are undone; `\n`, `\r` and `\t` become
    /// spaces, so the decoded text stays one line and its assignments stay apart.
    static func decodeEscapes(_ line: UnsafeBufferPointer<UInt8>) -> Segment? {
        let backslash = UInt8(ascii: "\\"), quote = UInt8(ascii: "\"")
        guard let base = line.baseAddress, let found = memchr(base, Int32(backslash), line.count) else { return nil }
        let from = UnsafeRawPointer(found) - UnsafeRawPointer(base)
        var first = -1, last = -1, quotes = 0
        for i in from..<max(from, line.count - 1) where line[i] == backslash && line[i + 1] == quote {
            quotes += 1
            if first < 0 { first = i }
            last = i + 2
        }
        guard quotes >= 2 else { return nil }
        // Back to the run of backslashes the first escaped quote starts with.
        while first > 0, line[first - 1] == backslash { first -= 1 }
        var text = Array(line[first..<last])
        for _ in 0..<3 {
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            var i = 0
            var changed = false
            while i < text.count {
                guard text[i] == backslash, i + 1 < text.count else { out.append(text[i]); i += 1; continue }
                switch text[i + 1] {
                case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "'"): out.append(text[i + 1])
                case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): out.append(UInt8(ascii: " "))
                default: out.append(text[i]); out.append(text[i + 1])
                }
                changed = true
                i += 2
            }
            text = out
            if !changed || !text.contains(backslash) { break }
        }
        guard isText(text) else { return nil }
        return Segment(encoding: .escaped, range: first..<last, decoded: text)
    }

    static func isDelimiter(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
            || b == UInt8(ascii: "`") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
    }

    // MARK: - Text

    /// Printable ASCII and UTF-8 text (tabs and line breaks allowed), at least 8 bytes, and not
    /// a single repeated byte: what a credential or a config is made of, and what random bytes
    /// almost never are.
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8 else { return false }
        var printable = 0
        for b in bytes {
            if (b >= 0x20 && b < 0x7F) || b == 0x09 || b == 0x0A || b == 0x0D { printable += 1 }
            else if b < 0x20 || b == 0x7F { return false }
        }
        return printable * 10 >= bytes.count * 9 && String(validating: bytes, as: UTF8.self) != nil
    }
}

extension Layout {
    /// A decoded rescan's subject: each of its lines is the one diff line it was decoded from.
    init(lines subject: UnsafeBufferPointer<UInt8>, newLine: Int, directive: IgnoreDirective?) {
        var starts = [0], ends: [Int] = []
        for (i, b) in subject.enumerated() where b == UInt8(ascii: "\n") {
            ends.append(i)
            starts.append(i + 1)
        }
        ends.append(subject.count)
        self.init(starts: starts, ends: ends, newLines: Array(repeating: newLine, count: starts.count),
                  added: Array(repeating: true, count: starts.count),
                  directives: Array(repeating: directive, count: starts.count))
    }
}

/// File names as git writes them in diff headers: optionally C-quoted (`"a/t\303\251st"`),
/// with `a/` and `b/` prefixes, and `/dev/null` for a side that does not exist.
enum PathSyntax {
    static let devNull: [UInt8] = Array("/dev/null".utf8)

    /// `diff --git a/X b/Y`: git quotes a name with special characters but not one with spaces,
    /// so `a/my file b/my file` is split where both halves name the same file.
    static func gitHeaderPaths(_ arguments: [UInt8], line: Int) throws -> (String?, String?) {
        let quote = UInt8(ascii: "\"")
        let space = UInt8(ascii: " ")
        var old: [UInt8]
        var new: [UInt8]
        if arguments.first == quote {
            let (name, end) = try unquote(arguments, from: 0, line: line)
            old = name
            var rest = end
            guard rest < arguments.count, arguments[rest] == space else {
                throw DiffParseError(line: line, reason: "malformed 'diff --git' line")
            }
            rest += 1
            new = arguments[rest...].first == quote
                ? try unquote(arguments, from: rest, line: line).0
                : Array(arguments[rest...])
        } else if let q = find([space, quote], in: arguments) {
            old = Array(arguments[..<q])
            new = try unquote(arguments, from: q + 1, line: line).0
        } else if let (a, b) = equalHalves(arguments) {
            old = a
            new = b
        } else if let split = find(Array(" b/".utf8), in: arguments) {
            old = Array(arguments[..<split])
            new = Array(arguments[(split + 1)...])
        } else if let split = arguments.firstIndex(of: space) {
            old = Array(arguments[..<split])
            new = Array(arguments[(split + 1)...])
        } else {
            throw DiffParseError(line: line, reason: "malformed 'diff --git' line: expected two paths")
        }
        old = strip(prefix: "a/", from: old)
        new = strip(prefix: "b/", from: new)
        return (decode(old), decode(new))
    }

    /// The path of a `--- ` or `+++ ` line; `nil` for `/dev/null`. Anything after a tab is a
    /// timestamp (GNU diff) or the tab git adds after names containing spaces.
    static func fileLinePath(_ value: [UInt8], prefix: StaticString, line: Int) throws -> String? {
        var name: [UInt8]
        if value.first == UInt8(ascii: "\"") {
            name = try unquote(value, from: 0, line: line).0
        } else if let tab = value.firstIndex(of: UInt8(ascii: "\t")) {
            name = Array(value[..<tab])
        } else {
            name = value
        }
        if name == devNull { return nil }
        name = strip(prefix: prefix, from: name)
        return decode(name)
    }

    static func unquoteIfNeeded(_ value: [UInt8], line: Int) throws -> String {
        if value.first == UInt8(ascii: "\"") {
            return decode(try unquote(value, from: 0, line: line).0)
        }
        return decode(value)
    }

    /// Undoes git's C-style quoting; returns the bytes and the index just past the closing quote.
    static func unquote(_ s: [UInt8], from start: Int, line: Int) throws -> ([UInt8], Int) {
        var out: [UInt8] = []
        var i = start + 1
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") { return (out, i + 1) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < s.count else { break }
            let e = s[i]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "0")...UInt8(ascii: "3"):
                guard i + 2 < s.count,
                      let d1 = octal(s[i + 1]), let d2 = octal(s[i + 2])
                else { throw DiffParseError(line: line, reason: "malformed octal escape in a quoted path") }
                out.append((e - UInt8(ascii: "0")) << 6 | d1 << 3 | d2)
                i += 2
            default:
                throw DiffParseError(line: line, reason: "unknown escape in a quoted path")
            }
            i += 1
        }
        throw DiffParseError(line: line, reason: "unterminated quoted path")
    }

    private static func octal(_ c: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(c) ? c - UInt8(ascii: "0") : nil
    }

    private static func equalHalves(_ s: [UInt8]) -> ([UInt8], [UInt8])? {
        guard s.count % 2 == 1 else { return nil }
        let half = s.count / 2
        guard s[half] == UInt8(ascii: " ") else { return nil }
        let a = Array(s[..<half]), b = Array(s[(half + 1)...])
        if strip(prefix: "a/", from: a) == strip(prefix: "b/", from: b) { return (a, b) }
        return nil
    }

    private static func strip(prefix: StaticString, from name: [UInt8]) -> [UInt8] {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        if name.count > p.count, name.starts(with: p) { return Array(name.dropFirst(p.count)) }
        return name
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    static func decode(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// `@@ -oldStart[,oldCount] +newStart[,newCount] @@ [section heading]`
enum HunkHeaderSyntax {
    static func parse(_ line: UnsafeBufferPointer<UInt8>, diffLine: Int) -> HunkHeader? {
        var i = 3  // past "@@ "
        func expect(_ c: Character) -> Bool {
            guard i < line.count, line[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        func number() -> Int? {
            var value = 0
            let start = i
            while i < line.count, line[i] >= 0x30, line[i] <= 0x39 {
                value = value * 10 + Int(line[i] - 0x30)
                if value > 1 << 40 { return nil }
                i += 1
            }
            return i > start ? value : nil
        }
        func range() -> (Int, Int)? {
            guard let start = number() else { return nil }
            if i < line.count, line[i] == UInt8(ascii: ",") {
                i += 1
                guard let count = number() else { return nil }
                return (start, count)
            }
            return (start, 1)
        }
        guard expect("-"), let old = range(), expect(" "), expect("+"), let new = range(),
              expect(" "), expect("@"), expect("@")
        else { return nil }
        return HunkHeader(oldStart: old.0, oldCount: old.1, newStart: new.0, newCount: new.1, diffLine: diffLine)
    }

    /// A combined diff's `@@@ -a,b -c,d +e,f @@@`: one `@` more than there are parents, and one
    /// `-` range per parent. Returns the header (old side: the first parent) and the parent count.
    static func parseCombined(_ line: UnsafeBufferPointer<UInt8>, diffLine: Int) -> (HunkHeader, Int)? {
        let at = UInt8(ascii: "@")
        var ats = 0
        while ats < line.count, line[ats] == at { ats += 1 }
        guard ats >= 3, ats <= 64 else { return nil }
        let parents = ats - 1
        var i = ats
        func expect(_ c: UInt8) -> Bool {
            guard i < line.count, line[i] == c else { return false }
            i += 1
            return true
        }
        func number() -> Int? {
            var value = 0
            let start = i
            while i < line.count, line[i] >= 0x30, line[i] <= 0x39 {
                value = value * 10 + Int(line[i] - 0x30)
                if value > 1 << 40 { return nil }
                i += 1
            }
            return i > start ? value : nil
        }
        func range() -> (Int, Int)? {
            guard let start = number() else { return nil }
            if expect(UInt8(ascii: ",")) {
                guard let count = number() else { return nil }
                return (start, count)
            }
            return (start, 1)
        }
        var first: (Int, Int)?
        for _ in 0..<parents {
            guard expect(UInt8(ascii: " ")), expect(UInt8(ascii: "-")), let old = range() else { return nil }
            if first == nil { first = old }
        }
        guard let old = first, expect(UInt8(ascii: " ")), expect(UInt8(ascii: "+")), let new = range(),
              expect(UInt8(ascii: " "))
        else { return nil }
        for _ in 0..<ats { guard expect(at) else { return nil } }
        return (HunkHeader(oldStart: old.0, oldCount: old.1, newStart: new.0, newCount: new.1, diffLine: diffLine), parents)
    }
}

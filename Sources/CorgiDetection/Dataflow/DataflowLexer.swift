/// Tokens of source code for the dataflow engine: words, literals and operators, with comments
/// dropped and interpolated expressions inside strings lifted out as code.
///
/// The lexer never fails: anything it does not understand becomes a one-byte operator token, an
/// unterminated string or comment runs to the end of the input. Invariant: every token lies on one
/// line of the input (`line` is the 0-based index of that line), except string tokens, which
/// record the line they start on.
struct DataflowToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Identifiers and keywords (`$name` in PHP, `@name` in Ruby included).
        case word
        case number
        /// A string literal's text without quotes; interpolated parts are separate tokens.
        case string
        case punct
        /// A line break outside strings and comments: statements end here in some languages.
        case newline
    }

    var kind: Kind
    var text: String
    var line: Int
    /// 0-based byte column on `line`.
    var column: Int
    /// A one-byte operator's byte (`(`, `;`, `.`, …); 0 for every other token. The splitter and
    /// the engine test brackets and separators on every token: a byte compare, not a string one.
    var byte: UInt8

    init(kind: Kind, text: String, line: Int, column: Int) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        var byte: UInt8 = 0
        if kind == .punct, text.utf8.count == 1 { byte = text.utf8.first! }
        self.byte = byte
    }

}

/// How a language family writes comments and strings.
struct LexerDialect: Sendable {
    enum Interpolation: Sendable { case none, ruby, php }

    var lineComments: [[UInt8]]
    var blockComment: (open: [UInt8], close: [UInt8])?
    /// Python: `'''`/`"""` strings and `f"…{expr}…"` prefixes.
    var pythonStrings = false
    /// JavaScript/TypeScript: `` `…${expr}…` `` template literals.
    var templateLiterals = false
    /// Double-quoted (and backtick) strings interpolate: Ruby `#{expr}`, PHP `$var` / `{$expr}`.
    var interpolation: Interpolation = .none
    /// Ruby `<<~EOS` and PHP `<<<EOS` heredocs.
    var heredocs = false
    /// `/regex/` literals (JavaScript, Ruby) after an operator or at the start of an expression.
    var regexLiterals = false
    /// Identifiers may start with `$` (PHP, JavaScript) or `@` (Ruby instance variables).
    var sigils: [UInt8] = []
    /// Ruby `=begin`/`=end` comment blocks.
    var rubyBlockComments = false

    static func forLanguage(_ language: String) -> LexerDialect? {
        let slash: [[UInt8]] = [Array("//".utf8)]
        let cBlock = (open: Array("/*".utf8), close: Array("*/".utf8))
        switch language {
        case "python":
            return LexerDialect(lineComments: [[0x23]], blockComment: nil, pythonStrings: true)
        case "ruby":
            return LexerDialect(lineComments: [[0x23]], blockComment: nil, interpolation: .ruby, heredocs: true,
                                regexLiterals: true, sigils: [0x40, 0x24], rubyBlockComments: true)
        case "javascript", "typescript":
            return LexerDialect(lineComments: slash, blockComment: cBlock, templateLiterals: true,
                                regexLiterals: true, sigils: [0x24])
        case "php":
            return LexerDialect(lineComments: slash + [[0x23]], blockComment: cBlock, interpolation: .php,
                                heredocs: true, sigils: [0x24])
        case "java", "go", "kotlin", "csharp", "scala", "groovy", "swift", "c", "cpp", "rust":
            return LexerDialect(lineComments: slash, blockComment: cBlock)
        default:
            return nil
        }
    }
}

struct DataflowLexer {
    let dialect: LexerDialect
    private let bytes: [UInt8]
    private var i = 0
    private var line = 0
    private var lineStart = 0
    private(set) var tokens: [DataflowToken] = []

    /// Lexes `source` (lines joined by `\n`).
    static func tokenize(_ source: [UInt8], dialect: LexerDialect) -> [DataflowToken] {
        var lexer = DataflowLexer(dialect: dialect, bytes: source)
        lexer.lexCode(closingBrace: false)
        return lexer.tokens
    }

    private init(dialect: LexerDialect, bytes: [UInt8]) {
        self.dialect = dialect
        self.bytes = bytes
    }

    // MARK: - Helpers

    private func peek(_ offset: Int = 0) -> UInt8 {
        let j = i + offset
        return j < bytes.count ? bytes[j] : 0
    }

    private func starts(with needle: [UInt8], at position: Int) -> Bool {
        guard position + needle.count <= bytes.count else { return false }
        var k = 0
        while k < needle.count {
            if bytes[position + k] != needle[k] { return false }
            k += 1
        }
        return true
    }

    private static let rubyBegin = Array("=begin".utf8)
    private static let rubyEnd = Array("=end".utf8)
    private static let phpOpen = Array("<?php".utf8)
    private static let phpEcho = Array("<?=".utf8)
    private static let phpClose = Array("?>".utf8)

    private static func isWordStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }

    private static func isWordByte(_ b: UInt8) -> Bool { isWordStart(b) || (b >= 0x30 && b <= 0x39) }

    private mutating func emit(_ kind: DataflowToken.Kind, _ range: Range<Int>, line tokenLine: Int? = nil, column: Int? = nil) {
        let text = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        tokens.append(DataflowToken(kind: kind, text: text, line: tokenLine ?? line, column: column ?? (range.lowerBound - lineStart)))
    }

    private mutating func emitText(_ kind: DataflowToken.Kind, _ text: String, line tokenLine: Int, column: Int) {
        tokens.append(DataflowToken(kind: kind, text: text, line: tokenLine, column: column))
    }

    private mutating func newline() {
        line += 1
        lineStart = i + 1
    }

    /// The previous significant token allows a regex literal here (an operator or the start).
    private var regexAllowed: Bool {
        guard let last = tokens.last(where: { $0.kind != .newline }) else { return true }
        switch last.kind {
        case .punct: return ![")", "]", "}"].contains(last.text)
        case .word: return ["return", "typeof", "case", "in", "of", "when", "if", "unless", "and", "or", "not"].contains(last.text)
        default: return false
        }
    }

    // MARK: - Code

    /// Lexes code until the end, or until an unmatched `}` when lexing an interpolation.
    private mutating func lexCode(closingBrace: Bool) {
        var braces = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                emit(.newline, i..<i + 1)
                newline()
                i += 1
                if dialect.rubyBlockComments, i < bytes.count, bytes[i] == 0x3D, starts(with: Self.rubyBegin, at: i) { skipRubyBlockComment() }
                continue
            }
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C { i += 1; continue }
            if b == 0x23 || b == 0x2F, dialect.lineComments.contains(where: { starts(with: $0, at: i) }) {
                // PHP's `#[Attribute]` is code, not a comment.
                if b == 0x23, peek(1) == 0x5B, dialect.interpolation == .php { emit(.punct, i..<i + 1); i += 1; continue }
                while i < bytes.count, bytes[i] != 0x0A { i += 1 }
                continue
            }
            if b == 0x2F, let block = dialect.blockComment, starts(with: block.open, at: i) {
                i += block.open.count
                while i < bytes.count, !starts(with: block.close, at: i) {
                    if bytes[i] == 0x0A { newline() }
                    i += 1
                }
                i = min(bytes.count, i + block.close.count)
                continue
            }
            if dialect.interpolation == .php, b == 0x3C || b == 0x3F {
                // Template tags: `<?php` opens code, `<?=` echoes, `?>` ends a statement.
                if starts(with: Self.phpOpen, at: i) { i += 5; continue }
                if starts(with: Self.phpEcho, at: i) { emitText(.word, "echo", line: line, column: i - lineStart); i += 3; continue }
                if starts(with: Self.phpClose, at: i) { emitText(.punct, ";", line: line, column: i - lineStart); i += 2; continue }
            }
            if closingBrace {
                if b == 0x7B { braces += 1 }
                if b == 0x7D {
                    if braces == 0 { return }
                    braces -= 1
                }
            }
            if dialect.pythonStrings, let prefixLength = pythonStringPrefix() {
                lexPythonString(prefixLength: prefixLength)
                continue
            }
            if b == 0x22 || b == 0x27 {
                lexQuoted(quote: b, interpolating: b == 0x22 && dialect.interpolation != .none)
                continue
            }
            if b == 0x60 {
                if dialect.templateLiterals {
                    lexTemplate()
                } else {
                    // Go raw strings; Ruby/PHP shell commands interpolate like double quotes.
                    lexQuoted(quote: b, interpolating: dialect.interpolation != .none, escapes: dialect.interpolation != .none)
                }
                continue
            }
            if dialect.heredocs, b == 0x3C, peek(1) == 0x3C, lexHeredoc() { continue }
            if dialect.regexLiterals, b == 0x2F, peek(1) != 0x2F, peek(1) != 0x2A, peek(1) != 0x3D || dialect.interpolation == .ruby,
               regexAllowed
            {
                lexRegex()
                continue
            }
            if Self.isWordStart(b) || (dialect.sigils.contains(b) && (Self.isWordStart(peek(1)) || (b == 0x40 && peek(1) == 0x40))) {
                let start = i
                i += 1
                while i < bytes.count, Self.isWordByte(bytes[i]) || (bytes[i] == 0x40 && i == start + 1) { i += 1 }
                // Ruby: `name?`/`name!` methods, `key:` symbols stay words with their punctuation split.
                if dialect.interpolation == .ruby, i < bytes.count, bytes[i] == 0x3F || bytes[i] == 0x21, peek(1) != 0x3D { i += 1 }
                emit(.word, start..<i)
                continue
            }
            if b >= 0x30 && b <= 0x39 {
                let start = i
                while i < bytes.count, Self.isWordByte(bytes[i]) || bytes[i] == 0x2E && (peek(1) >= 0x30 && peek(1) <= 0x39) { i += 1 }
                emit(.number, start..<i)
                continue
            }
            if dialect.interpolation == .ruby, b == 0x3A, Self.isWordStart(peek(1)), !(tokens.last?.text == ":" ) {
                // A symbol `:name` is a literal, like a string.
                let start = i
                i += 1
                while i < bytes.count, Self.isWordByte(bytes[i]) { i += 1 }
                emit(.string, start + 1..<i, column: start - lineStart)
                continue
            }
            lexOperator()
        }
    }

    private static let operators: [String] = [
        "===", "!==", "**=", "<<=", ">>=", "...", "??=", "||=", "&&=", "<=>", "<<<",
        "==", "!=", "<=", ">=", "=>", "->", "::", ":=", "+=", "-=", "*=", "/=", ".=", "%=", "|=", "&=",
        "||", "&&", "??", "<<", ">>", "++", "--", "?.", "**",
    ]

    /// Operators by first byte, longest first, with their text made once (a token per operator
    /// is the lexer's most common token).
    private static let operatorsByFirstByte: [[(bytes: [UInt8], text: String)]] = {
        var table = Array(repeating: [(bytes: [UInt8], text: String)](), count: 256)
        for op in operators { table[Int(op.utf8.first!)].append((Array(op.utf8), op)) }
        return table
    }()

    /// Every one-byte operator's text, made once.
    private static let singleByteText: [String] = (0..<256).map { String(decoding: [UInt8($0)], as: UTF8.self) }

    private mutating func lexOperator() {
        let b = bytes[i]
        for op in Self.operatorsByFirstByte[Int(b)] where starts(with: op.bytes, at: i) {
            tokens.append(DataflowToken(kind: .punct, text: op.text, line: line, column: i - lineStart))
            i += op.bytes.count
            return
        }
        tokens.append(DataflowToken(kind: .punct, text: Self.singleByteText[Int(b)], line: line, column: i - lineStart))
        i += 1
    }

    private mutating func skipRubyBlockComment() {
        while i < bytes.count {
            let lineEnd = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
            let isEnd = starts(with: Self.rubyEnd, at: i)
            i = lineEnd
            if i < bytes.count { newline(); i += 1 }
            if isEnd { return }
        }
    }

    // MARK: - Strings

    /// Appends an interpolated expression as code between `+` operators, so concatenation and
    /// interpolation look the same to the engine.
    private mutating func lexInterpolation(from column: Int) {
        emitText(.punct, "+", line: line, column: column)
        lexCode(closingBrace: true)
        emitText(.punct, "+", line: line, column: i - lineStart)
        if i < bytes.count { i += 1 }  // the closing brace
    }

    /// A string delimited by `quote`; backslash escapes; interpolation when asked.
    private mutating func lexQuoted(quote: UInt8, interpolating: Bool, escapes: Bool = true) {
        let startLine = line, startColumn = i - lineStart
        i += 1
        var text: [UInt8] = []
        var partLine = startLine, partColumn = startColumn
        func flush(_ lexer: inout DataflowLexer) {
            lexer.emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
            text.removeAll()
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == quote { i += 1; break }
            if escapes, b == 0x5C, i + 1 < bytes.count {
                text.append(bytes[i + 1])
                if bytes[i + 1] == 0x0A { newline() }
                i += 2
                continue
            }
            if interpolating, let consumed = interpolationStart() {
                flush(&self)
                if consumed.isPHPVariable {
                    emitText(.punct, "+", line: line, column: i - lineStart)
                    let start = i
                    i += 1
                    while i < bytes.count, Self.isWordByte(bytes[i]) { i += 1 }
                    emit(.word, start..<i)
                    emitText(.punct, "+", line: line, column: i - lineStart)
                } else {
                    let column = i - lineStart
                    i += consumed.length
                    lexInterpolation(from: column)
                }
                partLine = line
                partColumn = i - lineStart
                continue
            }
            if b == 0x0A { newline() }
            text.append(b)
            i += 1
        }
        flush(&self)
    }

    private struct InterpolationStart { var length: Int; var isPHPVariable: Bool }

    private func interpolationStart() -> InterpolationStart? {
        switch dialect.interpolation {
        case .none: return nil
        case .ruby: return peek() == 0x23 && peek(1) == 0x7B ? InterpolationStart(length: 2, isPHPVariable: false) : nil
        case .php:
            if peek() == 0x7B, peek(1) == 0x24 { return InterpolationStart(length: 1, isPHPVariable: false) }
            if peek() == 0x24, Self.isWordStart(peek(1)) { return InterpolationStart(length: 0, isPHPVariable: true) }
            return nil
        }
    }

    /// JavaScript template literal with `${expr}` parts.
    private mutating func lexTemplate() {
        let startLine = line
        var partColumn = i - lineStart
        var partLine = startLine
        i += 1
        var text: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x60 { i += 1; break }
            if b == 0x5C, i + 1 < bytes.count { text.append(bytes[i + 1]); i += 2; continue }
            if b == 0x24, peek(1) == 0x7B {
                emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
                text.removeAll()
                let column = i - lineStart
                i += 2
                lexInterpolation(from: column)
                partLine = line
                partColumn = i - lineStart
                continue
            }
            if b == 0x0A { newline() }
            text.append(b)
            i += 1
        }
        emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
    }

    /// Length of a Python string prefix (`f`, `rb`, …) when a string starts here, else nil.
    private func pythonStringPrefix() -> Int? {
        // Most positions start neither a prefix letter nor a quote.
        switch peek() {
        case 0x22, 0x27, 0x72, 0x52, 0x62, 0x42, 0x75, 0x55, 0x66, 0x46: break
        default: return nil
        }
        var n = 0
        while n < 2, let c = Optional(peek(n)), "rRbBuUfF".utf8.contains(c) { n += 1 }
        let q = peek(n)
        guard q == 0x22 || q == 0x27 else { return nil }
        if n > 0, i > 0, Self.isWordByte(bytes[i - 1]) { return nil }
        return n
    }

    private mutating func lexPythonString(prefixLength: Int) {
        let prefix = bytes[i..<i + prefixLength].map { $0 | 0x20 }
        let isFormat = prefix.contains(0x66)
        let isRaw = prefix.contains(0x72)
        i += prefixLength
        let quote = bytes[i]
        let triple = peek(1) == quote && peek(2) == quote
        var partLine = line, partColumn = i - lineStart
        i += triple ? 3 : 1
        var text: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == quote, !triple || (peek(1) == quote && peek(2) == quote) {
                i += triple ? 3 : 1
                break
            }
            if !triple, b == 0x0A { break }  // unterminated: stop at the line's end
            if b == 0x5C, i + 1 < bytes.count, !isRaw || bytes[i + 1] == quote {
                text.append(bytes[i + 1])
                if bytes[i + 1] == 0x0A { newline() }
                i += 2
                continue
            }
            if isFormat, b == 0x7B {
                if peek(1) == 0x7B { text.append(b); i += 2; continue }
                emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
                text.removeAll()
                let column = i - lineStart
                i += 1
                lexInterpolation(from: column)
                partLine = line
                partColumn = i - lineStart
                continue
            }
            if isFormat, b == 0x7D, peek(1) == 0x7D { text.append(b); i += 2; continue }
            if b == 0x0A { newline() }
            text.append(b)
            i += 1
        }
        emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
    }

    /// `<<~EOS`, `<<-EOS`, `<<EOS` (Ruby) and `<<<EOS`, `<<<"EOS"`, `<<<'EOS'` (PHP). The body
    /// starts on the next line; the rest of the opening line is lexed as code first.
    private mutating func lexHeredoc() -> Bool {
        var j = i + 2
        let php = dialect.interpolation == .php
        if php {
            guard j < bytes.count, bytes[j] == 0x3C else { return false }
            j += 1
            while j < bytes.count, bytes[j] == 0x20 { j += 1 }
        } else if j < bytes.count, bytes[j] == 0x7E || bytes[j] == 0x2D {
            j += 1
        }
        var quoted: UInt8 = 0
        if j < bytes.count, bytes[j] == 0x27 || bytes[j] == 0x22 { quoted = bytes[j]; j += 1 }
        let nameStart = j
        while j < bytes.count, Self.isWordByte(bytes[j]) { j += 1 }
        guard j > nameStart, bytes[nameStart] >= 0x41, bytes[nameStart] <= 0x5A || php else { return false }
        let name = Array(bytes[nameStart..<j])
        if quoted != 0 { j += 1 }
        let interpolating = quoted != 0x27
        let startColumn = i - lineStart, startLine = line
        // The heredoc's value stands where the operator was.
        i = j
        // Lex the remainder of the opening line as code, remembering where the body starts.
        let lineEnd = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
        let bodyStart = min(lineEnd + 1, bytes.count)
        var rest = DataflowLexer(dialect: dialect, bytes: Array(bytes[i..<lineEnd]))
        rest.lexCode(closingBrace: false)
        // Find the terminator line.
        var k = bodyStart
        var bodyEnd = bytes.count
        var afterEnd = bytes.count
        var bodyLines = 0
        while k < bytes.count {
            let end = bytes[k...].firstIndex(of: 0x0A) ?? bytes.count
            var s = k
            while s < end, bytes[s] == 0x20 || bytes[s] == 0x09 { s += 1 }
            if starts(with: name, at: s), s + name.count == end || !Self.isWordByte(bytes[s + name.count]) {
                bodyEnd = k
                afterEnd = s + name.count
                break
            }
            bodyLines += 1
            k = end + 1
        }
        // Body as a string with interpolation, lexed by a nested lexer on the body bytes.
        var body = DataflowLexer(dialect: dialect, bytes: Array(bytes[bodyStart..<max(bodyStart, bodyEnd)]))
        body.line = 0
        body.lexBody(interpolating: interpolating)
        emitText(.punct, "(", line: startLine, column: startColumn)
        for var t in body.tokens {
            t.line += startLine + 1
            tokens.append(t)
        }
        emitText(.punct, ")", line: startLine, column: startColumn)
        for var t in rest.tokens {
            t.line = startLine
            t.column += j - lineStart
            tokens.append(t)
        }
        // Continue after the terminator, on the right line.
        i = lineEnd
        var lines = 0
        var p = lineEnd
        while p < afterEnd { if bytes[p] == 0x0A { lines += 1 }; p += 1 }
        if afterEnd > lineEnd {
            emitText(.newline, "\n", line: startLine, column: lineEnd - lineStart)
            line += lines
            lineStart = (bytes[..<afterEnd].lastIndex(of: 0x0A) ?? -1) + 1
            i = afterEnd
        }
        return true
    }

    /// The body of a heredoc: literal text with interpolation, no quote terminator.
    private mutating func lexBody(interpolating: Bool) {
        var text: [UInt8] = []
        var partLine = 0, partColumn = 0
        while i < bytes.count {
            if interpolating, let consumed = interpolationStart() {
                emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
                text.removeAll()
                if consumed.isPHPVariable {
                    emitText(.punct, "+", line: line, column: i - lineStart)
                    let start = i
                    i += 1
                    while i < bytes.count, Self.isWordByte(bytes[i]) { i += 1 }
                    emit(.word, start..<i)
                    emitText(.punct, "+", line: line, column: i - lineStart)
                } else {
                    let column = i - lineStart
                    i += consumed.length
                    lexInterpolation(from: column)
                }
                partLine = line
                partColumn = i - lineStart
                continue
            }
            if bytes[i] == 0x0A { newline() }
            text.append(bytes[i])
            i += 1
        }
        emitText(.string, String(decoding: text, as: UTF8.self), line: partLine, column: partColumn)
    }

    private mutating func lexRegex() {
        let start = i
        i += 1
        var inClass = false
        while i < bytes.count, bytes[i] != 0x0A {
            let b = bytes[i]
            if b == 0x5C { i += 2; continue }
            if b == 0x5B { inClass = true } else if b == 0x5D { inClass = false } else if b == 0x2F, !inClass { i += 1; break }
            i += 1
        }
        i = min(i, bytes.count)
        while i < bytes.count, Self.isWordByte(bytes[i]) { i += 1 }  // flags
        emit(.string, start..<i)
    }
}

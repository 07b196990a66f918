/// Tokens grouped into statements, with the text rules match against.
///
/// A statement's text is its tokens joined with one space between two words (or a word and a
/// literal) and nothing elsewhere; string literals appear in double quotes with inner double
/// quotes turned into single ones; comments are gone. So `cursor . execute ( q )` reads
/// `cursor.execute(q)` and `new  ProcessBuilder(cmd)` reads `new ProcessBuilder(cmd)`.
///
/// A plain value: its text and token offsets live in the window's ``DataflowStatements``, one
/// buffer each for all statements (two allocations per statement, and the reference counting of
/// every copy, were a third of the splitter's time).
struct DataflowStatement {
    var tokens: Range<Int>
    /// Where the statement's text is in ``DataflowStatements/text``.
    var textRange: Range<Int>
    /// Where its token offsets start in ``DataflowStatements/offsets`` (one per token).
    var offsetsStart: Int
    /// Line index of the first token.
    var line: Int
    /// Column of the first token (the indentation, for Python and Ruby).
    var indent: Int
    /// Code-block depth (braces) before the statement.
    var depth: Int
    /// The statement opens a code block (`… {`).
    var opensBlock: Bool
    /// Block closings (`}`) that follow the statement.
    var closesBlocks: Int
}

/// A window's statements and the storage they share.
///
/// Invariant: `text` is every statement's text in order, each followed by one newline (so
/// `text` is also the statements joined by newlines, which the prefilters read); `offsets`
/// holds, per statement, the byte offset in its own text where each of its tokens starts.
struct DataflowStatements {
    var items: [DataflowStatement] = []
    var text: [UInt8] = []
    var offsets: [Int32] = []

    var count: Int { items.count }
    subscript(index: Int) -> DataflowStatement { items[index] }

    /// A statement's text (for tests and messages; the engine reads it through a view).
    func text(of statement: DataflowStatement) -> [UInt8] { Array(text[statement.textRange]) }
    var texts: [String] { items.map { String(decoding: text[$0.textRange], as: UTF8.self) } }

    /// Runs `body` with a view of each statement's storage; views must not escape it.
    func withViews<R>(_ body: (_ view: (Int) -> StatementView) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { allText in
            try offsets.withUnsafeBufferPointer { allOffsets in
                try body { index in
                    let st = items[index]
                    return StatementView(
                        statement: st, text: UnsafeBufferPointer(rebasing: allText[st.textRange]),
                        offsets: UnsafeBufferPointer(rebasing: allOffsets[st.offsetsStart..<(st.offsetsStart + st.tokens.count)]))
                }
            }
        }
    }
}

/// One statement with its text and token offsets, borrowed from ``DataflowStatements`` for the
/// length of a ``DataflowStatements/withViews(_:)`` call.
struct StatementView {
    let statement: DataflowStatement
    let text: UnsafeBufferPointer<UInt8>
    let offsets: UnsafeBufferPointer<Int32>

    var tokens: Range<Int> { statement.tokens }
    var line: Int { statement.line }
    var indent: Int { statement.indent }
    var depth: Int { statement.depth }
    var opensBlock: Bool { statement.opensBlock }

    /// Index (into the token array) of the token at `offset` of `text`.
    func tokenIndex(at offset: Int) -> Int {
        var lo = 0, hi = offsets.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(offsets[mid]) <= offset { lo = mid } else { hi = mid - 1 }
        }
        return tokens.lowerBound + lo
    }

    /// Byte offset in `text` of token `index` (or the end of the text).
    func offset(ofToken index: Int) -> Int {
        let k = index - tokens.lowerBound
        return k < offsets.count ? Int(offsets[k]) : text.count
    }
}

enum StatementSplitter {
    /// Languages whose statements end at a line break (when brackets are balanced and the line
    /// does not end with an operator).
    static func endsAtNewline(_ language: String) -> Bool {
        ["python", "ruby", "go", "javascript", "typescript", "kotlin", "swift", "scala", "groovy"].contains(language)
    }

    static let continuationEndTexts: Set<String> = [
        "+", "-", "*", "/", "%", ",", "(", "[", "{", ".", "=", ":=", "+=", "-=", ".=", "||", "&&", "??", "?", ":",
        "=>", "->", "|", "&", "\\", "<<", "and", "or", "not", "in", "==", "!=", "<", ">", "<=", ">=",
    ]
    static let continuationEnds = TokenSet(continuationEndTexts)
    /// Ruby: `do |x|` and `{ |x|` end a line without continuing it; a trailing `:` is a symbol.
    static let rubyContinuationEnds = TokenSet(continuationEndTexts.subtracting(["|", ":", "?", "{"]))
    static let pythonContinuationEnds = TokenSet(["\\"])
    static let continuationStarts = TokenSet([".", "?.", "+", "-", "*", "/", "&&", "||", "??", "?", ":", "and", "or", ")", "]", "}", "|", "->"])
    static let objectOpeners = TokenSet(["=", "(", ",", ":", "return", "[", "?", "??", "||", "&&", "const", "let", "var", "import", "export", "yield", "await"])
    /// A `{` after one of these always opens code, even inside a call's arguments (callbacks).
    static let blockOpeners = TokenSet([")", "=>", "->", "else", "try", "finally", "do"])

    /// Go writes composite literals as a type then braces (`[]string{"-c", cmd}`, `Config{…}`,
    /// `map[string]int{…}`): in a statement that assigns or returns, and does not open with a
    /// control keyword (`if v := f(); ok {` opens a block), a `{` right after a type is a literal.
    static func isGoCompositeLiteral(_ tokens: [DataflowToken], _ statement: Range<Int>) -> Bool {
        guard let last = statement.last, tokens[last].kind == .word || tokens[last].text == "]" || tokens[last].text == "}",
              let first = tokens[statement].first(where: { $0.kind != .newline })
        else { return false }
        if ["if", "for", "switch", "select", "func", "go", "defer", "else", "case", "type", "package", "import"].contains(first.text) { return false }
        if first.text == "return" { return true }
        var nesting = 0
        for t in tokens[statement] where t.kind == .punct {
            switch t.byte {
            case 0x28, 0x5B, 0x7B: nesting += 1
            case 0x29, 0x5D, 0x7D: nesting -= 1
            case 0x3D: if nesting == 0 { return true }
            case 0: if t.text == ":=", nesting == 0 { return true }
            default: break
            }
        }
        return false
    }

    static func split(_ tokens: [DataflowToken], language: String) -> DataflowStatements {
        split(tokens, language: language, through: nil).statements
    }

    /// Statements of `tokens`; with `through`, only those that start on or before that line.
    /// `complete` tells whether a statement starting after `through` was reached, so that every
    /// statement returned ended before the tokens did (always true without `through`).
    static func split(_ tokens: [DataflowToken], language: String, through: Int?) -> (statements: DataflowStatements, complete: Bool) {
        let lastLine = through ?? Int.max
        let newlineEnds = endsAtNewline(language)
        let isPython = language == "python", isRuby = language == "ruby", isGo = language == "go"
        let ends = isPython ? pythonContinuationEnds : isRuby ? rubyContinuationEnds : continuationEnds
        var statements = DataflowStatements()
        // Statements' text is about as long as the tokens' text (an upper bound would cost a pass).
        statements.text.reserveCapacity(tokens.count * 4)
        statements.offsets.reserveCapacity(tokens.count)
        var start = 0
        var parens = 0
        var depth = 0
        /// For each open brace: whether it opened a code block (true) or a literal (false).
        var braces: [Bool] = []
        var startDepth = 0
        /// Bracket depth outside each open code block (a callback inside a call's arguments).
        var outerParens: [Int] = []

        var reachedEnd = false
        func close(_ end: Int, opensBlock: Bool) {
            var first = start
            while first < end, tokens[first].kind == .newline { first += 1 }
            if first < end {
                if tokens[first].line > lastLine {
                    reachedEnd = true
                    return
                }
                append(tokens, first..<end, depth: startDepth, opensBlock: opensBlock, to: &statements)
            }
            start = end
            startDepth = depth
            parens = 0
        }

        var i = 0
        while i < tokens.count, !reachedEnd {
            let t = tokens[i]
            switch t.kind {
            case .newline:
                if newlineEnds, parens == 0, i > start {
                    let previous = tokens[i - 1]
                    let next = tokens[(i + 1)...].first { $0.kind != .newline }
                    let continues = (previous.kind == .punct || previous.kind == .word) && ends.contains(previous)
                        || (!isPython && (next.map { $0.kind == .punct && continuationStarts.contains($0) } ?? false))
                    if !continues { close(i + 1, opensBlock: false) ; i += 1; continue }
                }
            case .punct:
                switch t.byte {
                case 0x28, 0x5B:  // ( [
                    parens += 1
                case 0x29, 0x5D:  // ) ]
                    parens = max(0, parens - 1)
                case 0x3B:  // ;
                    if parens == 0 { close(i + 1, opensBlock: false); i += 1; continue }
                case 0x7B:  // {
                    let previous = i > start ? tokens[i - 1] : nil
                    let opensCode = previous.map { blockOpeners.contains($0) && $0.kind != .string } ?? false
                    let isObject = !opensCode && (parens > 0 || previous.map { objectOpeners.contains($0) && $0.kind != .string } ?? false
                        || isGo && isGoCompositeLiteral(tokens, start..<i))
                    if !isObject, !isPython, !isRuby {
                        braces.append(true)
                        depth += 1
                        outerParens.append(parens)
                        close(i + 1, opensBlock: true)
                        startDepth = depth
                        i += 1
                        continue
                    }
                    braces.append(false)
                    parens += 1
                case 0x7D:  // }
                    let wasBlock = braces.popLast() ?? true
                    if wasBlock, !isPython, !isRuby {
                        close(i, opensBlock: false)
                        depth = max(0, depth - 1)
                        if !statements.items.isEmpty { statements.items[statements.items.count - 1].closesBlocks += 1 }
                        start = i + 1
                        startDepth = depth
                        parens = outerParens.popLast() ?? 0
                        i += 1
                        continue
                    }
                    parens = max(0, parens - 1)
                default:
                    break
                }
            default:
                break
            }
            i += 1
        }
        if !reachedEnd { close(tokens.count, opensBlock: false) }
        return (statements, through == nil || reachedEnd)
    }

    static func append(_ tokens: [DataflowToken], _ range: Range<Int>, depth: Int, opensBlock: Bool, to statements: inout DataflowStatements) {
        let textStart = statements.text.count
        let offsetsStart = statements.offsets.count
        var previousIsWord = false
        for k in range {
            let t = tokens[k]
            if t.kind == .newline {
                statements.offsets.append(Int32(statements.text.count - textStart))
                continue
            }
            let isWord = t.kind != .punct
            if isWord, previousIsWord { statements.text.append(0x20) }
            statements.offsets.append(Int32(statements.text.count - textStart))
            if t.kind == .string {
                statements.text.append(0x22)
                for b in t.text.utf8 { statements.text.append(b == 0x22 ? 0x27 : (b == 0x0A ? 0x20 : b)) }
                statements.text.append(0x22)
            } else {
                statements.text.append(contentsOf: t.text.utf8)
            }
            previousIsWord = isWord
        }
        let textEnd = statements.text.count
        statements.text.append(0x0A)
        let first = tokens[range.lowerBound]
        statements.items.append(DataflowStatement(
            tokens: range, textRange: textStart..<textEnd, offsetsStart: offsetsStart, line: first.line, indent: first.column,
            depth: depth, opensBlock: opensBlock, closesBlocks: 0))
    }
}

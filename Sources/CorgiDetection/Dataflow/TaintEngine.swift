/// Where an untrusted value came from, and for which sink classes it is still dangerous.
struct Taint: Sendable, Hashable {
    var classes: ClassMask
    /// Line index (in the analysed window) of the source.
    var line: Int
    /// The source's name ("Flask request data", "parameter `name` (Spring @RequestParam)").
    var source: String
    /// From `parameters_as_sources`: any caller's value, not known request data (low confidence).
    var weak = false
}

/// A source reaching a sink: what the finding reports.
struct DataflowHit: Sendable, Hashable {
    var sinkIndex: Int
    /// Line indices in the analysed window.
    var line: Int
    var column: Int
    var endLine: Int
    var taint: Taint
    /// The sink's matched text (`cursor.execute(`) and the whole statement, normalised.
    var sinkText: String
    var statementText: String
}

/// Intra-procedural taint tracking over the statements of one window.
///
/// Scopes follow functions: entering a function copies the enclosing scope's variables (closures
/// see them), leaving it restores them, so a variable tainted in one function does not leak into
/// its sibling. Assignment with `=` replaces a variable's taint (a constant clears it); `+=` and
/// mutators (`sb.append(x)`) add to it. Sanitisers in an expression remove their classes from
/// the expression's taint. Invariant: memory is the window's tokens plus one variable table per
/// open function.
struct TaintEngine {
    let language: DataflowLanguage
    let languageName: String
    let scratch: MatchScratch
    /// Indices of `language.sources` worth trying: those that match somewhere in the window's raw
    /// text (a superset of where they match normalised statements; see `DataflowCollector`).
    /// Every expression that is checked for a source runs them, so trying only these matters.
    let activeSources: [Int]
    private let indentation: Bool
    /// PHP's member operators (`->`, `::`); elsewhere `.`, `->`, `?.`. In PHP `.` concatenates.
    private let isPHP: Bool
    private let isRuby: Bool
    private let isGo: Bool

    /// Whether `text` is a member access operator (called per token: no hashing).
    @inline(__always)
    private func isMember(_ text: String) -> Bool {
        switch text {
        case "->": true
        case ".", "?.": !isPHP
        case "::": isPHP
        default: false
        }
    }

    /// Whether `token` is a member access operator: a byte test for `.`, a string one only for
    /// the few two-byte operators.
    @inline(__always)
    private func isMember(_ token: DataflowToken) -> Bool {
        guard token.kind == .punct else { return false }
        if token.byte == 0x2E { return !isPHP }
        return token.byte == 0 && isMember(token.text)
    }

    /// Classes of the sinks this run checks: taint of other classes can never make one fire, so
    /// sources and parameters that carry only those are not tracked.
    let relevantClasses: ClassMask

    /// Indices of `language.parameterSources` worth trying on headers (those that match the
    /// window's statements somewhere).
    let activeParameterSources: [Int]
    /// The active literal sources of relevant classes: what a parameter's default value is tried
    /// with (none, and defaults are not read at all).
    private let defaultValueSources: [Int]

    init(language: DataflowLanguage, languageName: String, scratch: MatchScratch, activeSources: [Int]? = nil,
         activeParameterSources: [Int]? = nil, relevantClasses: ClassMask = ~0) {
        self.relevantClasses = relevantClasses
        self.activeParameterSources = activeParameterSources ?? Array(language.parameterSources.indices)
        self.language = language
        self.languageName = languageName
        self.scratch = scratch
        self.activeSources = activeSources ?? Array(language.sources.indices)
        defaultValueSources = self.activeSources.filter {
            language.sources[$0].classes & ~DataflowPack.literalMask == 0 && language.sources[$0].classes & relevantClasses != 0
        }
        indentation = languageName == "python" || languageName == "ruby"
        isPHP = languageName == "php"
        isRuby = languageName == "ruby"
        isGo = languageName == "go"
    }

    private struct Scope {
        /// Indentation of the `def` (Python, Ruby) or the block depth of the body (braces).
        var indent: Int
        var depth: Int
        var variables: [String: Taint]
    }

    /// Words that make a `… {` or `…(…) {` statement a function header, and arrow operators.
    static let functionWords = TokenSet(["function", "func", "fn", "fun", "def"])
    static let arrows = TokenSet(["=>", "->"])
    static let controlWords = TokenSet([
        "if", "else", "elif", "for", "foreach", "while", "switch", "catch", "try", "do", "synchronized", "with",
        "using", "lock", "finally", "elseif", "case", "default", "return", "class", "interface", "struct", "enum",
        "namespace", "module", "select", "unless", "until", "begin", "static", "object", "impl", "trait",
    ])
    /// Words a function declaration (not a call passing a callback) starts with.
    static let declarationStarts = TokenSet([
        "function", "func", "fn", "fun", "def", "async", "export", "public", "private", "protected", "internal", "static",
        "override", "final", "abstract", "synchronized", "void", "@", "#", "get", "set", "constructor", "class",
    ])
    static let declarationWords = TokenSet([
        "var", "let", "const", "val", "final", "global", "nonlocal", "my", "local", "static", "private", "public", "protected",
        "readonly", "auto", "for", "await",
    ])


    /// - Parameter sinkLines: ascending line indices on which sinks may be; nil: any line.
    func run(tokens: [DataflowToken], statements: DataflowStatements, sinks enabled: Set<Int>, sinkLines: [Int]? = nil) -> [DataflowHit] {
        statements.withViews { view in run(tokens: tokens, statements: statements, view: view, sinks: enabled, sinkLines: sinkLines) }
    }

    private func run(tokens: [DataflowToken], statements: DataflowStatements, view: (Int) -> StatementView, sinks enabled: Set<Int>,
                     sinkLines: [Int]?) -> [DataflowHit] {
        let sortedSinks = enabled.sorted()
        let sortedSinkLines = sinkLines
        var scopes = [Scope(indent: -1, depth: 0, variables: [:])]
        var hits: [DataflowHit] = []
        var decorators: [UInt8] = []
        var conditionLine = -1
        var index = 0
        while index < statements.count {
            let st = view(index)
            index += 1
            // Leave finished functions.
            while scopes.count > 1 {
                let top = scopes[scopes.count - 1]
                let finished = indentation ? st.indent <= top.indent : st.depth < top.depth
                if !finished { break }
                scopes.removeLast()
            }
            let first = tokens[st.tokens.lowerBound]
            if indentation, first.kind == .punct, first.text == "@" {
                decorators.append(contentsOf: st.text)
                decorators.append(0x0A)
                continue
            }
            if isFunctionHeader(st, tokens: tokens) {
                // A function with no sink line cannot report, and what it assigns dies with its
                // scope: skip its body whole (exact, and most functions of a window hold no sink).
                if let sortedSinkLines, indentation || st.opensBlock {
                    let end = functionEnd(header: index - 1, statements)
                    let lastLine = tokens[statements[end - 1].tokens.upperBound - 1].line
                    if !Self.contains(sortedSinkLines, from: st.line, through: lastLine) {
                        decorators.removeAll()
                        index = end
                        continue
                    }
                }
                // A call that takes a callback (`db.query(sql, function (err, rows) {`,
                // `http.get(url, res => {`) is a sink in the enclosing scope before it is the
                // callback's header.
                if !indentation, !Self.declarationStarts.contains(tokens[st.tokens.lowerBound]) {
                    let lastLine = tokens[st.tokens.upperBound - 1].line
                    if sinkLines.map({ Self.contains($0, from: st.line, through: lastLine) }) ?? true {
                        checkSinks(st, tokens: tokens, variables: scopes[scopes.count - 1].variables, enabled: sortedSinks, into: &hits)
                    }
                }
                var scope = Scope(indent: st.indent, depth: st.depth + 1, variables: scopes[scopes.count - 1].variables)
                let header = decorators + st.text
                bindParameters(header: header, line: st.line, into: &scope.variables)
                scopes.append(scope)
                decorators.removeAll()
                if st.opensBlock || indentation { continue }
            }
            decorators.removeAll()
            // Moved out and back so the table is mutated in place, not copied per statement.
            var variables = scopes[scopes.count - 1].variables
            scopes[scopes.count - 1].variables = [:]
            let lastLine = tokens[st.tokens.upperBound - 1].line
            if sinkLines.map({ Self.contains($0, from: st.line, through: lastLine) }) ?? true {
                checkSinks(st, tokens: tokens, variables: variables, enabled: sortedSinks, into: &hits)
            }
            propagate(st, tokens: tokens, variables: &variables)
            // Go's `if v := f(); check(v) {` is split at the `;`: its second half is a condition too.
            let continuesCondition = conditionLine == st.line
            if applyGuards(st, tokens: tokens, variables: &variables, condition: continuesCondition) { conditionLine = st.line }
            scopes[scopes.count - 1].variables = variables
        }
        return hits
    }

    // MARK: - Functions

    /// The index of the first statement after the function whose header is `statements[header]`:
    /// the first that would leave the scope the header opens (the same test as in `run`).
    private func functionEnd(header: Int, _ statements: DataflowStatements) -> Int {
        let opened = statements[header]
        var end = header + 1
        while end < statements.count {
            let st = statements[end]
            if indentation ? st.indent <= opened.indent : st.depth < opened.depth + 1 { break }
            end += 1
        }
        return end
    }

    /// Whether sorted `lines` hold one in `from...through`.
    static func contains(_ lines: [Int], from: Int, through: Int) -> Bool {
        var lo = 0, hi = lines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lines[mid] < from { lo = mid + 1 } else { hi = mid }
        }
        return lo < lines.count && lines[lo] <= through
    }

    private func isFunctionHeader(_ st: StatementView, tokens: [DataflowToken]) -> Bool {
        let first = tokens[st.tokens.lowerBound]
        if indentation {
            if first.text == "def" { return true }
            return first.text == "async" && st.tokens.count > 1 && tokens[st.tokens.lowerBound + 1].text == "def"
        }
        guard st.opensBlock else { return false }
        var hasParen = false
        for t in tokens[st.tokens] where t.kind == .word || t.kind == .punct {
            if t.kind == .word {
                if Self.functionWords.contains(t) { return true }
            } else if t.byte == 0x28 {
                hasParen = true
            } else if t.byte == 0, Self.arrows.contains(t) {
                return true
            }
        }
        guard hasParen, first.kind == .word || first.text == "@" || first.text == "#" else { return false }
        return !Self.controlWords.contains(first)
    }

    /// Applies the parameter sources to a function header, and the literal sources to its
    /// parameters' default values (`def fetch(url="http://…")`).
    private func bindParameters(header: [UInt8], line: Int, into variables: inout [String: Taint]) {
        let weakClasses = language.parameterClasses & relevantClasses
        let list = Self.firstParameterList(header)
        if weakClasses != 0, let list {
            for name in Self.parameterNames(list, nameFirst: isGo) where variables[name] == nil {
                variables[name] = Taint(classes: weakClasses, line: line, source: "parameter `\(name)` of the enclosing function", weak: true)
            }
        }
        if let list, !isGo, !defaultValueSources.isEmpty {
            bindDefaultValues(list, line: line, into: &variables)
        }
        guard !activeParameterSources.isEmpty else { return }
        header.withUnsafeBufferPointer { text in
            for index in activeParameterSources where language.parameterSources[index].classes & relevantClasses != 0 {
                let source = language.parameterSources[index]
                for m in source.pattern.allMatches(in: text, scratch: scratch, limit: 64) {
                    guard let group = m.groups[1] else { continue }
                    let list = String(decoding: text[group], as: UTF8.self)
                    for name in Self.parameterNames(list, nameFirst: isGo) where variables[name] == nil || variables[name]!.weak {
                        variables[name] = Taint(classes: source.classes, line: line, source: "parameter `\(name)` (\(source.name))")
                    }
                }
            }
        }
    }

    /// A default value a literal source matches taints its parameter with the source's classes:
    /// the value a caller that passes none gets. A parameter already weak for other classes the
    /// window can reach keeps that origin (and gains the literal's classes); otherwise the literal
    /// is its origin.
    private func bindDefaultValues(_ list: String, line: Int, into variables: inout [String: Taint]) {
        for (name, value) in Self.parameterDefaults(list) {
            var found: Taint?
            Array(value.utf8).withUnsafeBufferPointer { text in
                for index in defaultValueSources {
                    let source = language.sources[index]
                    guard source.pattern.matches(text, scratch: scratch) else { continue }
                    if found == nil { found = Taint(classes: 0, line: line, source: source.name) }
                    found!.classes |= source.classes
                }
            }
            guard let literal = found else { continue }
            if let existing = variables[name], existing.weak, existing.classes & relevantClasses & ~DataflowPack.literalMask != 0 {
                variables[name]!.classes |= literal.classes
            } else if variables[name] == nil || variables[name]!.weak {
                variables[name] = literal
            }
        }
    }

    /// Parameters with a default value and that value's text: `url="http://x"`, `$u = 'a'`,
    /// `timeout: int = 30` (top-level commas only, so a default holding a call or a tuple stays
    /// whole).
    static func parameterDefaults(_ list: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var parts: [ArraySlice<UInt8>] = []
        let bytes = Array(list.utf8)
        var depth = 0, inString = false, start = 0
        for (i, b) in bytes.enumerated() {
            if b == 0x22 { inString.toggle() }
            if inString { continue }
            if b == 0x28 || b == 0x5B || b == 0x7B { depth += 1 }
            if b == 0x29 || b == 0x5D || b == 0x7D { depth -= 1 }
            if b == 0x2C, depth == 0 {
                parts.append(bytes[start..<i])
                start = i + 1
            }
        }
        parts.append(bytes[start...])
        for part in parts {
            guard let eq = part.firstIndex(of: 0x3D), eq + 1 < part.endIndex, part[eq + 1] != 0x3D, eq > part.startIndex,
                  ![0x21, 0x3C, 0x3E, 0x3D].contains(part[eq - 1])
            else { continue }
            let head = String(decoding: part[..<eq], as: UTF8.self)
            guard let name = parameterNames(head).first else { continue }
            result.append((name, String(decoding: part[(eq + 1)...], as: UTF8.self)))
        }
        return result
    }

    /// Names in a parameter list: `String name`, `name: str = "x"`, `$name`, `*args` → the names.
    /// The text inside the parentheses after the function's name (Go: after a receiver).
    static func firstParameterList(_ header: [UInt8]) -> String? {
        // Skip decorators/annotations: the list belongs to the last line's `def`/`function`/name.
        let lastLine = header.lastIndex(of: 0x0A).map { header.index(after: $0) } ?? 0
        var start = lastLine
        var text = Array(header[lastLine...])
        // Skip a Go receiver `func (s *S) Name(`.
        if text.starts(with: Array("func (".utf8)), let close = text.firstIndex(of: 0x29) {
            start += close + 1
            text = Array(header[start...])
        }
        // Skip parenthesised annotation arguments in Java (`@GetMapping("/x")public …`).
        var searchFrom = 0
        while let at = text[searchFrom...].firstIndex(of: 0x40), let open = text[at...].firstIndex(of: 0x28),
              !text[at..<open].contains(0x20), let close = matching(text, open) {
            searchFrom = close + 1
        }
        guard let open = text[searchFrom...].firstIndex(of: 0x28), let close = matching(text, open) else { return nil }
        return String(decoding: text[(open + 1)..<close], as: UTF8.self)
    }

    private static func matching(_ text: [UInt8], _ open: Int) -> Int? {
        var depth = 0
        var inString = false
        for i in open..<text.count {
            if text[i] == 0x22 { inString.toggle(); continue }
            if inString { continue }
            if text[i] == 0x28 { depth += 1 }
            if text[i] == 0x29 { depth -= 1; if depth == 0 { return i } }
        }
        return nil
    }

    static func parameterNames(_ list: String, nameFirst: Bool = false) -> [String] {
        // Bytes, not Characters: names are split at ASCII punctuation and spaces, and any byte of
        // a multi-byte UTF-8 sequence counts as a letter (as `Character.isLetter` would for the
        // letters it encodes).
        func isNameByte(_ b: UInt8) -> Bool {
            (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x24 || b >= 0x80
        }
        func words(_ p: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] { p.split { !isNameByte($0) } }
        var names: [String] = []
        let bytes = Array(list.utf8)
        for part in bytes.split(separator: 0x2C) {
            var p = part
            if let eq = p.firstIndex(of: 0x3D) { p = p[..<eq] }
            if let colon = p.firstIndex(of: 0x3A) {
                if let name = words(p[..<colon]).first { names.append(String(decoding: name, as: UTF8.self)) }
                continue
            }
            // Drop annotations on the parameter (`@RequestParam("id") String id`).
            if let close = p.lastIndex(of: 0x29) { p = p[(close + 1)...] }
            let found = words(p)
            if let name = nameFirst ? found.first : found.last { names.append(String(decoding: name, as: UTF8.self)) }
        }
        return names.filter { !$0.isEmpty && $0 != "self" && $0 != "this" }
    }

    // MARK: - Expressions

    /// Chains (`a`, `a.b.c`, `$this->x`) starting in `range` of the token array, with the index
    /// of their first token.
    private func chains(in range: Range<Int>, tokens: [DataflowToken]) -> [(name: String, index: Int)] {
        var result: [(name: String, index: Int)] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let t = tokens[i]
            guard t.kind == .word else { i += 1; continue }
            if i > range.lowerBound, isMember(tokens[i - 1]) || (tokens[i - 1].kind == .punct && tokens[i - 1].byte == 0 && tokens[i - 1].text == "::") {
                i += 1
                continue
            }
            var name = t.text
            var j = i + 1
            while j + 1 < range.upperBound, isMember(tokens[j]), tokens[j + 1].kind == .word {
                name += "." + tokens[j + 1].text
                j += 2
            }
            result.append((name, i))
            i = j
        }
        return result
    }

    private func lookup(_ chain: String, in variables: [String: Taint]) -> Taint? {
        guard !variables.isEmpty else { return nil }
        if let t = variables[chain] { return t }
        // Prefixes by byte: names are ASCII-delimited by ".", and a Character walk costs more
        // than the lookups.
        var utf8 = chain.utf8[...]
        while let dot = utf8.lastIndex(of: 0x2E) {
            utf8 = utf8[..<dot]
            if let t = variables[String(Substring(utf8))] { return t }
        }
        return nil
    }

    /// The taint of the expression occupying `textRange` of the statement's text.
    private func taint(of st: StatementView, textRange: Range<Int>, tokens: [DataflowToken], variables: [String: Taint]) -> Taint? {
        guard !textRange.isEmpty else { return nil }
        var found: Taint?
        var mask: ClassMask = 0
        // An element looked up with an untrusted key is the container's, not the key's:
        // `PAGES[$_GET["p"]]` is one of PAGES. Index contents are blanked for the sources and
        // their variables are skipped below.
        let indexed = Self.indexRanges(st.text, in: textRange)
        // A copy only when there are index contents to blank.
        var blanked: [UInt8] = []
        if !indexed.isEmpty {
            blanked = Array(st.text[textRange])
            for r in indexed { for k in r { blanked[k - textRange.lowerBound] = 0x20 } }
        }
        let visibleText = { (body: (UnsafeBufferPointer<UInt8>) -> Void) in
            if indexed.isEmpty {
                body(UnsafeBufferPointer(rebasing: st.text[textRange]))
            } else {
                blanked.withUnsafeBufferPointer(body)
            }
        }
        visibleText { text in
            for index in activeSources {
                let source = language.sources[index]
                if let m = source.pattern.firstMatch(in: text, scratch: scratch), let r = m.groups[0] {
                    let line = tokens[st.tokenIndex(at: textRange.lowerBound + r.lowerBound)].line
                    // Name the source that matters most: untrusted input before a literal.
                    let isLiteral = source.classes & ~DataflowPack.literalMask == 0
                    if found == nil || (!isLiteral && found!.classes & ~DataflowPack.literalMask == 0) {
                        found = Taint(classes: source.classes, line: line, source: source.name)
                    }
                    mask |= source.classes
                }
            }
        }
        let firstToken = st.tokenIndex(at: textRange.lowerBound)
        var lastToken = st.tokenIndex(at: max(textRange.lowerBound, textRange.upperBound - 1)) + 1
        lastToken = min(lastToken, st.tokens.upperBound)
        for chain in variables.isEmpty ? [] : chains(in: firstToken..<lastToken, tokens: tokens) {
            let offset = st.offset(ofToken: chain.index)
            if indexed.contains(where: { $0.contains(offset) }) { continue }
            if let t = lookup(chain.name, in: variables), t.classes != 0 {
                if found == nil || (found!.classes & ~DataflowPack.literalMask == 0 && t.classes & ~DataflowPack.literalMask != 0)
                    || (found!.weak && !t.weak && t.classes & ~DataflowPack.literalMask != 0) { found = t }
                mask |= t.classes
            }
        }
        guard var result = found else { return nil }
        do {
            let text = UnsafeBufferPointer(rebasing: st.text[textRange])
            for sanitiser in language.sanitisers where mask & sanitiser.classes != 0 {
                if sanitiser.pattern.matches(text, scratch: scratch) { mask &= ~sanitiser.classes }
            }
            // A conditional expression that checks the value (`ALLOWED.include?(x) ? x : "id"`,
            // `x if x in ALLOWED else "id"`) picks only validated values.
            if language.guards.contains(where: { mask & $0.classes != 0 }), text.contains(0x3F) || Self.containsIf(text) {
                for guardCheck in language.guards where mask & guardCheck.classes != 0 {
                    if guardCheck.pattern.matches(text, scratch: scratch) { mask &= ~guardCheck.classes }
                }
            }
        }
        result.classes = mask
        return mask == 0 ? nil : result
    }

    /// Whether `text` holds ` if ` (a conditional expression), without making a string of it.
    static func containsIf(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= 4 else { return false }
        var i = 0
        while i + 4 <= text.count {
            if text[i] == 0x20, text[i + 1] == 0x69, text[i + 2] == 0x66, text[i + 3] == 0x20 { return true }
            i += 1
        }
        return false
    }

    // MARK: - Guards

    static let conditionWords: Set<String> = ["if", "unless", "elif", "elsif", "guard", "when", "assert", "require", "check"]

    /// `conditionWords.contains(word)`, with most words turned away by length and first letter
    /// before any hashing (this runs on every word of every statement).
    @inline(__always)
    static func isConditionWord(_ word: String) -> Bool {
        let utf8 = word.utf8
        guard utf8.count >= 2, utf8.count <= 7, let first = utf8.first else { return false }
        switch first {
        case 0x69, 0x75, 0x65, 0x67, 0x77, 0x61, 0x72, 0x63: return conditionWords.contains(word)
        default: return false
        }
    }

    /// A condition that validates a variable (`if x not in ALLOWED`, `unless ok?(x)`) clears the
    /// guard's classes from the variables it names, for the rest of the function. Path-insensitive
    /// by design: validating and then using is the common safe shape.
    /// Returns whether the statement is a condition.
    @discardableResult
    private func applyGuards(_ st: StatementView, tokens: [DataflowToken], variables: inout [String: Taint], condition: Bool) -> Bool {
        guard !language.guards.isEmpty else { return false }
        let isCondition = condition || tokens[st.tokens].contains { $0.kind == .word && Self.isConditionWord($0.text) }
        guard isCondition, !variables.isEmpty else { return isCondition }
        // Only the variables the condition names can be cleared, and only of classes they hold:
        // a guard for no such class need not run (most conditions name no tainted variable).
        let named = chains(in: st.tokens, tokens: tokens)
        var held: ClassMask = 0
        for chain in named { Self.forEachPrefix(of: chain.name) { if let t = variables[$0] { held |= t.classes } } }
        guard held != 0 else { return true }
        var cleared: ClassMask = 0
        do {
            let text = st.text
            for g in language.guards where g.classes & held != 0 && g.pattern.matches(text, scratch: scratch) { cleared |= g.classes }
        }
        guard cleared != 0 else { return true }
        for chain in named {
            Self.forEachPrefix(of: chain.name) { name in
                if var t = variables[name] {
                    t.classes &= ~cleared
                    variables[name] = t.classes == 0 ? nil : t
                }
            }
        }
        return true
    }

    /// `a.b.c`, then `a.b`, then `a`.
    static func forEachPrefix(of chain: String, _ body: (String) -> Void) {
        body(chain)
        var utf8 = chain.utf8[...]
        while let dot = utf8.lastIndex(of: 0x2E) {
            utf8 = utf8[..<dot]
            body(String(Substring(utf8)))
        }
    }

    /// Byte ranges inside index brackets (`a[…]`, `f()[…]`) within `range`, strings skipped.
    /// A key that is one string literal or a number (`$_SERVER["REQUEST_URI"]`, `argv[1]`) holds
    /// no value of its own to hide: sources may name it.
    static func isConstantKey<Key: BidirectionalCollection<UInt8>>(_ key: Key) -> Bool {
        guard let first = key.first, let last = key.last else { return false }
        if first == 0x22 {
            return key.count >= 2 && last == 0x22 && !key.dropFirst().dropLast().contains(0x22)
        }
        return key.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func indexRanges(_ text: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var stack: [(start: Int, isIndex: Bool)] = []
        var inString = false
        var i = range.lowerBound
        while i < range.upperBound {
            let b = text[i]
            if b == 0x22 { inString.toggle() } else if !inString {
                if b == 0x5B {
                    let previous = i > range.lowerBound ? text[i - 1] : 0x20
                    let isIndex = previous == 0x29 || previous == 0x5D || previous == 0x5F || previous == 0x24
                        || (previous >= 0x30 && previous <= 0x39) || (previous | 0x20 >= 0x61 && previous | 0x20 <= 0x7A)
                    stack.append((i + 1, isIndex))
                } else if b == 0x5D, let open = stack.popLast(), open.isIndex, stack.allSatisfy({ !$0.isIndex }),
                          !isConstantKey(text[open.start..<i])
                {
                    result.append(open.start..<i)
                }
            }
            i += 1
        }
        return result
    }

    // MARK: - Assignments

    static let assignments: Set<String> = ["=", ":=", "+=", ".=", "||=", "??=", "&&=", "<<="]
    static let accumulating: Set<String> = ["+=", ".=", "||=", "??=", "&&=", "<<="]
    /// Operators that add to what a variable holds rather than replace it.
    static let appending: Set<String> = ["+=", ".=", "<<="]

    /// `name += value`, `name.append(value)`: the variable holds what it held and the value.
    /// A variable that held only a literal (`q = "SELECT …"`, tainted just for the literal
    /// classes) takes the value's untrusted classes and source; one already untrusted keeps its
    /// source, the first that reached it.
    static func append(_ value: Taint?, to name: String, in variables: inout [String: Taint]) {
        guard let value else { return }
        guard var held = variables[name] else {
            variables[name] = value
            return
        }
        let added = value.classes & ~held.classes
        guard added != 0 else { return }
        if held.classes & ~DataflowPack.literalMask == 0 {
            held.line = value.line
            held.source = value.source
            held.weak = value.weak
        }
        held.classes |= value.classes
        variables[name] = held
    }

    private func propagate(_ st: StatementView, tokens: [DataflowToken], variables: inout [String: Taint]) {
        var nesting = 0
        var assignment: Int?
        var loopIn: Int?
        var asIndex: Int?
        for i in st.tokens {
            let t = tokens[i]
            guard t.kind == .punct || t.kind == .word else { continue }
            if t.kind == .punct {
                switch t.byte {
                case 0x28, 0x5B, 0x7B: nesting += 1; continue
                case 0x29, 0x5D, 0x7D: nesting -= 1; continue
                case 0x3D: if nesting == 0, assignment == nil { assignment = i }; continue
                default: break
                }
                if nesting == 0, assignment == nil, t.byte == 0, t.text.utf8.last == UInt8(ascii: "="), Self.assignments.contains(t.text) {
                    assignment = i
                }
                continue
            }
            // Only two-letter words can be `in`, `of` or `as`.
            guard t.text.utf8.count == 2 else { continue }
            if nesting <= 1, t.text == "in" || t.text == "of", loopIn == nil, tokens[st.tokens.lowerBound].text == "for" { loopIn = i }
            if nesting == 0, t.text == "as", asIndex == nil { asIndex = i }
        }
        let first = tokens[st.tokens.lowerBound]
        // `for x in expr` / `for (const x of expr)`
        if first.text == "for", let loopIn, assignment == nil || assignment! > loopIn {
            let targets = targetNames(st.tokens.lowerBound + 1..<loopIn, tokens: tokens)
            let rhs = st.offset(ofToken: loopIn + 1)..<st.text.count
            let value = taint(of: st, textRange: rhs, tokens: tokens, variables: variables)
            for name in targets { variables[name] = value }
            return
        }
        // `with expr as x`
        if first.text == "with", let asIndex {
            let value = taint(of: st, textRange: st.offset(ofToken: st.tokens.lowerBound + 1)..<st.offset(ofToken: asIndex), tokens: tokens, variables: variables)
            for name in targetNames(asIndex + 1..<st.tokens.upperBound, tokens: tokens) { variables[name] = value }
            return
        }
        if let assignment {
            let op = tokens[assignment].text
            let rhs = st.offset(ofToken: assignment + 1)..<st.text.count
            let value = taint(of: st, textRange: rhs, tokens: tokens, variables: variables)
            for name in targetNames(st.tokens.lowerBound..<assignment, tokens: tokens) {
                if Self.appending.contains(op) {
                    Self.append(value, to: name, in: &variables)
                } else if Self.accumulating.contains(op) {
                    if let value, variables[name] == nil { variables[name] = value }
                } else {
                    variables[name] = value
                }
            }
            // Ruby block parameters: `expr.each do |x|`.
            return
        }
        // Ruby's `buffer << value` appends to the buffer.
        if isRuby, st.tokens.count > 2, tokens[st.tokens.lowerBound].kind == .word,
           tokens[st.tokens.lowerBound + 1].text == "<<"
        {
            let value = taint(of: st, textRange: st.offset(ofToken: st.tokens.lowerBound + 2)..<st.text.count, tokens: tokens, variables: variables)
            Self.append(value, to: tokens[st.tokens.lowerBound].text, in: &variables)
            return
        }
        // Ruby blocks and JavaScript callbacks binding a parameter to each element.
        if isRuby, let pipe = st.tokens.first(where: { tokens[$0].text == "|" }), pipe > st.tokens.lowerBound {
            let close = st.tokens[(pipe + 1)...].first(where: { tokens[$0].text == "|" }) ?? pipe
            if close > pipe + 1 {
                let value = taint(of: st, textRange: st.offset(ofToken: st.tokens.lowerBound)..<st.offset(ofToken: pipe), tokens: tokens, variables: variables)
                for name in targetNames(pipe + 1..<close, tokens: tokens) { variables[name] = value }
            }
        }
        // Mutators: `sb.append(x)` taints `sb`.
        // A mutator is called as a method (`receiver.name(`): only such words are looked up.
        if !language.mutators.isEmpty, st.tokens.contains(where: { i in
            i > st.tokens.lowerBound && i + 1 < st.tokens.upperBound && tokens[i].kind == .word && tokens[i + 1].byte == 0x28
                && isMember(tokens[i - 1]) && language.mutators.contains(tokens[i].text)
        }) {
            for chain in chains(in: st.tokens, tokens: tokens) {
                let name = chain.name.utf8
                guard let dot = name.lastIndex(of: 0x2E) else { continue }
                let method = String(Substring(name[name.index(after: dot)...]))
                guard language.mutators.contains(method) else { continue }
                let receiver = String(Substring(name[..<dot]))
                let parts = name.reduce(1) { $1 == 0x2E ? $0 + 1 : $0 }
                let open = chain.index + 2 * (parts - 1) + 1
                guard open < st.tokens.upperBound, tokens[open].text == "(" else { continue }
                let args = argumentRange(st, openParen: st.offset(ofToken: open))
                Self.append(taint(of: st, textRange: args, tokens: tokens, variables: variables), to: receiver, in: &variables)
            }
        }
    }

    /// Variables assigned by the tokens left of an assignment (or a loop's `in`).
    private func targetNames(_ range: Range<Int>, tokens: [DataflowToken]) -> [String] {
        var names: [String] = []
        var part: [Int] = []
        var nesting = 0
        /// Whether a token's text is the one byte `b` (string literals included, as a text compare).
        func isText(_ i: Int, _ b: UInt8) -> Bool {
            let t = tokens[i]
            if t.byte != 0 { return t.byte == b }
            return t.kind == .string && t.text.utf8.count == 1 && t.text.utf8.first == b
        }
        func finish() {
            defer { part.removeAll(keepingCapacity: true) }
            guard !part.isEmpty else { return }
            let firstOpen = part.first { tokens[$0].kind == .punct && (tokens[$0].byte == 0x7B || tokens[$0].byte == 0x5B) }
            if let firstOpen, firstOpen == part.first(where: { tokens[$0].kind != .word || !Self.declarationWords.contains(tokens[$0]) }) {
                // Destructuring: every bound name (`{a, b: c}` binds a and c).
                for (k, i) in part.enumerated() where tokens[i].kind == .word {
                    let nextIsColon = k + 1 < part.count && isText(part[k + 1], 0x3A)
                    if !nextIsColon, !Self.declarationWords.contains(tokens[i]) { names.append(tokens[i].text) }
                }
                return
            }
            // Cut a type annotation (`x: str`, `let x: string`).
            let cut = part.firstIndex { isText($0, 0x3A) } ?? part.count
            // The assigned chain: the last chain start before any index or call.
            let end = part[..<cut].firstIndex { isText($0, 0x5B) || isText($0, 0x28) } ?? cut
            var k = end - 1
            var name = ""
            while k >= 0 {
                let t = tokens[part[k]]
                if t.kind == .word {
                    name = name.isEmpty ? t.text : t.text + "." + name
                    if k > 0, isMember(tokens[part[k - 1]]) { k -= 2; continue }
                }
                break
            }
            if !name.isEmpty, name != "_", !Self.declarationWords.contains(name) { names.append(name) }
        }
        for i in range {
            let t = tokens[i]
            if t.kind == .newline { continue }
            if t.kind == .punct {
                switch t.byte {
                case 0x28, 0x5B, 0x7B: nesting += 1
                case 0x29, 0x5D, 0x7D: nesting -= 1
                case 0x2C: if nesting == 0 { finish(); continue }
                case 0x7C: continue
                default: break
                }
            }
            part.append(i)
        }
        finish()
        return names
    }

    // MARK: - Sinks

    /// The text between an opening parenthesis at `openParen` and its match (exclusive).
    private func argumentRange(_ st: StatementView, openParen: Int) -> Range<Int> {
        var depth = 0
        var i = openParen
        var inString = false
        let text = st.text
        while i < text.count {
            let b = text[i]
            if b == 0x22 { inString.toggle() } else if !inString {
                if b == 0x28 || b == 0x5B || b == 0x7B { depth += 1 }
                if b == 0x29 || b == 0x5D || b == 0x7D {
                    depth -= 1
                    if depth == 0 { return openParen + 1..<i }
                }
            }
            i += 1
        }
        return min(openParen + 1, text.count)..<text.count
    }

    /// The `n`th (1-based) top-level argument inside `range`.
    private func argument(_ n: Int, of st: StatementView, in range: Range<Int>) -> Range<Int>? {
        var depth = 0
        var inString = false
        var index = 1
        var start = range.lowerBound
        for i in range {
            let b = st.text[i]
            if b == 0x22 { inString.toggle(); continue }
            if inString { continue }
            if b == 0x28 || b == 0x5B || b == 0x7B { depth += 1 }
            if b == 0x29 || b == 0x5D || b == 0x7D { depth -= 1 }
            if b == 0x2C, depth == 0 {
                if index == n { return start..<i }
                index += 1
                start = i + 1
            }
        }
        return index == n ? start..<range.upperBound : nil
    }

    private func checkSinks(_ st: StatementView, tokens: [DataflowToken], variables: [String: Taint], enabled: [Int], into hits: inout [DataflowHit]) {
        for index in enabled {
            let sink = language.sinks[index]
            let matches = sink.pattern.allMatches(in: st.text, scratch: scratch, limit: 16)
            for m in matches {
                guard let whole = m.groups[0] else { continue }
                // Code quoted inside a string literal is not a call (a pattern may still start
                // at a literal's opening quote, like HTML assembled from pieces).
                if tokens[st.tokenIndex(at: whole.lowerBound)].kind == .string, st.text[whole.lowerBound] != 0x22 { continue }
                var region: Range<Int>
                if whole.upperBound > 0, st.text[whole.upperBound - 1] == 0x28 {
                    region = argumentRange(st, openParen: whole.upperBound - 1)
                } else if whole.upperBound < st.text.count, st.text[whole.upperBound] == 0x28 {
                    // A pattern ending at the method name (`JWT.encode`): its call's arguments.
                    region = argumentRange(st, openParen: whole.upperBound)
                } else {
                    region = whole.upperBound..<st.text.count
                }
                switch sink.argument {
                case .all: break
                case .receiver: region = 0..<whole.lowerBound
                case .statement: region = 0..<st.text.count
                case .position(let n):
                    guard let r = argument(n, of: st, in: region) else { continue }
                    region = r
                }
                if !sink.safe.isEmpty {
                    let text = UnsafeBufferPointer(rebasing: st.text[region])
                    let isSafe = sink.safe.contains { $0.matches(text, scratch: scratch) }
                    if isSafe { continue }
                }
                // A source inside the sink's own match counts too (`request.args` in the pattern).
                let checked = sink.pattern.captureCount >= 1 && m.groups[1] != nil ? m.groups[1]!.lowerBound..<region.upperBound : region
                guard let t = taint(of: st, textRange: checked, tokens: tokens, variables: variables), t.classes & sink.classBit != 0 else { continue }
                // A sanitiser applied to the sink's result (`Paths.get(x).getFileName()`) counts too.
                let after = region.upperBound..<st.text.count
                let afterText = UnsafeBufferPointer(rebasing: st.text[after])
                let sanitisedAfter = !after.isEmpty
                    && language.sanitisers.contains { $0.classes & sink.classBit != 0 && $0.pattern.matches(afterText, scratch: scratch) }
                if sanitisedAfter { continue }
                let sinkToken = tokens[st.tokenIndex(at: whole.lowerBound)]
                let endToken = tokens[st.tokenIndex(at: max(region.upperBound, whole.upperBound) - 1)]
                hits.append(DataflowHit(
                    sinkIndex: index, line: sinkToken.line, column: sinkToken.column, endLine: max(endToken.line, sinkToken.line),
                    taint: t, sinkText: String(decoding: st.text[whole], as: UTF8.self),
                    statementText: String(decoding: st.text, as: UTF8.self)))
                break
            }
        }
    }
}

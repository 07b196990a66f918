public import Foundation
public import CorgiCore
internal import Yams

/// Holds the new-side lines (added and context) of the current hunk for the dataflow engine and
/// turns the engine's hits into findings on added lines.
///
/// Memory is bounded by the window: at `maximumLines` or `maximumBytes` the window is analysed and
/// only its last `overlap` lines are kept as context for the next part; a hit already reported
/// from an earlier part of the same hunk is not reported again.
struct DataflowCollector {
    static let maximumLines = 2_000
    static let maximumBytes = 512 * 1024
    static let overlap = 300

    let pack: DataflowPack
    /// Hyperscan scratch space for the languages' source prefilters (this scanner's own).
    private let prefilterScratch = PatternPrefilterScratch()
    private var language: DataflowLanguage?
    private var languageName = ""
    private var path = ""
    private var bytes: [UInt8] = []
    private var newLines: [Int] = []
    private var added: [Bool] = []
    private var directives: [IgnoreDirective?] = []
    /// Byte offset in `bytes` where each line starts.
    private var lineStarts: [Int] = []
    /// Sinks whose keywords occur on an added line of the window, found by `flush`.
    private var sinkHits: Set<Int> = []
    /// Window line indices of added lines holding a sink keyword, ascending: only statements on
    /// them are checked against sinks.
    private var sinkLines: [Int] = []
    /// New-file line through which hits were already reported in this hunk.
    private var reportedThrough = 0
    /// Windows lexed so far: what the gates before lexing exist to keep low (tests count them).
    private(set) var windowsLexed = 0

    init(pack: DataflowPack) { self.pack = pack }

    var isActive: Bool { language != nil }

    mutating func beginFile(path: String, language name: String?) {
        self.path = path
        languageName = name ?? ""
        language = pack.language(name)
        reset()
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        newLines.removeAll(keepingCapacity: true)
        added.removeAll(keepingCapacity: true)
        directives.removeAll(keepingCapacity: true)
        lineStarts.removeAll(keepingCapacity: true)
        reportedThrough = 0
    }

    /// Appends one new-side line; returns true when the window is full and should be analysed.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>, newLine: Int, isAdded: Bool, directive: IgnoreDirective?) -> Bool {
        guard language != nil else { return false }
        // Lines are joined by one newline each; an empty first line still counts as a line.
        if !newLines.isEmpty { bytes.append(0x0A) }
        lineStarts.append(bytes.count)
        bytes.append(contentsOf: line)
        newLines.append(newLine)
        added.append(isAdded)
        directives.append(directive)
        return newLines.count >= Self.maximumLines || bytes.count >= Self.maximumBytes
    }

    /// Analyses the window; keeps `overlap` lines when the hunk goes on.
    mutating func flush(keepingOverlap: Bool, scratch: MatchScratch, baseline: Set<String>, statistics: inout ScanStatistics) -> [Finding] {
        defer {
            if keepingOverlap { keepLast(Self.overlap) } else { reset() }
        }
        guard let language, added.contains(true), let dialect = LexerDialect.forLanguage(languageName) else { return [] }
        let keywords = bytes.withUnsafeBufferPointer {
            language.windowKeywords.find(in: $0, lineStarts: lineStarts, wanted: added, scratch: prefilterScratch)
        }
        (sinkHits, sinkLines) = (keywords.sinks, keywords.lines)
        guard !sinkHits.isEmpty else { return [] }
        // A source with keywords counts only where one occurs.
        let possible = { (source: Int) in language.sources[source].keywords.isEmpty || keywords.sources.contains(source) }
        // Which input sources occur, asked of the raw window before lexing: for the patterns the
        // packs use (no spaces inside a pattern's tokens) a superset of where they match the
        // normalised statements. Statements write every string in double quotes; so must the text
        // tried here, or a source naming a key (`$_SERVER["REQUEST_URI"]`) is never tried on
        // `$_SERVER['…']`. (A window without a single quote is used as it is: no copy.)
        var doubleQuoted = bytes
        if let first = bytes.firstIndex(of: 0x27) {
            doubleQuoted.withUnsafeMutableBufferPointer { text in
                for k in first..<text.count where text[k] == 0x27 { text[k] = 0x22 }
            }
        }
        let present = doubleQuoted.withUnsafeBufferPointer { language.sourcePrefilter.matching($0, scratch: prefilterScratch, pcre: scratch) }
            .filter { possible(language.inputSources[$0]) }
        // The classes a value in this window can carry: literal sources' (cleartext URLs,
        // hard-coded secrets: they match quoted literals, which raw text may write with other
        // quotes, so they are assumed unless their keywords are missing), every parameter's,
        // request data's only where one of its sources occurs in the raw text, and parameter
        // sources' where one occurs in the statements (their patterns read headers normalised:
        // `({ body }: Request)` is `({body}:Request)`, which raw text does not show).
        var fed = language.parameterClasses
        for k in language.literalSources where possible(k) { fed |= language.sources[k].classes }
        for k in present { fed |= language.sources[language.inputSources[k]].classes }
        // Nothing to lex unless a sink of a class that may be fed is here. Parameter sources are
        // asked of the window with its spacing normalised (`squeezed`) first: lexing every window
        // for them cost a third more windows lexed on the benchmark.
        if !sinkHits.contains(where: { language.sinks[$0].classBit & fed != 0 }) {
            guard sinkHits.contains(where: { language.sinks[$0].classBit & language.parameterSourceClasses != 0 }) else { return [] }
            let squeezed = Self.squeezed(doubleQuoted)
            let found = squeezed.withUnsafeBufferPointer { language.parameterSourcePrefilter.matching($0, scratch: prefilterScratch, pcre: scratch) }
            let classes = found.reduce(ClassMask(0)) { $0 | language.parameterSources[$1].classes }
            guard sinkHits.contains(where: { language.sinks[$0].classBit & classes != 0 }) else { return [] }
        }
        windowsLexed += 1
        let (tokens, statements) = analysedStatements(dialect: dialect)
        var parameterSources: [Int] = []
        if !language.parameterSources.isEmpty {
            // Every header a parameter source reads (decorators, then the header, each a
            // statement, joined by newlines) is a part of the statements' joined text.
            parameterSources = statements.text.withUnsafeBufferPointer {
                language.parameterSourcePrefilter.matching($0, scratch: prefilterScratch, pcre: scratch)
            }
            for k in parameterSources { fed |= language.parameterSources[k].classes }
        }
        // Only sinks of those classes can fire, and only sources of their classes can matter.
        let enabled = sinkHits.filter { language.sinks[$0].classBit & fed != 0 }
        guard !enabled.isEmpty else { return [] }
        let relevant = enabled.reduce(ClassMask(0)) { $0 | language.sinks[$1].classBit }
        var activeSources = language.literalSources.filter(possible)
        for k in present { activeSources.append(language.inputSources[k]) }
        activeSources = activeSources.filter { language.sources[$0].classes & relevant != 0 }.sorted()
        let engine = TaintEngine(language: language, languageName: languageName, scratch: scratch, activeSources: activeSources,
                                 activeParameterSources: parameterSources, relevantClasses: relevant)
        let hits = engine.run(tokens: tokens, statements: statements, sinks: enabled, sinkLines: sinkLines)
        var findings: [Finding] = []
        var seen = Set<String>()
        for hit in hits where hit.line < newLines.count && added[hit.line] {
            let line = newLines[hit.line]
            guard line > reportedThrough else { continue }
            let sink = language.sinks[hit.sinkIndex].spec
            guard seen.insert("\(sink.id)\0\(line)").inserted else { continue }
            let above = hit.line > 0 && newLines[hit.line - 1] == line - 1 ? directives[hit.line - 1] : nil
            if directives[hit.line]?.suppresses(sink.id) == true || above?.suppresses(sink.id) == true {
                statistics.suppressedInline += 1
                continue
            }
            let fingerprint = Array(hit.statementText.utf8).withUnsafeBufferPointer {
                Fingerprint.make(ruleID: sink.id, path: path, content: $0, normaliseWhitespace: true)
            }
            if baseline.contains(fingerprint) {
                statistics.suppressedBaseline += 1
                continue
            }
            let sourceLine = hit.taint.line < newLines.count ? newLines[hit.taint.line] : line
            // Names from the rule and line numbers only: a finding never carries code.
            var message = "\(sink.title): \(hit.taint.source) (line \(sourceLine)) reaches this \(sink.class) sink "
                + "without \(sink.missing)."
            if let fix = sink.fix { message += " Fix: \(fix)" }
            var finding = Finding(
                ruleID: sink.id, title: sink.title, kind: .code, severity: sink.severity, confidence: hit.taint.weak ? .low : sink.confidence ?? .medium,
                cwe: sink.cwe, owasp: sink.owasp, path: path, line: line, column: hit.column + 1,
                endLine: newLines[min(hit.endLine, newLines.count - 1)], message: message, fingerprint: fingerprint, redacted: nil)
            finding.flow = [
                FlowStep(line: sourceLine, message: "source: \(hit.taint.source)"),
                FlowStep(line: line, message: "sink: \(sink.title) (\(sink.class)), without \(sink.missing)"),
            ]
            findings.append(finding)
        }
        if keepingOverlap, newLines.count > Self.overlap { reportedThrough = newLines[newLines.count - 1] }
        return findings
    }

    /// `text` with its spacing as statements have it: a run of spaces, tabs and line breaks is one
    /// space between two word bytes (letters, digits, `_`, `$`, `@`, quotes, non-ASCII) and
    /// nothing elsewhere; backticks read as double quotes (single ones already do). What it
    /// does not model (comments, escapes, interpolation) is rare in the function headers that
    /// parameter sources read, and only decides whether a window is lexed at all.
    static func squeezed(_ text: [UInt8]) -> [UInt8] {
        func isWord(_ b: UInt8) -> Bool {
            (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x24 || b == 0x40 || b == 0x22 || b >= 0x80
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var pendingSpace = false
        for var b in text {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = true
                continue
            }
            if b == 0x60 { b = 0x22 }
            if pendingSpace, let last = out.last, isWord(last), isWord(b) { out.append(0x20) }
            pendingSpace = false
            out.append(b)
        }
        return out
    }

    /// Lines past this many after the last sink line are lexed only when a sink's statement
    /// runs on beyond them.
    static let linesPastLastSink = 40

    /// Tokens and statements of the window up to the last statement that starts on or before
    /// the last sink line: nothing after it can reach a sink. The window is lexed a few lines
    /// past that line, and whole only when a statement there has not ended by then. Exact: the
    /// lexer reads left to right, so the tokens of the shorter text are those of the whole up to
    /// the statements kept, or the split is not complete and the whole window is lexed.
    private func analysedStatements(dialect: LexerDialect) -> ([DataflowToken], DataflowStatements) {
        let lastSinkLine = sinkLines.last ?? newLines.count - 1
        let cutLine = lastSinkLine + Self.linesPastLastSink
        if cutLine + 1 < newLines.count {
            let cut = lineStarts[cutLine + 1] - 1
            let tokens = DataflowLexer.tokenize(Array(bytes[..<cut]), dialect: dialect)
            let split = StatementSplitter.split(tokens, language: languageName, through: lastSinkLine)
            if split.complete { return (tokens, split.statements) }
        }
        let tokens = DataflowLexer.tokenize(bytes, dialect: dialect)
        return (tokens, StatementSplitter.split(tokens, language: languageName, through: lastSinkLine).statements)
    }

    private mutating func keepLast(_ n: Int) {
        guard newLines.count > n else { return }
        let drop = newLines.count - n
        let cut = lineStarts[drop]
        bytes.removeFirst(cut)
        newLines.removeFirst(drop)
        added.removeFirst(drop)
        directives.removeFirst(drop)
        lineStarts.removeFirst(drop)
        for k in lineStarts.indices { lineStarts[k] -= cut }
    }
}

extension DataflowPack {
    /// The built-in dataflow rules (`Rules/dataflow/`), read once per process; an empty pack when
    /// the folder is missing. A malformed built-in file is a packaging error and is reported by
    /// `corgi rules test` and the test suite, which load it with `load(files:)`.
    public static let builtin: DataflowPack = {
        guard let directory = RuleLoader.builtinRulesDirectory()?.appendingPathComponent("dataflow"),
              let files = try? RuleLoader.ruleFiles(in: directory),
              !files.isEmpty
        else { return DataflowPack.empty }
        do { return try load(files: files, cache: .default("rules")) } catch {
            FileHandle.standardError.write(Data("corgi: the built-in dataflow rules could not be read (\(error)); dataflow analysis is off\n".utf8))
            return DataflowPack.empty
        }
    }()

    static var empty: DataflowPack { try! DataflowPack(files: []) }

    /// Reads dataflow rule files (`dataflow:` entries; other keys are ignored).
    public static func load(files: [URL]) throws -> DataflowPack {
        try load(files: files, cache: nil)
    }

    /// With a `cache`, the files read once are kept decoded, without their test cases, under the
    /// SHA-256 of every file's name and bytes and of the running executable's identity (as the
    /// rule cache keeps rules): parsing their YAML was a sixtieth of a scan of 20 MB. An entry
    /// that fails to decode is read from YAML again and replaced.
    static func load(files: [URL], cache: CacheFolder?) throws -> DataflowPack {
        var sources: [(file: URL, bytes: Data)] = []
        for file in files {
            do { sources.append((file, try Data(contentsOf: file))) } catch {
                throw RuleError(file: file.path, ruleID: "", reason: "cannot read: \(error.localizedDescription)")
            }
        }
        let key = cache.map { _ in
            CacheFolder.key([Array("corgi-dataflow-1".utf8), RuleLoader.executableIdentity()]
                + sources.flatMap { [Array($0.file.lastPathComponent.utf8), Array($0.bytes)] }) + ".json"
        }
        if let cache, let key, let payload = cache.read(key),
           let cached = try? JSONDecoder().decode([DataflowFile].self, from: Data(payload)),
           let pack = try? DataflowPack(files: cached)
        {
            return pack
        }
        var parsed: [DataflowFile] = []
        for source in sources {
            guard let text = String(data: source.bytes, encoding: .utf8) else {
                throw RuleError(file: source.file.lastPathComponent, ruleID: "", reason: "cannot read: not UTF-8")
            }
            do {
                parsed.append(try YAMLDecoder().decode(DataflowFile.self, from: text))
            } catch let error as DecodingError {
                throw RuleError(file: source.file.lastPathComponent, ruleID: "", reason: RuleLoader.describe(error))
            } catch {
                throw RuleError(file: source.file.lastPathComponent, ruleID: "", reason: "not valid YAML: \(error)")
            }
        }
        let pack = try DataflowPack(files: parsed)
        if let cache, let key, let encoded = try? JSONEncoder().encode(parsed.map(\.withoutTests)) {
            cache.write(key, Array(encoded))
        }
        return pack
    }
}

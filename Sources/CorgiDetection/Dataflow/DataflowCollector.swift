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
    private var language: DataflowLanguage?
    private var languageName = ""
    private var path = ""
    private var bytes: [UInt8] = []
    private var newLines: [Int] = []
    private var added: [Bool] = []
    private var directives: [IgnoreDirective?] = []
    private var sinkHits: Set<Int> = []
    /// Window line indices of added lines holding a sink keyword: only statements on them are
    /// checked against sinks.
    private var sinkLines: Set<Int> = []
    /// New-file line through which hits were already reported in this hunk.
    private var reportedThrough = 0

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
        sinkHits.removeAll(keepingCapacity: true)
        sinkLines.removeAll(keepingCapacity: true)
        reportedThrough = 0
    }

    /// Appends one new-side line; returns true when the window is full and should be analysed.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>, newLine: Int, isAdded: Bool, directive: IgnoreDirective?) -> Bool {
        guard let language else { return false }
        // Lines are joined by one newline each; an empty first line still counts as a line.
        if !newLines.isEmpty { bytes.append(0x0A) }
        bytes.append(contentsOf: line)
        newLines.append(newLine)
        added.append(isAdded)
        directives.append(directive)
        if isAdded {
            var hit = false
            language.keywords.scan(line) { sinkHits.insert($0); hit = true }
            if hit { sinkLines.insert(newLines.count - 1) }
        }
        return newLines.count >= Self.maximumLines || bytes.count >= Self.maximumBytes
    }

    /// Analyses the window; keeps `overlap` lines when the hunk goes on.
    mutating func flush(keepingOverlap: Bool, scratch: MatchScratch, baseline: Set<String>, statistics: inout ScanStatistics) -> [Finding] {
        defer {
            if keepingOverlap { keepLast(Self.overlap) } else { reset() }
        }
        guard let language, !sinkHits.isEmpty, added.contains(true) else { return [] }
        guard let dialect = LexerDialect.forLanguage(languageName) else { return [] }
        // Cheap before lexing: with no source anywhere in the window, only sinks of the classes
        // every parameter feeds can fire. Patterns see raw text here, a superset of what they
        // see normalised for the patterns the packs use (no spaces inside a pattern's tokens).
        // Literal sources (cleartext URLs, hard-coded secrets) match quoted literals, which raw
        // text may write with other quotes: they are always tried.
        let isLiteral = { (source: DataflowLanguage.Source) in source.classes & ~DataflowPack.literalMask == 0 }
        // Statements write every string in double quotes; so must the text tried here, or a
        // source naming a key (`$_SERVER["REQUEST_URI"]`) is never tried on `$_SERVER['…']`.
        // (A window without a single quote is used as it is: no copy.)
        let doubleQuoted = bytes.contains(0x27) ? bytes.map { $0 == 0x27 ? 0x22 : $0 } : bytes
        let activeSources = doubleQuoted.withUnsafeBufferPointer { raw in
            language.sources.indices.filter { isLiteral(language.sources[$0]) || language.sources[$0].pattern.matches(raw, scratch: scratch) }
        }
        let hasSource = activeSources.contains { !isLiteral(language.sources[$0]) } || doubleQuoted.withUnsafeBufferPointer { raw in
            language.parameterSources.contains { $0.pattern.matches(raw, scratch: scratch) }
        }
        // Literal-fed classes (cleartext URLs, hard-coded secrets) match quoted literals, which
        // raw text may write with other quotes: those sinks are never skipped here.
        let literalClasses: ClassMask = (1 << ClassMask(DataflowPack.literalClasses.count)) - 1
        let alwaysChecked = language.parameterClasses | literalClasses
        if !hasSource, !sinkHits.contains(where: { language.sinks[$0].classBit & alwaysChecked != 0 }) { return [] }
        let tokens = DataflowLexer.tokenize(bytes, dialect: dialect)
        let statements = StatementSplitter.split(tokens, language: languageName)
        let engine = TaintEngine(language: language, languageName: languageName, scratch: scratch, activeSources: activeSources)
        let hits = engine.run(tokens: tokens, statements: statements, sinks: sinkHits, sinkLines: sinkLines)
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

    private mutating func keepLast(_ n: Int) {
        guard newLines.count > n else { return }
        let drop = newLines.count - n
        var cut = 0
        var seen = 0
        for (k, b) in bytes.enumerated() where b == 0x0A {
            seen += 1
            if seen == drop { cut = k + 1; break }
        }
        bytes.removeFirst(cut)
        newLines.removeFirst(drop)
        added.removeFirst(drop)
        directives.removeFirst(drop)
        // Sinks seen only in the dropped lines cannot be reported again; recompute from the rest.
        sinkHits.removeAll(keepingCapacity: true)
        sinkLines.removeAll(keepingCapacity: true)
        if let language {
            var start = 0
            for (index, isAdded) in added.enumerated() {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                if isAdded {
                    var hit = false
                    bytes[start..<end].withUnsafeBufferPointer { language.keywords.scan($0) { sinkHits.insert($0); hit = true } }
                    if hit { sinkLines.insert(index) }
                }
                start = end + 1
            }
        }
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
        do { return try load(files: files) } catch {
            FileHandle.standardError.write(Data("corgi: the built-in dataflow rules could not be read (\(error)); dataflow analysis is off\n".utf8))
            return DataflowPack.empty
        }
    }()

    static var empty: DataflowPack { try! DataflowPack(files: []) }

    /// Reads dataflow rule files (`dataflow:` entries; other keys are ignored).
    public static func load(files: [URL]) throws -> DataflowPack {
        var parsed: [DataflowFile] = []
        for file in files {
            let text: String
            do { text = try String(contentsOf: file, encoding: .utf8) } catch {
                throw RuleError(file: file.path, ruleID: "", reason: "cannot read: \(error.localizedDescription)")
            }
            do {
                parsed.append(try YAMLDecoder().decode(DataflowFile.self, from: text))
            } catch let error as DecodingError {
                throw RuleError(file: file.lastPathComponent, ruleID: "", reason: RuleLoader.describe(error))
            } catch {
                throw RuleError(file: file.lastPathComponent, ruleID: "", reason: "not valid YAML: \(error)")
            }
        }
        do { return try DataflowPack(files: parsed) } catch {
            throw error
        }
    }
}

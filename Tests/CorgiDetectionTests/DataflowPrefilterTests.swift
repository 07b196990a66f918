import CorgiCore
import Foundation
import Testing

@testable import CorgiDetection

/// The dataflow stage's shortcuts: each must answer exactly as the slow path it replaces, on the
/// built-in pack's own cases and on text written to trip it.
@Suite("Dataflow prefilters")
struct DataflowPrefilterTests {
    static let pack = DataflowTests.pack

    /// Every sink's cases of a language, each also with its single quotes made double (the form
    /// the source prefilter sees), and a few hostile texts.
    static func texts(for language: String) -> [String] {
        var texts: [String] = []
        for (name, sink) in pack.sinkSpecs where name == language {
            let cases = ((sink.tests?.match ?? []) + (sink.tests?.noMatch ?? [])).map(\.text)
            texts += cases
            texts += cases.map { $0.replacingOccurrences(of: "'", with: "\"") }
        }
        texts += ["", "\n", "\u{0}\u{FF}request", String(repeating: "request.args.get(\"q\") ", count: 200),
                  "REQUEST.ARGS", "r.URL.Query().Get(\"x\")\n$_GET[\"a\"]\nreq.query.id\nparams[:id]\n"]
        return texts
    }

    @Test("the source prefilter names exactly the patterns PCRE2 matches, with and without Hyperscan")
    func sourcePrefilterIsExact() throws {
        for (name, language) in Self.pack.languages {
            let portable = PatternPrefilter(patterns: language.sourcePrefilter.patterns, hyperscan: false)
            let uncached = PatternPrefilter(patterns: language.sourcePrefilter.patterns, cache: nil)
            let scratch = PatternPrefilterScratch()
            let pcre = MatchScratch()
            for text in Self.texts(for: name) {
                let bytes = Array(text.utf8)
                let expected = bytes.withUnsafeBufferPointer { subject in
                    language.sourcePrefilter.patterns.indices.filter { language.sourcePrefilter.patterns[$0].matches(subject, scratch: pcre) }
                }
                bytes.withUnsafeBufferPointer { subject in
                    #expect(language.sourcePrefilter.matching(subject, scratch: scratch, pcre: pcre) == expected, "\(name)")
                    #expect(portable.matching(subject, scratch: scratch, pcre: pcre) == expected, "\(name)")
                    #expect(uncached.matching(subject, scratch: scratch, pcre: pcre) == expected, "\(name)")
                }
            }
            if HyperscanDatabase.isAvailable, !language.sourcePrefilter.patterns.isEmpty {
                #expect(language.sourcePrefilter.compiled.database != nil, "\(name): the sources compile for Hyperscan")
            }
        }
    }

    @Test("a pattern Hyperscan refuses is left to PCRE2, and the others still use the database")
    func refusedPatternFallsBack() throws {
        // A recursive pattern (balanced parentheses, then `x`) compiles in PCRE2 only.
        let patterns = [try PCRE2Pattern("\\brequest\\.args\\b"), try PCRE2Pattern("(\\((?:[^()]|(?1))*\\))x"), try PCRE2Pattern("\\bparams\\[")]
        let prefilter = PatternPrefilter(patterns: patterns, cache: nil)
        let scratch = PatternPrefilterScratch()
        let pcre = MatchScratch()
        func matching(_ text: String) -> [Int] {
            Array(text.utf8).withUnsafeBufferPointer { prefilter.matching($0, scratch: scratch, pcre: pcre) }
        }
        #expect(matching("a = request.args; f((1)(2))x; params[:id]") == [0, 1, 2])
        #expect(matching("(((a)))x") == [1])
        #expect(matching("nothing here") == [])
        if HyperscanDatabase.isAvailable {
            let compiled = prefilter.compiled
            #expect(compiled.database != nil)
            #expect(compiled.inDatabase == [true, false, true])
        }
    }

    /// The language's keyword index rebuilt from its rules without Hyperscan: the portable path.
    static func portableKeywords(_ language: DataflowLanguage) -> WindowKeywordIndex {
        WindowKeywordIndex(
            sinks: language.sinks.enumerated().flatMap { index, sink in sink.spec.keywords.map { ($0, index) } },
            sources: language.sources.enumerated().flatMap { index, source in source.keywords.map { ($0, index) } },
            sinksIgnoreCase: language.callsIgnoreCase, hyperscan: false)
    }

    /// What `index` finds in `text`, with the lines `wanted` (every line when nil).
    static func keywords(_ index: WindowKeywordIndex, _ text: String, wanted: [Bool]? = nil) -> WindowKeywordIndex.Found {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var starts: [Int] = []
        var offset = 0
        for line in lines {
            starts.append(offset)
            offset += line.utf8.count + 1
        }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer {
            index.find(in: $0, lineStarts: starts, wanted: wanted ?? lines.map { _ in true }, scratch: PatternPrefilterScratch())
        }
    }

    @Test("window keywords: the Hyperscan pass and the automaton report the same sinks, lines and sources")
    func windowKeywordsAgree() {
        for (name, language) in Self.pack.languages {
            let portable = Self.portableKeywords(language)
            for text in Self.texts(for: name) + [Self.texts(for: name).joined(separator: "\n")] {
                // Every other line counts as added.
                let wanted = text.split(separator: "\n", omittingEmptySubsequences: false).indices.map { $0 % 2 == 0 }
                let fast = Self.keywords(language.windowKeywords, text, wanted: wanted)
                let slow = Self.keywords(portable, text, wanted: wanted)
                #expect(fast == slow, "\(name)")
                #expect(slow.lines.allSatisfy { wanted[$0] })
            }
        }
    }

    @Test("keywords match as written: a function header is not `new Function(`, nor `payload(` a `.load(`")
    func keywordsAreCaseSensitive() throws {
        let js = try #require(Self.pack.languages["javascript"])
        let code = try #require(js.sinks.firstIndex { $0.spec.id == "js-dataflow-code" })
        let deserialise = try #require(js.sinks.firstIndex { $0.spec.id == "js-dataflow-deserialisation" })
        for index in [js.windowKeywords, Self.portableKeywords(js)] {
            let plain = Self.keywords(index, "export async function loadPayload(payload, SCRIPT) {\n  return payload;\n}")
            #expect(!plain.sinks.contains(code) && !plain.sinks.contains(deserialise))
            let sinks = Self.keywords(index, "const f = new Function(body);\nconst v = jsyaml.load(text);")
            #expect(sinks.sinks.isSuperset(of: [code, deserialise]))
            #expect(sinks.lines == [0, 1])
        }
    }

    @Test("a source's keywords count on every line of the window, a sink's only on wanted lines")
    func sourceKeywordsOnEveryLine() throws {
        let python = try #require(Self.pack.languages["python"])
        let literal = try #require(python.sources.firstIndex { $0.id == "cleartext-url-literal" })
        let request = try #require(python.sinks.firstIndex { $0.spec.id == "python-cleartext-request" })
        for index in [python.windowKeywords, Self.portableKeywords(python)] {
            let text = "url = 'http://api.example.com/v1'\nrequests.get(url)"
            let sinkAdded = Self.keywords(index, text, wanted: [false, true])
            #expect(sinkAdded.sources == [literal])
            #expect(sinkAdded.sinks.contains(request) && sinkAdded.lines == [1])
            let sinkInContext = Self.keywords(index, text, wanted: [true, false])
            #expect(sinkInContext.sources == [literal])
            #expect(sinkInContext.sinks.isEmpty && sinkInContext.lines.isEmpty)
            #expect(Self.keywords(index, "url = 'https://api.example.com/v1'\nrequests.get(url)").sources.isEmpty)
        }
    }

    /// Feeds `lines` (added unless their index is in `context`) to a fresh collector as one hunk
    /// of `path` and flushes it.
    static func collect(_ path: String, _ lines: [String], context: Set<Int> = []) -> (lexed: Int, findings: [Finding]) {
        var collector = DataflowCollector(pack: pack)
        collector.beginFile(path: path, language: Language.detect(path: path))
        for (k, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBufferPointer { collector.append($0, newLine: k + 1, isAdded: !context.contains(k), directive: nil) }
        }
        var statistics = ScanStatistics()
        let findings = collector.flush(keepingOverlap: false, scratch: MatchScratch(), baseline: [], statistics: &statistics)
        return (collector.windowsLexed, findings)
    }

    @Test("a window whose sinks only a literal could feed is not lexed unless the literal's keywords occur")
    func literalSourceKeywordsGateWindows() {
        let relative = Self.collect("app.js", ["async function load(id) {", "  const r = await fetch(`/api/items/${id}`);", "}"])
        #expect(relative.lexed == 0)
        #expect(relative.findings.isEmpty)
        // The scheme on a context line, an escaped one, and a ws: URL still reach the sink.
        let cases: [(lines: [String], context: Set<Int>)] = [
            (["const base = 'http://api.example.com';", "async function load(id) {", "  const r = await fetch(base + id);", "}"], [0]),
            (["async function load() {", "  return fetch('http:\\/\\/api.example.com\\/items');", "}"], []),
            (["function open() {", "  return new WebSocket(\"ws://feed.example.com/live\");", "}"], []),
        ]
        for c in cases {
            let result = Self.collect("app.js", c.lines, context: c.context)
            #expect(result.lexed == 1, "\(c.lines)")
            #expect(result.findings.map(\.ruleID) == ["js-cleartext-request"], "\(c.lines)")
        }
    }

    @Test("a source's keywords must be non-empty strings")
    func sourceKeywordsValidated() {
        for keywords in [[] as [String], ["http:", ""]] {
            let file = DataflowFile(dataflow: [DataflowLanguageSpec(
                languages: ["python"],
                sources: [SourceSpec(id: "s", name: "s", pattern: "x", classes: ["cleartext"], keywords: keywords)])])
            #expect(throws: RuleError.self) { try DataflowPack(files: [file]) }
        }
    }

    @Test("a token set answers as a set of strings would")
    func tokenSet() {
        let members: Set<String> = ["+", "(", "=>", "and", "\\", "return", "::"]
        let set = TokenSet(members)
        let code = "return a and b => (c + d) :: e \\ or f == g; returns andx ( +"
        for token in DataflowTests().lex(code, "ruby") {
            #expect(set.contains(token) == members.contains(token.text), "\(token.text)")
        }
        for text in ["", "+", "++", "r", "return", "returns", "an", "and", "::", ":", "=>>", "é"] {
            #expect(set.contains(text) == members.contains(text), "\(text)")
        }
    }

    @Test("splitting up to a line gives a prefix of the whole split, and says whether it ended there")
    func splitThrough() {
        let code = "def f(a):\n    x = g(\n        a,\n        b)\n    y = 1\n    z = h(x)\n"
        let tokens = DataflowTests().lex(code, "python")
        let whole = StatementSplitter.split(tokens, language: "python")
        for line in 0..<7 {
            let part = StatementSplitter.split(tokens, language: "python", through: line)
            #expect(part.statements.texts == Array(whole.texts.prefix(part.statements.count)))
            #expect(part.statements.items.allSatisfy { $0.line <= line })
            // Complete exactly when a statement starting after the line exists.
            #expect(part.complete == whole.items.contains { $0.line > line })
        }
    }

    @Test("a sink whose statement runs on far past the last sink line still sees its arguments")
    func longStatementPastTheCut() throws {
        let filler = (0..<(DataflowCollector.linesPastLastSink + 20)).map { "        \"part\($0)\" +" }.joined(separator: "\n")
        let found = try DataflowTests().findings("app.py", """
            from flask import request
            def search(cursor):
                cursor.execute(
            \(filler)
                    request.args["q"])
                return 1
            """)
        #expect(found.contains { $0.ruleID == "python-dataflow-sql" && $0.line == 3 })
        // The same statement ending before the cut reports too, and a clean one does not.
        let short = try DataflowTests().findings("app.py", """
            from flask import request
            def search(cursor):
                cursor.execute("SELECT " +
                    request.args["q"])
                cursor.execute("SELECT 1")
            """)
        #expect(short.filter { $0.ruleID == "python-dataflow-sql" }.map(\.line) == [3])
    }

    @Test("sources only the normalised text shows still count: a parameter source in a spaced header, a URL in backticks")
    func sourcesTheRawTextHides() throws {
        // `express-destructured-request` reads `({body}:Request`; the file writes `({ body }: Request`.
        let typed = try DataflowTests().findings("feed.ts", """
            import got from "got";
            export const importFeed = async ({ body }: Request, res: Response) => {
              const feedUrl = body.feedUrl;
              const xml = await got(feedUrl).text();
            };
            """)
        #expect(typed.contains { $0.ruleID == "js-dataflow-ssrf" && $0.line == 4 })
        // The cleartext source matches `"http://…` in statements; the file writes a template literal.
        let url = try DataflowTests().findings("sync.js", "function sync() {\n  const u = `http://api.example.com/v1`;\n  return fetch(u);\n}\n")
        #expect(url.contains { $0.ruleID == "js-cleartext-request" && $0.line == 3 })
        // With neither, nothing is reported.
        let clean = try DataflowTests().findings("sync.js", "function sync() {\n  const u = `https://api.example.com/v1`;\n  return fetch(u);\n}\n")
        #expect(!clean.contains { $0.ruleID == "js-cleartext-request" || $0.ruleID == "js-dataflow-ssrf" })
    }

    @Test("statements share one text: each statement's view is its own text, the whole is them joined by newlines")
    func sharedStatementText() {
        let code = "def f(a):\n    x = g(a,\n          'b')  # c\n    return h(x)\n"
        let tokens = DataflowTests().lex(code, "python")
        let statements = StatementSplitter.split(tokens, language: "python")
        #expect(statements.texts == ["def f(a):", "x=g(a,\"b\")", "return h(x)"])
        #expect(String(decoding: statements.text, as: UTF8.self) == statements.texts.map { $0 + "\n" }.joined())
        statements.withViews { view in
            for index in 0..<statements.count {
                let st = view(index)
                #expect(Array(st.text) == statements.text(of: statements[index]))
                // Every token's offset finds that token again (a line break shares the next token's).
                for k in st.tokens where tokens[k].kind != .newline { #expect(st.tokenIndex(at: st.offset(ofToken: k)) == k) }
                #expect(st.offset(ofToken: st.tokens.upperBound) == st.text.count)
            }
        }
    }

    @Test("a window's spacing squeezed as statements space their tokens")
    func squeezedSpacing() {
        func squeezed(_ text: String) -> String {
            String(decoding: DataflowCollector.squeezed(Array(text.utf8)), as: UTF8.self)
        }
        #expect(squeezed("async ({ body }: Request, res) => {") == "async({body}:Request,res)=>{")
        #expect(squeezed("function show(Request  $request)\n{") == "function show(Request $request){")
        #expect(squeezed("def view(request,\n         slug):") == "def view(request,slug):")
        #expect(squeezed("@RequestParam( \"name\" )   String\tname") == "@RequestParam(\"name\")String name")
        #expect(squeezed("x = `a` + y") == "x=\"a\"+y")
    }

    @Test("a window whose only source is a parameter source in a spaced header is still analysed")
    func parameterSourceInSpacedHeader() throws {
        // A path sink is not fed by plain parameters in Java: only the annotated parameter
        // makes this window worth lexing, and its header is spread over lines and spaces.
        let found = try DataflowTests().findings("Files2.java", """
            public class Files2 {
                @GetMapping("/file")
                public String read(
                        @RequestParam( "name" )   String   name) throws Exception {
                    return new String(Files.readAllBytes(Paths.get("/srv/" + name)));
                }
            }
            """)
        #expect(found.contains { $0.ruleID == "java-dataflow-path" && $0.line == 5 })
        let plain = try DataflowTests().findings("Files2.java", """
            public class Files2 {
                public String read(String name) throws Exception {
                    return new String(Files.readAllBytes(Paths.get("/srv/" + name)));
                }
            }
            """)
        #expect(!plain.contains { $0.ruleID == "java-dataflow-path" })
    }

    @Test("the built-in dataflow pack is kept decoded: a second load reads the cache, a bad entry is read again from YAML")
    func packCache() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-dataflow-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = CacheFolder(directory: directory)
        let files = try RuleLoader.ruleFiles(in: RuleLoader.builtinRulesDirectory()!.appendingPathComponent("dataflow"))
        let fromYAML = try DataflowPack.load(files: files, cache: cache)
        #expect(fromYAML.sinkSpecs.contains { $0.sink.tests != nil })
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        #expect(entries.count == 1)
        // Read back from the entry: the same sinks, kept without their test cases.
        let fromCache = try DataflowPack.load(files: files, cache: cache)
        #expect(fromCache.sinkSpecs.map(\.sink.id) == fromYAML.sinkSpecs.map(\.sink.id))
        #expect(fromCache.sinkSpecs.allSatisfy { $0.sink.tests == nil })
        #expect(fromCache.languages.keys.sorted() == fromYAML.languages.keys.sorted())
        // An entry that is not a pack is read from YAML again and replaced.
        cache.write(entries[0], Array("not a pack".utf8))
        let reread = try DataflowPack.load(files: files, cache: cache)
        #expect(reread.sinkSpecs.contains { $0.sink.tests != nil })
        #expect(try DataflowPack.load(files: files, cache: cache).sinkSpecs.allSatisfy { $0.sink.tests == nil })
    }
}

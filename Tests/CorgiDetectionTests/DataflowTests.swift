import CorgiCore
import Foundation
import Testing

@testable import CorgiDetection

/// The dataflow engine: lexers, statements, taint tracking across lines, and the built-in
/// dataflow rules' own cases.
@Suite("Dataflow")
struct DataflowTests {
    static let pack: DataflowPack = {
        let directory = RuleLoader.builtinRulesDirectory()!.appendingPathComponent("dataflow")
        return try! DataflowPack.load(files: RuleLoader.ruleFiles(in: directory))
    }()

    static let codeRules: [RuleDefinition] = [
        // One code rule so the scanner runs the dataflow stage; it never matches.
        rule("placeholder-code-rule", kind: .code, regex: "\\bnever-matches-anything\\b", keywords: ["never-matches-anything"]),
    ]

    static let extensions = ["python": "py", "javascript": "js", "typescript": "ts", "java": "java", "kotlin": "kt",
                             "ruby": "rb", "php": "php", "go": "go"]

    func findings(_ path: String, _ text: String) throws -> [Finding] {
        try scan(RuleTester.diff(path: path, text: text), rules: Self.codeRules).findings
    }

    // MARK: - Lexer

    func lex(_ code: String, _ language: String) -> [DataflowToken] {
        DataflowLexer.tokenize(Array(code.utf8), dialect: LexerDialect.forLanguage(language)!)
    }

    @Test("comments vanish and strings are one token, in every comment style")
    func commentsAndStrings() {
        let py = lex("x = 'a # not a comment'  # comment with request.args\n", "python")
        #expect(py.filter { $0.kind != .newline }.map(\.text) == ["x", "=", "a # not a comment"])
        let js = lex("/* eval(req.query.x) */ let a = \"b // c\"; // d\n", "javascript")
        #expect(js.filter { $0.kind != .newline }.map(\.text) == ["let", "a", "=", "b // c", ";"])
        let php = lex("<?php # c\n$a = 'x'; // y\n", "php")
        #expect(php.filter { $0.kind == .word }.map(\.text) == ["$a"])
    }

    @Test("interpolation is lifted out of f-strings, template literals, Ruby and PHP strings as concatenation")
    func interpolation() {
        let words: (String, String) -> [String] = { code, language in
            self.lex(code, language).filter { $0.kind == .word }.map(\.text)
        }
        #expect(words("q = f\"SELECT {name} FROM t {{literal}}\"", "python") == ["q", "name"])
        #expect(words("q = `SELECT ${user.id} FROM t`", "javascript") == ["q", "user", "id"])
        #expect(words("q = \"SELECT #{params[:id]}\"", "ruby") == ["q", "params"])
        #expect(words("$q = \"SELECT $id AND {$row['x']}\";", "php") == ["$q", "$id", "$row"])
        // A single-quoted string never interpolates.
        #expect(words("q = 'SELECT #{x}'", "ruby") == ["q"])
        let tokens = lex("q = f\"a{b}c\"", "python").map(\.text)
        #expect(tokens == ["q", "=", "a", "+", "b", "+", "c"])
    }

    @Test("heredocs become a string with their interpolations, and the lines after them keep their numbers")
    func heredocs() {
        let ruby = lex("sql = <<~SQL\n  SELECT * FROM t WHERE id = #{id}\nSQL\nexec(sql)\n", "ruby")
        #expect(ruby.filter { $0.kind == .word }.map(\.text) == ["sql", "id", "exec", "sql"])
        #expect(ruby.first { $0.text == "exec" }?.line == 3)
        let php = lex("$q = <<<EOT\nSELECT $id\nEOT;\nrun($q);\n", "php")
        #expect(php.filter { $0.kind == .word }.map(\.text) == ["$q", "$id", "run", "$q"])
        #expect(php.first { $0.text == "run" }?.line == 3)
    }

    @Test("regex literals and Python triple quotes do not swallow code")
    func literals() {
        let js = lex("const r = /a\"b/g; eval(x)\n", "javascript").filter { $0.kind == .word }.map(\.text)
        #expect(js == ["const", "r", "eval", "x"])
        let py = lex("s = \"\"\"a\n'b'\n\"\"\"\neval(y)\n", "python")
        #expect(py.first { $0.text == "eval" }?.line == 3)
    }

    // MARK: - Statements

    @Test("statements join continued lines and split at block braces, even in callbacks")
    func statements() {
        let code = "app.get('/', (req, res) => {\n  const q = 'a' +\n    req.query.x;\n  db.query(q);\n});\n"
        let tokens = lex(code, "javascript")
        let statements = StatementSplitter.split(tokens, language: "javascript")
        let texts = statements.texts
        #expect(texts.contains("const q=\"a\"+req.query.x;"))
        #expect(texts.contains("db.query(q);"))
        #expect(statements.items.first?.opensBlock == true)
    }

    @Test("parameter lists name their parameters in each language's order")
    func parameterNames() {
        #expect(TaintEngine.parameterNames("String name, @RequestParam(\"id\") int id") == ["name", "id"])
        #expect(TaintEngine.parameterNames("name: str = 'x', count=3") == ["name", "count"])
        #expect(TaintEngine.parameterNames("w http.ResponseWriter, r *http.Request", nameFirst: true) == ["w", "r"])
        #expect(TaintEngine.firstParameterList(Array("@GetMapping(\"/x\")\npublic String f(String a)".utf8)) == "String a")
    }

    // MARK: - Engine through the scanner

    @Test("a source several lines above reaches a sink through assignment, formatting and concatenation")
    func multiLine() throws {
        let found = try findings("app.py", """
            from flask import request
            def search(cursor):
                term = request.args.get("q")
                pattern = "%" + term + "%"
                sql = "SELECT * FROM items WHERE name LIKE '{}'".format(pattern)
                cursor.execute(sql)
            """)
        let hit = try #require(found.first { $0.ruleID == "python-dataflow-sql" })
        #expect(hit.line == 6)
        #expect(hit.message.contains("line 3"))
        #expect(hit.message.contains("Flask"))
        #expect(hit.message.contains("parameterised"))
        #expect(hit.flow == [FlowStep(line: 3, message: "source: Flask/Werkzeug request data"),
                             FlowStep(line: 6, message: hit.flow![1].message)])
        // A finding never carries code: nothing of the diff's text is in the message.
        #expect(!hit.message.contains("LIKE"))
        #expect(!hit.message.contains("pattern"))
    }

    @Test("aliases carry taint, and reassignment with a constant clears it")
    func aliasing() throws {
        let aliased = try findings("a.js", """
            app.get('/run', (req, res) => {
              const input = req.body.cmd;
              const alias = input;
              const { other } = req.query;
              child_process.exec(alias);
              child_process.exec('ls ' + other);
            });
            """)
        #expect(aliased.filter { $0.ruleID == "js-dataflow-command" }.map(\.line) == [5, 6])
        let cleared = try findings("a.js", """
            app.get('/run', (req, res) => {
              let input = req.body.cmd;
              input = 'uptime';
              child_process.exec(input);
            });
            """)
        #expect(!cleared.contains { $0.ruleID == "js-dataflow-command" })
    }

    @Test("sanitisers stop their classes only: an integer cast stops all, HTML escaping does not stop SQL")
    func sanitisers() throws {
        let safe = try findings("v.py", """
            def view(request):
                n = int(request.GET["n"])
                cursor.execute("SELECT * FROM t LIMIT " + str(n))
            """)
        #expect(!safe.contains { $0.ruleID == "python-dataflow-sql" })
        let wrongSanitiser = try findings("v.py", """
            def view(request):
                name = html.escape(request.GET["name"])
                cursor.execute("SELECT * FROM t WHERE name = '" + name + "'")
            """)
        #expect(wrongSanitiser.contains { $0.ruleID == "python-dataflow-sql" })
        let parameterised = try findings("v.py", """
            def view(request):
                name = request.GET["name"]
                cursor.execute("SELECT * FROM t WHERE name = %s", (name,))
            """)
        #expect(!parameterised.contains { $0.ruleID == "python-dataflow-sql" })
    }

    @Test("taint does not leak from one function into its sibling")
    func functionScopes() throws {
        let found = try findings("S.java", """
            class S {
              void a(HttpServletRequest request) throws Exception {
                String cmd = request.getParameter("c");
                Runtime.getRuntime().exec(cmd);
              }
              void b() throws Exception {
                String cmd = "uptime";
                Runtime.getRuntime().exec(cmd);
              }
            }
            """)
        #expect(found.filter { $0.ruleID == "java-dataflow-command" }.map(\.line) == [4])
    }

    @Test("functions without a sink are skipped whole; module-level taint and nested functions with sinks still report")
    func sinkFreeFunctionsSkipped() throws {
        // `helper` taints `cmd` and `other` has no sink: both are skipped, which must change
        // nothing. The module-level `CMD` and the sink inside `outer`'s nested `run` still meet.
        let found = try findings("app.py", """
            from flask import request
            import os
            CMD = request.args.get("c")
            def helper():
                cmd = request.args.get("c")
                return cmd
            def other():
                x = 1
                def inner():
                    return x
                return inner
            def outer():
                def run():
                    os.system(CMD)
                return run
            def safe():
                cmd = "uptime"
                os.system(cmd)
            """)
        #expect(found.filter { $0.ruleID.hasPrefix("python-dataflow-command") }.map(\.line) == [14])
        #expect(TaintEngine.contains([3, 9, 20], from: 4, through: 8) == false)
        #expect(TaintEngine.contains([3, 9, 20], from: 4, through: 9) == true)
        #expect(TaintEngine.contains([3, 9, 20], from: 21, through: 30) == false)
        #expect(TaintEngine.contains([], from: 0, through: 30) == false)
    }

    @Test("a literal default value of a parameter is what the parameter holds: an http URL reaches the client call", arguments: [
        ("fetch.py", "def fetch(url = \"http://api.example.com/v1\"):\n    return urllib.request.urlopen(url).read()\n", "python-cleartext-request"),
        ("fetch.py", "def fetch(session, url=\"ftp://files.example.com/a\", timeout=(3, 10)):\n    return session.get(url, timeout=timeout)\n", "python-cleartext-request"),
        ("fetch.js", "async function load(id, base = 'http://api.example.com') {\n  return fetch(base + '/items/' + id);\n}\n", "js-cleartext-request"),
        ("fetch.rb", "def fetch(url = \"http://api.example.com/v1\")\n  Net::HTTP.get(URI(url))\nend\n", "ruby-cleartext-request"),
    ] as [(String, String, String)])
    func defaultParameterLiteral(path: String, code: String, rule: String) throws {
        #expect(try findings(path, code).contains { $0.ruleID == rule }, "\(code)")
        // The same function with an https default, or no default, stays quiet.
        let secure = code.replacingOccurrences(of: "http://", with: "https://").replacingOccurrences(of: "ftp://", with: "ftps://")
        #expect(try !findings(path, secure).contains { $0.ruleID == rule }, "\(secure)")
    }

    @Test("PHP calls by name in any case: SYSTEM() and ->QUERY() are sinks, HtmlSpecialChars() a sanitiser, $_get no source")
    func phpCallsIgnoreCase() throws {
        let sinks = try findings("app.php", """
            <?php
            function run() {
                $cmd = $_GET["c"];
                SYSTEM("ls " . $cmd);
            }
            function q($pdo) {
                $id = $_GET["id"];
                $pdo->QUERY("SELECT * FROM t WHERE id = " . $id);
            }
            function r() {
                ShElL_ExEc("x" . $_POST["y"]);
            }
            """)
        #expect(sinks.map(\.ruleID).sorted() == ["php-dataflow-command", "php-dataflow-command", "php-dataflow-sql"], "\(sinks.map { ($0.ruleID, $0.line) })")
        let quiet = try findings("page.php", """
            <?php
            function show() {
                $name = $_GET["name"];
                ECHO HtmlSpecialChars($name, ENT_QUOTES);
                system("ls " . $_get["c"]);
            }
            """)
        #expect(quiet.isEmpty, "\(quiet.map { ($0.ruleID, $0.line) })")
        // Other languages keep their case: `Eval(x)` is not JavaScript's eval.
        #expect(try findings("app.js", "function f(req) {\n  Eval(req.query.x);\n}\n").isEmpty)
    }

    @Test("defaults are read per parameter: top-level commas only, comparisons are not defaults")
    func parameterDefaults() {
        let found = TaintEngine.parameterDefaults(#"a,url="http://x,y",t=(3,10),*,k:int=4,$p='q',f=g(1,2)"#)
        #expect(found.map(\.name) == ["url", "t", "k", "$p", "f"])
        #expect(found.map(\.value) == [#""http://x,y""#, "(3,10)", "4", "'q'", "g(1,2)"])
        #expect(TaintEngine.parameterDefaults("a==b, c<=d, e!=f").isEmpty)
    }

    @Test("a source in the unchanged part of a hunk reaches a sink on an added line; only added lines are reported")
    func contextSource() throws {
        let diff = """
            diff --git a/app.rb b/app.rb
            --- a/app.rb
            +++ b/app.rb
            @@ -1,4 +1,5 @@
             class C
               def ping
                 host = params[:host]
            +    system("ping -c 1 #{host}")
               end
            @@ -10,3 +11,3 @@
               def other
            -    x = 1
            +    x = 2
               end

            """
        let found = try scan(diff, rules: Self.codeRules).findings
        #expect(found.filter { $0.ruleID == "ruby-dataflow-command" }.map(\.line) == [4])
        // The same sink on a context line is not reported.
        let contextOnly = """
            diff --git a/app.rb b/app.rb
            --- a/app.rb
            +++ b/app.rb
            @@ -1,4 +1,5 @@
             class C
               def ping
            +    host = params[:host]
                 system("ping -c 1 #{host}")
               end

            """
        #expect(try scan(contextOnly, rules: Self.codeRules).findings.isEmpty)
    }

    @Test("a finding keeps its line when the hunk opens with empty lines", arguments: [1, 2, 3])
    func leadingEmptyLines(_ empty: Int) throws {
        let code = String(repeating: "\n", count: empty)
            + "app.get('/', (req, res) => {\n  const name = req.query.name;\n  res.send('<b>' + name);\n});\n"
        let found = try findings("server.js", code).filter { $0.ruleID == "js-dataflow-xss" }
        #expect(found.map(\.line) == [empty + 3])
        #expect(found.first?.flow?.first?.line == empty + 2)
    }

    @Test("appending untrusted input to a string that began as a literal taints it", arguments: [
        ("app.rb", "def show\n  q = \"SELECT * FROM t WHERE id = \"\n  q += params[:id]\n  ActiveRecord::Base.connection.execute(q)\nend\n", "ruby-dataflow-sql", 4),
        ("app.rb", "def show\n  q = \"SELECT * FROM t WHERE id = \"\n  q << params[:id]\n  ActiveRecord::Base.connection.execute(q)\nend\n", "ruby-dataflow-sql", 4),
        ("app.rb", "def show\n  q = \"SELECT * FROM t WHERE id = \"\n  q.concat(params[:id])\n  ActiveRecord::Base.connection.execute(q)\nend\n", "ruby-dataflow-sql", 4),
        ("Dao.java", "class Dao {\n  void find(HttpServletRequest request) {\n    StringBuilder sql = new StringBuilder(\"SELECT * FROM t WHERE id = \");\n    sql.append(request.getParameter(\"id\"));\n    stmt.executeQuery(sql.toString());\n  }\n}\n", "java-dataflow-sql", 5),
        ("app.php", "<?php\n$q = \"SELECT * FROM t WHERE id = \";\n$q .= $_GET['id'];\nmysqli_query($db, $q);\n", "php-dataflow-sql", 4),
    ])
    func appendAfterLiteral(_ path: String, _ code: String, _ rule: String, _ line: Int) throws {
        #expect(try findings(path, code).filter { $0.ruleID == rule }.map(\.line) == [line])
        // Appending a constant keeps it clean.
        let constant = code.replacingOccurrences(of: "params[:id]", with: "\"7\"")
            .replacingOccurrences(of: "request.getParameter(\"id\")", with: "\"7\"").replacingOccurrences(of: "$_GET['id']", with: "'7'")
        #expect(try findings(path, constant).filter { $0.ruleID == rule }.isEmpty)
    }

    @Test("a source that names a key is found with either quote style, and a constant key is not blanked")
    func namedKeySources() throws {
        for quote in ["'", "\""] {
            let code = "<?php\n$uri = $_SERVER[\(quote)REQUEST_URI\(quote)];\necho \"<a href='\" . $uri . \"'>again</a>\";\n"
            #expect(try findings("index.php", code).contains { $0.ruleID == "php-dataflow-xss" && $0.line == 3 }, "\(quote)")
            // DOCUMENT_ROOT is the server's, not the client's.
            let root = code.replacingOccurrences(of: "REQUEST_URI", with: "DOCUMENT_ROOT")
            #expect(try findings("index.php", root).filter { $0.ruleID == "php-dataflow-xss" }.isEmpty, "\(quote)")
        }
        #expect(TaintEngine.isConstantKey(ArraySlice(Array("\"REQUEST_URI\"".utf8))))
        #expect(TaintEngine.isConstantKey(ArraySlice(Array("12".utf8))))
        #expect(!TaintEngine.isConstantKey(ArraySlice(Array("$_GET[\"p\"]".utf8))))
        #expect(!TaintEngine.isConstantKey(ArraySlice(Array("\"a\"+$b+\"c\"".utf8))))
    }

    @Test("Go composite literals carry their elements' taint; blocks after control keywords stay blocks")
    func goCompositeLiterals() throws {
        let code = """
            package main

            func handler(w http.ResponseWriter, r *http.Request) {
            \tcmd := r.URL.Query().Get("cmd")
            \targs := []string{"-c", cmd}
            \tsyscall.Exec("/bin/sh", args, nil)
            \tif v := r.FormValue("v"); v != "" {
            \t\tsafe := []string{"-c", "uptime"}
            \t\tsyscall.Exec("/bin/sh", safe, nil)
            \t}
            }
            """
        let found = try findings("main.go", code).filter { $0.ruleID == "go-dataflow-command" }
        #expect(found.map(\.line) == [6])
        let tokens = lex("x := Config{Name: n}", "go")
        #expect(StatementSplitter.isGoCompositeLiteral(tokens, 0..<3))
        let control = lex("if v := f(); ok {", "go")
        #expect(!StatementSplitter.isGoCompositeLiteral(control, 0..<(control.count - 1)))
    }

    @Test("a call that takes a callback is still a sink", arguments: [
        "app.get('/u', (req, res) => {\n  const q = req.query.q;\n  db.query('SELECT * FROM u WHERE n = ' + q, function (err, rows) {\n    res.json(rows);\n  });\n});\n",
        "app.get('/u', (req, res) => {\n  const q = req.query.q;\n  db.query('SELECT * FROM u WHERE n = ' + q, (err, rows) => {\n    res.json(rows);\n  });\n});\n",
    ])
    func callbackSinks(_ code: String) throws {
        #expect(try findings("server.js", code).filter { $0.ruleID == "js-dataflow-sql" }.map(\.line) == [3])
        // A parameterised query with a callback stays quiet.
        let safe = code.replacingOccurrences(of: "'SELECT * FROM u WHERE n = ' + q", with: "'SELECT * FROM u WHERE n = ?', [q]")
        #expect(try findings("server.js", safe).filter { $0.ruleID == "js-dataflow-sql" }.isEmpty)
    }

    @Test("an inline suppression and a baseline silence a dataflow finding")
    func suppression() throws {
        let text = "<?php\n$id = $_GET['id'];\nmysqli_query($c, \"SELECT * FROM t WHERE id = $id\"); // corgi:ignore[php-dataflow-sql]\n"
        let result = try scan(RuleTester.diff(path: "a.php", text: text), rules: Self.codeRules)
        #expect(result.findings.isEmpty)
        #expect(result.statistics.suppressedInline == 1)
    }

    @Test("memory stays bounded: a hunk longer than the window is analysed in parts, each sink reported once")
    func longHunk() throws {
        var lines = ["def f(request):", "    x = request.GET['x']"]
        for i in 0..<(DataflowCollector.maximumLines + 500) { lines.append("    y\(i) = \(i)") }
        lines.append("    os.system(x)")
        lines.append("    os.system(x)")
        let found = try findings("big.py", lines.joined(separator: "\n"))
        let hits = found.filter { $0.ruleID == "python-dataflow-command" }
        // The source fell out of the window long before the sink: only what the window sees counts.
        #expect(hits.count <= 2)
        #expect(Set(hits.map(\.line)).count == hits.count)
    }

    @Test("in a history, a flow is one finding per commit: a pattern finding on the same path and line in another commit does not hide it")
    func historyKeepsFlowsOfLaterCommits() throws {
        // A code rule with the flow's CWE reports line 2 of app.py in the first commit; the second
        // commit puts a command injection on that line, which only the flow sees.
        let marker = rule("marker-command-rule", kind: .code, regex: "MARKER_A", keywords: ["MARKER_A"]) { $0.cwe = "CWE-78" }
        let history = """
        commit 1111111111111111111111111111111111111111
        Author: A <a@example.org>
        Date:   Mon Dec 7 10:00:00 2026 +0000

            first

        diff --git a/app.py b/app.py
        new file mode 100644
        --- /dev/null
        +++ b/app.py
        @@ -0,0 +1,2 @@
        +def f(request):
        +    x = 1  # MARKER_A

        commit 2222222222222222222222222222222222222222
        Author: A <a@example.org>
        Date:   Mon Dec 7 11:00:00 2026 +0000

            second

        diff --git a/app.py b/app.py
        --- a/app.py
        +++ b/app.py
        @@ -1,2 +1,2 @@
         def f(request):
        -    x = 1  # MARKER_A
        +    os.system(request.GET['c'])

        """
        let found = try scan(history, rules: [marker]).findings
        #expect(found.contains { $0.ruleID == "marker-command-rule" && $0.line == 2 && $0.commit?.hasPrefix("1111111") == true })
        #expect(found.contains { $0.ruleID == "python-dataflow-command" && $0.line == 2 && $0.commit?.hasPrefix("2222222") == true })
    }

    // MARK: - The built-in dataflow rules

    @Test("every built-in sink passes its own match and no_match cases")
    func builtinSinkCases() throws {
        var failures: [String] = []
        var checked = 0
        var seen = Set<String>()
        for (language, sink) in Self.pack.sinkSpecs where seen.insert(sink.id).inserted {
            let path = "case.\(Self.extensions[language] ?? language)"
            guard let tests = sink.tests else { failures.append("\(sink.id): no tests"); continue }
            if tests.match.count < 2 || tests.noMatch.count < 2 { failures.append("\(sink.id): needs two match and two no_match cases") }
            for c in tests.match {
                checked += 1
                let found = try findings(c.path ?? path, c.text)
                if !found.contains(where: { $0.ruleID == sink.id }) { failures.append("\(sink.id): missed \(c.text.debugDescription)") }
            }
            for c in tests.noMatch {
                checked += 1
                let found = try findings(c.path ?? path, c.text)
                if found.contains(where: { $0.ruleID == sink.id }) { failures.append("\(sink.id): flagged \(c.text.debugDescription)") }
            }
        }
        #expect(checked > 200)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("a malformed dataflow file is a clear error naming the entry")
    func malformed() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-dataflow-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: bad) }
        try Data("""
            dataflow:
              - languages: [python]
                sinks:
                  - id: broken
                    title: t
                    class: sql
                    severity: high
                    keywords: []
                    pattern: 'x('
                    missing: m
            """.utf8).write(to: bad)
        #expect(throws: RuleError.self) { try DataflowPack.load(files: [bad]) }
    }
}

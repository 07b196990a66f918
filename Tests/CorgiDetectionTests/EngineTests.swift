import CorgiCore
import CorgiDetection
import Testing

@Suite("Detection engine")
struct EngineTests {
    @Test("only added lines are scanned, at the right line and column")
    func addedLinesOnly() throws {
        let diff = """
            diff --git a/app.py b/app.py
            --- a/app.py
            +++ b/app.py
            @@ -1,3 +1,4 @@
             old = "\(token)"
            -removed = "\(token)"
            +added  = "\(token)"
            +café = "\(token)"
             other = 1

            """
        let result = try scan(diff, rules: [tokenRule])
        #expect(result.findings.map(\.line) == [2, 3])
        #expect(result.findings.map(\.column) == [11, 9])  // 'é' is one column
        #expect(result.findings.allSatisfy { $0.path == "app.py" && $0.ruleID == "test-token" })
        #expect(result.statistics.findings == 2)
    }

    @Test("the keyword prefilter gates the regex")
    func keywordPrefilter() throws {
        let gated = rule("gated", regex: #"secret_[0-9]{4}"#, keywords: ["nomatch"])
        let open = rule("open", regex: #"secret_[0-9]{4}"#)
        let result = try scan(newFileDiff("a.txt", ["x = secret_1234"]), rules: [gated, open])
        #expect(result.findings.map(\.ruleID) == ["open"])
        #expect(result.statistics.rulesWithoutKeywords == 1)
        // Keywords are ASCII case-insensitive.
        let upper = rule("upper", regex: #"(?i)secret_[0-9]{4}"#, keywords: ["SECRET_"])
        #expect(try scan(newFileDiff("a.txt", ["x = secret_1234"]), rules: [upper]).findings.count == 1)
    }

    @Test("secrets are redacted and never appear in a finding")
    func redacted() throws {
        let result = try scan(newFileDiff("a.env", ["TOKEN=\(token)"]), rules: [tokenRule])
        let finding = try #require(result.findings.first)
        #expect(finding.redacted == "tok_****")
        let dump = "\(finding)"
        #expect(!dump.contains(token))
        #expect(!dump.contains(String(token.dropFirst(4))))
    }

    @Test("entropy threshold, global allowlist and rule allowlist")
    func falseAlarmControls() throws {
        let entropic = rule("entropic", regex: #"key=([A-Za-z0-9]{16})"#, keywords: ["key="]) { $0.entropy = 3.5 }
        var global = Allowlist()
        global.regexes = ["(?i)example"]
        global.checks = ["repeated-characters", "sequential-characters"]
        let lines = [
            "key=aaaaaaaaaaaaaaaa",  // low entropy
            "key=EXAMPLEabcdefghi",  // placeholder
            "key=abcdefghijklmnop",  // sequential
            "key=Q8wM3zR6tK1yV4nP",  // real
        ]
        let result = try scan(newFileDiff("a.txt", lines), rules: [entropic], allowlist: global)
        #expect(result.findings.map(\.line) == [4])

        let allowing = rule("allowing", regex: #"key=([A-Za-z0-9]{16})"#, keywords: ["key="]) {
            var list = Allowlist()
            list.stopwords = ["zr6t"]
            $0.allowlist = list
        }
        #expect(try scan(newFileDiff("a.txt", lines), rules: [allowing]).findings.map(\.line) == [1, 2, 3])
    }

    @Test("global allowlist paths silence secret rules there, not code rules")
    func globalAllowlistPaths() throws {
        var global = Allowlist()
        global.paths = ["**/testdata/**"]
        let code = rule("code", kind: .code, regex: #"danger\("#, keywords: ["danger("])
        let diff = newFileDiff("pkg/testdata/keys.txt", [token, "danger()"]) + newFileDiff("pkg/keys.txt", [token])
        let result = try scan(diff, rules: [tokenRule, code], allowlist: global)
        #expect(result.findings.map { "\($0.path):\($0.ruleID)" } == ["pkg/keys.txt:test-token", "pkg/testdata/keys.txt:code"])
    }

    @Test("a stand-in password is a finding on a real host and a placeholder on a local or documentation one")
    func standInsDependOnTheHost() throws {
        var global = Allowlist()
        global.standIns = ["(?i)^(?:root|secret|pass(?:word)?[0-9]{0,3})$"]
        global.localHosts = ["(?i)^(?:localhost|127(?:\\.[0-9]{1,3}){3}|(?:[a-z0-9-]+\\.)*example\\.com)$"]
        let uri = rule("db-uri", regex: #"postgres://[^:@/\s]*:([^@/\s]+)@([A-Za-z0-9._-]+)"#, keywords: ["postgres://"]) { $0.hostGroup = 2 }
        // The same pattern without a host group: a stand-in is never reported.
        let blind = rule("db-uri-blind", regex: #"pg://[^:@/\s]*:([^@/\s]+)@([A-Za-z0-9._-]+)"#, keywords: ["pg://"])
        let lines = [
            "a = postgres://admin:secret@10.20.0.14:5432/prod",
            "b = postgres://admin:root@db.internal.acme.dev/prod",
            "c = postgres://admin:secret@localhost:5432/dev",
            "d = postgres://admin:password@db.example.com/app",
            "e = postgres://admin:127.0.0.9@127.0.0.1/app",
            "f = pg://admin:secret@10.20.0.14:5432/prod",
            "g = postgres://admin:pass123@192.168.1.20/app",
        ]
        let result = try scan(newFileDiff("deploy/app.env", lines), rules: [uri, blind], allowlist: global)
        #expect(result.findings.map(\.line) == [1, 2, 5, 7])
    }

    @Test("host_group must name another group of the regex")
    func hostGroupIsChecked() {
        for group in [0, 1, 3] {
            let broken = rule("bad-host", regex: #"x://[^:]*:([^@]+)@([a-z.]+)"#, keywords: ["x://"]) { $0.hostGroup = group }
            #expect(throws: RuleError.self) { _ = try RuleSet(rules: [broken]) }
        }
    }

    @Test("a checksum-carrying token must pass its checksum, and gains confidence")
    func checksum() throws {
        let github = rule("gh", regex: #"\b(ghp_[0-9A-Za-z]{36})\b"#, keywords: ["ghp_"]) { $0.checksum = "github-crc32" }
        let lines = [
            "valid = 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",
            "broken = ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM",
        ]
        let result = try scan(newFileDiff("a.txt", lines), rules: [github])
        #expect(result.findings.map(\.line) == [1])
        #expect(result.findings.first?.confidence == .high)
    }

    @Test("a generic rule yields to a specific rule on the same secret")
    func genericYields() throws {
        let generic = rule("generic", regex: #"token\s*=\s*"([^"]{12,})""#, keywords: ["token"]) { $0.generic = true }
        let lines = ["token = \"\(token)\"", "token = \"Zq8Wm3Rt6Yp1Lk4N\""]
        let result = try scan(newFileDiff("a.py", lines), rules: [generic, tokenRule])
        #expect(result.findings.map { "\($0.line):\($0.ruleID)" } == ["1:test-token", "2:generic"])
    }

    @Test("rules apply only to their languages and paths; shebangs name a language")
    func scoping() throws {
        let python = rule("py-eval", kind: .code, regex: #"eval\("#, keywords: ["eval("]) { $0.languages = ["python"] }
        let workflow = rule("wf", kind: .code, regex: #"run:"#, keywords: ["run:"]) { $0.paths = [".github/workflows/*.yml"] }
        let diff = newFileDiff("a.py", ["eval(x)"]) + newFileDiff("a.js", ["eval(x)"])
            + newFileDiff("bin/tool", ["#!/usr/bin/env python3", "eval(x)"])
            + newFileDiff(".github/workflows/ci.yml", ["run: x"]) + newFileDiff("docs/ci.yml", ["run: x"])
        let result = try scan(diff, rules: [python, workflow])
        #expect(result.findings.map { "\($0.path):\($0.ruleID)" } == [".github/workflows/ci.yml:wf", "a.py:py-eval", "bin/tool:py-eval"])
    }

    @Test("exclude patterns drop safe look-alikes")
    func exclude() throws {
        let load = rule("yaml-load", kind: .code, regex: #"yaml\.load\([^)]*\)"#, keywords: ["yaml.load"]) {
            $0.exclude = ["Loader=yaml\\.SafeLoader"]
        }
        let result = try scan(newFileDiff("a.py", ["yaml.load(s)", "yaml.load(s, Loader=yaml.SafeLoader)"]), rules: [load])
        #expect(result.findings.map(\.line) == [1])
    }

    @Test("multi-line rules match across lines and report where the match touches an added line")
    func multiline() throws {
        let shell = rule("shell", kind: .code, regex: #"subprocess\.run\([^)]*shell=True"#, keywords: ["shell=True"]) {
            $0.multiline = true
        }
        let diff = """
            diff --git a/a.py b/a.py
            --- a/a.py
            +++ b/a.py
            @@ -10,4 +10,5 @@ def f():
                 subprocess.run(
                     cmd,
            +        shell=True,
                 )
             x = 1
            @@ -40,3 +41,3 @@ def g():
                 subprocess.run(
                     cmd,
                     shell=True)

            """
        let result = try scan(diff, rules: [shell])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)  // the second hunk has no added line
        #expect(finding.line == 12)
        #expect(finding.endLine == 12)
    }

    @Test("multi-line windows slide over long hunks without missing or repeating matches")
    func slidingWindow() throws {
        let pair = rule("pair", kind: .code, regex: #"open\(\n\s*close\)"#, keywords: ["open("]) { $0.multiline = true }
        var lines: [String] = []
        for i in 0..<1000 { lines.append(i % 97 == 0 ? "open(" : (i % 97 == 1 ? "  close)" : "filler \(i)")) }
        let result = try scan(newFileDiff("big.txt", lines), rules: [pair])
        let expected = lines.indices.filter { lines[$0] == "open(" && $0 + 1 < lines.count }.map { $0 + 1 }
        #expect(result.findings.map(\.line) == expected)
    }

    @Test("binary, deleted and ignored files are not scanned")
    func skippedFiles() throws {
        let diff = """
            diff --git a/gone.txt b/gone.txt
            deleted file mode 100644
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -\(token)
            diff --git a/vendor/lib.js b/vendor/lib.js
            --- a/vendor/lib.js
            +++ b/vendor/lib.js
            @@ -0,0 +1 @@
            +\(token)
            diff --git a/logo.png b/logo.png
            Binary files a/logo.png and b/logo.png differ

            """
        let result = try scan(diff, rules: [tokenRule], options: ScanOptions(ignorePaths: ["vendor/**"]))
        #expect(result.findings.isEmpty)
        #expect(result.statistics.ignoredFiles == 1)
        #expect(result.statistics.diff.binaryFiles == 1)
    }

    @Test("pathological patterns give up within the backtracking budget")
    func catastrophicBacktracking() throws {
        let evil = rule("evil", kind: .code, regex: #"(a|aa)+$"#, keywords: ["aaaa"])
        let line = String(repeating: "a", count: 5000) + "!"
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let result = try scan(newFileDiff("x.txt", [line]), rules: [evil])
            #expect(result.findings.isEmpty)
            #expect(result.statistics.regexLimitHits > 0)
        }
        #expect(elapsed < .seconds(20))
    }

    @Test("rule errors name the rule and the problem")
    func ruleErrors() {
        #expect(throws: RuleError.self) { try RuleSet(rules: [rule("bad", regex: "(unclosed")]) }
        do {
            _ = try RuleSet(rules: [rule("bad", regex: "(unclosed")])
        } catch {
            #expect("\(error)".contains("rule 'bad'"))
            #expect("\(error)".contains("regex does not compile"))
        }
        #expect(throws: RuleError.self) { try RuleSet(rules: [tokenRule, tokenRule]) }
        #expect(throws: RuleError.self) { try RuleSet(rules: [rule("g", regex: "(a)") { $0.secretGroup = 3 }]) }
        #expect(throws: RuleError.self) { try RuleSet(rules: [rule("c", regex: "a") { $0.checksum = "luhn-ish" }]) }
        #expect(throws: RuleError.self) { try RuleSet(rules: [rule("has space", regex: "a")]) }
    }
}

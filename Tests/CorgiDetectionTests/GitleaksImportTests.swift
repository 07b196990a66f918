import CorgiCore
import CorgiDetection
import Foundation
import Testing

@Suite("gitleaks TOML import")
struct GitleaksImportTests {
    // A gitleaks configuration written here in gitleaks' documented format.
    static let config = #"""
        title = "team rules"

        [extend]
        useDefault = true
        disabledRules = ["generic-secret-assignment"]

        [[rules]]
        id = "acme-api-key"
        description = "ACME API key"
        regex = '''(?i)acme[_-]?key\s*[:=]\s*["']?(acm_[a-z0-9]{24})'''
        secretGroup = 1
        entropy = 3.0
        keywords = ["acme"]
        tags = ["acme", "key"]

            [rules.allowlist]
            description = "documented test keys"
            regexTarget = "match"
            regexes = ['''acm_test[a-z0-9]{16}''']
            stopwords = ["sandbox"]
            paths = ['''(^|/)fixtures/''']

        [[rules]]
        id = "acme-terraform-token"
        description = "ACME token in Terraform"
        regex = '''acme_token\s*=\s*"([A-Za-z0-9]{20})"'''
        path = '''\.tf$'''
        keywords = ["acme_token"]

        [[rules.allowlists]]
        condition = "AND"
        regexes = ["^AAAA"]
        commits = ["abc123"]

        [[rules]]
        id = "pem-file"
        description = "PEM file"
        path = '''\.pem$'''

        [allowlist]
        description = "global"
        regexes = [
          '''^acm_0{24}$''',  # all zeros
        ]
        paths = ['''vendor/''']
        """#

    @Test("rules, secret groups, entropy, keywords, path regexes and allowlists are imported")
    func imports() throws {
        let result = try GitleaksImport.convert(Self.config)
        let configuration = result.configuration
        #expect(configuration.useDefault == true)
        #expect(configuration.disable == ["generic-secret-assignment"])
        let rules = try #require(configuration.rules)
        #expect(rules.map(\.id) == ["acme-api-key", "acme-terraform-token"])
        let acme = rules[0]
        #expect(acme.secretGroup == 1)
        #expect(acme.entropy == 3.0)
        #expect(acme.keywords == ["acme"])
        #expect(acme.allowlist?.regexTarget == .match)
        #expect(acme.allowlist?.stopwords == ["sandbox"])
        #expect(acme.allowlist?.pathRegexes == [#"(^|/)fixtures/"#])
        #expect(rules[1].pathRegex == #"\.tf$"#)
        #expect(configuration.globalAllowlist?.regexes == ["^acm_0{24}$"])
        #expect(result.notes.contains { $0.contains("pem-file") })
        #expect(result.notes.contains { $0.contains("commits") })
        #expect(result.notes.contains { $0.contains("AND") })
    }

    @Test("imported rules detect what gitleaks would, and honour their allowlists")
    func behaviour() throws {
        let configuration = try GitleaksImport.convert(Self.config).configuration
        var loaded = LoadedRules()
        loaded.rules = configuration.rules ?? []
        loaded.globalAllowlist = configuration.globalAllowlist ?? Allowlist()
        let set = try RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist)
        let diff = newFileDiff("app/settings.py", [
            "ACME_KEY = 'acm_q8wm3zr6tk1yv4np7lc2hx9b'",   // found, secretGroup 1
            "acme-key: acm_testq8wm3zr6tk1yv4np",          // rule allowlist regex on the match
            "acme_key=acm_sandboxq8wm3zr6tk1yv4n",          // stopword
            "acme_key=acm_000000000000000000000000",        // global allowlist
        ]) + newFileDiff("fixtures/keys.py", ["ACME_KEY = 'acm_q8wm3zr6tk1yv4np7lc2hx9b'"])
            + newFileDiff("main.tf", ["acme_token = \"Q8wM3zR6tK1yV4nP7lC2\""])
            + newFileDiff("main.py", ["acme_token = \"Q8wM3zR6tK1yV4nP7lC2\""])
        let findings = try Scan(ruleSet: set).run(diff: diff).findings
        #expect(findings.map { "\($0.path):\($0.line):\($0.ruleID)" } == [
            "app/settings.py:1:acme-api-key", "main.tf:1:acme-terraform-token",
        ])
        #expect(findings[0].redacted == "acm_****")
    }

    @Test("extend.path reads a base file first")
    func extendPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-gitleaks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"""
            [[rules]]
            id = "base-rule"
            regex = '''base_[0-9]{8}'''
            keywords = ["base_"]
            """#.write(to: directory.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try #"""
            [extend]
            path = "base.toml"
            [[rules]]
            id = "own-rule"
            regex = '''own_[0-9]{8}'''
            """#.write(to: directory.appendingPathComponent("gitleaks.toml"), atomically: true, encoding: .utf8)
        let configuration = try ScanConfiguration.load(from: directory.appendingPathComponent("gitleaks.toml"))
        #expect(configuration.rules?.map(\.id) == ["base-rule", "own-rule"])
        #expect(configuration.useDefault == false)
    }

    @Test("TOML syntax errors name the line")
    func syntaxErrors() {
        for (text, line) in [("a = \"unterminated\n", 1), ("x = 1\n[t]\n[t]\n", 3), ("[[rules]]\nid = 'a'\nregex = \"\\d\"\n", 3), ("k = [1, 2\n", 2)] {
            do {
                _ = try TOMLReader.parse(text)
                Issue.record("parsed: \(text)")
            } catch {
                #expect(error.line == line, "\(text): \(error)")
            }
        }
    }

    @Test("TOML values")
    func values() throws {
        let doc = try TOMLReader.parse(#"""
            a = "x\ty\u00e9"
            b = 'C:\raw\path'
            c = """
            line one
            line two\
               joined"""
            d = [1, 2_000, -3.5, true, "s",]
            e = { f = 1, g.h = "i" }
            j.k = 0x1F
            when = 1979-05-27T07:32:00Z
            [[t]]
            n = 1
            [[t]]
            n = 2
            [t.sub]
            m = 'x'
            """#)
        #expect(doc["a"] == .string("x\tyé"))
        #expect(doc["b"] == .string(#"C:\raw\path"#))
        #expect(doc["c"] == .string("line one\nline twojoined"))
        #expect(doc["d"] == .array([.integer(1), .integer(2000), .float(-3.5), .boolean(true), .string("s")]))
        #expect(doc["e"]?["g"]?["h"] == .string("i"))
        #expect(doc["j"]?["k"] == .integer(31))
        #expect(doc["when"] == .string("1979-05-27T07:32:00Z"))
        #expect(doc["t"]?.array?.count == 2)
        #expect(doc["t"]?.array?[1]["sub"]?["m"] == .string("x"))
    }
}

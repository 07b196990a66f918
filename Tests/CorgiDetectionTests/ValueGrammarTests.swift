import Foundation
import CorgiCore
import CorgiDetection
import Testing

/// The shared keyword-context grammar, syntax family by syntax family: a provider's name in any
/// case style, then its value in every syntax users write. Each family must find at least 95 %
/// of its cases (in practice all), at the value's line.
@Suite("Keyword-context grammar")
struct ValueGrammarTests {
    /// A provider rule as the provider list makes it: the name `acme pay`, the generic value.
    static let provider: RuleDefinition = {
        var r = RuleDefinition(id: "acme-pay-credential", title: "Acme Pay credential", kind: .secret, severity: .high, regex: "")
        r.context = ["acme pay"]
        r.value = "(?&token)"
        r.entropy = 3.2
        var allowlist = Allowlist()
        allowlist.checks = ["inconsistent-alphabet"]
        allowlist.regexes = [#"^[A-Z0-9][A-Z0-9]*(?:_[A-Z0-9]+)+$"#, #"^[a-z]+[0-9]*(?:[A-Z][a-z]+[0-9]*)+$"#, #"^(?:/[a-z0-9_.-]{1,40}){2,}/?$"#]
        r.allowlist = allowlist
        r.applyContext()
        return r
    }()

    static let value = "k7Rq2ZpX9mWv4TbN8cYh3LsD"
    static let spellings = ["ACME_PAY", "acmePay", "acme-pay", "acme.pay", "AcmePay", "acme_pay", "ACMEPAY"]

    /// Templates per family: `{K}` is a key naming the provider, `{V}` the value. Each template
    /// runs with every spelling; the expected line is the one holding the value.
    static let families: [(name: String, path: String, templates: [String])] = [
        ("go", "main.go", [#"var {K}Token string = "{V}""#, #"{K}Key := "{V}""#, "const {K}Secret = `{V}`"]),
        ("php", "app.php", [#"${K}_key = '{V}';"#, #"${K}_token .= "{V}";"#, #"define('{K}_KEY', '{V}');"#]),
        ("java, kotlin, c#, swift", "App.java", [
            #"private static final String {K}_KEY = "{V}";"#, #"val {K}Token: String = "{V}""#,
            #"string {K}Key = @"{V}";"#, #"let {K}Secret: String = "{V}""#, "{K}_token = \"\"\"\n{V}\n\"\"\"",
        ]),
        ("call arguments", "config.py", [
            #"props.setProperty("{K}_KEY", "{V}")"#, #"settings.put("{K}.token", "{V}");"#,
            #"os.environ["{K}_API_KEY"] = "{V}""#, #"client = Client({K}_key="{V}")"#,
        ]),
        ("python and ruby", "settings.rb", [
            #"CONFIG = {"{K}_key": "{V}"}"#, #"{K}_token: "{V}","#, #":{K}_key => "{V}""#,
            #"config[:{K}_secret] = '{V}'"#,
        ]),
        ("make", "Makefile", ["{K}_KEY = {V}", "{K}_KEY := {V}", "{K}_KEY ::= {V}", "{K}_KEY :::= {V}", "{K}_KEY ?= {V}", "{K}_KEY += {V}", "{K}_KEY != echo {V}"]),
        ("shell", "deploy.sh", ["export {K}_TOKEN={V}", #"{K}_TOKEN="{V}""#, "set -x {K}_TOKEN {V}", "{K}_TOKEN='{V}' ./run"]),
        ("dockerfile", "Dockerfile", ["ENV {K}_KEY={V}", "ENV {K}_KEY {V}", "ARG {K}_TOKEN={V}"]),
        ("env, properties, ini, toml", "app.properties", ["{K}_KEY={V}", "{K}.key: {V}", "{K}.key {V}", "[{K}]\nkey = \"{V}\""]),
        ("hcl", "main.tf", ["variable \"{K}_key\" {\n  default = \"{V}\"\n}", "{K}_token = \"{V}\""]),
        ("yaml", "values.yaml", [
            "{K}_key: {V}", "{K}_key: \"{V}\"", "{K}_key: '{V}'", "{K}:\n  key: |\n    {V}", "{K}:\n  key: >-\n    {V}",
        ]),
        ("json", "config.json", [#"{"{K}_key": "{V}"}"#, "{\n  \"{K}\": {\n    \"token\": \"{V}\"\n  }\n}"]),
        ("json with an embedded config", "task.json", [#"{"env": "DEBUG=1\n{K}_KEY={V}\nPORT=80"}"#, #"{"config": "{\"{K}_key\": \"{V}\"}"}"#]),
        ("xml", "web.config", [
            "<{K}Key>{V}</{K}Key>", "<{K}Key>\n    {V}\n</{K}Key>", #"<add key="{K}Key" value="{V}"/>"#,
            #"<service name="{K}" token="{V}"/>"#,
        ]),
        ("hash rockets", "logstash.conf", [#"filter { "{K}_key" => "{V}" }"#, #"{ "{K}_token" => "{V}" }"#]),
        ("http", "curl.sh", [#"curl -H "X-{K}-Key: {V}" https://api.example.net"#, #"curl https://api.{K}.test/v1 -H "Authorization: Bearer {V}""#]),
        ("logs and prose", "notes.txt", ["[INFO] calling the {K} API\n[DEBUG] using key={V}", "{K} token - '{V}'"]),
        ("fallbacks and brace initialisation", "client.js", [
            #"const key = process.env.{K}_KEY || "{V}";"#, "const key = process.env.{K}_KEY ||\n  '{V}';",
            #"const token = config.{K}Token ?? "{V}";"#, #"static const std::string {K}Key{"{V}"};"#,
        ]),
    ]

    func lines(of text: String) -> [String] { text.components(separatedBy: "\n") }

    @Test("every syntax family finds the value in every case style, at the value's line", arguments: Self.families.map(\.name))
    func family(_ name: String) throws {
        let family = Self.families.first { $0.name == name }!
        var found = 0, total = 0
        var misses: [String] = []
        for template in family.templates {
            for spelling in Self.spellings {
                // `{K}.key` in YAML keys and `$` variables keep the name as written.
                let text = template.replacingOccurrences(of: "{K}", with: spelling).replacingOccurrences(of: "{V}", with: Self.value)
                let expectedLine = (lines(of: text).firstIndex { $0.contains(Self.value) } ?? 0) + 1
                let result = try scan(newFileDiff(family.path, lines(of: text)), rules: [Self.provider])
                total += 1
                if result.findings.contains(where: { $0.line == expectedLine && $0.redacted == "k7Rq****" }) {
                    found += 1
                } else {
                    misses.append(text)
                }
            }
        }
        #expect(found * 100 >= total * 95, "\(name): \(found)/\(total); missed: \(misses.prefix(5))")
    }

    @Test("a value too far from the name, glued to other text, or a placeholder is not reported")
    func quietCases() throws {
        let cases = [
            // More than 40 bytes between the name and the value.
            "acme pay integration\nlorem ipsum dolor sit amet, consectetur adipiscing elit\nkey=\(Self.value)",
            // Part of a longer token: glued to `?`, `#`, `$` or `@`.
            "ACME_PAY_KEY = 'abc?\(Self.value)'",
            "ACME_PAY_KEY = '\(Self.value)#x'",
            // Placeholders, identifiers and paths.
            "ACME_PAY_KEY = 'your-acme-pay-api-key-here'",
            "ACME_PAY_KEY = ACME_PAY_SECRET_KEY_PRODUCTION",
            "acmePayKey = getAcmePayKeyFromEnvironment2()",
            "ACME_PAY_KEY_FILE=/etc/acme/pay/keys/production.pem",
            // Made-up values: one capital among lowercase, hex but for one letter.
            "ACME_PAY_KEY = 'k7rq2zpx9mwv4tbn8cyh3lsdQ'",
            "ACME_PAY_KEY = '81a1411a7e276fd88819df3137ej406e0f281f8a'",
        ]
        for text in cases {
            let result = try scan(newFileDiff("app.txt", lines(of: text)), rules: [Self.provider])
            #expect(result.findings.isEmpty, "reported: \(text)")
        }
    }

    @Test("a provider list expands into one tested rule per name")
    func providerList() throws {
        let file = try RuleLoader.parse(yaml: """
            providers:
              defaults:
                severity: medium
                entropy: 3.0
              names:
                - acme pay
                - name: widget cloud
                  aliases: [wdgt]
                  value: 'wc_[a-z0-9]{24}'
                  tests:
                    match: ['WDGT_KEY=wc_abcdefghij0123456789klmn', 'widgetCloudToken: wc_0123456789abcdefghijklmn']
                    no_match: ['WDGT_KEY=wc_short', 'WIDGET_CLOUD_KEY=sk_abcdefghij0123456789klmn']
            """, file: "providers.yaml")
        let rules = file.allRules
        #expect(rules.map(\.id) == ["acme-pay-credential", "widget-cloud-credential"])
        #expect(rules.allSatisfy { $0.generic == true && $0.multiline == true && $0.kind == .secret })
        #expect(rules[0].severity == .medium && rules[0].keywords == ["acme pay", "acme-pay", "acme.pay", "acme_pay", "acmepay"])
        var loaded = LoadedRules()
        loaded.rules = rules
        let outcome = RuleTester(loaded: loaded).run()
        #expect(outcome.tested == 2)
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
    }

    /// Every spelling a provider's name may take, for `words`: each way of joining the words
    /// (`ValueGrammar`'s separators), in lower, upper, camel and Pascal case.
    static func spellings(of words: [String]) -> [String] {
        var joins = [""]
        for (i, word) in words.enumerated() {
            let separators = i == 0 ? [""] : ["", "_", ".", "-", " "]
            joins = joins.flatMap { prefix in separators.map { prefix + $0 + word } }
        }
        let camel = words.enumerated().map { $0.offset == 0 ? $0.element : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
        let pascal = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joins + joins.map { $0.uppercased() } + [camel, pascal]
    }

    @Test("a provider rule's keywords are in every spelling of its name, and not in common words", arguments: [
        "wit ai", "pic time", "customer io", "abuse ipdb", "linode object storage", "okta",
    ])
    func providerKeywords(_ name: String) throws {
        let words = name.split(separator: " ").map(String.init)
        let keywords = ValueGrammar.keywords(for: name)
        let provider = ProviderList(names: [ProviderEntry(name: name)]).rules()[0]
        #expect(Set(provider.keywords ?? []) == Set(keywords))
        let pattern = try PCRE2Pattern(ValueGrammar.expand(provider.regex))
        let scratch = MatchScratch()
        for spelling in Self.spellings(of: words) {
            let line = "\(spelling)_KEY = \"\(Self.value)\""
            // The rule finds the name so spelled, and a keyword of it is there: the prefilter
            // never keeps the rule from a line it would match.
            #expect(pattern.matches(line, scratch: scratch), "\(spelling)")
            #expect(keywords.contains { line.lowercased().contains($0) }, "\(spelling)")
        }
        // A word of the name alone, as code writes it all the time, is no keyword.
        let prose = "with the time table, the customer object and abuse of storage in okta_client"
        if words.count > 1 { #expect(!keywords.contains { prose.contains($0) }) }
    }

    @Test("a specific rule outranks a provider rule, which outranks a generic assignment, for one value")
    func oneFindingPerValue() throws {
        var generic = rule("generic-key", regex: #"(?i)key\s*=\s*"([A-Za-z0-9]{16,})""#, keywords: ["key"])
        generic.generic = true
        let specific = rule("acme-live-key", regex: #"\b(k7Rq[A-Za-z0-9]{20})\b"#, keywords: ["k7rq"])
        let text = #"ACME_PAY_KEY = "\#(Self.value)""#
        let all = try scan(newFileDiff("a.txt", [text]), rules: [generic, Self.provider, specific])
        #expect(all.findings.map(\.ruleID) == ["acme-live-key"])
        let twoGeneric = try scan(newFileDiff("a.txt", [text]), rules: [generic, Self.provider])
        #expect(twoGeneric.findings.map(\.ruleID) == ["acme-pay-credential"])
    }
}

@Suite("Decoded secrets")
struct DecodedSecretTests {
    /// A password with a symbol: the encoded text (letters, digits, `+/=`) never matches it itself.
    static let password = rule("password-assignment", regex: #"(?i)password["']?\s*[:=]\s*["']?([^\s"']*[!&@#%][^\s"']*)"#, keywords: ["password"])
    static let token = tokenRule

    func base64(_ s: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(s.utf8)
        var out = ""
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk: UInt32 = 0
            for j in 0..<3 { chunk = chunk << 8 | UInt32(j < n ? bytes[i + j] : 0) }
            for j in 0..<4 { out.append(j <= n ? alphabet[Int((chunk >> UInt32(18 - 6 * j)) & 63)] : "=") }
            i += 3
        }
        return out
    }

    @Test("a Kubernetes Secret's base64 data is decoded in place and reported at the encoded text")
    func kubernetesSecret() throws {
        let encoded = base64("Tr0ub4dor&3x!")
        let diff = newFileDiff("k8s/secret.yaml", ["apiVersion: v1", "kind: Secret", "data:", "  password: \(encoded)"])
        let result = try scan(diff, rules: [Self.password])
        let finding = try #require(result.findings.first)
        #expect(finding.line == 4)
        #expect(finding.column == 13)
        #expect(finding.redacted == String(encoded.prefix(4)) + "****")
        #expect(finding.message.contains("base64"))
        #expect(!finding.message.contains("Tr0ub4dor"))
    }

    @Test("a token inside base64 inside base64 (a .dockerconfigjson) is found, no deeper")
    func nested() throws {
        let inner = base64("deploy:\(CorgiDetectionTests.token)")
        let config = base64(#"{"auths":{"registry.example.net":{"auth":"\#(inner)"}}}"#)
        let result = try scan(newFileDiff("deploy/pull-secret.yaml", ["  .dockerconfigjson: \(config)"]), rules: [Self.token])
        #expect(result.findings.count == 1)
        #expect(result.findings.first?.redacted == String(config.prefix(4)) + "****")
        // Three levels: not decoded (bounded depth).
        let third = base64(#"{"x":"\#(config)"}"#)
        #expect(try scan(newFileDiff("a.yaml", ["v: \(third)"]), rules: [Self.token]).findings.isEmpty)
    }

    @Test("hex and percent-encoded secrets are decoded", arguments: ["hex", "percent"])
    func otherEncodings(_ encoding: String) throws {
        let plain = "password=Tr0ub4dor&3x!"
        let line: String
        if encoding == "hex" {
            line = "blob: " + plain.utf8.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        } else {
            line = "url: https://svc.example.net/login?q=" + "password%3DTr0ub4dor%263x%21"
        }
        let result = try scan(newFileDiff("a.txt", [line]), rules: [Self.password])
        #expect(result.findings.count == 1, "\(line)")
        #expect(result.findings.first?.message.contains(encoding) == true)
    }

    @Test("a JSON document or config written inside a string is read through its escapes, nested too")
    func escapedDocuments() throws {
        let lines = [
            #"settings = "{\"database\": {\"password\": \"Tr0ub4dor&3x!\"}}""#,
            #"env = ["CONFIG={\\\"password\\\":\\\"Tr0ub4dor&3x!\\\"}"]"#,
            #"ini: "[db]\npassword=Tr0ub4dor&3x!\nhost=db.internal""#,
        ]
        let result = try scan(newFileDiff("a.toml", lines), rules: [Self.password])
        #expect(result.findings.map(\.line) == [1, 2, 3])
        // The third line needs no unescaping (no escaped quote): its plain scan finds it, once.
        #expect(result.findings.map { $0.message.contains("backslash-escaped") } == [true, true, false])
        // One escaped quote is not a document; plain text with no escapes is left to the plain scan.
        func escaped(_ line: String) -> [String] {
            Array(line.utf8).withUnsafeBufferPointer { EncodedSegments.find(in: $0) }.filter { $0.encoding == .escaped }
                .map { String(decoding: $0.decoded, as: UTF8.self) }
        }
        #expect(escaped(#"say \"hello world\" to me"#) == [#""hello world""#])
        #expect(escaped(#"one \" quote, then none"#).isEmpty)
    }

    @Test("binary data, hashes and plain words are not decoded into findings")
    func quiet() throws {
        let lines = [
            "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "icon: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "name: AuthorizationHeaderProvider",
        ]
        let result = try scan(newFileDiff("a.yaml", lines), rules: [Self.password, Self.token])
        #expect(result.findings.isEmpty)
    }

    @Test("segment decoding round-trips base64, base64url and hex")
    func decoders() {
        func decode(_ s: String, _ f: (UnsafeBufferPointer<UInt8>) -> [UInt8]?) -> String? {
            Array(s.utf8).withUnsafeBufferPointer { f($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(decode("aGVsbG8gd29ybGQ=", EncodedSegments.decodeBase64) == "hello world")
        #expect(decode("aGVsbG8gd29ybGQ", EncodedSegments.decodeBase64) == "hello world")
        #expect(decode("P_8-", EncodedSegments.decodeBase64) != nil)
        #expect(decode("P/8-", EncodedSegments.decodeBase64) == nil)  // mixed alphabets
        #expect(decode("abcde", EncodedSegments.decodeBase64) == nil)  // impossible length
        #expect(decode("68656c6c6f", EncodedSegments.decodeHex) == "hello")
        #expect(decode("68656c6c6", EncodedSegments.decodeHex) == nil)
    }
}

@Suite("Value checks")
struct ValueCheckTests {
    @Test("values whose alphabet is not one generator's are made up", arguments: [
        ("k7rq2zpx9mwv4tbn8cyh3lsdq", false), ("k7rq2zpx9mwv4tbn8cyh3lsdQ", true),
        ("K7RQ2ZPX9MWV4TBN8CYH3LSDQ", false), ("K7RQ2ZPX9MWV4TBN8CYH3LSDq", true),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", false), ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1z", true),
        ("k7Rq2ZpX9mWv4TbN8cYh3LsD", false), ("sk_live_k7rq2zpx9mwv4tbn8cyh3lsdq", false),
        // Letters only: random ones change case often, glued words rarely.
        ("PSIYbVgfkbEPQoqJfzHpACTtihONkQ_cKmOpNDPNiCU", false), ("NIOSingleStepByteToMessageDecoder", true),
        ("CryptoBoringWrapperEllipticCurvePoint", true),
    ])
    func alphabet(_ value: String, _ inconsistent: Bool) {
        #expect(ValueChecks.hasInconsistentAlphabet(Array(value.utf8)) == inconsistent)
    }

    @Test("hexadecimal values are judged against what random hex can reach", arguments: [
        ("eee65f53e9421ce50211670eae679f02", true), ("deadbeefdeadbeefdeadbeefdeadbeef", false),
        // Not hex: the rule's own bar (3.46 bits here).
        ("aabbccddeeffgghhiijjkk", false), ("k7Rq2ZpX9mWv4TbN", true),
    ])
    func hexEntropy(_ value: String, _ passes: Bool) {
        #expect(ValueChecks.meetsEntropy(Array(value.utf8), minimum: 3.5) == passes)
    }

    @Test("a name says secret in any case style, and pass only as a whole part of it", arguments: [
        ("CLIENT_SECRET", true), ("apiKey", true), ("db.password", true), ("PRIVATE-KEY", true), ("authToken", true),
        ("DB_PASS", true), ("smtpPass", true), ("ansible_become_pass", true), ("pass", true),
        ("compass_heading", false), ("passengerId", false), ("bypassCache", false), ("PASSENGER", false), ("username", false),
    ])
    func secretWord(_ name: String, _ says: Bool) throws {
        let pattern = try PCRE2Pattern(ValueGrammar.expand("^[A-Za-z0-9_.-]{0,40}(?&secretword)"))
        #expect(pattern.matches(name, scratch: MatchScratch()) == says, "\(name)")
    }

    @Test("documented checksums accept real tokens and reject look-alikes", arguments: [
        ("grafana-crc32", "glsa_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO_4af94d28", true),
        ("grafana-crc32", "glsa_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oP_4af94d28", false),
        ("grafana-crc32", "glsa_7uQISdgBNvaQdub9sE7Etmt73SWMoyDc_8159a288", false),
        // Cloudflare's is the same CRC32, but most significant byte first and without the prefix.
        ("cloudflare-crc32", "cfut_9jYg7SjjPvttfbfMLZuPjII4OoaQmzBinnpy3MPNfd498b82", true),
        ("cloudflare-crc32", "cfk_yR208OzQek3f3W20GSQYFQPPlauFuy31Njf72dLq00562585", true),
        ("cloudflare-crc32", "cfut_9jYg7SjjPvttfbfMLZuPjII4OoaQmzBinnpy3MPNfd498b8", false),
        ("cloudflare-crc32", "cfut_9jYg7SjjPvttfbfMLZuPjII4OoaQmzBinnpy3MPNfe498b82", false),
        ("cloudflare-crc32", "cfk_yR208OzQek3f3W20GSQYFQPPlauFuy31Njf72dLq85256200", false),
        ("age-bech32", "AGE-SECRET-KEY-16RD5A424KLYK6XVVC5DZJVJ8S420AY6VWN45DKCSEWNRVF823X4SXLAHW0", true),
        ("age-bech32", "AGE-SECRET-KEY-16RD5A424KLYK6XVVC5DZJVJ8S420AY6VWN45DKCSEWNRVF823X4SXLAHW2", false),
        ("age-bech32", "age-secret-key-16rd5a424klyk6xvvc5dzjvj8s420ay6vwn45dkcsewnrvf823x4sxlahw0", true),
    ])
    func checksums(_ name: String, _ token: String, _ valid: Bool) {
        #expect(TokenChecksum.verify(name, Array(token.utf8)) == valid)
    }
}

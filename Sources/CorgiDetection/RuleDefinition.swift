public import CorgiCore

/// A rule exactly as written in a YAML rule file. Detection logic is generic; everything that
/// makes one rule differ from another is here, as data users can read, extend and override.
public struct RuleDefinition: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var kind: Finding.Kind
    public var severity: Severity
    public var confidence: Finding.Confidence?
    public var cwe: String?
    public var owasp: String?
    /// Shown to the user; says what is wrong. `fix` is appended as a hint.
    public var message: String?
    public var fix: String?
    /// ASCII case-insensitive literals; the regex runs only on lines containing one of them.
    public var keywords: [String]?
    public var regex: String
    /// Keyword-context rules: provider names, one of which must stand near the value
    /// (`ValueGrammar.contextRegex`). With `value`, they replace `regex`, `keywords` and
    /// `multiline`, so no rule spells the name-to-value grammar itself.
    public var context: [String]?
    /// Keyword-context rules: the value's own shape (a regex without capture groups), or
    /// `(?&token)` for the generic shape.
    public var value: String?
    /// Capture group holding the secret value (secrets only); default: 1 if the regex has groups.
    public var secretGroup: Int?
    /// The capture group holding the host the secret is for (connection strings): a stand-in
    /// password is then reported unless the host is local or a documentation name.
    public var hostGroup: Int?
    /// Minimum Shannon entropy (bits per byte) of the secret value.
    public var entropy: Double?
    /// Only files matching one of these globs.
    public var paths: [String]?
    /// Only files whose path matches this regex (gitleaks' `path`).
    public var pathRegex: String?
    /// Only files of these languages (see `Language`).
    public var languages: [String]?
    /// Match over a statement-sized window of the hunk's new lines instead of one line.
    public var multiline: Bool?
    /// Drop a match when any of these patterns matches the matched text.
    public var exclude: [String]?
    /// A checksum the format carries (for example `github-crc32`): a failed check drops the
    /// match, a passed one raises confidence to high.
    public var checksum: String?
    /// Skip the global placeholder allowlist (for rules whose values look like placeholders).
    public var skipGlobalAllowlist: Bool?
    /// A broad rule (generic assignments): yields to a specific rule that finds the same secret.
    public var generic: Bool?
    public var allowlist: Allowlist?
    public var references: [String]?
    public var tests: RuleTests?

    public init(id: String, title: String, kind: Finding.Kind, severity: Severity, regex: String) {
        self.id = id
        self.title = title
        self.kind = kind
        self.severity = severity
        self.regex = regex
    }

    enum CodingKeys: String, CodingKey {
        case id, title, kind, severity, confidence, cwe, owasp, message, fix, keywords, regex, context, value
        case secretGroup = "secret_group"
        case hostGroup = "host_group"
        case entropy, paths
        case pathRegex = "path_regex"
        case languages, multiline, exclude, checksum
        case skipGlobalAllowlist = "skip_global_allowlist"
        case generic, allowlist, references, tests
    }
}

extension RuleDefinition {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        kind = try c.decode(Finding.Kind.self, forKey: .kind)
        severity = try c.decode(Severity.self, forKey: .severity)
        confidence = try c.decodeIfPresent(Finding.Confidence.self, forKey: .confidence)
        cwe = try c.decodeIfPresent(String.self, forKey: .cwe)
        owasp = try c.decodeIfPresent(String.self, forKey: .owasp)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        fix = try c.decodeIfPresent(String.self, forKey: .fix)
        keywords = try c.decodeIfPresent([String].self, forKey: .keywords)
        context = try c.decodeIfPresent([String].self, forKey: .context)
        value = try c.decodeIfPresent(String.self, forKey: .value)
        secretGroup = try c.decodeIfPresent(Int.self, forKey: .secretGroup)
        hostGroup = try c.decodeIfPresent(Int.self, forKey: .hostGroup)
        entropy = try c.decodeIfPresent(Double.self, forKey: .entropy)
        paths = try c.decodeIfPresent([String].self, forKey: .paths)
        pathRegex = try c.decodeIfPresent(String.self, forKey: .pathRegex)
        languages = try c.decodeIfPresent([String].self, forKey: .languages)
        multiline = try c.decodeIfPresent(Bool.self, forKey: .multiline)
        exclude = try c.decodeIfPresent([String].self, forKey: .exclude)
        checksum = try c.decodeIfPresent(String.self, forKey: .checksum)
        skipGlobalAllowlist = try c.decodeIfPresent(Bool.self, forKey: .skipGlobalAllowlist)
        generic = try c.decodeIfPresent(Bool.self, forKey: .generic)
        allowlist = try c.decodeIfPresent(Allowlist.self, forKey: .allowlist)
        references = try c.decodeIfPresent([String].self, forKey: .references)
        tests = try c.decodeIfPresent(RuleTests.self, forKey: .tests)
        if let regex = try c.decodeIfPresent(String.self, forKey: .regex) {
            self.regex = regex
        } else if context != nil, value != nil {
            regex = ""
            applyContext()
        } else {
            throw DecodingError.keyNotFound(CodingKeys.regex, .init(
                codingPath: c.codingPath, debugDescription: "a rule needs 'regex', or 'context' with 'value'"))
        }
    }

    /// Builds `regex`, and the keywords and multi-line window it needs, from `context` and
    /// `value`. Idempotent; a rule without both is left as written.
    public mutating func applyContext() {
        guard let context, !context.isEmpty, let value else { return }
        regex = ValueGrammar.contextRegex(names: context, value: value)
        if keywords == nil { keywords = Array(Set(context.flatMap(ValueGrammar.keywords(for:)))).sorted() }
        if multiline == nil { multiline = true }
        secretGroup = 1
    }
}

/// Values that look like findings but are not.
public struct Allowlist: Sendable, Hashable, Codable {
    public enum Target: String, Sendable, Codable { case secret, match, line }

    public var description: String?
    /// A finding is dropped when one of these matches its `regexTarget`.
    public var regexes: [String]?
    public var regexTarget: Target?
    /// A secret containing one of these (case-insensitive) is dropped.
    public var stopwords: [String]?
    /// Files never reported by this rule (globs).
    public var paths: [String]?
    /// Files never reported by this rule (regexes, as gitleaks writes them).
    public var pathRegexes: [String]?
    /// Built-in value checks: `repeated-characters`, `sequential-characters`.
    public var checks: [String]?
    /// Stand-in values (`root`, `secret`, `pass123`), matched against the secret: allowed like
    /// `regexes`, except in a rule that names the host the credential is for (`host_group`) when
    /// that host is a real one — a weak password on a reachable server is a finding.
    public var standIns: [String]?
    /// Hosts that make a stand-in a placeholder (loopback, `*.example.com`, `host.docker.internal`);
    /// read from the global allowlist only.
    public var localHosts: [String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case description, regexes
        case regexTarget = "regex_target"
        case stopwords, paths
        case pathRegexes = "path_regexes"
        case checks
        case standIns = "stand_ins"
        case localHosts = "local_hosts"
    }
}

/// The cases every rule ships with: text that must match and text that must not.
public struct RuleTests: Sendable, Hashable, Codable {
    public var match: [RuleTestCase]
    public var noMatch: [RuleTestCase]

    public init(match: [RuleTestCase], noMatch: [RuleTestCase]) {
        self.match = match
        self.noMatch = noMatch
    }

    enum CodingKeys: String, CodingKey {
        case match
        case noMatch = "no_match"
    }
}

/// A test case: the added text (one or more lines), optionally with the file path it sits in.
public struct RuleTestCase: Sendable, Hashable, Codable {
    public var text: String
    public var path: String?

    public init(text: String, path: String? = nil) {
        self.text = text
        self.path = path
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            self.init(text: text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(text: try c.decode(String.self, forKey: .text), path: try c.decodeIfPresent(String.self, forKey: .path))
    }

    public func encode(to encoder: any Encoder) throws {
        if path == nil {
            var c = encoder.singleValueContainer()
            try c.encode(text)
        } else {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encodeIfPresent(path, forKey: .path)
        }
    }

    enum CodingKeys: String, CodingKey { case text, path }
}

/// The top level of a rule file.
public struct RuleFile: Sendable, Hashable, Codable {
    public var rules: [RuleDefinition]?
    /// Applies to every secret rule (placeholders, documentation keys).
    public var globalAllowlist: Allowlist?
    /// Provider names, each expanded into a keyword-context rule (see ``ProviderList``).
    public var providers: ProviderList?

    /// The file's rules, provider entries expanded.
    public var allRules: [RuleDefinition] { (rules ?? []) + (providers?.rules() ?? []) }

    enum CodingKeys: String, CodingKey {
        case rules, providers
        case globalAllowlist = "global_allowlist"
    }
}

import Foundation
public import CorgiCore

/// The long tail of credential providers as one list of names: each entry becomes a
/// keyword-context rule (the provider's name near a credential-shaped value), so a provider with
/// no documented token format needs one line, not a rule of its own.
///
/// ```yaml
/// providers:
///   defaults:                  # every generated rule: severity, confidence, entropy, allowlist…
///     severity: high
///     entropy: 3.2
///   names:
///     - abstract api           # words match in any case style: ABSTRACT_API_KEY, abstractApi…
///     - name: telegram bot
///       aliases: [telegram]    # more names for the same provider
///       value: '[0-9]{8,10}:[A-Za-z0-9_-]{35}'   # its documented shape; needs its own tests
///       tests: {match: […], no_match: […]}
/// ```
///
/// A generated rule's id is the name's words joined by `-` plus `-credential`; it is `generic`,
/// so a specific rule that finds the same value wins.
public struct ProviderList: Sendable, Hashable, Codable {
    public var defaults: ProviderDefaults?
    public var names: [ProviderEntry]

    public init(defaults: ProviderDefaults? = nil, names: [ProviderEntry]) {
        self.defaults = defaults
        self.names = names
    }

    /// One rule per entry.
    public func rules() -> [RuleDefinition] { rules(withTests: true) }

    /// One rule per entry; without their test cases (a scan reads none) when `withTests` is false.
    /// Every scan makes them again from the cached list, so the message template is split once.
    func rules(withTests: Bool) -> [RuleDefinition] {
        let message = Self.messageParts(defaults?.message)
        return names.map { rule(for: $0, message: message, withTests: withTests) }
    }

    /// The message template around its `{provider}` placeholders.
    static func messageParts(_ template: String?) -> [Substring] {
        let text = template ?? "A credential for {provider} is committed. Revoke it with the provider and load it from a secret store at run time."
        var parts: [Substring] = []
        var rest = text[...]
        while let range = rest.firstRange(of: "{provider}") {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }

    func rule(for entry: ProviderEntry, message: [Substring]? = nil, withTests: Bool = true) -> RuleDefinition {
        let d = defaults ?? ProviderDefaults()
        let words = ProviderEntry.words(entry.name)
        let displayName = entry.displayName
        var rule = RuleDefinition(
            id: entry.id ?? (words.joined(separator: "-") + "-credential"),
            title: "\(displayName) credential",
            kind: .secret, severity: entry.severity ?? d.severity ?? .high, regex: "")
        rule.context = [entry.name] + (entry.aliases ?? [])
        rule.value = entry.value ?? d.value ?? "(?&token)"
        rule.confidence = d.confidence
        rule.cwe = d.cwe ?? "CWE-798"
        rule.message = (message ?? Self.messageParts(d.message)).joined(separator: displayName)
        rule.entropy = entry.entropy ?? d.entropy
        rule.exclude = d.exclude
        rule.allowlist = d.allowlist
        rule.generic = true
        rule.references = entry.references
        rule.applyContext()
        if withTests { rule.tests = entry.tests ?? (entry.value == nil ? Self.generatedTests(for: entry) : nil) }
        return rule
    }

    /// Cases for an entry with the default value shape: the name in several case styles and
    /// syntaxes must be found; the same value too far from the name, a placeholder, and the name
    /// alone must not.
    static func generatedTests(for entry: ProviderEntry) -> RuleTests {
        let words = ProviderEntry.words(entry.name)
        let upper = words.map { $0.uppercased() }.joined(separator: "_")
        let camel = words.enumerated().map { $0.offset == 0 ? $0.element : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
        let value = sampleValue(seed: entry.name)
        let other = sampleValue(seed: entry.name + "#2")
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 3)
        return RuleTests(
            match: [
                RuleTestCase(text: "\(upper)_API_KEY=\(value)", path: "deploy/app.env"),
                RuleTestCase(text: "const \(camel)Token = \"\(value)\";", path: "src/client.js"),
                RuleTestCase(text: "\(words.joined(separator: "-")):\n  secret: '\(other)'", path: "config/services.yml"),
            ],
            noMatch: [
                RuleTestCase(text: "\(upper)_API_KEY=your-api-key-here", path: "deploy/app.env"),
                RuleTestCase(text: "# \(entry.displayName)\n\(filler)\napi_key = \"\(value)\"", path: "notes.txt"),
                RuleTestCase(text: "\(upper)_API_KEY = \"\(value)?x\"", path: "deploy/app.env"),
                RuleTestCase(text: "\(camel)Token = \(camel)Client.fromEnvironment(\"\(upper)_TOKEN\")", path: "src/client.js"),
            ])
    }

    /// A deterministic, credential-shaped value (letters and digits) derived from `seed`.
    static func sampleValue(seed: String) -> String {
        // No vowels, so no placeholder word ("fake", "test") can appear by chance.
        let alphabet = Array("bcdfghjkmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ23456789")
        var state: UInt64 = 0xcbf29ce484222325
        for b in seed.utf8 { state = (state ^ UInt64(b)) &* 0x100000001b3 }
        var out = ""
        for i in 0..<32 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let digit = i % 7 == 3
            let index = Int(truncatingIfNeeded: state >> 33)
            out.append(digit ? Character(String((index % 8) + 2)) : alphabet[index % alphabet.count])
        }
        return out
    }
}

/// What every generated provider rule shares unless its entry says otherwise.
public struct ProviderDefaults: Sendable, Hashable, Codable {
    public var severity: Severity?
    public var confidence: Finding.Confidence?
    public var cwe: String?
    public var message: String?
    public var value: String?
    public var entropy: Double?
    public var exclude: [String]?
    public var allowlist: Allowlist?

    public init() {}
}

/// One provider: a name (words), optionally more names, a documented value shape and cases.
public struct ProviderEntry: Sendable, Hashable, Codable {
    public var name: String
    public var id: String?
    public var title: String?
    public var aliases: [String]?
    public var value: String?
    public var severity: Severity?
    public var entropy: Double?
    public var references: [String]?
    public var tests: RuleTests?

    public init(name: String) { self.name = name }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self.init(name: name)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name))
        id = try c.decodeIfPresent(String.self, forKey: .id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases)
        value = try c.decodeIfPresent(String.self, forKey: .value)
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity)
        entropy = try c.decodeIfPresent(Double.self, forKey: .entropy)
        references = try c.decodeIfPresent([String].self, forKey: .references)
        tests = try c.decodeIfPresent(RuleTests.self, forKey: .tests)
    }

    enum CodingKeys: String, CodingKey { case name, id, title, aliases, value, severity, entropy, references, tests }

    /// An entry that is only a name is written as the name, as in the YAML: the rule cache
    /// holds thousands, and reading each as an object first failed as a string.
    public func encode(to encoder: any Encoder) throws {
        if self == ProviderEntry(name: name) {
            var single = encoder.singleValueContainer()
            try single.encode(name)
            return
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encodeIfPresent(aliases, forKey: .aliases)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(severity, forKey: .severity)
        try c.encodeIfPresent(entropy, forKey: .entropy)
        try c.encodeIfPresent(references, forKey: .references)
        try c.encodeIfPresent(tests, forKey: .tests)
    }

    var displayName: String {
        title ?? Self.words(name).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    static func words(_ name: String) -> [String] {
        ValueGrammar.words(of: name)
    }
}

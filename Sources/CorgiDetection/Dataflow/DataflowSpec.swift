public import CorgiCore

/// A dataflow rule file (`Rules/dataflow/*.yaml`) as written: per language, where untrusted
/// values come from, what makes them safe, and where they must not arrive. See docs/rules.md,
/// "Dataflow rules".
public struct DataflowFile: Sendable, Hashable, Codable {
    public var dataflow: [DataflowLanguageSpec]?

    /// The file as scans need it: every sink's test cases dropped.
    var withoutTests: DataflowFile {
        var copy = self
        copy.dataflow = dataflow?.map { spec in
            var spec = spec
            spec.sinks = spec.sinks?.map { sink in
                var sink = sink
                sink.tests = nil
                return sink
            }
            return spec
        }
        return copy
    }
}

public struct DataflowLanguageSpec: Sendable, Hashable, Codable {
    /// The languages (see `Language`) these entries apply to.
    public var languages: [String]
    public var sources: [SourceSpec]?
    public var parameterSources: [ParameterSourceSpec]?
    public var sanitisers: [SanitiserSpec]?
    /// Checks that validate a value for the rest of the function when a condition (`if`,
    /// `unless`, a guard clause) applies them to it: `if x not in ALLOWED: return`.
    public var guards: [SanitiserSpec]?
    public var sinks: [SinkSpec]?
    /// Methods that store their argument in the receiver (`sb.append(x)`, `list.push(x)`):
    /// a tainted argument taints the receiver.
    public var mutators: [String]?
    /// Classes for which every function parameter counts as untrusted (low confidence): a
    /// caller may pass anything, so SQL or a command built from a parameter is reported.
    public var parametersAsSources: [String]?
    /// The languages call functions and methods by name in any case (PHP: `SYSTEM(…)` is
    /// `system(…)`): their sinks, sanitisers and guards, and the sinks' keywords, match whatever
    /// the case. Sources keep theirs (`$_get` is not `$_GET`). Set for a language in any entry,
    /// it holds for all of that language's entries.
    public var callsIgnoreCase: Bool?

    enum CodingKeys: String, CodingKey {
        case languages, sources, sanitisers, guards, sinks, mutators
        case parameterSources = "parameter_sources"
        case parametersAsSources = "parameters_as_sources"
        case callsIgnoreCase = "calls_ignore_case"
    }
}

/// An expression whose value is untrusted, e.g. `request.args`.
public struct SourceSpec: Sendable, Hashable, Codable {
    public var id: String
    /// Shown in the finding: "Flask request data".
    public var name: String
    /// Regex over the normalised statement text (see docs/rules.md).
    public var pattern: String
    /// The sink classes this source matters for (default: every class).
    public var classes: [String]?
    /// ASCII, case-sensitive, optional: the source is tried only in windows whose text holds one
    /// of them. What lets a literal source (a URL with `http:`) rule a window out before it is
    /// lexed; without them a literal source is assumed present in every window.
    public var keywords: [String]?
}

/// Function parameters that hold untrusted values: capture group 1 of `pattern`, matched over the
/// function's header (decorators and annotations included), names each one.
public struct ParameterSourceSpec: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var pattern: String
    public var classes: [String]?
}

/// A call or expression that makes a value safe for some sink classes (`all` for every class).
public struct SanitiserSpec: Sendable, Hashable, Codable {
    public var id: String
    public var pattern: String
    public var classes: [String]
}

/// Where an untrusted value must not arrive.
public struct SinkSpec: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    /// The vulnerability class (`sql`, `command`, `code`, `xss`, `path`, `ssrf`, `redirect`, …);
    /// sanitisers and sources name these.
    public var `class`: String
    public var severity: Severity
    public var confidence: Finding.Confidence?
    public var cwe: String?
    public var owasp: String?
    /// ASCII, case-sensitive: the engine lexes a window only when one of them occurs on an added
    /// line. Every match of `pattern` should show one as written.
    public var keywords: [String]
    /// Regex over the normalised statement text; the match's end starts the sink's arguments.
    public var pattern: String
    /// Which arguments count: `all` (default), `first`, a 1-based position ("2"), `receiver`
    /// (the expression the matched method is called on) or `statement` (the whole statement).
    public var argument: String?
    /// Regexes over the sink's argument text: when one matches, the call is safe whatever flows
    /// in (for example a URL literal that fixes the host: `^"https://[^/"]+/`).
    public var safe: [String]?
    /// What would have made the value safe, named in the message ("a parameterised query").
    public var missing: String
    public var fix: String?
    public var references: [String]?
    public var tests: RuleTests?
}

/// A language's compiled dataflow entries, merged from every file that names it.
///
/// Sources, sanitisers and sinks are classes: the engine reads them per statement, and copying a
/// struct that holds a whole `SinkSpec` retained every string in it each time.
final class DataflowLanguage: Sendable {
    final class Source: Sendable {
        let id: String
        let name: String
        let pattern: PCRE2Pattern
        let classes: ClassMask
        /// Empty: tried wherever its pattern may match.
        let keywords: [String]

        init(id: String, name: String, pattern: PCRE2Pattern, classes: ClassMask, keywords: [String] = []) {
            (self.id, self.name, self.pattern, self.classes, self.keywords) = (id, name, pattern, classes, keywords)
        }
    }

    final class Sanitiser: Sendable {
        let id: String
        let pattern: PCRE2Pattern
        let classes: ClassMask

        init(id: String, pattern: PCRE2Pattern, classes: ClassMask) {
            (self.id, self.pattern, self.classes) = (id, pattern, classes)
        }
    }

    final class Sink: Sendable {
        let spec: SinkSpec
        let pattern: PCRE2Pattern
        let classBit: ClassMask
        let argument: Argument
        let safe: [PCRE2Pattern]

        init(spec: SinkSpec, pattern: PCRE2Pattern, classBit: ClassMask, argument: Argument, safe: [PCRE2Pattern]) {
            (self.spec, self.pattern, self.classBit, self.argument, self.safe) = (spec, pattern, classBit, argument, safe)
        }
    }

    enum Argument: Sendable, Equatable {
        case all
        /// The expression before the match (`x.html_safe`).
        case receiver
        /// The whole statement (HTML assembled from pieces, wherever it goes next).
        case statement
        case position(Int)
    }

    let sources: [Source]
    let parameterSources: [Source]
    let sanitisers: [Sanitiser]
    let guards: [Sanitiser]
    let sinks: [Sink]
    let mutators: Set<String>
    /// Classes for which any function parameter is a (weak) source.
    let parameterClasses: ClassMask
    /// Every sink's and source's keywords, found in a whole window at once.
    let windowKeywords: WindowKeywordIndex
    /// Sinks, sanitisers and guards match in any case (see `DataflowLanguageSpec.callsIgnoreCase`).
    let callsIgnoreCase: Bool
    /// Indices of the sources untrusted input feeds (not literal-only ones), in order.
    let inputSources: [Int]
    /// Indices of the others: sources that only literals feed (their classes are literal ones).
    let literalSources: [Int]
    /// Finds which of `inputSources`' patterns occur in a window (indices into `inputSources`).
    let sourcePrefilter: PatternPrefilter
    /// Finds which of `parameterSources`' patterns occur in a text.
    let parameterSourcePrefilter: PatternPrefilter
    /// Every class some parameter source feeds.
    let parameterSourceClasses: ClassMask

    init(sources: [Source], parameterSources: [Source], sanitisers: [Sanitiser], guards: [Sanitiser], sinks: [Sink],
         mutators: Set<String>, parameterClasses: ClassMask, callsIgnoreCase: Bool = false) {
        self.callsIgnoreCase = callsIgnoreCase
        self.guards = guards
        self.parameterClasses = parameterClasses
        self.sources = sources
        self.parameterSources = parameterSources
        self.sanitisers = sanitisers
        self.sinks = sinks
        self.mutators = mutators
        windowKeywords = WindowKeywordIndex(
            sinks: sinks.enumerated().flatMap { index, sink in sink.spec.keywords.map { ($0, index) } },
            sources: sources.enumerated().flatMap { index, source in source.keywords.map { ($0, index) } },
            sinksIgnoreCase: callsIgnoreCase)
        inputSources = sources.indices.filter { sources[$0].classes & ~DataflowPack.literalMask != 0 }
        literalSources = sources.indices.filter { sources[$0].classes & ~DataflowPack.literalMask == 0 }
        sourcePrefilter = PatternPrefilter(patterns: inputSources.map { sources[$0].pattern })
        parameterSourcePrefilter = PatternPrefilter(patterns: parameterSources.map(\.pattern))
        parameterSourceClasses = parameterSources.reduce(0) { $0 | $1.classes }
    }
}

/// Bit set of vulnerability classes; bit positions are assigned by the pack as classes appear.
typealias ClassMask = UInt64

/// Every language's dataflow entries, compiled.
public struct DataflowPack: Sendable {
    let languages: [String: DataflowLanguage]
    /// Class names by bit position, for messages and tests.
    let classNames: [String]

    public var isEmpty: Bool { languages.isEmpty }
    public var sinkIDs: [String] { languages.values.flatMap { $0.sinks.map(\.spec.id) } }
    /// Every sink's spec, with the languages it applies to (for `corgi rules` and tests).
    public var sinkSpecs: [(language: String, sink: SinkSpec)] {
        languages.sorted { $0.key < $1.key }.flatMap { entry in entry.value.sinks.map { (entry.key, $0.spec) } }
    }

    /// Classes only literals feed (a cleartext URL, a hard-coded secret): a source without
    /// `classes` does not count for them, since request data reaching an HTTP client is SSRF, not
    /// cleartext transport. They hold the first bit positions.
    static let literalClasses = ["cleartext", "hardcoded"]
    static let literalMask: ClassMask = (1 << ClassMask(literalClasses.count)) - 1

    public init(files: [DataflowFile]) throws(RuleError) {
        var classes: [String] = Self.literalClasses
        let untrustedDefault: ClassMask = ~((1 << ClassMask(Self.literalClasses.count)) - 1)
        func mask(_ names: [String]?, id: String, default fallback: ClassMask = ~0) throws(RuleError) -> ClassMask {
            guard let names else { return fallback }
            var m: ClassMask = 0
            for name in names {
                if name == "all" { return ~0 }
                if let index = classes.firstIndex(of: name) {
                    m |= 1 << ClassMask(index)
                } else {
                    guard classes.count < 64 else { throw RuleError(ruleID: id, reason: "more than 64 dataflow classes") }
                    classes.append(name)
                    m |= 1 << ClassMask(classes.count - 1)
                }
            }
            return m
        }
        func compile(_ pattern: String, id: String, caseless: Bool = false) throws(RuleError) -> PCRE2Pattern {
            do { return try PCRE2Pattern(pattern, caseless: caseless) } catch { throw RuleError(ruleID: id, reason: "pattern \(error)") }
        }
        var merged: [String: [DataflowLanguageSpec]] = [:]
        for file in files {
            for spec in file.dataflow ?? [] {
                for language in spec.languages { merged[language, default: []].append(spec) }
            }
        }
        var sinkIDs = Set<String>()
        var languages: [String: DataflowLanguage] = [:]
        for (language, specs) in merged {
            var sources: [DataflowLanguage.Source] = []
            var parameters: [DataflowLanguage.Source] = []
            var sanitisers: [DataflowLanguage.Sanitiser] = []
            var guards: [DataflowLanguage.Sanitiser] = []
            var sinks: [DataflowLanguage.Sink] = []
            var mutators = Set<String>()
            var parameterClasses: ClassMask = 0
            let callsIgnoreCase = specs.contains { $0.callsIgnoreCase == true }
            for spec in specs {
                if let names = spec.parametersAsSources { parameterClasses |= try mask(names, id: language) }
                for s in spec.sources ?? [] {
                    if let keywords = s.keywords, keywords.isEmpty || keywords.contains(where: \.isEmpty) {
                        throw RuleError(ruleID: s.id, reason: "keywords, when given, must be non-empty strings")
                    }
                    sources.append(.init(id: s.id, name: s.name, pattern: try compile(s.pattern, id: s.id),
                                         classes: try mask(s.classes, id: s.id, default: untrustedDefault), keywords: s.keywords ?? []))
                }
                for s in spec.parameterSources ?? [] {
                    let pattern = try compile(s.pattern, id: s.id)
                    guard pattern.captureCount >= 1 else { throw RuleError(ruleID: s.id, reason: "a parameter source needs a capture group naming the parameter") }
                    parameters.append(.init(id: s.id, name: s.name, pattern: pattern, classes: try mask(s.classes, id: s.id, default: untrustedDefault)))
                }
                for s in spec.sanitisers ?? [] {
                    sanitisers.append(.init(id: s.id, pattern: try compile(s.pattern, id: s.id, caseless: callsIgnoreCase), classes: try mask(s.classes, id: s.id)))
                }
                for s in spec.guards ?? [] {
                    guards.append(.init(id: s.id, pattern: try compile(s.pattern, id: s.id, caseless: callsIgnoreCase), classes: try mask(s.classes, id: s.id)))
                }
                for s in spec.sinks ?? [] {
                    guard !s.id.isEmpty, s.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                        throw RuleError(ruleID: s.id, reason: "id must be letters, digits, '-', '_' or '.'")
                    }
                    guard !s.keywords.isEmpty else { throw RuleError(ruleID: s.id, reason: "a sink needs keywords") }
                    let argument: DataflowLanguage.Argument
                    switch s.argument ?? "all" {
                    case "all": argument = .all
                    case "first": argument = .position(1)
                    case "receiver": argument = .receiver
                    case "statement": argument = .statement
                    case let text:
                        guard let n = Int(text), n >= 1 else { throw RuleError(ruleID: s.id, reason: "argument must be all, first or a position from 1") }
                        argument = .position(n)
                    }
                    // A sink listed for several languages is one rule; its id stays unique per language.
                    if !sinkIDs.insert("\(language)/\(s.id)").inserted { throw RuleError(ruleID: s.id, reason: "defined twice") }
                    var safe: [PCRE2Pattern] = []
                    for pattern in s.safe ?? [] { safe.append(try compile(pattern, id: s.id)) }
                    sinks.append(.init(spec: s, pattern: try compile(s.pattern, id: s.id, caseless: callsIgnoreCase), classBit: try mask([s.class], id: s.id),
                                       argument: argument, safe: safe))
                }
                mutators.formUnion(spec.mutators ?? [])
            }
            languages[language] = DataflowLanguage(sources: sources, parameterSources: parameters, sanitisers: sanitisers, guards: guards, sinks: sinks, mutators: mutators,
                                                    parameterClasses: parameterClasses, callsIgnoreCase: callsIgnoreCase)
        }
        self.languages = languages
        classNames = classes
    }

    func language(_ name: String?) -> DataflowLanguage? { name.flatMap { languages[$0] } }
}

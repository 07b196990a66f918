import CorgiCore
import Foundation

/// Runs the cases every rule ships with (`tests.match` / `tests.no_match`): each case becomes a
/// new file in a diff whose lines are all added, scanned with that rule alone.
public struct RuleTester: Sendable {
    public static let minimumCases = 2

    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        public var ruleID: String
        public var reason: String
        public var description: String { "\(ruleID): \(reason)" }
    }

    public let loaded: LoadedRules
    /// The candidate stage the cases run on (both must pass them alike).
    public let engine: CandidateEngine

    public init(loaded: LoadedRules, engine: CandidateEngine = .preferred) {
        self.loaded = loaded
        self.engine = engine
    }

    public func run(ids: Set<String>? = nil) -> (tested: Int, failures: [Failure]) {
        var failures: [Failure] = []
        var tested = 0
        for definition in loaded.rules where ids?.contains(definition.id) ?? true {
            tested += 1
            failures += test(definition)
        }
        return (tested, failures)
    }

    public func test(_ definition: RuleDefinition) -> [Failure] {
        func fail(_ reason: String) -> Failure { Failure(ruleID: definition.id, reason: reason) }
        let ruleSet: RuleSet
        do { ruleSet = try RuleSet(rules: [definition], globalAllowlist: loaded.globalAllowlist, engine: engine) } catch {
            return [fail("\(error)")]
        }
        guard let tests = definition.tests else { return [fail("no tests: add tests.match and tests.no_match")] }
        var failures: [Failure] = []
        if tests.match.count < Self.minimumCases { failures.append(fail("needs at least \(Self.minimumCases) match cases")) }
        if tests.noMatch.count < Self.minimumCases { failures.append(fail("needs at least \(Self.minimumCases) no_match cases")) }
        let scan = Scan(ruleSet: ruleSet)
        for (i, c) in tests.match.enumerated() {
            let path = c.path ?? Self.samplePath(for: definition)
            do {
                let found = try scan.run(diff: Self.diff(path: path, text: c.text)).findings
                if !found.contains(where: { $0.ruleID == definition.id }) {
                    failures.append(fail("match case \(i + 1) was not found (path \(path))"))
                }
            } catch {
                failures.append(fail("match case \(i + 1): \(error)"))
            }
        }
        for (i, c) in tests.noMatch.enumerated() {
            let path = c.path ?? Self.samplePath(for: definition)
            do {
                let found = try scan.run(diff: Self.diff(path: path, text: c.text)).findings
                if found.contains(where: { $0.ruleID == definition.id }) {
                    failures.append(fail("no_match case \(i + 1) was reported (path \(path))"))
                }
            } catch {
                failures.append(fail("no_match case \(i + 1): \(error)"))
            }
        }
        return failures
    }

    /// A new file at `path` whose every line is added.
    public static func diff(path: String, text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var out = "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n"
        out += "@@ -0,0 +1,\(lines.count) @@\n"
        for line in lines { out += "+\(line)\n" }
        return out
    }

    static let sampleExtension: [String: String] = [
        "python": "py", "javascript": "js", "typescript": "ts", "java": "java", "kotlin": "kt", "go": "go",
        "ruby": "rb", "php": "php", "csharp": "cs", "swift": "swift", "shell": "sh", "terraform": "tf",
        "yaml": "yaml", "json": "json", "dotenv": "env", "properties": "properties", "xml": "xml", "c": "c",
        "cpp": "cpp", "rust": "rs", "scala": "scala", "groovy": "groovy", "html": "html", "toml": "toml",
        "ini": "ini", "sql": "sql", "powershell": "ps1", "perl": "pl", "elixir": "ex", "lua": "lua",
    ]

    /// A path the rule applies to, for cases that do not name one.
    public static func samplePath(for rule: RuleDefinition) -> String {
        if let glob = rule.paths?.first {
            var path = glob.replacingOccurrences(of: "**/", with: "").replacingOccurrences(of: "**", with: "sample")
            if let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
                let first = path[path.index(after: open)..<close].split(separator: ",").first.map(String.init) ?? ""
                path.replaceSubrange(open...close, with: first)
            }
            if let open = path.firstIndex(of: "["), let close = path[open...].firstIndex(of: "]") {
                let first = path[path.index(after: open)..<close].first.map(String.init) ?? "x"
                path.replaceSubrange(open...close, with: first)
            }
            return path.replacingOccurrences(of: "*", with: "sample").replacingOccurrences(of: "?", with: "x")
        }
        if let language = rule.languages?.first {
            if language == "dockerfile" { return "Dockerfile" }
            if let ext = sampleExtension[language] { return "src/sample.\(ext)" }
        }
        return "src/sample.txt"
    }
}

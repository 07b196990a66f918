import ArgumentParser
import CorgiCore
import CorgiDetection
import Foundation

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rules, or run the test cases they ship with.",
        subcommands: [List.self, Test.self]
    )

    struct Selection: ParsableArguments {
        @Option(help: "A configuration file; its rules and overrides are included.")
        var config: String?

        func load() throws -> LoadedRules {
            do {
                guard let config else { return try ScanConfiguration().resolveRules(relativeTo: nil) }
                let url = URL(fileURLWithPath: config)
                return try ScanConfiguration.load(from: url).resolveRules(relativeTo: url.deletingLastPathComponent())
            } catch {
                throw UsageError("\(error)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every rule with its severity.")
        @OptionGroup var selection: Selection

        func run() throws {
            let loaded = try selection.load()
            for rule in loaded.rules.sorted(by: { $0.id < $1.id }) {
                print("\(rule.id)\t\(rule.kind.rawValue)\t\(rule.severity.rawValue)\t\(rule.cwe ?? "-")\t\(rule.title)")
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's own match / no_match cases; exit 1 if any fails or is missing.")
        @OptionGroup var selection: Selection
        @Argument(help: "Only these rule ids.")
        var ids: [String] = []

        func run() throws {
            let loaded = try selection.load()
            let (tested, failures) = RuleTester(loaded: loaded).run(ids: ids.isEmpty ? nil : Set(ids))
            for failure in failures { print("FAIL \(failure)") }
            print("\(tested - Set(failures.map(\.ruleID)).count) passed, \(Set(failures.map(\.ruleID)).count) failed")
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}

import CorgiDetection
import Foundation

enum TestRules {
    /// A rule set from one rule file's YAML, written to a temporary folder of its own (`name`)
    /// because rule files are read from disk.
    static func ruleSet(_ yaml: String, name: String) -> RuleSet {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-\(name)-\(getpid())")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("rules.yaml")
        try! Data(yaml.utf8).write(to: file)
        return try! RuleSet(rules: RuleLoader.load(files: [file]).rules)
    }
}

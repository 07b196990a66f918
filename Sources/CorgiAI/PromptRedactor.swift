public import CorgiDetection
import CorgiCore

/// Takes every secret out of what is sent to a model. Every secret rule runs over each file's
/// text (its added, removed and context lines alike) and over its path; a line with a finding is
/// replaced whole by `[REDACTED:<rule>]` (the lines a multi-line finding spans, each), a private
/// key's armoured block whole, a secret in a path by the same marker. Files that are secrets by nature (`.env`, keys, keystores,
/// credential stores) are never sent at all. What was redacted is counted, never kept.
public struct PromptRedactor: Sendable {
    /// One file of a prompt: its path and the lines to send.
    public struct File: Sendable, Hashable {
        public var path: String
        public var lines: [String]

        public init(path: String, lines: [String]) {
            self.path = path
            self.lines = lines
        }
    }

    public struct Result: Sendable, Hashable {
        public var files: [File]
        /// Lines and path parts replaced.
        public var redactions: Int
        /// Paths left out whole (already redacted themselves).
        public var withheld: [String]
    }

    /// Files whose whole content is a credential, sent to no model whatever they hold.
    public static let secretFiles = [
        "**/.env", "**/.env.*", "**/*.env", "**/*.pem", "**/*.key", "**/*.p12", "**/*.pfx", "**/*.jks", "**/*.keystore",
        "**/*.kdbx", "**/id_rsa*", "**/id_dsa*", "**/id_ecdsa*", "**/id_ed25519*", "**/.npmrc", "**/.pypirc", "**/.netrc",
        "**/.git-credentials", "**/.dockercfg", "**/.docker/config.json", "**/*.tfstate", "**/*.tfstate.backup",
        "**/credentials", "**/credentials.json", "**/.aws/config", "**/secrets.yml", "**/secrets.yaml", "**/*.ovpn",
    ]

    let ruleSet: RuleSet
    let secretFiles: GlobSet

    /// `ruleSet`'s secret rules are used (code rules are left out).
    public init(ruleSet: RuleSet) throws {
        self.ruleSet = ruleSet.filtered { $0.definition.kind == .secret }
        secretFiles = try GlobSet(Self.secretFiles)
    }

    public func redact(_ files: [File]) -> Result {
        var result = Result(files: [], redactions: 0, withheld: [])
        let scratch = MatchScratch()
        let scan = Scan(ruleSet: ruleSet)
        for file in files {
            var path = file.path
            let inPath = ruleSet.secrets(inPath: file.path)
            if !inPath.isEmpty {
                var bytes = Array(file.path.utf8)
                for secret in inPath.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                    bytes.replaceSubrange(secret.range, with: Array("[REDACTED:\(ruleSet.rules[secret.rule].definition.id)]".utf8))
                    result.redactions += 1
                }
                path = String(decoding: bytes, as: UTF8.self)
            }
            if secretFiles.matches(file.path, scratch: scratch) || secretFiles.matches("/" + file.path, scratch: scratch) {
                result.withheld.append(path)
                continue
            }
            var lines = file.lines
            // Every line as added, so every rule sees every line, under the file's path (rules that
            // look only at some files still do), its own secrets already out of it.
            var diff = "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n"
            diff += "@@ -0,0 +1,\(lines.count) @@\n"
            for line in lines { diff += "+" + line + "\n" }
            let findings = (try? scan.run(diff: diff).findings) ?? []
            var redacted = Set<Int>()
            // A private key block goes whole, BEGIN to END: a rule reports the key at one line,
            // and the rest of the block is the same key.
            var block: Int?
            for (index, line) in lines.enumerated() {
                if block == nil, line.contains("-----BEGIN "), line.contains("PRIVATE KEY") { block = index }
                guard let start = block else { continue }
                if line.contains("-----END ") || index == lines.count - 1 {
                    for k in start...index where !redacted.contains(k + 1) {
                        lines[k] = "[REDACTED:private-key]"
                        redacted.insert(k + 1)
                    }
                    block = nil
                }
            }
            for finding in findings where finding.kind == .secret {
                for line in finding.line...max(finding.line, finding.endLine) where (1...lines.count).contains(line) && !redacted.contains(line) {
                    lines[line - 1] = "[REDACTED:\(finding.ruleID)]"
                    redacted.insert(line)
                }
            }
            result.redactions += redacted.count
            result.files.append(File(path: path, lines: lines))
        }
        return result
    }
}

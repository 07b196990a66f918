public import CorgiCore

/// Secrets in file paths. A path is printed by every output (the report's `path`, the review, the
/// summary, annotations), so a credential committed as a file or directory name would be shown in
/// full everywhere. The secret rules run over each path once, at the start of its file: each
/// secret found is reported as a finding, and the path every finding carries is the redacted one.
public struct PathSecret: Sendable, Hashable {
    /// Index of the rule in the rule set.
    public var rule: Int
    /// The secret's bytes within the path's UTF-8.
    public var range: Range<Int>
}

extension RuleSet {
    /// The secrets the secret rules find in `path`, by position, not overlapping. The same checks
    /// as in file content (excludes, allowlists, entropy, checksums); generic rules are left out,
    /// as they look for assignments, which a path does not hold.
    public func secrets(inPath path: String) -> [PathSecret] {
        secrets(inPath: path, scratch: MatchScratch(maximumCaptures: max(maximumCaptures, 1)))
    }

    /// - Parameter keywordRules: appends the rules whose keywords occur in a text (a scanner
    ///   passes its candidate engine's; the default reads the keyword automaton).
    func secrets(inPath path: String, scratch: MatchScratch,
                 keywordRules: ((UnsafeBufferPointer<UInt8>, inout [Int32]) -> Void)? = nil) -> [PathSecret] {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { return [] }
        let globallyAllowed = globalAllowlist?.allowsPath(path, scratch: scratch) ?? false
        var found: [PathSecret] = []
        bytes.withUnsafeBufferPointer { subject in
            var hits: [Int32] = []
            if let keywordRules { keywordRules(subject, &hits) } else { automaton.scan(subject) { hits.append(Int32($0)) } }
            var candidates = Set(hits.map(Int.init))
            candidates.formUnion(unkeyedLineRules)
            for r in candidates.sorted() {
                let rule = rules[r]
                let definition = rule.definition
                guard definition.kind == .secret, definition.generic != true, !rule.isMultiline else { continue }
                if globallyAllowed, definition.skipGlobalAllowlist != true { continue }
                for m in rule.regex.allMatches(in: subject, scratch: scratch) {
                    guard let range = m.groups[rule.secretGroup], !range.isEmpty else { continue }
                    let match = UnsafeBufferPointer(rebasing: subject[m.range])
                    let secret = UnsafeBufferPointer(rebasing: subject[range])
                    if rule.excludes.contains(where: { $0.matches(match, scratch: scratch) }) { continue }
                    if let list = rule.allowlist, list.allows(secret: secret, match: match, line: subject, scratch: scratch) { continue }
                    if let minimum = definition.entropy, !ValueChecks.meetsEntropy(secret, minimum: minimum) { continue }
                    if definition.skipGlobalAllowlist != true, let global = globalAllowlist,
                       global.allows(secret: secret, match: match, line: subject, scratch: scratch)
                    {
                        continue
                    }
                    if let checksum = definition.checksum, TokenChecksum.verify(checksum, Array(secret)) != true { continue }
                    found.append(PathSecret(rule: r, range: range))
                }
            }
        }
        // Two rules finding the same characters: the first (by position, then rule order) stands.
        var kept: [PathSecret] = []
        for s in found.sorted(by: { ($0.range.lowerBound, $0.rule) < ($1.range.lowerBound, $1.rule) })
        where !kept.contains(where: { $0.range.overlaps(s.range) }) {
            kept.append(s)
        }
        return kept
    }

    /// `path` with every secret the secret rules find in it redacted (`Redaction.redact`).
    public func redactingSecrets(inPath path: String) -> String {
        PathSecrets.redact(path, secrets(inPath: path))
    }
}

extension RuleSet {
    /// The finding for a secret in a path: at line 1 of the file, with the redacted path.
    func pathFinding(_ secret: PathSecret, in path: [UInt8], reportedPath: String, fingerprint: String) -> Finding {
        let definition = rules[secret.rule].definition
        let column = path[..<secret.range.lowerBound].filter { $0 & 0xC0 != 0x80 }.count + 1
        return Finding(
            ruleID: definition.id, title: definition.title, kind: .secret, severity: definition.severity,
            confidence: definition.confidence ?? .medium, cwe: definition.cwe, owasp: definition.owasp, path: reportedPath, line: 1,
            column: 1, message: "\(definition.title) in the file's path (column \(column) of the path): rename the file and rotate the secret.",
            fingerprint: fingerprint, redacted: Redaction.redact(bytes: path[secret.range]))
    }
}

public enum PathSecrets {
    /// `path` with each of `secrets` (from `RuleSet.secrets(inPath:)`) replaced by its redaction.
    public static func redact(_ path: String, _ secrets: [PathSecret]) -> String {
        guard !secrets.isEmpty else { return path }
        let bytes = Array(path.utf8)
        var out = ""
        var position = 0
        for s in secrets.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) where s.range.lowerBound >= position {
            out += String(decoding: bytes[position..<s.range.lowerBound], as: UTF8.self)
            out += Redaction.redact(bytes: bytes[s.range])
            position = s.range.upperBound
        }
        return out + String(decoding: bytes[position...], as: UTF8.self)
    }
}

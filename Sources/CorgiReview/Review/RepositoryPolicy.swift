public import CorgiCore
public import CorgiDetection
internal import Yams

/// `.corgi.yml`: a repository's own review policy, read from the pull request's **base** commit,
/// so a pull request cannot switch off its own checks (a change to the file applies once merged).
///
/// ```yaml
/// packs: [secrets, code]      # which kinds of findings are reported (default: both)
/// fail_on: high               # info, low, medium, high, critical or never
/// ignore_paths: ["vendor/**"] # globs, as in rule files and `corgi scan --config`
/// disable_rules: [rule-id]    # findings of these rules are not reported
/// severity: {rule-id: low}    # a rule's severity in this repository
/// ai_review: false            # no AI review here, though the organisation's policy turns it on
/// ```
///
/// Every problem (bad YAML, an unknown key, a wrong value) is named in `problems` and reported in
/// the check and the summary; a setting in error keeps its default whole (a typo never switches a
/// pack off or half-applies a list), the other settings still apply. Reading is bounded: at most 64 KiB, 1,000 entries per list, scalars only
/// inside lists and the severity map (aliases are never expanded into large structures).
public struct RepositoryPolicy: Sendable, Equatable {
    public static let path = ".corgi.yml"
    public static let maximumBytes = 64 << 10
    public static let maximumEntries = 1000

    public var reportSecrets = true
    public var reportCode = true
    /// `nil`: the deployment's fail-on severity. `.some(nil)`: never fail.
    public var failOn: Severity??
    public var ignorePaths: [String] = []
    public var disabledRules: Set<String> = []
    public var severities: [String: Severity] = [:]
    public var problems: [String] = []
    /// The commit the policy was read at (for messages).
    public var base: String?
    /// Days the diff is kept, from the organisation's policy (the file cannot set it); nil: the
    /// deployment's.
    public var diffRetentionDays: Int?
    /// The AI review runs (the organisation's policy turns it on; `.corgi.yml` may only turn it off).
    public var aiReview = false

    public init() {}

    /// The policy in `bytes` (the file at the base commit) over `base` (the organisation's
    /// policy), or `base` with the problems found. Paths and rules `base` ignores stay ignored;
    /// the packs, fail-on severity and severities the file names replace `base`'s.
    public init(parsing bytes: [UInt8], base: RepositoryPolicy = RepositoryPolicy()) {
        self = base
        problems = []
        guard bytes.count <= Self.maximumBytes else {
            problems.append("the file is larger than \(Self.maximumBytes >> 10) KiB; the defaults were used")
            return
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            problems.append("the file is not UTF-8; the defaults were used")
            return
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            problems.append("the file is not valid YAML; the defaults were used")
            return
        }
        guard let root else { return }  // empty file: defaults
        guard let mapping = root.mapping else {
            problems.append("the file must be a mapping of settings; the defaults were used")
            return
        }
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                problems.append("a setting's name is not text")
                continue
            }
            switch key {
            case "packs":
                guard let names = scalars(value, setting: key) else { continue }
                var secrets = false, code = false, unknown = false
                for name in names {
                    switch name {
                    case "secrets", "secret": secrets = true
                    case "code": code = true
                    default: unknown = true
                    }
                }
                // A setting in error keeps its default whole: a typo never switches a pack off.
                if unknown {
                    problems.append("`packs` names an unknown pack (known: secrets, code)")
                } else if secrets || code {
                    (reportSecrets, reportCode) = (secrets, code)
                }
            case "fail_on":
                guard let name = value.scalar?.string else {
                    problems.append("`fail_on` must be one of info, low, medium, high, critical, never")
                    continue
                }
                if name == "never" { failOn = .some(nil) } else if let severity = Severity(rawValue: name) { failOn = .some(severity) } else {
                    problems.append("`fail_on` must be one of info, low, medium, high, critical, never")
                }
            case "ignore_paths":
                guard let globs = scalars(value, setting: key) else { continue }
                if globs.allSatisfy({ (try? Glob($0)) != nil }) { ignorePaths = base.ignorePaths + globs } else {
                    problems.append("`ignore_paths` holds a glob that does not compile")
                }
            case "disable_rules":
                guard let ids = scalars(value, setting: key) else { continue }
                disabledRules.formUnion(ids)
            case "severity":
                guard let map = value.mapping, map.count <= Self.maximumEntries else {
                    problems.append("`severity` must be a mapping of rule ids to severities (at most \(Self.maximumEntries))")
                    continue
                }
                var read: [String: Severity] = [:]
                for (rule, level) in map {
                    guard let id = rule.scalar?.string, let name = level.scalar?.string, let severity = Severity(rawValue: name) else {
                        problems.append("`severity` maps a rule to something other than info, low, medium, high or critical")
                        read = [:]
                        break
                    }
                    read[id] = severity
                }
                severities.merge(read) { _, file in file }
            case "ai_review":
                switch value.scalar?.string {
                case "false": aiReview = false
                case "true": break  // only the organisation can turn it on
                default: problems.append("`ai_review` must be true or false")
                }
            default:
                problems.append("unknown setting (known: packs, fail_on, ignore_paths, disable_rules, severity, ai_review)")
            }
        }
    }

    /// The strings of a list of scalars (a single scalar counts as a list of one).
    private mutating func scalars(_ node: Node, setting: String) -> [String]? {
        if let single = node.scalar?.string { return [single] }
        guard let sequence = node.sequence, sequence.count <= Self.maximumEntries else {
            problems.append("`\(setting)` must be a list (at most \(Self.maximumEntries) entries)")
            return nil
        }
        var out: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string else {
                problems.append("`\(setting)` must hold only text entries")
                return nil
            }
            out.append(text)
        }
        return out
    }

    /// The findings this repository wants reported, with its severities.
    public func apply(to findings: [Finding]) -> [Finding] {
        findings.compactMap { finding in
            if finding.kind == .secret, !reportSecrets { return nil }
            if finding.kind == .code, !reportCode { return nil }
            if disabledRules.contains(finding.ruleID) { return nil }
            var kept = finding
            if let severity = severities[finding.ruleID] { kept.severity = severity }
            return kept
        }
    }

    /// The fail-on severity for this repository, given the deployment's.
    public func failOn(default deployment: Severity?) -> Severity? {
        switch failOn {
        case .none: deployment
        case .some(let own): own
        }
    }
}

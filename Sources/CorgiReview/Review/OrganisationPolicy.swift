internal import CorgiCore
internal import CorgiDetection
internal import Foundation

/// An organisation's review policy, set by its owners and admins through the API
/// (`PUT …/policy`) and audited: the defaults every repository of the organisation starts from.
///
/// Layering, from weakest to strongest: the deployment's settings, this policy, then the
/// repository's `.corgi.yml` at the base commit (``RepositoryPolicy/init(parsing:base:)``).
/// Paths and rules the organisation ignores stay ignored whatever the repository's file says;
/// the packs and the fail-on severity the file names replace the organisation's. The settings
/// only the organisation holds (diff retention, four-eyes triage, the AI review) are not in the
/// file at all.
///
/// Invariant: a stored policy passed ``problems()`` with no problem; every list is bounded, so a
/// policy costs a review at most a few hundred globs.
public struct OrganisationPolicy: Sendable, Hashable, Codable {
    public static let maximumEntries = 100
    /// In code points, as JSON Schema counts them.
    public static let maximumEntryLength = 200

    /// `info` … `critical`, or `never`; nil: the deployment's.
    public var failOn: String?
    /// `secrets`, `code`; nil: both.
    public var packs: [String]?
    /// Globs of paths no review of the organisation reports.
    public var ignorePaths: [String]
    /// Rule ids no review of the organisation reports.
    public var disabledRules: [String]
    /// Days a pull request's diff is kept (encrypted) after its review; nil: the deployment's.
    public var diffRetentionDays: Int?
    /// Days a closed pull request's review results (its reviews, findings and dismissal
    /// requests) are kept after it closed; nil: for as long as the organisation exists.
    public var reviewRetentionDays: Int?
    /// A dismissal through the API takes a second person's approval (requester ≠ approver).
    public var fourEyes: Bool
    /// The AI review of pull requests (off until an organisation turns it on).
    public var aiReview: Bool

    public init(failOn: String? = nil, packs: [String]? = nil, ignorePaths: [String] = [], disabledRules: [String] = [],
                diffRetentionDays: Int? = nil, reviewRetentionDays: Int? = nil, fourEyes: Bool = false, aiReview: Bool = false) {
        self.failOn = failOn
        self.packs = packs
        self.ignorePaths = ignorePaths
        self.disabledRules = disabledRules
        self.diffRetentionDays = diffRetentionDays
        self.reviewRetentionDays = reviewRetentionDays
        self.fourEyes = fourEyes
        self.aiReview = aiReview
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case failOn, packs, ignorePaths, disabledRules, diffRetentionDays, reviewRetentionDays, fourEyes, aiReview
    }

    /// A missing setting takes its default, so a stored policy from before a setting existed
    /// still reads.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        failOn = try c.decodeIfPresent(String.self, forKey: .failOn)
        packs = try c.decodeIfPresent([String].self, forKey: .packs)
        ignorePaths = try c.decodeIfPresent([String].self, forKey: .ignorePaths) ?? []
        disabledRules = try c.decodeIfPresent([String].self, forKey: .disabledRules) ?? []
        diffRetentionDays = try c.decodeIfPresent(Int.self, forKey: .diffRetentionDays)
        reviewRetentionDays = try c.decodeIfPresent(Int.self, forKey: .reviewRetentionDays)
        fourEyes = try c.decodeIfPresent(Bool.self, forKey: .fourEyes) ?? false
        aiReview = try c.decodeIfPresent(Bool.self, forKey: .aiReview) ?? false
    }

    /// The settings' names as the API and the stores write them.
    public static let settingNames = ["fail_on", "packs", "ignore_paths", "disabled_rules", "diff_retention_days", "review_retention_days",
                                      "four_eyes", "ai_review"]
    /// The shortest review retention: a month, so a closed pull request reopened soon after
    /// still has its history.
    public static let reviewRetentionRange = 30...3650

    /// What is wrong with the policy, each naming its setting; empty when it can be stored.
    public func problems() -> [String] {
        var problems: [String] = []
        if let failOn, failOn != "never", Severity(rawValue: failOn) == nil {
            problems.append("fail_on: one of info, low, medium, high, critical, never")
        }
        if let packs {
            if packs.isEmpty || !packs.allSatisfy({ $0 == "secrets" || $0 == "code" }) || Set(packs).count != packs.count {
                problems.append("packs: a non-empty list of secrets and code, each once")
            }
        }
        for (name, list) in [("ignore_paths", ignorePaths), ("disabled_rules", disabledRules)] {
            if list.count > Self.maximumEntries || list.contains(where: { $0.isEmpty || $0.unicodeScalars.count > Self.maximumEntryLength }) {
                problems.append("\(name): at most \(Self.maximumEntries) entries of 1 to \(Self.maximumEntryLength) characters")
            }
        }
        if ignorePaths.contains(where: { (try? Glob($0)) == nil }) {
            problems.append("ignore_paths: every entry must be a glob that compiles")
        }
        if let days = diffRetentionDays, !(1...3650).contains(days) {
            problems.append("diff_retention_days: 1 to 3650")
        }
        if let days = reviewRetentionDays, !Self.reviewRetentionRange.contains(days) {
            problems.append("review_retention_days: \(Self.reviewRetentionRange.lowerBound) to \(Self.reviewRetentionRange.upperBound)")
        }
        return problems
    }

    /// The names of the settings that differ between `self` and `other` (for the audit trail:
    /// which settings changed, never free text).
    public func changedSettings(from other: OrganisationPolicy) -> [String] {
        var changed: [String] = []
        if failOn != other.failOn { changed.append("fail_on") }
        if packs != other.packs { changed.append("packs") }
        if ignorePaths != other.ignorePaths { changed.append("ignore_paths") }
        if disabledRules != other.disabledRules { changed.append("disabled_rules") }
        if diffRetentionDays != other.diffRetentionDays { changed.append("diff_retention_days") }
        if reviewRetentionDays != other.reviewRetentionDays { changed.append("review_retention_days") }
        if fourEyes != other.fourEyes { changed.append("four_eyes") }
        if aiReview != other.aiReview { changed.append("ai_review") }
        return changed
    }

    /// The policy as the starting point of a repository's `.corgi.yml`.
    public var repositoryBase: RepositoryPolicy {
        var base = RepositoryPolicy()
        if let packs { (base.reportSecrets, base.reportCode) = (packs.contains("secrets"), packs.contains("code")) }
        if let failOn { base.failOn = failOn == "never" ? .some(nil) : Severity(rawValue: failOn).map { .some($0) } ?? nil }
        base.ignorePaths = ignorePaths
        base.disabledRules = Set(disabledRules)
        base.diffRetentionDays = diffRetentionDays
        base.aiReview = aiReview
        return base
    }

    /// The policy as the stores keep it: JSON with snake_case keys, as the API shows it.
    public func storedText() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A policy the stores kept (``storedText()``).
    public static func stored(_ text: String) throws -> OrganisationPolicy {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(OrganisationPolicy.self, from: Data(text.utf8))
    }
}

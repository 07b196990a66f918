import CorgiCore
import CorgiReview
import Foundation
import Testing

@Suite("Organisation policy: validated, stored as JSON, and the base a repository's .corgi.yml refines")
struct OrganisationPolicyTests {
    @Test("each wrong setting is named; a valid policy has no problem", arguments: [
        (OrganisationPolicy(failOn: "sometimes"), "fail_on"),
        (OrganisationPolicy(packs: []), "packs"),
        (OrganisationPolicy(packs: ["secrets", "secrets"]), "packs"),
        (OrganisationPolicy(packs: ["binaries"]), "packs"),
        (OrganisationPolicy(ignorePaths: ["{unclosed"]), "ignore_paths"),
        (OrganisationPolicy(ignorePaths: ["[z-a]"]), "ignore_paths"),
        (OrganisationPolicy(ignorePaths: Array(repeating: "a/**", count: 101)), "ignore_paths"),
        (OrganisationPolicy(disabledRules: [String(repeating: "r", count: 201)]), "disabled_rules"),
        (OrganisationPolicy(disabledRules: [""]), "disabled_rules"),
        (OrganisationPolicy(diffRetentionDays: 0), "diff_retention_days"),
        (OrganisationPolicy(diffRetentionDays: 3651), "diff_retention_days"),
        (OrganisationPolicy(reviewRetentionDays: 29), "review_retention_days"),
        (OrganisationPolicy(reviewRetentionDays: 3651), "review_retention_days"),
    ])
    func problems(policy: OrganisationPolicy, setting: String) {
        let problems = policy.problems()
        #expect(problems.count == 1 && problems[0].hasPrefix(setting + ":"), "\(problems)")
    }

    @Test("a full valid policy passes")
    func valid() {
        let policy = OrganisationPolicy(failOn: "never", packs: ["code"], ignorePaths: ["vendor/**", "*.{min,map}.js", "[ab]/x"],
                                        disabledRules: ["fake-token"], diffRetentionDays: 3650, fourEyes: true, aiReview: true)
        #expect(policy.problems().isEmpty)
        #expect(OrganisationPolicy().problems().isEmpty)
    }

    @Test("stored text reads back equal; settings missing from an older row take their defaults")
    func storedRoundTrip() throws {
        let policy = OrganisationPolicy(failOn: "low", packs: ["secrets"], ignorePaths: ["a/**"], disabledRules: ["r"], diffRetentionDays: 14,
                                        fourEyes: true, aiReview: false)
        let text = try policy.storedText()
        #expect(text.contains("\"four_eyes\":true") && text.contains("\"diff_retention_days\":14"))
        #expect(try OrganisationPolicy.stored(text) == policy)
        #expect(try OrganisationPolicy.stored("{}") == OrganisationPolicy())
        #expect(try OrganisationPolicy.stored(#"{"fail_on": "high"}"#) == OrganisationPolicy(failOn: "high"))
    }

    @Test("changed settings are named, and only those")
    func changed() {
        let before = OrganisationPolicy(failOn: "high", ignorePaths: ["a/**"])
        #expect(before.changedSettings(from: before).isEmpty)
        var after = before
        after.fourEyes = true
        after.ignorePaths = []
        #expect(after.changedSettings(from: before) == ["ignore_paths", "four_eyes"])
    }

    @Test(".corgi.yml over the organisation: ignores and disabled rules add up, packs and fail-on replace, a broken setting keeps the organisation's")
    func layering() throws {
        let organisation = OrganisationPolicy(failOn: "never", packs: ["secrets"], ignorePaths: ["generated/**"], disabledRules: ["r1"],
                                              diffRetentionDays: 9).repositoryBase
        #expect(!organisation.reportCode && organisation.reportSecrets)
        #expect(organisation.failOn(default: .high) == nil)
        #expect(organisation.diffRetentionDays == 9)

        let file = RepositoryPolicy(parsing: Array("packs: [secrets, code]\nfail_on: critical\nignore_paths: ['vendor/**']\ndisable_rules: [r2]\n".utf8),
                                    base: organisation)
        #expect(file.problems.isEmpty)
        #expect(file.reportCode && file.reportSecrets)
        #expect(file.failOn(default: .high) == .critical)
        #expect(file.ignorePaths == ["generated/**", "vendor/**"])
        #expect(file.disabledRules == ["r1", "r2"])
        #expect(file.diffRetentionDays == 9, "the file cannot set retention")

        let broken = RepositoryPolicy(parsing: Array("packs: [binaries]\nfail_on: sometimes\n".utf8), base: organisation)
        #expect(broken.problems.count == 2)
        #expect(!broken.reportCode && broken.failOn(default: .high) == nil, "a setting in error keeps the organisation's value")
    }
}

import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes

extension CorgiAPI {
    /// The largest policy body: two full lists of the longest entries, each character escaped
    /// as JSON's longest escape (12 bytes for a surrogate pair), fit.
    static let maximumPolicyBody = 512 * 1024

    /// `PUT …/policy`: replaces the organisation's review policy. The body is the whole policy
    /// (a missing setting takes its default); an unknown setting or a wrong value is a 400 that
    /// names it, and nothing is stored. A change is audited as `organisation.policy_changed` with
    /// the names of the settings that changed (values stay in the policy, not in the trail).
    func setPolicy(_ request: Request, context: APIRequestContext, principal: Principal, organisation: OrganisationRef) async throws -> Response {
        let shape = #"{"fail_on": …, "packs": […], "ignore_paths": […], "disabled_rules": […], "diff_retention_days": …, "four_eyes": …, "ai_review": …}"#
        let bytes: Data
        do {
            bytes = Data(try await request.body.collect(upTo: Self.maximumPolicyBody).readableBytesView)
        } catch {
            throw APIProblem.badRequest("the body must be JSON: \(shape) within \(Self.maximumPolicyBody / 1024) KiB")
        }
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw APIProblem.badRequest("the body must be a JSON object: \(shape)")
        }
        if let unknown = object.keys.sorted().first(where: { !OrganisationPolicy.settingNames.contains($0) }) {
            throw APIProblem.badRequest("\(APIQuery.printable(unknown)): not a setting (known: \(OrganisationPolicy.settingNames.joined(separator: ", ")))")
        }
        let policy: OrganisationPolicy
        do { policy = try APIResponse.decoder.decode(OrganisationPolicy.self, from: bytes) } catch {
            throw APIProblem.badRequest("a setting has the wrong type: \(shape)")
        }
        for (name, list) in [("ignore_paths", policy.ignorePaths), ("disabled_rules", policy.disabledRules)] {
            let limit = OrganisationPolicy.maximumEntryLength
            guard list.allSatisfy({ !$0.isEmpty && APIText.length($0) <= limit && APIText.isPlain($0) }) else {
                throw APIProblem.badRequest("\(name): entries of 1 to \(limit) characters, no control or format characters")
            }
        }
        let problems = policy.problems()
        guard problems.isEmpty else { throw APIProblem.badRequest(problems.joined(separator: "; ")) }
        _ = try await store.setOrganisationPolicy(
            policy, of: organisation,
            audit: AuditEntry(actor: principal.actor, action: "organisation.policy_changed", target: "organisation:\(organisation.forge)/\(organisation.login)",
                              organisation: organisation.login, metadata: ["forge": organisation.forge]))
        return try APIResponse.json(.ok, policy)
    }
}

import CorgiAccess
import Hummingbird

extension CorgiAPI {
    /// `DELETE /api/v1/orgs/{forge}/{organisation}`: deletes the organisation at once (see
    /// ``OrganisationDeletion``) and answers what was removed and the tombstone's audit id. The
    /// caller's own key goes with the organisation: its next call is a 401.
    func deleteOrganisation(principal: Principal, organisation: OrganisationRef) async throws -> Response {
        let deletion = try await store.deleteOrganisation(organisation, actor: principal.actor, reason: "requested through the API")
        return try APIResponse.json(.ok, deletion)
    }
}

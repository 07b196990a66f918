import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes

extension CorgiAPI {
    /// `POST …/findings/{id}/dismissal`: dismisses an open finding for its repository (later
    /// reviews leave the same fingerprint out), audited with the reason; the comment is stored
    /// but not put in the audit row (free text stays out of the trail's metadata).
    func dismiss(_ request: Request, id: Int?, context: APIRequestContext, principal: Principal,
                 organisation: OrganisationRef) async throws -> Response {
        guard let id else { throw APIProblem.notFound }
        let body = try await APIResponse.body(APIDismissalRequest.self, of: request, context: context,
                                              shape: #"{"reason": …, "comment": …}"#)
        guard let reason = DismissalReason(rawValue: body.reason) else {
            throw APIProblem.badRequest("reason: one of \(DismissalReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let comment = body.comment {
            guard APIText.length(comment) <= APIDismissalRequest.maximumComment, APIText.isPlain(comment, newlines: true)
            else { throw APIProblem.badRequest("comment: at most \(APIDismissalRequest.maximumComment) characters, no control characters") }
        }
        let outcome = try await store.dismissFinding(
            FindingDismissal(findingID: id, organisation: organisation, reason: reason, comment: body.comment, author: principal.actor),
            audit: AuditEntry(actor: principal.actor, action: "finding.dismissed", target: "finding:\(id)", organisation: organisation.login,
                              metadata: ["forge": organisation.forge, "reason": reason.rawValue]))
        switch outcome {
        case .dismissed(let finding):
            return try APIResponse.json(.ok, finding)
        case .notOpen:
            throw APIProblem(status: .conflict, title: "Conflict", detail: "the finding is not open: only open findings are dismissed")
        case .notFound:
            throw APIProblem.notFound
        }
    }
}

import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes

extension CorgiAPI {
    /// `POST …/dismissal-requests/{id}/approval` and `…/rejection`: a second person's decision on
    /// a four-eyes request. The requester may withdraw (reject) a request, never approve it.
    func decide(_ decision: DismissalDecision, id: Int?, principal: Principal, organisation: OrganisationRef) async throws -> Response {
        guard let id else { throw APIProblem.notFound }
        let action = decision == .approve ? "finding.dismissed" : "finding.dismissal_rejected"
        let outcome = try await store.decideDismissalRequest(
            id: id, of: organisation, decision: decision, decider: principal.actor,
            audit: AuditEntry(actor: principal.actor, action: action, target: "dismissal-request:\(id)", organisation: organisation.login,
                              metadata: ["forge": organisation.forge]))
        switch outcome {
        case .approved(let finding):
            return try APIResponse.json(.ok, finding)
        case .rejected(let request):
            return try APIResponse.json(.ok, request)
        case .sameActor:
            throw APIProblem(status: .forbidden, title: "Forbidden",
                             detail: "four eyes: the dismissal's requester cannot approve it; someone else with findings:triage must")
        case .notPending(let request):
            throw APIProblem(status: .conflict, title: "Conflict", detail: "the request is already \(request.state.rawValue)")
        case .findingNotOpen:
            throw APIProblem(status: .conflict, title: "Conflict", detail: "the finding is no longer open; the request is closed as rejected")
        case .notFound:
            throw APIProblem.notFound
        }
    }

    /// 00:00 UTC of `text` (`YYYY-MM-DD`, a real calendar day), which must be after today and at
    /// most ``APIDismissalRequest/maximumDays`` ahead.
    static func dismissalEnd(_ text: String, now: Date) throws -> Date {
        let problem = APIProblem.badRequest("until: a date (YYYY-MM-DD) after today and at most \(APIDismissalRequest.maximumDays) days ahead")
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
              bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || ($0.element >= 0x30 && $0.element <= 0x39) }),
              let year = Int(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2))
        else { throw problem }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components),
              date > now, date.timeIntervalSince(now) <= Double(APIDismissalRequest.maximumDays) * 86400
        else { throw problem }
        return date
    }

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
        let until = try body.until.map { try Self.dismissalEnd($0, now: now()) }
        var metadata = ["forge": organisation.forge, "reason": reason.rawValue]
        if let until = body.until { metadata["until"] = until }
        let dismissal = FindingDismissal(findingID: id, organisation: organisation, reason: reason, comment: body.comment, author: principal.actor,
                                         until: until)
        if try await store.organisationPolicy(of: organisation).fourEyes {
            // Four eyes: the finding stays open until someone else approves.
            switch try await store.requestDismissal(dismissal, audit: AuditEntry(
                actor: principal.actor, action: "finding.dismissal_requested", target: "finding:\(id)", organisation: organisation.login,
                metadata: metadata)) {
            case .requested(let request):
                return try APIResponse.json(.accepted, request)
            case .alreadyRequested(let request):
                throw APIProblem(status: .conflict, title: "Conflict",
                                 detail: "a dismissal of this finding already waits for approval (request \(request.id))")
            case .notOpen:
                throw APIProblem(status: .conflict, title: "Conflict", detail: "the finding is not open: only open findings are dismissed")
            case .notFound:
                throw APIProblem.notFound
            }
        }
        let outcome = try await store.dismissFinding(
            dismissal,
            audit: AuditEntry(actor: principal.actor, action: "finding.dismissed", target: "finding:\(id)", organisation: organisation.login,
                              metadata: metadata))
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

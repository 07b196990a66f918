import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes

/// One audit row as the API shows it: what was done, by whom, to what, when, and the row's place
/// in the hash chain. Metadata holds names, ids and counts only, never code or free text.
struct APIAuditEvent: Encodable, Sendable {
    var id: Int
    var occurredAt: String
    var actor: String
    var action: String
    var target: String
    var metadata: [String: String]
    var previousHash: String
    var hash: String

    init(_ event: AuditEvent) {
        (id, occurredAt, actor, action, target) = (event.id, event.occurredAt, event.actor, event.action, event.target)
        (metadata, previousHash, hash) = (event.metadata, event.previousHash, event.hash)
    }
}

/// The chain's verification as the API shows it: whether every link holds, and what this check
/// cannot see. Positions and reasons stay with the operator (`corgi audit verify`): a broken link
/// may sit in another organisation's rows.
struct APIAuditVerification: Encodable, Sendable {
    var intact: Bool
    var checkedAt: Date
    var limitations: [String]
}

extension CorgiAPI {
    /// `GET …/audit-events`: the organisation's rows of the audit trail, oldest first.
    func auditTrail(_ request: Request, organisation: OrganisationRef) async throws -> Response {
        let query = try APIQuery(request)
        let page = try query.page()
        let action = try query.text("action", maximum: 64)
        if let action, !action.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F }) {
            throw APIProblem.badRequest("action: lower-case letters, dots and underscores (e.g. finding.dismissed)")
        }
        // A target as the trail names it: `finding:42`, `api-key:7`, `acme/api#3`.
        let target = try query.text("target", maximum: 200)
        let rows = try await store.auditEvents(of: organisation, action: action, target: target, page: page)
        return try APIResponse.json(.ok, APIList(items: rows.map(APIAuditEvent.init), nextAfter: rows.count == page.limit ? rows.last?.id : nil))
    }

    /// `GET …/audit-events/verification`: the whole chain checked now, as `corgi audit verify`
    /// does with the keys this process holds.
    func verifyAuditTrail(of organisation: OrganisationRef) async throws -> Response {
        guard let verifyAudit else { throw APIProblem(status: .serviceUnavailable, title: "Service Unavailable", detail: "no audit log to verify") }
        let result = try await verifyAudit(organisation)
        return try APIResponse.json(.ok, APIAuditVerification(intact: result.firstBroken == nil, checkedAt: now(), limitations: result.limitations))
    }
}

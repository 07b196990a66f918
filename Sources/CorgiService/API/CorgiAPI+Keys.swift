import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes
import Logging

extension CorgiAPI {
    /// `POST …/api-keys`: a new key for the caller's organisation, never above the caller's own
    /// role or permissions; the secret is in this answer and nowhere else.
    func createKey(_ request: Request, context: APIRequestContext, principal: Principal, organisation: OrganisationRef) async throws -> Response {
        let body = try await APIResponse.body(APIKeyRequest.self, of: request, context: context,
                                              shape: #"{"name": …, "role": …, "scopes": […], "expires_in_days": …}"#)
        let name = APIText.trimmed(body.name)
        guard (1...100).contains(APIText.length(name)), APIText.isPlain(name) else {
            throw APIProblem.badRequest("name: 1 to 100 characters, no control characters")
        }
        guard let role = Role(rawValue: body.role) else {
            throw APIProblem.badRequest("role: one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var scopes: Set<Permission>?
        if let names = body.scopes {
            let known = names.compactMap(Permission.init(rawValue:))
            guard known.count == names.count, !known.isEmpty, names.count <= Permission.allCases.count else {
                throw APIProblem.badRequest("scopes: one or more of \(Permission.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes = Set(known)
        }
        let days = body.expiresInDays ?? APIKeyRequest.defaultDays
        guard (1...APIKeyRequest.maximumDays).contains(days) else {
            throw APIProblem.badRequest("expires_in_days: 1 to \(APIKeyRequest.maximumDays)")
        }
        guard principal.mayGrant(role: role, scopes: scopes) else {
            throw APIProblem(status: .forbidden, title: "Forbidden", detail: "a key may only create keys at or below its own role and permissions")
        }
        let secret = APIKeySecret.generate()
        let draft = APIKeyDraft(secret: secret, organisation: organisation, name: name, role: role, scopes: scopes, createdBy: principal.actor,
                                expiresAt: now().addingTimeInterval(TimeInterval(days) * 86_400))
        var metadata = ["forge": organisation.forge, "role": role.rawValue, "expires_in_days": "\(days)"]
        if let stored = APIKeyRecord.storedScopes(scopes) { metadata["scopes"] = stored }
        let record = try await store.createAPIKey(draft, audit: AuditEntry(
            actor: principal.actor, action: "api_key.created", target: "api-key", organisation: organisation.login, metadata: metadata))
        context.logger.notice("api key created", metadata: ["api.created_key_id": "\(record.id)", "role": "\(role.rawValue)"])
        var response = try APIResponse.json(.created, APICreatedKey(key: secret.value, apiKey: APIKeyView(record)))
        response.headers[.location] = "\(APIRoutes.prefix)/orgs/\(organisation.forge)/\(organisation.login)/api-keys/\(record.id)"
        return response
    }

    /// `DELETE …/api-keys/{id}`: revokes a live key of the caller's organisation (204); anything
    /// else — no such key, another organisation's, already revoked — is 404.
    func revokeKey(_ id: Int?, principal: Principal, organisation: OrganisationRef) async throws -> Response {
        guard let id else { throw APIProblem.notFound }
        let audit = AuditEntry(actor: principal.actor, action: "api_key.revoked", target: "api-key:\(id)", organisation: organisation.login,
                               metadata: ["forge": organisation.forge])
        guard try await store.revokeAPIKey(id: id, of: organisation, now: now(), audit: audit) else { throw APIProblem.notFound }
        return Response(status: .noContent)
    }
}

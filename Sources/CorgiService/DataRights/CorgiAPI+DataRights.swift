import CorgiAccess
import CorgiReview
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The organisation's data rights through the API: an export of everything it has, built in
/// the background (`ExportService`) and downloaded as one archive, and its deletion.
extension CorgiAPI {
    /// `POST …/exports`: records the request and answers 202 with the export to poll (its
    /// `Location`); the exporter of this process builds it within seconds.
    func requestExport(principal: Principal, organisation: OrganisationRef) async throws -> Response {
        let export = try await store.requestExport(
            of: organisation, requestedBy: principal.actor,
            audit: AuditEntry(actor: principal.actor, action: "organisation.export_requested", target: "organisation:\(organisation)",
                              organisation: organisation.login, metadata: ["forge": organisation.forge]))
        var response = try APIResponse.json(.accepted, export)
        response.headers[.location] = "\(APIRoutes.prefix)/orgs/\(organisation.forge)/\(organisation.login)/exports/\(export.id)"
        return response
    }

    /// `GET …/exports/{id}/archive`: the ready archive (`application/x-tar`), each download audited;
    /// an export that is not ready (yet, or any more) is a 409 naming its state.
    func exportArchive(id: Int?, principal: Principal, organisation: OrganisationRef) async throws -> Response {
        guard let id, let export = try await store.export(id: id, of: organisation) else { throw APIProblem.notFound }
        let audit = AuditEntry(actor: principal.actor, action: "organisation.export_downloaded", target: "export:\(id)",
                               organisation: organisation.login, metadata: ["forge": organisation.forge])
        guard export.state == .ready, let archive = try await store.exportArchive(id: id, of: organisation, audit: audit) else {
            throw APIProblem(status: .conflict, title: "Conflict",
                             detail: "the export is \(export.state.rawValue): its archive can be downloaded only while it is ready")
        }
        let name = "corgi-export-\(organisation.forge)-\(Self.fileNameSafe(organisation.login))-\(id).tar"
        return Response(status: .ok, headers: [.contentType: "application/x-tar", .cacheControl: "no-store",
                                               .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: archive)))
    }

    /// `DELETE /api/v1/orgs/{forge}/{organisation}`: deletes the organisation at once (see
    /// ``OrganisationDeletion``) and answers what was removed and the tombstone's audit id. The
    /// caller's own key goes with the organisation: its next call is a 401.
    func deleteOrganisation(principal: Principal, organisation: OrganisationRef) async throws -> Response {
        let deletion = try await store.deleteOrganisation(organisation, actor: principal.actor, reason: "requested through the API")
        return try APIResponse.json(.ok, deletion)
    }

    /// A login as it may stand in a file name: letters, digits, `.`, `_` and `-`; anything else `_`.
    static func fileNameSafe(_ login: String) -> String {
        String(login.unicodeScalars.map { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
    }
}

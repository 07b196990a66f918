import CorgiAccess
import CorgiCore
import CorgiReports
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

extension CorgiAPI {
    /// At most this many findings per export: more is a 400 asking for a narrower filter, never
    /// a silently shortened file.
    static let maximumExport = 10_000

    /// `GET …/findings/export?format=json|sarif` with the list's filters: every matching finding
    /// as a download. SARIF describes one repository (its paths are that repository's), so it
    /// needs `repository`; JSON may span the organisation.
    func export(_ request: Request, organisation: OrganisationRef) async throws -> Response {
        let query = try APIQuery(request)
        let format = try query.oneOf("format", ["json", "sarif"]) ?? "json"
        let filter = try query.findingQuery(organisation, page: Page(after: 0, limit: Page.maximumLimit))
        if format == "sarif", filter.repository == nil {
            throw APIProblem.badRequest("repository: required for format=sarif (a SARIF file describes one repository)")
        }
        var rows: [FindingRecord] = []
        var page = filter
        while true {
            let batch = try await store.findings(page)
            rows += batch
            guard rows.count <= Self.maximumExport else {
                throw APIProblem.badRequest("more than \(Self.maximumExport) findings match: narrow the export with repository, pull_request, severity, state or rule")
            }
            guard batch.count == page.page.limit, let last = batch.last else { break }
            page.page = Page(after: last.id, limit: Page.maximumLimit)
        }
        let name = "corgi-\(organisation.forge)-\(organisation.login)-findings.\(format == "sarif" ? "sarif" : "json")"
        let body: Data
        if format == "sarif" {
            let findings = rows.map(Self.reportFinding)
            body = Data(SARIFReport.render(ScanReport(findings: findings, statistics: ScanStatistics(), toolVersion: CorgiVersion.current)).utf8)
        } else {
            body = try APIResponse.encoder.encode(APIList(items: rows, nextAfter: nil))
        }
        return Response(status: .ok, headers: [.contentType: format == "sarif" ? "application/sarif+json" : "application/json",
                                               .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A stored finding as the report formats take it: metadata and redacted evidence only.
    static func reportFinding(_ row: FindingRecord) -> Finding {
        var finding = Finding(ruleID: row.ruleID, title: row.ruleID, kind: Finding.Kind(rawValue: row.kind) ?? .secret,
                              severity: Severity(rawValue: row.severity) ?? .medium, cwe: row.cwe, path: row.path, line: row.line, column: 1,
                              endLine: row.endLine, message: row.message, fingerprint: row.fingerprint, redacted: row.redacted)
        // SARIF shows a dataflow finding's path as its codeFlows.
        finding.flow = row.flow
        return finding
    }
}

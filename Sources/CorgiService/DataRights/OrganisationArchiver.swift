import CorgiAccess
import CorgiReview
import Foundation

/// Everything an organisation has, as one tar archive of JSON files (see docs/permissions.md):
/// its overview, repositories, pull requests, findings (redacted evidence, never code), dismissal
/// requests, policy, API keys (never a secret), the people who signed in and its audit trail,
/// with `manifest.json` naming each file's size and SHA-256. Read through the access store's
/// tenant-scoped queries only, so nothing of another organisation can enter it.
struct OrganisationArchiver {
    let store: any AccessStore
    /// The region whose store this is: named in `organisation.json`, as the API names it.
    var region: Region = .default
    /// Rows per read: the store's page limit.
    static let pageSize = Page.maximumLimit

    struct Manifest: Encodable {
        struct File: Encodable {
            var name: String
            var bytes: Int
            var sha256: String
        }
        var format = "corgi-export/1"
        var organisation: OrganisationRef
        var exportID: Int
        var createdAt: Date
        var files: [File]
    }

    func archive(_ export: OrganisationExport, now: Date) async throws -> [UInt8] {
        let organisation = export.organisation
        var files: [(String, [UInt8])] = []
        func add(_ name: String, _ value: some Encodable) throws {
            files.append((name, Array(try APIResponse.encoder.encode(value))))
        }
        var summary = try await store.organisationSummary(organisation)
        summary.region = region
        try add("organisation.json", summary)
        try add("repositories.json", try await store.repositories(of: organisation))
        try add("pull_requests.json", try await all { try await store.pullRequests(PullRequestQuery(organisation: organisation, page: $0)) })
        try add("findings.json", try await all { try await store.findings(FindingQuery(organisation: organisation, page: $0)) })
        var requests: [DismissalRequestRecord] = []
        for state in DismissalRequestRecord.State.allCases {
            requests += try await all { try await store.dismissalRequests(of: organisation, state: state, page: $0) }
        }
        try add("dismissal_requests.json", requests.sorted { $0.id < $1.id })
        try add("policy.json", try await store.organisationPolicy(of: organisation))
        try add("api_keys.json", try await store.apiKeys(of: organisation).map(APIKeyView.init))
        try add("members.json", try await store.members(of: organisation))
        try add("audit_events.json", try await all { try await store.auditEvents(of: organisation, action: nil, target: nil, page: $0) }.map(APIAuditEvent.init))
        let manifest = Manifest(organisation: organisation, exportID: export.id, createdAt: now, files: files.map {
            Manifest.File(name: $0.0, bytes: $0.1.count, sha256: OrganisationExport.digest($0.1))
        })
        var tar = TarArchive()
        try tar.append(name: "manifest.json", contents: Array(try APIResponse.encoder.encode(manifest)), modified: now)
        for (name, contents) in files { try tar.append(name: name, contents: contents, modified: now) }
        return tar.finished
    }

    /// Every row of a paged read, in id order.
    private func all<Row: Identified>(_ read: (Page) async throws -> [Row]) async throws -> [Row] {
        var rows: [Row] = []
        var after = 0
        while true {
            let page = try await read(Page(after: after, limit: Self.pageSize))
            rows += page
            guard page.count == Self.pageSize, let last = page.last?.rowID else { return rows }
            after = last
        }
    }
}

/// A row with the id that pages are cut at.
protocol Identified { var rowID: Int { get } }
extension PullRequestRecord: Identified { var rowID: Int { id } }
extension FindingRecord: Identified { var rowID: Int { id } }
extension DismissalRequestRecord: Identified { var rowID: Int { id } }
extension AuditEvent: Identified { var rowID: Int { id } }

public import CorgiAccess
import CorgiReview
internal import SQLiteNIO

/// The region directory on the embedded store (the home region's file keeps it).
extension SQLiteStore: RegionDirectory {
    public func region(of organisation: OrganisationRef) async throws -> Region? {
        try await exclusive {
            try await connection.query("SELECT region FROM organisation_regions WHERE forge = ? AND organisation = ?",
                                       [.text(organisation.forge), .text(organisation.login)])
                .first.flatMap { $0.column("region")?.string }.flatMap(Region.init(rawValue:))
        }
    }

    public func assignRegion(_ region: Region, to organisation: OrganisationRef, actor: String) async throws -> Region {
        try await transaction {
            let inserted = try await connection.query(
                """
                INSERT INTO organisation_regions (forge, organisation, region, assigned_at) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING RETURNING region
                """, [.text(organisation.forge), .text(organisation.login), .text(region.rawValue), .text(Self.now())])
            guard inserted.isEmpty else {
                _ = try await appendAudit(actor: actor, action: "organisation.region_assigned", target: "organisation",
                                          organisation: organisation.login, metadata: ["forge": organisation.forge, "region": region.rawValue])
                return region
            }
            let recorded = try await connection.query("SELECT region FROM organisation_regions WHERE forge = ? AND organisation = ?",
                                                      [.text(organisation.forge), .text(organisation.login)])
                .first.flatMap { $0.column("region")?.string }.flatMap(Region.init(rawValue:))
            guard let recorded else { throw StorageError.unexpected("organisation_regions row of \(organisation) vanished") }
            return recorded
        }
    }
}

extension SQLiteStore: AccessMaintenance {
    public func organisationsHeld() async throws -> [OrganisationRef] {
        try await exclusive {
            try await connection.query(
                """
                SELECT forge, organisation FROM pull_requests UNION SELECT forge, organisation FROM api_keys
                UNION SELECT forge, organisation FROM sessions UNION SELECT forge, organisation FROM organisation_policies
                UNION SELECT forge, organisation FROM exports UNION SELECT 'github', login FROM organisations
                ORDER BY 1, 2
                """, []
            ).map { OrganisationRef(forge: $0.column("forge")?.string ?? "", login: $0.column("organisation")?.string ?? "") }
        }
    }
}

public import CorgiAccess
import CorgiReview
import PostgresNIO

/// The region directory on PostgreSQL (the home region's database keeps it).
extension PostgresStore: RegionDirectory {
    public func region(of organisation: OrganisationRef) async throws -> Region? {
        try await rows("SELECT region FROM organisation_regions WHERE forge = \(organisation.forge) AND organisation = \(organisation.login)")
            .first.flatMap { try? $0.decode(String.self) }.flatMap(Region.init(rawValue:))
    }

    public func assignRegion(_ region: Region, to organisation: OrganisationRef, actor: String) async throws -> Region {
        try await transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO organisation_regions (forge, organisation, region) VALUES (\(organisation.forge), \(organisation.login), \(region.rawValue))
                ON CONFLICT DO NOTHING RETURNING region
                """, logger: self.logger).collect()
            guard inserted.isEmpty else {
                _ = try await self.appendAudit(
                    AuditEntry(actor: actor, action: "organisation.region_assigned", target: "organisation", organisation: organisation.login,
                               metadata: ["forge": organisation.forge, "region": region.rawValue]),
                    on: connection)
                return region
            }
            // The row a concurrent caller committed first (READ COMMITTED: this statement sees it).
            let recorded = try await connection.query(
                "SELECT region FROM organisation_regions WHERE forge = \(organisation.forge) AND organisation = \(organisation.login)",
                logger: self.logger).collect().first.flatMap { try? $0.decode(String.self) }.flatMap(Region.init(rawValue:))
            guard let recorded else { throw StorageError.unexpected("organisation_regions row of \(organisation) vanished") }
            return recorded
        }
    }
}

extension PostgresStore: AccessMaintenance {
    public func organisationsHeld() async throws -> [OrganisationRef] {
        try await rows(
            """
            SELECT forge, organisation FROM pull_requests UNION SELECT forge, organisation FROM api_keys
            UNION SELECT forge, organisation FROM sessions UNION SELECT forge, organisation FROM organisation_policies
            UNION SELECT forge, organisation FROM exports UNION SELECT 'github', login FROM organisations
            ORDER BY 1, 2
            """).map { row in
            let (forge, login) = try row.decode((String, String).self)
            return OrganisationRef(forge: forge, login: login)
        }
    }
}

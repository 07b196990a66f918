import CorgiAccess
import CorgiReview
import CorgiStorage
import Foundation
import Testing

@Suite("Residency: the region directory on every engine, and routing between two regions' stores", .timeLimit(.minutes(2)))
struct ResidencyTests {
    static let acme = OrganisationRef(forge: "github", login: "acme")
    static let acmeEU = OrganisationRef(forge: "github", login: "acme-eu")
    /// The same login on another forge: another organisation, placed on its own.
    static let acmeEUOnGitLab = OrganisationRef(forge: "gitlab", login: "acme-eu")

    @Test("an organisation's region is recorded once, audited once, and never changes", arguments: Backend.available)
    func directoryFixesTheFirstRegion(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.region(of: Self.acmeEU) == nil)
            #expect(try await store.assignRegion(.eu, to: Self.acmeEU, actor: "residency") == .eu)
            // Settings that now say APAC do not move it.
            #expect(try await store.assignRegion(.apac, to: Self.acmeEU, actor: "residency") == .eu)
            #expect(try await store.region(of: Self.acmeEU) == .eu)
            #expect(try await store.region(of: Self.acmeEUOnGitLab) == nil)
            let assigned = try await store.auditEvents().filter { $0.action == "organisation.region_assigned" }
            #expect(assigned.count == 1)
            #expect(assigned.first?.organisation == "acme-eu" && assigned.first?.metadata == ["forge": "github", "region": "eu"])
            #expect(try await store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("concurrent first sightings all get the one region recorded first", arguments: Backend.available)
    func concurrentAssignments(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let answers = try await withThrowingTaskGroup(of: Region.self) { group in
                for i in 0..<12 {
                    group.addTask { try await store.assignRegion(i % 2 == 0 ? .eu : .apac, to: Self.acme, actor: "residency") }
                }
                return try await group.reduce(into: [Region]()) { $0.append($1) }
            }
            let recorded = try #require(try await store.region(of: Self.acme))
            #expect(answers.count == 12 && answers.allSatisfy { $0 == recorded })
            #expect(try await store.count("organisation_regions") == 1)
            #expect(try await store.auditEvents().filter { $0.action == "organisation.region_assigned" }.count == 1)
        }
    }

    @Test("a store lists every organisation it holds data of, from keys, sessions, policies and reviews", arguments: Backend.available)
    func organisationsHeld(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.organisationsHeld().isEmpty)
            _ = try await Self.createKey(store, Self.acme)
            try await store.recordSignIn(
                SignedInSession(id: "s-1", organisation: Self.acmeEUOnGitLab, subject: "alice", role: .member, method: "oidc",
                                createdAt: Date(), expiresAt: Date().addingTimeInterval(3600)),
                audit: AuditEntry(actor: "user:alice", action: "sign_in.succeeded", target: "session", organisation: "acme-eu",
                                  metadata: ["forge": "gitlab"]))
            _ = try await store.setOrganisationPolicy(OrganisationPolicy(failOn: "low"), of: Self.acmeEU, audit: AuditEntry(
                actor: "cli:test", action: "policy.updated", target: "policy", organisation: "acme-eu", metadata: ["forge": "github"]))
            let job = scanJob(deliveryID: "d-held")
            _ = try await store.recordDelivery(delivery("d-held", job: job))
            _ = try await store.beginScan(claimed(job, id: 1))
            #expect(Set(try await store.organisationsHeld()) == [Self.acme, Self.acmeEU, Self.acmeEUOnGitLab,
                                                                OrganisationRef(forge: job.forge, login: job.organisation)])
        }
    }

    @Test("the API's calls reach only the organisation's region, and its placement outlives a change of settings")
    func routingBetweenRegions() async throws {
        try await withSQLiteStore { home in
            try await withSQLiteStore { eu in
                let policy = ResidencyPolicy(defaultRegion: .us, placements: [Self.acmeEU: .eu])
                let regional = try Regional<SQLiteStore>(home: .us, stores: [.us: home, .eu: eu], directory: home, policy: policy)
                let api = RegionalAccessStore(regional.map { $0 as any AccessStore })

                let (euSecret, euKey) = try await Self.createKey(api, Self.acmeEU)
                let (usSecret, _) = try await Self.createKey(api, Self.acme)
                #expect(try await eu.count("api_keys") == 1)
                #expect(try await home.count("api_keys") == 1)
                #expect(try await eu.apiKeys(of: Self.acmeEU).map(\.id) == [euKey.id])
                #expect(try await home.apiKeys(of: Self.acmeEU).isEmpty, "nothing of the EU organisation in the home region")
                #expect(try await api.apiKey(hash: euSecret.hash)?.organisation == Self.acmeEU)
                #expect(try await api.apiKey(hash: usSecret.hash)?.organisation == Self.acme)
                #expect(try await api.organisationSummary(Self.acmeEU).region == .eu)
                #expect(try await api.organisationSummary(Self.acme).region == .us)
                // Its audit events are in its region's log; the home log holds only the directory's record.
                #expect(try await eu.auditEvents().map(\.action) == ["api_key.created"])
                #expect(try await home.auditEvents().filter { $0.organisation == "acme-eu" }.map(\.action) == ["organisation.region_assigned"])

                // Settings changed to place it in the home region: its recorded region still decides.
                let moved = try Regional<SQLiteStore>(home: .us, stores: [.us: home, .eu: eu], directory: home, policy: ResidencyPolicy())
                #expect(try await moved.region(for: Self.acmeEU) == .eu)
                #expect(try await RegionalAccessStore(moved.map { $0 as any AccessStore }).apiKeys(of: Self.acmeEU).map(\.id) == [euKey.id])
            }
        }
    }

    @Test("a key row of one region's organisation planted in another region's store authenticates nobody")
    func plantedKeyIsRefused() async throws {
        try await withSQLiteStore { home in
            try await withSQLiteStore { eu in
                let regional = try Regional<SQLiteStore>(home: .us, stores: [.us: home, .eu: eu], directory: home,
                                                         policy: ResidencyPolicy(placements: [Self.acmeEU: .eu]))
                let api = RegionalAccessStore(regional.map { $0 as any AccessStore })
                #expect(try await regional.region(for: Self.acmeEU) == .eu)
                // Written straight into the home database, bypassing the routing.
                let (planted, _) = try await Self.createKey(home, Self.acmeEU, role: .owner)
                #expect(try await home.apiKey(hash: planted.hash) != nil)
                #expect(try await api.apiKey(hash: planted.hash) == nil)
            }
        }
    }

    @Test("settings that place organisations in a region without stores are refused, not written elsewhere")
    func unboundRegionIsRefused() async throws {
        try await withSQLiteStore { home in
            #expect(throws: ResidencyError.self) {
                _ = try Regional<SQLiteStore>(home: .us, stores: [.us: home], directory: home,
                                              policy: ResidencyPolicy(placements: [Self.acmeEU: .apac]))
            }
            // A region recorded earlier, whose stores the settings no longer name: refused by name.
            _ = try await home.assignRegion(.apac, to: Self.acmeEU, actor: "residency")
            let regional = try Regional<SQLiteStore>(home: .us, stores: [.us: home], directory: home, policy: ResidencyPolicy())
            await #expect(throws: ResidencyError.self) { _ = try await regional.store(for: Self.acmeEU) }
            #expect(try await home.count("api_keys") == 0)
        }
    }

    static func createKey(_ store: any AccessStore, _ organisation: OrganisationRef, role: Role = .admin) async throws
        -> (APIKeySecret, APIKeyRecord)
    {
        let secret = APIKeySecret.generate()
        let record = try await store.createAPIKey(
            APIKeyDraft(secret: secret, organisation: organisation, name: "ci", role: role, scopes: nil, createdBy: "cli:test", expiresAt: nil),
            audit: AuditEntry(actor: "cli:test", action: "api_key.created", target: "api-key", organisation: organisation.login,
                              metadata: ["forge": organisation.forge]))
        return (secret, record)
    }
}

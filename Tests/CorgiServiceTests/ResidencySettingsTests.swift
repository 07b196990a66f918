import CorgiAccess
import CorgiService
import Foundation
import Testing

@Suite("Residency settings: each region its own stores, or the process does not start")
struct ResidencySettingsTests {
    static func load(_ residency: String, role: ServiceSettings.Role = .gateway) async throws -> ServiceSettings {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-residency-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
        github:
          app_id: 1
        database:
          host: db-us.internal
          name: corgi
        queue:
          stream: CORGI_SCANS
          subject: corgi.scans
          consumer: corgi-workers
        secrets:
          directory: /run/secrets/corgi
        \(residency)
        """.write(to: file, atomically: true, encoding: .utf8)
        return try await ServiceSettings.load(path: file.path, role: role)
    }

    @Test("a gateway's EU region gets its own database and, by default, its own stream, subject and consumer")
    func regionDefaults() async throws {
        let settings = try await Self.load("""
        residency:
          organisations: ["github/acme-eu=eu", "gitlab/acme=eu"]
          regions:
            eu:
              database:
                host: db-eu.internal
                name: corgi
              secrets:
                directory: eu-secrets
        """)
        let residency = try #require(settings.residency)
        #expect(residency.home == .us && residency.policy.defaultRegion == .us)
        #expect(residency.policy.region(for: OrganisationRef(forge: "github", login: "acme-eu")) == .eu)
        #expect(residency.policy.region(for: OrganisationRef(forge: "github", login: "acme")) == .us)
        #expect(settings.regions == [.us, .eu])
        let eu = settings.settings(for: .eu)
        #expect(eu.database?.host == "db-eu.internal" && eu.residency == nil)
        #expect(eu.queue?.stream == "CORGI_SCANS_EU" && eu.queue?.subject == "corgi.scans.eu" && eu.queue?.consumer == "corgi-workers-eu")
        #expect(eu.secretsDirectory.hasSuffix("/eu-secrets"))
        #expect(settings.settings(for: .us).database?.host == "db-us.internal")
    }

    @Test("two regions on one database, stream or subject, or organisations in a region without stores: refused by name",
          arguments: [
              ("regions:\n    eu:\n      database:\n        host: db-us.internal\n        name: corgi\n", "share a PostgreSQL database"),
              ("regions:\n    eu:\n      database:\n        host: db-eu.internal\n        name: corgi\n      queue:\n        stream: CORGI_SCANS\n",
               "share a JetStream stream"),
              ("regions:\n    eu:\n      database:\n        host: db-eu.internal\n        name: corgi\n      queue:\n        subject: corgi.scans\n",
               "share a queue subject"),
              ("organisations: [\"github/acme=apac\"]\n", "names no stores"),
              ("organisations: [\"github/acme=mars\"]\n", "FORGE/LOGIN=REGION"),
              ("default: eu\n", "names no stores"),
              ("regions:\n    eu:\n      database:\n        host: db-eu.internal\n", "database.name"),
          ])
    func refused(_ section: String, message: String) async throws {
        let yaml = "residency:\n  " + section.replacingOccurrences(of: "\n", with: "\n  ")
        do {
            _ = try await Self.load(yaml)
            Issue.record("accepted: \(section)")
        } catch let error as SettingsError {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("a worker serves one region: it reads no residency section")
    func workersIgnoreResidency() async throws {
        let settings = try await Self.load("""
        objects:
          s3:
            endpoint: https://s3.internal
        residency:
          organisations: ["github/acme-eu=eu"]
          regions:
            eu:
              database:
                host: db-eu.internal
                name: corgi
        """, role: .worker)
        #expect(settings.residency == nil && settings.regions == [.default])
    }
}

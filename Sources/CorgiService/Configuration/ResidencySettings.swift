public import CorgiAccess
import Foundation

extension ServiceSettings {
    /// Residency (`residency`): each organisation's data lives in one region, fixed when the
    /// organisation is first seen; each region has its own database and object store.
    ///
    /// ```yaml
    /// residency:
    ///   home: us                 # the region of the stores above (storage / database); default us
    ///   default: us              # where new organisations go unless listed; default the home region
    ///   organisations: ["github/acme-eu=eu", "gitlab/platform=apac"]
    ///   regions:
    ///     eu:
    ///       storage: {database: eu/corgi.sqlite, objects: eu/objects}   # corgi serve
    ///       database: {name: corgi_eu, host: …}                         # gateway and migrate
    ///       queue: {stream: CORGI_SCANS_EU, subject: corgi.scans.eu}     # gateway (these are the defaults)
    ///       secrets: {directory: /run/secrets/corgi-eu}                 # optional: the region's own secrets
    /// ```
    ///
    /// In the distributed mode a worker serves one region: its settings name that region's
    /// database, bucket and queue (`residency` is not read by workers).
    public struct Residency: Sendable {
        public var home: Region
        public var policy: ResidencyPolicy
        /// The stores of every region but the home one (whose stores are the settings' own).
        public var regions: [Region: RegionStores]
    }

    /// One region's stores: for `corgi serve` a SQLite file and an objects directory, for the
    /// gateway and `corgi migrate` a PostgreSQL database and a JetStream stream.
    public struct RegionStores: Sendable {
        public var databasePath = ""
        public var objectsDirectory = ""
        public var database: Database?
        public var queue: Queue?
        /// Where the region's secrets are (its database password, its storage key).
        public var secretsDirectory: String
    }

    /// Every region these settings bind to stores, the home region first.
    public var regions: [Region] {
        guard let residency else { return [.default] }
        return [residency.home] + residency.regions.keys.sorted { $0.rawValue < $1.rawValue }
    }

    /// These settings as one region's process sees them: the region's database, objects, queue
    /// and secrets in place of the home region's, and no residency.
    public func settings(for region: Region) -> ServiceSettings {
        var copy = self
        copy.residency = nil
        guard let residency, region != residency.home, let stores = residency.regions[region] else { return copy }
        copy.databasePath = stores.databasePath
        copy.objectsDirectory = stores.objectsDirectory
        copy.database = stores.database
        copy.queue = stores.queue
        copy.secretsDirectory = stores.secretsDirectory
        return copy
    }
}

extension ServiceSettings.Residency {
    /// Reads `residency` for the roles that hold several regions' stores (every role but the
    /// worker, which serves one region); nil when the section is absent.
    static func read(_ reader: SettingsReader, path: String, role: ServiceSettings.Role, embedded: Bool, main: ServiceSettings,
                     resolve: (String) -> String, database: (String) throws -> ServiceSettings.Database) throws -> Self? {
        let placements = try reader.stringArray("residency.organisations")
        let homeText = try reader.optionalString("residency.home"), defaultText = try reader.optionalString("residency.default")
        func region(_ text: String, _ setting: String) throws -> Region {
            guard let region = Region(rawValue: text) else {
                throw SettingsError("\(path): \(setting) must be one of \(Region.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return region
        }
        var configured: [Region: ServiceSettings.RegionStores] = [:]
        let home = try homeText.map { try region($0, "residency.home") } ?? .default
        let holdsRegions = role != .worker
        for candidate in Region.allCases where candidate != home {
            let prefix = "residency.regions.\(candidate.rawValue)."
            let named = try [prefix + "storage.database", prefix + "database.name", prefix + "database.host"]
                .contains { try reader.optionalString($0) != nil }
            guard named else { continue }
            var stores = ServiceSettings.RegionStores(
                secretsDirectory: try reader.optionalString(prefix + "secrets.directory").map(resolve) ?? main.secretsDirectory)
            if embedded {
                stores.databasePath = resolve(try reader.requiredString(prefix + "storage.database"))
                stores.objectsDirectory = resolve(try reader.requiredString(prefix + "storage.objects"))
            } else {
                guard try reader.optionalString(prefix + "database.name") != nil else {
                    throw SettingsError("\(path): missing setting \(prefix)database.name (each region has its own database)")
                }
                stores.database = try database(prefix)
                if var queue = main.queue {
                    queue.stream = try reader.string(prefix + "queue.stream", default: queue.stream + "_" + candidate.rawValue.uppercased())
                    queue.subject = try reader.string(prefix + "queue.subject", default: queue.subject + "." + candidate.rawValue)
                    queue.consumer = try reader.string(prefix + "queue.consumer", default: queue.consumer + "-" + candidate.rawValue)
                    stores.queue = queue
                }
            }
            configured[candidate] = stores
        }
        guard holdsRegions, homeText != nil || defaultText != nil || !placements.isEmpty || !configured.isEmpty else { return nil }
        var policy = ResidencyPolicy(defaultRegion: try defaultText.map { try region($0, "residency.default") } ?? home)
        for entry in placements {
            let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let parts = pair.first?.split(separator: "/", maxSplits: 1).map(String.init) ?? []
            guard pair.count == 2, parts.count == 2, let organisation = OrganisationRef(validatingForge: parts[0], login: parts[1]),
                  let placed = Region(rawValue: pair[1])
            else {
                throw SettingsError("\(path): residency.organisations entries are \"FORGE/LOGIN=REGION\" with REGION one of "
                    + Region.allCases.map(\.rawValue).joined(separator: ", "))
            }
            policy.placements[organisation] = placed
        }
        for placed in Set([policy.defaultRegion] + policy.placements.values) where placed != home && configured[placed] == nil {
            throw SettingsError("\(path): organisations are placed in region \(placed), but residency.regions.\(placed) names no stores for it")
        }
        // Two regions sharing a store would be one region that claims to be two.
        var seen: [String: Region] = [:]
        func distinct(_ key: String, _ region: Region, _ what: String) throws {
            if let other = seen[key] { throw SettingsError("\(path): regions \(other) and \(region) share \(what): each region needs its own") }
            seen[key] = region
        }
        let homeStores = ServiceSettings.RegionStores(databasePath: main.databasePath, objectsDirectory: main.objectsDirectory,
                                                      database: main.database, queue: main.queue, secretsDirectory: main.secretsDirectory)
        for (region, stores) in [(home, homeStores)] + configured.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if !stores.databasePath.isEmpty { try distinct("file:" + stores.databasePath, region, "a database file") }
            if !stores.objectsDirectory.isEmpty { try distinct("objects:" + stores.objectsDirectory, region, "an objects directory") }
            if let db = stores.database { try distinct("pg:\(db.host):\(db.port)/\(db.name)", region, "a PostgreSQL database") }
            if let queue = stores.queue {
                try distinct("stream:" + queue.stream, region, "a JetStream stream")
                try distinct("subject:" + queue.subject, region, "a queue subject")
            }
        }
        return Self(home: home, policy: policy, regions: configured)
    }
}

/// Each region's instance of a store, and the way from an organisation to its region: what the
/// gateway, the API and the command line use to write and read an organisation's data only in
/// its region. One region (no `residency` settings) is the same thing with one store.
public struct Regional<Store: Sendable>: Sendable {
    /// The region of the settings' own stores: it keeps the region directory.
    public let home: Region
    public let stores: [Region: Store]
    let placement: RegionPlacement?

    /// One region: every organisation's data in `store`.
    public init(single store: Store, region: Region = .default) {
        home = region
        stores = [region: store]
        placement = nil
    }

    /// Several regions; `directory` (the home region's store) records where each organisation
    /// went, `policy` places the new ones. Every region the policy names must have a store.
    public init(home: Region, stores: [Region: Store], directory: any RegionDirectory, policy: ResidencyPolicy) throws {
        let unbound = Set([policy.defaultRegion] + policy.placements.values).subtracting(stores.keys)
        // `homeStore` relies on the home region having a store.
        guard stores[home] != nil, unbound.isEmpty else {
            throw ResidencyError.regionNotConfigured(unbound.first ?? home, nil)
        }
        self.home = home
        self.stores = stores
        placement = RegionPlacement(directory: directory, policy: policy, regions: Set(stores.keys))
    }

    init(home: Region, stores: [Region: Store], placement: RegionPlacement?) {
        self.home = home
        self.stores = stores
        self.placement = placement
    }

    /// The same regions and directory over another view of each region's store.
    public func map<Other: Sendable>(_ transform: (Store) throws -> Other) rethrows -> Regional<Other> {
        Regional<Other>(home: home, stores: try stores.mapValues(transform), placement: placement)
    }

    /// The same regions and directory over what `transform` makes of each region.
    public func mapRegions<Other: Sendable>(_ transform: (Region, Store) throws -> Other) rethrows -> Regional<Other> {
        var mapped: [Region: Other] = [:]
        for (region, store) in stores { mapped[region] = try transform(region, store) }
        return Regional<Other>(home: home, stores: mapped, placement: placement)
    }

    /// The region holding the organisation's data: its recorded one, or the policy's for an
    /// organisation seen now for the first time (recorded from then on).
    public func region(for organisation: OrganisationRef) async throws -> Region {
        guard let placement else { return home }
        return try await placement.region(for: organisation)
    }

    public func store(for organisation: OrganisationRef) async throws -> Store {
        let region = try await region(for: organisation)
        guard let store = stores[region] else { throw ResidencyError.regionNotConfigured(region, organisation) }
        return store
    }

    /// The store of the organisation's region; the home region's for what names none.
    public func store(for organisation: OrganisationRef?) async throws -> Store {
        guard let organisation else { return homeStore }
        return try await store(for: organisation)
    }

    public var homeStore: Store { stores[home]! }

    /// Every region's store, the home region first.
    public var all: [(region: Region, store: Store)] {
        stores.sorted { ($0.key == home ? 0 : 1, $0.key.rawValue) < ($1.key == home ? 0 : 1, $1.key.rawValue) }
            .map { (region: $0.key, store: $0.value) }
    }

    public var isSingle: Bool { stores.count == 1 && placement == nil }
}

public enum ResidencyError: Error, Sendable, CustomStringConvertible {
    /// An organisation's region (or one the settings place organisations in) has no stores in
    /// the settings: its data is written nowhere rather than somewhere else.
    case regionNotConfigured(Region, OrganisationRef?)

    public var description: String {
        switch self {
        case .regionNotConfigured(let region, let organisation?):
            "residency: \(organisation) belongs to region \(region), which these settings bind to no store"
        case .regionNotConfigured(let region, nil):
            "residency: region \(region) is bound to no store (residency.regions.\(region))"
        }
    }
}

/// The directory with what it answered kept: a recorded region never changes, so the cache can
/// never be stale. Bounded: emptied when it reaches `capacity`.
actor RegionPlacement {
    let directory: any RegionDirectory
    let policy: ResidencyPolicy
    let regions: Set<Region>
    let capacity = 100_000
    var known: [OrganisationRef: Region] = [:]

    init(directory: any RegionDirectory, policy: ResidencyPolicy, regions: Set<Region>) {
        self.directory = directory
        self.policy = policy
        self.regions = regions
    }

    func region(for organisation: OrganisationRef) async throws -> Region {
        if let region = known[organisation] { return region }
        let region: Region
        if let recorded = try await directory.region(of: organisation) {
            region = recorded
        } else {
            region = try await directory.assignRegion(policy.region(for: organisation), to: organisation, actor: "residency")
        }
        guard regions.contains(region) else { throw ResidencyError.regionNotConfigured(region, organisation) }
        if known.count >= capacity { known.removeAll(keepingCapacity: true) }
        known[organisation] = region
        return region
    }
}

/// Where an organisation's data lives (issue 15, residency): its pull requests, reviews,
/// findings, diffs, policy, keys, sessions, exports and audit events are written only to the
/// database and object store the settings bind to its region.
public enum Region: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case us
    case eu
    case apac

    /// The region of an organisation nothing else places, and of a deployment that names none.
    public static let `default` = Region.us

    public var description: String { rawValue }
}

/// Which region a new organisation goes to: the one the settings name for it, else the default.
/// Read only when an organisation is first seen; from then on its recorded region decides (see
/// ``RegionDirectory``), whatever the settings say later.
public struct ResidencyPolicy: Sendable, Hashable {
    public var defaultRegion: Region
    public var placements: [OrganisationRef: Region]

    public init(defaultRegion: Region = .default, placements: [OrganisationRef: Region] = [:]) {
        self.defaultRegion = defaultRegion
        self.placements = placements
    }

    public func region(for organisation: OrganisationRef) -> Region {
        placements[organisation] ?? defaultRegion
    }
}

/// The record of every organisation's region, kept in the home region's store. An organisation's
/// region is fixed the first time anything about it is stored: moving it means exporting it,
/// deleting it and letting it be created again.
public protocol RegionDirectory: Sendable {
    /// The recorded region, nil when the organisation was never seen.
    func region(of organisation: OrganisationRef) async throws -> Region?
    /// Records `region` for the organisation unless one is recorded already, and returns the one
    /// in force. A new record is audited (`organisation.region_assigned`) in the same
    /// transaction; concurrent callers all get the first record.
    func assignRegion(_ region: Region, to organisation: OrganisationRef, actor: String) async throws -> Region
}

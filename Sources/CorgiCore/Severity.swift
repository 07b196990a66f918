/// How bad a finding is. Ordered, so `--fail-on high` means "high or critical".
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case info, low, medium, high, critical

    public var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }
}

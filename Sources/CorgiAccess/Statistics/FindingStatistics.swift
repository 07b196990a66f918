public import Foundation

/// What a store reads for an organisation's trends (``AccessStore/findingTrends(of:since:)``):
/// the first-seen and fixed times of every finding seen or fixed since a moment, and the
/// repositories and rules holding the most open findings. Metadata only.
public struct FindingTrendRows: Sendable, Hashable {
    public struct Timeline: Sendable, Hashable {
        public var firstSeen: Date
        public var fixedAt: Date?

        public init(firstSeen: Date, fixedAt: Date?) {
            self.firstSeen = firstSeen
            self.fixedAt = fixedAt
        }
    }

    public var timelines: [Timeline]
    /// Names with their open findings, most first (ties by name), at most ``FindingStatistics/topCount``.
    public var topRepositories: [FindingStatistics.Count]
    public var topRules: [FindingStatistics.Count]

    public init(timelines: [Timeline], topRepositories: [FindingStatistics.Count], topRules: [FindingStatistics.Count]) {
        self.timelines = timelines
        self.topRepositories = topRepositories
        self.topRules = topRules
    }
}

/// An organisation's trends as the API answers them: new and fixed findings per week, the
/// repositories and rules with the most open findings, and the mean time to fix. Computed here,
/// once, from what any engine's store reads (``FindingTrendRows``).
public struct FindingStatistics: Sendable, Hashable, Codable {
    public static let topCount = 5
    public static let maximumWeeks = 52

    public struct Week: Sendable, Hashable, Codable {
        /// Monday 00:00 UTC that starts the week, `yyyy-MM-dd`.
        public var start: String
        public var new: Int
        public var fixed: Int
    }

    public struct Count: Sendable, Hashable, Codable {
        public var name: String
        public var open: Int

        public init(name: String, open: Int) {
            self.name = name
            self.open = open
        }
    }

    /// Oldest week first; the last is the current week.
    public var weeks: [Week]
    public var topRepositories: [Count]
    public var topRules: [Count]
    /// Mean hours from first seen to fixed, over the findings fixed in these weeks; nil when none was.
    public var meanHoursToFix: Double?
    public var fixedInPeriod: Int

    /// The first moment of the oldest of `weeks` weeks ending with the one holding `now`.
    public static func periodStart(weeks: Int, now: Date) -> Date {
        weekStart(of: now).addingTimeInterval(-Double(weeks - 1) * 7 * 86_400)
    }

    /// Monday 00:00 UTC of the week holding `date`.
    static func weekStart(of date: Date) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return calendar.date(from: components)!
    }

    public init(_ rows: FindingTrendRows, weeks: Int, now: Date) {
        let start = Self.periodStart(weeks: weeks, now: now)
        var new = [Int](repeating: 0, count: weeks), fixed = [Int](repeating: 0, count: weeks)
        func bucket(_ date: Date) -> Int? {
            let index = Int((date.timeIntervalSince(start) / (7 * 86_400)).rounded(.down))
            return index >= 0 && index < weeks ? index : nil
        }
        var hoursToFix = 0.0
        var fixedCount = 0
        for timeline in rows.timelines {
            if let week = bucket(timeline.firstSeen) { new[week] += 1 }
            if let fixedAt = timeline.fixedAt, let week = bucket(fixedAt) {
                fixed[week] += 1
                fixedCount += 1
                hoursToFix += max(0, fixedAt.timeIntervalSince(timeline.firstSeen)) / 3600
            }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        self.weeks = (0..<weeks).map { k in
            Week(start: formatter.string(from: start.addingTimeInterval(Double(k) * 7 * 86_400)), new: new[k], fixed: fixed[k])
        }
        topRepositories = Array(rows.topRepositories.prefix(Self.topCount))
        topRules = Array(rows.topRules.prefix(Self.topCount))
        fixedInPeriod = fixedCount
        meanHoursToFix = fixedCount == 0 ? nil : hoursToFix / Double(fixedCount)
    }
}

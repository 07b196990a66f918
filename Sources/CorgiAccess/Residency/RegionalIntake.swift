public import CorgiReview

/// The gateway's intake when organisations live in several regions: a verified delivery is
/// recorded (with its audit event and any installation change) and its job queued in the
/// region of the organisation it is about, so the review that follows runs on that region's
/// workers and stores. A delivery about no organisation (a `ping`) goes to the home region.
public struct RegionalIntake: WebhookIntake {
    public let regions: Regional<any WebhookIntake>

    public init(_ regions: Regional<any WebhookIntake>) {
        self.regions = regions
    }

    public func accept(_ delivery: WebhookDelivery) async throws -> WebhookAcceptance {
        try await regions.store(for: delivery.organisationRef).accept(delivery)
    }

    /// Every region's counts added up; readiness fails when any region's intake does.
    public func queueCounts() async throws -> [String: Int] {
        var total: [String: Int] = [:]
        for (_, intake) in regions.all {
            total.merge(try await intake.queueCounts(), uniquingKeysWith: +)
        }
        return total
    }
}

extension WebhookDelivery {
    /// The organisation the delivery is about, when it names one: its job's, its installation's
    /// account, or its audit event's.
    public var organisationRef: OrganisationRef? {
        guard let login = job?.organisation ?? installation?.account ?? audit.organisation, !login.isEmpty else { return nil }
        return OrganisationRef(forge: forge, login: login)
    }
}

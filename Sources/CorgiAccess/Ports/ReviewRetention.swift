/// How long an organisation keeps a closed pull request's review results (its policy's
/// `review_retention_days`): the retention sweep deletes them that many days after it closed.
public struct ReviewRetention: Sendable, Hashable {
    public var organisation: OrganisationRef
    public var days: Int

    public init(organisation: OrganisationRef, days: Int) {
        self.organisation = organisation
        self.days = days
    }

    /// What one expiry removed, by kind (`pull_requests`, `reviews`, `findings`,
    /// `dismissal_requests`), and the diffs it expired for the sweeper to delete.
    public static let kinds = ["pull_requests", "reviews", "findings", "dismissal_requests"]
}

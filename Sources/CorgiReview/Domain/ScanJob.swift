public import Foundation

/// A scan to run: webhook metadata only (installation, repository, PR number, SHAs).
public struct ScanJob: Sendable, Hashable, Codable {
    public var forge: String
    public var installationID: Int
    /// The forge's immutable id of the repository: names change (renames, transfers) and can be
    /// registered again by someone else, ids do not. 0 only in jobs queued by an older version.
    public var repositoryID: Int
    public var organisation: String
    public var repository: String  // owner/name, for display and for the forge's URLs
    public var number: Int
    public var headSHA: String
    public var baseSHA: String?
    public var deliveryID: String
    /// What asked for it: `pull_request.opened`, `check_run.rerequested`, …
    public var trigger: String
    /// The check run a `check_run.rerequested` event re-requested: each click on "Re-run" names
    /// another run, so it tells a deliberate re-run from a replay of the same event.
    public var rerequestedCheckRunID: Int?
    /// A chat command to carry out (`@corgi …` in a comment); its review, if any, is of the pull
    /// request's head when the command runs (`headSHA` is empty until then).
    public var command: CommandRequest?

    public init(forge: String, installationID: Int, repositoryID: Int, organisation: String, repository: String, number: Int,
                headSHA: String, baseSHA: String?, deliveryID: String, trigger: String, rerequestedCheckRunID: Int? = nil,
                command: CommandRequest? = nil) {
        self.command = command
        self.forge = forge
        self.installationID = installationID
        self.repositoryID = repositoryID
        self.organisation = organisation
        self.repository = repository
        self.number = number
        self.headSHA = headSHA
        self.baseSHA = baseSHA
        self.deliveryID = deliveryID
        self.trigger = trigger
        self.rerequestedCheckRunID = rerequestedCheckRunID
    }

    enum CodingKeys: String, CodingKey {
        case forge, installationID, repositoryID, organisation, repository, number, headSHA, baseSHA, deliveryID, trigger
        case rerequestedCheckRunID, command
    }

    /// Jobs queued by a version without repository ids decode with id 0 (see `key`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        forge = try c.decode(String.self, forKey: .forge)
        installationID = try c.decode(Int.self, forKey: .installationID)
        repositoryID = try c.decodeIfPresent(Int.self, forKey: .repositoryID) ?? 0
        organisation = try c.decode(String.self, forKey: .organisation)
        repository = try c.decode(String.self, forKey: .repository)
        number = try c.decode(Int.self, forKey: .number)
        headSHA = try c.decode(String.self, forKey: .headSHA)
        baseSHA = try c.decodeIfPresent(String.self, forKey: .baseSHA)
        deliveryID = try c.decode(String.self, forKey: .deliveryID)
        trigger = try c.decode(String.self, forKey: .trigger)
        rerequestedCheckRunID = try c.decodeIfPresent(Int.self, forKey: .rerequestedCheckRunID)
        command = try c.decodeIfPresent(CommandRequest.self, forKey: .command)
    }

    /// The pull request this job reviews, as the store keys it.
    public var pullRequest: PullRequestKey {
        PullRequestKey(forge: forge, installationID: installationID, repositoryID: repositoryID, number: number)
    }
}

/// A pull request as the store knows it: by forge, installation and the forge's immutable
/// repository id, never by name. A renamed repository keeps its pull requests; a name taken over
/// by another account, or a repository transferred to another installation, starts afresh, so
/// one installation's findings and comments never reach another.
public struct PullRequestKey: Sendable, Hashable, CustomStringConvertible {
    public var forge: String
    public var installationID: Int
    public var repositoryID: Int
    public var number: Int

    public init(forge: String, installationID: Int, repositoryID: Int, number: Int) {
        self.forge = forge
        self.installationID = installationID
        self.repositoryID = repositoryID
        self.number = number
    }

    public var description: String { "\(forge):\(installationID):\(repositoryID)#\(number)" }
}

public struct ClaimedJob: Sendable, Hashable {
    /// The queue's own id for this job (a row id, a stream sequence).
    public var id: Int
    public var job: ScanJob
    /// 1 on first delivery, counting up on each retry or redelivery.
    public var attempt: Int
    public var leaseOwner: String

    public init(id: Int, job: ScanJob, attempt: Int, leaseOwner: String) {
        self.id = id
        self.job = job
        self.attempt = attempt
        self.leaseOwner = leaseOwner
    }

    /// Stable across queues, redeliveries and replays under new delivery ids: one signed event makes at most one job.
    public var key: String { job.key }
}

extension ScanJob {
    /// The job's idempotency key, from signed content only: the forge signs the body, not the
    /// `X-GitHub-Delivery` header, so a captured webhook replayed under new delivery ids makes
    /// the same key and runs no second review. One review per installation, repository id, pull
    /// request, head commit and action (and re-requested check run).
    public var key: String {
        // Queued by a version that did not record repository ids: keyed as it was then.
        guard repositoryID > 0 else { return "\(forge):\(deliveryID)" }
        // One run per comment: the comment's id is the forge's, from the signed payload.
        if let command { return "\(forge):\(installationID):\(repositoryID):\(number):command:\(command.commentID)" }
        var key = "\(forge):\(installationID):\(repositoryID):\(number):\(headSHA):\(trigger)"
        if let rerequestedCheckRunID { key += ":\(rerequestedCheckRunID)" }
        return key
    }
}

/// What an installation event changes: which account has the app, and on which repositories.
public struct InstallationChange: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case installed, uninstalled, repositoriesAdded, repositoriesRemoved }
    public var kind: Kind
    public var installationID: Int
    public var account: String?
    public var repositories: [String]

    public init(kind: Kind, installationID: Int, account: String?, repositories: [String]) {
        self.kind = kind
        self.installationID = installationID
        self.account = account
        self.repositories = repositories
    }
}

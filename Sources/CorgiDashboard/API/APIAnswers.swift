import Foundation

// The API's answers as the dashboard reads them, field by field as the OpenAPI document names
// them (docs/api/openapi.json): the dashboard is a client of that contract, not of the
// server's types.

struct APIPage<Item: Decodable & Sendable>: Decodable, Sendable {
    var items: [Item]
    var nextAfter: Int?

    enum CodingKeys: String, CodingKey {
        case items, nextAfter = "next_after"
    }
}

struct APIOrganisation: Decodable, Sendable, Hashable {
    var forge: String
    var login: String
}

struct APIMe: Decodable, Sendable {
    var actor: String
    var organisation: APIOrganisation
    var role: String
    var permissions: Set<String>

    func may(_ permission: String) -> Bool { permissions.contains(permission) }
}

struct APISummary: Decodable, Sendable {
    var repositories: Int
    var pullRequests: Int
    var findingsByState: [String: Int]
    var openFindingsBySeverity: [String: Int]
    var region: String?

    enum CodingKeys: String, CodingKey {
        case repositories, region, pullRequests = "pull_requests", findingsByState = "findings_by_state"
        case openFindingsBySeverity = "open_findings_by_severity"
    }
}

struct APIStatistics: Decodable, Sendable {
    struct Week: Decodable, Sendable {
        var start: String
        var new: Int
        var fixed: Int
    }

    struct Count: Decodable, Sendable {
        var name: String
        var open: Int
    }

    var weeks: [Week]
    var topRepositories: [Count]
    var topRules: [Count]
    var meanHoursToFix: Double?
    var fixedInPeriod: Int

    enum CodingKeys: String, CodingKey {
        case weeks, topRepositories = "top_repositories", topRules = "top_rules", meanHoursToFix = "mean_hours_to_fix"
        case fixedInPeriod = "fixed_in_period"
    }
}

struct APIRepository: Decodable, Sendable {
    var name: String
    var pullRequests: Int
    var openFindings: Int

    enum CodingKeys: String, CodingKey {
        case name, pullRequests = "pull_requests", openFindings = "open_findings"
    }
}

struct APIPullRequest: Decodable, Sendable {
    var id: Int
    var repository: String
    var number: Int
    var state: String
    var headSHA: String?
    var updatedAt: String
    var openFindings: Int
    var reviewing: Bool

    enum CodingKeys: String, CodingKey {
        case id, repository, number, state, reviewing, headSHA = "head_sha", updatedAt = "updated_at", openFindings = "open_findings"
    }
}

struct APIFinding: Decodable, Sendable {
    var id: Int
    var repository: String
    var pullRequest: Int
    var ruleID: String
    var kind: String
    var severity: String
    var cwe: String?
    var path: String
    var line: Int
    var endLine: Int
    var message: String
    var redacted: String?
    var state: String
    var firstScanID: Int
    var lastScanID: Int
    var fixedScanID: Int?
    var dismissal: Dismissal?
    var flow: [Step]?

    struct Step: Decodable, Sendable {
        var line: Int
        var message: String
    }

    struct Dismissal: Decodable, Sendable {
        var reason: String
        var author: String
        var comment: String?
        var dismissedAt: String
        var until: Date?

        enum CodingKeys: String, CodingKey {
            case reason, author, comment, until, dismissedAt = "dismissed_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, repository, kind, severity, cwe, path, line, message, redacted, state, dismissal, flow
        case pullRequest = "pull_request", ruleID = "rule_id", endLine = "end_line", firstScanID = "first_scan_id"
        case lastScanID = "last_scan_id", fixedScanID = "fixed_scan_id"
    }
}

struct APIDismissalRequestRecord: Decodable, Sendable {
    var id: Int
    var findingID: Int
    var reason: String
    var comment: String?
    var requestedBy: String
    var requestedAt: Date
    var state: String
    var decidedBy: String?
    var decidedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, reason, comment, state, findingID = "finding_id", requestedBy = "requested_by", requestedAt = "requested_at"
        case decidedBy = "decided_by", decidedAt = "decided_at"
    }
}

struct APIPolicy: Codable, Sendable {
    var failOn: String?
    var packs: [String]?
    var ignorePaths: [String]
    var disabledRules: [String]
    var diffRetentionDays: Int?
    var reviewRetentionDays: Int?
    var fourEyes: Bool
    var aiReview: Bool

    enum CodingKeys: String, CodingKey {
        case packs, failOn = "fail_on", ignorePaths = "ignore_paths", disabledRules = "disabled_rules"
        case diffRetentionDays = "diff_retention_days", reviewRetentionDays = "review_retention_days", fourEyes = "four_eyes"
        case aiReview = "ai_review"
    }

    /// Every setting, written out (`null` for the deployment's default): a PUT replaces the whole policy.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(failOn, forKey: .failOn)
        try c.encode(packs, forKey: .packs)
        try c.encode(ignorePaths, forKey: .ignorePaths)
        try c.encode(disabledRules, forKey: .disabledRules)
        try c.encode(diffRetentionDays, forKey: .diffRetentionDays)
        try c.encode(reviewRetentionDays, forKey: .reviewRetentionDays)
        try c.encode(fourEyes, forKey: .fourEyes)
        try c.encode(aiReview, forKey: .aiReview)
    }
}

struct APIMember: Decodable, Sendable {
    var subject: String
    var role: String
    var method: String
    var lastSignIn: Date

    enum CodingKeys: String, CodingKey {
        case subject, role, method, lastSignIn = "last_sign_in"
    }
}

struct APIKey: Decodable, Sendable {
    var id: Int
    var name: String
    var role: String
    var scopes: [String]?
    var prefix: String
    var createdBy: String
    var createdAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, role, scopes, prefix, createdBy = "created_by", createdAt = "created_at", expiresAt = "expires_at"
        case lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }
}

struct APICreatedKey: Decodable, Sendable {
    var key: String
    var apiKey: APIKey

    enum CodingKeys: String, CodingKey {
        case key, apiKey = "api_key"
    }
}

struct APIKeyRequest: Encodable, Sendable {
    var name: String
    var role: String
    var expiresInDays: Int

    enum CodingKeys: String, CodingKey {
        case name, role, expiresInDays = "expires_in_days"
    }
}

struct APIDismissal: Encodable, Sendable {
    var reason: String
    var comment: String?
}

struct APISession: Decodable, Sendable {
    var id: String
    var method: String
    var role: String
    var createdAt: Date
    var expiresAt: Date
    var current: Bool

    enum CodingKeys: String, CodingKey {
        case id, method, role, current, createdAt = "created_at", expiresAt = "expires_at"
    }
}

struct APIAuditEvent: Decodable, Sendable {
    var id: Int
    var occurredAt: String
    var actor: String
    var action: String
    var target: String
    var metadata: [String: String]
    var hash: String

    enum CodingKeys: String, CodingKey {
        case id, actor, action, target, metadata, hash, occurredAt = "occurred_at"
    }
}

struct APIAuditVerification: Decodable, Sendable {
    var intact: Bool
    var checkedAt: Date
    var limitations: [String]

    enum CodingKeys: String, CodingKey {
        case intact, limitations, checkedAt = "checked_at"
    }
}

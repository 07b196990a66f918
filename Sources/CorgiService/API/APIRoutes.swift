public import CorgiAccess
public import HTTPTypes

/// One route of the API and what it needs. The table below is the only place a route is
/// declared: `CorgiAPI` registers exactly these, `docs/permissions.md` and the OpenAPI document
/// list exactly these (tests compare all three with the router), and the route × role ×
/// organisation test walks them all.
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    public enum Access: Sendable, Hashable {
        /// No key needed (the API's own description).
        case anonymous
        /// Any valid key; the answer concerns the key itself.
        case authenticated
        /// A key of the organisation in the path holding the permission; another organisation's
        /// key gets 404, exactly as an organisation that does not exist.
        case organisation(Permission)
    }

    public let method: HTTPRequest.Method
    /// Full path in OpenAPI's template syntax, which the router accepts as it is.
    public let path: String
    public let access: Access

    public var description: String { "\(method) \(path)" }
}

public enum APIRoutes {
    public static let prefix = "/api/v1"
    static let org = "/api/v1/orgs/{forge}/{organisation}"

    public static let openAPI = APIRoute(method: .get, path: "/api/v1/openapi.json", access: .anonymous)
    public static let me = APIRoute(method: .get, path: "/api/v1/me", access: .authenticated)
    public static let mySessions = APIRoute(method: .get, path: "/api/v1/me/sessions", access: .authenticated)
    public static let organisation = APIRoute(method: .get, path: org, access: .organisation(.readOrganisation))
    public static let deleteOrganisation = APIRoute(method: .delete, path: org, access: .organisation(.deleteOrganisation))
    public static let requestExport = APIRoute(method: .post, path: org + "/exports", access: .organisation(.exportOrganisation))
    public static let export = APIRoute(method: .get, path: org + "/exports/{id}", access: .organisation(.exportOrganisation))
    public static let exportArchive = APIRoute(method: .get, path: org + "/exports/{id}/archive", access: .organisation(.exportOrganisation))
    public static let statistics = APIRoute(method: .get, path: org + "/statistics", access: .organisation(.readOrganisation))
    public static let members = APIRoute(method: .get, path: org + "/members", access: .organisation(.readMembers))
    public static let repositories = APIRoute(method: .get, path: org + "/repositories", access: .organisation(.readFindings))
    public static let pullRequests = APIRoute(method: .get, path: org + "/pull-requests", access: .organisation(.readFindings))
    public static let findings = APIRoute(method: .get, path: org + "/findings", access: .organisation(.readFindings))
    public static let exportFindings = APIRoute(method: .get, path: org + "/findings/export", access: .organisation(.readFindings))
    public static let finding = APIRoute(method: .get, path: org + "/findings/{id}", access: .organisation(.readFindings))
    public static let dismissFinding = APIRoute(method: .post, path: org + "/findings/{id}/dismissal",
                                                access: .organisation(.triageFindings))
    public static let dismissalRequests = APIRoute(method: .get, path: org + "/dismissal-requests", access: .organisation(.readFindings))
    public static let approveDismissal = APIRoute(method: .post, path: org + "/dismissal-requests/{id}/approval",
                                                  access: .organisation(.triageFindings))
    public static let rejectDismissal = APIRoute(method: .post, path: org + "/dismissal-requests/{id}/rejection",
                                                 access: .organisation(.triageFindings))
    public static let auditEvents = APIRoute(method: .get, path: org + "/audit-events", access: .organisation(.readAudit))
    public static let auditVerification = APIRoute(method: .get, path: org + "/audit-events/verification", access: .organisation(.readAudit))
    public static let policy = APIRoute(method: .get, path: org + "/policy", access: .organisation(.readPolicy))
    public static let setPolicy = APIRoute(method: .put, path: org + "/policy", access: .organisation(.writePolicy))
    public static let apiKeys = APIRoute(method: .get, path: org + "/api-keys", access: .organisation(.readAPIKeys))
    public static let createAPIKey = APIRoute(method: .post, path: org + "/api-keys", access: .organisation(.writeAPIKeys))
    public static let revokeAPIKey = APIRoute(method: .delete, path: org + "/api-keys/{id}", access: .organisation(.writeAPIKeys))

    /// The methods of the routes whose template matches `path` (a `{name}` segment matches any
    /// one non-empty segment), in the table's order; empty when no route serves the path.
    public static func methods(servingPath path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: [HTTPRequest.Method] = []
        for route in all where !methods.contains(route.method) {
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count else { continue }
            let matches = zip(template, segments).allSatisfy { t, s in t.hasPrefix("{") && t.hasSuffix("}") ? !s.isEmpty : t == s }
            if matches { methods.append(route.method) }
        }
        return methods
    }

    public static let all: [APIRoute] = [
        openAPI, me, mySessions, organisation, deleteOrganisation, statistics, members, repositories, pullRequests, findings, exportFindings, finding, dismissFinding, dismissalRequests, approveDismissal,
        rejectDismissal, auditEvents, auditVerification, policy, setPolicy, apiKeys, createAPIKey, revokeAPIKey, requestExport, export,
        exportArchive,
    ]
}

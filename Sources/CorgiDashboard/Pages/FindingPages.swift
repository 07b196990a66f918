import Foundation
import Hummingbird
import HTTPTypes

/// Pages about what reviews found: the overview, repositories, pull requests and findings, and
/// the triage forms.
extension Dashboard {
    static let severities = ["critical", "high", "medium", "low", "info"]
    static let findingStates = ["open", "fixed", "dismissed"]
    static let reasons: [[String: String]] = [
        ["value": "false_positive", "label": "False positive"], ["value": "used_in_tests", "label": "Used in tests"],
        ["value": "accepted_risk", "label": "Accepted risk"], ["value": "wont_fix", "label": "Won't fix"],
    ]

    static func formatted(_ n: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        return formatter.string(from: NSNumber(value: n)) ?? String(n)
    }

    /// `1 repository`, `12,000 repositories`.
    static func counted(_ n: Int, _ one: String, _ many: String) -> String {
        "\(formatted(n)) \(n == 1 ? one : many)"
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    static func query(_ pairs: [(String, String?)]) -> String {
        var components = URLComponents()
        components.queryItems = pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        return components.percentEncodedQuery ?? ""
    }

    static func duration(hours: Double?) -> String {
        guard let hours else { return "nothing fixed yet" }
        if hours < 1 { return "under an hour" }
        if hours < 48 { return "\(Int(hours.rounded())) hours" }
        return "\(Int((hours / 24).rounded())) days"
    }

    // MARK: Overview

    func overview(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let summary: APISummary = try await api.get(reader.organisationPath, as: reader.credentials, context: context)
        var values: [String: Any] = [
            "hasReviews": summary.pullRequests > 0,
            "repositories": Self.counted(summary.repositories, "repository", "repositories"),
            "pullRequests": Self.counted(summary.pullRequests, "pull request", "pull requests"),
            "severities": Self.severities.map { name -> [String: Any] in
                let n = summary.openFindingsBySeverity[name] ?? 0
                return ["name": name, "count": n, "formatted": Self.formatted(n)]
            },
            "states": Self.findingStates.map { name -> [String: Any] in
                let n = summary.findingsByState[name] ?? 0
                return ["name": name, "count": n, "formatted": Self.formatted(n)]
            },
        ]
        if let region = summary.region { values["region"] = region }
        if summary.pullRequests > 0 {
            let statistics: APIStatistics = try await api.get(reader.organisationPath + "/statistics?weeks=12", as: reader.credentials, context: context)
            let chart = BarChart(title: "New and fixed findings per week, last 12 weeks", labels: statistics.weeks.map(\.start), series: [
                .init(name: "New", cssClass: "bar-new", values: statistics.weeks.map(\.new)),
                .init(name: "Fixed", cssClass: "bar-fixed", values: statistics.weeks.map(\.fixed)),
            ])
            var trends: [String: Any] = [
                "chart": chart.svg(id: "trend"),
                "weeks": statistics.weeks.map { ["start": $0.start, "new": Self.formatted($0.new), "fixed": Self.formatted($0.fixed)] },
                "meanTimeToFix": Self.duration(hours: statistics.meanHoursToFix),
                "topRepositories": statistics.topRepositories.map { ["name": $0.name, "open": Self.formatted($0.open)] },
                "hasTopRepositories": !statistics.topRepositories.isEmpty,
                "topRules": statistics.topRules.map { ["name": $0.name, "open": Self.formatted($0.open)] },
                "hasTopRules": !statistics.topRules.isEmpty,
            ]
            if statistics.fixedInPeriod > 0 { trends["fixed"] = Self.counted(statistics.fixedInPeriod, "finding", "findings") }
            values["trends"] = trends
        }
        return Page(template: "overview", title: "Overview", values: values, refresh: "/")
    }

    // MARK: Repositories and pull requests

    func repositories(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let list: APIPage<APIRepository> = try await api.get(reader.organisationPath + "/repositories", as: reader.credentials, context: context)
        let rows = list.items.map { ["name": $0.name, "pullRequests": Self.formatted($0.pullRequests), "openFindings": Self.formatted($0.openFindings)] }
        return Page(template: "repositories", title: "Repositories", values: ["rows": rows, "hasRows": !rows.isEmpty])
    }

    /// `/pull-requests/{owner}/{name}/{number}` of a pull request of `repository`.
    static func pullRequestPath(_ repository: String, _ number: Int) -> String {
        let parts = repository.split(separator: "/", maxSplits: 1).map { String($0) }
        let owner = parts.first ?? repository, name = parts.count > 1 ? parts[1] : ""
        return "/pull-requests/\(Reader.segment(owner))/\(Reader.segment(name))/\(number)"
    }

    func pullRequests(_ reader: Reader, _ request: Request, _ context: BasicRequestContext) async throws -> Page {
        let parameters = request.uri.queryParameters
        let repository = parameters.get("repository").map { String($0) } ?? ""
        let state = parameters.get("state").map { String($0) }.flatMap { ["open", "closed"].contains($0) ? $0 : nil }
        let after = parameters.get("after").flatMap { Int($0) }
        let query = Self.query([("repository", repository), ("state", state), ("after", after.map(String.init))])
        let list: APIPage<APIPullRequest> = try await api.get(reader.organisationPath + "/pull-requests?" + query, as: reader.credentials,
                                                              context: context)
        let rows = list.items.map { pr -> [String: Any] in
            ["href": Self.pullRequestPath(pr.repository, pr.number), "repository": pr.repository, "number": pr.number, "state": pr.state,
             "updatedAt": pr.updatedAt, "openFindings": Self.formatted(pr.openFindings), "reviewing": pr.reviewing]
        }
        var values: [String: Any] = ["rows": rows, "hasRows": !rows.isEmpty, "repository": repository,
                                     "states": ["open", "closed"].map { ["value": $0, "selected": $0 == state] }]
        if let next = list.nextAfter { values["next"] = "/pull-requests?" + Self.query([("repository", repository), ("state", state), ("after", String(next))]) }
        return Page(template: "pull-requests", title: "Pull requests", values: values)
    }

    func pullRequest(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        guard let owner = context.parameters.get("forgeOwner"), let name = context.parameters.get("name"),
              let number = context.parameters.get("number").flatMap({ Int($0) }), number > 0
        else { throw DashboardProblem(status: .notFound, detail: "No such pull request.") }
        let repository = "\(owner)/\(name)"
        // The pull request's own row: its repository's list, page by page.
        var after: Int?
        var found: APIPullRequest?
        repeat {
            let query = Self.query([("repository", repository), ("limit", "200"), ("after", after.map(String.init))])
            let list: APIPage<APIPullRequest> = try await api.get(reader.organisationPath + "/pull-requests?" + query, as: reader.credentials,
                                                                  context: context)
            found = list.items.first { $0.number == number }
            after = list.nextAfter
        } while found == nil && after != nil
        guard let pr = found else { throw DashboardProblem(status: .notFound, detail: "No reviewed pull request \(repository)#\(number).") }
        let findingsQuery = Self.query([("repository", repository), ("pull_request", String(number)), ("limit", "200")])
        let list: APIPage<APIFinding> = try await api.get(reader.organisationPath + "/findings?" + findingsQuery, as: reader.credentials, context: context)
        // The pull request's findings whole: the most severe first, then by place.
        let ordered = list.items.sorted {
            (Self.severities.firstIndex(of: $0.severity) ?? 9, $0.path, $0.line) < (Self.severities.firstIndex(of: $1.severity) ?? 9, $1.path, $1.line)
        }
        var values = findingsTable(ordered, reader: reader, back: Self.pullRequestPath(repository, number), filtered: false)
        values["state"] = pr.state
        values["reviewing"] = pr.reviewing
        values["updatedAt"] = pr.updatedAt
        if let sha = pr.headSHA { values["headSHA"] = String(sha.prefix(12)) }
        if let url = forgeURL(forge: reader.me.organisation.forge, repository: repository, number: number) { values["forgeURL"] = url }
        return Page(template: "pull-request", title: "\(repository)#\(number)", values: values, refresh: Self.pullRequestPath(repository, number))
    }

    func forgeURL(forge: String, repository: String, number: Int) -> String? {
        guard let base = configuration.forgeWebURLs[forge] else { return nil }
        switch forge {
        case "gitlab": return "\(base)/\(repository)/-/merge_requests/\(number)"
        case "gitea": return "\(base)/\(repository)/pulls/\(number)"
        default: return "\(base)/\(repository)/pull/\(number)"
        }
    }

    // MARK: Findings

    func findingsTable(_ findings: [APIFinding], reader: Reader, back: String, filtered: Bool) -> [String: Any] {
        let rows = findings.map { f -> [String: Any] in
            ["id": f.id, "severity": f.severity, "ruleID": f.ruleID, "message": f.message, "path": f.path, "line": f.line,
             "repository": f.repository, "pullRequest": f.pullRequest, "state": f.state, "open": f.state == "open",
             "flow": (f.flow ?? []).map { ["line": $0.line, "message": $0.message] }, "hasFlow": !(f.flow ?? []).isEmpty]
        }
        return ["rows": rows, "hasRows": !rows.isEmpty, "mayTriage": reader.may("findings:triage") && findings.contains { $0.state == "open" },
                "reasons": Self.reasons, "back": back, "filtered": filtered]
    }

    func findings(_ reader: Reader, _ request: Request, _ context: BasicRequestContext) async throws -> Page {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? { parameters.get(name).map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let severity = value("severity").flatMap { Self.severities.contains($0) ? $0 : nil }
        let state = value("state").flatMap { Self.findingStates.contains($0) ? $0 : nil }
        let filters: [(String, String?)] = [("repository", value("repository")), ("rule", value("rule")), ("severity", severity), ("state", state)]
        let query = Self.query(filters + [("after", value("after").flatMap { Int($0) }.map(String.init))])
        let list: APIPage<APIFinding> = try await api.get(reader.organisationPath + "/findings?" + query, as: reader.credentials, context: context)
        var values = findingsTable(list.items, reader: reader, back: "/findings?" + query, filtered: filters.contains { $0.1 != nil })
        values["repository"] = value("repository") ?? ""
        values["rule"] = value("rule") ?? ""
        values["severities"] = Self.severities.map { ["value": $0, "selected": $0 == severity] }
        values["states"] = Self.findingStates.map { ["value": $0, "selected": $0 == state] }
        if let next = list.nextAfter { values["next"] = "/findings?" + Self.query(filters + [("after", String(next))]) }
        return Page(template: "findings", title: "Findings", values: values)
    }

    func finding(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        guard let id = context.parameters.get("id").flatMap({ Int($0) }), id > 0 else {
            throw DashboardProblem(status: .notFound, detail: "No such finding.")
        }
        let f: APIFinding = try await api.get(reader.organisationPath + "/findings/\(id)", as: reader.credentials, context: context)
        var values: [String: Any] = [
            "id": f.id, "severity": f.severity, "ruleID": f.ruleID, "kind": f.kind, "path": f.path, "line": f.line,
            "repository": f.repository, "pullRequest": f.pullRequest, "pullRequestHref": Self.pullRequestPath(f.repository, f.pullRequest),
            "message": f.message, "state": f.state, "open": f.state == "open",
            "firstScanID": f.firstScanID, "lastScanID": f.lastScanID, "stillSeen": f.lastScanID != f.firstScanID,
            "mayTriage": reader.may("findings:triage"), "reasons": Self.reasons,
        ]
        if f.endLine > f.line { values["endLine"] = f.endLine }
        if let redacted = f.redacted { values["redacted"] = redacted }
        if let flow = f.flow, !flow.isEmpty {
            values["flow"] = flow.map { ["line": $0.line, "message": $0.message] }
            values["hasFlow"] = true
        }
        if let fixed = f.fixedScanID { values["fixedScanID"] = fixed }
        if let dismissal = f.dismissal {
            var row: [String: Any] = ["author": Self.personName(dismissal.author), "at": dismissal.dismissedAt,
                                      "reason": dismissal.reason.replacingOccurrences(of: "_", with: " ")]
            if let comment = dismissal.comment, !comment.isEmpty { row["comment"] = comment }
            if let until = dismissal.until { row["until"] = Self.iso(until) }
            values["dismissal"] = row
        }
        if let cwe = f.cwe, let number = Int(cwe.dropFirst(4)), cwe.hasPrefix("CWE-") {
            values["cwe"] = cwe
            values["cweURL"] = "https://cwe.mitre.org/data/definitions/\(number).html"
        }
        // Dismissal requests of this finding (four-eyes triage), every state.
        var requests: [[String: Any]] = []
        for state in ["pending", "approved", "rejected"] {
            let list: APIPage<APIDismissalRequestRecord> = try await api.get(
                reader.organisationPath + "/dismissal-requests?state=\(state)&limit=200", as: reader.credentials, context: context)
            for r in list.items where r.findingID == id {
                var row: [String: Any] = ["requestedBy": Self.personName(r.requestedBy), "requestedAt": Self.iso(r.requestedAt),
                                          "reason": r.reason.replacingOccurrences(of: "_", with: " "), "state": r.state]
                if let comment = r.comment { row["comment"] = comment }
                if let by = r.decidedBy { row["decidedBy"] = Self.personName(by) }
                if let at = r.decidedAt { row["decidedAt"] = Self.iso(at) }
                requests.append(row)
            }
        }
        values["requests"] = requests
        // Who changed it and why, from the audit trail, when the reader may read it.
        if reader.may("audit:read") {
            let list: APIPage<APIAuditEvent> = try await api.get(
                reader.organisationPath + "/audit-events?" + Self.query([("target", "finding:\(id)"), ("limit", "200")]),
                as: reader.credentials, context: context)
            values["events"] = list.items.map { event -> [String: Any] in
                var row: [String: Any] = ["occurredAt": event.occurredAt, "action": event.action, "actor": Self.personName(event.actor)]
                let details = event.metadata.filter { $0.key != "forge" }.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")): \($0.value.replacingOccurrences(of: "_", with: " "))" }
                if !details.isEmpty { row["details"] = details.joined(separator: ", ") }
                return row
            }
        }
        return Page(template: "finding", title: "Finding \(id): \(f.ruleID)", values: values)
    }

    // MARK: Four-eyes approvals

    func dismissalRequests(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let list: APIPage<APIDismissalRequestRecord> = try await api.get(reader.organisationPath + "/dismissal-requests?state=pending&limit=200",
                                                                         as: reader.credentials, context: context)
        let rows = list.items.map { r -> [String: Any] in
            var row: [String: Any] = ["id": r.id, "findingID": r.findingID, "requestedBy": Self.personName(r.requestedBy),
                                      "requestedAt": Self.iso(r.requestedAt), "reason": r.reason.replacingOccurrences(of: "_", with: " "),
                                      "mine": r.requestedBy == reader.me.actor]
            if let comment = r.comment, !comment.isEmpty { row["comment"] = comment }
            return row
        }
        return Page(template: "dismissal-requests", title: "Dismissals waiting for approval",
                    values: ["rows": rows, "hasRows": !rows.isEmpty, "mayTriage": reader.may("findings:triage")])
    }

    func decide(_ reader: Reader, approve: Bool, _ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int($0) }), id > 0 else {
            throw DashboardProblem(status: .notFound, detail: "No such dismissal request.")
        }
        try await api.send(.post, reader.organisationPath + "/dismissal-requests/\(id)/" + (approve ? "approval" : "rejection"),
                           as: reader.credentials, context: context)
        return Self.redirect("/dismissal-requests?notice=" + (approve ? Notice.approved : Notice.rejected).rawValue)
    }

    /// Dismisses one finding or the checked ones (bulk triage), each through the API.
    func dismiss(_ reader: Reader, _ form: FormBody, _ context: BasicRequestContext) async throws -> Response {
        let ids = form.all("id").compactMap { Int($0) }.filter { $0 > 0 }
        guard !ids.isEmpty else { throw DashboardProblem(status: .badRequest, detail: "Select at least one open finding to dismiss.") }
        guard ids.count <= 200 else { throw DashboardProblem(status: .badRequest, detail: "Dismiss at most 200 findings at once.") }
        guard let reason = form["reason"], Self.reasons.contains(where: { $0["value"] == reason }) else {
            throw DashboardProblem(status: .badRequest, detail: "Choose a reason for the dismissal.")
        }
        let comment = form["comment"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        var requested = false
        for id in ids {
            let answer = try await api.send(.post, reader.organisationPath + "/findings/\(id)/dismissal", json: APIDismissal(reason: reason, comment: comment),
                                            as: reader.credentials, context: context)
            if answer.status == .accepted { requested = true }
        }
        let back = Self.localPath(form["back"]) ?? "/findings"
        return Self.redirect(back + (back.contains("?") ? "&" : "?") + "notice=" + (requested ? Notice.requested : Notice.dismissed).rawValue)
    }
}

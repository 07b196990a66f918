import Foundation
import Hummingbird
import HTTPTypes

/// Pages about the organisation itself: its policy, members, API keys, audit trail, settings,
/// and the reader's own sessions.
extension Dashboard {
    static let failOnChoices = ["critical", "high", "medium", "low", "info", "never"]
    static let packChoices = ["secrets", "code"]
    static let roleOrder = ["owner", "admin", "member", "auditor"]

    // MARK: Policy

    func policy(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let policy: APIPolicy = try await api.get(reader.organisationPath + "/policy", as: reader.credentials, context: context)
        func days(_ value: Int?, otherwise: String) -> String { value.map { "\($0) days" } ?? otherwise }
        let values: [String: Any] = [
            "mayWrite": reader.may("policy:write"),
            "failOnLabel": policy.failOn ?? "the server's default",
            "packsLabel": (policy.packs ?? Self.packChoices).joined(separator: ", "),
            "ignorePaths": policy.ignorePaths, "disabledRules": policy.disabledRules,
            "ignorePathsText": policy.ignorePaths.joined(separator: "\n"), "disabledRulesText": policy.disabledRules.joined(separator: "\n"),
            "diffRetentionLabel": days(policy.diffRetentionDays, otherwise: "the server's default"),
            "reviewRetentionLabel": days(policy.reviewRetentionDays, otherwise: "as long as the organisation exists"),
            "diffRetentionDays": policy.diffRetentionDays.map { String($0) } ?? "", "reviewRetentionDays": policy.reviewRetentionDays.map { String($0) } ?? "",
            "fourEyes": policy.fourEyes, "aiReview": policy.aiReview,
            "failOnOptions": [["value": "", "label": "the server's default", "selected": policy.failOn == nil]]
                + Self.failOnChoices.map { ["value": $0, "label": $0, "selected": policy.failOn == $0] },
            "packOptions": Self.packChoices.map { ["value": $0, "checked": policy.packs?.contains($0) ?? true] },
        ]
        return Page(template: "policy", title: "Policy", values: values)
    }

    func savePolicy(_ reader: Reader, _ form: FormBody, _ context: BasicRequestContext) async throws -> Response {
        func lines(_ name: String) -> [String] {
            (form[name] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func days(_ name: String, _ label: String) throws -> Int? {
            let text = (form[name] ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return nil }
            guard let n = Int(text), n > 0 else { throw DashboardProblem(status: .badRequest, detail: "\(label): a whole number of days, or empty.") }
            return n
        }
        let failOn = form["fail_on"].flatMap { $0.isEmpty ? nil : $0 }
        let packs = form.all("packs").filter(Self.packChoices.contains)
        let policy = APIPolicy(
            failOn: failOn, packs: Set(packs) == Set(Self.packChoices) ? nil : packs, ignorePaths: lines("ignore_paths"),
            disabledRules: lines("disabled_rules"), diffRetentionDays: try days("diff_retention_days", "Diff retention"),
            reviewRetentionDays: try days("review_retention_days", "Review retention"), fourEyes: form["four_eyes"] == "on",
            aiReview: form["ai_review"] == "on")
        try await api.send(.put, reader.organisationPath + "/policy", json: policy, as: reader.credentials, context: context)
        return Self.redirect("/policy?notice=" + Notice.policy.rawValue)
    }

    // MARK: Members

    func members(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let list: APIPage<APIMember> = try await api.get(reader.organisationPath + "/members", as: reader.credentials, context: context)
        let rows = list.items.map { ["subject": $0.subject, "role": $0.role, "method": $0.method, "lastSignIn": Self.iso($0.lastSignIn)] }
        return Page(template: "members", title: "Members and roles", values: ["rows": rows, "hasRows": !rows.isEmpty])
    }

    // MARK: API keys

    func apiKeys(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let list: APIPage<APIKey> = try await api.get(reader.organisationPath + "/api-keys", as: reader.credentials, context: context)
        let rows = list.items.map { key -> [String: Any] in
            var row: [String: Any] = ["id": key.id, "name": key.name, "prefix": key.prefix, "role": key.role, "createdBy": Self.personName(key.createdBy),
                                      "createdAt": Self.iso(key.createdAt)]
            if let scopes = key.scopes { row["scopes"] = scopes.joined(separator: ", ") }
            if let at = key.expiresAt { row["expiresAt"] = Self.iso(at) }
            if let at = key.lastUsedAt { row["lastUsedAt"] = Self.iso(at) }
            if let at = key.revokedAt { row["revokedAt"] = Self.iso(at) }
            return row
        }
        // A person grants roles at or below their own (the API refuses others anyway).
        let mine = Self.roleOrder.firstIndex(of: reader.me.role) ?? Self.roleOrder.count
        let roles = Array(Self.roleOrder.dropFirst(mine))
        return Page(template: "api-keys", title: "API keys", values: [
            "rows": rows, "hasRows": !rows.isEmpty, "mayWrite": reader.may("api-keys:write"), "roles": roles,
        ])
    }

    func createKey(_ reader: Reader, _ form: FormBody, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let days = Int((form["expires_in_days"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw DashboardProblem(status: .badRequest, detail: "Expires in days: a whole number from 1 to 365.")
        }
        let answer = try await api.send(.post, reader.organisationPath + "/api-keys", json: APIKeyRequest(name: name, role: form["role"] ?? "", expiresInDays: days),
                                        as: reader.credentials, context: context)
        guard let created = try? InProcessAPI.decoder.decode(APICreatedKey.self, from: answer.body) else {
            throw DashboardProblem(status: .internalServerError, detail: "The key was created but its answer could not be read; revoke it and create another.")
        }
        // Shown once, in this answer only (never cached: PageHeaders says no-store).
        let page = Page(template: "api-key-created", title: "New API key", values: ["key": created.key, "name": created.apiKey.name, "role": created.apiKey.role],
                        status: .created)
        return render(page, reader: reader, path: "/api-keys")
    }

    func revokeKey(_ reader: Reader, _ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int($0) }), id > 0 else { throw DashboardProblem(status: .notFound, detail: "No such key.") }
        try await api.send(.delete, reader.organisationPath + "/api-keys/\(id)", as: reader.credentials, context: context)
        return Self.redirect("/api-keys?notice=" + Notice.revoked.rawValue)
    }

    // MARK: Audit log

    func audit(_ reader: Reader, _ request: Request, _ context: BasicRequestContext, verify: Bool) async throws -> Page {
        let parameters = request.uri.queryParameters
        let action = parameters.get("action").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let isActionName = { (text: String) -> Bool in
            text.utf8.count <= 64 && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F }
        }
        if let action, !isActionName(action) {
            throw DashboardProblem(status: .badRequest, detail: "Action: lower-case letters, dots and underscores, such as finding.dismissed.")
        }
        let after = parameters.get("after").flatMap { Int($0) }
        let query = Self.query([("action", action), ("after", after.map(String.init))])
        let list: APIPage<APIAuditEvent> = try await api.get(reader.organisationPath + "/audit-events?" + query, as: reader.credentials, context: context)
        let rows = list.items.map { event -> [String: Any] in
            let details = event.metadata.filter { $0.key != "forge" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return ["id": event.id, "occurredAt": event.occurredAt, "actor": event.actor, "action": event.action, "target": event.target, "details": details]
        }
        var values: [String: Any] = ["rows": rows, "hasRows": !rows.isEmpty, "action": action ?? ""]
        if let next = list.nextAfter { values["next"] = "/audit?" + Self.query([("action", action), ("after", String(next))]) }
        if verify {
            let result: APIAuditVerification = try await api.get(reader.organisationPath + "/audit-events/verification", as: reader.credentials,
                                                                 context: context)
            values["verification"] = ["intact": result.intact, "checkedAt": Self.iso(result.checkedAt), "limitations": result.limitations,
                                      "hasLimitations": !result.limitations.isEmpty] as [String: Any]
        }
        return Page(template: "audit", title: "Audit log", values: values)
    }

    // MARK: Settings

    func settings(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let summary: APISummary = try await api.get(reader.organisationPath, as: reader.credentials, context: context)
        var values: [String: Any] = [
            "region": summary.region ?? "the server's only region",
            "methods": configuration.signIn.map { ["name": $0.name, "label": $0.label] }, "hasMethods": !configuration.signIn.isEmpty,
            "diffRetention": "the server's default", "reviewRetention": "as long as the organisation exists",
        ]
        if reader.may("policy:read") {
            let policy: APIPolicy = try await api.get(reader.organisationPath + "/policy", as: reader.credentials, context: context)
            if let days = policy.diffRetentionDays { values["diffRetention"] = "\(days) days" }
            if let days = policy.reviewRetentionDays { values["reviewRetention"] = "\(days) days after the pull request closed" }
        }
        return Page(template: "settings", title: "Settings", values: values)
    }

    // MARK: Sessions and signing out

    func sessions(_ reader: Reader, _ context: BasicRequestContext) async throws -> Page {
        let list: APIPage<APISession> = try await api.get("/api/v1/me/sessions", as: reader.credentials, context: context)
        let rows = list.items.map { s -> [String: Any] in
            ["id": s.id, "method": s.method, "role": s.role, "createdAt": Self.iso(s.createdAt), "expiresAt": Self.iso(s.expiresAt), "current": s.current]
        }
        return Page(template: "sessions", title: "Your sessions", values: ["rows": rows, "hasRows": !rows.isEmpty])
    }

    func endSession(_ reader: Reader, _ context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 128 else {
            throw DashboardProblem(status: .notFound, detail: "No such session.")
        }
        let list: APIPage<APISession> = try await api.get("/api/v1/me/sessions", as: reader.credentials, context: context)
        if list.items.first(where: { $0.id == id })?.current == true { return try await signOut(reader, context) }
        try await api.send(.post, "/auth/sessions/\(Reader.segment(id))/end", as: reader.credentials, context: context)
        return Self.redirect("/sessions?notice=" + Notice.ended.rawValue)
    }

    /// Ends the session (listed as revoked, so its cookie stops working everywhere) and clears
    /// the browser's cookies, as `/auth/logout` answers.
    func signOut(_ reader: Reader, _ context: BasicRequestContext) async throws -> Response {
        let answer = try await api.send(.post, "/auth/logout", as: reader.credentials, context: context)
        return Self.redirect("/sign-in", headers: answer.headers.filter { $0.name == .setCookie })
    }
}

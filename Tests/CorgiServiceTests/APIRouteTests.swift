import CorgiAccess
import CorgiCore
import CorgiReview
import CorgiService
import CorgiStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The API in process on a real SQLite store: every route × every role × own and foreign
/// organisation, generated from the route table, so a new route is tested the moment it is
/// declared — and a route registered outside the table fails `everyRouteIsInTheTable`.
@Suite("API routes: permission matrix and tenancy, in process", .serialized)
struct APIRouteTests {
    static let acme = OrganisationRef(forge: "github", login: "acme")
    static let globex = OrganisationRef(forge: "github", login: "globex")

    /// A store with one reviewed pull request per organisation, and a key per role in each.
    final class Fixture {
        let store: SQLiteStore
        let path: String
        let router: Router<BasicRequestContext>
        let keys: [OrganisationRef: [Role: String]]
        let acmeFinding: Int
        let globexFinding: Int

        init(store: SQLiteStore, path: String, router: Router<BasicRequestContext>, keys: [OrganisationRef: [Role: String]],
             acmeFinding: Int, globexFinding: Int) {
            self.store = store
            self.path = path
            self.router = router
            self.keys = keys
            self.acmeFinding = acmeFinding
            self.globexFinding = globexFinding
        }

        /// A new open finding in a new pull request of `organisation` (dismissing one changes it).
        func freshFinding(in organisation: OrganisationRef) async throws -> Int {
            let number = Int.random(in: 1_000...1_000_000_000)
            let job = ScanJob(forge: organisation.forge, installationID: organisation == APIRouteTests.acme ? 1 : 2, repositoryID: 900,
                              organisation: organisation.login, repository: "\(organisation.login)/other", number: number,
                              headSHA: "sha-\(number)", baseSHA: "base", deliveryID: "d-\(number)", trigger: "pull_request.opened")
            let scan = try await store.beginScan(ClaimedJob(id: number, job: job, attempt: 1, leaseOwner: "w"))
            let finding = Finding(ruleID: "generic-secret", title: "secret", kind: .secret, severity: .high, cwe: "CWE-798", path: "a.env",
                                  line: 1, column: 1, message: "a secret", fingerprint: "fp-fresh-\(number)", redacted: "****")
            try await store.recordScanResult(scanID: scan.scanID, findings: [finding], conclusion: "failure", coverage: nil, diff: nil,
                                             audit: ["target": job.repository])
            return try await store.findings(FindingQuery(organisation: organisation, repository: job.repository, pullRequest: number))[0].id
        }

        /// A pending four-eyes request to dismiss a fresh finding, by a key that is not the caller.
        func freshRequest(in organisation: OrganisationRef) async throws -> Int {
            let finding = try await freshFinding(in: organisation)
            guard case .requested(let request) = try await store.requestDismissal(
                FindingDismissal(findingID: finding, organisation: organisation, reason: .usedInTests, comment: nil, author: "api-key:requester"),
                audit: AuditEntry(actor: "api-key:requester", action: "finding.dismissal_requested", target: "finding:\(finding)",
                                  organisation: organisation.login))
            else { throw CancellationError() }
            return request.id
        }

        /// A ready export of `organisation`, its archive a few bytes.
        func readyExport(in organisation: OrganisationRef) async throws -> Int {
            let audit = AuditEntry(actor: "test", action: "organisation.export_requested", target: "export", organisation: organisation.login)
            let export = try await store.requestExport(of: organisation, requestedBy: "test", audit: audit)
            while let claimed = try await store.claimExport(staleBefore: Date().addingTimeInterval(-900)) {
                try await store.finishExport(id: claimed.id, archive: [1, 2, 3], expiresAt: Date().addingTimeInterval(3600), audit: audit)
            }
            return export.id
        }

        func close() async {
            try? await store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// Runs `body` on a fresh fixture and removes its database afterwards.
    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let fixture = try await Self.fixture()
        do { try await body(fixture) } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }

    static func fixture() async throws -> Fixture {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-api-\(UUID().uuidString).sqlite").path
        var logger = Logger(label: "api-test")
        logger.logLevel = .warning
        let store = try await SQLiteStore.open(path: path, logger: logger)
        var findingIDs: [OrganisationRef: Int] = [:]
        for (index, organisation) in [acme, globex].enumerated() {
            let job = ScanJob(forge: organisation.forge, installationID: index + 1, repositoryID: 100 + index, organisation: organisation.login,
                              repository: "\(organisation.login)/api", number: 1, headSHA: "sha\(index)", baseSHA: "base",
                              deliveryID: "d-\(index)", trigger: "pull_request.opened")
            let scan = try await store.beginScan(ClaimedJob(id: index + 1, job: job, attempt: 1, leaseOwner: "w"))
            let finding = Finding(ruleID: "aws-access-key", title: "AWS key", kind: .secret, severity: .critical, cwe: "CWE-798",
                                  path: "config/app.env", line: 3, column: 1, message: "An AWS key is committed", fingerprint: "fp-\(index)",
                                  redacted: "AKIA****")
            try await store.recordScanResult(scanID: scan.scanID, findings: [finding], conclusion: "failure", coverage: nil, diff: nil,
                                             audit: ["target": job.repository])
            findingIDs[organisation] = try await store.findings(FindingQuery(organisation: organisation)).first?.id
        }
        var keys: [OrganisationRef: [Role: String]] = [:]
        for organisation in [acme, globex] {
            for role in Role.allCases {
                let secret = APIKeySecret.generate()
                _ = try await store.createAPIKey(
                    APIKeyDraft(secret: secret, organisation: organisation, name: role.rawValue, role: role, scopes: nil, createdBy: "test",
                                expiresAt: Date().addingTimeInterval(3600)),
                    audit: AuditEntry(actor: "test", action: "api_key.created", target: "api-key", organisation: organisation.login))
                keys[organisation, default: [:]][role] = secret.value
            }
        }
        let router = Router(context: BasicRequestContext.self)
        CorgiAPI(store: store).register(on: router)
        return Fixture(store: store, path: path, router: router, keys: keys, acmeFinding: try #require(findingIDs[acme]),
                       globexFinding: try #require(findingIDs[globex]))
    }

    struct Reply {
        var status: Int
        var contentType: String?
        var body: String
        var allow: String?
    }

    static func call(_ fixture: Fixture, _ method: HTTPRequest.Method, _ uri: String, key: String?, body: String? = nil) async throws -> Reply {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = "application/json" }
        let fields = headers
        return try await Application(router: fixture.router).test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
                Reply(status: Int(response.status.code), contentType: response.headers[.contentType], body: String(buffer: response.body),
                      allow: response.headers[.allow])
            }
        }
    }

    /// The route's path for `organisation`, with ids that exist there (a finding of `findingOf`,
    /// a live key to revoke).
    static func uri(_ route: APIRoute, organisation: OrganisationRef, finding: Int, key: Int) -> String {
        route.path.replacingOccurrences(of: "{forge}", with: organisation.forge)
            .replacingOccurrences(of: "{organisation}", with: organisation.login)
            .replacingOccurrences(of: "{id}", with: route == APIRoutes.revokeAPIKey ? "\(key)" : "\(finding)")
    }

    /// Routes whose `{id}` is an export's (the matrix makes a ready one per call).
    static let exportRoutes: Set<APIRoute> = [APIRoutes.export, APIRoutes.exportArchive]

    /// Routes whose `{id}` is a dismissal request's (the matrix makes a fresh pending one per call).
    static let decisionRoutes: Set<APIRoute> = [APIRoutes.approveDismissal, APIRoutes.rejectDismissal]

    static let grantableBody = #"{"name": "ci", "role": "auditor", "scopes": ["findings:read"], "expires_in_days": 7}"#
    static let dismissalBody = #"{"reason": "used_in_tests", "comment": "fixture key of the test suite"}"#
    static let policyBody = #"{"fail_on": "high", "packs": ["secrets", "code"], "ignore_paths": ["vendor/**"], "four_eyes": false}"#

    /// A valid body for the route, if it takes one.
    static func body(_ route: APIRoute) -> String? {
        if route == APIRoutes.setPolicy { return policyBody }
        return route == APIRoutes.dismissFinding ? dismissalBody : (route.method == .post ? grantableBody : nil)
    }

    static func expectedSuccess(_ route: APIRoute) -> Int {
        if route == APIRoutes.dismissFinding || decisionRoutes.contains(route) || route == APIRoutes.deleteOrganisation { return 200 }
        if route == APIRoutes.requestExport { return 202 }
        return switch route.method {
        case .post: 201
        case .delete: 204
        default: 200
        }
    }

    @Test("every route under /api/v1 the router serves is in the route table, and every table entry is served")
    func everyRouteIsInTheTable() async throws {
        try await Self.withFixture { fixture in
            let served = Set(fixture.router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(APIRoutes.prefix) })
            let declared = Set(APIRoutes.all.map(\.description))
            #expect(served == declared)
            #expect(APIRoutes.all.count == declared.count, "a route is declared twice")
        }
    }

    @Test("route × role × organisation: allowed → success, own organisation without permission → 403, foreign → 404")
    func matrix() async throws {
        try await Self.withFixture { fixture in
            var checked = 0
            for route in APIRoutes.all {
                guard case .organisation(let permission) = route.access else { continue }
                for role in Role.allCases {
                    for target in [Self.acme, Self.globex] {
                        // Deleting the organisation is tried on a fixture of its own each time.
                        let fixture = route == APIRoutes.deleteOrganisation ? try await Self.fixture() : fixture
                        let caller = try #require(fixture.keys[Self.acme]?[role])
                        // A fresh live key of the target organisation for each revocation.
                        let victim = try await fixture.store.createAPIKey(
                            APIKeyDraft(secret: .generate(), organisation: target, name: "victim", role: .auditor, scopes: nil, createdBy: "test",
                                        expiresAt: nil),
                            audit: AuditEntry(actor: "test", action: "api_key.created", target: "api-key", organisation: target.login))
                        let finding = route == APIRoutes.dismissFinding ? try await fixture.freshFinding(in: target)
                            : Self.decisionRoutes.contains(route) ? try await fixture.freshRequest(in: target)
                            : Self.exportRoutes.contains(route) ? try await fixture.readyExport(in: target)
                            : (target == Self.acme ? fixture.acmeFinding : fixture.globexFinding)
                        let reply = try await Self.call(fixture, route.method, Self.uri(route, organisation: target, finding: finding, key: victim.id),
                                                        key: caller, body: Self.body(route))
                        let expected = target != Self.acme ? 404 : (PermissionTable.permissions(of: role).contains(permission) ? Self.expectedSuccess(route) : 403)
                        #expect(reply.status == expected, "\(route) as \(role) of acme on \(target): \(reply.body)")
                        if expected >= 400 { #expect(reply.contentType == "application/problem+json", "\(route)") }
                        if route == APIRoutes.deleteOrganisation { await fixture.close() }
                        checked += 1
                    }
                }
            }
            #expect(checked == APIRoutes.all.count { if case .organisation = $0.access { true } else { false } } * Role.allCases.count * 2)
        }
    }

    @Test("deleting the organisation: what went in the answer, every key of it refused after, the other organisation untouched")
    func organisationDeletion() async throws {
        try await Self.withFixture { fixture in
            let owner = try #require(fixture.keys[Self.acme]?[.owner])
            let reply = try await Self.call(fixture, .delete, "/api/v1/orgs/github/acme", key: owner)
            #expect(reply.status == 200, "\(reply.body)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            let removed = try #require(body["removed"] as? [String: Int])
            #expect(removed["findings"] == 1 && removed["api_keys"] == Role.allCases.count && removed["pull_requests"] == 1)
            let tombstone = try #require(body["audit_event_id"] as? Int)
            let events = try await fixture.store.auditEvents()
            #expect(events.last?.id == tombstone && events.last?.action == "organisation.deleted" && events.last?.actor.hasPrefix("api-key:") == true)
            // Every key of the organisation, the caller's own first, is refused from now on.
            for role in Role.allCases {
                let key = try #require(fixture.keys[Self.acme]?[role])
                #expect(try await Self.call(fixture, .get, "/api/v1/me", key: key).status == 401, "\(role)")
            }
            // The other organisation keeps its finding and its keys.
            let globex = try #require(fixture.keys[Self.globex]?[.auditor])
            let theirs = try await Self.call(fixture, .get, "/api/v1/orgs/github/globex/findings/\(fixture.globexFinding)", key: globex)
            #expect(theirs.status == 200)
            // A foreign owner cannot delete it: 404, and nothing moved.
            let globexOwner = try #require(fixture.keys[Self.globex]?[.owner])
            #expect(try await Self.call(fixture, .delete, "/api/v1/orgs/github/acme", key: globexOwner).status == 404)
            #expect(try await fixture.store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("without a key, or with a bad, revoked or expired one, every protected route is 401 with the same body")
    func unauthenticated() async throws {
        try await Self.withFixture { fixture in
            let valid = try #require(fixture.keys[Self.acme]?[.owner])
            let revoked = APIKeySecret.generate()
            let record = try await fixture.store.createAPIKey(
                APIKeyDraft(secret: revoked, organisation: Self.acme, name: "old", role: .owner, scopes: nil, createdBy: "test", expiresAt: nil),
                audit: AuditEntry(actor: "test", action: "api_key.created", target: "api-key", organisation: "acme"))
            #expect(try await fixture.store.revokeAPIKey(id: record.id, of: Self.acme, now: Date(), audit: AuditEntry(
                actor: "test", action: "api_key.revoked", target: "api-key", organisation: "acme")))
            let expired = APIKeySecret.generate()
            _ = try await fixture.store.createAPIKey(
                APIKeyDraft(secret: expired, organisation: Self.acme, name: "expired", role: .owner, scopes: nil, createdBy: "test",
                            expiresAt: Date().addingTimeInterval(-1)),
                audit: AuditEntry(actor: "test", action: "api_key.created", target: "api-key", organisation: "acme"))
            let lastCharacter = valid.last == "A" ? "B" : "A"
            let presented: [String?] = [nil, "", "corgi_", String(valid.dropLast()) + lastCharacter, APIKeySecret.generate().value, revoked.value,
                                        expired.value, "ghp_" + valid.dropFirst(6)]
            for route in APIRoutes.all where route.access != .anonymous {
                var bodies = Set<String>()
                for key in presented {
                    let reply = try await Self.call(fixture, route.method, Self.uri(route, organisation: Self.acme, finding: fixture.acmeFinding, key: 1),
                                                    key: key, body: Self.body(route))
                    #expect(reply.status == 401, "\(route) with \(key.map { String($0.prefix(8)) } ?? "no key")")
                    #expect(reply.contentType == "application/problem+json")
                    if key != nil { bodies.insert(reply.body) }
                }
                // Which keys exist, were revoked or expired is not told apart.
                #expect(bodies.count == 1, "\(route): \(bodies)")
            }
            // "Basic" or a bare key is not a bearer key.
            var headers = HTTPFields()
            headers[.authorization] = valid
            let bare = headers
            let status = try await Application(router: fixture.router).test(.router) { client in
                try await client.execute(uri: "/api/v1/me", method: .get, headers: bare) { Int($0.status.code) }
            }
            #expect(status == 401)
        }
    }

    @Test("an API key is not a person: it has no browser sessions to list")
    func keysHaveNoSessions() async throws {
        try await Self.withFixture { fixture in
            let key = try #require(fixture.keys[Self.acme]?[.owner])
            let reply = try await Self.call(fixture, .get, APIRoutes.mySessions.path, key: key)
            #expect(reply.status == 200 && reply.body.replacingOccurrences(of: " ", with: "") == #"{"items":[]}"#, "\(reply.body)")
        }
    }

    @Test("a foreign organisation's resources answer exactly as resources that do not exist")
    func foreignIsNotFound() async throws {
        try await Self.withFixture { fixture in
            let acmeOwner = try #require(fixture.keys[Self.acme]?[.owner])
            let missingOrganisation = try await Self.call(fixture, .get, "/api/v1/orgs/github/nobody", key: acmeOwner)
            let foreignOrganisation = try await Self.call(fixture, .get, "/api/v1/orgs/github/globex", key: acmeOwner)
            #expect(missingOrganisation.status == 404)
            #expect(foreignOrganisation.status == 404 && foreignOrganisation.body == missingOrganisation.body)
            // Own path, foreign finding id: 404 like an id that does not exist.
            let foreignFinding = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/\(fixture.globexFinding)", key: acmeOwner)
            let missingFinding = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/999999", key: acmeOwner)
            #expect(foreignFinding.status == 404 && foreignFinding.body == missingFinding.body)
            // The same login on another forge is another organisation.
            #expect(try await Self.call(fixture, .get, "/api/v1/orgs/gitlab/acme", key: acmeOwner).status == 404)
            // Lists never contain the other organisation's rows.
            let list = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings", key: acmeOwner)
            #expect(list.status == 200 && list.body.contains("acme/api") && !list.body.contains("globex"))
            #expect(!list.body.contains("\"id\":\(fixture.globexFinding),"))
            // Nor can its findings be dismissed through one's own path, and they stay open.
            let dismissForeign = try await Self.call(fixture, .post, "/api/v1/orgs/github/acme/findings/\(fixture.globexFinding)/dismissal",
                                                     key: acmeOwner, body: Self.dismissalBody)
            #expect(dismissForeign.status == 404 && dismissForeign.body == missingFinding.body)
            #expect(try await fixture.store.finding(id: fixture.globexFinding, of: Self.globex)?.state == "open")
            // Keys of another organisation cannot be revoked through one's own path.
            let globexKeys = try await fixture.store.apiKeys(of: Self.globex)
            let revokeForeign = try await Self.call(fixture, .delete, "/api/v1/orgs/github/acme/api-keys/\(globexKeys[0].id)", key: acmeOwner)
            #expect(revokeForeign.status == 404)
            #expect(try await fixture.store.apiKeys(of: Self.globex).allSatisfy { $0.revokedAt == nil })
        }
    }

    @Test("a key creates keys only at or below its role and scopes; the secret is in the answer once and stored as a hash")
    func keyCreation() async throws {
        try await Self.withFixture { fixture in
            let admin = try #require(fixture.keys[Self.acme]?[.admin])
            let owner = try #require(fixture.keys[Self.acme]?[.owner])
            let escalate = try await Self.call(fixture, .post, "/api/v1/orgs/github/acme/api-keys", key: admin,
                                               body: #"{"name": "mine", "role": "owner"}"#)
            #expect(escalate.status == 403)
            let bad = [#"{"name": "", "role": "member"}"#, #"{"name": "x", "role": "root"}"#, #"{"name": "x", "role": "member", "scopes": []}"#,
                       #"{"name": "x", "role": "member", "scopes": ["everything"]}"#, #"{"name": "x", "role": "member", "expires_in_days": 0}"#,
                       #"{"name": "x", "role": "member", "expires_in_days": 366}"#, "not json", #"{"name": "a\u0000b", "role": "member"}"#]
            for body in bad {
                let reply = try await Self.call(fixture, .post, "/api/v1/orgs/github/acme/api-keys", key: owner, body: body)
                #expect(reply.status == 400 && reply.contentType == "application/problem+json", "\(body)")
            }
            let created = try await Self.call(fixture, .post, "/api/v1/orgs/github/acme/api-keys", key: owner,
                                              body: #"{"name": "ci reader", "role": "member", "scopes": ["findings:read"]}"#)
            #expect(created.status == 201)
            struct Created: Decodable {
                struct Key: Decodable { var id: Int; var role: String; var scopes: [String]?; var prefix: String }
                var key: String
                var apiKey: Key
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let answer = try decoder.decode(Created.self, from: Data(created.body.utf8))
            #expect(APIKeySecret(presented: answer.key) != nil && answer.apiKey.prefix == String(answer.key.prefix(10)))
            #expect(answer.apiKey.role == "member" && answer.apiKey.scopes == ["findings:read"])
            // It works at once, with exactly its scopes.
            #expect(try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings", key: answer.key).status == 200)
            #expect(try await Self.call(fixture, .get, "/api/v1/orgs/github/acme", key: answer.key).status == 403)
            // Listed without its secret or hash.
            let listed = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/api-keys", key: owner)
            let hash = try #require(APIKeySecret(presented: answer.key)).hash
            #expect(listed.status == 200 && !listed.body.contains(answer.key) && !listed.body.contains(hash))
            #expect(listed.body.contains("\"created_by\":\"api-key:"))
            // Revoked through the API: 401 from then on.
            let revoked = try await Self.call(fixture, .delete, "/api/v1/orgs/github/acme/api-keys/\(answer.apiKey.id)", key: owner)
            #expect(revoked.status == 204)
            #expect(try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings", key: answer.key).status == 401)
            #expect(try await Self.call(fixture, .delete, "/api/v1/orgs/github/acme/api-keys/\(answer.apiKey.id)", key: owner).status == 404)
            let actions = try await fixture.store.auditEvents().map(\.action)
            #expect(actions.contains("api_key.created") && actions.contains("api_key.revoked") && actions.contains("api_key.used"))
            #expect(try await fixture.store.verifyAuditChain().firstBroken == nil)
        }
    }

    @Test("list filters are validated: a wrong value is a 400 naming the parameter, never ignored")
    func queryValidation() async throws {
        try await Self.withFixture { fixture in
            let key = try #require(fixture.keys[Self.acme]?[.member])
            let base = "/api/v1/orgs/github/acme/findings"
            for (query, parameter) in [("severity=urgent", "severity"), ("state=gone", "state"), ("limit=0", "limit"), ("limit=201", "limit"),
                                       ("after=-1", "after"), ("after=1e3", "after"), ("pull_request=0", "pull_request"), ("rule=", "rule"),
                                       ("limit=1&limit=2", "limit"), ("after=99999999999999999999", "after")] {
                let reply = try await Self.call(fixture, .get, "\(base)?\(query)", key: key)
                #expect(reply.status == 400 && reply.body.contains(parameter), "\(query): \(reply.body)")
            }
            let filtered = try await Self.call(fixture, .get, "\(base)?severity=critical&state=open&repository=acme/api&pull_request=1&limit=1", key: key)
            #expect(filtered.status == 200 && filtered.body.contains("aws-access-key") && filtered.body.contains("\"next_after\":"))
            let none = try await Self.call(fixture, .get, "\(base)?severity=low", key: key)
            #expect(none.status == 200 && none.body == #"{"items":[]}"#)
        }
    }
}

extension APIRouteTests {
    @Test("docs/permissions.md shows exactly the permission table and the route table")
    func permissionsDocument() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/permissions.md")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("| ") && !$0.hasPrefix("| permission") && !$0.hasPrefix("| method") }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") } }
        var roles: [String: [String]] = [:]
        var routes: [String: String] = [:]
        for cells in rows {
            if cells.count == 5 { roles[cells[0]] = Array(cells[1...]) }
            if cells.count == 3 { routes["\(cells[0]) \(cells[1])"] = cells[2] }
        }
        #expect(Set(roles.keys) == Set(Permission.allCases.map(\.rawValue)))
        for permission in Permission.allCases {
            let expected = Role.allCases.map { PermissionTable.permissions(of: $0).contains(permission) ? "yes" : "no" }
            #expect(roles[permission.rawValue] == expected, "\(permission)")
        }
        #expect(Set(routes.keys) == Set(APIRoutes.all.map(\.description)))
        for route in APIRoutes.all {
            let needs: String = switch route.access {
            case .anonymous: "nothing (public)"
            case .authenticated: "any valid key"
            case .organisation(let permission): permission.rawValue
            }
            #expect(routes[route.description] == needs, "\(route)")
        }
    }
}

extension APIRouteTests {
    @Test("triage: a member dismisses an open finding with a reason; again is 409; a bad reason or comment is 400")
    func triage() async throws {
        try await Self.withFixture { fixture in
            let member = try #require(fixture.keys[Self.acme]?[.member])
            let uri = "/api/v1/orgs/github/acme/findings/\(fixture.acmeFinding)/dismissal"
            for body in [#"{"reason": "because"}"#, #"{"comment": "no reason"}"#, "[]",
                         "{\"reason\": \"wont_fix\", \"comment\": \"\(String(repeating: "x", count: 1_001))\"}",
                         #"{"reason": "wont_fix", "comment": "bell\u0007"}"#] {
                let reply = try await Self.call(fixture, .post, uri, key: member, body: body)
                #expect(reply.status == 400 && reply.contentType == "application/problem+json", "\(body.prefix(40))")
            }
            #expect(try await fixture.store.finding(id: fixture.acmeFinding, of: Self.acme)?.state == "open")
            let dismissed = try await Self.call(fixture, .post, uri, key: member, body: #"{"reason": "accepted_risk", "comment": "rotated"}"#)
            #expect(dismissed.status == 200 && dismissed.body.contains(#""state":"dismissed""#))
            #expect(try await Self.call(fixture, .post, uri, key: member, body: Self.dismissalBody).status == 409)
            let audit = try await fixture.store.auditEvents().last { $0.action == "finding.dismissed" }
            #expect(audit?.metadata["reason"] == "accepted_risk" && audit?.actor.hasPrefix("api-key:") == true)
            #expect(audit.map { !$0.metadata.values.contains("rotated") } == true)
        }
    }
}

extension APIRouteTests {
    @Test("export: JSON of every matching finding, SARIF per repository, only the organisation's own")
    func export() async throws {
        try await Self.withFixture { fixture in
            let key = try #require(fixture.keys[Self.acme]?[.auditor])
            var more: [Int] = []
            for _ in 0..<3 { more.append(try await fixture.freshFinding(in: Self.acme)) }
            _ = try await fixture.freshFinding(in: Self.globex)
            let json = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/export", key: key)
            #expect(json.status == 200 && json.contentType == "application/json")
            struct Items: Decodable { struct Item: Decodable { var id: Int; var repository: String }; var items: [Item] }
            let items = try JSONDecoder().decode(Items.self, from: Data(json.body.utf8)).items
            #expect(Set(items.map(\.id)) == Set([fixture.acmeFinding] + more))
            #expect(items.allSatisfy { $0.repository.hasPrefix("acme/") })

            let noRepository = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/export?format=sarif", key: key)
            #expect(noRepository.status == 400 && noRepository.body.contains("repository"))
            #expect(try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/export?format=csv", key: key).status == 400)
            let sarif = try await Self.call(fixture, .get, "/api/v1/orgs/github/acme/findings/export?format=sarif&repository=acme/api", key: key)
            #expect(sarif.status == 200 && sarif.contentType == "application/sarif+json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(sarif.body.utf8)) as? [String: Any])
            #expect(document["version"] as? String == "2.1.0")
            let runs = try #require(document["runs"] as? [[String: Any]])
            let results = try #require(runs.first?["results"] as? [[String: Any]])
            #expect(results.map { $0["ruleId"] as? String } == ["aws-access-key"])
            #expect(!sarif.body.contains("globex"))
        }
    }
}

extension APIRouteTests {
    @Test("a path under /api/ that no route serves is a problem+json 404, a method a served path does not take a 405 with Allow; other paths keep a plain 404")
    func unknownPaths() async throws {
        try await Self.withFixture { fixture in
            let key = try #require(fixture.keys[Self.acme]?[.owner])
            for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/nothing"), (.get, "/api/v2/me"), (.get, "/api/v1/orgs/github/acme/findings/1/extra"),
                                  (.delete, "/api/v1/orgs/github/acme/nothing")] {
                for presented in [key, nil] {
                    let reply = try await Self.call(fixture, method, uri, key: presented)
                    #expect(reply.status == 404 && reply.contentType == "application/problem+json", "\(method) \(uri): \(reply.body)")
                }
            }
            // The same answer for a foreign or missing organisation: the route table decides, not data.
            for (method, uri, allow) in [(HTTPRequest.Method.put, "/api/v1/me", "GET"),
                                         (.patch, "/api/v1/orgs/github/acme/findings", "GET"),
                                         (.patch, "/api/v1/orgs/github/globex/findings", "GET"),
                                         (.put, "/api/v1/orgs/github/acme/api-keys", "GET, POST"),
                                         (.get, "/api/v1/orgs/gitlab/nobody/api-keys/7", "DELETE")] {
                for presented in [key, nil] {
                    let reply = try await Self.call(fixture, method, uri, key: presented)
                    #expect(reply.status == 405 && reply.contentType == "application/problem+json" && reply.allow == allow,
                            "\(method) \(uri): \(reply.status) \(reply.body)")
                }
            }
            let outside = try await Self.call(fixture, .get, "/nothing", key: nil)
            #expect(outside.status == 404 && outside.contentType != "application/problem+json")
        }
    }
}

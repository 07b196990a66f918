import CorgiAccess
import CorgiCore
import CorgiDetection
import Foundation
import Testing

struct APIKeySecretTests {
    @Test("a new key has the documented shape, a valid checksum and a SHA-256 that is all the store keeps")
    func shape() throws {
        let key = APIKeySecret.generate()
        #expect(key.value.hasPrefix("corgi_"))
        #expect(key.value.utf8.count == 42)
        #expect(key.value.dropFirst(6).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(APIKeySecret(presented: key.value) == key)
        #expect(key.hash.count == 64 && key.hash.allSatisfy(\.isHexDigit))
        let randomPart = String(key.value.dropFirst(6).prefix(8))
        #expect(key.hash.range(of: randomPart) == nil)
        // Printing a key (a log line, an error) never shows the secret.
        #expect("\(key)" == key.displayPrefix + "…")
        #expect(key.displayPrefix.count == 10)
    }

    @Test("keys do not repeat and use the whole alphabet")
    func randomness() {
        let keys = (0..<2_000).map { _ in APIKeySecret.generate().value }
        #expect(Set(keys).count == keys.count)
        let characters = Set(keys.flatMap { $0.dropFirst(6).prefix(30) })
        #expect(characters.count == 62)
    }

    @Test("a mistyped, truncated, extended or foreign key is refused before any lookup")
    func refused() {
        let key = APIKeySecret.generate().value
        let last = key.last!
        var cases = [
            String(key.dropLast()) + (last == "A" ? "B" : "A"),  // checksum
            String(key.dropLast()),
            key + "0",
            "CORGI_" + key.dropFirst(6),
            "corgi-" + key.dropFirst(6),
            "ghp_" + key.dropFirst(6),
            "",
            "corgi_",
        ]
        // A character outside base62 in the random part.
        var bytes = Array(key.utf8)
        bytes[10] = UInt8(ascii: "-")
        cases.append(String(decoding: bytes, as: UTF8.self))
        for text in cases { #expect(APIKeySecret(presented: text) == nil, "\(text)") }
    }

    @Test("the secret pack finds a leaked key and ignores a look-alike")
    func secretPackFindsLeakedKeys() throws {
        let loaded = try RuleLoader.loadBuiltin(withTests: false)
        let rule = try #require(loaded.rules.first { $0.id == "corgi-api-key" })
        let key = APIKeySecret.generate().value
        let lookAlike = String(key.dropLast()) + (key.last == "A" ? "B" : "A")
        let diff = RuleTester.diff(path: "deploy/ci.env", text: "CORGI_API_KEY=\(key)\nOTHER=\(lookAlike)\n")
        let result = try Scan(ruleSet: RuleSet(rules: [rule]), options: ScanOptions()).run(diff: diff)
        #expect(result.findings.map(\.ruleID) == ["corgi-api-key"])
        #expect(result.findings.first?.line == 1)
        // Findings carry the redacted value only.
        let redacted = result.findings.first?.redacted ?? ""
        #expect(redacted.range(of: key) == nil && redacted.range(of: String(key.dropFirst(6).prefix(12))) == nil)
    }
}

struct PermissionTests {
    @Test("owners hold everything, admins all but deleting the organisation, members triage, auditors read the audit trail")
    func table() {
        #expect(PermissionTable.permissions(of: .owner) == Set(Permission.allCases))
        #expect(PermissionTable.permissions(of: .admin) == Set(Permission.allCases).subtracting([.deleteOrganisation]))
        #expect(PermissionTable.roles(holding: .deleteOrganisation) == [.owner])
        #expect(PermissionTable.permissions(of: .member) == [.readOrganisation, .readFindings, .triageFindings, .readPolicy])
        #expect(PermissionTable.permissions(of: .auditor) == [.readOrganisation, .readFindings, .readAudit, .readPolicy])
        #expect(PermissionTable.roles(holding: .writePolicy) == [.owner, .admin])
        #expect(!PermissionTable.permissions(of: .member).contains(.writeAPIKeys))
        #expect(!PermissionTable.permissions(of: .auditor).contains(.triageFindings))
        #expect(PermissionTable.roles(holding: .readAudit) == [.owner, .admin, .auditor])
    }

    @Test("scopes only narrow a role; a name this build does not know grants nothing")
    func scopes() {
        let org = OrganisationRef(forge: "github", login: "acme")
        let narrowed = Principal(keyID: 1, organisation: org, role: .member, scopes: [.readFindings, .writeAPIKeys])
        #expect(narrowed.permissions == [.readFindings])
        #expect(APIKeyRecord.scopes(stored: "findings:read everything:all") == [.readFindings])
        #expect(APIKeyRecord.scopes(stored: APIKeyRecord.storedScopes([.readAudit, .readFindings])) == [.readAudit, .readFindings])
        #expect(APIKeyRecord.storedScopes(nil) == nil)
    }

    @Test("a key never mints a key above its role or beyond its own scopes")
    func noEscalation() {
        let org = OrganisationRef(forge: "github", login: "acme")
        let owner = Principal(keyID: 1, organisation: org, role: .owner, scopes: nil)
        let admin = Principal(keyID: 2, organisation: org, role: .admin, scopes: nil)
        let narrowAdmin = Principal(keyID: 3, organisation: org, role: .admin, scopes: [.writeAPIKeys, .readFindings])
        let member = Principal(keyID: 4, organisation: org, role: .member, scopes: nil)
        #expect(owner.mayGrant(role: .owner, scopes: nil))
        #expect(admin.mayGrant(role: .admin, scopes: nil))
        #expect(!admin.mayGrant(role: .owner, scopes: nil))
        #expect(admin.mayGrant(role: .auditor, scopes: nil))
        #expect(!narrowAdmin.mayGrant(role: .member, scopes: nil))  // member would triage
        #expect(narrowAdmin.mayGrant(role: .member, scopes: [.readFindings]))
        #expect(!member.mayGrant(role: .member, scopes: nil))
        #expect(!member.mayGrant(role: .auditor, scopes: [.readFindings]))
    }

    @Test("an organisation from a URL must be a known forge and a plain login")
    func organisationValidation() {
        #expect(OrganisationRef(validatingForge: "github", login: "acme-corp") != nil)
        #expect(OrganisationRef(validatingForge: "gitlab", login: "group.sub") != nil)
        for (forge, login) in [("bitbucket", "acme"), ("github", ""), ("github", "a/b"), ("github", "a b"), ("github", "a\u{0}"),
                               ("github", "ä"), ("github", String(repeating: "a", count: 256))] {
            #expect(OrganisationRef(validatingForge: forge, login: login) == nil, "\(forge) \(login)")
        }
    }

    @Test("an expired or revoked key does not authenticate")
    func usable() {
        let org = OrganisationRef(forge: "github", login: "acme")
        let now = Date()
        var key = APIKeyRecord(id: 1, organisation: org, name: "ci", role: .member, scopes: nil, displayPrefix: "corgi_abcd", hash: "",
                               createdBy: "cli:root", createdAt: now, expiresAt: now.addingTimeInterval(60))
        #expect(key.isUsable(at: now))
        #expect(!key.isUsable(at: now.addingTimeInterval(60)))
        key.expiresAt = nil
        key.revokedAt = now
        #expect(!key.isUsable(at: now))
    }
}

@testable import CorgiService
import CorgiAccess
import Foundation
import Testing

/// The conditions a verified assertion must meet besides its signature, at their boundaries:
/// what `SAMLServiceProvider.identity` accepts and refuses (the end-to-end attacks run against
/// pysaml2 in tests/service/test_sign_in_saml.py).
@Suite("SAML assertion conditions")
struct SAMLConditionsTests {
    static let settings = ServiceSettings.SAML(
        idpEntityID: "https://idp.example.com/", idpSSOURL: "https://idp.example.com/sso", idpCertificatePEM: [],
        spEntityID: "https://corgi.example.com/saml", acsURL: "https://corgi.example.com/auth/saml/acs",
        organisation: OrganisationRef(forge: "github", login: "acme"))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// An assertion that meets every condition for request `_r1` at `now`.
    static func good() -> SAMLAssertion {
        var a = SAMLAssertion(id: "_a1")
        a.status = SAMLServiceProvider.success
        a.issuer = settings.idpEntityID
        a.audiences = [settings.spEntityID]
        a.bearer = true
        a.recipient = settings.acsURL
        a.confirmationInResponseTo = "_r1"
        a.responseInResponseTo = "_r1"
        a.responseDestination = settings.acsURL
        a.notBefore = now.addingTimeInterval(-10)
        a.notOnOrAfter = now.addingTimeInterval(300)
        a.confirmationNotOnOrAfter = now.addingTimeInterval(300)
        a.nameID = "alice"
        a.attributes = ["groups": ["security", "dev"], "email": ["alice@acme.example"]]
        return a
    }

    static func reason(_ edit: (inout SAMLAssertion) -> Void, at time: Date = now) -> String? {
        var assertion = good()
        edit(&assertion)
        do {
            _ = try SAMLServiceProvider(settings: settings).identity(from: assertion, requestID: "_r1", now: time)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a good assertion gives the person, their email and their groups")
    func accepted() throws {
        let identity = try SAMLServiceProvider(settings: Self.settings).identity(from: Self.good(), requestID: "_r1", now: Self.now)
        #expect(identity.subject == "alice" && identity.email == "alice@acme.example" && identity.groups == ["security", "dev"])
    }

    @Test("each condition, broken alone, is refused by name")
    func refused() {
        #expect(Self.reason { $0.status = "urn:oasis:names:tc:SAML:2.0:status:Requester" }?.contains("did not sign the person in") == true)
        #expect(Self.reason { $0.issuer = "https://evil.example/" }?.contains("another identity provider") == true)
        #expect(Self.reason { $0.audiences = [] }?.contains("another audience") == true)
        #expect(Self.reason { $0.audiences = ["https://other.example/saml"] }?.contains("another audience") == true)
        #expect(Self.reason { $0.bearer = false }?.contains("another recipient") == true)
        #expect(Self.reason { $0.recipient = "https://evil.example/acs" }?.contains("another recipient") == true)
        #expect(Self.reason { $0.confirmationInResponseTo = "_r2" }?.contains("InResponseTo") == true)
        #expect(Self.reason { $0.confirmationInResponseTo = nil }?.contains("InResponseTo") == true)
        #expect(Self.reason { $0.responseInResponseTo = "_r2" }?.contains("InResponseTo") == true)
        #expect(Self.reason { $0.responseDestination = "https://evil.example/acs" }?.contains("another destination") == true)
        #expect(Self.reason { $0.confirmationNotOnOrAfter = nil }?.contains("no expiry") == true)
        #expect(Self.reason { $0.nameID = nil }?.contains("no usable subject") == true)
        #expect(Self.reason { $0.nameID = "al ice" }?.contains("no usable subject") == true)
        #expect(Self.reason { $0.nameID = String(repeating: "a", count: 256) }?.contains("no usable subject") == true)
    }

    @Test("times: 60 seconds of skew either way, and not a second more")
    func times() {
        let skew = SAMLServiceProvider.skew
        // Not valid yet: accepted up to the skew early, refused after.
        #expect(Self.reason({ $0.notBefore = Self.now.addingTimeInterval(skew) }) == nil)
        #expect(Self.reason({ $0.notBefore = Self.now.addingTimeInterval(skew + 1) })?.contains("not valid yet") == true)
        // Expired: accepted until the skew after the expiry, refused from then on, whichever expiry it is.
        #expect(Self.reason({ $0.notOnOrAfter = Self.now.addingTimeInterval(-skew + 1) }) == nil)
        #expect(Self.reason({ $0.notOnOrAfter = Self.now.addingTimeInterval(-skew) })?.contains("expired") == true)
        #expect(Self.reason({ $0.confirmationNotOnOrAfter = Self.now.addingTimeInterval(-skew) })?.contains("expired") == true)
        // No Conditions expiry at all is allowed (the confirmation's is required).
        #expect(Self.reason({ $0.notOnOrAfter = nil; $0.notBefore = nil }) == nil)
    }

    @Test("the AuthnRequest URL keeps the IdP's own query and carries the request and the state")
    func requestURL() throws {
        var settings = Self.settings
        settings.idpSSOURL = "https://idp.example.com/sso?tenant=acme"
        let url = try SAMLServiceProvider(settings: settings).authnRequestURL(requestID: "_r1", relayState: "state+/=", now: Self.now)
        let components = try #require(URLComponents(string: url))
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(components.host == "idp.example.com" && items["tenant"] == "acme" && items["RelayState"] == "state+/=")
        #expect(Data(base64Encoded: items["SAMLRequest"] ?? "") != nil, "raw DEFLATE, base64")
    }
}

@testable import CorgiService
import Foundation
import Testing

/// The SAML response reader against hostile input (the signed paths and the attacks on them run
/// end to end against pysaml2 in tests/service/test_sign_in_saml.py): whatever arrives, it answers
/// with a refusal that names the problem, never a crash, a hang or a read outside the signed node.
@Suite("SAML responses: hostile input")
struct SAMLVerificationTests {
    static let certificate = Array("""
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUJm8E1VQ2pXQvz6m3r1S0l1cVgXUwCgYIKoZIzj0EAwIw
        -----END CERTIFICATE-----
        """.utf8)

    static func refusal(_ xml: [UInt8]) -> String? {
        do {
            _ = try SAMLAssertion.verified(response: xml, certificate: certificate)
            return nil
        } catch {
            return error.reason
        }
    }

    static let response = #"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1">"#

    @Test("documents that are not one signed assertion in a Response are refused with their reason", arguments: [
        ("", "not well-formed"),
        ("<a", "not well-formed"),
        ("<x/>", "not a SAML 2.0 Response"),
        (response + "</samlp:Response>", "exactly one assertion"),
        (response + #"<saml:EncryptedAssertion/></samlp:Response>"#, "encrypted assertions"),
        (response + #"<saml:Assertion ID="a"/><saml:Assertion ID="b"/></samlp:Response>"#, "exactly one assertion"),
        (response + #"<samlp:Extensions><saml:Assertion ID="a"/></samlp:Extensions></samlp:Response>"#, "not a direct child"),
        (response + #"<saml:Assertion/></samlp:Response>"#, "has no ID"),
        (response + #"<saml:Assertion ID="r1"/></samlp:Response>"#, "carried by another element"),
        (response + #"<saml:Assertion ID="a"/></samlp:Response>"#, "not signed"),
        (#"<!DOCTYPE r [<!ENTITY a "aaaa">]>"# + response + "&a;</samlp:Response>", "document type"),
    ])
    func refused(_ xml: String, reason: String) {
        let refusal = Self.refusal(Array(xml.utf8))
        #expect(refusal?.contains(reason) == true, "\(refusal ?? "accepted")")
    }

    @Test("a reference to anything but the assertion is refused before any key is used")
    func referenceElsewhere() {
        let xml = Self.response + #"<saml:Assertion ID="a"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>"#
            + ##"<ds:Reference URI="#r1"/></ds:SignedInfo></ds:Signature></saml:Assertion></samlp:Response>"##
        #expect(Self.refusal(Array(xml.utf8))?.contains("does not reference the assertion") == true)
    }

    @Test("over 1 MiB, 10,000 levels deep, or random bytes: refused, never a crash")
    func hostileSizes() {
        #expect(Self.refusal([UInt8](repeating: 0x20, count: (1 << 20) + 1))?.contains("larger than 1 MiB") == true)
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(Self.refusal(Array(deep.utf8)) != nil)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...2048, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Self.refusal(bytes) != nil)
        }
    }
}

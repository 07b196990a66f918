import CSAMLVerify
import Foundation

/// Code Corgi as a SAML 2.0 service provider (`sso.saml`): the AuthnRequest it sends and every
/// check of the response it receives, beyond the signature (`SAMLAssertion.verified`).
struct SAMLServiceProvider: Sendable {
    let settings: ServiceSettings.SAML
    /// Clock skew tolerated on every time the assertion names.
    static let skew: TimeInterval = 60
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"

    /// The IdP's URL carrying a signed-in-nothing AuthnRequest (`requestID`) and the flow's
    /// `relayState`, HTTP-Redirect binding: raw DEFLATE, base64, URL-encoded.
    func authnRequestURL(requestID: String, relayState: String, now: Date = Date()) throws(SignInError) -> String {
        let instant = ISO8601DateFormatter().string(from: now)
        let xml = """
            <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(Self.escape(requestID))" Version="2.0" IssueInstant="\(instant)" Destination="\(Self.escape(settings.idpSSOURL))" \
            AssertionConsumerServiceURL="\(Self.escape(settings.acsURL))" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">\
            <saml:Issuer>\(Self.escape(settings.spEntityID))</saml:Issuer>\
            <samlp:NameIDPolicy AllowCreate="true"/></samlp:AuthnRequest>
            """
        let input = Array(xml.utf8)
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard input.withUnsafeBufferPointer({ corgi_deflate_raw($0.baseAddress, $0.count, &output, &length) }) == 0, let output else {
            throw SignInError("the SAML request could not be made")
        }
        defer { corgi_saml_free(UnsafeMutableRawPointer(output).assumingMemoryBound(to: CChar.self)) }
        let encoded = Data(bytes: output, count: length).base64EncodedString()
        var components = URLComponents(string: settings.idpSSOURL)
        let existing = components?.percentEncodedQueryItems ?? []
        components?.percentEncodedQueryItems = existing + [
            URLQueryItem(name: "SAMLRequest", value: Self.formEncode(encoded)),
            URLQueryItem(name: "RelayState", value: Self.formEncode(relayState)),
        ]
        guard let url = components?.string else { throw SignInError("sso.saml.idp_sso_url is not a URL") }
        return url
    }

    /// The identity in a verified assertion, once every condition holds for the request this
    /// browser started (`requestID`).
    func identity(from assertion: SAMLAssertion, requestID: String, now: Date = Date()) throws(SignInError) -> VerifiedIdentity {
        guard assertion.status == Self.success else { throw SignInError("the identity provider did not sign the person in (status \(SignInRoutes.printable(assertion.status ?? "none")))") }
        guard assertion.issuer == settings.idpEntityID else { throw SignInError("the assertion was issued by another identity provider") }
        guard !assertion.audiences.isEmpty, assertion.audiences.contains(settings.spEntityID) else {
            throw SignInError("the assertion is meant for another audience")
        }
        guard assertion.bearer, assertion.recipient == settings.acsURL else { throw SignInError("the assertion is meant for another recipient") }
        guard assertion.confirmationInResponseTo == requestID, assertion.responseInResponseTo.map({ $0 == requestID }) ?? true else {
            throw SignInError("the assertion answers another sign-in (InResponseTo)")
        }
        if let destination = assertion.responseDestination, destination != settings.acsURL {
            throw SignInError("the response is addressed to another destination")
        }
        if let notBefore = assertion.notBefore, now.addingTimeInterval(Self.skew) < notBefore { throw SignInError("the assertion is not valid yet") }
        guard let confirmationExpiry = assertion.confirmationNotOnOrAfter else { throw SignInError("the assertion's confirmation has no expiry") }
        for expiry in [assertion.notOnOrAfter, confirmationExpiry].compactMap({ $0 }) where now >= expiry.addingTimeInterval(Self.skew) {
            throw SignInError("the assertion has expired")
        }
        guard let subject = assertion.nameID, !subject.isEmpty, subject.utf8.count <= 255,
              subject.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else { throw SignInError("the assertion names no usable subject (NameID)") }
        return VerifiedIdentity(subject: subject, email: assertion.attributes["email"]?.first,
                                groups: assertion.attributes[settings.groupsAttribute] ?? [])
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Percent-encoding for a query value: only unreserved characters stay.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

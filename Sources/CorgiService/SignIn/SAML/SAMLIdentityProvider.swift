import Foundation

/// SAML 2.0 behind the sign-in routes' provider surface: the flow's nonce names the AuthnRequest
/// (`_` + nonce, an XML ID) and its state travels as `RelayState`; the "code" the IdP returns is
/// the base64 `SAMLResponse`, redeemed by verifying its signed assertion and every condition.
/// An assertion is accepted once (its ID is remembered until its confirmation expires).
struct SAMLIdentityProvider: IdentityProvider {
    let serviceProvider: SAMLServiceProvider
    let seenAssertions = ConsumedStates()

    static func requestID(nonce: String) -> String { "_" + nonce }

    func authorizationURL(state: String, nonce: String, codeChallenge: String) async throws -> String {
        try serviceProvider.authnRequestURL(requestID: Self.requestID(nonce: nonce), relayState: state)
    }

    func redeem(code: String, codeVerifier: String, nonce: String) async throws -> VerifiedIdentity {
        guard let response = Data(base64Encoded: code, options: .ignoreUnknownCharacters), !response.isEmpty else {
            throw SignInError("the SAMLResponse is not base64")
        }
        let assertion = try SAMLAssertion.verified(response: Array(response), certificate: serviceProvider.settings.idpCertificatePEM)
        let identity = try serviceProvider.identity(from: assertion, requestID: Self.requestID(nonce: nonce))
        let expiry = assertion.confirmationNotOnOrAfter ?? Date().addingTimeInterval(SessionAuthority.flowLifetime)
        guard await seenAssertions.consume(assertion.id, until: expiry.addingTimeInterval(SAMLServiceProvider.skew)) else {
            throw SignInError("this assertion was already used (replay)")
        }
        return identity
    }
}

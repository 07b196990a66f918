import CSAMLVerify
import Foundation

/// What a signed SAML assertion says, read by libxmlsec1's glue (`corgi_saml_verify`) from the
/// verified assertion node only; the response's own attributes beside it are unsigned and only
/// ever compared with signed values.
struct SAMLAssertion: Sendable, Hashable {
    var responseInResponseTo: String?
    var responseDestination: String?
    var status: String?
    var id: String
    var issuer: String?
    var nameID: String?
    var notBefore: Date?
    var notOnOrAfter: Date?
    var audiences: [String] = []
    var bearer = false
    var recipient: String?
    var confirmationNotOnOrAfter: Date?
    var confirmationInResponseTo: String?
    var attributes: [String: [String]] = [:]

    /// Verifies `response` (the decoded `SAMLResponse`) against the IdP's certificate (PEM).
    static func verified(response: [UInt8], certificate: [UInt8]) throws(SignInError) -> SAMLAssertion {
        var fields: UnsafeMutablePointer<CChar>?
        var length = 0
        var error = [CChar](repeating: 0, count: 256)
        let status = response.withUnsafeBufferPointer { xml in
            certificate.withUnsafeBufferPointer { pem in
                corgi_saml_verify(xml.baseAddress, xml.count, pem.baseAddress, pem.count, &fields, &length, &error, error.count)
            }
        }
        guard status == 0, let fields else {
            throw SignInError("the SAML response is refused: " + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { corgi_saml_free(fields) }
        let text = String(decoding: UnsafeRawBufferPointer(start: fields, count: length), as: UTF8.self)
        var values: [(String, String)] = []
        for record in text.split(separator: "\u{1E}") {
            let pair = record.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            if pair.count == 2 { values.append((String(pair[0]), String(pair[1]))) }
        }
        func one(_ key: String) -> String? { values.first { $0.0 == key }?.1 }
        func time(_ key: String) throws(SignInError) -> Date? {
            guard let value = one(key) else { return nil }
            guard let date = Self.date(value) else { throw SignInError("the assertion's \(key) is not a time") }
            return date
        }
        guard let id = one("assertion.id") else { throw SignInError("the assertion has no ID") }
        var assertion = SAMLAssertion(id: id)
        assertion.responseInResponseTo = one("response.in_response_to")
        assertion.responseDestination = one("response.destination")
        assertion.status = one("status")
        assertion.issuer = one("issuer")?.trimmingCharacters(in: .whitespacesAndNewlines)
        assertion.nameID = one("name_id")?.trimmingCharacters(in: .whitespacesAndNewlines)
        assertion.notBefore = try time("not_before")
        assertion.notOnOrAfter = try time("not_on_or_after")
        assertion.audiences = values.filter { $0.0 == "audience" }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }
        assertion.bearer = one("confirmation.method") == "bearer"
        assertion.recipient = one("confirmation.recipient")
        assertion.confirmationNotOnOrAfter = try time("confirmation.not_on_or_after")
        assertion.confirmationInResponseTo = one("confirmation.in_response_to")
        for (key, value) in values where key == "attribute" {
            let parts = value.split(separator: "\u{1D}", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { assertion.attributes[String(parts[0]), default: []].append(String(parts[1])) }
        }
        return assertion
    }

    /// An `xs:dateTime` in UTC, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

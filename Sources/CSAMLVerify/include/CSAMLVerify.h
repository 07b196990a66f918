#ifndef CORGI_SAML_VERIFY_H
#define CORGI_SAML_VERIFY_H
#include <stddef.h>

/// Verifies the XML signature of the one assertion of a SAML 2.0 `samlp:Response` against the
/// identity provider's certificate (PEM) and returns what the signed assertion says.
///
/// Refused, with a reason in `error`: a document with a DTD, not a Response, without exactly one
/// assertion (as a direct child of the Response), an encrypted assertion, an assertion without
/// its own enveloped signature, a signature whose single reference is not the assertion's ID, an
/// ID that more than one element carries, a transform or algorithm outside exclusive
/// canonicalisation and RSA/ECDSA with SHA-256/384/512, and any signature that does not verify
/// with the certificate's key. Fields are read from the verified assertion node only (never by a
/// search of the whole document), so content placed beside it (signature wrapping) is never read.
///
/// On success returns 0 and sets `*fields` (free with `corgi_saml_free`) to records of
/// `key 0x1F value 0x1E`; keys: `response.in_response_to`, `response.destination`, `status`,
/// `issuer`, `assertion.id`, `name_id`, `not_before`, `not_on_or_after`, `audience` (repeated),
/// `confirmation.method`, `confirmation.recipient`, `confirmation.not_on_or_after`,
/// `confirmation.in_response_to`, `attribute` (repeated, `Name 0x1D value`).
int corgi_saml_verify(const unsigned char *xml, size_t xml_length, const unsigned char *certificate_pem, size_t certificate_length,
                      char **fields, size_t *fields_length, char *error, size_t error_length);

void corgi_saml_free(char *fields);

/// Raw DEFLATE (RFC 1951, no zlib header) of `input`, as the HTTP-Redirect binding carries a
/// request: 0 and a buffer to free with `corgi_saml_free`, or -1.
int corgi_deflate_raw(const unsigned char *input, size_t input_length, unsigned char **output, size_t *output_length);

#endif

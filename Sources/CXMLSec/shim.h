// libxmlsec1 (with OpenSSL) and libxml2 from Debian (libxmlsec1-dev): the XML signature
// verification SAML sign-in needs. Only CSAMLVerify includes it.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>

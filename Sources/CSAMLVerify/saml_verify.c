// The glue between SAML sign-in and libxmlsec1: parse, find the one assertion, verify its
// enveloped signature with the IdP's key, read the signed node. No XML-signature code of our own.
#include "CSAMLVerify.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <pthread.h>
#include <zlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
static const char *NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
static const char *NS_DSIG = "http://www.w3.org/2000/09/xmldsig#";

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;
// xmlsec's global state (its error callback, the OpenSSL engine list) is set once; one
// verification at a time keeps it simple (sign-ins are rare).
static pthread_mutex_t verify_lock = PTHREAD_MUTEX_INITIALIZER;

static void quiet_errors(const char *file, int line, const char *func, const char *object, const char *subject, int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)object; (void)subject; (void)reason; (void)msg;
}

static void quiet_generic(void *context, const char *message, ...) { (void)context; (void)message; }
static void quiet_structured(void *context, const xmlError *error) { (void)context; (void)error; }

static void initialise(void) {
    xmlInitParser();
    if (xmlSecInit() < 0) return;
    if (xmlSecCheckVersion() != 1) return;
    if (xmlSecOpenSSLAppInit(NULL) < 0) return;
    if (xmlSecOpenSSLInit() < 0) return;
    xmlSecErrorsSetCallback(quiet_errors);
    init_status = 0;
}

static void fail(char *error, size_t length, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(error, length, format, args);
    va_end(args);
}

static int is(const xmlNode *node, const char *ns, const char *name) {
    return node && node->type == XML_ELEMENT_NODE && node->ns && node->ns->href && strcmp((const char *)node->ns->href, ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

static xmlNode *child(const xmlNode *parent, const char *ns, const char *name) {
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is(c, ns, name)) return c;
    return NULL;
}

static int count_named(const xmlNode *node, const char *ns, const char *name) {
    int n = 0;
    for (const xmlNode *c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is(c, ns, name)) n++;
        n += count_named(c->children, ns, name);
    }
    return n;
}

static int count_id(const xmlNode *node, const xmlChar *id) {
    int n = 0;
    for (const xmlNode *c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        for (xmlAttr *a = c->properties; a; a = a->next) {
            if (xmlStrcasecmp(a->name, BAD_CAST "ID") == 0 || xmlStrcasecmp(a->name, BAD_CAST "Id") == 0) {
                xmlChar *v = xmlNodeListGetString(c->doc, a->children, 1);
                if (v && xmlStrEqual(v, id)) n++;
                xmlFree(v);
            }
        }
        n += count_id(c->children, id);
    }
    return n;
}

/// The output records.
typedef struct {
    char *data;
    size_t length, capacity;
    int failed;
} out_t;

static int plain(const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p == 0x1D || *p == 0x1E || *p == 0x1F) return 0;
    return 1;
}

static void add_checked(out_t *out, const char *key, const char *value, int check) {
    if (!value || out->failed) return;
    if (check && !plain(value)) { out->failed = 1; return; }
    size_t need = strlen(key) + strlen(value) + 2;
    if (out->length + need + 1 > out->capacity) {
        size_t capacity = (out->capacity + need) * 2 + 256;
        char *grown = realloc(out->data, capacity);
        if (!grown) { out->failed = 1; return; }
        out->data = grown;
        out->capacity = capacity;
    }
    out->length += (size_t)sprintf(out->data + out->length, "%s\x1f%s\x1e", key, value);
}

static void add(out_t *out, const char *key, const char *value) { add_checked(out, key, value, 1); }

static void add_attribute(out_t *out, const char *key, const xmlNode *node, const char *attribute) {
    if (!node) return;
    xmlChar *v = xmlGetProp(node, BAD_CAST attribute);
    if (v) add(out, key, (const char *)v);
    xmlFree(v);
}

static void add_text(out_t *out, const char *key, const xmlNode *node) {
    if (!node) return;
    xmlChar *v = xmlNodeGetContent(node);
    if (v) add(out, key, (const char *)v);
    xmlFree(v);
}

static int enable(xmlSecDSigCtxPtr ctx) {
    xmlSecTransformId reference[] = {
        xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
        xmlSecOpenSSLTransformSha256GetKlass(), xmlSecOpenSSLTransformSha384GetKlass(), xmlSecOpenSSLTransformSha512GetKlass(),
    };
    xmlSecTransformId signature[] = {
        xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
        xmlSecOpenSSLTransformRsaSha256GetKlass(), xmlSecOpenSSLTransformRsaSha384GetKlass(), xmlSecOpenSSLTransformRsaSha512GetKlass(),
        xmlSecOpenSSLTransformEcdsaSha256GetKlass(), xmlSecOpenSSLTransformEcdsaSha384GetKlass(), xmlSecOpenSSLTransformEcdsaSha512GetKlass(),
    };
    for (size_t i = 0; i < sizeof reference / sizeof *reference; i++)
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, reference[i]) < 0) return -1;
    for (size_t i = 0; i < sizeof signature / sizeof *signature; i++)
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, signature[i]) < 0) return -1;
    return 0;
}

static int verify_locked(const unsigned char *xml, size_t xml_length, const unsigned char *pem, size_t pem_length, char **fields,
                         size_t *fields_length, char *error, size_t error_length) {
    int result = -1;
    xmlSecKeyPtr key = NULL;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlChar *assertion_id = NULL;
    out_t out = {0};
    // libxml2's error handlers are per thread: nothing of a hostile document reaches stderr.
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)quiet_structured);
    if (xml_length > (1 << 20) || xml_length > INT32_MAX) { fail(error, error_length, "the SAML response is larger than 1 MiB"); return -1; }
    xmlDocPtr doc = xmlReadMemory((const char *)xml, (int)xml_length, "response.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    if (!doc) { fail(error, error_length, "the SAML response is not well-formed XML"); return -1; }
    if (doc->intSubset || doc->extSubset) { fail(error, error_length, "the SAML response carries a document type (DTD): refused"); goto done; }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!is(root, NS_PROTOCOL, "Response")) { fail(error, error_length, "not a SAML 2.0 Response"); goto done; }
    if (count_named(root, NS_ASSERTION, "EncryptedAssertion") > 0) { fail(error, error_length, "encrypted assertions are not supported"); goto done; }
    if (count_named(root, NS_ASSERTION, "Assertion") != 1) {
        fail(error, error_length, "the response must hold exactly one assertion (signature wrapping?)");
        goto done;
    }
    xmlNode *assertion = child(root, NS_ASSERTION, "Assertion");
    if (!assertion) { fail(error, error_length, "the assertion is not a direct child of the response (signature wrapping?)"); goto done; }
    assertion_id = xmlGetProp(assertion, BAD_CAST "ID");
    if (!assertion_id || !*assertion_id) { fail(error, error_length, "the assertion has no ID"); goto done; }
    if (count_id(root, assertion_id) != 1) { fail(error, error_length, "the assertion's ID is carried by another element too (signature wrapping?)"); goto done; }
    xmlNode *signature = child(assertion, NS_DSIG, "Signature");
    if (!signature) { fail(error, error_length, "the assertion is not signed"); goto done; }
    if (count_named(assertion->children, NS_DSIG, "Signature") != 1) { fail(error, error_length, "the assertion holds more than one signature"); goto done; }
    xmlNode *signed_info = child(signature, NS_DSIG, "SignedInfo");
    if (!signed_info || count_named(signed_info->children, NS_DSIG, "Reference") != 1) {
        fail(error, error_length, "the signature must have exactly one reference");
        goto done;
    }
    xmlNode *reference = child(signed_info, NS_DSIG, "Reference");
    xmlChar *uri = reference ? xmlGetProp(reference, BAD_CAST "URI") : NULL;
    int referencesAssertion = uri && uri[0] == '#' && xmlStrEqual(uri + 1, assertion_id);
    xmlFree(uri);
    if (!referencesAssertion) { fail(error, error_length, "the signature does not reference the assertion (signature wrapping?)"); goto done; }
    // Only the assertion's ID is an ID: the reference can resolve to nothing else.
    xmlAttrPtr id_attribute = xmlHasProp(assertion, BAD_CAST "ID");
    if (!id_attribute || !xmlAddID(NULL, doc, assertion_id, id_attribute)) { fail(error, error_length, "the assertion's ID cannot be registered"); goto done; }

    key = xmlSecOpenSSLAppKeyLoadMemory(pem, (xmlSecSize)pem_length, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    if (!key) { fail(error, error_length, "the identity provider's certificate cannot be read (PEM expected)"); goto done; }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (!ctx || enable(ctx) < 0) { fail(error, error_length, "the signature context cannot be set up"); goto done; }
    ctx->signKey = key;
    key = NULL;  // owned by the context now
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    if (xmlSecDSigCtxVerify(ctx, signature) < 0) {
        fail(error, error_length, "the assertion's signature cannot be checked (unsupported algorithm or malformed signature)");
        goto done;
    }
    if (ctx->status != xmlSecDSigStatusSucceeded) { fail(error, error_length, "the assertion's signature does not verify with the identity provider's certificate"); goto done; }
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) { fail(error, error_length, "the signature must have exactly one reference"); goto done; }

    // What the response says beside the assertion (not signed here): checked against the signed values.
    add_attribute(&out, "response.in_response_to", root, "InResponseTo");
    add_attribute(&out, "response.destination", root, "Destination");
    xmlNode *status = child(root, NS_PROTOCOL, "Status");
    add_attribute(&out, "status", child(status, NS_PROTOCOL, "StatusCode"), "Value");
    // The signed assertion, read from its node only.
    add(&out, "assertion.id", (const char *)assertion_id);
    add_text(&out, "issuer", child(assertion, NS_ASSERTION, "Issuer"));
    xmlNode *subject = child(assertion, NS_ASSERTION, "Subject");
    add_text(&out, "name_id", child(subject, NS_ASSERTION, "NameID"));
    for (xmlNode *c = subject ? subject->children : NULL; c; c = c->next) {
        if (!is(c, NS_ASSERTION, "SubjectConfirmation")) continue;
        xmlChar *method = xmlGetProp(c, BAD_CAST "Method");
        int bearer = method && xmlStrEqual(method, BAD_CAST "urn:oasis:names:tc:SAML:2.0:cm:bearer");
        xmlFree(method);
        if (!bearer) continue;
        add(&out, "confirmation.method", "bearer");
        xmlNode *data = child(c, NS_ASSERTION, "SubjectConfirmationData");
        add_attribute(&out, "confirmation.recipient", data, "Recipient");
        add_attribute(&out, "confirmation.not_on_or_after", data, "NotOnOrAfter");
        add_attribute(&out, "confirmation.in_response_to", data, "InResponseTo");
        break;
    }
    xmlNode *conditions = child(assertion, NS_ASSERTION, "Conditions");
    add_attribute(&out, "not_before", conditions, "NotBefore");
    add_attribute(&out, "not_on_or_after", conditions, "NotOnOrAfter");
    for (xmlNode *r = conditions ? conditions->children : NULL; r; r = r->next) {
        if (!is(r, NS_ASSERTION, "AudienceRestriction")) continue;
        for (xmlNode *a = r->children; a; a = a->next)
            if (is(a, NS_ASSERTION, "Audience")) add_text(&out, "audience", a);
    }
    for (xmlNode *s = assertion->children; s; s = s->next) {
        if (!is(s, NS_ASSERTION, "AttributeStatement")) continue;
        for (xmlNode *a = s->children; a; a = a->next) {
            if (!is(a, NS_ASSERTION, "Attribute")) continue;
            xmlChar *name = xmlGetProp(a, BAD_CAST "Name");
            for (xmlNode *v = a->children; name && v; v = v->next) {
                if (!is(v, NS_ASSERTION, "AttributeValue")) continue;
                xmlChar *value = xmlNodeGetContent(v);
                if (value && (!plain((const char *)name) || !plain((const char *)value))) out.failed = 1;
                else if (value) {
                    size_t n = strlen((const char *)name) + strlen((const char *)value) + 2;
                    char *pair = malloc(n);
                    if (pair) {
                        snprintf(pair, n, "%s\x1d%s", (const char *)name, (const char *)value);
                        add_checked(&out, "attribute", pair, 0);
                        free(pair);
                    }
                }
                xmlFree(value);
            }
            xmlFree(name);
        }
    }
    if (out.failed) { fail(error, error_length, "the assertion holds control characters or is too large"); goto done; }
    *fields = out.data ? out.data : calloc(1, 1);
    *fields_length = out.length;
    out.data = NULL;
    result = 0;
done:
    free(out.data);
    if (ctx) xmlSecDSigCtxDestroy(ctx);
    if (key) xmlSecKeyDestroy(key);
    xmlFree(assertion_id);
    xmlFreeDoc(doc);
    return result;
}

int corgi_saml_verify(const unsigned char *xml, size_t xml_length, const unsigned char *certificate_pem, size_t certificate_length,
                      char **fields, size_t *fields_length, char *error, size_t error_length) {
    pthread_once(&init_once, initialise);
    if (init_status != 0) { fail(error, error_length, "libxmlsec1 could not be initialised"); return -1; }
    pthread_mutex_lock(&verify_lock);
    int result = verify_locked(xml, xml_length, certificate_pem, certificate_length, fields, fields_length, error, error_length);
    pthread_mutex_unlock(&verify_lock);
    return result;
}

void corgi_saml_free(char *fields) { free(fields); }

int corgi_deflate_raw(const unsigned char *input, size_t input_length, unsigned char **output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (input_length > (1 << 20)) return -1;
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    uLong bound = deflateBound(&stream, (uLong)input_length);
    unsigned char *buffer = malloc(bound);
    if (!buffer) { deflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)bound;
    int status = deflate(&stream, Z_FINISH);
    size_t produced = bound - stream.avail_out;
    deflateEnd(&stream);
    if (status != Z_STREAM_END) { free(buffer); return -1; }
    *output = buffer;
    *output_length = produced;
    return 0;
}

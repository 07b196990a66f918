// libFuzzer target: the SAML response reader (Sources/CSAMLVerify) on arbitrary bytes, against the
// certificate of the IdP that signed the seed corpus (Fuzz/saml-corpus, made by pysaml2). Any
// input must end in a refusal or a verified assertion: no crash, no leak, no read out of bounds.
#include "CSAMLVerify.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char *certificate;
static size_t certificate_length;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    FILE *file = fopen("Fuzz/saml-idp.crt", "rb");
    if (!file) { fprintf(stderr, "run from the repository root: Fuzz/saml-idp.crt is missing\n"); exit(1); }
    certificate = malloc(65536);
    certificate_length = fread(certificate, 1, 65536, file);
    fclose(file);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *fields = NULL;
    size_t length = 0;
    char error[256];
    if (corgi_saml_verify(data, size, certificate, certificate_length, &fields, &length, error, sizeof error) == 0) corgi_saml_free(fields);
    return 0;
}

#include "CHyperscan.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CORGI_HAVE_HYPERSCAN comes from Package.swift (pkg-config found libhs); __has_include guards
// against a define without the header. Either way this file compiles.
#if defined(CORGI_HAVE_HYPERSCAN) && defined(__has_include)
#if __has_include(<hs/hs.h>)
#define CORGI_HS_LINKED 1
#endif
#endif

static void copy_error(char *error, size_t capacity, const char *message) {
    if (error == NULL || capacity == 0) return;
    snprintf(error, capacity, "%s", message ? message : "unknown error");
}

#ifdef CORGI_HS_LINKED
#include <hs/hs.h>

_Static_assert(CORGI_HS_CASELESS == HS_FLAG_CASELESS, "flag mirror");
_Static_assert(CORGI_HS_DOTALL == HS_FLAG_DOTALL, "flag mirror");
_Static_assert(CORGI_HS_MULTILINE == HS_FLAG_MULTILINE, "flag mirror");
_Static_assert(CORGI_HS_SINGLEMATCH == HS_FLAG_SINGLEMATCH, "flag mirror");
_Static_assert(CORGI_HS_PREFILTER == HS_FLAG_PREFILTER, "flag mirror");

int corgi_hs_available(void) { return hs_valid_platform() == HS_SUCCESS; }

const char *corgi_hs_version(void) { return hs_version(); }

int corgi_hs_check(const char *pattern, unsigned flags, char *error, size_t error_capacity) {
    if (!corgi_hs_available()) { copy_error(error, error_capacity, "unavailable"); return -2; }
    hs_database_t *db = NULL;
    hs_compile_error_t *compile_error = NULL;
    if (hs_compile(pattern, flags, HS_MODE_BLOCK, NULL, &db, &compile_error) != HS_SUCCESS) {
        copy_error(error, error_capacity, compile_error ? compile_error->message : NULL);
        hs_free_compile_error(compile_error);
        return -1;
    }
    hs_free_database(db);
    return 0;
}

corgi_hs_db *corgi_hs_compile(const char *const *patterns, const unsigned *flags, const unsigned *ids,
                              unsigned count, char *error, size_t error_capacity, int *failed_index) {
    if (failed_index) *failed_index = -1;
    if (!corgi_hs_available()) { copy_error(error, error_capacity, "unavailable"); return NULL; }
    hs_database_t *db = NULL;
    hs_compile_error_t *compile_error = NULL;
    if (hs_compile_multi(patterns, flags, ids, count, HS_MODE_BLOCK, NULL, &db, &compile_error) != HS_SUCCESS) {
        copy_error(error, error_capacity, compile_error ? compile_error->message : NULL);
        if (failed_index && compile_error) *failed_index = compile_error->expression;
        hs_free_compile_error(compile_error);
        return NULL;
    }
    return (corgi_hs_db *)db;
}

void corgi_hs_free_db(corgi_hs_db *db) { hs_free_database((hs_database_t *)db); }

size_t corgi_hs_db_size(const corgi_hs_db *db) {
    size_t size = 0;
    if (hs_database_size((const hs_database_t *)db, &size) != HS_SUCCESS) return 0;
    return size;
}

int corgi_hs_serialize(const corgi_hs_db *db, char **bytes, size_t *length) {
    return hs_serialize_database((const hs_database_t *)db, bytes, length) == HS_SUCCESS ? 0 : -1;
}

corgi_hs_db *corgi_hs_deserialize(const char *bytes, size_t length) {
    if (!corgi_hs_available()) return NULL;
    hs_database_t *db = NULL;
    if (hs_deserialize_database(bytes, length, &db) != HS_SUCCESS) return NULL;
    return (corgi_hs_db *)db;
}

void corgi_hs_free_bytes(char *bytes) { free(bytes); }

corgi_hs_scratch *corgi_hs_alloc_scratch(const corgi_hs_db *db) {
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch((const hs_database_t *)db, &scratch) != HS_SUCCESS) return NULL;
    return (corgi_hs_scratch *)scratch;
}

void corgi_hs_free_scratch(corgi_hs_scratch *scratch) { hs_free_scratch((hs_scratch_t *)scratch); }

typedef struct {
    corgi_hs_on_match on_match;
    void *context;
} trampoline_context;

static int trampoline(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                      void *context) {
    (void)from;
    (void)flags;
    trampoline_context *t = (trampoline_context *)context;
    return t->on_match(id, to, t->context);
}

int corgi_hs_scan(const corgi_hs_db *db, corgi_hs_scratch *scratch, const uint8_t *data, size_t length,
                  corgi_hs_on_match on_match, void *context) {
    if (length > 0xFFFFFFFFu) return -3; // hs_scan takes an unsigned int length
    trampoline_context t = {on_match, context};
    static const char empty = 0;
    hs_error_t rc = hs_scan((const hs_database_t *)db, data ? (const char *)data : &empty, (unsigned int)length, 0,
                            (hs_scratch_t *)scratch, trampoline, &t);
    if (rc == HS_SUCCESS) return 0;
    if (rc == HS_SCAN_TERMINATED) return 1;
    return -1;
}

#else // The portable build: no Hyperscan. Every entry point says so.

int corgi_hs_available(void) { return 0; }
const char *corgi_hs_version(void) { return "unavailable"; }
int corgi_hs_check(const char *pattern, unsigned flags, char *error, size_t error_capacity) {
    (void)pattern;
    (void)flags;
    copy_error(error, error_capacity, "unavailable");
    return -2;
}
corgi_hs_db *corgi_hs_compile(const char *const *patterns, const unsigned *flags, const unsigned *ids,
                              unsigned count, char *error, size_t error_capacity, int *failed_index) {
    (void)patterns;
    (void)flags;
    (void)ids;
    (void)count;
    if (failed_index) *failed_index = -1;
    copy_error(error, error_capacity, "unavailable");
    return NULL;
}
void corgi_hs_free_db(corgi_hs_db *db) { (void)db; }
size_t corgi_hs_db_size(const corgi_hs_db *db) { (void)db; return 0; }
int corgi_hs_serialize(const corgi_hs_db *db, char **bytes, size_t *length) {
    (void)db;
    if (bytes) *bytes = NULL;
    if (length) *length = 0;
    return -2;
}
corgi_hs_db *corgi_hs_deserialize(const char *bytes, size_t length) { (void)bytes; (void)length; return NULL; }
void corgi_hs_free_bytes(char *bytes) { (void)bytes; }
corgi_hs_scratch *corgi_hs_alloc_scratch(const corgi_hs_db *db) { (void)db; return NULL; }
void corgi_hs_free_scratch(corgi_hs_scratch *scratch) { (void)scratch; }
int corgi_hs_scan(const corgi_hs_db *db, corgi_hs_scratch *scratch, const uint8_t *data, size_t length,
                  corgi_hs_on_match on_match, void *context) {
    (void)db;
    (void)scratch;
    (void)data;
    (void)length;
    (void)on_match;
    (void)context;
    return -2;
}

#endif

#ifndef CORGI_CHYPERSCAN_H
#define CORGI_CHYPERSCAN_H
// A small, stable surface over Hyperscan/Vectorscan for the candidate stage of the scanner.
//
// Whether the library is there is decided when the package is built (Package.swift asks
// pkg-config for `libhs` and defines CORGI_HAVE_HYPERSCAN). Without it every function still
// exists and reports "unavailable", so the same Swift code compiles and takes the portable
// keyword-prefilter path. Callers never see Hyperscan's own types.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this build is linked against Hyperscan/Vectorscan and the CPU can run it.
int corgi_hs_available(void);

/// The library's version string, or "unavailable".
const char *corgi_hs_version(void);

typedef struct corgi_hs_db corgi_hs_db;
typedef struct corgi_hs_scratch corgi_hs_scratch;

/// Flags, mirroring Hyperscan's: kept here so the Swift side compiles without the library.
enum {
    CORGI_HS_CASELESS = 1,
    CORGI_HS_DOTALL = 2,
    CORGI_HS_MULTILINE = 4,
    CORGI_HS_SINGLEMATCH = 8,
    CORGI_HS_PREFILTER = 128,
};

/// Compiles one pattern alone, to learn whether (and how) it compiles.
/// Returns 0 on success, -1 on a compile error (message copied into `error`), -2 when unavailable.
int corgi_hs_check(const char *pattern, unsigned flags, char *error, size_t error_capacity);

/// Compiles every pattern into one block-mode database. Returns NULL on failure with a message
/// in `error` (`failed_index` is the pattern at fault, or -1).
corgi_hs_db *corgi_hs_compile(const char *const *patterns, const unsigned *flags, const unsigned *ids,
                              unsigned count, char *error, size_t error_capacity, int *failed_index);
void corgi_hs_free_db(corgi_hs_db *db);
/// Bytes of the compiled database (for the benchmark's memory report).
size_t corgi_hs_db_size(const corgi_hs_db *db);

/// Serializes a database into a malloc'ed buffer the caller frees. Returns 0 on success.
int corgi_hs_serialize(const corgi_hs_db *db, char **bytes, size_t *length);
/// Rebuilds a database from `corgi_hs_serialize` output; NULL if the bytes are not a valid database
/// for this library version and platform.
corgi_hs_db *corgi_hs_deserialize(const char *bytes, size_t length);
/// Frees a buffer from `corgi_hs_serialize`.
void corgi_hs_free_bytes(char *bytes);

/// Per-thread scanning state for a database. NULL when unavailable or out of memory.
corgi_hs_scratch *corgi_hs_alloc_scratch(const corgi_hs_db *db);
void corgi_hs_free_scratch(corgi_hs_scratch *scratch);

/// Called with each match: the pattern id and the offset just past the match's end.
/// Return non-zero to stop the scan.
typedef int (*corgi_hs_on_match)(unsigned id, unsigned long long end, void *context);

/// Scans `length` bytes in block mode. Returns 0 when the scan ran to the end, 1 when the
/// callback stopped it, a negative value on error or when unavailable.
int corgi_hs_scan(const corgi_hs_db *db, corgi_hs_scratch *scratch, const uint8_t *data, size_t length,
                  corgi_hs_on_match on_match, void *context);

#ifdef __cplusplus
}
#endif

#endif

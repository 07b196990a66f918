#ifndef CORGI_CPCRE2_SHIM_H
#define CORGI_CPCRE2_SHIM_H
// PCRE2 needs its code unit width chosen before the header is read; we scan bytes (UTF-8).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// Acquire/release access to the flag that says a pattern's JIT compilation was done: JIT code is
// compiled lazily, on a pattern's first match, and published to other threads through this flag.
static inline int corgi_load_acquire(const int *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }
static inline void corgi_store_release(int *flag, int value) { __atomic_store_n(flag, value, __ATOMIC_RELEASE); }
#endif

#ifndef CORGI_CPCRE2_SHIM_H
#define CORGI_CPCRE2_SHIM_H
// PCRE2 needs its code unit width chosen before the header is read; we scan bytes (UTF-8).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

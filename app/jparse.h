/*
 * jparse: a fast JSON parser that builds jansson's json_t tree, for the
 * documents PostgreSQL returns; contract and differences in jparse.c.
 * Pure: no Kore.  Strings must be UTF-8; reals are read with strtod(),
 * so the process must run in the C locale (LC_NUMERIC "C").
 */
#ifndef MAKERSPACE_JPARSE_H
#define MAKERSPACE_JPARSE_H

#include <stddef.h>

#include <jansson.h>

/* Containers ([ and {) nested deeper than this are an error. */
#define JPARSE_MAX_DEPTH	64

/*
 * Parse one JSON document (any value at top level; whitespace around it
 * allowed, nothing else after it).  Returns a new reference (json_decref
 * it), or NULL on any syntax error, invalid UTF-8 in strings, nesting
 * deeper than JPARSE_MAX_DEPTH, or allocation failure.  Never reads past
 * len; data need not be NUL-terminated.  The tree equals (json_equal)
 * what json_loadb(data, len, JSON_DECODE_ANY, NULL) returns, but for the
 * depth limit and NUL bytes (see jparse.c).
 */
json_t	*jparse(const char *data, size_t len);

#endif

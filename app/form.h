/*
 * form: parse a request body or query string into one list of fields.
 *
 * Pure: libc + jansson, no Kore, so it can be unit-tested and fuzzed.
 * Replaces Kore's form parser (19-field cap, drops fields with control
 * characters or empty values, first-of-repeated only, no JSON).
 *
 * Contract:
 *  - Every parser appends to the form; fields keep request order and
 *    repeated names are all kept (see form_count / form_get_nth).
 *  - Values are decoded bytes, not validated: they may hold control
 *    characters, invalid UTF-8 and (multipart files only) NUL bytes, so
 *    use len for binary data.  value is always NUL-terminated.
 *  - Names are 0..FORM_MAX_NAME bytes and never contain NUL; a form holds
 *    at most FORM_MAX_FIELDS fields.  Breaking either is malformed input.
 *  - Parsers return 0 on success, -1 on malformed input; after -1 the
 *    form may hold a partial parse.  The caller always calls form_free().
 *  - A JSON body costs memory in proportion to its size, never to its
 *    shape: over FORM_MAX_JSON bytes it is FORM_TOO_LARGE, and one nested
 *    deeper than FORM_JSON_DEPTH or holding more values than a form may
 *    have fields is refused (-1) by a scan that allocates nothing, before
 *    jansson builds a tree.
 *  - Nothing is read beyond len.  Allocation failure aborts (as buf.c).
 */
#ifndef MAKERSPACE_FORM_H
#define MAKERSPACE_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS		256
#define FORM_MAX_NAME		64
#define FORM_MAX_BOUNDARY	70	/* RFC 2046 */
#define FORM_MAX_HEADER_LINE	1024	/* multipart part header line */

#define FORM_MAX_JSON		(256 * 1024)	/* bytes of a JSON body */
#define FORM_JSON_DEPTH		3	/* the root object, then arrays,
					   then objects of scalars */

#define FORM_UNSUPPORTED	-2	/* form_parse_body: unknown type */
#define FORM_TOO_LARGE		-3	/* JSON over FORM_MAX_JSON: 413 */

/*
 * value is NUL-terminated but may contain NUL bytes (files): use len.
 * filename: multipart file parts only, else NULL ("" if no file chosen).
 * content_type: a multipart part's declared type, or NULL (untrusted,
 * informative only).
 */
struct form_field {
	char	*name;		/* NUL-terminated */
	char	*value;		/* NUL-terminated, see len */
	size_t	 len;		/* value length in bytes */
	char	*filename;
	char	*content_type;
};

struct form {
	struct form_field	*fields;
	size_t			 n;
	size_t			 cap;
};

void		 form_init(struct form *);
void		 form_free(struct form *);

/*
 * Each returns 0 on success, -1 on malformed input; form_parse_json also
 * FORM_TOO_LARGE.
 */
int		 form_parse_urlencoded(struct form *, const char *, size_t);
int		 form_parse_json(struct form *, const char *, size_t);
int		 form_parse_multipart(struct form *, const char *,
		    const char *, size_t);

/*
 * Dispatch on a Content-Type header value: NULL/empty -> 0 if len == 0
 * else -1; application/json -> json (which may answer FORM_TOO_LARGE,
 * -3: answer 413); multipart/form-data -> multipart;
 * application/x-www-form-urlencoded -> urlencoded; anything else ->
 * FORM_UNSUPPORTED (-2, answer 415).  Parameters such as charset are
 * ignored.
 */
int		 form_parse_body(struct form *, const char *, const char *,
		    size_t);

/*
 * Whether a Content-Type header value (NULL: none) names JSON, the one
 * body type a page on another site cannot send without a CORS preflight.
 */
int		 form_is_json(const char *);

/* Lookups; returned pointers are borrowed, valid until form_free(). */
const struct form_field	*form_get(const struct form *, const char *);
size_t			 form_count(const struct form *, const char *);
const struct form_field	*form_get_nth(const struct form *, const char *,
			    size_t);
/* The first field that is not request-safe text (form.c), or NULL. */
const struct form_field	*form_first_unsafe(const struct form *);
/* Value of the first field with that name, or NULL. */
const char		*form_value(const struct form *, const char *);

#endif

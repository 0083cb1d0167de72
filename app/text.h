/*
 * text: small pure helpers for validating and shaping user text.
 * No Kore; unit-tested in tests/unit/test_text.c.
 */
#ifndef MAKERSPACE_TEXT_H
#define MAKERSPACE_TEXT_H

#include <stddef.h>

#include "buf.h"

int	 text_utf8_valid(const char *, size_t);
size_t	 text_utf8_chars(const char *, size_t);
int	 text_request_safe(const char *, size_t);
int	 text_has_controls(const char *, size_t, int);
size_t	 text_trim(char *, size_t);
void	 text_lower_ascii(char *);
void	 text_subst(struct buf *, const char *, const char *, const char *);

/* Redirect targets (Location) longer than this are refused. */
#define TEXT_LOCAL_URL_MAX	1024

size_t	 text_copy_utf8(char *, size_t, const char *);
int	 text_local_url_ok(const char *);

#endif

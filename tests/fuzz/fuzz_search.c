/*
 * fuzz_search: libFuzzer target for the search tokenizer.
 *
 * Runs search_index_tokens and search_query_tokens on the input and
 * aborts unless the output is: tokens one space apart, none leading or
 * trailing, each only [a-z0-9] (at most SEARCH_MAX_WORD bytes) or only
 * CJK code points (decoded and checked); the count returned is the count
 * written; a query has at most SEARCH_MAX_QTOKENS distinct tokens and,
 * for inputs short enough not to be cut, each is also an index token.
 * The query is run again appended to a non-empty buffer.  Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/search.c \
 *       app/text.c app/buf.c tests/fuzz/fuzz_search.c -o build/fuzz_search
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	check_list(const char *, size_t);
static void	check_token(const unsigned char *, size_t);
static int	cjk(uint32_t);
static int	has_token(const char *, size_t, const char *, size_t);
static void	check_query(const struct buf *, size_t, const struct buf *,
		    size_t);

static int
cjk(uint32_t c)
{
	return ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2fa1f) ||
	    c == 0x3005 || c == 0x3007 || (c >= 0x3041 && c <= 0x3096) ||
	    (c >= 0x309d && c <= 0x309f) || (c >= 0x30a1 && c <= 0x30fa) ||
	    (c >= 0x30fc && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff) ||
	    (c >= 0xac00 && c <= 0xd7a3));
}

/* One token: all [a-z0-9] (short), or all well-formed CJK code points. */
static void
check_token(const unsigned char *p, size_t len)
{
	size_t		i, n, k;
	uint32_t	c;

	if (len == 0)
		abort();
	if (p[0] < 0x80) {
		if (len > SEARCH_MAX_WORD)
			abort();
		for (i = 0; i < len; i++) {
			if (!((p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= '0' && p[i] <= '9')))
				abort();
		}
		return;
	}
	for (i = 0; i < len; i += n) {
		if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 3;
			c = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 4;
			c = p[i] & 0x07;
		} else
			abort();
		if (i + n > len)
			abort();
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms could not decode into these ranges. */
		if (!cjk(c) || (n == 4 && c < 0x10000) ||
		    (n == 3 && c > 0xffff))
			abort();
	}
}

/* Check the list's shape and every token; returns the token count. */
static size_t
check_list(const char *s, size_t len)
{
	size_t	i, start, n;

	if (len == 0)
		return (0);
	if (s[0] == ' ' || s[len - 1] == ' ')
		abort();
	n = 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		check_token((const unsigned char *)s + start, i - start);
		n++;
		start = i + 1;
	}
	return (n);
}

static int
has_token(const char *s, size_t len, const char *tok, size_t tlen)
{
	size_t	i, start;

	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (i - start == tlen && memcmp(s + start, tok, tlen) == 0)
			return (1);
		start = i + 1;
	}
	return (0);
}

/* Query tokens distinct and, for an uncut input, all in the index. */
static void
check_query(const struct buf *q, size_t qn, const struct buf *ix,
    size_t size)
{
	size_t	i, start, seen;

	if (qn > SEARCH_MAX_QTOKENS)
		abort();
	seen = 0;
	start = 0;
	for (i = 0; i <= q->len && q->len > 0; i++) {
		if (i < q->len && q->data[i] != ' ')
			continue;
		if (has_token(q->data, start > 0 ? start - 1 : 0,
		    q->data + start, i - start))
			abort();
		if (size <= SEARCH_MAX_QUERY && !has_token(ix->data, ix->len,
		    q->data + start, i - start))
			abort();
		seen++;
		start = i + 1;
	}
	if (seen != qn)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 ix, q, app;
	const char	*s = (const char *)data;
	size_t		 in, qn, an;

	buf_init(&ix);
	buf_init(&q);
	buf_init(&app);

	in = search_index_tokens(s, size, &ix);
	if (check_list(ix.data, ix.len) != in)
		abort();
	qn = search_query_tokens(s, size, &q);
	if (check_list(q.data, q.len) != qn)
		abort();
	check_query(&q, qn, &ix, size);

	/* Appending: one space after the old text iff tokens came. */
	buf_appends(&app, "x");
	an = search_query_tokens(s, size, &app);
	if (an != qn || app.len != (qn ? 2 + q.len : 1) ||
	    (qn && memcmp(app.data + 2, q.data, q.len) != 0))
		abort();

	buf_free(&ix);
	buf_free(&q);
	buf_free(&app);
	return (0);
}

/*
 * fuzz_excerpt: libFuzzer target for app/excerpt.c and search_hits().
 *
 * The input is a query, a NUL byte and a Markdown text.  Aborts unless:
 * the plain text has no '*', '`', blank at either end or two blanks in a
 * row, and is valid UTF-8 when the text was; the excerpt's segments
 * cover it in order, alternate between hit and text and start at
 * characters; an excerpt of valid text is valid UTF-8 with at most
 * EXCERPT_CHARS characters; spans of search_hits() are in order,
 * disjoint, inside the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "excerpt.h"
#include "search.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_plain(const struct buf *, int);
static void	check_excerpt(const struct excerpt *, int, size_t);

static void
check_plain(const struct buf *p, int valid)
{
	size_t	i;

	if (p->len > 0 && (p->data[0] == ' ' || p->data[p->len - 1] == ' '))
		abort();
	for (i = 0; i < p->len; i++) {
		if (p->data[i] == '*' || p->data[i] == '`' ||
		    p->data[i] == '\n' || p->data[i] == '\t' ||
		    (p->data[i] == ' ' && i > 0 && p->data[i - 1] == ' '))
			abort();
	}
	if (valid && !text_utf8_valid(p->data, p->len))
		abort();
}

static void
check_excerpt(const struct excerpt *ex, int valid, size_t chars)
{
	size_t	i, at;

	at = 0;
	for (i = 0; i < ex->nseg; i++) {
		if (ex->seg[i].off != at || ex->seg[i].len == 0)
			abort();
		if (i > 0 && ex->seg[i].hit == ex->seg[i - 1].hit)
			abort();
		if (valid && ((unsigned char)ex->text.data[at] & 0xc0) == 0x80)
			abort();
		at += ex->seg[i].len;
	}
	if (at != ex->text.len || ex->nseg > EXCERPT_MAX_SEGS)
		abort();
	if (valid && !text_utf8_valid(ex->text.data, ex->text.len))
		abort();
	if (valid && chars > 0 && text_utf8_chars(ex->text.data,
	    ex->text.len) > chars)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_span	 s[16];
	struct excerpt		 ex;
	struct buf		 q, plain;
	const char		*in = (const char *)data, *text;
	size_t			 qlen, tlen, n, i;
	int			 valid;

	qlen = strnlen(in, size);
	if (qlen == size)
		return (0);
	text = in + qlen + 1;
	tlen = size - qlen - 1;
	valid = text_utf8_valid(text, tlen);

	buf_init(&q);
	buf_init(&plain);
	(void)search_query_tokens(in, qlen, &q);
	buf_appends(&q, "");

	n = search_hits(text, tlen, q.data, s, 16);
	for (i = 0; i < n; i++) {
		if (s[i].start >= s[i].end || s[i].end > tlen ||
		    (i > 0 && s[i].start <= s[i - 1].end))
			abort();
	}

	excerpt_plain(text, tlen, &plain);
	check_plain(&plain, valid);
	excerpt_make(&ex, plain.data, plain.len, q.data, EXCERPT_CHARS);
	check_excerpt(&ex, valid, EXCERPT_CHARS);
	excerpt_free(&ex);
	excerpt_make(&ex, text, tlen, q.data, 0);
	check_excerpt(&ex, valid, 0);
	excerpt_free(&ex);

	buf_free(&q);
	buf_free(&plain);
	return (0);
}

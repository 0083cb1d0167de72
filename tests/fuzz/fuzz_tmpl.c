/*
 * libFuzzer target for app/tmpl.c.
 *
 * Input: a template source, optionally followed by a NUL byte and the
 * source of a partial named "p" (the main template is "main", so each
 * may include the other).  Both are added and linked; if that succeeds,
 * both are rendered against a fixed context full of nested objects,
 * arrays and strings with < > & " '.  Besides "no crash, no sanitizer
 * report", it asserts that the data's "<xss" never reaches the output
 * unescaped and that rendering is deterministic.
 *
 * Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/tmpl.c \
 *	app/buf.c tests/fuzz/fuzz_tmpl.c -ljansson -o build/fuzz_tmpl
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "tmpl.h"

/* More section tags than this could make the output exponential. */
#define MAX_SECTIONS	8

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_init(void);
static void	name_cb(const char *, const char *, void *);
static size_t	count_sections(const uint8_t *, size_t);
static int	has_xs(const uint8_t *, size_t);
static int	has_tag_xss(const char *, size_t);
static void	render_check(const struct tmpl_set *, const char *, int);

static json_t	*ctx[2];

static const char *site_json =
    "{\"t\":{\"x\":{\"y\":\"T<'\"}},\"site\":\"S&S\",\"a\":\"site-a\"}";

static const char *page_json =
    "{\"a\":\"<xss>&\\\"'\",\"b\":{\"c\":{\"d\":\"<xss\"},\"e\":[1,2]},"
    "\"c\":[{\"a\":\"javascript:alert(1)\"},{\"a\":\"//evil\"},"
    "{\"b\":{\"a\":\"ok\"}}],\"d\":1.5,\"e\":0,\"f\":true,\"g\":false,"
    "\"h\":null,\"i\":[],\"j\":\"\",\"k\":{\"l\":[[\"<xss\",\"y\"],"
    "{\"m\":\"z\"}]},\"u\":\" JAVASCRIPT:x\",\"v\":\"/\\\\evil\","
    "\"x_html\":\"<b>raw</b>\",\"n\":-42,\"r\":0.1,\"s\":\"a\\u0000b\","
    "\"o\":{},\"l\":[\"<xss\",3,true,null,{\"a\":\"'\"}]}";

static void
fuzz_init(void)
{
	ctx[0] = json_loads(site_json, 0, NULL);
	ctx[1] = json_loads(page_json, JSON_ALLOW_NUL, NULL);
	if (ctx[0] == NULL || ctx[1] == NULL) {
		fprintf(stderr, "fuzz_tmpl: bad context JSON\n");
		abort();
	}
}

static void
name_cb(const char *name, const char *tmpl, void *arg)
{
	size_t	*n;

	n = arg;
	*n += strlen(name) + strlen(tmpl);
}

static size_t
count_sections(const uint8_t *d, size_t len)
{
	size_t	i, n;

	for (i = 0, n = 0; i < len; i++) {
		if (d[i] == '#' || d[i] == '^')
			n++;
	}
	return (n);
}

/* Does the input itself contain "xs" in any case? */
static int
has_xs(const uint8_t *d, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++) {
		if ((d[i] == 'x' || d[i] == 'X') &&
		    (d[i + 1] == 's' || d[i + 1] == 'S'))
			return (1);
	}
	return (0);
}

/* Does rendered output contain "<xss"? */
static int
has_tag_xss(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i + 4 <= len; i++) {
		if (memcmp(s + i, "<xss", 4) == 0)
			return (1);
	}
	return (0);
}

static void
render_check(const struct tmpl_set *set, const char *name, int xs)
{
	struct buf	a, b;

	buf_init(&a);
	buf_init(&b);
	if (tmpl_render(set, name, ctx, 2, &a) != 0 ||
	    tmpl_render(set, name, ctx, 2, &b) != 0)
		abort();
	if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len)))
		abort();
	if (!xs && a.len > 0 && has_tag_xss(a.data, a.len))
		abort();
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_set	*set;
	const uint8_t	*nul;
	char		 err[256];
	size_t		 mlen, n;
	int		 ok;

	if (ctx[0] == NULL)
		fuzz_init();

	set = tmpl_set_new();
	nul = memchr(data, '\0', size);
	mlen = nul != NULL ? (size_t)(nul - data) : size;

	ok = tmpl_set_add(set, "main", (const char *)data, mlen, err,
	    sizeof(err)) == 0;
	if (ok && nul != NULL)
		ok = tmpl_set_add(set, "p", (const char *)nul + 1,
		    size - mlen - 1, err, sizeof(err)) == 0;
	if (!ok && strchr(err, ':') == NULL)
		abort();
	if (ok)
		ok = tmpl_set_link(set, err, sizeof(err)) == 0;

	n = 0;
	tmpl_set_foreach_name(set, name_cb, &n);

	if (ok && count_sections(data, size) <= MAX_SECTIONS) {
		render_check(set, "main", has_xs(data, size));
		if (nul != NULL)
			render_check(set, "p", has_xs(data, size));
	}

	tmpl_set_free(set);
	return (0);
}

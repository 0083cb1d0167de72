/*
 * fuzz_md: libFuzzer target for md_render().
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/md.c \
 *     app/buf.c tests/fuzz/fuzz_md.c -lcmark -o build/fuzz_md
 * build/fuzz_md -max_total_time=60 -max_len=8192 [corpus-dir]
 *
 * Besides memory errors it checks the safety invariant on every output:
 * every '<' opens an allowed tag whose attributes are allowed and
 * double-quoted, hrefs are http(s)/mailto (with rel) or site-relative or
 * #fragment (without rel), img src is site-relative, href and src hold
 * only percent-encoded URL bytes and never start with javascript:,
 * vbscript: or data:, no on* (onerror=...) attribute, no "<script"
 * anywhere, and the mention list is lower-case [a-z0-9_]{3,32}, unique.
 * Text (also alt and title values) is escaped and inert, so "onerror="
 * or "data:" may appear there and is not checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fail(const char *, const char *);
static void	check_html(const char *);
static const char *check_tag(const char *, const char *);
static int	attr_allowed(const char *, size_t, const char *, size_t);
static int	ci_prefix(const char *, size_t, const char *);
static int	ci_contains(const char *, size_t, const char *);
static int	site_relative(const char *, size_t);
static void	check_url(const char *, size_t, const char *);
static void	check_mentions(const struct md_result *);

static void
fail(const char *why, const char *html)
{
	fprintf(stderr, "fuzz_md: %s\noutput: %s\n", why, html);
	abort();
}

static int
ci_prefix(const char *s, size_t len, const char *p)
{
	size_t	i, plen;
	char	c;

	if ((plen = strlen(p)) > len)
		return (0);
	for (i = 0; i < plen; i++) {
		c = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
		if (c != p[i])
			return (0);
	}
	return (1);
}

static int
ci_contains(const char *s, size_t len, const char *needle)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (ci_prefix(s + i, len - i, needle))
			return (1);
	}
	return (0);
}

static int
site_relative(const char *v, size_t len)
{
	return (len > 0 && v[0] == '/' &&
	    (len == 1 || (v[1] != '/' && v[1] != '\\')));
}

/* An href/src value: URL bytes only, no dangerous scheme. */
static void
check_url(const char *v, size_t len, const char *html)
{
	size_t	i;

	if (ci_prefix(v, len, "javascript:") ||
	    ci_prefix(v, len, "vbscript:") || ci_prefix(v, len, "data:"))
		fail("dangerous scheme in href/src", html);
	for (i = 0; i < len; i++) {
		if (v[i] == '&' && (ci_prefix(v + i, len - i, "&amp;") ||
		    ci_prefix(v + i, len - i, "&#39;")))
			continue;
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.~!$()*+,;=:@/?#%[]", v[i]) == NULL)
			fail("unescaped byte in href/src", html);
	}
}

static int
attr_allowed(const char *tag, size_t tlen, const char *attr, size_t alen)
{
	static const char	*ok[] = { "a href", "a rel", "a title",
	    "a class", "img src", "img alt", "img title", "img loading",
	    "ol start", "code class", NULL };
	char			 key[80];
	size_t			 i;

	if (tlen + alen + 2 > sizeof(key))
		return (0);
	snprintf(key, sizeof(key), "%.*s %.*s", (int)tlen, tag, (int)alen,
	    attr);
	for (i = 0; ok[i] != NULL; i++) {
		if (strcmp(ok[i], key) == 0)
			return (1);
	}
	return (0);
}

/* Check the tag after '<' at p; return where it ends. */
static const char *
check_tag(const char *p, const char *html)
{
	static const char	*tags[] = { "a", "p", "em", "strong", "code",
	    "pre", "blockquote", "ul", "ol", "li", "hr", "br", "img", "h1",
	    "h2", "h3", "h4", "h5", "h6", NULL };
	const char		*name, *attr, *val;
	size_t			 nlen, alen, vlen, i;
	int			 outside, rel;

	if (*p == '/')
		p++;
	for (name = p; (*p >= 'a' && *p <= 'z') || (*p >= '1' && *p <= '6');)
		p++;
	nlen = (size_t)(p - name);
	for (i = 0; tags[i] != NULL; i++) {
		if (strlen(tags[i]) == nlen &&
		    strncmp(tags[i], name, nlen) == 0)
			break;
	}
	if (tags[i] == NULL)
		fail("tag not allowed", html);

	outside = rel = 0;
	while (!(p[0] == '>' || (p[0] == ' ' && p[1] == '/' && p[2] == '>'))) {
		if (*p++ != ' ')
			fail("junk in tag", html);
		for (attr = p; *p >= 'a' && *p <= 'z'; p++)
			;
		alen = (size_t)(p - attr);
		if (alen >= 2 && attr[0] == 'o' && attr[1] == 'n')
			fail("event handler attribute", html);
		if (p[0] != '=' || p[1] != '"')
			fail("attribute not name=\"value\"", html);
		for (val = p += 2; *p != '"'; p++) {
			if (*p == '\0' || *p == '<' || *p == '>')
				fail("bad attribute value", html);
		}
		vlen = (size_t)(p++ - val);
		if (!attr_allowed(name, nlen, attr, alen))
			fail("attribute not allowed", html);
		if ((alen == 4 && strncmp(attr, "href", 4) == 0) ||
		    (alen == 3 && strncmp(attr, "src", 3) == 0))
			check_url(val, vlen, html);
		if (alen == 4 && strncmp(attr, "href", 4) == 0) {
			if (ci_prefix(val, vlen, "http:") ||
			    ci_prefix(val, vlen, "https:") ||
			    ci_prefix(val, vlen, "mailto:"))
				outside = 1;
			else if (!site_relative(val, vlen) &&
			    !(vlen > 0 && val[0] == '#'))
				fail("href not allowed", html);
		}
		if (alen == 3 && strncmp(attr, "src", 3) == 0 &&
		    !site_relative(val, vlen))
			fail("img src not site-relative", html);
		if (alen == 3 && strncmp(attr, "rel", 3) == 0) {
			if (vlen != 21 ||
			    strncmp(val, "nofollow ugc noopener", 21) != 0)
				fail("wrong rel", html);
			rel = 1;
		}
	}
	if (outside != rel)
		fail("rel does not match the link kind", html);
	return (p);
}

static void
check_html(const char *html)
{
	const char	*p;

	if (ci_contains(html, strlen(html), "<script"))
		fail("<script", html);
	for (p = html; (p = strchr(p, '<')) != NULL;)
		p = check_tag(p + 1, html);
}

static void
check_mentions(const struct md_result *r)
{
	size_t		 i, j, len;
	const char	*m;

	if (r->nmentions > MD_MAX_MENTIONS)
		fail("too many mentions", r->html);
	for (i = 0; i < r->nmentions; i++) {
		m = r->mentions[i];
		len = strspn(m, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (len != strlen(m) || len < 3 || len > 32)
			fail("bad mention name", r->html);
		for (j = 0; j < i; j++) {
			if (strcmp(r->mentions[j], m) == 0)
				fail("duplicate mention", r->html);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_result	r;

	if (md_render((const char *)data, size, &r) != 0) {
		if (size <= MD_MAX_INPUT)
			fail("refused input within the limit", "");
		return (0);
	}
	if (strlen(r.html) != r.html_len)
		fail("html_len mismatch", r.html);
	check_html(r.html);
	check_mentions(&r);
	md_result_free(&r);
	return (0);
}

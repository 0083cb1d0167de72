/*
 * test_excerpt: unit tests for app/excerpt.c (the plain text of Markdown
 * and the excerpt a search result shows) and search_hits() of
 * app/search.c.  Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "excerpt.h"
#include "search.h"
#include "unit.h"

static void		 test_plain(void);
static void		 test_plain_links(void);
static void		 test_hits(void);
static void		 test_window(void);
static void		 test_window_cjk(void);
static void		 test_segments_cover(void);
static void		 test_hostile(void);
static const char	*plain(const char *);
static const char	*marked(const char *, const char *, size_t);
static const char	*qtok(const char *);
static size_t		 chars(const char *);

static struct buf	pbuf, mbuf, qbuf;

/* The plain text of Markdown s, in a buffer the next call reuses. */
static const char *
plain(const char *s)
{
	buf_reset(&pbuf);
	excerpt_plain(s, strlen(s), &pbuf);
	return (pbuf.data);
}

/* The query tokens of a typed query. */
static const char *
qtok(const char *q)
{
	buf_reset(&qbuf);
	(void)search_query_tokens(q, strlen(q), &qbuf);
	buf_appends(&qbuf, "");
	return (qbuf.data);
}

/*
 * The excerpt of text for query q (typed), hits in [brackets]; also
 * checks that the segments cover the text exactly, in order.
 */
static const char *
marked(const char *text, const char *q, size_t n)
{
	struct excerpt	 ex;
	size_t		 i, at;
	int		 ok;

	excerpt_make(&ex, text, strlen(text), qtok(q), n);
	buf_reset(&mbuf);
	ok = 1;
	at = 0;
	for (i = 0; i < ex.nseg; i++) {
		if (ex.seg[i].off != at || ex.seg[i].len == 0)
			ok = 0;
		if (i > 0 && ex.seg[i].hit == ex.seg[i - 1].hit)
			ok = 0;
		if (ex.seg[i].hit)
			buf_appendc(&mbuf, '[');
		buf_append(&mbuf, ex.text.data + ex.seg[i].off,
		    ex.seg[i].len);
		if (ex.seg[i].hit)
			buf_appendc(&mbuf, ']');
		at += ex.seg[i].len;
	}
	if (at != ex.text.len)
		ok = 0;
	buf_appends(&mbuf, "");
	CHECK(ok, "segments cover the excerpt in order");
	excerpt_free(&ex);
	return (mbuf.data);
}

static size_t
chars(const char *s)
{
	size_t	n;

	for (n = 0; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

static void
test_plain(void)
{
	CHECK_STR(plain("The **Arduino** core works; `x`"),
	    "The Arduino core works; x", "plain: emphasis and code marks go");
	CHECK_STR(plain("# Title\n\n> quoted\n- one\n* two\n+ three\n"
	    "12. twelve\n3) three"), "Title quoted one two three twelve "
	    "three", "plain: block marks at line starts go");
	CHECK_STR(plain("> > - nested"), "nested",
	    "plain: repeated block marks go");
	CHECK_STR(plain("#hashtag 1.5 mm -x"), "#hashtag 1.5 mm -x",
	    "plain: marks without a blank after them stay");
	CHECK_STR(plain("####### seven"), "####### seven",
	    "plain: seven #s are not a heading");
	CHECK_STR(plain("  a \t\r\n\n  b  "), "a b",
	    "plain: white space collapses, none at the ends");
	CHECK_STR(plain("~~gone~~ a~b"), "gone a~b", "plain: ~~ goes, ~ stays");
	CHECK_STR(plain("<b>bold</b> & co"), "<b>bold</b> & co",
	    "plain: raw HTML stays text (the template escapes it)");
	CHECK_STR(plain(""), "", "plain: empty");
	CHECK_STR(plain("中文 **粗体** 文字"), "中文 粗体 文字",
	    "plain: CJK kept whole");
	buf_reset(&pbuf);
	buf_appends(&pbuf, "x");
	excerpt_plain(" y", 2, &pbuf);
	CHECK_STR(pbuf.data, "xy", "plain: appends, no space of its own");
}

static void
test_plain_links(void)
{
	CHECK_STR(plain("see [the docs](http://x/y) and ![a cat](/c.png)"),
	    "see the docs and a cat", "links: text and alt text kept");
	CHECK_STR(plain("[**bold** `c`](u)"), "bold c",
	    "links: inline marks go inside link text");
	CHECK_STR(plain("[no link] (x) [a](b"), "[no link] (x) [a](b",
	    "links: not links stay");
	CHECK_STR(plain("[a\nb](u\nv) c"), "a b c",
	    "links: line breaks inside");
	CHECK_STR(plain("![](x) y"), "y", "links: empty alt text");
	CHECK_STR(plain("a [b [c](d) e"), "a b [c e",
	    "links: the first ']' closes the text");
}

static void
test_hits(void)
{
	struct search_span	s[8];
	const char		*t;
	size_t			 n;

	t = "Using an ESP32 with café and Ｅｓｐ３２";
	n = search_hits(t, strlen(t), qtok("esp32 cafe"), s, 8);
	CHECK(n == 3, "hits: esp32 twice and café");
	CHECK(n == 3 && s[0].start == 9 && s[0].end == 14,
	    "hits: ESP32 by its bytes");
	CHECK(n == 3 && memcmp(t + s[1].start, "café", s[1].end -
	    s[1].start) == 0 && s[1].end - s[1].start == strlen("café"),
	    "hits: café covers the accent");
	CHECK(n == 3 && s[2].end == strlen(t), "hits: full-width word");
	CHECK(search_hits("espresso esp", 12, qtok("esp32"), s, 8) == 0,
	    "hits: words, not prefixes");
	t = "楼下的激光打印机可以用";
	n = search_hits(t, strlen(t), qtok("打印机"), s, 8);
	CHECK(n == 1 && s[0].start == 15 && s[0].end == 24,
	    "hits: CJK pairs merge into 打印机");
	n = search_hits(t, strlen(t), qtok("机"), s, 8);
	CHECK(n == 1 && s[0].start == 21 && s[0].end == 24,
	    "hits: a single character");
	n = search_hits(t, strlen(t), qtok("印打"), s, 8);
	CHECK(n == 0, "hits: a pair in the other order is not there");
	t = "ESP32智能花盆";
	n = search_hits(t, strlen(t), qtok("esp32 花盆"), s, 8);
	CHECK(n == 2 && s[0].end == 5 && s[1].start == 11,
	    "hits: a script change ends a word");
	t = "a a a a a a a a a a";
	CHECK(search_hits(t, strlen(t), qtok("a"), s, 3) == 3,
	    "hits: at most max spans");
	CHECK(search_hits(t, strlen(t), "", s, 8) == 0, "hits: no tokens");
	t = "x\xff" "a\xc3";
	CHECK(search_hits(t, strlen(t), qtok("a"), s, 8) == 1,
	    "hits: invalid bytes separate");
}

static void
test_window(void)
{
	char		 text[2048];
	const char	*m;
	size_t		 i;

	CHECK_STR(marked("The Arduino core works", "arduino", 160),
	    "The [Arduino] core works", "window: short text whole");
	CHECK_STR(marked("The Arduino core works", "", 160),
	    "The Arduino core works", "window: no query");
	/* A long text with the word far in. */
	text[0] = '\0';
	for (i = 0; i < 60; i++)
		strcat(text, "word ");
	strcat(text, "target ");
	for (i = 0; i < 60; i++)
		strcat(text, "more ");
	m = marked(text, "target", 160);
	CHECK(strstr(m, "[target]") != NULL, "window: the hit is in it");
	CHECK(strncmp(m, "\xe2\x80\xa6word ", 8) == 0,
	    "window: starts at a word, after …");
	CHECK(strlen(m) > 3 && strcmp(m + strlen(m) - 3, "\xe2\x80\xa6") == 0,
	    "window: … where it was cut");
	CHECK(chars(m) - 2 <= 160, "window: at most 160 characters");
	CHECK(strstr(m, "more \xe2\x80\xa6") == NULL, "window: no space "
	    "before the closing …");
	/* No hit: the start. */
	m = marked(text, "absent", 160);
	CHECK(strncmp(m, "word word", 9) == 0 && chars(m) <= 160,
	    "window: no hit, the start");
	/* The hit at the very end: the window still fills up. */
	text[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(text, "word ");
	strcat(text, "target");
	m = marked(text, "target", 160);
	CHECK(strlen(m) > 8 && strcmp(m + strlen(m) - 8, "[target]") == 0,
	    "window: hit at the end");
	CHECK(chars(m) - 2 >= 150 && chars(m) - 2 <= 160,
	    "window: near the end it is still full");
	/* A hit near the start: no leading …. */
	m = marked("A target then words words words words words words words "
	    "words words words words words words words words words words "
	    "words words words words words words words words", "target", 60);
	CHECK(strncmp(m, "A [target]", 10) == 0, "window: hit near start");
	CHECK(chars(m) - 2 <= 60, "window: 60 characters");
	/* Titles: everything. */
	m = marked(text, "target", 0);
	CHECK(strlen(m) == strlen(text) + 2 &&
	    strcmp(m + strlen(m) - 8, "[target]") == 0,
	    "window: 0 means whole");
}

static void
test_window_cjk(void)
{
	char		 text[4096];
	const char	*m;
	size_t		 i;

	text[0] = '\0';
	for (i = 0; i < 80; i++)
		strcat(text, "这是");
	strcat(text, "烙铁的温度要调到三百五十度");
	for (i = 0; i < 80; i++)
		strcat(text, "一段");
	m = marked(text, "烙铁", 160);
	CHECK(strstr(m, "[烙铁]") != NULL, "cjk window: the hit is in it");
	CHECK(strncmp(m, "\xe2\x80\xa6", 3) == 0, "cjk window: cut before");
	CHECK(chars(m) - 2 <= 160, "cjk window: at most 160 characters");
	/* 40 characters before the hit, no space to start at. */
	CHECK(strncmp(m + 3, "这是这是", 12) == 0 &&
	    strstr(m, "[烙铁]") - m == 3 + 40 * 3, "cjk window: 40 before");
	m = marked(text, "温度 三百", 160);
	CHECK(strstr(m, "[温度]") != NULL && strstr(m, "[三百]") != NULL,
	    "cjk window: every query token is marked");
}

/* Segments never split a UTF-8 sequence and cover the text. */
static void
test_segments_cover(void)
{
	struct excerpt	 ex;
	const char	*t;
	size_t		 i;
	int		 ok;

	t = "é打印机é打印é打é";
	excerpt_make(&ex, t, strlen(t), qtok("打印"), 5);
	ok = 1;
	for (i = 0; i < ex.nseg; i++) {
		if (((unsigned char)ex.text.data[ex.seg[i].off] & 0xc0) ==
		    0x80)
			ok = 0;
	}
	CHECK(ok, "segments: start at characters");
	CHECK(chars(ex.text.data) <= 5, "segments: 5 characters");
	excerpt_free(&ex);
}

static void
test_hostile(void)
{
	struct excerpt	 ex;
	char		*big;
	size_t		 i, n;

	/* Many hits: at most EXCERPT_MAX_SEGS segments, the rest text. */
	big = malloc(4001);
	for (i = 0; i < 4000; i += 2) {
		big[i] = 'a';
		big[i + 1] = ' ';
	}
	big[4000] = '\0';
	excerpt_make(&ex, big, 4000, qtok("a"), 0);
	CHECK(ex.nseg <= EXCERPT_MAX_SEGS, "hostile: segments capped");
	CHECK(ex.nseg > 0 && !ex.seg[ex.nseg - 1].hit,
	    "hostile: past the cap, text");
	CHECK(ex.text.len == 3999, "hostile: all of it kept");
	excerpt_free(&ex);
	/* "[[[[" and "](((" everywhere: linear, and kept as text. */
	for (i = 0; i < 4000; i++)
		big[i] = i % 3 == 0 ? '[' : i % 3 == 1 ? ']' : '(';
	buf_reset(&pbuf);
	excerpt_plain(big, 4000, &pbuf);
	CHECK(pbuf.len == 4000, "hostile: brackets without links stay");
	memset(big, '[', 4000);
	buf_reset(&pbuf);
	excerpt_plain(big, 4000, &pbuf);
	CHECK(pbuf.len == 4000, "hostile: 4000 [");
	free(big);
	/* Invalid bytes survive without crashing. */
	excerpt_make(&ex, "\xff\xfe a \xc3", 7, qtok("a"), 3);
	n = ex.text.len;
	CHECK(n > 0, "hostile: invalid UTF-8");
	excerpt_free(&ex);
}

int
main(void)
{
	buf_init(&pbuf);
	buf_init(&mbuf);
	buf_init(&qbuf);
	test_plain();
	test_plain_links();
	test_hits();
	test_window();
	test_window_cjk();
	test_segments_cover();
	test_hostile();
	buf_free(&pbuf);
	buf_free(&mbuf);
	buf_free(&qbuf);
	UNIT_DONE("test_excerpt");
}

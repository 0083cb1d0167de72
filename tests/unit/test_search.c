/*
 * test_search: unit tests for app/search.c (the search tokenizer).
 * Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"
#include "unit.h"

static void		 test_cjk(void);
static void		 test_latin(void);
static void		 test_mixed(void);
static void		 test_fullwidth(void);
static void		 test_separators(void);
static void		 test_hostile(void);
static void		 test_query_limits(void);
static void		 test_invalid_utf8(void);
static void		 test_empty_append(void);
static void		 test_input_cap(void);
static void		 test_property(void);
static const char	*idx(const char *);
static const char	*qry(const char *);
static int		 has_token(const char *, const char *, size_t);
static int		 subset(const char *, const char *);
static int		 well_formed(const char *, size_t);
static size_t		 count_tokens(const char *);
static int		 all_han(const char *, size_t);
static size_t		 tsv_cost(const char *);

static struct buf	ibuf, qbuf;
static size_t		ilast, qlast;

/* Index tokens of a C string, in a buffer reused by the next call. */
static const char *
idx(const char *s)
{
	buf_reset(&ibuf);
	ilast = search_index_tokens(s, strlen(s), &ibuf);
	buf_appends(&ibuf, "");
	return (ibuf.data);
}

static const char *
qry(const char *s)
{
	buf_reset(&qbuf);
	qlast = search_query_tokens(s, strlen(s), &qbuf);
	buf_appends(&qbuf, "");
	return (qbuf.data);
}

/* Whether the space-separated list has the token tok[0..len). */
static int
has_token(const char *list, const char *tok, size_t len)
{
	const char	*p, *e;

	for (p = list; *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && memcmp(p, tok, len) == 0)
			return (1);
	}
	return (0);
}

/* Whether every token of a is a token of b. */
static int
subset(const char *a, const char *b)
{
	const char	*p, *e;

	for (p = a; *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		if (!has_token(b, p, (size_t)(e - p)))
			return (0);
	}
	return (1);
}

static size_t
count_tokens(const char *s)
{
	size_t	n;

	if (*s == '\0')
		return (0);
	for (n = 1; *s != '\0'; s++)
		n += (*s == ' ');
	return (n);
}

/*
 * Tokens of [a-z0-9] or CJK (3- or 4-byte UTF-8 in the CJK blocks),
 * one space apart, none leading or trailing.
 */
static int
well_formed(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;
	unsigned int		 c;

	for (i = 0; i < len; ) {
		c = p[i];
		if (c == ' ') {
			if (i == 0 || i + 1 == len || p[i + 1] == ' ')
				return (0);
			i++;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			i++;
		} else if (c >= 0xe3 && c <= 0xef && i + 2 < len) {
			c = ((c & 0x0f) << 12) | ((p[i + 1] & 0x3f) << 6) |
			    (p[i + 2] & 0x3f);
			if (c < 0x3005 || (c > 0x9fff && c < 0xac00) ||
			    (c > 0xd7a3 && c < 0xf900) || c > 0xfaff)
				return (0);
			i += 3;
		} else if (c == 0xf0 && i + 3 < len) {
			c = ((p[i + 1] & 0x3f) << 12) |
			    ((p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
			if (c < 0x20000 || c > 0x2fa1f)
				return (0);
			i += 4;
		} else
			return (0);
	}
	return (1);
}

/* The budget's measure of a token list: bytes + 5 per token. */
static size_t
tsv_cost(const char *s)
{
	size_t	n;

	n = count_tokens(s);
	return (strlen(s) - (n > 0 ? n - 1 : 0) + 5 * n);
}

/* Whether s[0..len) is only URO Han (U+4E00..U+9FFF), as in the samples. */
static int
all_han(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	if (len == 0 || len % 3 != 0)
		return (0);
	for (i = 0; i < len; i += 3) {
		if (p[i] < 0xe4 || p[i] > 0xe9)
			return (0);
	}
	return (1);
}

static void
test_cjk(void)
{
	char	ix[256];

	CHECK_STR(idx("智能花盆"), "智 能 花 盆 智能 能花 花盆",
	    "index: 智能花盆 gives unigrams then bigrams");
	CHECK(ilast == 7, "index: 智能花盆 is 7 tokens");
	snprintf(ix, sizeof(ix), "%s", ibuf.data);
	CHECK_STR(qry("智能花盆"), "智能 能花 花盆", "query: bigrams only");
	CHECK(qlast == 3, "query: 智能花盆 is 3 tokens");
	CHECK_STR(qry("花盆"), "花盆", "query: 花盆");
	CHECK(subset(qbuf.data, ix), "query 花盆 within index of 智能花盆");
	CHECK_STR(qry("智能"), "智能", "query: 智能");
	CHECK(subset(qbuf.data, ix), "query 智能 within index of 智能花盆");
	CHECK_STR(qry("能"), "能", "query: lone Han character is a unigram");
	CHECK(subset(qbuf.data, ix), "query 能 within index of 智能花盆");
	CHECK_STR(qry("能盆"), "能盆", "query: 能盆 is one bigram");
	CHECK(!subset(qbuf.data, ix), "query 能盆 not in 智能花盆");
	CHECK_STR(idx("打印机"), "打 印 机 打印 印机", "index: 打印机");
	CHECK_STR(idx("ロボット"), "ロ ボ ッ ト ロボ ボッ ット",
	    "index: katakana as a CJK run");
	CHECK_STR(qry("한국어"), "한국 국어", "query: Hangul bigrams");
	CHECK_STR(idx("\xf0\xa0\x80\x80\xf0\xa0\x80\x81"),
	    "\xf0\xa0\x80\x80 \xf0\xa0\x80\x81 "
	    "\xf0\xa0\x80\x80\xf0\xa0\x80\x81",
	    "index: Han extension B (4-byte UTF-8)");
	/* 葛 + ideographic variation selector U+E0100 + 城 */
	CHECK_STR(qry("葛\xf3\xa0\x84\x80城"), "葛城",
	    "query: variation selector inside a run is dropped");
	CHECK_STR(qry("花盆 花盆 花盆"), "花盆", "query: repeated tokens once");
	CHECK(qlast == 1, "query: repeated tokens counted once");
}

static void
test_latin(void)
{
	char	w[64], want[64];

	CHECK_STR(idx("ESP32"), "esp32", "index: ESP32");
	CHECK_STR(qry("ESP32"), "esp32", "query: ESP32");
	CHECK_STR(idx("Hello World, ARDUINO Uno!"), "hello world arduino uno",
	    "index: English lower-cased");
	CHECK_STR(qry("Arduino  UNO"), "arduino uno", "query: lower-cased");
	CHECK_STR(idx("Café Straße ÆON Œuvre Łódź Ĳssel ſ"),
	    "cafe strasse aeon oeuvre lodz ijssel s",
	    "index: Latin-1 and Extended-A folded to ASCII");
	CHECK_STR(qry("CAFÉ"), "cafe", "query: É folded like the index");
	CHECK_STR(idx("cafe\xcc\x81 nai\xcc\x88ve"), "cafe naive",
	    "index: combining marks (NFD) do not split words");
	CHECK_STR(idx("2×3÷4"), "2 3 4", "index: × and ÷ separate");
	CHECK_STR(idx("C++ C# 3D-printer don't"), "c c 3d printer don t",
	    "index: c++ and c# become c, hyphen and apostrophe split");
	CHECK_STR(idx("soft\xc2\xadhyphen"), "softhyphen",
	    "index: soft hyphen is ignored");
	CHECK_STR(idx("Привет мир α"), "",
	    "index: scripts that are not indexed separate");

	memset(w, 'A', 50);
	w[50] = '\0';
	memset(want, 'a', 40);
	want[40] = '\0';
	CHECK_STR(idx(w), want, "index: word cut to 40 bytes");
	CHECK_STR(qry(w), want, "query: word cut to 40 bytes too");
	/* 39 bytes, then ß (two bytes "ss") would pass 40: cut before it. */
	memset(w, 'b', 39);
	snprintf(w + 39, sizeof(w) - 39, "ßc");
	memset(want, 'b', 39);
	want[39] = '\0';
	CHECK_STR(idx(w), want, "index: cut never splits a folded letter");
}

static void
test_mixed(void)
{
	char	ix[256];

	CHECK_STR(idx("用ESP32做智能花盆！"),
	    "用 esp32 做 智 能 花 盆 做智 智能 能花 花盆",
	    "index: mixed text splits at the script boundary");
	snprintf(ix, sizeof(ix), "%s", ibuf.data);
	CHECK_STR(qry("用ESP32做智能花盆！"), "用 esp32 做智 智能 能花 花盆",
	    "query: mixed text");
	CHECK(subset(qbuf.data, ix), "query of mixed text within its index");
	CHECK_STR(qry("ESP32 花盆"), "esp32 花盆", "query: esp32 花盆");
	CHECK(subset(qbuf.data, ix), "query esp32 花盆 within index");
	CHECK_STR(idx("3D打印机Pro"), "3d 打 印 机 打印 印机 pro",
	    "index: Latin after CJK");
}

static void
test_fullwidth(void)
{
	CHECK_STR(idx("ＥＳＰ３２"), "esp32", "index: full-width ＥＳＰ３２");
	CHECK_STR(qry("ｅｓｐ３２"), "esp32", "query: full-width lower case");
	CHECK_STR(idx("ＡＢ！ＣＤ：ＥＦ［ｇ］"), "ab cd ef g",
	    "index: full-width punctuation separates");
	CHECK_STR(idx("Ｅsp32"), "esp32", "index: full-width and ASCII mix");
}

static void
test_separators(void)
{
	CHECK_STR(idx("花盆，智能。好！吗？「对」"),
	    "花 盆 花盆 智 能 智能 好 吗 对",
	    "index: full-width CJK punctuation separates");
	CHECK_STR(idx("花盆\xf0\x9f\x8c\xb1智能"), "花 盆 花盆 智 能 智能",
	    "index: emoji separates");
	CHECK_STR(idx("花盆\xe3\x80\x80智能\t\n\r led"),
	    "花 盆 花盆 智 能 智能 led",
	    "index: ideographic space and controls separate");
	CHECK_STR(qry("  a--b..c//d  "), "a b c d",
	    "query: ASCII punctuation separates");
	CHECK_STR(idx("・ー"), "ー", "index: katakana middle dot separates");
}

static void
test_hostile(void)
{
	static const char *const bad[] = {
		"%", "_", "\\", "'", "\"", "&", "|", "!", "(", ")", ":", "*",
		"<", ">", "%_\\'\"&|!():*<>", "'; DROP TABLE users; --",
		"\x01\x02\x1b[0m\x7f", "&|!():*<>%_\\"
	};
	size_t	i;
	int	ok;

	ok = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)qry(bad[i]);
		if (!well_formed(qbuf.data, qbuf.len))
			ok = 0;
		if (i < 15 && (qlast != 0 || qbuf.len != 0))
			ok = 0;
	}
	CHECK(ok, "query: operator and LIKE characters give no tokens");
	CHECK_STR(qry("a%b_c\\d'e\"f&g|h!i(j)k:l*m<n>o"),
	    "a b c d e f g h i j k l m n o",
	    "query: hostile characters only separate");
	CHECK(well_formed(qbuf.data, qbuf.len),
	    "query: hostile is well formed");
	CHECK_STR(qry("'; DROP TABLE users; --"), "drop table users",
	    "query: SQL text is just words");
	CHECK_STR(qry("esp32:* & !arduino"), "esp32 arduino",
	    "query: tsquery operators are dropped");
}

static void
test_query_limits(void)
{
	struct buf	q;
	size_t		i;
	char		want[64];

	/* 195 spaces, "abcde" ends at character 200, "fgh" is cut. */
	buf_init(&q);
	for (i = 0; i < 195; i++)
		buf_appendc(&q, ' ');
	buf_appends(&q, "abcdefgh");
	CHECK_STR(qry(q.data), "abcde", "query: cut at 200 characters");

	/* The same with a CJK character counting as one character. */
	buf_reset(&q);
	for (i = 0; i < 198; i++)
		buf_appends(&q, "。");
	buf_appends(&q, "花盆智能");
	CHECK_STR(qry(q.data), "花盆", "query: cut counts characters");

	buf_reset(&q);
	for (i = 0; i < 300; i++)
		buf_appends(&q, "智能");
	(void)qry(q.data);
	CHECK(qlast == 2, "query: long repeated run gives distinct bigrams");
	CHECK_STR(qbuf.data, "智能 能智", "query: 智能智能... bigrams");

	buf_reset(&q);
	for (i = 0; i < 40; i++)
		buf_appendf(&q, "w%zu ", i);
	(void)qry(q.data);
	CHECK(qlast == SEARCH_MAX_QTOKENS, "query: 40 words cut to 32");
	CHECK(count_tokens(qbuf.data) == 32, "query: 32 tokens in output");
	CHECK(has_token(qbuf.data, "w31", 3) && !has_token(qbuf.data, "w32", 3),
	    "query: the first 32 words are kept");
	CHECK(well_formed(qbuf.data, qbuf.len),
	    "query: cut output well formed");

	/* 40 distinct CJK characters: 39 bigrams, cut to 32. */
	buf_reset(&q);
	for (i = 0; i < 40; i++)
		buf_appendf(&q, "\xe4\xb8%c", (char)(0x80 + i));
	(void)qry(q.data);
	CHECK(qlast == 32 && count_tokens(qbuf.data) == 32,
	    "query: CJK bigrams cut to 32");

	/* Cap reached right after a CJK run: the next word is not added. */
	buf_reset(&q);
	for (i = 0; i < 33; i++)
		buf_appendf(&q, "\xe4\xb8%c", (char)(0x80 + i));
	buf_appends(&q, "tail");
	(void)qry(q.data);
	CHECK(qlast == 32 && !has_token(qbuf.data, "tail", 4),
	    "query: no token after the cap");
	snprintf(want, sizeof(want), "%zu", count_tokens(qbuf.data));
	CHECK_STR(want, "32", "query: output agrees with the count");
	buf_free(&q);
}

static void
test_invalid_utf8(void)
{
	CHECK_STR(idx("ab\xff" "cd"), "ab cd", "index: 0xff separates");
	CHECK_STR(idx("花\x80盆"), "花 盆", "index: stray continuation splits");
	CHECK_STR(idx("\xe6\x99" "ab"), "ab", "index: truncated sequence");
	CHECK_STR(idx("a\xc0\xaf" "b"), "a b", "index: overlong '/' separates");
	CHECK_STR(idx("a\xed\xa0\x80" "b"), "a b",
	    "index: surrogate separates");
	CHECK_STR(idx("a\xf4\x90\x80\x80" "b"), "a b",
	    "index: above U+10FFFF separates");
	CHECK_STR(qry("\xe6\x99\xba\xe8\x83"), "智",
	    "query: truncated tail after a valid character");
	CHECK(well_formed(qbuf.data, qbuf.len),
	    "query: invalid is well formed");
	buf_reset(&ibuf);
	ilast = search_index_tokens("ab\0cd", 5, &ibuf);
	CHECK(ilast == 2 && strcmp(ibuf.data, "ab cd") == 0,
	    "index: NUL byte separates");
}

static void
test_empty_append(void)
{
	struct buf	b;
	size_t		n;

	buf_init(&b);
	n = search_index_tokens("", 0, &b);
	CHECK(n == 0 && b.len == 0, "index: empty input, no tokens");
	n = search_query_tokens("", 0, &b);
	CHECK(n == 0 && b.len == 0, "query: empty input, no tokens");
	n = search_query_tokens(" ，。!! ", strlen(" ，。!! "), &b);
	CHECK(n == 0 && b.len == 0, "query: only separators, no tokens");

	buf_appends(&b, "Title");
	n = search_index_tokens("智能 body", strlen("智能 body"), &b);
	CHECK(n == 4, "index: appended count");
	CHECK_STR(b.data, "Title 智 能 智能 body",
	    "index: appending adds one space");
	n = search_index_tokens("!!", 2, &b);
	CHECK(n == 0, "index: appending nothing");
	CHECK_STR(b.data, "Title 智 能 智能 body",
	    "index: appending nothing leaves no space");
	buf_appendc(&b, ' ');
	n = search_query_tokens("x x", 3, &b);
	CHECK_STR(b.data, "Title 智 能 智能 body x",
	    "query: no double space, duplicates only within the call");
	n = search_query_tokens("body", 4, &b);
	CHECK_STR(b.data, "Title 智 能 智能 body x body",
	    "query: earlier text is not a duplicate");
	buf_free(&b);
}

static void
test_input_cap(void)
{
	struct buf	text, out;
	size_t		i, k, n;

	buf_init(&text);
	buf_init(&out);
	for (i = 0; i < SEARCH_MAX_INPUT / 2; i++)
		buf_appends(&text, "a ");
	buf_appends(&text, "zzz");
	n = search_index_tokens(text.data, text.len, &out);
	CHECK(n == SEARCH_MAX_INPUT / 2,
	    "index: input cut at SEARCH_MAX_INPUT");
	CHECK(!has_token(out.data, "zzz", 3),
	    "index: text after the cap ignored");

	/*
	 * A run of k CJK characters would give k unigrams (3 bytes, cost
	 * 3 + 5) and k - 1 bigrams (cost 6 + 5): too much for the tsvector
	 * budget, so all unigrams come, then the bigrams that still fit.
	 */
	buf_reset(&text);
	buf_reset(&out);
	k = SEARCH_MAX_INPUT / 3;
	for (i = 0; i < k; i++)
		buf_appendf(&text, "\xe4%c%c", (char)(0xb8 + i % 8),
		    (char)(0x80 + i % 64));
	n = search_index_tokens(text.data, text.len, &out);
	CHECK(n == k + (SEARCH_MAX_TSV - 8 * k) / 11,
	    "index: long CJK run stops at the tsvector budget");
	CHECK(tsv_cost(out.data) <= SEARCH_MAX_TSV,
	    "index: cost within budget");
	CHECK(count_tokens(out.data) == n, "index: long run count agrees");
	CHECK(well_formed(out.data, out.len), "index: long run well formed");

	/* Short CJK runs are cheaper than the budget: everything comes. */
	buf_reset(&text);
	buf_reset(&out);
	for (i = 0; i < SEARCH_MAX_INPUT / 10; i++)
		buf_appends(&text, "花盆。\n");
	n = search_index_tokens(text.data, text.len, &out);
	CHECK(n == 3 * (SEARCH_MAX_INPUT / 10), "index: 256 KB of short runs");
	buf_free(&text);
	buf_free(&out);
}

/*
 * The property the feature rests on: a query made of any piece of a
 * CJK run of a text (or of the whole text) only asks for tokens that the
 * text's index holds.
 */
static void
test_property(void)
{
	static const char *const samples[] = {
		"智能花盆",
		"用ESP32做智能花盆！",
		"3D打印机的喷头堵了，怎么办？",
		"激光切割机使用前请先参加安全培训。",
		"Arduino入门：点亮LED灯，然后做一个温湿度传感器。",
		"周六下午两点在二楼工作室举行焊接工作坊",
		"木工房的台锯需要更换锯片 (Table saw blade)",
	};
	char		ix[4096], sub[512];
	const char	*s;
	size_t		k, a, b, len, checked;
	int		ok;

	ok = 1;
	checked = 0;
	for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		s = samples[k];
		len = strlen(s);
		snprintf(ix, sizeof(ix), "%s", idx(s));
		if (!well_formed(ibuf.data, ibuf.len))
			ok = 0;
		if (!subset(qry(s), ix))
			ok = 0;
		for (a = 0; a < len; a++) {
			for (b = a + 3; b <= len && b - a < sizeof(sub); b++) {
				if (!all_han(s + a, b - a))
					continue;
				memcpy(sub, s + a, b - a);
				sub[b - a] = '\0';
				checked++;
				if (!subset(qry(sub), ix) || qlast == 0) {
					printf("# %s: query %s not in index\n",
					    s, sub);
					ok = 0;
				}
			}
		}
	}
	CHECK(checked > 100, "property: enough CJK substrings tried");
	CHECK(ok, "property: query tokens of CJK substrings are index tokens");
}

int
main(void)
{
	buf_init(&ibuf);
	buf_init(&qbuf);
	test_cjk();
	test_latin();
	test_mixed();
	test_fullwidth();
	test_separators();
	test_hostile();
	test_query_limits();
	test_invalid_utf8();
	test_empty_append();
	test_input_cap();
	test_property();
	buf_free(&ibuf);
	buf_free(&qbuf);
	UNIT_DONE("test_search");
}

/*
 * test_jparse: unit tests for app/jparse.c (the fast JSON parser).
 * Built with ASan/UBSan; see tests/unit/unit.h.
 *
 * Every document is parsed from a malloc'ed copy of exactly its length,
 * so ASan reports a read past len.  Valid documents must give a tree
 * json_equal() to jansson's json_loadb(..., JSON_DECODE_ANY, ...), and
 * so must every prefix of them (mostly NULL on both sides); invalid ones
 * must give NULL (and do in jansson too, except for the differences
 * documented in jparse.c).  The speed against json_loadb is printed,
 * not checked: under the sanitizers it means little.  For real figures
 * build without them, e.g.
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iapp app/jparse.c \
 *       tests/unit/test_jparse.c -ljansson -o build/test_jparse_O2
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jparse.h"
#include "unit.h"

/* A document with its length: it may hold NUL bytes. */
struct doc {
	const char	*s;
	size_t		 len;
};

#define DOC(lit)	{ (lit), sizeof(lit) - 1 }

static void		 test_valid(void);
static void		 test_invalid(void);
static void		 test_differences(void);
static void		 test_boundaries(void);
static void		 test_depth(void);
static void		 test_values(void);
static void		 test_long(void);
static void		 test_generated(void);
static json_t		*jp_copy(const char *, size_t);
static json_t		*jl(const char *, size_t);
static int		 same(const char *, size_t);
static int		 prefixes_same(const char *, size_t);
static const char	*show(const char *, size_t);
static char		*nested(int, const char *, const char *,
			    const char *);
static char		*gen_doc(size_t, uint32_t);
static json_t		*gen_item(int);
static json_t		*gen_text(int, int);
static void		 add_utf8(char *, size_t *, uint32_t);
static uint32_t		 rnd(void);
static double		 now(void);
static void		 bench(const char *, const char *, size_t);

static uint32_t		 rnd_state;

static const struct doc	valid[] = {
	DOC("null"), DOC("true"), DOC("false"), DOC("0"), DOC("-0"),
	DOC("7"), DOC("-7"), DOC("123456789"), DOC("9223372036854775807"),
	DOC("-9223372036854775808"), DOC("1000000000000000000"),
	DOC("0.5"), DOC("-0.0"), DOC("1.5"), DOC("3.14159265358979"),
	DOC("1e10"), DOC("1E+10"), DOC("1e-10"), DOC("-1.25e-3"),
	DOC("2.5E2"), DOC("0e0"), DOC("1e-400"), DOC("1.7976931348623157e308"),
	DOC("123456789012345678901234567890.5"), DOC("1e0001"),
	DOC("\"\""), DOC("\"abc\""),
	DOC("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u4e2d \\ud83d\\ude00\""),
	DOC("\"\\u00E9\\u4E2D\\uD83D\\uDE00\\u0001\\u001f\\u007f\\uffff\""),
	DOC("\"\\\\\\\\\\\"\\\"\""),
	DOC("\"中文字符，测试。\""), DOC("\"😀🎉\""), DOC("\"café\""),
	DOC("\"\xef\xbf\xbf \xf4\x8f\xbf\xbf \xf0\x90\x80\x80 \xe0\xa0\x80 "
	    "\xc2\x80 \xed\x9f\xbf \xee\x80\x80\""),
	DOC("\"\x7f del\""),
	DOC("\"<p class=\\\"lead\\\">你好, <b>世界</b></p>\\n\""),
	DOC("[]"), DOC("{}"), DOC("[ ]"), DOC("{ }"), DOC("[1,2,3]"),
	DOC("[[],{},[[]],{\"a\":{}},[{}]]"),
	DOC("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"),
	DOC(" \t\r\n{ \t\"a\" \n: \r[ 1 ,\t2 ] , \"b\"\t:\tnull } \n"),
	DOC("  \"x\"  "), DOC("\n42\n"), DOC("[-1, -0.5, 0, 0.5, 1e2]"),
	DOC("{\"a\":1,\"a\":2}"), DOC("{\"a\":{\"x\":1},\"a\":[2]}"),
	DOC("{\"a\":1,\"\\u0061\":2}"), DOC("{\"\":0}"),
	DOC("{\"k\\u00e9y\\n\":1, \"a\\\"b\":2, \"中\":\"文\"}"),
	DOC("{\"id\": 1, \"tags\": [\"a\", \"b\"], \"ok\": true, "
	    "\"price\": 12.50, \"parent\": null, \"n\": {\"x\": []}}"),
	DOC("[{\"id\":1,\"title\":\"x\"}, \n {\"id\":2,\"title\":\"y\"}]"),
	DOC("[\"a\",[\"b\",[\"c\",[\"d\",{\"e\":[1,{\"f\":null}]}]]]]"),
};

static const struct doc	invalid[] = {
	DOC(""), DOC(" "), DOC("\n\t"), DOC("1 2"), DOC("[1] x"),
	DOC("{}}"), DOC("[]]"), DOC("[1,]"), DOC("{\"a\":1,}"),
	DOC("{\"a\" 1}"), DOC("{\"a\"}"), DOC("{\"a\":}"), DOC("{'a':1}"),
	DOC("'a'"), DOC("{a:1}"), DOC("{1:2}"), DOC("[\"a\":1]"),
	DOC("\"abc"), DOC("\"abc\\\""), DOC("[1,2"), DOC("{\"a\":1"),
	DOC("{\"a\""), DOC("{\"a\":"), DOC("["), DOC("{"), DOC("]"),
	DOC("}"), DOC(","), DOC(":"), DOC("[1,,2]"), DOC("[,1]"),
	DOC("{,}"), DOC("[1 2]"), DOC("{\"a\":1 \"b\":2}"),
	DOC("\"\\ud800\""), DOC("\"\\udc00\""), DOC("\"\\ud800\\u0041\""),
	DOC("\"\\ud800x\""), DOC("\"\\ud800\\\""), DOC("\"\\ud800\\udbff\""),
	DOC("\"\\udfff\\ud800\""), DOC("\"\\ud83d\""),
	DOC("\"\\u0000\""), DOC("{\"\\u0000\":1}"), DOC("\"a\\u0000b\""),
	DOC("\"a\x01" "b\""), DOC("\"a\tb\""), DOC("\"a\nb\""),
	DOC("\"\x1f\""), DOC("\"a\0b\""), DOC("\0"), DOC("[\0]"),
	DOC("\"\xc0\xaf\""), DOC("\"\xc1\xbf\""), DOC("\"\xe0\x80\xaf\""),
	DOC("\"\xe0\x9f\xbf\""), DOC("\"\xf0\x80\x80\xaf\""),
	DOC("\"\xf0\x8f\xbf\xbf\""), DOC("\"\xed\xa0\x80\""),
	DOC("\"\xed\xbf\xbf\""), DOC("\"\xe4\xb8\""), DOC("\"\xe4\""),
	DOC("\"\xf0\x9f\x98\""), DOC("\"\xff\""), DOC("\"\xfe\""),
	DOC("\"\x80\""), DOC("\"\xbf\""), DOC("\"\xf4\x90\x80\x80\""),
	DOC("\"\xf5\x80\x80\x80\""), DOC("\"\xf8\x88\x80\x80\x80\""),
	DOC("\"\xe4\xb8\xad\xe4\x41\""), DOC("\"\xc3\x28\""),
	DOC("\"abcdefgh\xc3\""), DOC("\"\xe4\xb8"), DOC("\xe4\xb8\xad"),
	DOC("01"), DOC("-01"), DOC("00"), DOC("-"), DOC("-a"), DOC("1."),
	DOC("1.e5"), DOC(".5"), DOC("-.5"), DOC("1e"), DOC("1e+"),
	DOC("1E-"), DOC("+1"), DOC("0x10"), DOC("1.5.5"), DOC("1e5e5"),
	DOC("NaN"), DOC("nan"), DOC("Infinity"), DOC("-Infinity"),
	DOC("9223372036854775808"), DOC("-9223372036854775809"),
	DOC("99999999999999999999"), DOC("-99999999999999999999"),
	DOC("12345678901234567890123"), DOC("1e400"), DOC("-1e400"),
	DOC("1.7976931348623159e308"), DOC("tru"), DOC("truex"),
	DOC("true1"), DOC("nul"), DOC("nulll"), DOC("fals"), DOC("True"),
	DOC("NULL"), DOC("[truefalse]"), DOC("\"\\x41\""), DOC("\"\\u12\""),
	DOC("\"\\u12g4\""), DOC("\"\\U0041\""), DOC("\"\\"), DOC("\"\\u"),
	DOC("\"\\u004"), DOC("\"\\a\""), DOC("\"\\'\""), DOC("\"\\0\""),
	DOC("\xef\xbb\xbf{}"), DOC("/* */1"), DOC("[1]//"), DOC("\x0c" "1"),
	DOC("\xc2\xa0" "1"), DOC("{\"a\":1}{}"), DOC("[][]"),
};

/* A document for a test name: printable ASCII, others as '.'. */
static const char *
show(const char *s, size_t len)
{
	static char	 out[48];
	size_t		 i;

	for (i = 0; i < len && i < sizeof(out) - 1; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '.';
	out[i] = '\0';
	return (out);
}

/* Parse from an exact-size heap copy, so ASan catches a read past len. */
static json_t *
jp_copy(const char *s, size_t len)
{
	char		*copy;
	json_t		*json;

	if ((copy = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(copy, s, len);
	json = jparse(copy, len);
	free(copy);
	return (json);
}

static json_t *
jl(const char *s, size_t len)
{
	return (json_loadb(s, len, JSON_DECODE_ANY, NULL));
}

/* Both NULL, or both trees and equal. */
static int
same(const char *s, size_t len)
{
	json_t		*a, *b;
	int		 ok;

	a = jp_copy(s, len);
	b = jl(s, len);
	if (a == NULL || b == NULL)
		ok = (a == NULL && b == NULL);
	else
		ok = json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return (ok);
}

/* Every proper prefix parses the same in both (a prefix may be valid). */
static int
prefixes_same(const char *s, size_t len)
{
	size_t		 n;

	for (n = 0; n < len; n++) {
		if (!same(s, n))
			return (0);
	}
	return (1);
}

static void
test_valid(void)
{
	size_t		 i;
	json_t		*a, *b;
	char		 what[160];

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		a = jp_copy(valid[i].s, valid[i].len);
		b = jl(valid[i].s, valid[i].len);
		snprintf(what, sizeof(what), "valid %zu equals jansson: %s",
		    i, show(valid[i].s, valid[i].len));
		CHECK(a != NULL && b != NULL && json_equal(a, b), what);
		json_decref(a);
		json_decref(b);

		snprintf(what, sizeof(what), "valid %zu: every prefix as "
		    "jansson", i);
		CHECK(prefixes_same(valid[i].s, valid[i].len), what);
	}
}

static void
test_invalid(void)
{
	size_t		 i;
	json_t		*a, *b;
	char		 what[160];

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		a = jp_copy(invalid[i].s, invalid[i].len);
		b = jl(invalid[i].s, invalid[i].len);
		snprintf(what, sizeof(what), "invalid %zu rejected (jansson "
		    "too): %s", i, show(invalid[i].s, invalid[i].len));
		CHECK(a == NULL && b == NULL, what);
		json_decref(a);
		json_decref(b);
	}
}

/* The documented differences: jansson accepts, jparse refuses. */
static void
test_differences(void)
{
	static const struct doc	nul[] = {
		DOC("1\0"), DOC("[1\0]"), DOC("true\0"), DOC("[null\0,1]"),
		DOC("{\"a\":1.5\0}"),
	};
	size_t		 i;
	json_t		*a, *b;
	char		 what[160];

	for (i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		a = jp_copy(nul[i].s, nul[i].len);
		b = jl(nul[i].s, nul[i].len);
		snprintf(what, sizeof(what), "NUL after a token: jansson "
		    "drops it, jparse refuses (%zu)", i);
		CHECK(a == NULL && b != NULL, what);
		json_decref(a);
		json_decref(b);
	}
}

/*
 * Strings of every length around the 8-byte scan, with an escape, a
 * multi-byte character, a control character or a bad byte at every
 * position: the same as jansson (valid or not).
 */
static void
test_boundaries(void)
{
	static const char	*ins[] = {
		"\\n", "\\u4e2d", "\\ud83d\\ude00", "\\\"", "\\\\",
		"\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\x01", "\x1f",
		"\xff", "\xe4\xb8", "\xc3", "\xed\xa0\x80", "\"", "\\",
	};
	char		 doc[128];
	size_t		 n, k, i, len, il;
	int		 ok;

	ok = 1;
	for (n = 0; n <= 34; n++) {
		for (k = 0; k <= n; k++) {
			for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
				il = strlen(ins[i]);
				len = 0;
				doc[len++] = '"';
				memset(doc + len, 'a', k);
				len += k;
				memcpy(doc + len, ins[i], il);
				len += il;
				memset(doc + len, 'b', n - k);
				len += n - k;
				doc[len++] = '"';
				if (!same(doc, len) || !same(doc, len - 1))
					ok = 0;
			}
		}
	}
	CHECK(ok, "strings of 0..34 bytes, special byte at every position");
}

/* "[[[...1...]]]" or the object form, depth containers deep. */
static char *
nested(int depth, const char *open, const char *mid, const char *close)
{
	char		*s;
	size_t		 lo, lm, lc, len;
	int		 i;

	lo = strlen(open);
	lm = strlen(mid);
	lc = strlen(close);
	len = depth * (lo + lc) + lm;
	if ((s = malloc(len + 1)) == NULL)
		abort();
	for (i = 0; i < depth; i++) {
		memcpy(s + i * lo, open, lo);
		memcpy(s + depth * lo + lm + i * lc, close, lc);
	}
	memcpy(s + depth * lo, mid, lm);
	s[len] = '\0';
	return (s);
}

static void
test_depth(void)
{
	char		*s;
	json_t		*a;

	s = nested(JPARSE_MAX_DEPTH, "[", "1", "]");
	CHECK(same(s, strlen(s)), "64 nested arrays equal jansson");
	free(s);

	s = nested(JPARSE_MAX_DEPTH + 1, "[", "1", "]");
	CHECK((a = jp_copy(s, strlen(s))) == NULL, "65 nested arrays: NULL");
	json_decref(a);
	free(s);

	s = nested(JPARSE_MAX_DEPTH, "{\"a\":", "1", "}");
	CHECK(same(s, strlen(s)), "64 nested objects equal jansson");
	free(s);

	s = nested(JPARSE_MAX_DEPTH + 1, "{\"a\":", "1", "}");
	CHECK((a = jp_copy(s, strlen(s))) == NULL, "65 nested objects: NULL");
	json_decref(a);
	free(s);

	s = nested(100000, "[", "", "]");
	CHECK((a = jp_copy(s, strlen(s))) == NULL, "100000 [: NULL, no crash");
	json_decref(a);
	free(s);
}

/* Types and values, beyond json_equal. */
static void
test_values(void)
{
	json_t		*j;

	j = jparse("{\"a\":1,\"b\":2,\"a\":3}", 19);
	CHECK(j != NULL && json_object_size(j) == 2 &&
	    json_integer_value(json_object_get(j, "a")) == 3,
	    "duplicate key: last wins");
	json_decref(j);

	j = jparse("-9223372036854775808", 20);
	CHECK(json_is_integer(j) && json_integer_value(j) == INT64_MIN,
	    "smallest json_int_t");
	json_decref(j);

	j = jparse("-0", 2);
	CHECK(json_is_integer(j) && json_integer_value(j) == 0, "-0 integer");
	json_decref(j);

	j = jparse("1.0", 3);
	CHECK(json_is_real(j) && json_real_value(j) == 1.0, "1.0 is real");
	json_decref(j);

	j = jparse("1e2", 3);
	CHECK(json_is_real(j) && json_real_value(j) == 100.0, "1e2 is real");
	json_decref(j);

	j = jparse("\"\\ud83d\\ude00\\u00e9\"", 20);
	CHECK_STR(j ? json_string_value(j) : NULL, "\xf0\x9f\x98\x80\xc3\xa9",
	    "surrogate pair and \\u00e9 in UTF-8");
	json_decref(j);

	/* Not NUL-terminated: the closing bracket is the last byte read. */
	j = jparse("[1,2]garbage", 5);
	CHECK(json_is_array(j) && json_array_size(j) == 2, "len respected");
	json_decref(j);

	CHECK(jparse(NULL, 0) == NULL, "NULL data");
}

/* Escaped strings and keys past the stack buffer; long numbers. */
static void
test_long(void)
{
	char		*s;
	size_t		 i, n, len;
	json_t		*a;

	n = 5000;
	if ((s = malloc(n * 8 + 64)) == NULL)
		abort();
	len = 0;
	memcpy(s + len, "{\"", 2);
	len += 2;
	for (i = 0; i < n; i++) {
		memcpy(s + len, i % 3 ? "\\u4e2d" : "a\\n", i % 3 ? 6 : 3);
		len += i % 3 ? 6 : 3;
	}
	memcpy(s + len, "\":\"", 3);
	len += 3;
	for (i = 0; i < n; i++) {
		memcpy(s + len, i % 2 ? "\\\"" : "\xe4\xb8\xad", i % 2 ? 2 : 3);
		len += i % 2 ? 2 : 3;
	}
	memcpy(s + len, "\"}", 2);
	len += 2;
	CHECK(same(s, len), "long escaped key and value equal jansson");
	free(s);

	if ((s = malloc(1200)) == NULL)
		abort();
	memcpy(s, "0.", 2);
	memset(s + 2, '0', 1000);
	memcpy(s + 1002, "15e-3", 6);
	CHECK(same(s, strlen(s)), "1007-character real equals jansson");
	a = jp_copy(s, strlen(s));
	CHECK(json_is_real(a) && json_real_value(a) == 0.0,
	    "1.5e-1004 underflows to 0.0, accepted like jansson");
	json_decref(a);
	memset(s, '9', 1000);
	memcpy(s + 1000, "e0", 3);
	CHECK(same(s, strlen(s)), "1000-digit real equals jansson");
	free(s);
}

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8);
}

static void
add_utf8(char *s, size_t *len, uint32_t c)
{
	if (c < 0x80)
		s[(*len)++] = (char)c;
	else if (c < 0x800) {
		s[(*len)++] = (char)(0xc0 | (c >> 6));
		s[(*len)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		s[(*len)++] = (char)(0xe0 | (c >> 12));
		s[(*len)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[(*len)++] = (char)(0x80 | (c & 0x3f));
	} else {
		s[(*len)++] = (char)(0xf0 | (c >> 18));
		s[(*len)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		s[(*len)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[(*len)++] = (char)(0x80 | (c & 0x3f));
	}
}

/*
 * Text like the site's: mostly Han, some kana, ASCII words, emoji and
 * full-width punctuation; as HTML (tags, quoted attributes, newlines)
 * when html is set.  About chars characters.
 */
static json_t *
gen_text(int chars, int html)
{
	static const char	*tags[] = {
		"<p>", "</p>\n", "<a href=\"https://example.org/p/42?a=1&b=2\">",
		"</a>", "<strong>", "</strong>", "<br>\n", "<code>x\\y</code>",
		"<img src=\"/img/3.jpg\" alt=\"\">", "\t",
	};
	static const char	*words[] = {
		"ESP32 ", "Arduino ", "PLA ", "3D ", "printer ", "v2.1 ",
	};
	char		*s;
	size_t		 len;
	json_t		*j;
	int		 i;
	uint32_t	 r;

	if ((s = malloc(chars * 40 + 16)) == NULL)
		abort();
	len = 0;
	for (i = 0; i < chars; i++) {
		r = rnd() % 100;
		if (r < 70)
			add_utf8(s, &len, 0x4e00 + rnd() % 0x51a5);
		else if (r < 78)
			add_utf8(s, &len, 0x3041 + rnd() % 0x55);
		else if (r < 82)
			add_utf8(s, &len, 0xff0c);	/* ， */
		else if (r < 84)
			add_utf8(s, &len, 0x1f600 + rnd() % 0x40);
		else if (r < 92 || !html) {
			strcpy(s + len, words[rnd() % 6]);
			len += strlen(s + len);
		} else {
			strcpy(s + len, tags[rnd() % 10]);
			len += strlen(s + len);
		}
	}
	j = json_stringn(s, len);
	free(s);
	if (j == NULL)
		abort();
	return (j);
}

/* One row as a project page's query returns it. */
static json_t *
gen_item(int id)
{
	json_t		*o, *tags, *author, *comments, *c;
	int		 i, n;

	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "title", gen_text(8 + rnd() % 20, 0));
	json_object_set_new(o, "summary", gen_text(20 + rnd() % 60, 0));
	json_object_set_new(o, "body_html", gen_text(100 + rnd() % 300, 1));
	json_object_set_new(o, "price", json_real((rnd() % 100000) / 100.0));
	json_object_set_new(o, "rating", json_real(rnd() % 50 / 10.0 + 1e-3));
	json_object_set_new(o, "published", json_boolean(rnd() % 2));
	json_object_set_new(o, "parent_id", json_null());
	json_object_set_new(o, "created_at",
	    json_string("2024-05-17T09:41:22.123456+08:00"));
	tags = json_array();
	n = rnd() % 6;
	for (i = 0; i < n; i++)
		json_array_append_new(tags, gen_text(2 + rnd() % 4, 0));
	json_object_set_new(o, "tags", tags);
	author = json_object();
	json_object_set_new(author, "id", json_integer(rnd() % 100000));
	json_object_set_new(author, "name", gen_text(3, 0));
	json_object_set_new(author, "avatar", json_string("/img/a/7.jpg"));
	json_object_set_new(o, "author", author);
	comments = json_array();
	n = rnd() % 4;
	for (i = 0; i < n; i++) {
		c = json_object();
		json_object_set_new(c, "id", json_integer(-(json_int_t)rnd()));
		json_object_set_new(c, "body", gen_text(10 + rnd() % 80, 1));
		json_object_set_new(c, "likes", json_integer(rnd() % 1000));
		json_object_set_new(c, "hidden", json_false());
		json_array_append_new(comments, c);
	}
	json_object_set_new(o, "comments", comments);
	return (o);
}

/*
 * A document of at least size bytes in jsonb's output format ("a": 1,
 * "b": [...] with single spaces), which json_dumps with flags 0 writes.
 * The caller frees it.
 */
static char *
gen_doc(size_t size, uint32_t seed)
{
	json_t		*root, *items;
	char		*s;
	int		 id;

	rnd_state = seed;
	root = json_object();
	items = json_array();
	json_object_set_new(root, "project", gen_item(0));
	json_object_set_new(root, "items", items);
	json_object_set_new(root, "total", json_integer(0));
	for (id = 1;; id++) {
		json_array_append_new(items, gen_item(id));
		if ((s = json_dumps(root, 0)) == NULL)
			abort();
		if (strlen(s) >= size)
			break;
		free(s);
	}
	json_decref(root);
	return (s);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Print MB/s of both parsers on one document and the ratio. */
static void
bench(const char *name, const char *s, size_t len)
{
	double		 t0, tj, tp;
	int		 i, n;
	json_t		*j;

	n = (int)(20000000 / len) + 1;
	t0 = now();
	for (i = 0; i < n; i++) {
		j = json_loadb(s, len, JSON_DECODE_ANY, NULL);
		json_decref(j);
	}
	tj = (now() - t0) / n;
	t0 = now();
	for (i = 0; i < n; i++) {
		j = jparse(s, len);
		json_decref(j);
	}
	tp = (now() - t0) / n;
	printf("# %s (%zu bytes): json_loadb %.1f us (%.0f MB/s), jparse "
	    "%.1f us (%.0f MB/s): %.1fx\n", name, len, tj * 1e6,
	    len / tj / 1e6, tp * 1e6, len / tp / 1e6, tj / tp);
}

static void
test_generated(void)
{
	char		*big, *small;
	size_t		 blen, slen;

	small = gen_doc(15 * 1024, 7);
	slen = strlen(small);
	big = gen_doc(200 * 1024, 42);
	blen = strlen(big);

	CHECK(same(small, slen), "generated 15 KB document equals jansson");
	CHECK(same(big, blen), "generated 200 KB document equals jansson");
	CHECK(same(big, blen - 1), "200 KB document less one byte as jansson");

	bench("15 KB document", small, slen);
	bench("200 KB document", big, blen);
	free(small);
	free(big);
}

int
main(void)
{
	test_valid();
	test_invalid();
	test_differences();
	test_boundaries();
	test_depth();
	test_values();
	test_long();
	test_generated();
	UNIT_DONE("test_jparse");
}

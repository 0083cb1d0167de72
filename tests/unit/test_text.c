/*
 * test_text: unit tests for app/text.c (validating and shaping user
 * text), every function text.h declares.  Built with ASan/UBSan; see
 * tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "unit.h"

static void	test_copy_fits(void);
static void	test_copy_cuts_at_characters(void);
static void	test_copy_every_size(void);
static void	test_copy_edges(void);
static void	test_local_url(void);
static void	test_basics(void);
static void	test_utf8(void);
static void	test_request_safe(void);
static void	test_controls(void);
static void	test_trim(void);
static void	test_lower_ascii(void);
static void	test_subst(void);

static void
test_copy_fits(void)
{
	char	dst[16];

	CHECK(text_copy_utf8(dst, sizeof(dst), "abc") == 3, "copy: length");
	CHECK_STR(dst, "abc", "copy: short ASCII whole");
	CHECK(text_copy_utf8(dst, sizeof(dst), "中文") == 6,
	    "copy: CJK length");
	CHECK_STR(dst, "中文", "copy: short CJK whole");
	CHECK(text_copy_utf8(dst, 4, "abc") == 3, "copy: exactly fits");
	CHECK_STR(dst, "abc", "copy: exactly fits, whole");
	CHECK(text_copy_utf8(dst, sizeof(dst), NULL) == 0 && dst[0] == '\0',
	    "copy: NULL is empty");
}

static void
test_copy_cuts_at_characters(void)
{
	char	dst[8];

	/* "中" is 3 bytes: 7 bytes of room hold two, not two and a third. */
	CHECK(text_copy_utf8(dst, sizeof(dst), "中文字符") == 6,
	    "copy: 3-byte characters cut at a boundary");
	CHECK_STR(dst, "中文", "copy: two whole characters kept");
	CHECK(text_copy_utf8(dst, 3, "中") == 0 && dst[0] == '\0',
	    "copy: no room for one character leaves it out");
	/* U+1F600 is 4 bytes. */
	CHECK(text_copy_utf8(dst, 8, "a\xf0\x9f\x98\x80\xf0\x9f\x98\x80") == 5,
	    "copy: 4-byte characters cut at a boundary");
	CHECK_STR(dst, "a\xf0\x9f\x98\x80", "copy: one emoji kept whole");
	CHECK(text_copy_utf8(dst, 3, "\xc3\xa9\xc3\xa9") == 2,
	    "copy: 2-byte characters");
	CHECK_STR(dst, "\xc3\xa9", "copy: é kept, the next left out");
}

/* Every buffer size over a mixed string: always valid, always a prefix. */
static void
test_copy_every_size(void)
{
	const char	*s = "a中é\xf0\x9f\x98\x80z文字 end";
	char		 dst[64];
	size_t		 size, n, len, i;
	int		 ok;

	len = strlen(s);
	ok = 1;
	for (size = 1; size <= len + 2; size++) {
		memset(dst, 'x', sizeof(dst));
		n = text_copy_utf8(dst, size, s);
		if (n >= size || dst[n] != '\0' || strncmp(dst, s, n) != 0 ||
		    !text_utf8_valid(dst, n) || (size > len && n != len) ||
		    (size <= len && n + 4 < size))
			ok = 0;
		for (i = size; i < sizeof(dst); i++) {
			if (dst[i] != 'x')
				ok = 0;		/* wrote past dstlen */
		}
	}
	CHECK(ok, "copy: every size gives a valid prefix within bounds");
}

static void
test_copy_edges(void)
{
	char	dst[4], big[2001];
	char	*reason;
	size_t	 i;

	CHECK(text_copy_utf8(dst, 0, "abc") == 0, "copy: zero room");
	CHECK(text_copy_utf8(dst, 1, "abc") == 0 && dst[0] == '\0',
	    "copy: room for the NUL only");
	/* Invalid input (a run of continuation bytes) still ends in bounds. */
	CHECK(text_copy_utf8(dst, sizeof(dst), "\x80\x80\x80\x80\x80\x80") <
	    sizeof(dst), "copy: continuation bytes only");

	/* A 500-character Chinese reason fits a buffer sized 4 x 500 + 1. */
	reason = malloc(500 * 3 + 1);
	for (i = 0; i < 500; i++)
		memcpy(reason + i * 3, "停", 3);
	reason[500 * 3] = '\0';
	CHECK(text_copy_utf8(big, sizeof(big), reason) == 1500,
	    "copy: 500 CJK characters whole in 2001 bytes");
	CHECK(text_utf8_chars(big, strlen(big)) == 500,
	    "copy: 500 characters kept");
	CHECK(text_copy_utf8(big, 512, reason) == 510 &&
	    text_utf8_valid(big, strlen(big)),
	    "copy: 512 bytes keep 170 whole characters, not 170 and a bit");
	free(reason);
}

static void
test_local_url(void)
{
	char	long_path[TEXT_LOCAL_URL_MAX + 2];

	CHECK(text_local_url_ok("/"), "url: /");
	CHECK(text_local_url_ok("/settings"), "url: /settings");
	CHECK(text_local_url_ok("/projects/12?x=1&y=%E4%B8%AD#top"),
	    "url: query and fragment");
	CHECK(text_local_url_ok("/%0B/evil.com"),
	    "url: an encoded control character is a path");
	CHECK(!text_local_url_ok("/\x0b/evil.com"), "url: raw VT refused");
	CHECK(!text_local_url_ok("/a\r\nSet-Cookie: x=1"), "url: CRLF refused");
	CHECK(!text_local_url_ok("/a\tb"), "url: tab refused");
	CHECK(!text_local_url_ok("/a\x7f"), "url: DEL refused");
	CHECK(!text_local_url_ok("/a b"), "url: space refused");
	CHECK(!text_local_url_ok("/中文"), "url: raw non-ASCII refused");
	CHECK(!text_local_url_ok("//evil.example/x"), "url: //host refused");
	CHECK(!text_local_url_ok("/\\evil.example"), "url: /\\host refused");
	CHECK(!text_local_url_ok("/a\\b"), "url: any backslash refused");
	CHECK(!text_local_url_ok("http://evil.example/"),
	    "url: absolute refused");
	CHECK(!text_local_url_ok("javascript:alert(1)"),
	    "url: javascript: refused");
	CHECK(!text_local_url_ok("evil.example"), "url: relative refused");
	CHECK(!text_local_url_ok(""), "url: empty refused");
	CHECK(!text_local_url_ok(NULL), "url: NULL refused");
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK(!text_local_url_ok(long_path), "url: over the limit refused");
	long_path[TEXT_LOCAL_URL_MAX] = '\0';
	CHECK(text_local_url_ok(long_path), "url: at the limit accepted");
}

/* The older helpers the copies above rely on. */
static void
test_basics(void)
{
	char	s[32];

	CHECK(text_utf8_valid("中文", 6), "valid: CJK");
	CHECK(!text_utf8_valid("\xe4\xb8", 2), "valid: cut sequence refused");
	CHECK(!text_utf8_valid("\xc0\xaf", 2), "valid: overlong refused");
	CHECK(text_utf8_chars("a中\xf0\x9f\x98\x80", 8) == 3,
	    "chars: code points, not bytes");
	CHECK(text_has_controls("a\x0b", 2, 1), "controls: VT");
	CHECK(!text_has_controls("a\nb", 3, 1), "controls: LF in multi-line");
	(void)strcpy(s, "\xe3\x80\x80 hi \t");
	CHECK(text_trim(s, strlen(s)) == 2, "trim: ideographic space");
	CHECK_STR(s, "hi", "trim: result");
}

/* text_utf8_valid: the strict rule; text_utf8_chars: code points. */
static void
test_utf8(void)
{
	CHECK(text_utf8_valid("", 0), "valid: empty");
	CHECK(text_utf8_valid("plain ascii", 11), "valid: ASCII");
	CHECK(text_utf8_valid("\xf0\x9f\x98\x80", 4), "valid: 4 bytes (emoji)");
	CHECK(text_utf8_valid("\xf4\x8f\xbf\xbf", 4), "valid: U+10FFFF");
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4),
	    "valid: above U+10FFFF refused");
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3), "valid: surrogate refused");
	CHECK(!text_utf8_valid("\xef\xbf\xbe", 3), "valid: U+FFFE refused");
	CHECK(!text_utf8_valid("\xef\xbf\xbf", 3), "valid: U+FFFF refused");
	CHECK(text_utf8_valid("\xef\xbf\xbd", 3), "valid: U+FFFD kept");
	CHECK(!text_utf8_valid("a\0b", 3), "valid: NUL refused");
	CHECK(!text_utf8_valid("\xe0\x80\xaf", 3), "valid: overlong 3 refused");
	CHECK(!text_utf8_valid("\xf0\x80\x80\xaf", 4),
	    "valid: overlong 4 refused");
	CHECK(!text_utf8_valid("\x80", 1), "valid: lone continuation refused");
	CHECK(!text_utf8_valid("\xf5\x80\x80\x80", 4), "valid: F5 refused");
	CHECK(!text_utf8_valid("\xe4\x41\x41", 3),
	    "valid: lead without continuations refused");
	CHECK(text_utf8_valid("\xe4\xb8\xad\xe4", 3),
	    "valid: only len bytes are read");
	CHECK(text_utf8_chars("", 0) == 0, "chars: empty");
	CHECK(text_utf8_chars("abc", 3) == 3, "chars: ASCII");
	CHECK(text_utf8_chars("\xe4\xb8\xad\xe6\x96\x87", 6) == 2,
	    "chars: two CJK");
	CHECK(text_utf8_chars("\xe4\xb8\xad\xe6\x96\x87", 3) == 1,
	    "chars: counts only len bytes");
}

/* text_request_safe: valid UTF-8 and no C0 control but tab, LF, CR. */
static void
test_request_safe(void)
{
	CHECK(text_request_safe("", 0), "safe: empty");
	CHECK(text_request_safe("a\tb\r\nc", 6), "safe: tab, CR, LF");
	CHECK(text_request_safe("\xe4\xb8\xad", 3), "safe: CJK");
	CHECK(!text_request_safe("a\x01", 2), "safe: SOH refused");
	CHECK(!text_request_safe("a\x1b[0m", 5), "safe: ESC refused");
	CHECK(!text_request_safe("a\0", 2), "safe: NUL refused");
	CHECK(!text_request_safe("\xef\xbf\xbf", 3), "safe: U+FFFF refused");
	CHECK(!text_request_safe("\xc0\xaf", 2), "safe: invalid UTF-8 refused");
	CHECK(text_request_safe("\x7f", 1),
	    "safe: DEL is left to the field's validator");
}

/* text_has_controls: C0, DEL and C1; tab, CR, LF only when multi-line. */
static void
test_controls(void)
{
	CHECK(!text_has_controls("plain", 5, 0), "controls: none");
	CHECK(text_has_controls("a\tb", 3, 0), "controls: tab, single line");
	CHECK(!text_has_controls("a\tb", 3, 1), "controls: tab, multi-line");
	CHECK(text_has_controls("a\nb", 3, 0), "controls: LF, single line");
	CHECK(!text_has_controls("a\r\nb", 4, 1), "controls: CRLF, multi-line");
	CHECK(text_has_controls("a\x7f", 2, 1), "controls: DEL");
	CHECK(text_has_controls("a\xc2\x85", 3, 1), "controls: C1 (NEL)");
	CHECK(text_has_controls("\xc2\x9f", 2, 0), "controls: C1 U+009F");
	CHECK(!text_has_controls("\xc2\xa0", 2, 0), "controls: NBSP is not");
	CHECK(text_has_controls("a\0b", 3, 1), "controls: NUL");
	CHECK(!text_has_controls("a\x01", 1, 0), "controls: only len bytes");
}

/* text_trim: ASCII white space and U+3000 at both ends, in place. */
static void
test_trim(void)
{
	char	s[32];

	(void)strcpy(s, "");
	CHECK(text_trim(s, 0) == 0 && s[0] == '\0', "trim: empty");
	(void)strcpy(s, " \t\r\n");
	CHECK(text_trim(s, strlen(s)) == 0 && s[0] == '\0',
	    "trim: only white space");
	(void)strcpy(s, "\xe3\x80\x80\xe3\x80\x80");
	CHECK(text_trim(s, strlen(s)) == 0 && s[0] == '\0',
	    "trim: only ideographic spaces");
	(void)strcpy(s, "a  b");
	CHECK(text_trim(s, strlen(s)) == 4, "trim: inner spaces kept");
	CHECK_STR(s, "a  b", "trim: inner spaces kept (text)");
	(void)strcpy(s, "\n\xe3\x80\x80 \xe4\xb8\xad \xe3\x80\x80\t");
	CHECK(text_trim(s, strlen(s)) == 3, "trim: mixed ends");
	CHECK_STR(s, "\xe4\xb8\xad", "trim: mixed ends (text)");
	(void)strcpy(s, "ab  ");
	CHECK(text_trim(s, 3) == 2, "trim: only len bytes");
	CHECK_STR(s, "ab", "trim: terminated at the new end");
}

/* text_lower_ascii: A-Z only; other bytes untouched. */
static void
test_lower_ascii(void)
{
	char	s[32];

	(void)strcpy(s, "MiXeD_09-Z");
	text_lower_ascii(s);
	CHECK_STR(s, "mixed_09-z", "lower: ASCII letters");
	(void)strcpy(s, "\xc3\x84\xe4\xb8\xad" "AB");
	text_lower_ascii(s);
	CHECK_STR(s, "\xc3\x84\xe4\xb8\xad" "ab", "lower: non-ASCII untouched");
	(void)strcpy(s, "");
	text_lower_ascii(s);
	CHECK_STR(s, "", "lower: empty");
}

/* text_subst: every "{name}" replaced; other braces kept. */
static void
test_subst(void)
{
	struct buf	 b;

	buf_init(&b);
	text_subst(&b, "{n} of {n}", "n", "3");
	CHECK_STR(b.data, "3 of 3", "subst: every occurrence");
	buf_free(&b);

	buf_init(&b);
	text_subst(&b, "{m} {n} {nn} {", "n", "x");
	CHECK_STR(b.data, "{m} x {nn} {", "subst: other names and braces kept");
	buf_free(&b);

	buf_init(&b);
	text_subst(&b, "no names", "n", "x");
	CHECK_STR(b.data, "no names", "subst: nothing to replace");
	buf_free(&b);

	buf_init(&b);
	text_subst(&b, "{{n}}", "n", "{n}");
	CHECK_STR(b.data, "{{n}}", "subst: the value is not read again");
	buf_free(&b);

	buf_init(&b);
	text_subst(&b, "", "n", "x");
	CHECK(b.len == 0, "subst: empty template");
	buf_free(&b);
}

int
main(void)
{
	test_copy_fits();
	test_copy_cuts_at_characters();
	test_copy_every_size();
	test_copy_edges();
	test_local_url();
	test_basics();
	test_utf8();
	test_request_safe();
	test_controls();
	test_trim();
	test_lower_ascii();
	test_subst();
	UNIT_DONE("test_text");
}

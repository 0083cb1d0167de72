/*
 * test_text: unit tests for app/text.c (validating and shaping user
 * text).  Built with ASan/UBSan; see tests/unit/unit.h.
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

int
main(void)
{
	test_copy_fits();
	test_copy_cuts_at_characters();
	test_copy_every_size();
	test_copy_edges();
	test_local_url();
	test_basics();
	UNIT_DONE("test_text");
}

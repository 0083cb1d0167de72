/*
 * test_avatar: unit tests for app/avatar.c (initials and colour of a
 * user's avatar).  Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <string.h>

#include "avatar.h"
#include "text.h"
#include "unit.h"

static void
test_initials(void)
{
	static const char *const cases[][3] = {
		{ "林小满", "林", "Chinese: the first character" },
		{ "管理员 Admin", "管", "Chinese first: one character" },
		{ "Alex Chen", "AC", "two words: first and last letters" },
		{ "Maker Two", "MT", "two words" },
		{ "maker", "M", "one word, upper case" },
		{ "  anna-lena  van der berg ", "AB",
		    "spaces and punctuation skipped; first and last word" },
		{ "(小明)", "小", "punctuation before a Chinese name" },
		{ "3D 打印社", "3", "a digit, then a Chinese word not added" },
		{ "Zoë Åberg", "ZÅ", "non-ASCII letters kept whole" },
		{ "Иван Петров", "ИП", "Cyrillic" },
		{ "김민수", "김", "Korean: one character" },
		{ "さくら", "さ", "Japanese kana: one character" },
		{ "\xf0\x9f\x94\xa5 fire", "\xf0\x9f\x94\xa5" "F",
		    "an emoji is a letter of its own" },
		{ "---", "-", "only punctuation: its first character" },
		{ "   ", "?", "only spaces: ?" },
		{ "", "?", "empty: ?" },
		{ "A\xff" "B", "A", "stops at bytes that are not UTF-8" },
		{ "\xe6\x9e", "?", "a cut character is not copied" },
	};
	char		out[AVATAR_INITIALS_MAX], what[160];
	size_t		i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = avatar_initials(cases[i][0], out, sizeof(out));
		(void)snprintf(what, sizeof(what), "initials: %s", cases[i][2]);
		CHECK_STR(out, cases[i][1], what);
		CHECK(n == strlen(out) && text_utf8_valid(out, n),
		    "initials: length returned, valid UTF-8");
	}
	CHECK(avatar_initials(NULL, out, sizeof(out)) == 1 &&
	    !strcmp(out, "?"), "initials: NULL is empty");

	/* Small buffers: whole characters or nothing, always terminated. */
	CHECK(avatar_initials("林小满", out, 3) == 0 && out[0] == '\0',
	    "initials: no room for the character: empty");
	CHECK(avatar_initials("林小满", out, 4) == 3, "initials: just fits");
	CHECK(avatar_initials("Zoë Åberg", out, 3) == 1 &&
	    !strcmp(out, "Z"), "initials: the second left out, not cut");
	CHECK(avatar_initials("x", out, 0) == 0, "initials: no room at all");
}

static void
test_tone(void)
{
	int	i, seen[AVATAR_TONES];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 64; i++)
		seen[avatar_tone(i)]++;
	for (i = 0; i < AVATAR_TONES; i++)
		CHECK(seen[i] == 64 / AVATAR_TONES, "tone: ids spread evenly");
	CHECK(avatar_tone(17) == avatar_tone(17), "tone: stable");
	CHECK(avatar_tone(-3) >= 0 && avatar_tone(-3) < AVATAR_TONES,
	    "tone: in range for any id");
	CHECK(avatar_tone(INT64_MIN) >= 0, "tone: INT64_MIN in range");
}

int
main(void)
{
	test_initials();
	test_tone();
	UNIT_DONE("test_avatar");
}

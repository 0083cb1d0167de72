/*
 * test_ical: unit tests for app/ical.c (the iCalendar writer): UTC
 * times from RFC 3339, TEXT escaping, folding at 75 octets without
 * cutting a character, and whole events.  Built with ASan/UBSan; see
 * tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ical.h"
#include "text.h"
#include "unit.h"

static int	lines_ok(const char *, size_t);
static char	*unfold(const char *, size_t);
static void	test_utc(void);
static void	test_escape(void);
static void	test_fold(void);
static void	test_event(void);

/*
 * Every physical line ends with CRLF, holds at most 75 octets, is valid
 * UTF-8 on its own (no character cut by a fold) and has no bare CR/LF.
 */
static int
lines_ok(const char *s, size_t len)
{
	size_t	i, start;

	if (len < 2 || s[len - 2] != '\r' || s[len - 1] != '\n')
		return (0);
	for (start = i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n')
				return (0);
			if (i - start > ICAL_LINE_MAX ||
			    !text_utf8_valid(s + start, i - start))
				return (0);
			i++;
			start = i + 1;
		} else if (s[i] == '\n')
			return (0);
	}
	return (1);
}

/* The content lines as one string: CRLF + space removed. */
static char *
unfold(const char *s, size_t len)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r' && i + 2 < len && s[i + 1] == '\n' &&
		    s[i + 2] == ' ') {
			i += 2;
			continue;
		}
		buf_appendc(&b, s[i]);
	}
	return (buf_release(&b, NULL));
}

static void
test_utc(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
		const char	*what;
	} cases[] = {
		{ "2026-03-01T19:00:00+08:00", "20260301T110000Z",
		  "19:00 in Shanghai is 11:00Z" },
		{ "2026-03-01T01:30:00+08:00", "20260228T173000Z",
		  "an offset moves the date back" },
		{ "2024-03-01T07:00:00+08:00", "20240229T230000Z",
		  "back into a leap day" },
		{ "2026-12-31T20:00:00-05:00", "20270101T010000Z",
		  "a negative offset moves into the next year" },
		{ "2026-03-29T19:00:00+02:00", "20260329T170000Z",
		  "Berlin summer time" },
		{ "2026-06-15T10:00:00+05:45", "20260615T041500Z",
		  "offsets with minutes" },
		{ "2026-06-15T10:00:00Z", "20260615T100000Z", "Z" },
		{ "2026-06-15 10:00:00.123456+00:00", "20260615T100000Z",
		  "a space and fractions of a second" },
		{ "2026-02-30T10:00:00+08:00", NULL, "no 30 February" },
		{ "2023-02-29T10:00:00+08:00", NULL, "no 29 February in 2023" },
		{ "2026-06-15T24:00:00+08:00", NULL, "no hour 24" },
		{ "2026-06-15T10:00:00", NULL,
		  "no floating time (an offset is required)" },
		{ "2026-06-15T10:00:00+08", NULL, "an offset needs minutes" },
		{ "2026-06-15T10:00:00.+08:00", NULL, "a dot needs digits" },
		{ "2026-06-15T10:00:00+08:00x", NULL, "nothing after it" },
		{ "0001-01-01T00:30:00+01:00", NULL, "year 0 in UTC" },
		{ "2026-6-15T10:00:00+08:00", NULL, "two-digit month" },
		{ "", NULL, "empty" },
	};
	char	out[ICAL_UTC_SIZE];
	size_t	i;
	int	ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok = ical_utc(cases[i].in, out, sizeof(out));
		if (cases[i].want == NULL)
			CHECK(!ok, cases[i].what);
		else
			CHECK(ok && strcmp(out, cases[i].want) == 0,
			    cases[i].what);
	}
	CHECK(!ical_utc(NULL, out, sizeof(out)), "NULL is refused");
	CHECK(!ical_utc("2026-06-15T10:00:00Z", out, 10),
	    "a short buffer is refused");
}

static void
test_escape(void)
{
	struct buf	b;

	buf_init(&b);
	ical_escape(&b, "a,b;c\\d\ne\r\nf\rg", 15);
	CHECK_STR(b.data, "a\\,b\\;c\\\\d\\ne\\nf\\ng",
	    "comma, semicolon, backslash and every line break escaped");

	buf_reset(&b);
	ical_escape(&b, "x\001y\033z\177\tw", 9);
	CHECK_STR(b.data, "xyz\tw", "controls dropped, TAB kept");

	buf_reset(&b);
	ical_escape(&b, "a\xff" "b\xe4\xb8" "c\xed\xa0\x80", 9);
	CHECK_STR(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "invalid UTF-8 (stray, cut, surrogate) becomes U+FFFD");
	CHECK(text_utf8_valid(b.data, b.len), "escaped text is valid UTF-8");

	buf_reset(&b);
	ical_escape(&b, "北京:\"引号\"", strlen("北京:\"引号\""));
	CHECK_STR(b.data, "北京:\"引号\"",
	    "colons, quotes and Chinese pass unchanged in TEXT");

	buf_reset(&b);
	ical_text(&b, "LOCATION", "Room 1, Floor 2; \"Lab\"", 22);
	CHECK_STR(b.data, "LOCATION:Room 1\\, Floor 2\\; \"Lab\"\r\n",
	    "ical_text writes one escaped line");
	buf_free(&b);
}

static void
test_fold(void)
{
	struct buf	 b, in;
	char		*u;
	size_t		 i;
	int		 shift;

	buf_init(&b);
	ical_line(&b, "SUMMARY:short", 13);
	CHECK_STR(b.data, "SUMMARY:short\r\n", "a short line is not folded");

	/* Exactly 75 octets: no fold; 76: one. */
	buf_init(&in);
	for (i = 0; i < 75; i++)
		buf_appendc(&in, 'x');
	buf_reset(&b);
	ical_line(&b, in.data, in.len);
	CHECK(b.len == 77, "75 octets fit in one line");
	buf_appendc(&in, 'y');
	buf_reset(&b);
	ical_line(&b, in.data, in.len);
	CHECK(b.len == 81 && memcmp(b.data + 75, "\r\n y\r\n", 6) == 0,
	    "the 76th octet goes to a continuation line");

	/*
	 * Chinese (3 octets) and emoji (4 octets) after every possible
	 * shift: no physical line over 75 octets, none cut inside a
	 * character, and unfolding gives the line back.
	 */
	for (shift = 0; shift < 4; shift++) {
		buf_reset(&in);
		buf_appends(&in, "DESCRIPTION:");
		for (i = 0; i < (size_t)shift; i++)
			buf_appendc(&in, 'a');
		for (i = 0; i < 60; i++)
			buf_appends(&in, i % 3 ? "创客" : "\xf0\x9f\x94\xa7");
		buf_reset(&b);
		ical_line(&b, in.data, in.len);
		CHECK(lines_ok(b.data, b.len),
		    "folded multi-byte text: lines <= 75 octets, whole chars");
		u = unfold(b.data, b.len);
		CHECK(strlen(u) == in.len + 2 && memcmp(u, in.data, in.len) == 0,
		    "unfolding gives the line back");
		free(u);
	}
	buf_free(&in);
	buf_free(&b);
}

static void
test_event(void)
{
	struct ical_calendar	 cal = { "-//Makerspace//Office hours//EN",
	    "PUBLISH", "Makerspace", 60 };
	struct ical_event	 ev;
	struct buf		 b;
	char			*u, *desc;
	size_t			 before;

	memset(&ev, 0, sizeof(ev));
	ev.uid = "booking-42@makerspace.example";
	ev.sequence = 3;
	ev.status = "CONFIRMED";
	ev.stamp = "2026-02-20T09:15:00+08:00";
	ev.starts_at = "2026-03-01T19:00:00+08:00";
	ev.ends_at = "2026-03-01T19:20:00+08:00";
	ev.summary = "Office hours: Li Lei";
	ev.description = "How do I wire a relay, safely;\nand a fuse?";
	ev.location = "Room 2, Maker Lab";
	ev.url = "https://makerspace.example/bookings/42";

	buf_init(&b);
	ical_begin(&b, &cal);
	CHECK(ical_event(&b, &ev) == 1, "a complete event is written");
	ical_end(&b);
	CHECK_STR(b.data,
	    "BEGIN:VCALENDAR\r\n"
	    "VERSION:2.0\r\n"
	    "PRODID:-//Makerspace//Office hours//EN\r\n"
	    "CALSCALE:GREGORIAN\r\n"
	    "METHOD:PUBLISH\r\n"
	    "X-WR-CALNAME:Makerspace\r\n"
	    "REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"
	    "X-PUBLISHED-TTL:PT60M\r\n"
	    "BEGIN:VEVENT\r\n"
	    "UID:booking-42@makerspace.example\r\n"
	    "SEQUENCE:3\r\n"
	    "DTSTAMP:20260220T011500Z\r\n"
	    "DTSTART:20260301T110000Z\r\n"
	    "DTEND:20260301T112000Z\r\n"
	    "SUMMARY:Office hours: Li Lei\r\n"
	    "DESCRIPTION:How do I wire a relay\\, safely\\;\\nand a fuse?\r\n"
	    "LOCATION:Room 2\\, Maker Lab\r\n"
	    "URL:https://makerspace.example/bookings/42\r\n"
	    "STATUS:CONFIRMED\r\n"
	    "END:VEVENT\r\n"
	    "END:VCALENDAR\r\n", "the whole calendar, byte for byte");

	/* A long Chinese description folds and unfolds. */
	buf_reset(&b);
	desc = malloc(4000 * 3 + 1);
	for (before = 0; before < 4000; before++)
		memcpy(desc + before * 3, "问", 3);
	desc[4000 * 3] = '\0';
	ev.description = desc;
	ev.status = "CANCELLED";
	CHECK(ical_event(&b, &ev) == 1, "a 4000-character question");
	CHECK(lines_ok(b.data, b.len), "its lines are folded correctly");
	u = unfold(b.data, b.len);
	CHECK(strstr(u, desc) != NULL, "and unfold to the question");
	CHECK(strstr(u, "\r\nSTATUS:CANCELLED\r\n") != NULL,
	    "STATUS:CANCELLED");
	free(u);
	free(desc);
	ev.description = NULL;

	/* Refusals append nothing. */
	buf_reset(&b);
	before = b.len;
	ev.uid = "";
	CHECK(ical_event(&b, &ev) == 0 && b.len == before, "no UID: refused");
	ev.uid = "booking-1@x";
	ev.ends_at = "2026-03-01T18:59:00+08:00";
	CHECK(ical_event(&b, &ev) == 0 && b.len == before,
	    "ending before it starts: refused");
	ev.ends_at = "2026-03-01T19:20:00";
	CHECK(ical_event(&b, &ev) == 0 && b.len == before,
	    "a floating end: refused");
	ev.ends_at = "2026-03-01T19:20:00+08:00";
	ev.stamp = NULL;
	CHECK(ical_event(&b, &ev) == 0 && b.len == before,
	    "no DTSTAMP: refused");
	ev.stamp = "2026-02-20T09:15:00+08:00";

	/* A URL with a space or a line break is left out, not broken. */
	ev.url = "https://x.example/a b\r\nATTACH:evil";
	ev.summary = "x\r\nATTACH:evil";
	CHECK(ical_event(&b, &ev) == 1, "an event with hostile text");
	CHECK(strstr(b.data, "\r\nATTACH") == NULL && strstr(b.data, "URL:") ==
	    NULL, "no property can be injected through text or URL");
	CHECK(lines_ok(b.data, b.len), "still well-formed lines");
	buf_free(&b);
}

int
main(void)
{
	test_utc();
	test_escape();
	test_fold();
	test_event();
	UNIT_DONE("test_ical");
}

/*
 * ical.c: an iCalendar (RFC 5545) writer.  Pure; see ical.h for the
 * contract.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ical.h"
#include "text.h"

static size_t	ical_char_len(const unsigned char *, size_t);
static int	ical_digits(const char *, int, int *);
static int64_t	ical_days_from_civil(int64_t, int, int);
static void	ical_civil_from_days(int64_t, int64_t *, int *, int *);
static int	ical_uri_ok(const char *);
static int	ical_time_prop(struct buf *, const char *, const char *);

/*
 * The length of the UTF-8 character at p (at most len bytes), or 0 when
 * the bytes there are not one valid character.
 */
static size_t
ical_char_len(const unsigned char *p, size_t len)
{
	size_t	n;

	if (p[0] < 0x80)
		n = 1;
	else if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (n > len || !text_utf8_valid((const char *)p, n))
		return (0);
	return (n);
}

/*
 * Append one content line (without its CRLF) folded: a line longer than
 * 75 octets goes on in the next line after CRLF and one space, which
 * counts towards that line's 75.  A character is never split: the fold
 * comes before the lead byte of the character that would not fit.
 */
void
ical_line(struct buf *out, const char *line, size_t len)
{
	const unsigned char	*p = (const unsigned char *)line;
	size_t			 i, n, used;

	used = 0;
	for (i = 0; i < len; i += n) {
		/* A character is its lead byte and its continuation bytes. */
		for (n = 1; i + n < len && n < 4 && (p[i + n] & 0xc0) == 0x80;
		    n++)
			;
		if (used + n > ICAL_LINE_MAX) {
			buf_append(out, "\r\n ", 3);
			used = 1;
		}
		buf_append(out, line + i, n);
		used += n;
	}
	buf_append(out, "\r\n", 2);
}

/*
 * Append s as an escaped TEXT value (RFC 5545 section 3.3.11): "\" ";"
 * "," become "\\" "\;" "\,", any line break (CRLF, LF or CR) "\n";
 * other control characters but TAB are dropped (TEXT cannot hold them);
 * bytes that are not valid UTF-8 become U+FFFD.
 */
void
ical_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		switch (p[i]) {
		case '\\':
			buf_append(out, "\\\\", 2);
			continue;
		case ';':
			buf_append(out, "\\;", 2);
			continue;
		case ',':
			buf_append(out, "\\,", 2);
			continue;
		case '\r':
			if (i + 1 < len && p[i + 1] == '\n')
				n = 2;
			/* FALLTHROUGH */
		case '\n':
			buf_append(out, "\\n", 2);
			continue;
		case '\t':
			buf_appendc(out, '\t');
			continue;
		default:
			break;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			continue;
		if ((n = ical_char_len(p + i, len - i)) == 0) {
			buf_appends(out, "\xef\xbf\xbd");
			n = 1;
			continue;
		}
		buf_append(out, s + i, n);
	}
}

/* Append the property "NAME:<escaped text>", folded. */
void
ical_text(struct buf *out, const char *name, const char *s, size_t len)
{
	struct buf	line;

	buf_init(&line);
	buf_appends(&line, name);
	buf_appendc(&line, ':');
	ical_escape(&line, s, len);
	ical_line(out, line.data, line.len);
	buf_free(&line);
}

/* Exactly n ASCII digits at s, as a number in *v. */
static int
ical_digits(const char *s, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
		*v = *v * 10 + (s[i] - '0');
	}
	return (1);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
ical_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
ical_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * An RFC 3339 time with its offset ("2026-03-01T19:00:00+08:00", also
 * with fractions of a second, "Z", or a space for the "T") as UTC in
 * iCalendar's form "20260301T110000Z" into out (ICAL_UTC_SIZE bytes).
 * Returns 0 for anything else: dates that do not exist, a missing
 * offset (a floating time would be read in the reader's own zone), or a
 * year outside 1-9999 once in UTC.
 */
int
ical_utc(const char *s, char *out, size_t outlen)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int		 y, mo, d, h, mi, sec, oh, om, sign, dm;
	int64_t		 t, days, yy;
	const char	*p;

	if (s == NULL || outlen < ICAL_UTC_SIZE)
		return (0);
	if (!ical_digits(s, 4, &y) || s[4] != '-' ||
	    !ical_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !ical_digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !ical_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !ical_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !ical_digits(s + 17, 2, &sec))
		return (0);
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 59)
		return (0);
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return (0);
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		if (p[-1] == '.')
			return (0);
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		oh = om = 0;
		sign = 1;
	} else if ((*p == '+' || *p == '-') && ical_digits(p + 1, 2, &oh) &&
	    p[3] == ':' && ical_digits(p + 4, 2, &om) && p[6] == '\0') {
		if (oh > 23 || om > 59)
			return (0);
		sign = *p == '-' ? -1 : 1;
	} else
		return (0);

	t = ical_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec - sign * (oh * 3600 + om * 60);
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	t -= days * 86400;
	ical_civil_from_days(days, &yy, &mo, &dm);
	if (yy < 1 || yy > 9999)
		return (0);
	(void)snprintf(out, outlen, "%04d%02d%02dT%02d%02d%02dZ", (int)yy, mo,
	    dm, (int)(t / 3600), (int)(t % 3600 / 60), (int)(t % 60));
	return (1);
}

/* A URI we write as is: 1-2000 visible ASCII characters. */
static int
ical_uri_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f || i >= 2000)
			return (0);
	}
	return (i > 0);
}

/* "NAME:<UTC time>"; 0 when the time is not one. */
static int
ical_time_prop(struct buf *out, const char *name, const char *rfc3339)
{
	char	utc[ICAL_UTC_SIZE], line[64];
	int	n;

	if (!ical_utc(rfc3339, utc, sizeof(utc)))
		return (0);
	n = snprintf(line, sizeof(line), "%s:%s", name, utc);
	if (n < 0 || (size_t)n >= sizeof(line))
		return (0);
	ical_line(out, line, (size_t)n);
	return (1);
}

/* BEGIN:VCALENDAR and the calendar's own properties. */
void
ical_begin(struct buf *out, const struct ical_calendar *cal)
{
	char	line[80];
	int	n;

	ical_line(out, "BEGIN:VCALENDAR", 15);
	ical_line(out, "VERSION:2.0", 11);
	ical_text(out, "PRODID", cal->prodid ? cal->prodid : "",
	    cal->prodid ? strlen(cal->prodid) : 0);
	ical_line(out, "CALSCALE:GREGORIAN", 18);
	if (cal->method != NULL && cal->method[0] != '\0')
		ical_text(out, "METHOD", cal->method, strlen(cal->method));
	if (cal->name != NULL && cal->name[0] != '\0')
		ical_text(out, "X-WR-CALNAME", cal->name, strlen(cal->name));
	if (cal->refresh_minutes > 0) {
		n = snprintf(line, sizeof(line),
		    "REFRESH-INTERVAL;VALUE=DURATION:PT%dM",
		    cal->refresh_minutes);
		ical_line(out, line, (size_t)n);
		n = snprintf(line, sizeof(line), "X-PUBLISHED-TTL:PT%dM",
		    cal->refresh_minutes);
		ical_line(out, line, (size_t)n);
	}
}

/*
 * Append one VEVENT.  Returns 1, or 0 (and appends nothing) when the
 * event lacks its UID, a valid DTSTAMP/DTSTART/DTEND, or ends before it
 * starts: the caller leaves such an event out rather than send a file
 * calendar programs refuse.
 */
int
ical_event(struct buf *out, const struct ical_event *ev)
{
	struct buf	 e, line_buf;
	char		 start[ICAL_UTC_SIZE], end[ICAL_UTC_SIZE];
	char		 line[64];
	int		 ok, n;

	if (ev->uid == NULL || ev->uid[0] == '\0' || ev->sequence < 0 ||
	    !ical_utc(ev->starts_at, start, sizeof(start)) ||
	    !ical_utc(ev->ends_at, end, sizeof(end)) ||
	    strcmp(end, start) < 0)
		return (0);

	buf_init(&e);
	buf_init(&line_buf);
	ok = 0;
	ical_line(&e, "BEGIN:VEVENT", 12);
	ical_text(&e, "UID", ev->uid, strlen(ev->uid));
	n = snprintf(line, sizeof(line), "SEQUENCE:%lld",
	    (long long)ev->sequence);
	ical_line(&e, line, (size_t)n);
	if (!ical_time_prop(&e, "DTSTAMP", ev->stamp) ||
	    !ical_time_prop(&e, "DTSTART", ev->starts_at) ||
	    !ical_time_prop(&e, "DTEND", ev->ends_at))
		goto out;
	if (ev->created != NULL && ev->created[0] != '\0')
		(void)ical_time_prop(&e, "CREATED", ev->created);
	if (ev->modified != NULL && ev->modified[0] != '\0')
		(void)ical_time_prop(&e, "LAST-MODIFIED", ev->modified);
	if (ev->summary != NULL && ev->summary[0] != '\0')
		ical_text(&e, "SUMMARY", ev->summary, strlen(ev->summary));
	if (ev->description != NULL && ev->description[0] != '\0')
		ical_text(&e, "DESCRIPTION", ev->description,
		    strlen(ev->description));
	if (ev->location != NULL && ev->location[0] != '\0')
		ical_text(&e, "LOCATION", ev->location, strlen(ev->location));
	if (ev->url != NULL && ical_uri_ok(ev->url)) {
		buf_appends(&line_buf, "URL:");
		buf_appends(&line_buf, ev->url);
		ical_line(&e, line_buf.data, line_buf.len);
	}
	if (ev->status != NULL && ev->status[0] != '\0')
		ical_text(&e, "STATUS", ev->status, strlen(ev->status));
	ical_line(&e, "END:VEVENT", 10);
	buf_append(out, e.data, e.len);
	ok = 1;
out:
	buf_free(&e);
	buf_free(&line_buf);
	return (ok);
}

/* END:VCALENDAR */
void
ical_end(struct buf *out)
{
	ical_line(out, "END:VCALENDAR", 13);
}

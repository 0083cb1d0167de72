/*
 * ical: an iCalendar (RFC 5545) writer for bookings and calendar feeds.
 *
 * Pure (libc and buf/text only): unit-tested in tests/unit/test_ical.c,
 * fuzzed by tests/fuzz/fuzz_ical.c.  Everything it writes is a content
 * line ended by CRLF and folded at 75 octets (a fold never cuts a UTF-8
 * character); TEXT values are escaped (backslash, semicolon, comma,
 * newline), control characters are dropped and invalid UTF-8 becomes
 * U+FFFD, so any input gives a well-formed file.  Times are written in
 * UTC ("19970714T173000Z"), so no VTIMEZONE is needed.
 */
#ifndef MAKERSPACE_ICAL_H
#define MAKERSPACE_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Octets of a content line before a fold (RFC 5545 section 3.1). */
#define ICAL_LINE_MAX		75
/* "YYYYMMDDTHHMMSSZ" and its NUL. */
#define ICAL_UTC_SIZE		17

struct ical_calendar {
	const char	*prodid;	/* required: "-//Org//Product//EN" */
	const char	*method;	/* "PUBLISH", or NULL for none */
	const char	*name;		/* X-WR-CALNAME, or NULL */
	int		 refresh_minutes;	/* > 0: REFRESH-INTERVAL */
};

/*
 * One VEVENT.  uid and the times are required; the times are RFC 3339
 * with an offset ("2026-03-01T19:00:00+08:00") and are written in UTC.
 * NULL or "" leaves an optional property out.
 */
struct ical_event {
	const char	*uid;		/* stable: "booking-12@example.org" */
	int64_t		 sequence;	/* raised on every change; >= 0 */
	const char	*status;	/* "CONFIRMED", "TENTATIVE",
					   "CANCELLED" or NULL */
	const char	*stamp;		/* DTSTAMP */
	const char	*starts_at;	/* DTSTART */
	const char	*ends_at;	/* DTEND, after starts_at */
	const char	*created;	/* CREATED, optional */
	const char	*modified;	/* LAST-MODIFIED, optional */
	const char	*summary;	/* TEXT, optional */
	const char	*description;	/* TEXT, optional */
	const char	*location;	/* TEXT, optional */
	const char	*url;		/* URI, optional: left out unless it
					   is visible ASCII */
};

void	 ical_begin(struct buf *, const struct ical_calendar *);
int	 ical_event(struct buf *, const struct ical_event *);
void	 ical_end(struct buf *);

void	 ical_line(struct buf *, const char *, size_t);
void	 ical_escape(struct buf *, const char *, size_t);
void	 ical_text(struct buf *, const char *, const char *, size_t);
int	 ical_utc(const char *, char *, size_t);

#endif

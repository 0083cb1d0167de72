/*
 * fuzz_ical: libFuzzer target for app/ical.c.
 *
 * The input, split at NUL bytes, gives an event's fields (UID, status,
 * times, summary, description, location, URL).  Whatever they hold, the
 * output must be well-formed: every physical line ends with CRLF, holds
 * at most 75 octets and is valid UTF-8 on its own, no bare CR or LF, and
 * every content line (after unfolding) starts with a property name of
 * ours, so no text can start a property or a component of its own.  A
 * time ical_utc() accepts must read back as a valid UTC time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ical.h"
#include "text.h"

#define FIELDS	9

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const names[] = {
	"BEGIN:", "END:", "VERSION:", "PRODID:", "CALSCALE:", "METHOD:",
	"X-WR-CALNAME:", "REFRESH-INTERVAL;", "X-PUBLISHED-TTL:", "UID:",
	"SEQUENCE:", "DTSTAMP:", "DTSTART:", "DTEND:", "CREATED:",
	"LAST-MODIFIED:", "SUMMARY:", "DESCRIPTION:", "LOCATION:", "URL:",
	"STATUS:", NULL,
};

static void
check(const char *s, size_t len)
{
	size_t	i, start, k;
	int	known;

	if (len == 0)
		return;
	if (len < 2 || s[len - 2] != '\r' || s[len - 1] != '\n')
		abort();
	for (start = i = 0; i < len; i++) {
		if (s[i] == '\n')
			abort();
		if (s[i] != '\r')
			continue;
		if (s[i + 1] != '\n' || i - start > ICAL_LINE_MAX ||
		    !text_utf8_valid(s + start, i - start))
			abort();
		if (s[start] != ' ') {
			for (known = 0, k = 0; names[k] != NULL; k++) {
				if (strncmp(s + start, names[k],
				    strlen(names[k])) == 0)
					known = 1;
			}
			if (!known)
				abort();
		}
		i++;
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ical_calendar	 cal = { "-//Makerspace//Fuzz//EN", "PUBLISH",
	    NULL, 0 };
	struct ical_event	 ev;
	struct buf		 out;
	char			*copy, *f[FIELDS], utc[ICAL_UTC_SIZE];
	size_t			 i, n;

	if ((copy = malloc(len + 1)) == NULL)
		return (0);
	memcpy(copy, data, len);
	copy[len] = '\0';
	for (n = 0, i = 0; n < FIELDS; n++) {
		f[n] = copy + i;
		i += strlen(copy + i);
		if (i < len)
			i++;
	}

	if (ical_utc(f[0], utc, sizeof(utc))) {
		if (strlen(utc) != 16 || utc[8] != 'T' || utc[15] != 'Z')
			abort();
	}

	buf_init(&out);
	cal.name = f[8];
	ical_begin(&out, &cal);
	memset(&ev, 0, sizeof(ev));
	ev.uid = f[0];
	ev.sequence = (int64_t)len;
	ev.status = f[1];
	ev.stamp = "2026-01-01T00:00:00Z";
	ev.starts_at = f[2][0] ? f[2] : "2026-01-01T08:00:00+08:00";
	ev.ends_at = f[3][0] ? f[3] : "2026-01-01T09:00:00+08:00";
	ev.summary = f[4];
	ev.description = f[5];
	ev.location = f[6];
	ev.url = f[7];
	(void)ical_event(&out, &ev);
	ical_end(&out);
	check(out.data, out.len);

	/* The whole input as one TEXT value. */
	buf_reset(&out);
	ical_text(&out, "DESCRIPTION", (const char *)data, len);
	check(out.data, out.len);
	buf_free(&out);
	free(copy);
	return (0);
}

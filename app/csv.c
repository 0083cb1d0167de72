/*
 * csv: the CSV writer of csv.h (the rules are there).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"

static void	csv_sep(struct csv *);

/* Start a file: the UTF-8 byte order mark. */
void
csv_begin(struct csv *c, struct buf *out)
{
	c->out = out;
	c->fields = 0;
	buf_append(out, "\xEF\xBB\xBF", 3);
}

static void
csv_sep(struct csv *c)
{
	if (c->fields++ > 0)
		buf_appendc(c->out, ',');
}

/* A text cell a spreadsheet would take for a formula. */
int
csv_needs_prefix(const char *s, size_t len)
{
	if (len == 0)
		return (0);
	return (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r');
}

/* A text field: neutralised, then quoted when RFC 4180 asks for it. */
void
csv_text(struct csv *c, const char *s, size_t len)
{
	size_t	i;
	int	quote;

	csv_sep(c);
	quote = 0;
	for (i = 0; i < len && !quote; i++)
		quote = (s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n');
	if (quote)
		buf_appendc(c->out, '"');
	if (csv_needs_prefix(s, len))
		buf_appendc(c->out, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_appendc(c->out, '"');
		buf_appendc(c->out, s[i]);
	}
	if (quote)
		buf_appendc(c->out, '"');
}

/* A NUL-terminated text field; NULL is an empty field. */
void
csv_texts(struct csv *c, const char *s)
{
	if (s == NULL)
		csv_empty(c);
	else
		csv_text(c, s, strlen(s));
}

void
csv_int(struct csv *c, int64_t v)
{
	csv_sep(c);
	buf_appendf(c->out, "%lld", (long long)v);
}

/*
 * A number with this many decimals (0-9; trailing zeros kept, so a
 * column lines up).  Not a finite number: an empty field.
 */
void
csv_number(struct csv *c, double v, int decimals)
{
	csv_sep(c);
	if (!isfinite(v))
		return;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	/* -0.00 reads as a negative zero: written as 0.00. */
	if (v < 0 && v > -0.5 * pow(10, -decimals))
		v = 0;
	buf_appendf(c->out, "%.*f", decimals, v);
}

void
csv_empty(struct csv *c)
{
	csv_sep(c);
}

/* End the record: CRLF. */
void
csv_end_row(struct csv *c)
{
	buf_append(c->out, "\r\n", 2);
	c->fields = 0;
}

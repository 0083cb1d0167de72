/*
 * fuzz_csv: libFuzzer target for app/csv.c.
 *
 * The input is cells separated by NUL bytes, records by 0x1E.  They are
 * written as text cells, then read back with an RFC 4180 reader written
 * here.  Aborts unless: the file starts with the byte order mark; every
 * record ends in CRLF outside quotes; the reader gets back the same
 * records and cells, each exactly the input cell, with a "'" in front
 * when (and only when) the cell starts with '=', '+', '-', '@', TAB or
 * CR; no unquoted field holds a comma, quote, CR or LF.
 * Build: `make build/fuzz/fuzz_csv`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	read_field(const struct buf *, size_t *, struct buf *);

/*
 * Read one field at *pos of out; the field's bytes go to f.  Returns the
 * byte that ended it: ',', '\n' (after CR LF) or 0 at the end.
 */
static int
read_field(const struct buf *out, size_t *pos, struct buf *f)
{
	size_t	i = *pos;
	char	ch;

	buf_reset(f);
	if (i < out->len && out->data[i] == '"') {
		for (i++;; i++) {
			if (i >= out->len)
				abort();	/* unterminated quote */
			if (out->data[i] == '"') {
				if (i + 1 < out->len && out->data[i + 1] ==
				    '"') {
					buf_appendc(f, '"');
					i++;
					continue;
				}
				i++;
				break;
			}
			buf_appendc(f, out->data[i]);
		}
	} else {
		for (; i < out->len; i++) {
			ch = out->data[i];
			if (ch == ',' || ch == '\r')
				break;
			if (ch == '"' || ch == '\n')
				abort();	/* must have been quoted */
			buf_appendc(f, ch);
		}
	}
	if (i >= out->len)
		abort();		/* every record ends with CRLF */
	if (out->data[i] == ',') {
		*pos = i + 1;
		return (',');
	}
	if (out->data[i] != '\r' || i + 1 >= out->len ||
	    out->data[i + 1] != '\n')
		abort();
	*pos = i + 2;
	return (*pos == out->len ? 0 : '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 out, f;
	struct csv	 c;
	const char	*in = (const char *)data;
	size_t		 i, start, pos, len;
	int		 end, want_end, pre;

	buf_init(&out);
	buf_init(&f);
	csv_begin(&c, &out);
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && in[i] != '\0' && in[i] != 0x1e)
			continue;
		csv_text(&c, in + start, i - start);
		if (i == size || in[i] == 0x1e)
			csv_end_row(&c);
		start = i + 1;
	}
	if (out.len < 3 || memcmp(out.data, "\xEF\xBB\xBF", 3) != 0)
		abort();

	pos = 3;
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && in[i] != '\0' && in[i] != 0x1e)
			continue;
		end = read_field(&out, &pos, &f);
		want_end = i == size ? 0 : in[i] == 0x1e ? '\n' : ',';
		if (end != want_end)
			abort();
		len = i - start;
		pre = csv_needs_prefix(in + start, len);
		if (pre != (len > 0 && strchr("=+-@\t\r", in[start]) != NULL))
			abort();
		if (f.len != len + (size_t)pre || (pre && f.data[0] != '\'') ||
		    (len > 0 && memcmp(f.data + pre, in + start, len) != 0))
			abort();
		start = i + 1;
	}
	if (pos != out.len)
		abort();
	buf_free(&out);
	buf_free(&f);
	return (0);
}

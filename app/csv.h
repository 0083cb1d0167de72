/*
 * csv: a CSV writer for spreadsheets (Excel and WPS as libraries use
 * them).  Pure: no Kore; unit-tested in tests/unit/test_csv.c and fuzzed
 * in tests/fuzz/fuzz_csv.c.
 *
 * What it writes (docs/api.md#get-competitionsidresultscsv):
 * - UTF-8 with a byte order mark first, so Excel reads Chinese names
 *   as UTF-8 instead of the local code page;
 * - records ended by CRLF, fields separated by commas, RFC 4180 quoting:
 *   a field holding a comma, a double quote, CR or LF is quoted and its
 *   quotes doubled;
 * - a text cell whose first byte is '=', '+', '-', '@', TAB or CR gets a
 *   "'" in front, so a spreadsheet shows it as text instead of running
 *   it as a formula ("formula injection");
 * - numbers as plain numbers (never prefixed, never quoted).
 *
 * The writer appends to a struct buf the caller owns; struct csv only
 * remembers whether the current record has a field yet.
 */
#ifndef MAKERSPACE_CSV_H
#define MAKERSPACE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct csv {
	struct buf	*out;
	int		 fields;	/* in the current record */
};

void	 csv_begin(struct csv *, struct buf *);
void	 csv_text(struct csv *, const char *, size_t);
void	 csv_texts(struct csv *, const char *);
void	 csv_int(struct csv *, int64_t);
void	 csv_number(struct csv *, double, int);
void	 csv_empty(struct csv *);
void	 csv_end_row(struct csv *);
int	 csv_needs_prefix(const char *, size_t);

#endif

/*
 * test_csv: unit tests for app/csv.c (the CSV rules are in csv.h).
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "unit.h"

int	main(void);

static const char	*row(const char *const *, size_t);

/* One record of text cells, without the BOM (static; next call reuses). */
static const char *
row(const char *const *cells, size_t n)
{
	static struct buf	b;
	struct csv		c;
	size_t			i;

	buf_free(&b);
	csv_begin(&c, &b);
	for (i = 0; i < n; i++)
		csv_texts(&c, cells[i]);
	csv_end_row(&c);
	return (b.data + 3);
}

int
main(void)
{
	struct buf	 b;
	struct csv	 c;
	const char	*plain[] = { "a", "b c", "" };
	const char	*quoted[] = { "x,y", "say \"hi\"", "two\r\nlines",
			    "lf\nonly" };
	const char	*formulas[] = { "=1+2", "+86 10", "-3", "@SUM(A1)",
			    "\tx", "a=b", "'kept" };
	const char	*cjk[] = { "张三", "一等奖", "=HYPERLINK(\"x\")" };

	buf_init(&b);
	csv_begin(&c, &b);
	CHECK(b.len == 3 && memcmp(b.data, "\xEF\xBB\xBF", 3) == 0,
	    "begin: the UTF-8 byte order mark");
	csv_texts(&c, "a");
	csv_int(&c, 42);
	csv_end_row(&c);
	csv_int(&c, -7);
	csv_end_row(&c);
	CHECK_STR(b.data + 3, "a,42\r\n-7\r\n", "records end with CRLF; "
	    "a negative number is not prefixed");
	buf_free(&b);

	CHECK_STR(row(plain, 3), "a,b c,\r\n", "plain cells unquoted, empty "
	    "cell empty");
	CHECK_STR(row(quoted, 4), "\"x,y\",\"say \"\"hi\"\"\",\"two\r\n"
	    "lines\",\"lf\nonly\"\r\n", "comma, quote, CRLF and LF quoted, "
	    "quotes doubled");
	CHECK_STR(row(formulas, 7), "'=1+2,'+86 10,'-3,'@SUM(A1),'\tx,a=b,"
	    "'kept\r\n", "=, +, -, @ and TAB first: prefixed with '");
	CHECK_STR(row(cjk, 3), "张三,一等奖,\"'=HYPERLINK(\"\"x\"\")\"\r\n",
	    "Chinese as UTF-8; a quoted formula is prefixed inside the quotes");
	CHECK(csv_needs_prefix("\r1", 2) && !csv_needs_prefix("", 0) &&
	    !csv_needs_prefix("1=", 2), "csv_needs_prefix");

	buf_init(&b);
	csv_begin(&c, &b);
	csv_number(&c, 84.25, 2);
	csv_number(&c, -0.001, 2);
	csv_number(&c, 1.0 / 3.0, 9);
	csv_number(&c, 0.0 / 0.0, 2);
	csv_number(&c, 7.5, 0);
	csv_texts(&c, NULL);
	csv_number(&c, -12.5, 1);
	csv_end_row(&c);
	CHECK_STR(b.data + 3, "84.25,0.00,0.333333333,,8,,-12.5\r\n",
	    "numbers: fixed decimals, no negative zero, NaN empty, NULL text "
	    "empty");
	buf_free(&b);
	(void)row(NULL, 0);
	CHECK_STR(row(NULL, 0), "\r\n", "an empty record");
	UNIT_DONE("test_csv");
}

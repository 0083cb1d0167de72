/*
 * test_qr: unit tests for app/qr.c.  No decoder: the structure of the
 * symbol (its size for a known text, the finder patterns at three
 * corners and none at the fourth, the timing patterns) and that the SVG
 * draws exactly the modules of the matrix inside the quiet zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr.h"
#include "unit.h"

int	main(void);

static int	finder_at(const unsigned char *, int, int, int);
static int	timing_ok(const unsigned char *, int);
static unsigned char	*svg_modules(const char *, int *);

/* The 7x7 finder pattern with its top-left module at (x0, y0). */
static int
finder_at(const unsigned char *m, int w, int x0, int y0)
{
	int	x, y, ring, want;

	for (y = 0; y < 7; y++) {
		for (x = 0; x < 7; x++) {
			ring = x < y ? x : y;
			if (6 - x < ring)
				ring = 6 - x;
			if (6 - y < ring)
				ring = 6 - y;
			/* Dark outer ring, light ring, dark 3x3 centre. */
			want = ring != 1;
			if (m[(y0 + y) * w + x0 + x] != want)
				return (0);
		}
	}
	return (1);
}

/* Row 6 and column 6 alternate between the finder patterns. */
static int
timing_ok(const unsigned char *m, int w)
{
	int	i;

	for (i = 8; i < w - 8; i++)
		if (m[6 * w + i] != ((i + 1) & 1) || m[i * w + 6] !=
		    ((i + 1) & 1))
			return (0);
	return (1);
}

/* Parse the path "M x yhNv1h-Nz..." back into modules of side *side. */
static unsigned char *
svg_modules(const char *svg, int *side)
{
	unsigned char	*m;
	const char	*p;
	int		 x, y, n, n2, used;

	if (sscanf(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\"", side, &n) != 2 || *side != n ||
	    *side < 21 + 2 * QR_QUIET)
		return (NULL);
	if ((p = strstr(svg, " d=\"")) == NULL)
		return (NULL);
	p += 4;
	m = calloc((size_t)*side * (size_t)*side, 1);
	while (*p == 'M') {
		if (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2,
		    &used) != 4 || n != n2 || n < 1 || x < 0 || y < 0 ||
		    x + n > *side || y >= *side) {
			free(m);
			return (NULL);
		}
		while (n-- > 0)
			m[y * *side + x++] = 1;
		p += used;
	}
	if (strcmp(p, "\"/></svg>") != 0) {
		free(m);
		return (NULL);
	}
	return (m);
}

int
main(void)
{
	const char	*url = "https://makerspace.example/verify/K7Q2M9XH";
	unsigned char	*m, *s;
	struct buf	 b;
	char		 long_text[QR_TEXT_MAX + 2];
	int		 w, side, x, y, same, quiet;

	/* 41 bytes, level M, byte mode: version 3 (42 bytes), 29 modules. */
	m = qr_matrix(url, &w);
	CHECK(m != NULL && w == 29, "a 41-byte URL is version 3: 29x29");
	CHECK(m != NULL && finder_at(m, w, 0, 0), "finder pattern top left");
	CHECK(m != NULL && finder_at(m, w, w - 7, 0),
	    "finder pattern top right");
	CHECK(m != NULL && finder_at(m, w, 0, w - 7),
	    "finder pattern bottom left");
	CHECK(m != NULL && !finder_at(m, w, w - 7, w - 7),
	    "no finder pattern bottom right");
	CHECK(m != NULL && timing_ok(m, w), "timing patterns");
	/* The dark module beside the bottom-left finder (4V+9, 8). */
	CHECK(m != NULL && m[(w - 8) * w + 8] == 1, "the dark module");

	buf_init(&b);
	CHECK(qr_svg(&b, url, 160) == 0, "svg: encoded");
	CHECK(strstr(b.data, "width=\"160\" height=\"160\"") != NULL,
	    "svg: the size asked for");
	s = svg_modules(b.data, &side);
	CHECK(s != NULL && side == w + 2 * QR_QUIET,
	    "svg: the symbol and a quiet zone of 4 modules each side");
	same = s != NULL && m != NULL;
	quiet = same;
	for (y = 0; same && y < side; y++) {
		for (x = 0; x < side; x++) {
			if (x < QR_QUIET || y < QR_QUIET || x >= side -
			    QR_QUIET || y >= side - QR_QUIET) {
				if (s[y * side + x])
					quiet = 0;
			} else if (s[y * side + x] != m[(y - QR_QUIET) * w +
			    x - QR_QUIET])
				same = 0;
		}
	}
	CHECK(same, "svg: draws exactly the matrix's dark modules");
	CHECK(quiet, "svg: the quiet zone is empty");
	free(s);
	free(m);
	buf_free(&b);

	/* Short text: version 1, 21 modules. */
	m = qr_matrix("A", &w);
	CHECK(m != NULL && w == 21 && finder_at(m, w, 0, 0), "one byte: 21x21");
	free(m);

	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	buf_init(&b);
	CHECK(qr_svg(&b, long_text, 0) == -1 && b.len == 0,
	    "too long: refused, nothing written");
	CHECK(qr_svg(&b, "", 0) == -1 && b.len == 0, "empty: refused");
	CHECK(qr_svg(&b, "x", 0) == 0 && strstr(b.data, "viewBox=\"0 0 29 29\" "
	    "shape-rendering") != NULL,
	    "px 0: no width, CSS sizes it");
	buf_free(&b);
	UNIT_DONE("test_qr");
}

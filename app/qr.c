/*
 * qr: QR codes as inline SVG (see qr.h).
 */
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

/*
 * The modules of `text` (NUL-terminated, 1..QR_TEXT_MAX bytes) and their
 * number per side in *width; NULL when the text is empty, too long or
 * libqrencode fails.
 */
unsigned char *
qr_matrix(const char *text, int *width)
{
	QRcode		*code;
	unsigned char	*m;
	size_t		 len, i, n;

	*width = 0;
	len = strlen(text);
	if (len == 0 || len > QR_TEXT_MAX)
		return (NULL);
	if ((code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL)
		return (NULL);
	n = (size_t)code->width * (size_t)code->width;
	if ((m = malloc(n)) == NULL) {
		QRcode_free(code);
		return (NULL);
	}
	/* Bit 0 of each byte is the module's colour (qrencode.h). */
	for (i = 0; i < n; i++)
		m[i] = code->data[i] & 1;
	*width = code->width;
	QRcode_free(code);
	return (m);
}

/*
 * Append the SVG of `text`, `px` pixels a side (0: no width/height, the
 * page's CSS sizes it).  Returns 0, or -1 (nothing appended) when the
 * text cannot be encoded.
 */
int
qr_svg(struct buf *out, const char *text, int px)
{
	unsigned char	*m;
	int		 w, side, x, y, run;

	if ((m = qr_matrix(text, &w)) == NULL)
		return (-1);
	side = w + 2 * QR_QUIET;
	buf_appendf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\"", side, side);
	if (px > 0)
		buf_appendf(out, " width=\"%d\" height=\"%d\"", px, px);
	buf_appendf(out, " shape-rendering=\"crispEdges\" role=\"img\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", side, side);
	for (y = 0; y < w; y++) {
		for (x = 0; x < w; x += run) {
			run = 0;
			while (x + run < w && m[y * w + x + run])
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			buf_appendf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET,
			    y + QR_QUIET, run, run);
		}
	}
	buf_appends(out, "\"/></svg>");
	free(m);
	return (0);
}

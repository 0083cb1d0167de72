/*
 * qr: QR codes (libqrencode) drawn as inline SVG.  Pure: no Kore;
 * unit-tested in tests/unit/test_qr.c.
 *
 * qr_svg() appends one <svg> element to the caller's buffer: the code's
 * dark modules as one <path> of horizontal runs (a few kilobytes for a
 * URL), a white background and the four-module quiet zone the standard
 * asks for, scaled by CSS or the width/height given.  Error correction
 * level M (15 %), byte mode, the smallest version that fits.
 *
 * qr_matrix() gives the modules themselves (1 dark, 0 light; width *
 * width bytes, malloc()ed, the caller frees), for the tests.
 */
#ifndef MAKERSPACE_QR_H
#define MAKERSPACE_QR_H

#include <stddef.h>

#include "buf.h"

/* Longest text we encode (a URL): version 10-M holds 213 bytes. */
#define QR_TEXT_MAX	200
#define QR_QUIET	4

unsigned char	*qr_matrix(const char *, int *);
int		 qr_svg(struct buf *, const char *, int);

#endif

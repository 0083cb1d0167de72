/*
 * img: untrusted upload (JPEG, PNG, WebP) -> thumbnail + display image.
 * Pure (libc, libgd, libjpeg, libsodium, buf), thread-safe once img_init()
 * has run, never aborts on bad input.  Rules and caveats: top of img.c.
 */
#ifndef MAKERSPACE_IMG_H
#define MAKERSPACE_IMG_H

#include <stddef.h>

#include "buf.h"

#define IMG_MAX_BYTES		(10 * 1024 * 1024)
#define IMG_MAX_PIXELS		40000000ULL	/* 40 megapixels */
#define IMG_THUMB_MAX		400	/* long side, px */
#define IMG_DISPLAY_MAX		1600
/*
 * What img_process() may allocate for one image at its peak, estimated
 * from the header before anything is decoded (img_memory()).  libgd
 * keeps 4 bytes a pixel, and PNG and WebP are decoded whole first: an
 * RGBA PNG needs 8 bytes a pixel, so 100 MiB takes PNGs and WebPs up to
 * about 8-12 megapixels and baseline JPEGs (shrunk while decoding) up to
 * the 40-megapixel limit (docs/performance.md#bounded-cost-per-request).
 */
#define IMG_MAX_MEMORY		(100ULL * 1024 * 1024)

enum img_type { IMG_NONE = 0, IMG_JPEG, IMG_PNG, IMG_WEBP };
enum img_error {
	IMG_OK = 0,
	IMG_EUNSUPPORTED,	/* not JPEG/PNG/WebP, or refused kind: 415 */
	IMG_ETOOBIG,		/* > IMG_MAX_PIXELS or IMG_MAX_BYTES: 422 */
	IMG_ECORRUPT,		/* truncated or undecodable: 422 */
	IMG_EEMPTY,		/* 0 bytes: 422 */
	IMG_ENOMEM,		/* allocation failed: 500 */
	IMG_EMEMORY		/* decoding needs > IMG_MAX_MEMORY: 422 */
};

struct img_variant {
	unsigned char	*data;	/* malloc()ed: img_result_free() */
	size_t		 len;
	unsigned	 w, h;
	const char	*mime;	/* "image/jpeg" or "image/png" */
	char		 sha256[SHA256_HEX_BUF];	/* hex of data: the address */
};

struct img_result {
	enum img_type		in_type;
	unsigned		in_w, in_h;	/* as stored */
	unsigned		w, h;		/* upright, full size */
	int			orientation;	/* EXIF 1..8, applied */
	struct img_variant	thumb;		/* long side <= 400 */
	struct img_variant	display;	/* long side <= 1600 */
};

/* Magic and header only; type/w/h set when read, also on refusal. */
enum img_error	 img_sniff(const void *, size_t, enum img_type *,
		    unsigned *, unsigned *);
/*
 * Bytes img_process() would need at its peak for this image, from its
 * header alone (decoder, libgd image, scaler); 0 when img_sniff() does
 * not accept it.  A deliberate overestimate: see img.c, rule 8.
 */
unsigned long long img_memory(const void *, size_t);
/*
 * img_sniff(), then the memory rule: IMG_EMEMORY when img_memory() is
 * over IMG_MAX_MEMORY.  What an upload must pass before it is decoded.
 */
enum img_error	 img_check(const void *, size_t, enum img_type *,
		    unsigned *, unsigned *);
/* EXIF orientation 1..8 of a JPEG (APP1) or WebP (EXIF chunk); else 1. */
int		 img_exif_orientation(const void *, size_t);
/* On error out owns nothing (in_type, in_w, in_h kept for the log). */
enum img_error	 img_process(const void *, size_t, struct img_result *);
void		 img_result_free(struct img_result *);
/* Stable token for logs and message keys: "ok", "unsupported", ... */
const char	*img_error_name(enum img_error);
/* Once at start-up, before any thread calls img_*: silences libgd. */
void		 img_init(void);

#endif

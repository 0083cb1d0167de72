/*
 * img: untrusted phone photo -> safe thumbnail + display image.
 *
 * Rules (see img.h for the API, docs/architecture.md#images for the why):
 *
 *  1. Identify by magic bytes only: JPEG "FF D8 FF", PNG signature,
 *     "RIFF....WEBP".  Anything else (GIF, BMP, HTML, SVG, text, RIFF
 *     WAVE...) is IMG_EUNSUPPORTED, 0 bytes IMG_EEMPTY, more than
 *     IMG_MAX_BYTES IMG_ETOOBIG (img_process only).
 *  2. Dimensions come from the header, never from decoding: JPEG markers
 *     are walked to the SOFn like libjpeg's next_marker() does (garbage
 *     and fill bytes skipped, every segment length bounds-checked), PNG
 *     needs IHDR (length 13) as first chunk, WebP the first chunk's VP8
 *     key frame (start code 9d 01 2a), VP8L (signature 0x2f, version 0) or
 *     VP8X canvas.  Width or height 0, a missing SOF or a short header is
 *     IMG_ECORRUPT; w * h > IMG_MAX_PIXELS is IMG_ETOOBIG, decided before
 *     a pixel is allocated.  JPEG processes libjpeg-turbo 2.1 cannot
 *     decode (lossless SOF3, hierarchical SOF5-7/13-15) and animated WebP
 *     are IMG_EUNSUPPORTED.
 *  3. The decoders are guarded too.  JPEG: dimensions re-checked after
 *     jpeg_read_header(), cinfo.mem->max_memory_to_use caps libjpeg's own
 *     buffers (progressive coefficients; exceeding it is IMG_EMEMORY),
 *     more than IMG_JPEG_MAX_SCANS scans is refused (CPU bomb), and every
 *     libjpeg error longjmp()s back here.  PNG and WebP are decoded by
 *     libgd from memory: the header check of rule 2 is the guard (a PNG's
 *     IHDR is authoritative), and the decoded size must equal it.  A PNG
 *     reaches libgd with only IHDR, PLTE, a valid tRNS, IDAT and IEND:
 *     libgd gives libpng no warning handler, and libpng would print about
 *     the other chunks on stderr.  It still prints for interlaced PNGs
 *     and for damaged IDAT streams; only decoding PNG with libpng
 *     directly (-lpng) would silence that.
 *  4. A truncated or damaged JPEG is IMG_ECORRUPT, not a half-grey photo:
 *     the libjpeg warnings "premature end of JPEG file", "premature end of
 *     data segment", "must resync" and "bad Huffman code" are fatal.  The
 *     harmless ones (extraneous bytes before a marker, odd JFIF versions)
 *     are ignored, as browsers do.  Strict: a JPEG missing only its EOI
 *     is truncated too (libjpeg reads ahead, it cannot tell).  Data after
 *     the last scanline is never read (no jpeg_finish_decompress).
 *  5. JPEGs shrink while decoding: scale_num/8 is the smallest scale whose
 *     output is still at least the display size.  Then an area (box)
 *     filter in fixed point with premultiplied alpha brings it to the exact
 *     size: no aliasing (unlike gdImageScale's default GD_BILINEAR_FIXED),
 *     no dark fringes at transparent edges.  Images are never upscaled;
 *     the short side is rounded and at least 1 px.
 *  6. EXIF orientation (APP1 "Exif\0\0", or a WebP EXIF chunk; TIFF II/MM,
 *     IFD0 only, so no loops; tag 0x0112 SHORT count 1; every offset
 *     bounds-checked; anything odd means 1) is applied to the scaled image:
 *     all 8 cases, w/h swap for 5..8.  PNG is taken as stored.
 *  7. Output: JPEG (quality IMG_JPEG_QUALITY, progressive, optimised
 *     Huffman, JFIF header only) unless a PNG/WebP has real transparency
 *     (some pixel with alpha after scaling), then PNG with alpha.  Palette
 *     PNGs are made truecolor, a truecolor PNG's tRNS colour key becomes
 *     alpha.  Nothing of the input's metadata is copied: no EXIF/GPS, no
 *     XMP, no ICC profile (so wide-gamut photos lose their profile).
 *  8. Memory is refused before it is spent (img_memory(), img_check()):
 *     from the header alone, the peak of what decoding and scaling would
 *     allocate, over IMG_MAX_MEMORY is IMG_EMEMORY.  libgd keeps 4 bytes
 *     a pixel (each row malloc()ed); libgd's PNG reader first inflates
 *     the whole image (1, 3 or 4 bytes a pixel after its transforms) and
 *     a palette image is then copied to truecolor (5 bytes a pixel at
 *     once); libwebp decodes to a whole ARGB buffer, lossless (VP8L) via
 *     another one of its own; a progressive or multi-scan JPEG needs all
 *     its DCT coefficients (128 bytes per 8x8 block of each component),
 *     a baseline one only its shrunk output.  Then the scaler holds the
 *     decoded image, the display size and a row of sums.  The estimate
 *     errs high (allocator overhead, libjpeg's row buffers, a few MiB
 *     for encoding).  libjpeg's own max_memory_to_use is the same
 *     budget, a backstop should the estimate ever be low.
 *  9. Thread safety: libjpeg structs, error managers and buffers are per
 *     call, no static mutable state.  The only global is libgd's error
 *     method, set once by img_init().  The libgd calls used (PNG/WebP
 *     from memory, PNG out, create/destroy, palette to truecolor) keep
 *     their state per image; gdImageScale and fonts are not used.
 *
 * Ownership: gd images are released with gdImageDestroy(), gd's encoded
 * buffers with gdFree() (their bytes are first copied into a buf), ours
 * with free().  The variants' data is malloc()ed (buf_release) and freed
 * by img_result_free().  buf aborts when out of memory (project policy).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>
#include <jpeglib.h>
#include <jerror.h>
#include <sodium.h>

#include "buf.h"
#include "img.h"

/* Encoders' buffers, the thumbnail and what rounding misses (rule 8). */
#define IMG_MEMORY_SLACK	(4ULL * 1024 * 1024)
/* Components of a JPEG frame libjpeg accepts (its MAX_COMPONENTS). */
#define JPEG_MAX_COMPS		10
/* More scans than this is a CPU bomb, not a photo (libjpeg-turbo: 500). */
#define IMG_JPEG_MAX_SCANS	100
#define IMG_JPEG_QUALITY	82

/* Scaler weights: fixed point, the weights of one output pixel sum to 1. */
#define W_BITS		14
#define W_ONE		(1U << W_BITS)
#define A_OPAQUE	(127U * 255U)	/* premultiplied opacity 1 */

#define PNG_LEVEL	6		/* zlib level for PNG output */

/* A JPEG marker segment, as found by jpeg_segment(). */
struct jseg {
	unsigned char		 marker;
	const unsigned char	*data;	/* after the length field */
	size_t			 len;
};

/* libjpeg error manager that longjmp()s back instead of exit()ing. */
struct jerr {
	struct jpeg_error_mgr		pub;	/* first: cast to */
	struct jpeg_progress_mgr	prog;
	jmp_buf				jb;
	enum img_error			err;
};

/* libjpeg destination appending to a buf in chunks. */
struct jdst {
	struct jpeg_destination_mgr	 pub;	/* first: cast to */
	struct buf			*out;
	JOCTET				 chunk[16384];
};

/* A JPEG frame as decoding will lay it out in memory (jpeg_layout()). */
struct jlayout {
	unsigned	w, h;
	unsigned	ncomp;
	unsigned	hs[JPEG_MAX_COMPS];	/* sampling factors */
	unsigned	vs[JPEG_MAX_COMPS];
	int		multiscan;	/* all coefficients kept (rule 8) */
};

/* What png_strip() has seen so far. */
struct pngscan {
	unsigned	ctype;		/* IHDR colour type */
	unsigned	npal;		/* PLTE entries */
	int		trns;		/* a tRNS was kept */
};

/* One axis of the area filter: which source pixels make a target one. */
struct axis {
	unsigned	*first;	/* per target pixel: first source */
	unsigned	*n;	/* per target pixel: source count */
	size_t		*woff;	/* per target pixel: index into w */
	uint32_t	*w;	/* weights, W_ONE per target pixel */
};

static unsigned		 rd16(const unsigned char *, int);
static unsigned long	 rd32(const unsigned char *, int);
static enum img_error	 check_dims(unsigned long long, unsigned long long,
			    unsigned *, unsigned *);
static int		 jpeg_segment(const unsigned char *, size_t, size_t *,
			    struct jseg *);
static int		 jpeg_is_sof(unsigned char);
static enum img_error	 sniff_jpeg(const unsigned char *, size_t,
			    unsigned *, unsigned *);
static enum img_error	 sniff_png(const unsigned char *, size_t,
			    unsigned *, unsigned *);
static enum img_error	 sniff_webp(const unsigned char *, size_t,
			    unsigned *, unsigned *);
static int		 jpeg_layout(const unsigned char *, size_t,
			    struct jlayout *);
static unsigned long long gd_bytes(unsigned long long, unsigned long long,
			    unsigned);
static unsigned long long scale_bytes(unsigned, unsigned, unsigned,
			    unsigned);
static unsigned long long memory_jpeg(const unsigned char *, size_t);
static unsigned long long memory_png(const unsigned char *, size_t,
			    unsigned, unsigned);
static unsigned long long memory_webp(const unsigned char *, size_t,
			    unsigned, unsigned);
static int		 webp_lossless(const unsigned char *, size_t);
static int		 tiff_orientation(const unsigned char *, size_t);
static int		 exif_jpeg(const unsigned char *, size_t);
static int		 exif_webp(const unsigned char *, size_t);
static struct jpeg_error_mgr	*jerr_init(struct jerr *);
static void		 jerr_exit(j_common_ptr);
static void		 jerr_emit(j_common_ptr, int);
static void		 jerr_output(j_common_ptr);
static void		 jerr_progress(j_common_ptr);
static int		 jpeg_colors(j_decompress_ptr);
static void		 jpeg_pick_scale(j_decompress_ptr, unsigned,
			    unsigned);
static void		 jpeg_row(j_decompress_ptr, const unsigned char *,
			    int *);
static enum img_error	 jpeg_decode(const unsigned char *, size_t,
			    unsigned, unsigned, gdImagePtr *);
static void		 jdst_init(j_compress_ptr);
static boolean		 jdst_empty(j_compress_ptr);
static void		 jdst_term(j_compress_ptr);
static enum img_error	 jpeg_encode(gdImagePtr, struct buf *);
static enum img_error	 png_encode(gdImagePtr, struct buf *);
static uint32_t		 png_crc(const unsigned char *, size_t);
static int		 png_keep(const unsigned char *, size_t,
			    struct pngscan *);
static enum img_error	 png_strip(const unsigned char *, size_t,
			    struct buf *);
static gdImagePtr	 gd_read(enum img_type, const void *, size_t,
			    enum img_error *);
static enum img_error	 gd_decode(enum img_type, const void *, size_t,
			    unsigned, unsigned, gdImagePtr *);
static void		 fit(unsigned, unsigned, unsigned, unsigned *,
			    unsigned *);
static int		 axis_init(struct axis *, unsigned, unsigned);
static void		 axis_free(struct axis *);
static void		 scale_rows(gdImagePtr, const struct axis *,
			    unsigned, uint32_t *);
static void		 scale_cols(const uint32_t *, const struct axis *,
			    unsigned, int *);
static gdImagePtr	 img_scale(gdImagePtr, unsigned, unsigned);
static gdImagePtr	 img_orient(gdImagePtr, int);
static int		 has_alpha(gdImagePtr);
static enum img_error	 variant_encode(gdImagePtr, int,
			    struct img_variant *);
static void		 variant_copy(struct img_variant *,
			    const struct img_variant *);
static enum img_error	 process_pixels(gdImagePtr *, enum img_type,
			    struct img_result *);
static void		 gd_silent(int, const char *, va_list);

/*
 * Sniffing.
 */
static unsigned
rd16(const unsigned char *p, int le)
{
	if (le)
		return ((unsigned)p[0] | (unsigned)p[1] << 8);
	return ((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static unsigned long
rd32(const unsigned char *p, int le)
{
	if (le)
		return ((unsigned long)rd16(p, 1) |
		    (unsigned long)rd16(p + 2, 1) << 16);
	return ((unsigned long)rd16(p, 0) << 16 |
	    (unsigned long)rd16(p + 2, 0));
}

static enum img_error
check_dims(unsigned long long w, unsigned long long h, unsigned *wp,
    unsigned *hp)
{
	if (w > 0xffffffffULL || h > 0xffffffffULL)
		return (IMG_ECORRUPT);
	if (wp != NULL)
		*wp = (unsigned)w;
	if (hp != NULL)
		*hp = (unsigned)h;
	if (w == 0 || h == 0)
		return (IMG_ECORRUPT);
	if (w * h > IMG_MAX_PIXELS)
		return (IMG_ETOOBIG);
	return (IMG_OK);
}

/*
 * Next marker segment at or after *off, skipping garbage and fill bytes
 * and standalone markers as libjpeg does.  Returns 1 with *s filled and
 * *off past the segment, 0 at SOS or EOI (s->marker says which, *off is
 * just after it), -1 when the data ends early or a length is impossible.
 */
static int
jpeg_segment(const unsigned char *p, size_t len, size_t *off,
    struct jseg *s)
{
	size_t		i, seglen;
	unsigned char	m;

	i = *off;
	for (;;) {
		while (i < len && p[i] != 0xff)
			i++;
		while (i < len && p[i] == 0xff)
			i++;
		if (i >= len)
			return (-1);
		m = p[i++];
		if (m == 0x00 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;	/* stuffed byte, TEM, RSTn */
		if (m == 0xd8)
			return (-1);	/* a second SOI */
		if (m == 0xd9 || m == 0xda) {
			s->marker = m;
			*off = i;	/* just after the marker */
			return (0);
		}
		break;
	}
	if (len - i < 2)
		return (-1);
	seglen = rd16(p + i, 0);
	if (seglen < 2 || seglen > len - i)
		return (-1);
	s->marker = m;
	s->data = p + i + 2;
	s->len = seglen - 2;
	*off = i + seglen;
	return (1);
}

/* SOF0-3, 5-7, 9-11, 13-15 (C4 is DHT, C8 JPG, CC DAC). */
static int
jpeg_is_sof(unsigned char m)
{
	return (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc);
}

static enum img_error
sniff_jpeg(const unsigned char *p, size_t len, unsigned *w, unsigned *h)
{
	struct jseg	s;
	size_t		off;
	enum img_error	rc;

	off = 2;
	while (jpeg_segment(p, len, &off, &s) == 1) {
		if (!jpeg_is_sof(s.marker))
			continue;
		if (s.len < 6)
			return (IMG_ECORRUPT);
		rc = check_dims(rd16(s.data + 3, 0), rd16(s.data + 1, 0), w, h);
		if (rc != IMG_OK)
			return (rc);
		/* Baseline, extended, progressive; Huffman or arithmetic. */
		if (s.marker != 0xc0 && s.marker != 0xc1 && s.marker != 0xc2 &&
		    s.marker != 0xc9 && s.marker != 0xca)
			return (IMG_EUNSUPPORTED);
		return (IMG_OK);
	}
	return (IMG_ECORRUPT);
}

static enum img_error
sniff_png(const unsigned char *p, size_t len, unsigned *w, unsigned *h)
{
	unsigned long	pw, ph;

	/* signature, IHDR length and type, width, height */
	if (len < 24 || rd32(p + 8, 0) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return (IMG_ECORRUPT);
	pw = rd32(p + 16, 0);
	ph = rd32(p + 20, 0);
	if (pw > 0x7fffffffUL || ph > 0x7fffffffUL)
		return (IMG_ECORRUPT);
	return (check_dims(pw, ph, w, h));
}

static enum img_error
sniff_webp(const unsigned char *p, size_t len, unsigned *w, unsigned *h)
{
	const unsigned char	*c;
	size_t			 avail;
	unsigned long		 v;
	enum img_error		 rc;

	if (len < 20)
		return (IMG_ECORRUPT);
	c = p + 20;
	avail = rd32(p + 16, 1);
	if (avail > len - 20)
		avail = len - 20;

	if (memcmp(p + 12, "VP8 ", 4) == 0) {
		/* frame tag (bit 0 clear: key frame), start code, dims */
		if (avail < 10 || (c[0] & 1) != 0 ||
		    c[3] != 0x9d || c[4] != 0x01 || c[5] != 0x2a)
			return (IMG_ECORRUPT);
		return (check_dims(rd16(c + 6, 1) & 0x3fff,
		    rd16(c + 8, 1) & 0x3fff, w, h));
	}
	if (memcmp(p + 12, "VP8L", 4) == 0) {
		if (avail < 5 || c[0] != 0x2f)
			return (IMG_ECORRUPT);
		v = rd32(c + 1, 1);
		if ((v >> 29) != 0)
			return (IMG_ECORRUPT);
		return (check_dims((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1,
		    w, h));
	}
	if (memcmp(p + 12, "VP8X", 4) == 0) {
		if (avail < 10)
			return (IMG_ECORRUPT);
		rc = check_dims(((unsigned long)rd16(c + 4, 1) |
		    (unsigned long)c[6] << 16) + 1,
		    ((unsigned long)rd16(c + 7, 1) |
		    (unsigned long)c[9] << 16) + 1, w, h);
		if (rc == IMG_OK && (c[0] & 0x02))
			return (IMG_EUNSUPPORTED);	/* animation */
		return (rc);
	}
	return (IMG_ECORRUPT);
}

enum img_error
img_sniff(const void *data, size_t len, enum img_type *type, unsigned *w,
    unsigned *h)
{
	static const unsigned char	 png_sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};
	const unsigned char		*p = data;

	if (type != NULL)
		*type = IMG_NONE;
	if (len == 0)
		return (IMG_EEMPTY);

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		if (type != NULL)
			*type = IMG_JPEG;
		return (sniff_jpeg(p, len, w, h));
	}
	if (len >= 8 && memcmp(p, png_sig, 8) == 0) {
		if (type != NULL)
			*type = IMG_PNG;
		return (sniff_png(p, len, w, h));
	}
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		if (type != NULL)
			*type = IMG_WEBP;
		return (sniff_webp(p, len, w, h));
	}
	return (IMG_EUNSUPPORTED);
}

/*
 * Memory (rule 8).
 */

/* A libgd image of w x h at bpp bytes a pixel: rows and row pointers. */
static unsigned long long
gd_bytes(unsigned long long w, unsigned long long h, unsigned bpp)
{
	return (h * (w * bpp + 32 + sizeof(void *)));
}

/*
 * From a decoded sw x sh image to the display size (process_pixels()):
 * the source, the target, the scaler's row of sums and its weights.
 */
static unsigned long long
scale_bytes(unsigned sw, unsigned sh, unsigned w, unsigned h)
{
	unsigned	dw, dh;

	fit(w, h, IMG_DISPLAY_MAX, &dw, &dh);
	return (gd_bytes(sw, sh, 4) + 2 * gd_bytes(dw, dh, 4) +
	    (unsigned long long)sw * 16 + ((unsigned long long)sw + sh) * 24);
}

/*
 * The frame (SOF) and whether libjpeg will keep every coefficient: a
 * progressive frame, or a first scan (SOS) with fewer components than
 * the frame, so that more scans follow.  -1 when the header is not one
 * libjpeg would accept (it then fails before allocating much).
 */
static int
jpeg_layout(const unsigned char *p, size_t len, struct jlayout *l)
{
	struct jseg	s;
	size_t		off;
	unsigned	i, c;
	int		r, sof;

	memset(l, 0, sizeof(*l));
	off = 2;
	sof = 0;
	while ((r = jpeg_segment(p, len, &off, &s)) == 1) {
		if (sof || !jpeg_is_sof(s.marker))
			continue;
		if (s.len < 6)
			return (-1);
		l->h = rd16(s.data + 1, 0);
		l->w = rd16(s.data + 3, 0);
		l->ncomp = s.data[5];
		if (l->ncomp == 0 || l->ncomp > JPEG_MAX_COMPS ||
		    s.len < 6 + 3 * (size_t)l->ncomp)
			return (-1);
		for (i = 0; i < l->ncomp; i++) {
			c = s.data[6 + 3 * i + 1];
			l->hs[i] = c >> 4;
			l->vs[i] = c & 15;
			if (l->hs[i] < 1 || l->hs[i] > 4 || l->vs[i] < 1 ||
			    l->vs[i] > 4)
				return (-1);
		}
		l->multiscan = s.marker == 0xc2 || s.marker == 0xca;
		sof = 1;
	}
	if (!sof)
		return (-1);
	if (r == 0 && s.marker == 0xda && len - off >= 3 &&
	    p[off + 2] < l->ncomp)
		l->multiscan = 1;
	return (0);
}

/*
 * A JPEG shrinks while decoding (jpeg_pick_scale(): the smallest n/8
 * still at least the display size), so its libgd image is small; what
 * can be large is the coefficient buffer of a multi-scan JPEG, one
 * 128-byte block per 8x8 pixels of each component, rounded up to whole
 * MCUs.  Row buffers: a generous 64 bytes per column and component.
 */
static unsigned long long
memory_jpeg(const unsigned char *p, size_t len)
{
	struct jlayout		 l;
	unsigned long long	 coef, bw, bh, ow, oh, decode, after;
	unsigned		 dw, dh, num, maxh, maxv, i;

	if (jpeg_layout(p, len, &l) == -1 || l.w == 0 || l.h == 0)
		return (0);
	maxh = maxv = 1;
	for (i = 0; i < l.ncomp; i++) {
		maxh = l.hs[i] > maxh ? l.hs[i] : maxh;
		maxv = l.vs[i] > maxv ? l.vs[i] : maxv;
	}
	coef = 0;
	for (i = 0; l.multiscan && i < l.ncomp; i++) {
		bw = ((unsigned long long)l.w * l.hs[i] + maxh * 8 - 1) /
		    (maxh * 8);
		bh = ((unsigned long long)l.h * l.vs[i] + maxv * 8 - 1) /
		    (maxv * 8);
		bw = (bw + l.hs[i] - 1) / l.hs[i] * l.hs[i];
		bh = (bh + l.vs[i] - 1) / l.vs[i] * l.vs[i];
		coef += bw * bh * 128;
	}

	fit(l.w, l.h, IMG_DISPLAY_MAX, &dw, &dh);
	ow = l.w;
	oh = l.h;
	for (num = 1; num <= 8; num++) {
		ow = ((unsigned long long)l.w * num + 7) / 8;
		oh = ((unsigned long long)l.h * num + 7) / 8;
		if (ow >= dw && oh >= dh)
			break;
	}
	decode = coef + (unsigned long long)l.w * l.ncomp * 64 +
	    gd_bytes(ow, oh, 4) + ow * 4;
	after = scale_bytes((unsigned)ow, (unsigned)oh, l.w, l.h);
	return ((decode > after ? decode : after) + IMG_MEMORY_SLACK);
}

/*
 * libgd's PNG reader: the stripped copy of the file (png_strip()), the
 * whole image inflated at 1 (palette, grey), 3 (RGB) or 4 (grey with
 * alpha, RGBA) bytes a pixel with its row pointers, and its own image:
 * truecolor, or a palette image later copied to truecolor.
 */
static unsigned long long
memory_png(const unsigned char *p, size_t len, unsigned w, unsigned h)
{
	unsigned long long	 px, decode, after, pal;
	unsigned		 chan;
	int			 truecolor;

	if (len < 26)
		return (0);	/* no colour type: corrupt when decoded */
	px = (unsigned long long)w * h;
	switch (p[25]) {		/* IHDR colour type */
	case 0:
	case 3:
		chan = 1;
		truecolor = 0;
		break;
	case 2:
		chan = 3;
		truecolor = 1;
		break;
	case 4:
	case 6:
		chan = 4;
		truecolor = 1;
		break;
	default:
		return (0);	/* libpng refuses it */
	}
	decode = len + px * chan + (unsigned long long)h * 16 +
	    gd_bytes(w, h, truecolor ? 4 : 1);
	pal = truecolor ? 0 : gd_bytes(w, h, 1) + gd_bytes(w, h, 4);
	after = scale_bytes(w, h, w, h);
	if (pal > decode)
		decode = pal;
	return ((decode > after ? decode : after) + IMG_MEMORY_SLACK);
}

/* Is the image in this WebP lossless (VP8L)?  Unknown counts as yes. */
static int
webp_lossless(const unsigned char *p, size_t len)
{
	size_t	off, sz;

	for (off = 12; off <= len && len - off >= 8;
	    off += 8 + sz + (sz & 1)) {
		if (memcmp(p + off, "VP8 ", 4) == 0)
			return (0);
		if (memcmp(p + off, "VP8L", 4) == 0)
			return (1);
		sz = rd32(p + off + 4, 1);
		if (sz > len - off - 8)
			break;
	}
	return (1);
}

/*
 * libgd's WebP reader: a copy of the file, libwebp's ARGB output and
 * libgd's image; a lossless image is first decoded into a buffer of
 * libwebp's own, a lossy one may carry an alpha plane.
 */
static unsigned long long
memory_webp(const unsigned char *p, size_t len, unsigned w, unsigned h)
{
	unsigned long long	 px, decode, after;

	px = (unsigned long long)w * h;
	decode = len + px * 4 + gd_bytes(w, h, 4) +
	    (webp_lossless(p, len) ? px * 4 : px) +
	    (unsigned long long)w * 64;
	after = scale_bytes(w, h, w, h);
	return ((decode > after ? decode : after) + IMG_MEMORY_SLACK);
}

unsigned long long
img_memory(const void *data, size_t len)
{
	const unsigned char	*p = data;
	enum img_type		 type;
	unsigned		 w, h;

	if (img_sniff(data, len, &type, &w, &h) != IMG_OK)
		return (0);
	switch (type) {
	case IMG_JPEG:
		return (memory_jpeg(p, len));
	case IMG_PNG:
		return (memory_png(p, len, w, h));
	case IMG_WEBP:
		return (memory_webp(p, len, w, h));
	default:
		return (0);
	}
}

enum img_error
img_check(const void *data, size_t len, enum img_type *type, unsigned *w,
    unsigned *h)
{
	enum img_error	rc;

	if ((rc = img_sniff(data, len, type, w, h)) != IMG_OK)
		return (rc);
	if (img_memory(data, len) > IMG_MAX_MEMORY)
		return (IMG_EMEMORY);
	return (IMG_OK);
}

/*
 * EXIF orientation.
 */

/* Orientation from a TIFF block: IFD0 only, tag 0x0112 SHORT count 1. */
static int
tiff_orientation(const unsigned char *t, size_t n)
{
	size_t		ifd, cnt, i, e;
	unsigned	v;
	int		le;

	if (n < 14)
		return (1);
	if (t[0] == 'I' && t[1] == 'I')
		le = 1;
	else if (t[0] == 'M' && t[1] == 'M')
		le = 0;
	else
		return (1);
	if (rd16(t + 2, le) != 42)
		return (1);
	ifd = rd32(t + 4, le);
	if (ifd < 8 || ifd > n - 2)
		return (1);
	cnt = rd16(t + ifd, le);
	for (i = 0; i < cnt; i++) {
		e = ifd + 2 + i * 12;
		if (e > n - 12)
			break;
		if (rd16(t + e, le) != 0x0112)
			continue;
		if (rd16(t + e + 2, le) != 3 || rd32(t + e + 4, le) != 1)
			return (1);
		v = rd16(t + e + 8, le);
		return (v >= 1 && v <= 8 ? (int)v : 1);
	}
	return (1);
}

/* The first APP1 "Exif\0\0" before the first scan. */
static int
exif_jpeg(const unsigned char *p, size_t len)
{
	struct jseg	s;
	size_t		off;

	off = 2;
	while (jpeg_segment(p, len, &off, &s) == 1) {
		if (s.marker == 0xe1 && s.len >= 6 &&
		    memcmp(s.data, "Exif\0\0", 6) == 0)
			return (tiff_orientation(s.data + 6, s.len - 6));
	}
	return (1);
}

/* The first RIFF chunk "EXIF"; some writers keep the "Exif\0\0" prefix. */
static int
exif_webp(const unsigned char *p, size_t len)
{
	size_t	off, sz;

	off = 12;
	while (len - off >= 8) {
		sz = rd32(p + off + 4, 1);
		if (sz > len - off - 8)
			return (1);
		if (memcmp(p + off, "EXIF", 4) == 0) {
			if (sz >= 6 && memcmp(p + off + 8, "Exif\0\0", 6) == 0)
				return (tiff_orientation(p + off + 14, sz - 6));
			return (tiff_orientation(p + off + 8, sz));
		}
		off += 8 + sz + (sz & 1);
		if (off > len)
			return (1);
	}
	return (1);
}

int
img_exif_orientation(const void *data, size_t len)
{
	const unsigned char	*p = data;

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return (exif_jpeg(p, len));
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return (exif_webp(p, len));
	return (1);
}

/*
 * libjpeg glue.
 */
static struct jpeg_error_mgr *
jerr_init(struct jerr *je)
{
	memset(je, 0, sizeof(*je));
	jpeg_std_error(&je->pub);
	je->pub.error_exit = jerr_exit;
	je->pub.emit_message = jerr_emit;
	je->pub.output_message = jerr_output;
	je->prog.progress_monitor = jerr_progress;
	je->err = IMG_OK;
	return (&je->pub);
}

static void
jerr_exit(j_common_ptr cinfo)
{
	struct jerr	*je = (struct jerr *)cinfo->err;

	switch (je->pub.msg_code) {
	case JERR_OUT_OF_MEMORY:
		je->err = IMG_ENOMEM;
		break;
	case JERR_NO_BACKING_STORE:	/* over max_memory_to_use */
		je->err = IMG_EMEMORY;
		break;
	default:
		je->err = IMG_ECORRUPT;
		break;
	}
	longjmp(je->jb, 1);
}

/* Level -1 is a warning, others are traces.  See rule 4. */
static void
jerr_emit(j_common_ptr cinfo, int level)
{
	struct jerr	*je = (struct jerr *)cinfo->err;

	if (level != -1)
		return;
	switch (je->pub.msg_code) {
	case JWRN_JPEG_EOF:
	case JWRN_HIT_MARKER:
	case JWRN_MUST_RESYNC:
	case JWRN_HUFF_BAD_CODE:
		je->err = IMG_ECORRUPT;
		longjmp(je->jb, 1);
	default:
		je->pub.num_warnings++;
		break;
	}
}

static void
jerr_output(j_common_ptr cinfo)
{
	(void)cinfo;		/* never print */
}

static void
jerr_progress(j_common_ptr cinfo)
{
	struct jerr		*je = (struct jerr *)cinfo->err;
	j_decompress_ptr	 d;

	if (!cinfo->is_decompressor)
		return;
	d = (j_decompress_ptr)cinfo;
	if (d->input_scan_number > IMG_JPEG_MAX_SCANS) {
		je->err = IMG_ECORRUPT;
		longjmp(je->jb, 1);
	}
}

/* Output RGB, or CMYK we convert ourselves.  -1 for other colour spaces. */
static int
jpeg_colors(j_decompress_ptr cinfo)
{
	switch (cinfo->jpeg_color_space) {
	case JCS_GRAYSCALE:
	case JCS_YCbCr:
	case JCS_RGB:
		cinfo->out_color_space = JCS_RGB;
		return (0);
	case JCS_CMYK:
	case JCS_YCCK:
		cinfo->out_color_space = JCS_CMYK;
		return (0);
	default:
		return (-1);
	}
}

/* Smallest scale_num/8 that still gives at least tw x th. */
static void
jpeg_pick_scale(j_decompress_ptr cinfo, unsigned tw, unsigned th)
{
	unsigned	num;

	cinfo->scale_denom = 8;
	for (num = 1; num <= 8; num++) {
		cinfo->scale_num = num;
		jpeg_calc_output_dimensions(cinfo);
		if (cinfo->output_width >= tw && cinfo->output_height >= th)
			return;
	}
}

/* One decoded scanline into gd pixels; Adobe CMYK is stored inverted. */
static void
jpeg_row(j_decompress_ptr cinfo, const unsigned char *s, int *px)
{
	unsigned	x, c, m, y, k;

	for (x = 0; x < cinfo->output_width; x++) {
		if (cinfo->out_color_space == JCS_RGB) {
			px[x] = gdTrueColor(s[0], s[1], s[2]);
			s += 3;
			continue;
		}
		c = s[0];
		m = s[1];
		y = s[2];
		k = s[3];
		s += 4;
		if (!cinfo->saw_Adobe_marker) {
			c = 255 - c;
			m = 255 - m;
			y = 255 - y;
			k = 255 - k;
		}
		px[x] = gdTrueColor(c * k / 255, m * k / 255, y * k / 255);
	}
}

/*
 * Decode a JPEG, shrinking while decoding to no less than tw x th.  On
 * IMG_OK *imp is a truecolor image the caller gdImageDestroy()s.
 */
static enum img_error
jpeg_decode(const unsigned char *p, size_t len, unsigned tw, unsigned th,
    gdImagePtr *imp)
{
	struct jpeg_decompress_struct	 cinfo;
	struct jerr			 je;
	gdImagePtr volatile		 im = NULL;
	unsigned char *volatile		 row = NULL;
	JSAMPROW			 rowp;
	unsigned			 y;

	memset(&cinfo, 0, sizeof(cinfo));
	cinfo.err = jerr_init(&je);
	if (setjmp(je.jb))
		goto out;	/* je.err says why */

	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = (long)IMG_MAX_MEMORY;
	cinfo.progress = &je.prog;
	jpeg_mem_src(&cinfo, p, (unsigned long)len);
	if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
		je.err = IMG_ECORRUPT;
		goto out;
	}
	if ((je.err = check_dims(cinfo.image_width, cinfo.image_height,
	    NULL, NULL)) != IMG_OK)
		goto out;
	if (jpeg_colors(&cinfo) == -1) {
		je.err = IMG_EUNSUPPORTED;
		goto out;
	}
	jpeg_pick_scale(&cinfo, tw, th);
	jpeg_start_decompress(&cinfo);

	im = gdImageCreateTrueColor((int)cinfo.output_width,
	    (int)cinfo.output_height);
	row = malloc((size_t)cinfo.output_width *
	    (size_t)cinfo.output_components);
	if (im == NULL || row == NULL) {
		je.err = IMG_ENOMEM;
		goto out;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		y = cinfo.output_scanline;
		rowp = row;
		if (jpeg_read_scanlines(&cinfo, &rowp, 1) != 1) {
			je.err = IMG_ECORRUPT;
			goto out;
		}
		jpeg_row(&cinfo, row, im->tpixels[y]);
	}

out:
	jpeg_destroy_decompress(&cinfo);
	free(row);
	if (je.err != IMG_OK && im != NULL) {
		gdImageDestroy(im);
		im = NULL;
	}
	*imp = im;
	return (je.err);
}

static void
jdst_init(j_compress_ptr cinfo)
{
	struct jdst	*d = (struct jdst *)cinfo->dest;

	d->pub.next_output_byte = d->chunk;
	d->pub.free_in_buffer = sizeof(d->chunk);
}

static boolean
jdst_empty(j_compress_ptr cinfo)
{
	struct jdst	*d = (struct jdst *)cinfo->dest;

	buf_append(d->out, d->chunk, sizeof(d->chunk));
	d->pub.next_output_byte = d->chunk;
	d->pub.free_in_buffer = sizeof(d->chunk);
	return (TRUE);
}

static void
jdst_term(j_compress_ptr cinfo)
{
	struct jdst	*d = (struct jdst *)cinfo->dest;

	buf_append(d->out, d->chunk, sizeof(d->chunk) - d->pub.free_in_buffer);
}

/* Progressive JPEG of an opaque truecolor image, appended to out. */
static enum img_error
jpeg_encode(gdImagePtr im, struct buf *out)
{
	struct jpeg_compress_struct	 cinfo;
	struct jerr			 je;
	struct jdst			 dst;
	unsigned char *volatile		 row = NULL;
	JSAMPROW			 rowp;
	unsigned			 x, y;
	int				 c;

	memset(&cinfo, 0, sizeof(cinfo));
	cinfo.err = jerr_init(&je);
	if (setjmp(je.jb))
		goto out;

	jpeg_create_compress(&cinfo);
	memset(&dst, 0, sizeof(dst));
	dst.pub.init_destination = jdst_init;
	dst.pub.empty_output_buffer = jdst_empty;
	dst.pub.term_destination = jdst_term;
	dst.out = out;
	cinfo.dest = &dst.pub;

	cinfo.image_width = (JDIMENSION)gdImageSX(im);
	cinfo.image_height = (JDIMENSION)gdImageSY(im);
	cinfo.input_components = 3;
	cinfo.in_color_space = JCS_RGB;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, IMG_JPEG_QUALITY, TRUE);
	jpeg_simple_progression(&cinfo);
	cinfo.optimize_coding = TRUE;

	if ((row = malloc((size_t)cinfo.image_width * 3)) == NULL) {
		je.err = IMG_ENOMEM;
		goto out;
	}
	jpeg_start_compress(&cinfo, TRUE);
	for (y = 0; y < cinfo.image_height; y++) {
		for (x = 0; x < cinfo.image_width; x++) {
			c = im->tpixels[y][x];
			row[x * 3] = (unsigned char)gdTrueColorGetRed(c);
			row[x * 3 + 1] = (unsigned char)gdTrueColorGetGreen(c);
			row[x * 3 + 2] = (unsigned char)gdTrueColorGetBlue(c);
		}
		rowp = row;
		(void)jpeg_write_scanlines(&cinfo, &rowp, 1);
	}
	jpeg_finish_compress(&cinfo);

out:
	jpeg_destroy_compress(&cinfo);
	free(row);
	return (je.err);
}

/* PNG with alpha, appended to out.  gd's buffer is gdFree()d here. */
static enum img_error
png_encode(gdImagePtr im, struct buf *out)
{
	void	*p;
	int	 size;

	gdImageSaveAlpha(im, 1);
	gdImageAlphaBlending(im, 0);
	if ((p = gdImagePngPtrEx(im, &size, PNG_LEVEL)) == NULL)
		return (IMG_ENOMEM);
	if (size > 0)
		buf_append(out, p, (size_t)size);
	gdFree(p);
	return (size > 0 ? IMG_OK : IMG_ENOMEM);
}

/* CRC-32 of PNG chunks, bitwise: only used on small chunks. */
static uint32_t
png_crc(const unsigned char *p, size_t n)
{
	uint32_t	c;
	size_t		i;
	int		k;

	c = 0xffffffffU;
	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1)));
	}
	return (c ^ 0xffffffffU);
}

/*
 * Is chunk c (data length n) needed to decode?  IHDR, IDAT; PLTE
 * of palette images; the first tRNS if its CRC and length are right
 * (libpng would only warn about a bad one and drop it).
 */
static int
png_keep(const unsigned char *c, size_t n, struct pngscan *ps)
{
	const unsigned char	*type = c + 4;

	if (memcmp(type, "IHDR", 4) == 0) {
		if (n == 13)
			ps->ctype = c[8 + 9];
		return (1);
	}
	if (memcmp(type, "IDAT", 4) == 0)
		return (1);
	if (memcmp(type, "PLTE", 4) == 0) {
		if (ps->ctype != 3)
			return (0);	/* a suggestion for RGB: unused */
		ps->npal = (unsigned)(n / 3);
		return (1);
	}
	if (memcmp(type, "tRNS", 4) != 0 || ps->trns ||
	    png_crc(type, n + 4) != rd32(c + 8 + n, 0))
		return (0);
	if ((ps->ctype == 3 && n > 0 && n <= ps->npal) ||
	    (ps->ctype == 0 && n == 2) || (ps->ctype == 2 && n == 6))
		return (ps->trns = 1);
	return (0);
}

/*
 * Copy the PNG p into out with only the chunks png_keep() wants and an
 * IEND.  libgd gives libpng no warning handler, so libpng would print
 * about iCCP, gAMA, a tEXt with a bad CRC... on stderr; it never sees
 * them now.  A chunk running past the end is IMG_ECORRUPT.
 */
static enum img_error
png_strip(const unsigned char *p, size_t len, struct buf *out)
{
	static const unsigned char	iend[12] = {
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82
	};
	struct pngscan			ps;
	size_t				off, n;

	memset(&ps, 0, sizeof(ps));
	buf_append(out, p, 8);
	for (off = 8; len - off >= 12; off += n + 12) {
		n = rd32(p + off, 0);
		if (n > len - off - 12)
			return (IMG_ECORRUPT);
		if (memcmp(p + off + 4, "IEND", 4) == 0)
			break;
		if (png_keep(p + off, n, &ps))
			buf_append(out, p + off, n + 12);
	}
	buf_append(out, iend, sizeof(iend));	/* a canonical one */
	return (IMG_OK);
}

/* libgd's decoder, or NULL with *rc set.  Caller gdImageDestroy()s. */
static gdImagePtr
gd_read(enum img_type type, const void *data, size_t len,
    enum img_error *rc)
{
	struct buf	 b;
	gdImagePtr	 im;

	*rc = IMG_ECORRUPT;
	if (type == IMG_WEBP) {
		/* gd wants a non-const pointer but only reads (freeOK 0). */
		return (gdImageCreateFromWebpPtr((int)len,
		    (void *)(uintptr_t)data));
	}
	buf_init(&b);
	im = NULL;
	if ((*rc = png_strip(data, len, &b)) == IMG_OK) {
		*rc = IMG_ECORRUPT;
		im = gdImageCreateFromPngPtr((int)b.len, b.data);
	}
	buf_free(&b);
	return (im);
}

/*
 * PNG or WebP through libgd.  The header said w x h (rule 3).  On IMG_OK
 * *imp is truecolor with alpha; the caller gdImageDestroy()s it.
 */
static enum img_error
gd_decode(enum img_type type, const void *data, size_t len, unsigned w,
    unsigned h, gdImagePtr *imp)
{
	gdImagePtr	 im;
	enum img_error	 rc;
	int		 key, x, y;

	if ((im = gd_read(type, data, len, &rc)) == NULL) {
		*imp = NULL;
		return (rc);
	}

	rc = IMG_OK;
	if ((unsigned)gdImageSX(im) != w || (unsigned)gdImageSY(im) != h) {
		rc = IMG_ECORRUPT;
		goto out;
	}
	if (!gdImageTrueColor(im)) {
		if (!gdImagePaletteToTrueColor(im))
			rc = IMG_ENOMEM;
		goto out;
	}
	if (im->transparent >= 0) {	/* tRNS colour key of RGB PNG */
		key = im->transparent;
		for (y = 0; y < gdImageSY(im); y++)
			for (x = 0; x < gdImageSX(im); x++)
				if (im->tpixels[y][x] == key)
					im->tpixels[y][x] =
					    gdTrueColorAlpha(0, 0, 0, 127);
		im->transparent = -1;
	}

out:
	if (rc != IMG_OK) {
		gdImageDestroy(im);
		im = NULL;
	}
	*imp = im;
	return (rc);
}

/*
 * Scaling: an area filter.  Target pixel i covers [i*S, (i+1)*S) and
 * source pixel j [j*D, (j+1)*D) in units of 1/(S*D); a weight is the
 * overlap.  Cumulative rounding makes each pixel's weights sum to exactly
 * W_ONE, so opaque stays opaque and flat stays flat.  Channels are
 * premultiplied: r*a, g*a, b*a, a*255 with a the opacity 0..127, all at
 * most A_OPAQUE, so sums of W_ONE-weighted values fit in 32 bits.
 */

/* Long side no more than max, aspect kept, short side at least 1. */
static void
fit(unsigned w, unsigned h, unsigned max, unsigned *fw, unsigned *fh)
{
	unsigned long long	l, s, n;

	*fw = w;
	*fh = h;
	if (w <= max && h <= max)
		return;
	l = w > h ? w : h;
	s = w > h ? h : w;
	n = (s * max * 2 + l) / (l * 2);
	if (n == 0)
		n = 1;
	if (w > h) {
		*fw = max;
		*fh = (unsigned)n;
	} else {
		*fh = max;
		*fw = (unsigned)n;
	}
}

static int
axis_init(struct axis *a, unsigned s, unsigned d)
{
	unsigned long long	start, end, lo, hi, cum, prev, cur, j;
	size_t			k;
	unsigned		i;

	a->first = calloc(d, sizeof(*a->first));
	a->n = calloc(d, sizeof(*a->n));
	a->woff = calloc(d, sizeof(*a->woff));
	a->w = calloc((size_t)s + d, sizeof(*a->w));
	if (a->first == NULL || a->n == NULL || a->woff == NULL ||
	    a->w == NULL)
		return (-1);

	k = 0;
	for (i = 0; i < d; i++) {
		start = (unsigned long long)i * s;
		end = start + s;
		a->first[i] = (unsigned)(start / d);
		a->woff[i] = k;
		cum = prev = 0;
		for (j = start / d; j * d < end; j++) {
			lo = j * d > start ? j * d : start;
			hi = (j + 1) * d < end ? (j + 1) * d : end;
			cum += hi - lo;
			cur = (cum * W_ONE + s / 2) / s;
			a->w[k++] = (uint32_t)(cur - prev);
			prev = cur;
		}
		a->n[i] = (unsigned)(j - a->first[i]);
	}
	return (0);
}

static void
axis_free(struct axis *a)
{
	free(a->first);
	free(a->n);
	free(a->woff);
	free(a->w);
}

/* Vertical pass for target row y: premultiplied, normalised into acc. */
static void
scale_rows(gdImagePtr src, const struct axis *ay, unsigned y, uint32_t *acc)
{
	const uint32_t	*w;
	const int	*px;
	size_t		 i, sw;
	unsigned	 k, a;
	uint32_t	 wt;

	sw = (size_t)gdImageSX(src);
	memset(acc, 0, sw * 4 * sizeof(*acc));
	w = ay->w + ay->woff[y];
	for (k = 0; k < ay->n[y]; k++) {
		if ((wt = w[k]) == 0)
			continue;
		px = src->tpixels[ay->first[y] + k];
		for (i = 0; i < sw; i++) {
			a = 127 - (unsigned)gdTrueColorGetAlpha(px[i]);
			acc[i * 4] += wt * a *
			    (unsigned)gdTrueColorGetRed(px[i]);
			acc[i * 4 + 1] += wt * a *
			    (unsigned)gdTrueColorGetGreen(px[i]);
			acc[i * 4 + 2] += wt * a *
			    (unsigned)gdTrueColorGetBlue(px[i]);
			acc[i * 4 + 3] += wt * a * 255;
		}
	}
	for (i = 0; i < sw * 4; i++)
		acc[i] = (acc[i] + W_ONE / 2) >> W_BITS;
}

/* Horizontal pass over one normalised row; un-premultiplies into out. */
static void
scale_cols(const uint32_t *row, const struct axis *ax, unsigned dw, int *out)
{
	const uint32_t	*w, *s;
	uint32_t	 c[4], a;
	unsigned	 x, k, i;

	for (x = 0; x < dw; x++) {
		c[0] = c[1] = c[2] = c[3] = 0;
		w = ax->w + ax->woff[x];
		s = row + (size_t)ax->first[x] * 4;
		for (k = 0; k < ax->n[x]; k++, s += 4)
			for (i = 0; i < 4; i++)
				c[i] += w[k] * s[i];
		for (i = 0; i < 4; i++)
			c[i] = (c[i] + W_ONE / 2) >> W_BITS;
		if ((a = c[3]) == 0) {
			out[x] = gdTrueColorAlpha(0, 0, 0, 127);
			continue;
		}
		if (a == A_OPAQUE) {
			for (i = 0; i < 3; i++)
				c[i] = (c[i] + 63) / 127;
		} else {
			for (i = 0; i < 3; i++)
				c[i] = (c[i] * 255 + a / 2) / a;
		}
		for (i = 0; i < 3; i++)
			if (c[i] > 255)
				c[i] = 255;
		out[x] = gdTrueColorAlpha((int)c[0], (int)c[1], (int)c[2],
		    127 - (int)((a + 127) / 255));
	}
}

/* A new dw x dh truecolor image (caller gdImageDestroy()s), or NULL. */
static gdImagePtr
img_scale(gdImagePtr src, unsigned dw, unsigned dh)
{
	struct axis	 ax, ay;
	uint32_t	*row;
	gdImagePtr	 dst;
	unsigned	 y;

	memset(&ax, 0, sizeof(ax));
	memset(&ay, 0, sizeof(ay));
	row = NULL;
	dst = NULL;
	if (axis_init(&ax, (unsigned)gdImageSX(src), dw) == -1 ||
	    axis_init(&ay, (unsigned)gdImageSY(src), dh) == -1)
		goto out;
	if ((row = calloc((size_t)gdImageSX(src) * 4, sizeof(*row))) == NULL)
		goto out;
	if ((dst = gdImageCreateTrueColor((int)dw, (int)dh)) == NULL)
		goto out;
	for (y = 0; y < dh; y++) {
		scale_rows(src, &ay, y, row);
		scale_cols(row, &ax, dw, dst->tpixels[y]);
	}

out:
	axis_free(&ax);
	axis_free(&ay);
	free(row);
	return (dst);
}

/*
 * EXIF orientation o applied: a new image (caller gdImageDestroy()s),
 * or NULL.  Target (x, y) reads source (x0 + xx*x + xy*y, y0 + yx*x +
 * yy*y); 2 mirrors, 3 rotates 180, 4 flips, 5 transposes, 6 rotates 90
 * clockwise, 7 transverses, 8 rotates 90 anticlockwise.
 */
static gdImagePtr
img_orient(gdImagePtr src, int o)
{
	static const int	 m[9][4] = {
		{ 1, 0, 0, 1 }, { 1, 0, 0, 1 }, { -1, 0, 0, 1 },
		{ -1, 0, 0, -1 }, { 1, 0, 0, -1 }, { 0, 1, 1, 0 },
		{ 0, 1, -1, 0 }, { 0, -1, -1, 0 }, { 0, -1, 1, 0 }
	};
	const int		*c;
	gdImagePtr		 dst;
	long			 sw, sh, dw, dh, x, y, x0, y0, sx, sy;

	c = m[o >= 1 && o <= 8 ? o : 1];
	sw = gdImageSX(src);
	sh = gdImageSY(src);
	dw = o >= 5 ? sh : sw;
	dh = o >= 5 ? sw : sh;
	x0 = c[0] + c[1] < 0 ? sw - 1 : 0;
	y0 = c[2] + c[3] < 0 ? sh - 1 : 0;
	if ((dst = gdImageCreateTrueColor((int)dw, (int)dh)) == NULL)
		return (NULL);
	for (y = 0; y < dh; y++) {
		sx = x0 + c[1] * y;
		sy = y0 + c[3] * y;
		for (x = 0; x < dw; x++) {
			dst->tpixels[y][x] = src->tpixels[sy][sx];
			sx += c[0];
			sy += c[2];
		}
	}
	return (dst);
}

static int
has_alpha(gdImagePtr im)
{
	int	x, y;

	for (y = 0; y < gdImageSY(im); y++)
		for (x = 0; x < gdImageSX(im); x++)
			if (gdTrueColorGetAlpha(im->tpixels[y][x]) != 0)
				return (1);
	return (0);
}

/*
 * Output.
 */
static enum img_error
variant_encode(gdImagePtr im, int png, struct img_variant *v)
{
	struct buf	b;
	unsigned char	hash[crypto_hash_sha256_BYTES];
	enum img_error	rc;

	buf_init(&b);
	rc = png ? png_encode(im, &b) : jpeg_encode(im, &b);
	if (rc != IMG_OK)
		goto out;
	v->data = (unsigned char *)buf_release(&b, &v->len);
	v->w = (unsigned)gdImageSX(im);
	v->h = (unsigned)gdImageSY(im);
	v->mime = png ? "image/png" : "image/jpeg";
	crypto_hash_sha256(hash, v->data, v->len);
	sodium_bin2hex(v->sha256, sizeof(v->sha256), hash, sizeof(hash));

out:
	buf_free(&b);
	return (rc);
}

static void
variant_copy(struct img_variant *to, const struct img_variant *from)
{
	struct buf	b;

	buf_init(&b);
	buf_append(&b, from->data, from->len);
	*to = *from;
	to->data = (unsigned char *)buf_release(&b, &to->len);
}

/*
 * From the decoded image *imp (stored orientation, at least display size)
 * to both variants.  *imp is replaced as it is transformed; the caller
 * gdImageDestroy()s whatever it holds in the end.
 */
static enum img_error
process_pixels(gdImagePtr *imp, enum img_type type, struct img_result *out)
{
	gdImagePtr	next, thumb;
	unsigned	dw, dh, tw, th;
	enum img_error	rc;
	int		png;

	thumb = NULL;
	rc = IMG_ENOMEM;
	fit(out->in_w, out->in_h, IMG_DISPLAY_MAX, &dw, &dh);
	if ((unsigned)gdImageSX(*imp) != dw ||
	    (unsigned)gdImageSY(*imp) != dh) {
		if ((next = img_scale(*imp, dw, dh)) == NULL)
			goto out;
		gdImageDestroy(*imp);
		*imp = next;
	}
	if (out->orientation != 1) {
		if ((next = img_orient(*imp, out->orientation)) == NULL)
			goto out;
		gdImageDestroy(*imp);
		*imp = next;
	}

	png = type != IMG_JPEG && has_alpha(*imp);
	if ((rc = variant_encode(*imp, png, &out->display)) != IMG_OK)
		goto out;

	fit(out->w, out->h, IMG_THUMB_MAX, &tw, &th);
	if (tw == out->display.w && th == out->display.h) {
		variant_copy(&out->thumb, &out->display);
		goto out;
	}
	rc = IMG_ENOMEM;
	if ((thumb = img_scale(*imp, tw, th)) == NULL)
		goto out;
	rc = variant_encode(thumb, png, &out->thumb);

out:
	if (thumb != NULL)
		gdImageDestroy(thumb);
	return (rc);
}

enum img_error
img_process(const void *data, size_t len, struct img_result *out)
{
	gdImagePtr	im;
	enum img_type	type;
	enum img_error	rc;
	unsigned	dw, dh, in_w, in_h;

	memset(out, 0, sizeof(*out));
	im = NULL;
	if (len > IMG_MAX_BYTES)
		return (IMG_ETOOBIG);
	rc = img_check(data, len, &type, &out->in_w, &out->in_h);
	out->in_type = type;
	if (rc != IMG_OK)
		goto out;

	out->orientation = type == IMG_PNG ? 1 :
	    img_exif_orientation(data, len);
	out->w = out->orientation >= 5 ? out->in_h : out->in_w;
	out->h = out->orientation >= 5 ? out->in_w : out->in_h;

	if (type == IMG_JPEG) {
		fit(out->in_w, out->in_h, IMG_DISPLAY_MAX, &dw, &dh);
		rc = jpeg_decode(data, len, dw, dh, &im);
	} else
		rc = gd_decode(type, data, len, out->in_w, out->in_h, &im);
	if (rc != IMG_OK)
		goto out;
	rc = process_pixels(&im, type, out);

out:
	if (im != NULL)
		gdImageDestroy(im);
	if (rc != IMG_OK) {
		/* Keep what the header said, for the caller's log. */
		in_w = out->in_w;
		in_h = out->in_h;
		img_result_free(out);
		out->in_type = type;
		out->in_w = in_w;
		out->in_h = in_h;
	}
	return (rc);
}

void
img_result_free(struct img_result *r)
{
	free(r->thumb.data);
	free(r->display.data);
	memset(r, 0, sizeof(*r));
}

const char *
img_error_name(enum img_error e)
{
	switch (e) {
	case IMG_OK:
		return ("ok");
	case IMG_EUNSUPPORTED:
		return ("unsupported");
	case IMG_ETOOBIG:
		return ("too_big");
	case IMG_ECORRUPT:
		return ("corrupt");
	case IMG_EEMPTY:
		return ("empty");
	case IMG_ENOMEM:
		return ("nomem");
	case IMG_EMEMORY:
		return ("memory");
	}
	return ("unknown");
}

static void
gd_silent(int priority, const char *fmt, va_list ap)
{
	/* libgd and libpng errors: the caller gets an img_error instead. */
	(void)priority;
	(void)fmt;
	(void)ap;
}

void
img_init(void)
{
	/* sodium_init() is the app's (init.c); SHA-256 needs nothing of it. */
	gdSetErrorMethod(gd_silent);
}

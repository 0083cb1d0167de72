/*
 * test_img: unit tests for app/img.c (sniffing, limits, EXIF orientation,
 * scaling, re-encoding).  Every input is generated here, with libgd or
 * libjpeg, or built byte by byte (EXIF, the PNG bomb).  Built with
 * ASan/UBSan; see tests/unit/unit.h.  Prints, without asserting, the time
 * to process a 4000x3000 photo-like JPEG.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gd.h>
#include <jpeglib.h>
#include <sodium.h>

#include "buf.h"
#include "img.h"
#include "unit.h"

#define RED	0xff0000
#define GREEN	0x00ff00
#define BLUE	0x0000ff
#define YELLOW	0xffff00

/* How test_jpeg_raw() encodes. */
#define RAW_ARITH	0x01
#define RAW_SCANS	0x02	/* one scan per AC coefficient */

static uint32_t		rnd(uint32_t *);
static double		now_ms(void);
static void		gd_take(struct buf *, void *, int);
static void		enc(struct buf *, gdImagePtr, char);
static gdImagePtr	im_halves(int, int);
static gdImagePtr	im_quads(int, int);
static gdImagePtr	im_photo(int, int);
static gdImagePtr	im_checker(int, int);
static gdImagePtr	decode(const struct img_variant *);
static int		near(int, int, int);
static int		has_marker(const struct buf *, unsigned char);
static int		has_marker_v(const struct img_variant *,
			    unsigned char);
static size_t		sof_offset(const struct buf *);
static void		app1_tiff(struct buf *, const unsigned char *,
			    size_t);
static void		tiff_orient(struct buf *, int, unsigned);
static void		splice_app1(struct buf *, const struct buf *,
			    const struct buf *);
static void		jpeg_oriented(struct buf *, gdImagePtr, int, int);
static uint32_t		crc32_png(const unsigned char *, size_t);
static void		png_chunk(struct buf *, const char *,
			    const unsigned char *, size_t);
static void		put32be(unsigned char *, uint32_t);
static void		put32le(unsigned char *, uint32_t);
static void		test_jpeg_raw(struct buf *, int, int, int, int);
static int		clean_output(const struct img_result *);
static double		mean_luma(gdImagePtr, int *, int *);
static void		png_header(struct buf *, unsigned, unsigned, int);
static void		jpeg_header(struct buf *, unsigned, unsigned,
			    unsigned char, const unsigned char *, int, int);
static void		webp_header(struct buf *, unsigned, unsigned, int);
static int		quad_ok(const struct img_variant *, const int *);
static enum img_error	process_buf(const struct buf *,
			    struct img_result *);
static int		process_quiet(const struct buf *, enum img_error *);

static void	test_sniff_types(void);
static void	test_sniff_refused(void);
static void	test_png_bomb(void);
static void	test_memory_png(void);
static void	test_memory_jpeg(void);
static void	test_memory_webp(void);
static void	test_jpeg_header_lies(void);
static void	test_truncated(void);
static void	test_orientation_6(void);
static void	test_orientation_3_8(void);
static void	test_orientation_all(void);
static void	test_exif_malformed(void);
static void	test_exif_webp(void);
static void	test_big_photo(void);
static void	test_no_upscale(void);
static void	test_checkerboard(void);
static void	test_alpha(void);
static void	test_palette(void);
static void	test_webp_process(void);
static void	test_png_noise(void);
static void	test_sha256(void);
static void	test_jpeg_kinds(void);
static void	test_threads(void);
static void	test_misc(void);
static void	*thread_main(void *);

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* Append gd's encoded buffer to b and gdFree() it. */
static void
gd_take(struct buf *b, void *p, int size)
{
	if (p != NULL && size > 0)
		buf_append(b, p, (size_t)size);
	gdFree(p);
}

/* j JPEG q90, i progressive JPEG, p PNG, w WebP, l lossless WebP, g GIF,
 * b BMP. */
static void
enc(struct buf *b, gdImagePtr im, char kind)
{
	void	*p;
	int	 size;

	buf_reset(b);
	b->len = 0;
	size = 0;
	p = NULL;
	switch (kind) {
	case 'j':
	case 'i':
		gdImageInterlace(im, kind == 'i');
		p = gdImageJpegPtr(im, &size, 90);
		gdImageInterlace(im, 0);
		break;
	case 'p':
		p = gdImagePngPtr(im, &size);
		break;
	case 'w':
		p = gdImageWebpPtrEx(im, &size, 90);
		break;
	case 'l':
		p = gdImageWebpPtrEx(im, &size, gdWebpLossless);
		break;
	case 'g':
		p = gdImageGifPtr(im, &size);
		break;
	case 'b':
		p = gdImageBmpPtr(im, &size, 0);
		break;
	}
	gd_take(b, p, size);
}

/* Left half red, right half blue. */
static gdImagePtr
im_halves(int w, int h)
{
	gdImagePtr	im;

	im = gdImageCreateTrueColor(w, h);
	gdImageFilledRectangle(im, 0, 0, w / 2 - 1, h - 1, RED);
	gdImageFilledRectangle(im, w / 2, 0, w - 1, h - 1, BLUE);
	return (im);
}

/* Quadrants: red, blue / green, yellow. */
static gdImagePtr
im_quads(int w, int h)
{
	gdImagePtr	im;

	im = gdImageCreateTrueColor(w, h);
	gdImageFilledRectangle(im, 0, 0, w / 2 - 1, h / 2 - 1, RED);
	gdImageFilledRectangle(im, w / 2, 0, w - 1, h / 2 - 1, BLUE);
	gdImageFilledRectangle(im, 0, h / 2, w / 2 - 1, h - 1, GREEN);
	gdImageFilledRectangle(im, w / 2, h / 2, w - 1, h - 1, YELLOW);
	return (im);
}

/* Gradients, soft noise and a few shapes: compresses like a photo. */
static gdImagePtr
im_photo(int w, int h)
{
	gdImagePtr	im;
	uint32_t	s = 2463534242U;
	int		x, y, n, r, g, b;

	im = gdImageCreateTrueColor(w, h);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			n = (int)(rnd(&s) % 17) - 8;
			r = x * 255 / w + n;
			g = y * 255 / h + n;
			b = ((x + y) / 7) % 256;
			r = r < 0 ? 0 : r > 255 ? 255 : r;
			g = g < 0 ? 0 : g > 255 ? 255 : g;
			im->tpixels[y][x] = gdTrueColor(r, g, b);
		}
	}
	gdImageFilledEllipse(im, w / 3, h / 2, w / 4, h / 3, 0x204080);
	gdImageFilledRectangle(im, w / 2, h / 4, w / 2 + w / 8, h / 2,
	    0xe0c020);
	return (im);
}

/* 1-px black/white checkerboard, a 2-colour palette image. */
static gdImagePtr
im_checker(int w, int h)
{
	gdImagePtr	im;
	int		x, y;

	im = gdImageCreate(w, h);
	(void)gdImageColorAllocate(im, 0, 0, 0);
	(void)gdImageColorAllocate(im, 255, 255, 255);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			im->pixels[y][x] = (unsigned char)((x + y) & 1);
	return (im);
}

/* Decode an output variant with libgd (caller gdImageDestroy()s). */
static gdImagePtr
decode(const struct img_variant *v)
{
	if (v->data == NULL)
		return (NULL);
	if (strcmp(v->mime, "image/png") == 0)
		return (gdImageCreateFromPngPtr((int)v->len, v->data));
	return (gdImageCreateFromJpegPtr((int)v->len, v->data));
}

/* Pixel c within 90 per channel of colour want (0xRRGGBB). */
static int
near(int c, int want, int alpha)
{
	int	d[3], i;

	d[0] = gdTrueColorGetRed(c) - ((want >> 16) & 0xff);
	d[1] = gdTrueColorGetGreen(c) - ((want >> 8) & 0xff);
	d[2] = gdTrueColorGetBlue(c) - (want & 0xff);
	for (i = 0; i < 3; i++)
		if (d[i] > 90 || d[i] < -90)
			return (0);
	return (gdTrueColorGetAlpha(c) == alpha);
}

/* Is there a marker segment m before the first scan? */
static int
has_marker(const struct buf *b, unsigned char m)
{
	const unsigned char	*p = (const unsigned char *)b->data;
	size_t			 i;

	for (i = 2; i + 4 <= b->len && p[i] == 0xff; ) {
		if (p[i + 1] == m)
			return (1);
		if (p[i + 1] == 0xda)
			break;
		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
	}
	return (0);
}

static int
has_marker_v(const struct img_variant *v, unsigned char m)
{
	struct buf	b;

	b.data = (char *)v->data;
	b.len = v->len;
	b.cap = v->len;
	return (has_marker(&b, m));
}

/* Offset of the SOFn marker (FF Cx) of a JPEG, 0 if none. */
static size_t
sof_offset(const struct buf *b)
{
	const unsigned char	*p = (const unsigned char *)b->data;
	size_t			 i;

	for (i = 2; i + 4 <= b->len && p[i] == 0xff; ) {
		if (p[i + 1] == 0xc0 || p[i + 1] == 0xc2)
			return (i);
		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
	}
	return (0);
}

/* An APP1 "Exif\0\0" segment holding tiff. */
static void
app1_tiff(struct buf *b, const unsigned char *tiff, size_t n)
{
	unsigned char	hdr[4];

	hdr[0] = 0xff;
	hdr[1] = 0xe1;
	hdr[2] = (unsigned char)((n + 8) >> 8);
	hdr[3] = (unsigned char)(n + 8);
	buf_append(b, hdr, 4);
	buf_append(b, "Exif\0\0", 6);
	buf_append(b, tiff, n);
}

/* A TIFF block whose IFD0 holds orientation o (le: Intel order). */
static void
tiff_orient(struct buf *b, int le, unsigned o)
{
	static const unsigned char	ii[26] = {
		'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0,
		0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	};
	static const unsigned char	mm[26] = {
		'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0
	};
	unsigned char			t[26];

	memcpy(t, le ? ii : mm, sizeof(t));
	if (le)
		t[18] = (unsigned char)o;
	else
		t[19] = (unsigned char)o;
	buf_append(b, t, sizeof(t));
}

/* out = SOI + app1 + the rest of jpeg. */
static void
splice_app1(struct buf *out, const struct buf *jpeg, const struct buf *app1)
{
	buf_reset(out);
	out->len = 0;
	buf_append(out, jpeg->data, 2);
	buf_append(out, app1->data, app1->len);
	buf_append(out, jpeg->data + 2, jpeg->len - 2);
}

/* im as a JPEG carrying EXIF orientation o. */
static void
jpeg_oriented(struct buf *out, gdImagePtr im, int o, int le)
{
	struct buf	jpeg, tiff, app1;

	buf_init(&jpeg);
	buf_init(&tiff);
	buf_init(&app1);
	enc(&jpeg, im, 'j');
	tiff_orient(&tiff, le, (unsigned)o);
	app1_tiff(&app1, (const unsigned char *)tiff.data, tiff.len);
	splice_app1(out, &jpeg, &app1);
	buf_free(&jpeg);
	buf_free(&tiff);
	buf_free(&app1);
}

static uint32_t
crc32_png(const unsigned char *p, size_t n)
{
	uint32_t	c = 0xffffffffU;
	size_t		i;
	int		k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1)));
	}
	return (c ^ 0xffffffffU);
}

static void
put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A PNG chunk with a valid CRC. */
static void
png_chunk(struct buf *b, const char *type, const unsigned char *d, size_t n)
{
	unsigned char	 hdr[8], crc[4];
	size_t		 start;

	put32be(hdr, (uint32_t)n);
	memcpy(hdr + 4, type, 4);
	buf_append(b, hdr, 8);
	start = b->len - 4;
	buf_append(b, d, n);
	put32be(crc, crc32_png((const unsigned char *)b->data + start, n + 4));
	buf_append(b, crc, 4);
}

/*
 * A w x h JPEG made with libjpeg directly: comps 1 (grey ramp), 3 (red)
 * or 4 (Adobe CMYK red: stored inverted, C=255 M=0 Y=0 K=255).
 */
static void
test_jpeg_raw(struct buf *b, int w, int h, int comps, int flags)
{
	struct jpeg_compress_struct	 c;
	struct jpeg_error_mgr		 err;
	jpeg_scan_info			 scans[1 + 3 * 63];
	unsigned char			*out = NULL, *row;
	unsigned long			 outlen = 0;
	int				 x, i, k, n;
	JSAMPROW			 rp;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = comps;
	c.in_color_space = comps == 1 ? JCS_GRAYSCALE :
	    comps == 3 ? JCS_RGB : JCS_CMYK;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 90, TRUE);
	if (flags & RAW_ARITH)
		c.arith_code = TRUE;
	if (flags & RAW_SCANS) {
		n = 0;
		memset(scans, 0, sizeof(scans));
		scans[n].comps_in_scan = c.num_components;
		for (i = 0; i < c.num_components; i++)
			scans[n].component_index[i] = i;
		n++;
		for (i = 0; i < c.num_components; i++) {
			for (k = 1; k < 64; k++, n++) {
				scans[n].comps_in_scan = 1;
				scans[n].component_index[0] = i;
				scans[n].Ss = scans[n].Se = k;
			}
		}
		c.scan_info = scans;
		c.num_scans = n;
	}
	row = malloc((size_t)w * (size_t)comps);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		for (x = 0; x < w; x++) {
			if (comps == 1)
				row[x] = (unsigned char)(x * 255 / w);
			else if (comps == 3) {
				row[x * 3] = 255;
				row[x * 3 + 1] = row[x * 3 + 2] = 0;
			} else {
				row[x * 4] = row[x * 4 + 3] = 255;
				row[x * 4 + 1] = row[x * 4 + 2] = 0;
			}
		}
		rp = row;
		(void)jpeg_write_scanlines(&c, &rp, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	buf_reset(b);
	b->len = 0;
	buf_append(b, out, outlen);
	free(out);
	free(row);
}

/* Neither variant carries EXIF, an APP1 or an APP2 (ICC) segment. */
static int
clean_output(const struct img_result *r)
{
	const struct img_variant	*v[2];
	int				 i;

	v[0] = &r->thumb;
	v[1] = &r->display;
	for (i = 0; i < 2; i++) {
		if (v[i]->data == NULL || v[i]->len == 0)
			return (0);
		if (memmem(v[i]->data, v[i]->len, "Exif", 4) != NULL)
			return (0);
		if (strcmp(v[i]->mime, "image/jpeg") == 0 &&
		    (has_marker_v(v[i], 0xe1) || has_marker_v(v[i], 0xe2)))
			return (0);
	}
	return (1);
}

/* Mean of (r+g+b)/3 over the image, and its min and max. */
static double
mean_luma(gdImagePtr im, int *min, int *max)
{
	double	sum = 0;
	int	x, y, c, l;

	*min = 255;
	*max = 0;
	for (y = 0; y < gdImageSY(im); y++) {
		for (x = 0; x < gdImageSX(im); x++) {
			c = gdImageGetTrueColorPixel(im, x, y);
			l = (gdTrueColorGetRed(c) + gdTrueColorGetGreen(c) +
			    gdTrueColorGetBlue(c)) / 3;
			sum += l;
			if (l < *min)
				*min = l;
			if (l > *max)
				*max = l;
		}
	}
	return (sum / ((double)gdImageSX(im) * gdImageSY(im)));
}

/* The centres of the four quadrants of v are want[0..3] (TL TR BL BR). */
static int
quad_ok(const struct img_variant *v, const int *want)
{
	gdImagePtr	im;
	int		ok, w, h;

	if ((im = decode(v)) == NULL)
		return (0);
	w = gdImageSX(im);
	h = gdImageSY(im);
	ok = near(gdImageGetTrueColorPixel(im, w / 4, h / 4), want[0], 0) &&
	    near(gdImageGetTrueColorPixel(im, 3 * w / 4, h / 4), want[1], 0) &&
	    near(gdImageGetTrueColorPixel(im, w / 4, 3 * h / 4), want[2], 0) &&
	    near(gdImageGetTrueColorPixel(im, 3 * w / 4, 3 * h / 4), want[3],
	    0);
	gdImageDestroy(im);
	return (ok);
}

static enum img_error
process_buf(const struct buf *b, struct img_result *r)
{
	return (img_process(b->data, b->len, r));
}

/* img_process with stderr sent to a file: 1 if nothing was printed. */
static int
process_quiet(const struct buf *b, enum img_error *rc)
{
	struct img_result	 r;
	FILE			*tmp;
	off_t			 n;
	int			 saved;

	if ((tmp = tmpfile()) == NULL || (saved = dup(2)) == -1)
		return (0);
	fflush(stderr);
	(void)dup2(fileno(tmp), 2);
	*rc = process_buf(b, &r);
	img_result_free(&r);
	fflush(stderr);
	(void)dup2(saved, 2);
	close(saved);
	n = lseek(fileno(tmp), 0, SEEK_END);
	fclose(tmp);
	return (n == 0);
}

static void
test_sniff_types(void)
{
	struct buf	 b;
	gdImagePtr	 im, ima;
	enum img_type	 t;
	unsigned	 w, h;

	buf_init(&b);
	im = im_photo(123, 45);
	ima = gdImageCreateTrueColor(31, 17);
	gdImageAlphaBlending(ima, 0);
	gdImageSaveAlpha(ima, 1);
	gdImageFilledRectangle(ima, 0, 0, 30, 16,
	    gdTrueColorAlpha(0, 0, 255, 60));

	enc(&b, im, 'j');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_JPEG &&
	    w == 123 && h == 45, "sniff: JPEG type and dims");
	enc(&b, im, 'i');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_JPEG &&
	    w == 123 && h == 45, "sniff: progressive JPEG (SOF2)");
	enc(&b, im, 'p');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_PNG &&
	    w == 123 && h == 45, "sniff: PNG type and dims");
	enc(&b, im, 'w');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_WEBP &&
	    w == 123 && h == 45 && memcmp(b.data + 12, "VP8 ", 4) == 0,
	    "sniff: lossy WebP (VP8) type and dims");
	enc(&b, im, 'l');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_WEBP &&
	    w == 123 && h == 45 && memcmp(b.data + 12, "VP8L", 4) == 0,
	    "sniff: lossless WebP (VP8L) type and dims");
	enc(&b, ima, 'w');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && t == IMG_WEBP &&
	    w == 31 && h == 17 && memcmp(b.data + 12, "VP8X", 4) == 0,
	    "sniff: WebP with alpha (VP8X) type and dims");
	CHECK(img_sniff(b.data, b.len, NULL, NULL, NULL) == IMG_OK,
	    "sniff: NULL outputs allowed");

	gdImageDestroy(im);
	gdImageDestroy(ima);
	buf_free(&b);
}

static void
test_sniff_refused(void)
{
	static const char	*html = "<html><body>hi</body></html>\n";
	static const char	*svg = "<?xml version=\"1.0\"?>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
	    "height=\"10\"></svg>\n";
	static const char	*wav = "RIFF\x24\0\0\0WAVEfmt \x10\0\0\0";
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;
	enum img_type		 t;
	unsigned		 w, h;

	buf_init(&b);
	im = im_quads(20, 10);
	enc(&b, im, 'g');
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_EUNSUPPORTED &&
	    t == IMG_NONE, "sniff: GIF unsupported");
	CHECK(process_buf(&b, &r) == IMG_EUNSUPPORTED,
	    "process: GIF unsupported");
	enc(&b, im, 'b');
	CHECK(b.len > 2 && img_sniff(b.data, b.len, &t, &w, &h) ==
	    IMG_EUNSUPPORTED, "sniff: BMP unsupported");
	CHECK(img_sniff(html, strlen(html), &t, &w, &h) == IMG_EUNSUPPORTED,
	    "sniff: HTML (named .jpg) unsupported");
	CHECK(img_process(html, strlen(html), &r) == IMG_EUNSUPPORTED &&
	    r.thumb.data == NULL, "process: HTML unsupported, no output");
	CHECK(img_sniff(svg, strlen(svg), &t, &w, &h) == IMG_EUNSUPPORTED,
	    "sniff: SVG unsupported");
	CHECK(img_sniff("hello", 5, &t, &w, &h) == IMG_EUNSUPPORTED,
	    "sniff: text unsupported");
	CHECK(img_sniff(wav, 20, &t, &w, &h) == IMG_EUNSUPPORTED,
	    "sniff: RIFF WAVE unsupported");
	CHECK(img_sniff("", 0, &t, &w, &h) == IMG_EEMPTY, "sniff: empty");
	CHECK(img_process(NULL, 0, &r) == IMG_EEMPTY, "process: empty");
	CHECK(img_sniff("\xff\xd8\xff", 3, &t, &w, &h) == IMG_ECORRUPT &&
	    t == IMG_JPEG, "sniff: bare JPEG magic is corrupt");
	CHECK(img_sniff("\x89PNG\r\n\x1a\n\0\0", 10, &t, &w, &h) ==
	    IMG_ECORRUPT && t == IMG_PNG, "sniff: bare PNG signature corrupt");
	CHECK(img_sniff("RIFF\0\0\0\0WEBPVP8 ", 16, &t, &w, &h) ==
	    IMG_ECORRUPT && t == IMG_WEBP, "sniff: short WebP corrupt");
	CHECK(img_sniff("RIFF\x10\0\0\0WEBPJUNK\x02\0\0\0ab", 22, &t, &w,
	    &h) == IMG_ECORRUPT, "sniff: WebP with unknown first chunk");
	gdImageDestroy(im);
	buf_free(&b);
}

/* A few hundred bytes claiming 30000x30000: refused in microseconds. */
static void
test_png_bomb(void)
{
	static const unsigned char	 sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};
	unsigned char			 ihdr[13], idat[256];
	struct img_result		 r;
	struct buf			 b;
	enum img_type			 t;
	unsigned			 w, h, i;
	uint32_t			 s = 7;
	double				 t0, t1, t2;
	enum img_error			 e1, e2;

	buf_init(&b);
	buf_append(&b, sig, 8);
	put32be(ihdr, 30000);
	put32be(ihdr + 4, 30000);
	ihdr[8] = 8;		/* bit depth */
	ihdr[9] = 2;		/* RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	png_chunk(&b, "IHDR", ihdr, sizeof(ihdr));
	idat[0] = 0x78;
	idat[1] = 0x9c;
	for (i = 2; i < sizeof(idat); i++)
		idat[i] = (unsigned char)rnd(&s);
	png_chunk(&b, "IDAT", idat, sizeof(idat));
	png_chunk(&b, "IEND", NULL, 0);

	t0 = now_ms();
	e1 = img_sniff(b.data, b.len, &t, &w, &h);
	t1 = now_ms();
	e2 = process_buf(&b, &r);
	t2 = now_ms();
	CHECK(b.len < 400, "png bomb: a few hundred bytes");
	CHECK(e1 == IMG_ETOOBIG && t == IMG_PNG && w == 30000 && h == 30000,
	    "png bomb: sniff says too big, dims reported");
	CHECK(e2 == IMG_ETOOBIG && r.in_w == 30000 && r.display.data == NULL,
	    "png bomb: process says too big");
	CHECK(t1 - t0 < 10 && t2 - t1 < 10, "png bomb: refused in < 10 ms");

	/* The same with a bad IHDR length, and 0 x 5. */
	b.data[11] = 12;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "png: IHDR length not 13 is corrupt");
	b.data[11] = 13;
	put32be((unsigned char *)b.data + 16, 0);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "png: width 0 is corrupt");
	put32be((unsigned char *)b.data + 16, 0x80000000U);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "png: width >= 2^31 is corrupt");
	put32be((unsigned char *)b.data + 16, 8000);
	put32be((unsigned char *)b.data + 20, 5000);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK &&
	    w == 8000 && h == 5000, "png: 8000x5000 (40 MP) is allowed");
	put32be((unsigned char *)b.data + 20, 5001);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ETOOBIG,
	    "png: 8000x5001 is too big");
	buf_free(&b);
}

/*
 * A PNG of w x h with colour type ctype (a PLTE for 3) whose IDAT is a
 * few bytes of noise: the header is all the memory rule reads.
 */
static void
png_header(struct buf *b, unsigned w, unsigned h, int ctype)
{
	static const unsigned char	 sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};
	unsigned char			 ihdr[13], pal[6], idat[64];
	uint32_t			 s = 11;
	size_t				 i;

	buf_reset(b);
	b->len = 0;
	buf_append(b, sig, 8);
	put32be(ihdr, w);
	put32be(ihdr + 4, h);
	ihdr[8] = 8;
	ihdr[9] = (unsigned char)ctype;
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	png_chunk(b, "IHDR", ihdr, sizeof(ihdr));
	if (ctype == 3) {
		memset(pal, 0x80, sizeof(pal));
		png_chunk(b, "PLTE", pal, sizeof(pal));
	}
	idat[0] = 0x78;
	idat[1] = 0x9c;
	for (i = 2; i < sizeof(idat); i++)
		idat[i] = (unsigned char)rnd(&s);
	png_chunk(b, "IDAT", idat, sizeof(idat));
	png_chunk(b, "IEND", NULL, 0);
}

/*
 * SOI, a frame (marker sof) of w x h with ncomp components sampled
 * samp[i] (H << 4 | V), the first scan's header naming nscan of them,
 * a few bytes and EOI: enough for the header walk, not for decoding.
 */
static void
jpeg_header(struct buf *b, unsigned w, unsigned h, unsigned char sof,
    const unsigned char *samp, int ncomp, int nscan)
{
	unsigned char	seg[64];
	size_t		n;
	int		i;

	buf_reset(b);
	b->len = 0;
	buf_append(b, "\xff\xd8", 2);
	n = 8 + 3 * (size_t)ncomp;
	seg[0] = 0xff;
	seg[1] = sof;
	seg[2] = (unsigned char)(n >> 8);
	seg[3] = (unsigned char)n;
	seg[4] = 8;
	seg[5] = (unsigned char)(h >> 8);
	seg[6] = (unsigned char)h;
	seg[7] = (unsigned char)(w >> 8);
	seg[8] = (unsigned char)w;
	seg[9] = (unsigned char)ncomp;
	for (i = 0; i < ncomp; i++) {
		seg[10 + 3 * i] = (unsigned char)(i + 1);
		seg[11 + 3 * i] = samp[i];
		seg[12 + 3 * i] = 0;
	}
	buf_append(b, seg, 2 + n);
	n = 6 + 2 * (size_t)nscan;
	seg[0] = 0xff;
	seg[1] = 0xda;
	seg[2] = (unsigned char)(n >> 8);
	seg[3] = (unsigned char)n;
	seg[4] = (unsigned char)nscan;
	for (i = 0; i < nscan; i++) {
		seg[5 + 2 * i] = (unsigned char)(i + 1);
		seg[6 + 2 * i] = 0;
	}
	seg[5 + 2 * nscan] = 0;
	seg[6 + 2 * nscan] = 63;
	seg[7 + 2 * nscan] = 0;
	buf_append(b, seg, 2 + n);
	buf_append(b, "\x12\x34\x56\xff\xd9", 5);
}

/* A WebP of w x h whose first chunk is VP8L (lossless) or VP8. */
static void
webp_header(struct buf *b, unsigned w, unsigned h, int lossless)
{
	unsigned char	c[40];

	buf_reset(b);
	b->len = 0;
	memset(c, 0, sizeof(c));
	memcpy(c, "RIFF", 4);
	put32le(c + 4, 32);
	memcpy(c + 8, "WEBP", 4);
	if (lossless) {
		memcpy(c + 12, "VP8L", 4);
		put32le(c + 16, 20);
		c[20] = 0x2f;
		put32le(c + 21, (w - 1) | (uint32_t)(h - 1) << 14);
	} else {
		memcpy(c + 12, "VP8 ", 4);
		put32le(c + 16, 20);
		c[23] = 0x9d;		/* key frame (bit 0 clear), start code */
		c[24] = 0x01;
		c[25] = 0x2a;
		c[26] = (unsigned char)w;
		c[27] = (unsigned char)(w >> 8);
		c[28] = (unsigned char)h;
		c[29] = (unsigned char)(h >> 8);
	}
	buf_append(b, c, sizeof(c));
}

/*
 * Small files, big images (rule 8): a PNG of 40 megapixels is a few
 * hundred bytes, passes the pixel limit and needs 200-330 MB to decode.
 * Refused by the memory its decoding would need, before any of it is
 * allocated; ordinary photos still pass.
 */
static void
test_memory_png(void)
{
	struct img_result	 r;
	struct buf		 b;
	enum img_type		 t;
	unsigned		 w, h;
	unsigned long long	 m;
	double			 t0;

	buf_init(&b);
	png_header(&b, 8000, 5000, 3);
	CHECK(b.len < 400 && img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: a 40 MP palette PNG passes the pixel limit");
	m = img_memory(b.data, b.len);
	CHECK(m >= 5ULL * 40000000, "memory: palette 40 MP needs >= 5 B/px");
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY &&
	    w == 8000 && h == 5000, "memory: palette 40 MP refused by memory");
	t0 = now_ms();
	CHECK(process_buf(&b, &r) == IMG_EMEMORY && r.in_w == 8000 &&
	    r.display.data == NULL && now_ms() - t0 < 10,
	    "memory: process refuses the palette bomb at once");

	png_header(&b, 8000, 5000, 6);
	CHECK(img_memory(b.data, b.len) >= 8ULL * 40000000,
	    "memory: RGBA 40 MP needs >= 8 B/px");
	t0 = now_ms();
	CHECK(process_buf(&b, &r) == IMG_EMEMORY && now_ms() - t0 < 10,
	    "memory: process refuses an RGBA 40 MP PNG at once");

	png_header(&b, 3000, 3000, 6);
	m = img_memory(b.data, b.len);
	CHECK(m >= 8ULL * 9000000 && m <= IMG_MAX_MEMORY,
	    "memory: an RGBA 9 MP PNG fits the budget");
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: ... and is checked ok");
	png_header(&b, 3700, 3700, 6);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: an RGBA 13.7 MP PNG does not");
	png_header(&b, 4000, 4000, 3);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: a palette 16 MP PNG fits");
	png_header(&b, 4000, 4000, 2);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: an RGB 16 MP PNG does not");
	png_header(&b, 4000, 4000, 5);
	CHECK(img_memory(b.data, b.len) == 0,
	    "memory: colour type 5 (invalid) has no estimate");

	/* Estimates hold real images: a decode within them succeeds. */
	{
		gdImagePtr	im;

		im = im_photo(1200, 900);
		enc(&b, im, 'p');
		m = img_memory(b.data, b.len);
		CHECK(m >= 7ULL * 1200 * 900 && m < 40ULL * 1024 * 1024,
		    "memory: a 1200x900 RGB PNG is estimated 7-40 MiB");
		CHECK(process_buf(&b, &r) == IMG_OK, "memory: ... and decodes");
		img_result_free(&r);
		gdImageDestroy(im);
	}
	CHECK(img_error_name(IMG_EMEMORY) != NULL &&
	    strcmp(img_error_name(IMG_EMEMORY), "memory") == 0,
	    "memory: error name");
	buf_free(&b);
}

/*
 * JPEG: a baseline one is decoded shrunk, so all 40 megapixels fit; a
 * progressive one (or one whose first scan leaves components for later)
 * keeps every coefficient: 3 bytes a pixel at 4:2:0, 6 at 4:4:4.
 */
static void
test_memory_jpeg(void)
{
	static const unsigned char	 s420[3] = { 0x22, 0x11, 0x11 };
	static const unsigned char	 s444[3] = { 0x11, 0x11, 0x11 };
	struct img_result		 r;
	struct buf			 b;
	enum img_type			 t;
	unsigned			 w, h;
	unsigned long long		 m;

	buf_init(&b);
	jpeg_header(&b, 8000, 5000, 0xc0, s444, 3, 3);
	m = img_memory(b.data, b.len);
	CHECK(m > 0 && m < 48ULL * 1024 * 1024,
	    "memory: baseline JPEG 40 MP is decoded shrunk (< 48 MiB)");
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK && w == 8000,
	    "memory: ... and is checked ok");

	jpeg_header(&b, 8000, 5000, 0xc2, s420, 3, 1);
	m = img_memory(b.data, b.len);
	CHECK(m >= 3ULL * 40000000,
	    "memory: progressive 4:2:0 keeps 3 B/px of coefficients");
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: progressive 40 MP refused by memory");
	CHECK(process_buf(&b, &r) == IMG_EMEMORY,
	    "memory: process refuses it before decoding");

	jpeg_header(&b, 5000, 4000, 0xc2, s420, 3, 1);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: progressive 4:2:0 20 MP fits");
	jpeg_header(&b, 5000, 4000, 0xc2, s444, 3, 1);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: progressive 4:4:4 20 MP does not");

	/* Sequential, but the first scan has one component of three. */
	jpeg_header(&b, 6000, 5000, 0xc0, s444, 3, 1);
	CHECK(img_memory(b.data, b.len) >= 6ULL * 30000000,
	    "memory: a multi-scan baseline JPEG counts its coefficients");
	jpeg_header(&b, 6000, 5000, 0xc0, s444, 3, 3);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: the same in one scan fits");
	buf_free(&b);
}

/* WebP: lossless keeps two whole ARGB buffers and libgd's image. */
static void
test_memory_webp(void)
{
	struct buf	b;
	enum img_type	t;
	unsigned	w, h;

	buf_init(&b);
	webp_header(&b, 4000, 3000, 1);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && w == 4000 &&
	    h == 3000, "memory: VP8L header sniffs");
	CHECK(img_memory(b.data, b.len) >= 12ULL * 12000000 &&
	    img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: lossless WebP 12 MP refused (12 B/px)");
	webp_header(&b, 3000, 3000, 0);
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && w == 3000,
	    "memory: VP8 header sniffs");
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "memory: lossy WebP 9 MP fits");
	webp_header(&b, 8000, 5000, 0);
	CHECK(img_check(b.data, b.len, &t, &w, &h) == IMG_EMEMORY,
	    "memory: lossy WebP 40 MP does not");

	/* Found by fuzz_img: a VP8X whose chunk walk ends past the data. */
	{
		static const unsigned char	 vp8x[] = {
			'R', 'I', 'F', 'F', '0', 0x25, 0, 'P',
			'W', 'E', 'B', 'P', 'V', 'P', '8', 'X',
			'N', 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0x5d, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0x5d,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0x20, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0x1a, 0, 0, 0, 0x05, 0,
			0, 0, 0, 0, 0, 0, 0
		};

		unsigned char			*x;

		/* Exactly its size, so ASan sees a read past the end. */
		if ((x = malloc(sizeof(vp8x))) == NULL)
			abort();
		memcpy(x, vp8x, sizeof(vp8x));
		CHECK(img_memory(x, sizeof(vp8x)) > 0,
		    "memory: a chunk walk past the end reads nothing more");
		free(x);
	}
	/* A PNG cut right after the IHDR's dimensions: no colour type. */
	png_header(&b, 100, 100, 2);
	b.len = 24;
	CHECK(img_memory(b.data, b.len) == 0,
	    "memory: a PNG without its colour type has no estimate");
	buf_free(&b);
}

/* JPEG SOF dimensions that lie. */
static void
test_jpeg_header_lies(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;
	unsigned char		*p;
	size_t			 sof;
	enum img_type		 t;
	unsigned		 w, h;
	double			 t0;

	buf_init(&b);
	im = im_photo(64, 64);
	enc(&b, im, 'j');
	p = (unsigned char *)b.data;
	sof = sof_offset(&b);
	CHECK(sof > 0, "lies: SOF found");

	p[sof + 5] = 5000 >> 8;		/* height */
	p[sof + 6] = 5000 & 0xff;
	p[sof + 7] = 10000 >> 8;	/* width */
	p[sof + 8] = 10000 & 0xff;
	t0 = now_ms();
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ETOOBIG &&
	    w == 10000 && h == 5000, "lies: JPEG 10000x5000 too big");
	CHECK(process_buf(&b, &r) == IMG_ETOOBIG && now_ms() - t0 < 10,
	    "lies: JPEG 10000x5000 refused by process quickly");

	p[sof + 5] = 0;
	p[sof + 6] = 0;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "lies: JPEG height 0 (DNL) is corrupt");

	p[sof + 5] = 2000 >> 8;
	p[sof + 6] = 2000 & 0xff;
	p[sof + 7] = 2000 >> 8;
	p[sof + 8] = 2000 & 0xff;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK,
	    "lies: 2000x2000 header over 64x64 data sniffs");
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT,
	    "lies: ... and is corrupt when decoded");

	p[sof + 1] = 0xc3;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_EUNSUPPORTED,
	    "lies: lossless JPEG (SOF3) unsupported");
	p[sof + 1] = 0xc0;
	p[sof + 3] = 3;			/* segment length 3: too short */
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "lies: short SOF segment is corrupt");
	p[sof + 2] = 0xff;		/* segment length past the end */
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "lies: segment length past the end is corrupt");
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_truncated(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;
	enum img_type		 t;
	unsigned		 w, h;
	size_t			 n, full;
	int			 sane;

	buf_init(&b);
	im = im_photo(400, 300);

	enc(&b, im, 'j');
	full = b.len;
	b.len = full / 2;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_OK && w == 400,
	    "truncated JPEG: header still sniffs");
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT && r.display.data == NULL,
	    "truncated JPEG: first half is corrupt, not half grey");
	b.len = full - 2;	/* only EOI missing: strict, see img.c */
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT,
	    "JPEG without EOI is corrupt too");
	b.len = full;
	buf_append(&b, "trailing junk", 13);
	CHECK(process_buf(&b, &r) == IMG_OK, "JPEG with data after EOI is ok");
	img_result_free(&r);
	b.len = 20;
	CHECK(img_sniff(b.data, b.len, &t, &w, &h) == IMG_ECORRUPT,
	    "truncated JPEG: cut before SOF is corrupt");

	enc(&b, im, 'i');
	b.len /= 2;
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT,
	    "truncated progressive JPEG is corrupt");

	enc(&b, im, 'p');
	b.len /= 2;
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT, "truncated PNG is corrupt");

	enc(&b, im, 'w');
	b.len /= 2;
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT, "truncated WebP is corrupt");

	/* Every prefix of a small JPEG from the magic on: corrupt. */
	gdImageDestroy(im);
	im = im_photo(40, 24);
	enc(&b, im, 'j');
	full = b.len;
	sane = 1;
	for (n = 3; n < full; n++) {
		b.len = n;
		if (process_buf(&b, &r) != IMG_ECORRUPT)
			sane = 0;
		img_result_free(&r);
	}
	CHECK(sane, "every proper JPEG prefix is corrupt");
	gdImageDestroy(im);
	buf_free(&b);
}

/* 40x20, left red, right blue, orientation 6: rotate 90 clockwise. */
static void
test_orientation_6(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;

	buf_init(&b);
	im = im_halves(40, 20);
	jpeg_oriented(&b, im, 6, 0);
	CHECK(img_exif_orientation(b.data, b.len) == 6, "exif: reads 6 (MM)");
	CHECK(process_buf(&b, &r) == IMG_OK, "orientation 6: processes");
	CHECK(r.in_w == 40 && r.in_h == 20 && r.w == 20 && r.h == 40 &&
	    r.orientation == 6, "orientation 6: stored 40x20, upright 20x40");
	CHECK(r.display.w == 20 && r.display.h == 40 && r.thumb.w == 20 &&
	    r.thumb.h == 40, "orientation 6: variants are 20x40");
	out = decode(&r.display);
	CHECK(out != NULL && gdImageSX(out) == 20 && gdImageSY(out) == 40,
	    "orientation 6: output decodes as 20x40");
	if (out != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 10, 8), RED, 0) &&
		    near(gdImageGetTrueColorPixel(out, 10, 31), BLUE, 0),
		    "orientation 6: top half red, bottom half blue");
		gdImageDestroy(out);
	}
	CHECK(clean_output(&r), "orientation 6: no Exif, APP1 or APP2 out");
	CHECK(strcmp(r.display.mime, "image/jpeg") == 0 &&
	    has_marker_v(&r.display, 0xc2), "output is progressive JPEG");
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_orientation_3_8(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;

	buf_init(&b);
	im = im_halves(40, 20);

	jpeg_oriented(&b, im, 3, 1);
	CHECK(img_exif_orientation(b.data, b.len) == 3, "exif: reads 3 (II)");
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 40 &&
	    r.display.h == 20, "orientation 3: 40x20");
	if ((out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 8, 10), BLUE, 0) &&
		    near(gdImageGetTrueColorPixel(out, 31, 10), RED, 0),
		    "orientation 3: left blue, right red");
		gdImageDestroy(out);
	}
	img_result_free(&r);

	jpeg_oriented(&b, im, 8, 1);
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 20 &&
	    r.display.h == 40 && r.w == 20 && r.h == 40,
	    "orientation 8: 20x40");
	if ((out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 10, 8), BLUE, 0) &&
		    near(gdImageGetTrueColorPixel(out, 10, 31), RED, 0),
		    "orientation 8: top blue, bottom red");
		gdImageDestroy(out);
	}
	CHECK(clean_output(&r), "orientation 8: no Exif out");
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

/* Quadrants red blue / green yellow through all 8 orientations. */
static void
test_orientation_all(void)
{
	static const int	 want[9][4] = {
		{ 0, 0, 0, 0 },
		{ RED, BLUE, GREEN, YELLOW },	/* 1 as is */
		{ BLUE, RED, YELLOW, GREEN },	/* 2 mirror */
		{ YELLOW, GREEN, BLUE, RED },	/* 3 rotate 180 */
		{ GREEN, YELLOW, RED, BLUE },	/* 4 flip */
		{ RED, GREEN, BLUE, YELLOW },	/* 5 transpose */
		{ GREEN, RED, YELLOW, BLUE },	/* 6 rotate 90 cw */
		{ YELLOW, BLUE, GREEN, RED },	/* 7 transverse */
		{ BLUE, YELLOW, RED, GREEN }	/* 8 rotate 90 ccw */
	};
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;
	char			 what[64];
	int			 o, ok;

	buf_init(&b);
	im = im_quads(160, 80);
	for (o = 1; o <= 8; o++) {
		jpeg_oriented(&b, im, o, o & 1);
		ok = process_buf(&b, &r) == IMG_OK &&
		    r.display.w == (o >= 5 ? 80U : 160U) &&
		    r.display.h == (o >= 5 ? 160U : 80U) &&
		    quad_ok(&r.display, want[o]) && quad_ok(&r.thumb, want[o]);
		snprintf(what, sizeof(what), "orientation %d: quadrants", o);
		CHECK(ok, what);
		img_result_free(&r);
	}
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_exif_malformed(void)
{
	/* Each a TIFF block for an APP1; all must give orientation 1. */
	static const unsigned char	 bad[][26] = {
		/* IFD0 offset far past the end */
		{ 'I', 'I', 42, 0, 0xf0, 0xff, 0xff, 0xff, 1, 0 },
		/* IFD0 offset 0xffffffff */
		{ 'M', 'M', 0, 42, 0xff, 0xff, 0xff, 0xff },
		/* IFD0 inside the header */
		{ 'I', 'I', 42, 0, 2, 0, 0, 0, 1, 0 },
		/* entry count 65535, one entry present, not ours */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 0xff, 0xff, 0x10, 0x01 },
		/* orientation as LONG */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 4, 0,
		    1, 0, 0, 0, 6, 0, 0, 0 },
		/* count 2 */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
		    2, 0, 0, 0, 6, 0, 6, 0 },
		/* value 9 */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
		    1, 0, 0, 0, 9, 0, 0, 0 },
		/* value 0 */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
		    1, 0, 0, 0, 0, 0, 0, 0 },
		/* byte order XX */
		{ 'X', 'X', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
		    1, 0, 0, 0, 6, 0, 0, 0 },
		/* magic 43 */
		{ 'I', 'I', 43, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
		    1, 0, 0, 0, 6, 0, 0, 0 },
		/* loop: no orientation in IFD0, next IFD is IFD0 itself */
		{ 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x10, 0x01, 3, 0,
		    1, 0, 0, 0, 6, 0, 0, 0, 8, 0, 0, 0 },
	};
	static const unsigned char	 cut[] = {
		/* APP1 length runs past the end of the file */
		0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 'E', 'x', 'i', 'f', 0, 0,
		'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0
	};
	static const unsigned char	 short_seg[] = {
		0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01, 0xff, 0xd9
	};
	struct img_result		 r;
	struct buf			 jpeg, app1, b;
	gdImagePtr			 im;
	size_t				 i, n;
	int				 ok;

	buf_init(&jpeg);
	buf_init(&app1);
	buf_init(&b);
	im = im_halves(40, 20);
	enc(&jpeg, im, 'j');
	ok = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&app1);
		app1.len = 0;
		app1_tiff(&app1, bad[i], sizeof(bad[i]));
		splice_app1(&b, &jpeg, &app1);
		/* Also cut at every length inside the APP1. */
		for (n = 2; n <= 2 + app1.len + 4; n++)
			if (img_exif_orientation(b.data, n) != 1)
				ok = 0;
		if (img_exif_orientation(b.data, b.len) != 1)
			ok = 0;
	}
	CHECK(ok, "exif: malformed TIFF blocks give 1");
	CHECK(process_buf(&b, &r) == IMG_OK && r.orientation == 1 &&
	    r.display.w == 40, "exif: malformed EXIF still processes");
	img_result_free(&r);
	CHECK(img_exif_orientation(cut, sizeof(cut)) == 1,
	    "exif: APP1 longer than the file gives 1");
	CHECK(img_exif_orientation(short_seg, sizeof(short_seg)) == 1,
	    "exif: APP1 length 1 gives 1");
	CHECK(img_exif_orientation(NULL, 0) == 1 &&
	    img_exif_orientation("\x89PNG\r\n\x1a\n", 8) == 1,
	    "exif: none for empty and PNG");

	/* A valid orientation 6, then every prefix of the file. */
	jpeg_oriented(&b, im, 6, 1);
	ok = 1;
	for (n = 0; n <= b.len; n++) {
		i = (size_t)img_exif_orientation(b.data, n);
		if (i != 1 && i != 6)
			ok = 0;
	}
	CHECK(ok && img_exif_orientation(b.data, 60) == 6 &&
	    img_exif_orientation(b.data, 20) == 1,
	    "exif: every prefix gives 1 or 6");
	gdImageDestroy(im);
	buf_free(&jpeg);
	buf_free(&app1);
	buf_free(&b);
}

/* A lossless WebP rewrapped as VP8X + VP8L + EXIF (orientation 6). */
static void
test_exif_webp(void)
{
	struct img_result	 r;
	struct buf		 src, b, tiff;
	gdImagePtr		 im, out;
	unsigned char		 hdr[20];

	buf_init(&src);
	buf_init(&b);
	buf_init(&tiff);
	im = im_halves(40, 20);
	enc(&src, im, 'l');
	tiff_orient(&tiff, 1, 6);

	buf_append(&b, "RIFF\0\0\0\0WEBPVP8X", 16);
	memset(hdr, 0, sizeof(hdr));
	put32le(hdr, 10);
	hdr[4] = 0x08;			/* EXIF flag */
	hdr[8] = 39;			/* canvas width - 1 */
	hdr[11] = 19;			/* canvas height - 1 */
	buf_append(&b, hdr, 14);
	buf_append(&b, src.data + 12, src.len - 12);	/* VP8L chunk */
	buf_append(&b, "EXIF", 4);
	put32le(hdr, (uint32_t)tiff.len);
	buf_append(&b, hdr, 4);
	buf_append(&b, tiff.data, tiff.len);
	put32le((unsigned char *)b.data + 4, (uint32_t)(b.len - 8));

	CHECK(img_exif_orientation(b.data, b.len) == 6,
	    "webp exif: reads orientation 6");
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 20 &&
	    r.display.h == 40, "webp exif: processed upright 20x40");
	if ((out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 10, 8), RED, 0) &&
		    near(gdImageGetTrueColorPixel(out, 10, 31), BLUE, 0),
		    "webp exif: top red, bottom blue");
		gdImageDestroy(out);
	}
	CHECK(clean_output(&r), "webp exif: no Exif out");
	img_result_free(&r);

	b.data[20] |= 0x02;		/* animation flag */
	CHECK(img_sniff(b.data, b.len, NULL, NULL, NULL) == IMG_EUNSUPPORTED,
	    "webp: animated unsupported");
	gdImageDestroy(im);
	buf_free(&src);
	buf_free(&b);
	buf_free(&tiff);
}

static void
test_big_photo(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;
	double			 t0, t1;
	int			 ok;

	buf_init(&b);
	im = im_photo(4000, 3000);
	enc(&b, im, 'j');
	gdImageDestroy(im);

	t0 = now_ms();
	ok = process_buf(&b, &r) == IMG_OK;
	t1 = now_ms();
	printf("# img: 4000x3000 JPEG q90 (%zu bytes) processed in %.0f ms "
	    "(display %zu bytes, thumb %zu bytes)\n", b.len, t1 - t0,
	    r.display.len, r.thumb.len);
	CHECK(ok, "4000x3000: processes");
	CHECK(r.display.w == 1600 && r.display.h == 1200,
	    "4000x3000: display 1600x1200");
	CHECK(r.thumb.w == 400 && r.thumb.h == 300, "4000x3000: thumb 400x300");
	CHECK(strcmp(r.thumb.mime, "image/jpeg") == 0 &&
	    strcmp(r.display.mime, "image/jpeg") == 0, "4000x3000: JPEG out");
	CHECK(clean_output(&r), "4000x3000: clean output");
	img_result_free(&r);

	/* Portrait by EXIF, odd aspect: 4000x2999 stored, orientation 6. */
	im = im_photo(4000, 2999);
	jpeg_oriented(&b, im, 6, 0);
	gdImageDestroy(im);
	ok = process_buf(&b, &r) == IMG_OK;
	CHECK(ok && r.display.w == 1200 && r.display.h == 1600 &&
	    r.thumb.w == 300 && r.thumb.h == 400,
	    "4000x2999 orientation 6: 1200x1600 and 300x400");
	/* 2999 * 1600 / 4000 = 1199.6: aspect kept within 1 px */
	CHECK(ok && (long)r.display.w * 4000 - 1600L * 2999 <= 4000 &&
	    (long)r.display.w * 4000 - 1600L * 2999 >= -4000,
	    "4000x2999: aspect kept within 1 px");
	img_result_free(&r);
	buf_free(&b);
}

static void
test_no_upscale(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im;

	buf_init(&b);
	im = im_photo(120, 80);
	enc(&b, im, 'j');
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 120 &&
	    r.display.h == 80 && r.thumb.w == 120 && r.thumb.h == 80,
	    "small: 120x80 not upscaled");
	CHECK(strcmp(r.thumb.sha256, r.display.sha256) == 0 &&
	    r.thumb.data != r.display.data,
	    "small: thumb is a copy of display");
	img_result_free(&r);
	gdImageDestroy(im);

	im = im_photo(1000, 3);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 1000 &&
	    r.display.h == 3 && r.thumb.w == 400 && r.thumb.h == 1,
	    "1000x3: display as is, thumb 400x1 (never 0)");
	img_result_free(&r);
	gdImageDestroy(im);

	im = im_photo(1, 1);
	enc(&b, im, 'j');
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 1 &&
	    r.thumb.h == 1, "1x1 works");
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

/* gdImageScale's default turns this black; an area filter gives grey. */
static void
test_checkerboard(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;
	double			 m;
	int			 min, max;
	char			 what[128];
	int			 pass;
	const char		 kinds[2] = { 'p', 'j' };

	buf_init(&b);
	im = im_checker(4000, 3000);
	for (pass = 0; pass < 2; pass++) {
		enc(&b, im, kinds[pass]);
		CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 1600,
		    kinds[pass] == 'p' ? "checkerboard PNG: processes" :
		    "checkerboard JPEG: processes");
		if ((out = decode(&r.display)) != NULL) {
			m = mean_luma(out, &min, &max);
			snprintf(what, sizeof(what), "checkerboard %s display: "
			    "mean %.1f (min %d, max %d) is mid-grey",
			    kinds[pass] == 'p' ? "PNG" : "JPEG", m, min, max);
			CHECK(m > 108 && m < 148 && min > 60 && max < 200,
			    what);
			gdImageDestroy(out);
		}
		if ((out = decode(&r.thumb)) != NULL) {
			m = mean_luma(out, &min, &max);
			snprintf(what, sizeof(what), "checkerboard %s thumb: "
			    "mean %.1f (min %d, max %d) is mid-grey",
			    kinds[pass] == 'p' ? "PNG" : "JPEG", m, min, max);
			CHECK(m > 108 && m < 148 && min > 60 && max < 200,
			    what);
			gdImageDestroy(out);
		}
		img_result_free(&r);
	}
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_alpha(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;
	int			 x, y, c, fringe, partial;

	buf_init(&b);
	/* Left opaque red, right fully transparent black; the edge at
	 * 403 * 400 / 810 = 199.01 makes one column half transparent. */
	im = gdImageCreateTrueColor(810, 400);
	gdImageAlphaBlending(im, 0);
	gdImageSaveAlpha(im, 1);
	gdImageFilledRectangle(im, 0, 0, 402, 399, RED);
	gdImageFilledRectangle(im, 403, 0, 809, 399,
	    gdTrueColorAlpha(0, 0, 0, 127));
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/png") == 0 &&
	    strcmp(r.thumb.mime, "image/png") == 0, "alpha PNG stays PNG");
	CHECK(r.thumb.w == 400 && r.thumb.h == 198, "alpha PNG: thumb 400x198");
	if ((out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 100, 200), RED, 0) &&
		    gdTrueColorGetAlpha(gdImageGetTrueColorPixel(out, 700,
		    200)) == 127, "alpha PNG: display keeps alpha");
		gdImageDestroy(out);
	}
	if ((out = decode(&r.thumb)) != NULL) {
		fringe = partial = 0;
		for (y = 0; y < gdImageSY(out); y++) {
			for (x = 0; x < gdImageSX(out); x++) {
				c = gdImageGetTrueColorPixel(out, x, y);
				if (gdTrueColorGetAlpha(c) == 0 ||
				    gdTrueColorGetAlpha(c) == 127)
					continue;
				partial++;
				if (gdTrueColorGetRed(c) < 250)
					fringe++;
			}
		}
		CHECK(partial > 0 && fringe == 0,
		    "alpha PNG: edge pixels half transparent, still red");
		CHECK(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(out, 390,
		    100)) == 127, "alpha PNG: thumb keeps alpha");
		gdImageDestroy(out);
	}
	img_result_free(&r);
	gdImageDestroy(im);

	/* Everything half transparent. */
	im = gdImageCreateTrueColor(50, 50);
	gdImageAlphaBlending(im, 0);
	gdImageSaveAlpha(im, 1);
	gdImageFilledRectangle(im, 0, 0, 49, 49, gdTrueColorAlpha(0, 0, 255,
	    64));
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/png") == 0, "alpha 64: PNG");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 25, 25), BLUE, 64),
		    "alpha 64: kept");
		gdImageDestroy(out);
	}
	img_result_free(&r);

	/* Opaque truecolor PNG becomes JPEG. */
	gdImageFilledRectangle(im, 0, 0, 49, 49, BLUE);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/jpeg") == 0,
	    "opaque PNG becomes JPEG");
	img_result_free(&r);

	/* Truecolor PNG with a tRNS colour key: the key becomes alpha. */
	gdImageSaveAlpha(im, 0);
	gdImageFilledRectangle(im, 0, 0, 24, 49, GREEN);
	gdImageColorTransparent(im, GREEN);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/png") == 0,
	    "colour-key PNG: PNG out");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL) {
		CHECK(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(out, 5,
		    5)) == 127 && near(gdImageGetTrueColorPixel(out, 40, 5),
		    BLUE, 0), "colour-key PNG: key transparent, rest opaque");
		gdImageDestroy(out);
	}
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_palette(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;
	int			 red, blue, clear;

	buf_init(&b);
	im = gdImageCreate(600, 300);
	red = gdImageColorAllocate(im, 255, 0, 0);
	blue = gdImageColorAllocate(im, 0, 0, 255);
	clear = gdImageColorAllocate(im, 0, 255, 0);
	gdImageFilledRectangle(im, 0, 0, 299, 299, red);
	gdImageFilledRectangle(im, 300, 0, 599, 299, blue);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/jpeg") == 0 && r.thumb.w == 400 &&
	    r.thumb.h == 200, "palette PNG: processes to JPEG, thumb 400x200");
	if ((out = decode(&r.thumb)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 100, 100), RED, 0) &&
		    near(gdImageGetTrueColorPixel(out, 300, 100), BLUE, 0),
		    "palette PNG: colours kept");
		gdImageDestroy(out);
	}
	img_result_free(&r);

	gdImageFilledRectangle(im, 0, 0, 99, 299, clear);
	gdImageColorTransparent(im, clear);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/png") == 0,
	    "palette PNG with transparent index: PNG out");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL) {
		CHECK(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(out, 50,
		    50)) == 127 && near(gdImageGetTrueColorPixel(out, 200, 50),
		    RED, 0), "palette PNG: transparent index is alpha");
		gdImageDestroy(out);
	}
	img_result_free(&r);
	gdImageDestroy(im);

	/* Grey PNG (gd reads it as a palette image). */
	im = gdImageCreate(30, 30);
	(void)gdImageColorAllocate(im, 128, 128, 128);
	enc(&b, im, 'p');
	CHECK(process_buf(&b, &r) == IMG_OK, "grey/palette small PNG works");
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

static void
test_webp_process(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 im, out;

	buf_init(&b);
	im = im_quads(900, 600);
	enc(&b, im, 'w');
	CHECK(process_buf(&b, &r) == IMG_OK && r.in_type == IMG_WEBP &&
	    strcmp(r.display.mime, "image/jpeg") == 0 && r.display.w == 900 &&
	    r.thumb.w == 400 && r.thumb.h == 267,
	    "lossy WebP: JPEG out, thumb 400x267");
	CHECK(quad_ok(&r.thumb, (const int[]){ RED, BLUE, GREEN, YELLOW }),
	    "lossy WebP: colours kept");
	img_result_free(&r);
	enc(&b, im, 'l');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    quad_ok(&r.display, (const int[]){ RED, BLUE, GREEN, YELLOW }),
	    "lossless WebP: processes");
	img_result_free(&r);
	gdImageDestroy(im);

	im = gdImageCreateTrueColor(60, 40);
	gdImageAlphaBlending(im, 0);
	gdImageSaveAlpha(im, 1);
	gdImageFilledRectangle(im, 0, 0, 59, 39, gdTrueColorAlpha(0, 0, 0,
	    127));
	gdImageFilledRectangle(im, 0, 0, 29, 39, RED);
	enc(&b, im, 'l');
	CHECK(process_buf(&b, &r) == IMG_OK &&
	    strcmp(r.display.mime, "image/png") == 0, "alpha WebP: PNG out");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL) {
		CHECK(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(out, 50,
		    20)) == 127 && near(gdImageGetTrueColorPixel(out, 10, 20),
		    RED, 0), "alpha WebP: alpha kept");
		gdImageDestroy(out);
	}
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

/*
 * libgd gives libpng no warning handler, so libpng prints ancillary-chunk
 * trouble on stderr: img strips those chunks before libgd sees them.
 */
static void
test_png_noise(void)
{
	static const unsigned char	 gama0[4] = { 0, 0, 0, 0 };
	static const unsigned char	 iccp[12] = {
		'x', 0, 0, 0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7
	};
	struct img_result		 r;
	struct buf			 png, b;
	gdImagePtr			 im, out;
	enum img_error			 rc;

	buf_init(&png);
	buf_init(&b);
	im = im_quads(64, 48);
	enc(&png, im, 'p');
	buf_append(&b, png.data, 33);		/* signature, IHDR */
	png_chunk(&b, "iCCP", iccp, sizeof(iccp));
	png_chunk(&b, "gAMA", gama0, sizeof(gama0));
	png_chunk(&b, "tEXt", (const unsigned char *)"Comment\0hi", 10);
	b.data[b.len - 1] ^= 1;			/* bad CRC */
	png_chunk(&b, "eXIf", (const unsigned char *)"MM\0*\0\0\0\b", 8);
	buf_append(&b, png.data + 33, png.len - 33);
	CHECK(process_quiet(&b, &rc) && rc == IMG_OK,
	    "noisy PNG (iCCP, gAMA 0, bad tEXt CRC, eXIf): ok, nothing on "
	    "stderr");

	/* A tRNS with a bad CRC is dropped, as libpng would. */
	buf_reset(&b);
	b.len = 0;
	buf_append(&b, png.data, 33);
	png_chunk(&b, "tRNS", (const unsigned char *)"\0\0\0\0\0\0", 6);
	b.data[b.len - 1] ^= 1;
	buf_append(&b, png.data + 33, png.len - 33);
	CHECK(process_quiet(&b, &rc) && rc == IMG_OK,
	    "PNG with a bad tRNS CRC: ok, nothing on stderr");

	/* A chunk running past the end of the file. */
	b.len = 40;
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT,
	    "PNG chunk past the end is corrupt");

	/* Interlaced (Adam7) PNGs decode (libpng may print one warning). */
	gdImageInterlace(im, 1);
	enc(&b, im, 'p');
	gdImageInterlace(im, 0);
	CHECK(process_buf(&b, &r) == IMG_OK && quad_ok(&r.display,
	    (const int[]){ RED, BLUE, GREEN, YELLOW }),
	    "interlaced PNG processes");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL)
		gdImageDestroy(out);
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&png);
	buf_free(&b);
}

static void
test_sha256(void)
{
	struct img_result	 r, r2;
	struct buf		 b;
	gdImagePtr		 im;
	unsigned char		 h[crypto_hash_sha256_BYTES];
	char			 hex[65];

	buf_init(&b);
	im = im_photo(900, 500);
	enc(&b, im, 'j');
	CHECK(process_buf(&b, &r) == IMG_OK, "sha256: processes");
	crypto_hash_sha256(h, r.display.data, r.display.len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK_STR(r.display.sha256, hex, "sha256: display is hex of bytes");
	crypto_hash_sha256(h, r.thumb.data, r.thumb.len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK_STR(r.thumb.sha256, hex, "sha256: thumb is hex of bytes");
	CHECK(strcmp(r.thumb.sha256, r.display.sha256) != 0,
	    "sha256: thumb and display differ");
	CHECK(process_buf(&b, &r2) == IMG_OK &&
	    strcmp(r2.display.sha256, r.display.sha256) == 0,
	    "sha256: same input, same address (deterministic)");
	img_result_free(&r2);
	img_result_free(&r);
	CHECK(r.display.data == NULL && r.thumb.data == NULL,
	    "img_result_free resets");
	img_result_free(&r);
	gdImageDestroy(im);
	buf_free(&b);
}

/* JPEGs libgd does not write: grey, CMYK, arithmetic, many scans. */
static void
test_jpeg_kinds(void)
{
	struct img_result	 r;
	struct buf		 b;
	gdImagePtr		 out;

	buf_init(&b);
	test_jpeg_raw(&b, 64, 32, 1, 0);
	CHECK(process_buf(&b, &r) == IMG_OK && r.display.w == 64,
	    "grey JPEG processes");
	img_result_free(&r);

	test_jpeg_raw(&b, 64, 32, 4, 0);
	CHECK(process_buf(&b, &r) == IMG_OK, "Adobe CMYK JPEG processes");
	if (r.display.data != NULL && (out = decode(&r.display)) != NULL) {
		CHECK(near(gdImageGetTrueColorPixel(out, 30, 15), RED, 0),
		    "Adobe CMYK JPEG: colour converted");
		gdImageDestroy(out);
	}
	img_result_free(&r);

	test_jpeg_raw(&b, 64, 32, 3, RAW_ARITH);
	CHECK(img_sniff(b.data, b.len, NULL, NULL, NULL) == IMG_OK &&
	    process_buf(&b, &r) == IMG_OK, "arithmetic-coded JPEG processes");
	img_result_free(&r);

	test_jpeg_raw(&b, 64, 32, 1, RAW_SCANS);
	CHECK(process_buf(&b, &r) == IMG_OK, "64-scan progressive JPEG ok");
	img_result_free(&r);

	test_jpeg_raw(&b, 64, 32, 3, RAW_SCANS);
	CHECK(process_buf(&b, &r) == IMG_ECORRUPT,
	    "190-scan progressive JPEG refused (scan limit)");
	buf_free(&b);
}

/* Inputs and the single-threaded addresses the threads must reproduce. */
struct thread_job {
	struct buf	in[3];
	char		want[3][65];
	int		ok;
};

static void *
thread_main(void *arg)
{
	struct thread_job	*job = arg;
	struct img_result	 r;
	int			 i, k;

	for (k = 0; k < 4; k++) {
		for (i = 0; i < 3; i++) {
			if (process_buf(&job->in[i], &r) != IMG_OK ||
			    strcmp(r.display.sha256, job->want[i]) != 0)
				job->ok = 0;
			img_result_free(&r);
		}
	}
	return (NULL);
}

/* Four threads at once: libjpeg, libgd and the scaler share nothing. */
static void
test_threads(void)
{
	struct thread_job	 jobs[4];
	struct img_result	 r;
	pthread_t		 tid[4];
	gdImagePtr		 im;
	int			 i, j, ok;

	ok = 1;
	for (j = 0; j < 4; j++) {
		for (i = 0; i < 3; i++)
			buf_init(&jobs[j].in[i]);
		im = im_photo(700 + 10 * j, 500);
		jpeg_oriented(&jobs[j].in[0], im, 6, j & 1);
		enc(&jobs[j].in[1], im, 'w');
		gdImageDestroy(im);
		im = im_checker(900, 300 + j);
		enc(&jobs[j].in[2], im, 'p');
		gdImageDestroy(im);
		for (i = 0; i < 3; i++) {
			if (process_buf(&jobs[j].in[i], &r) != IMG_OK)
				ok = 0;
			memcpy(jobs[j].want[i], r.display.sha256, 65);
			img_result_free(&r);
		}
		jobs[j].ok = 1;
	}
	for (j = 0; j < 4; j++)
		if (pthread_create(&tid[j], NULL, thread_main, &jobs[j]) != 0)
			ok = 0;
	for (j = 0; j < 4; j++) {
		(void)pthread_join(tid[j], NULL);
		ok = ok && jobs[j].ok;
		for (i = 0; i < 3; i++)
			buf_free(&jobs[j].in[i]);
	}
	CHECK(ok, "threads: 4 at once give the single-threaded bytes");
}

static void
test_misc(void)
{
	struct img_result	 r;
	char			*big;

	CHECK_STR(img_error_name(IMG_OK), "ok", "error name ok");
	CHECK_STR(img_error_name(IMG_EUNSUPPORTED), "unsupported",
	    "error name unsupported");
	CHECK_STR(img_error_name(IMG_ETOOBIG), "too_big", "error name too_big");
	CHECK_STR(img_error_name(IMG_ECORRUPT), "corrupt",
	    "error name corrupt");
	CHECK_STR(img_error_name(IMG_EEMPTY), "empty", "error name empty");
	CHECK_STR(img_error_name(IMG_ENOMEM), "nomem", "error name nomem");

	big = calloc(1, IMG_MAX_BYTES + 1);
	memcpy(big, "\xff\xd8\xff", 3);
	CHECK(img_process(big, IMG_MAX_BYTES + 1, &r) == IMG_ETOOBIG,
	    "more than IMG_MAX_BYTES is too big");
	free(big);

	CHECK(img_process("\xff\xd8\xff\xe0\0\x10JFIF\0garbage", 18, &r) ==
	    IMG_ECORRUPT, "JPEG magic over garbage is corrupt");
}

int
main(void)
{
	if (sodium_init() == -1)
		return (1);
	img_init();

	test_sniff_types();
	test_sniff_refused();
	test_png_bomb();
	test_memory_png();
	test_memory_jpeg();
	test_memory_webp();
	test_jpeg_header_lies();
	test_truncated();
	test_orientation_6();
	test_orientation_3_8();
	test_orientation_all();
	test_exif_malformed();
	test_exif_webp();
	test_big_photo();
	test_no_upscale();
	test_checkerboard();
	test_alpha();
	test_palette();
	test_webp_process();
	test_png_noise();
	test_sha256();
	test_jpeg_kinds();
	test_threads();
	test_misc();

	UNIT_DONE("test_img");
}

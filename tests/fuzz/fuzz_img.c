/*
 * fuzz_img: libFuzzer target for the image pipeline (app/img.c).
 *
 * Feeds each input (at most FUZZ_MAX_BYTES) to img_sniff,
 * img_exif_orientation and, unless the header claims more than
 * FUZZ_MAX_PIXELS (to keep the fuzzer fast), img_process, then checks
 * what img_process promises: sniff's verdict, sizes within bounds, no
 * upscaling, bytes that are really there, the sha256 of them.  Everything
 * is freed, so LeakSanitizer reports leaks.  Seeds: tests/fixtures/img
 * (regenerate with its make.sh).  Build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/img.c \
 *       app/buf.c tests/fuzz/fuzz_img.c -lgd -ljpeg -lsodium -lm \
 *       -o build/fuzz_img
 *   mkdir -p build/corpus-img
 *   build/fuzz_img -max_total_time=90 build/corpus-img tests/fixtures/img
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "img.h"

#define FUZZ_MAX_BYTES		(1024 * 1024)
#define FUZZ_MAX_PIXELS		4000000ULL

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_variant(const struct img_variant *, unsigned, unsigned,
		    unsigned);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() == -1)
		abort();
	img_init();
	return (0);
}

/* Within max and the upright size, and its bytes and address are real. */
static void
check_variant(const struct img_variant *v, unsigned max, unsigned w,
    unsigned h)
{
	unsigned char	hash[crypto_hash_sha256_BYTES];
	char		hex[65];

	if (v->data == NULL || v->len == 0 || v->w == 0 || v->h == 0)
		abort();
	if (v->w > max || v->h > max || v->w > w || v->h > h)
		abort();
	if (strcmp(v->mime, "image/jpeg") != 0 &&
	    strcmp(v->mime, "image/png") != 0)
		abort();
	crypto_hash_sha256(hash, v->data, v->len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if (strcmp(hex, v->sha256) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_result	r;
	enum img_type		t;
	enum img_error		rc, prc;
	unsigned		w, h;
	int			o;

	if (size > FUZZ_MAX_BYTES)
		return (0);

	w = h = 0;
	rc = img_sniff(data, size, &t, &w, &h);
	if (img_error_name(rc) == NULL)
		abort();
	o = img_exif_orientation(data, size);
	if (o < 1 || o > 8)
		abort();
	if (rc == IMG_OK && (unsigned long long)w * h > FUZZ_MAX_PIXELS)
		return (0);

	prc = img_process(data, size, &r);
	if (rc != IMG_OK && prc != rc)
		abort();	/* process refuses what sniff refuses */
	if (prc == IMG_OK) {
		if (r.in_type != t || r.in_w != w || r.in_h != h)
			abort();
		if (r.orientation < 1 || r.orientation > 8 ||
		    (t == IMG_JPEG && r.orientation != o))
			abort();
		if (r.w != (r.orientation >= 5 ? h : w) ||
		    r.h != (r.orientation >= 5 ? w : h))
			abort();
		check_variant(&r.display, IMG_DISPLAY_MAX, r.w, r.h);
		check_variant(&r.thumb, IMG_THUMB_MAX, r.display.w,
		    r.display.h);
	} else if (r.display.data != NULL || r.thumb.data != NULL)
		abort();
	img_result_free(&r);
	return (0);
}

/*
 * fuzz_form: libFuzzer target for the untrusted-input parsers.
 *
 * Feeds each input to form_parse_urlencoded, form_parse_json,
 * form_parse_multipart (fixed boundary "XyZ", so a seed corpus of
 * "--XyZ\r\n..." bodies helps) and, as a NUL-terminated copy, to
 * i18n_from_accept_language, i18n_canonical and (as the Content-Type)
 * form_parse_body.  Everything is freed, so
 * LeakSanitizer reports leaks.  Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/form.c \
 *       app/i18n.c app/buf.c tests/fuzz/fuzz_form.c -ljansson \
 *       -o build/fuzz_form
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "i18n.h"

#define FUZZ_MP_CT	"multipart/form-data; boundary=XyZ"
#define FUZZ_MP_BODY						\
	"--XyZ\r\nContent-Disposition: form-data; name=a\r\n"		\
	"\r\nv\r\n--XyZ--"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_form(const struct form *);

/* Touch every byte the parsers claim to own, so ASan sees lies. */
static void
check_form(const struct form *f)
{
	size_t		i;
	volatile char	sink;

	if (f->n > FORM_MAX_FIELDS)
		abort();
	for (i = 0; i < f->n; i++) {
		if (strlen(f->fields[i].name) > FORM_MAX_NAME)
			abort();
		if (f->fields[i].value[f->fields[i].len] != '\0')
			abort();
		if (f->fields[i].len > 0)
			sink = f->fields[i].value[f->fields[i].len - 1];
		if (f->fields[i].filename != NULL)
			sink = f->fields[i].filename[0];
		if (f->fields[i].content_type != NULL)
			sink = f->fields[i].content_type[0];
		if (form_get(f, f->fields[i].name) == NULL)
			abort();
	}
	(void)sink;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f;
	const char	*s;
	char		*str;

	s = (const char *)data;

	form_init(&f);
	(void)form_parse_urlencoded(&f, s, size);
	check_form(&f);
	form_free(&f);

	form_init(&f);
	(void)form_parse_json(&f, s, size);
	check_form(&f);
	form_free(&f);

	form_init(&f);
	(void)form_parse_multipart(&f, FUZZ_MP_CT, s, size);
	check_form(&f);
	form_free(&f);

	if ((str = malloc(size + 1)) == NULL)
		return (0);
	memcpy(str, data, size);
	str[size] = '\0';
	(void)i18n_from_accept_language(str);
	(void)i18n_canonical(str);
	/* The input as a Content-Type header, with a fixed body. */
	form_init(&f);
	(void)form_parse_body(&f, str, FUZZ_MP_BODY, sizeof(FUZZ_MP_BODY) - 1);
	form_free(&f);
	free(str);

	return (0);
}

/*
 * fuzz_jparse: differential libFuzzer target for app/jparse.c.
 *
 * Parses the input with jparse and with jansson's json_loadb(...,
 * JSON_DECODE_ANY, ...) and aborts unless both fail, or both succeed
 * with json_equal() trees.  Only the two differences documented in
 * jparse.c are let through, each checked as narrowly as possible:
 * - jansson accepts and the input nests more than JPARSE_MAX_DEPTH
 *   containers: jparse must fail (jansson's limit is 2048);
 * - jansson accepts an input with NUL bytes: it drops a NUL directly
 *   after a number or literal, so with exactly those NULs removed jparse
 *   must accept it and give jansson's tree.
 * A tree jparse built is also dumped with json_dumps() and parsed again,
 * which must give an equal tree.  Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapp app/jparse.c \
 *       tests/fuzz/fuzz_jparse.c -ljansson -o build/fuzz_jparse
 * Seeds: tests/fixtures/json/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	max_depth(const uint8_t *, size_t);
static void	check_nul(const uint8_t *, size_t, const json_t *);
static void	check_dump(const json_t *);

/*
 * Deepest nesting of [ and { outside strings.  Only asked of inputs
 * jansson accepted, so strings are well formed.
 */
static size_t
max_depth(const uint8_t *p, size_t len)
{
	size_t		 i, depth, max;
	int		 in_str;

	depth = max = 0;
	in_str = 0;
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = 0;
		} else if (p[i] == '"')
			in_str = 1;
		else if (p[i] == '[' || p[i] == '{') {
			if (++depth > max)
				max = depth;
		} else if (p[i] == ']' || p[i] == '}')
			depth--;
	}
	return (max);
}

/*
 * jansson accepted p, which holds NUL bytes (never inside a string
 * then).  Drop each NUL that directly follows a digit or letter (the end
 * of a number or literal, which jansson ignores); the rest must parse
 * in jparse to want.
 */
static void
check_nul(const uint8_t *p, size_t len, const json_t *want)
{
	char		*s;
	size_t		 i, n;
	json_t		*got;

	if ((s = malloc(len ? len : 1)) == NULL)
		abort();
	n = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\0' && i > 0 && ((p[i - 1] >= '0' &&
		    p[i - 1] <= '9') || (p[i - 1] >= 'a' && p[i - 1] <= 'z') ||
		    (p[i - 1] >= 'A' && p[i - 1] <= 'Z')))
			continue;
		s[n++] = (char)p[i];
	}
	got = jparse(s, n);
	free(s);
	if (got == NULL || !json_equal(got, want))
		abort();
	json_decref(got);
}

/* jansson's serialization of a jparse tree parses back to it. */
static void
check_dump(const json_t *json)
{
	char		*s;
	json_t		*again;

	if ((s = json_dumps(json, JSON_ENCODE_ANY)) == NULL)
		abort();
	again = jparse(s, strlen(s));
	free(s);
	if (again == NULL || !json_equal(again, json))
		abort();
	json_decref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*mine, *ref;

	mine = jparse((const char *)data, size);
	ref = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (ref == NULL) {
		if (mine != NULL)
			abort();
		return (0);
	}

	if (mine == NULL) {
		if (max_depth(data, size) > JPARSE_MAX_DEPTH) {
			/* Intentional: deeper than jparse allows. */
		} else if (memchr(data, '\0', size) != NULL)
			check_nul(data, size, ref);
		else
			abort();
	} else {
		if (!json_equal(mine, ref))
			abort();
		check_dump(mine);
	}

	json_decref(mine);
	json_decref(ref);
	return (0);
}

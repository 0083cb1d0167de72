/*
 * fuzz_pwcheck: libFuzzer target for app/pwcheck.c.
 *
 * The input is split at its first NUL byte: the part before is a list
 * (parsed with pwcheck_list_parse), the part after a password checked
 * against it with a fixed username; then every line of the list must be
 * found again (the set loses nothing) and pwcheck() must answer one of
 * its values.  Everything is freed, so LeakSanitizer reports leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pwcheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct pwcheck_list	*l;
	const char		*text = (const char *)data, *p, *end, *nl;
	const char		*sep;
	size_t			 tlen, n;
	int			 r;

	sep = memchr(text, '\0', len);
	tlen = sep != NULL ? (size_t)(sep - text) : len;
	l = pwcheck_list_new();
	(void)pwcheck_list_parse(l, text, tlen);

	for (p = text, end = text + tlen; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && n <= 1024 && p[0] != '#' &&
		    !pwcheck_list_has(l, p, n))
			abort();
	}
	if (sep != NULL) {
		r = pwcheck(l, sep + 1, len - tlen - 1, "fuzz_user");
		if (r < PWCHECK_OK || r > PWCHECK_USERNAME)
			abort();
	}
	pwcheck_list_free(l);
	return (0);
}

/*
 * fuzz_device: libFuzzer target for app/device.c and app/avatar.c.
 *
 * The input is a User-Agent (device_parse must name a browser and a
 * system from its tables or none, reading only the bytes given) and,
 * made NUL-terminated, a device name to tidy (it may only get shorter)
 * and a display name (avatar_initials must give at most two characters,
 * valid UTF-8 when the name is).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avatar.h"
#include "device.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct device	 d;
	char		*name, out[AVATAR_INITIALS_MAX];
	size_t		 n;
	void		*copy;

	/* An exact-size copy: ASan sees any read past len. */
	if ((copy = malloc(len ? len : 1)) == NULL)
		return (0);
	memcpy(copy, data, len);
	device_parse(copy, len, &d);
	if (d.browser != NULL && strlen(d.browser) == 0)
		abort();
	if (d.os != NULL && strlen(d.os) == 0)
		abort();
	free(copy);

	if ((name = malloc(len + 1)) == NULL)
		return (0);
	memcpy(name, data, len);
	name[len] = '\0';
	device_tidy(name);
	if (strlen(name) > len)
		abort();
	n = avatar_initials(name, out, sizeof(out));
	if (n != strlen(out) || n >= sizeof(out))
		abort();
	if (text_utf8_valid(name, strlen(name)) && !text_utf8_valid(out, n))
		abort();
	free(name);
	(void)avatar_tone((int64_t)len - 1000);
	return (0);
}

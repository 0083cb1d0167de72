/*
 * device: which browser on which system a User-Agent names, for the list
 * of signed-in devices in settings.  Pure; unit-tested in
 * tests/unit/test_device.c, fuzzed by tests/fuzz/fuzz_device.c.
 */
#ifndef MAKERSPACE_DEVICE_H
#define MAKERSPACE_DEVICE_H

#include <stddef.h>

/* Only this much of a User-Agent is read (they are rarely 300 bytes). */
#define DEVICE_UA_MAX		1024

/*
 * What was recognised: the last part of a catalog key
 * ("account.device.browser.<browser>", "account.device.os.<os>"), or
 * NULL.  Both point to string literals.
 */
struct device {
	const char	*browser;
	const char	*os;
};

void	 device_parse(const char *, size_t, struct device *);
void	 device_tidy(char *);

#endif

/*
 * fuzz_netaddr: libFuzzer target for app/netaddr.c.
 *
 * The input is tried as an address, a CIDR, a trusted list and an
 * X-Forwarded-For header (split at the first NUL into two headers), and
 * aborts unless: an address that parses formats and parses back to
 * itself; a CIDR contains its own network; the forwarded client is the
 * peer when the peer is untrusted, and otherwise the peer or an address
 * that formats.  Build: `make build/fuzz/fuzz_netaddr`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_roundtrip(const struct netaddr *);

static void
check_roundtrip(const struct netaddr *a)
{
	struct netaddr	b;
	char		s[NETADDR_STRLEN];

	if (netaddr_format(a, s, sizeof(s)) == -1)
		abort();
	if (netaddr_parse(s, strlen(s), &b) == -1 || memcmp(a, &b,
	    sizeof(b)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct netaddr_set	 trusted, set;
	struct netaddr_cidr		 c;
	struct netaddr			 a, peer, client;
	const char			*v[2];
	char				*s, err[128];
	size_t				 n;
	int				 from;

	if (netaddr_parse((const char *)data, size, &a) == 0)
		check_roundtrip(&a);
	if (netaddr_cidr_parse((const char *)data, size, &c) == 0 &&
	    !netaddr_cidr_has(&c, &c.net))
		abort();

	if ((s = malloc(size + 2)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	s[size + 1] = '\0';
	(void)netaddr_set_parse(&set, s, err, sizeof(err));
	if (strlen(err) >= sizeof(err))
		abort();

	if (trusted.n == 0 &&
	    netaddr_set_parse(&trusted, "127.0.0.0/8 ::1 10.0.0.0/8", NULL,
	    0) == -1)
		abort();
	n = strlen(s) < size ? 2 : 1;
	v[0] = s;
	v[1] = s + strlen(s) + 1;
	(void)netaddr_parse("127.0.0.1", 9, &peer);
	from = netaddr_forwarded_client(&trusted, &peer, v, n, &client);
	if (from == 0 && memcmp(&client, &peer, sizeof(peer)) != 0)
		abort();
	if (from == 1)
		check_roundtrip(&client);
	(void)netaddr_parse("192.0.2.1", 9, &peer);
	if (netaddr_forwarded_client(&trusted, &peer, v, n, &client) != 0 ||
	    memcmp(&client, &peer, sizeof(peer)) != 0)
		abort();
	free(s);
	return (0);
}

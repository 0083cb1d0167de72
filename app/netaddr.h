/*
 * netaddr: IP addresses, CIDR lists and X-Forwarded-For, without Kore.
 * Unit-tested in tests/unit/test_netaddr.c, fuzzed by
 * tests/fuzz/fuzz_netaddr.c.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address
 * everywhere here, so a list naming 127.0.0.1 matches it too.
 */
#ifndef MAKERSPACE_NETADDR_H
#define MAKERSPACE_NETADDR_H

#include <stddef.h>

#define NETADDR_V4		4
#define NETADDR_V6		6
#define NETADDR_SET_MAX		64	/* entries in one CIDR list */
#define NETADDR_STRLEN		46	/* INET6_ADDRSTRLEN */

struct netaddr {
	int		family;		/* NETADDR_V4 or NETADDR_V6 */
	unsigned char	a[16];		/* network order; IPv4 in a[0..3] */
};

struct netaddr_cidr {
	struct netaddr	net;		/* host bits are zero */
	int		bits;
};

/* A fixed-size list: no allocation, nothing to free. */
struct netaddr_set {
	size_t			n;
	struct netaddr_cidr	v[NETADDR_SET_MAX];
};

int	netaddr_parse(const char *, size_t, struct netaddr *);
void	netaddr_from_bytes(struct netaddr *, int, const void *);
int	netaddr_format(const struct netaddr *, char *, size_t);
int	netaddr_is_loopback(const struct netaddr *);
int	netaddr_cidr_parse(const char *, size_t, struct netaddr_cidr *);
int	netaddr_cidr_has(const struct netaddr_cidr *, const struct netaddr *);
int	netaddr_set_parse(struct netaddr_set *, const char *, char *,
	    size_t);
int	netaddr_set_has(const struct netaddr_set *, const struct netaddr *);
int	netaddr_forwarded_client(const struct netaddr_set *,
	    const struct netaddr *, const char *const *, size_t,
	    struct netaddr *);

#endif

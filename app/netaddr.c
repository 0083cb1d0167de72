/*
 * netaddr: IP addresses, CIDR lists and X-Forwarded-For (see netaddr.h).
 *
 * Who the client is behind reverse proxies: X-Forwarded-For lists the
 * addresses a request passed through, each proxy appending the address
 * it was connected from.  Only the entries our own trusted proxies added
 * can be believed; everything to their left was written by the client.
 * So the client is the right-most entry that is not itself a trusted
 * proxy, and when the peer is not a trusted proxy the header is ignored
 * (netaddr_forwarded_client).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "netaddr.h"

static int	netaddr_literal(const char *, size_t, struct netaddr *,
		    int *);
static int	netaddr_entry(const char *, size_t, struct netaddr *);
static int	netaddr_digits(const char *, size_t, int);
static int	netaddr_is_mapped(const unsigned char *);
static int	netaddr_space(char);

/* ::ffff:a.b.c.d */
static int
netaddr_is_mapped(const unsigned char *a)
{
	static const unsigned char	prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff };

	return (memcmp(a, prefix, sizeof(prefix)) == 0);
}

/*
 * An address literal of len bytes (no brackets, port or zone) into out.
 * *mapped (may be NULL) tells whether it was written as an IPv4-mapped
 * IPv6 address; out holds the IPv4 address then.  0, or -1 when s is not
 * an address.
 */
static int
netaddr_literal(const char *s, size_t len, struct netaddr *out, int *mapped)
{
	char		tmp[NETADDR_STRLEN + 1];
	unsigned char	a[16];

	if (mapped != NULL)
		*mapped = 0;
	if (len == 0 || len >= sizeof(tmp) || memchr(s, '\0', len) != NULL)
		return (-1);
	memcpy(tmp, s, len);
	tmp[len] = '\0';

	memset(out, 0, sizeof(*out));
	if (memchr(tmp, ':', len) == NULL) {
		if (inet_pton(AF_INET, tmp, a) != 1)
			return (-1);
		netaddr_from_bytes(out, NETADDR_V4, a);
		return (0);
	}
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return (-1);
	if (mapped != NULL)
		*mapped = netaddr_is_mapped(a);
	netaddr_from_bytes(out, NETADDR_V6, a);
	return (0);
}

/* An address literal of len bytes; 0, or -1 when it is not one. */
int
netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
	return (netaddr_literal(s, len, out, NULL));
}

/*
 * From 4 (family NETADDR_V4) or 16 bytes in network order, as in
 * struct in_addr / in6_addr.
 */
void
netaddr_from_bytes(struct netaddr *out, int family, const void *bytes)
{
	const unsigned char	*b = bytes;

	memset(out, 0, sizeof(*out));
	if (family == NETADDR_V6 && netaddr_is_mapped(b)) {
		out->family = NETADDR_V4;
		memcpy(out->a, b + 12, 4);
	} else if (family == NETADDR_V6) {
		out->family = NETADDR_V6;
		memcpy(out->a, b, 16);
	} else {
		out->family = NETADDR_V4;
		memcpy(out->a, b, 4);
	}
}

/* The usual text form into out (NETADDR_STRLEN bytes do); 0 or -1. */
int
netaddr_format(const struct netaddr *a, char *out, size_t len)
{
	int	af;

	if (len == 0)
		return (-1);
	out[0] = '\0';
	af = a->family == NETADDR_V6 ? AF_INET6 : AF_INET;
	if (inet_ntop(af, a->a, out, len) == NULL) {
		out[0] = '\0';
		return (-1);
	}
	return (0);
}

int
netaddr_is_loopback(const struct netaddr *a)
{
	static const unsigned char	one[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0, 0, 0, 0, 0, 1 };

	if (a->family == NETADDR_V4)
		return (a->a[0] == 127);
	return (a->family == NETADDR_V6 && memcmp(a->a, one, 16) == 0);
}

/* 1 to 5 decimal digits, no leading zero, at most max: the value or -1. */
static int
netaddr_digits(const char *s, size_t len, int max)
{
	size_t	i;
	int	v;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return (-1);
	v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v <= max ? v : -1);
}

/*
 * "address" or "address/bits".  Host bits must be zero ("10.0.0.1/8" is
 * refused: it is more likely a typo than a network).  0 or -1.
 */
int
netaddr_cidr_parse(const char *s, size_t len, struct netaddr_cidr *out)
{
	const char	*slash;
	size_t		 alen, i;
	int		 mapped, max, net, mask;

	memset(out, 0, sizeof(*out));
	slash = memchr(s, '/', len);
	alen = slash != NULL ? (size_t)(slash - s) : len;
	if (netaddr_literal(s, alen, &out->net, &mapped) == -1)
		return (-1);
	max = out->net.family == NETADDR_V4 && !mapped ? 32 : 128;
	if (slash == NULL)
		out->bits = max;
	else if ((out->bits = netaddr_digits(slash + 1, len - alen - 1,
	    max)) == -1)
		return (-1);
	if (mapped) {
		/* ::ffff:0:0/96 and longer name IPv4 addresses. */
		if (out->bits < 96)
			return (-1);
		out->bits -= 96;
	}

	for (i = 0; i < 16; i++) {
		net = out->bits - (int)i * 8;	/* network bits in a[i] */
		if (net >= 8)
			continue;
		mask = net <= 0 ? 0 : (0xff << (8 - net)) & 0xff;
		if ((out->net.a[i] & ~mask) != 0)
			return (-1);
	}
	return (0);
}

int
netaddr_cidr_has(const struct netaddr_cidr *c, const struct netaddr *a)
{
	int	full, rest;

	if (c->net.family != a->family)
		return (0);
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(c->net.a, a->a, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	return (((c->net.a[full] ^ a->a[full]) & (0xff << (8 - rest)) &
	    0xff) == 0);
}

static int
netaddr_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',');
}

/*
 * A list of addresses and CIDRs separated by spaces or commas, e.g.
 * "127.0.0.1/32 ::1".  An empty list is valid (nobody is trusted).  On
 * failure returns -1 and, when err is not NULL, says why in err.
 */
int
netaddr_set_parse(struct netaddr_set *set, const char *list, char *err,
    size_t errlen)
{
	const char	*p, *e;

	memset(set, 0, sizeof(*set));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (p = list; *p != '\0'; p = e) {
		while (*p != '\0' && netaddr_space(*p))
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && !netaddr_space(*e); e++)
			;
		if (set->n == NETADDR_SET_MAX) {
			if (err != NULL)
				(void)snprintf(err, errlen, "more than %d "
				    "entries", NETADDR_SET_MAX);
			return (-1);
		}
		if (netaddr_cidr_parse(p, (size_t)(e - p),
		    &set->v[set->n]) == -1) {
			if (err != NULL)
				(void)snprintf(err, errlen, "'%.*s' is not an "
				    "address or a network (a.b.c.d/n, x::/n)",
				    (int)(e - p > 60 ? 60 : e - p), p);
			return (-1);
		}
		set->n++;
	}
	return (0);
}

int
netaddr_set_has(const struct netaddr_set *set, const struct netaddr *a)
{
	size_t	i;

	for (i = 0; i < set->n; i++) {
		if (netaddr_cidr_has(&set->v[i], a))
			return (1);
	}
	return (0);
}

/*
 * One X-Forwarded-For entry, spaces around it already taken off:
 * "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]" or
 * "[2001:db8::1]:443".  0, or -1 ("unknown", "unix:", garbage).
 */
static int
netaddr_entry(const char *s, size_t len, struct netaddr *out)
{
	const char	*close, *colon;

	if (len > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', len)) == NULL)
			return (-1);
		if ((size_t)(close - s) + 1 < len &&
		    (close[1] != ':' || netaddr_digits(close + 2,
		    len - (size_t)(close - s) - 2, 65535) == -1))
			return (-1);
		return (netaddr_literal(s + 1, (size_t)(close - s) - 1, out,
		    NULL));
	}
	colon = memchr(s, ':', len);
	if (colon != NULL && memchr(colon + 1, ':',
	    len - (size_t)(colon - s) - 1) == NULL) {
		/* One colon: IPv4 with a port. */
		if (netaddr_digits(colon + 1, len - (size_t)(colon - s) - 1,
		    65535) == -1)
			return (-1);
		if (netaddr_literal(s, (size_t)(colon - s), out, NULL) == -1)
			return (-1);
		return (out->family == NETADDR_V4 ? 0 : -1);
	}
	return (netaddr_literal(s, len, out, NULL));
}

/*
 * The client of a request that came from peer, with the X-Forwarded-For
 * header(s) values[0..n) in the order received.  When peer is in trusted,
 * the entries are read from the right: the first one that is not in
 * trusted is the client; when all are trusted, the left-most one is.  An
 * entry that is not an address stops the walk at the last trusted hop
 * (no proxy of ours writes one; the client's own text is always left of
 * its real address).  Never believes anything from an untrusted peer.
 *
 * Sets *client and returns 1 when it came from the header, 0 when it is
 * the peer.
 */
int
netaddr_forwarded_client(const struct netaddr_set *trusted,
    const struct netaddr *peer, const char *const *values, size_t n,
    struct netaddr *client)
{
	struct netaddr	 a;
	const char	*s;
	size_t		 i, start, end, b, e;
	int		 from;

	*client = *peer;
	if (!netaddr_set_has(trusted, peer))
		return (0);

	from = 0;
	for (i = n; i > 0; i--) {
		s = values[i - 1];
		end = strlen(s);
		for (;;) {
			for (start = end; start > 0 && s[start - 1] != ',';
			    start--)
				;
			for (b = start; b < end && (s[b] == ' ' ||
			    s[b] == '\t'); b++)
				;
			for (e = end; e > b && (s[e - 1] == ' ' ||
			    s[e - 1] == '\t'); e--)
				;
			if (netaddr_entry(s + b, e - b, &a) == -1)
				return (from);
			*client = a;
			from = 1;
			if (!netaddr_set_has(trusted, &a))
				return (1);
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	return (from);
}

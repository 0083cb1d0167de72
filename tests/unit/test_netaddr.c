/*
 * test_netaddr: unit tests for app/netaddr.c (addresses, CIDR lists and
 * the X-Forwarded-For walk).  Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "unit.h"

static void		 test_parse(void);
static void		 test_format(void);
static void		 test_loopback(void);
static void		 test_cidr(void);
static void		 test_set(void);
static void		 test_forwarded(void);
static void		 test_forwarded_hostile(void);
static const char	*client(const char *, const char *, const char *,
			    const char *, int *);
static const char	*fmt(const struct netaddr *);

static char	fmtbuf[NETADDR_STRLEN];

static const char *
fmt(const struct netaddr *a)
{
	if (netaddr_format(a, fmtbuf, sizeof(fmtbuf)) == -1)
		return ("(unformattable)");
	return (fmtbuf);
}

static int
parses(const char *s)
{
	struct netaddr	a;

	return (netaddr_parse(s, strlen(s), &a) == 0);
}

static void
test_parse(void)
{
	struct netaddr	a;

	CHECK(parses("127.0.0.1"), "IPv4");
	CHECK(parses("203.0.113.9"), "IPv4, public");
	CHECK(parses("::1"), "IPv6 loopback");
	CHECK(parses("2001:db8::8:800:200c:417a"), "IPv6");
	CHECK(!parses(""), "empty");
	CHECK(!parses("1.2.3"), "three parts");
	CHECK(!parses("1.2.3.4.5"), "five parts");
	CHECK(!parses("256.1.1.1"), "octet over 255");
	CHECK(!parses("01.2.3.4"), "leading zero (octal?) refused");
	CHECK(!parses("1.2.3.4 "), "trailing space");
	CHECK(!parses("fe80::1%eth0"), "zone id");
	CHECK(!parses("[::1]"), "brackets are not a literal");
	CHECK(!parses("1.2.3.4:80"), "a port is not a literal");
	CHECK(!parses("localhost"), "names");
	CHECK(!parses("unknown"), "unknown");
	CHECK(!parses("2001:db8::1::2"), "two ::");
	CHECK(!parses("0x7f.1.1.1"), "hex");
	CHECK(netaddr_parse("1.2.3.4\0" "5", 9, &a) == -1, "an embedded NUL");
	CHECK(netaddr_parse("1.2.3.4xyz", 7, &a) == 0 &&
	    a.family == NETADDR_V4, "only len bytes are read");
	CHECK(netaddr_parse("0000:0000:0000:0000:0000:ffff:127.000.000.001",
	    47, &a) == -1, "longer than the longest form");

	CHECK(netaddr_parse("::ffff:10.1.2.3", 15, &a) == 0 &&
	    a.family == NETADDR_V4 && a.a[0] == 10 && a.a[3] == 3,
	    "IPv4-mapped IPv6 is the IPv4 address");
}

static void
test_format(void)
{
	static const unsigned char	v4[4] = { 192, 0, 2, 7 };
	static const unsigned char	v6[16] = { 0x20, 0x01, 0x0d, 0xb8,
					    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    1 };
	static const unsigned char	m[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	struct netaddr			a;
	char				small[4];

	netaddr_from_bytes(&a, NETADDR_V4, v4);
	CHECK_STR(fmt(&a), "192.0.2.7", "IPv4 from bytes");
	netaddr_from_bytes(&a, NETADDR_V6, v6);
	CHECK_STR(fmt(&a), "2001:db8::1", "IPv6 from bytes");
	netaddr_from_bytes(&a, NETADDR_V6, m);
	CHECK_STR(fmt(&a), "127.0.0.1", "mapped bytes become IPv4");
	CHECK(netaddr_format(&a, small, sizeof(small)) == -1 &&
	    small[0] == '\0', "too small a buffer: -1 and empty");
	CHECK(netaddr_parse("2001:DB8:0::0:1", 15, &a) == 0,
	    "upper case and long form");
	CHECK_STR(fmt(&a), "2001:db8::1", "canonical text");
}

static void
test_loopback(void)
{
	struct netaddr	a;

	(void)netaddr_parse("127.0.0.1", 9, &a);
	CHECK(netaddr_is_loopback(&a), "127.0.0.1");
	(void)netaddr_parse("127.255.0.9", 11, &a);
	CHECK(netaddr_is_loopback(&a), "127/8");
	(void)netaddr_parse("::1", 3, &a);
	CHECK(netaddr_is_loopback(&a), "::1");
	(void)netaddr_parse("::ffff:127.0.0.1", 16, &a);
	CHECK(netaddr_is_loopback(&a), "mapped 127.0.0.1");
	(void)netaddr_parse("128.0.0.1", 9, &a);
	CHECK(!netaddr_is_loopback(&a), "128.0.0.1");
	(void)netaddr_parse("::2", 3, &a);
	CHECK(!netaddr_is_loopback(&a), "::2");
	(void)netaddr_parse("::", 2, &a);
	CHECK(!netaddr_is_loopback(&a), "::");
}

static int
cidr_ok(const char *s)
{
	struct netaddr_cidr	c;

	return (netaddr_cidr_parse(s, strlen(s), &c) == 0);
}

static int
in(const char *cidr, const char *addr)
{
	struct netaddr_cidr	c;
	struct netaddr		a;

	if (netaddr_cidr_parse(cidr, strlen(cidr), &c) == -1 ||
	    netaddr_parse(addr, strlen(addr), &a) == -1)
		return (-1);
	return (netaddr_cidr_has(&c, &a));
}

static void
test_cidr(void)
{
	CHECK(cidr_ok("127.0.0.1"), "an address is a /32");
	CHECK(cidr_ok("127.0.0.1/32"), "/32");
	CHECK(cidr_ok("10.0.0.0/8"), "/8");
	CHECK(cidr_ok("0.0.0.0/0"), "/0");
	CHECK(cidr_ok("::1"), "IPv6 address");
	CHECK(cidr_ok("fd00::/8"), "IPv6 /8");
	CHECK(cidr_ok("::/0"), "IPv6 /0");
	CHECK(cidr_ok("::ffff:10.0.0.0/104"), "mapped /104 is IPv4 /8");
	CHECK(!cidr_ok("10.0.0.1/8"), "host bits set");
	CHECK(cidr_ok("10.128.0.0/9"), "a /9 with its bit");
	CHECK(!cidr_ok("10.192.0.0/9"), "a /9 with a host bit");
	CHECK(!cidr_ok("fd00::1/64"), "IPv6 host bits set");
	CHECK(!cidr_ok("10.0.0.0/33"), "/33");
	CHECK(!cidr_ok("::/129"), "/129");
	CHECK(!cidr_ok("10.0.0.0/"), "empty length");
	CHECK(!cidr_ok("10.0.0.0/+8"), "signed length");
	CHECK(!cidr_ok("10.0.0.0/08"), "length with a leading zero");
	CHECK(!cidr_ok("10.0.0.0/8/8"), "two lengths");
	CHECK(!cidr_ok("::ffff:0:0/95"), "mapped shorter than /96");
	CHECK(!cidr_ok("/8"), "no address");
	CHECK(!cidr_ok("10.0.0.0/-1"), "negative");
	CHECK(!cidr_ok("10.0.0.0/99999999999"), "huge length");

	CHECK(in("127.0.0.1/32", "127.0.0.1") == 1, "/32 has itself");
	CHECK(in("127.0.0.1/32", "127.0.0.2") == 0, "/32 has no other");
	CHECK(in("10.0.0.0/8", "10.255.1.2") == 1, "/8 has its hosts");
	CHECK(in("10.0.0.0/8", "11.0.0.0") == 0, "/8 ends");
	CHECK(in("192.168.4.0/22", "192.168.7.255") == 1, "/22 top");
	CHECK(in("192.168.4.0/22", "192.168.8.0") == 0, "/22 past the top");
	CHECK(in("192.168.4.0/22", "192.168.3.255") == 0, "/22 below");
	CHECK(in("0.0.0.0/0", "203.0.113.1") == 1, "/0 has everything v4");
	CHECK(in("0.0.0.0/0", "::1") == 0, "an IPv4 net has no IPv6");
	CHECK(in("::/0", "10.0.0.1") == 0, "an IPv6 net has no IPv4");
	CHECK(in("2001:db8::/33", "2001:db8:7fff::1") == 1, "v6 /33 in");
	CHECK(in("2001:db8::/33", "2001:db8:8000::1") == 0, "v6 /33 out");
	CHECK(in("::1", "::1") == 1, "::1 has itself");
	CHECK(in("127.0.0.1", "::ffff:127.0.0.1") == 1,
	    "mapped address matches the IPv4 entry");
	CHECK(in("::ffff:127.0.0.1", "127.0.0.1") == 1,
	    "mapped entry matches the IPv4 address");
}

static void
test_set(void)
{
	struct netaddr_set	s;
	struct netaddr		a;
	char			err[128], list[64 * 12 + 1];
	int			i;

	CHECK(netaddr_set_parse(&s, "", err, sizeof(err)) == 0 && s.n == 0,
	    "an empty list trusts nobody");
	CHECK(netaddr_set_parse(&s, " \t, ", err, sizeof(err)) == 0 &&
	    s.n == 0, "separators only");
	CHECK(netaddr_set_parse(&s, "127.0.0.1/32 ::1", err,
	    sizeof(err)) == 0 && s.n == 2, "the README's example");
	CHECK(netaddr_set_parse(&s, "10.0.0.0/8,172.16.0.0/12, fd00::/8\n",
	    err, sizeof(err)) == 0 && s.n == 3, "commas and new lines");
	(void)netaddr_parse("172.31.0.1", 10, &a);
	CHECK(netaddr_set_has(&s, &a), "a member of the second net");
	(void)netaddr_parse("172.32.0.1", 10, &a);
	CHECK(!netaddr_set_has(&s, &a), "outside every net");

	CHECK(netaddr_set_parse(&s, "127.0.0.1 nginx.local", err,
	    sizeof(err)) == -1, "a name is refused");
	CHECK(strstr(err, "'nginx.local'") != NULL, "the error names it");
	CHECK(s.n == 1, "what came before it is kept");
	CHECK(netaddr_set_parse(&s, "10.0.0.1/8", NULL, 0) == -1,
	    "no error buffer");

	list[0] = '\0';
	for (i = 0; i < NETADDR_SET_MAX; i++)
		(void)snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "10.0.%d.%d ", i / 250, i % 250);
	CHECK(netaddr_set_parse(&s, list, err, sizeof(err)) == 0 &&
	    s.n == NETADDR_SET_MAX, "the largest list");
	(void)snprintf(list + strlen(list), sizeof(list) - strlen(list),
	    "10.9.9.9");
	CHECK(netaddr_set_parse(&s, list, err, sizeof(err)) == -1 &&
	    strstr(err, "more than") != NULL, "one too many");
}

/*
 * The client for a peer, trusted list and up to two X-Forwarded-For
 * headers (NULL: absent); *from: whether it came from the header.
 */
static const char *
client(const char *trusted, const char *peer, const char *h1,
    const char *h2, int *from)
{
	struct netaddr_set	 set;
	struct netaddr		 p, c;
	const char		*v[2];
	size_t			 n;

	if (netaddr_set_parse(&set, trusted, NULL, 0) == -1 ||
	    netaddr_parse(peer, strlen(peer), &p) == -1)
		return ("(bad test)");
	n = 0;
	if (h1 != NULL)
		v[n++] = h1;
	if (h2 != NULL)
		v[n++] = h2;
	*from = netaddr_forwarded_client(&set, &p, v, n, &c);
	return (fmt(&c));
}

static void
test_forwarded(void)
{
	const char	*T = "127.0.0.1/32 ::1";
	int		 from;

	CHECK_STR(client(T, "127.0.0.1", NULL, NULL, &from), "127.0.0.1",
	    "no header: the peer");
	CHECK(from == 0, "not from the header");
	CHECK_STR(client(T, "127.0.0.1", "203.0.113.9", NULL, &from),
	    "203.0.113.9", "trusted peer: the forwarded client");
	CHECK(from == 1, "from the header");
	CHECK_STR(client("", "127.0.0.1", "203.0.113.9", NULL, &from),
	    "127.0.0.1", "nobody trusted: the header is ignored");
	CHECK(from == 0, "ignored");
	CHECK_STR(client(T, "198.51.100.1", "203.0.113.9", NULL, &from),
	    "198.51.100.1", "untrusted peer: the header is ignored");
	CHECK(from == 0, "ignored from an untrusted peer");

	/* A client's own header is left of what nginx appended. */
	CHECK_STR(client(T, "127.0.0.1", "1.1.1.1, 203.0.113.9", NULL,
	    &from), "203.0.113.9", "a spoofed entry on the left is ignored");
	CHECK_STR(client(T, "127.0.0.1", "127.0.0.1, 203.0.113.9", NULL,
	    &from), "203.0.113.9", "spoofing a trusted address gains nothing");
	CHECK_STR(client("127.0.0.1 10.0.0.0/8", "127.0.0.1",
	    "203.0.113.9, 10.1.1.1,10.2.2.2", NULL, &from), "203.0.113.9",
	    "a chain of trusted proxies is skipped");
	CHECK_STR(client(T, "127.0.0.1", "127.0.0.1", NULL, &from),
	    "127.0.0.1", "all trusted: the left-most");
	CHECK(from == 1, "all trusted: still from the header");
	CHECK_STR(client("127.0.0.1 10.0.0.0/8", "127.0.0.1",
	    "10.0.0.5, 10.0.0.6", NULL, &from), "10.0.0.5",
	    "all trusted: the left-most of several");

	/* Two headers are one list, in the order received. */
	CHECK_STR(client(T, "127.0.0.1", "203.0.113.9", "198.51.100.7", &from),
	    "198.51.100.7", "the last header's last entry first");
	CHECK_STR(client(T, "127.0.0.1", "203.0.113.9", "::1", &from),
	    "203.0.113.9", "the walk goes on into the earlier header");

	/* Entry forms. */
	CHECK_STR(client(T, "127.0.0.1", " 203.0.113.9:5555 ", NULL, &from),
	    "203.0.113.9", "IPv4 with a port, spaces");
	CHECK_STR(client(T, "::1", "[2001:db8::7]:443", NULL, &from),
	    "2001:db8::7", "IPv6 in brackets with a port");
	CHECK_STR(client(T, "::1", "[2001:db8::7]", NULL, &from),
	    "2001:db8::7", "IPv6 in brackets");
	CHECK_STR(client(T, "::1", "2001:db8::7", NULL, &from),
	    "2001:db8::7", "bare IPv6");
	CHECK_STR(client(T, "127.0.0.1", "::ffff:203.0.113.9", NULL, &from),
	    "203.0.113.9", "mapped entries are IPv4");
	CHECK_STR(client(T, "::ffff:127.0.0.1", "203.0.113.9", NULL, &from),
	    "203.0.113.9", "a mapped peer is trusted as IPv4");
}

static void
test_forwarded_hostile(void)
{
	const char	*T = "127.0.0.1/32 ::1";
	char		 big[8192];
	size_t		 i;
	int		 from;

	CHECK_STR(client(T, "127.0.0.1", "unknown", NULL, &from), "127.0.0.1",
	    "not an address: the last trusted hop");
	CHECK(from == 0, "nothing believed");
	CHECK_STR(client(T, "127.0.0.1", "garbage, 127.0.0.1", NULL, &from),
	    "127.0.0.1", "garbage left of a trusted hop stops there");
	CHECK(from == 1, "the hop came from the header");
	CHECK_STR(client(T, "127.0.0.1", "", NULL, &from), "127.0.0.1",
	    "an empty header");
	CHECK_STR(client(T, "127.0.0.1", ",", NULL, &from), "127.0.0.1",
	    "a comma");
	CHECK_STR(client(T, "127.0.0.1", "203.0.113.9,", NULL, &from),
	    "127.0.0.1", "an empty right-most entry stops at once");
	CHECK_STR(client(T, "127.0.0.1", "1.2.3.4:99999", NULL, &from),
	    "127.0.0.1", "a port over 65535");
	CHECK_STR(client(T, "127.0.0.1", "1.2.3.4:", NULL, &from),
	    "127.0.0.1", "an empty port");
	CHECK_STR(client(T, "127.0.0.1", "[::1", NULL, &from), "127.0.0.1",
	    "an open bracket");
	CHECK_STR(client(T, "127.0.0.1", "[::1]x", NULL, &from), "127.0.0.1",
	    "junk after the bracket");
	CHECK_STR(client(T, "127.0.0.1", "[1.2.3.4]:80", NULL, &from),
	    "1.2.3.4", "IPv4 in brackets is still an address");
	CHECK_STR(client(T, "127.0.0.1", "2001:db8::1:80", NULL, &from),
	    "2001:db8::1:80", "several colons are IPv6, not a port");
	CHECK_STR(client(T, "127.0.0.1", "for=192.0.2.60", NULL, &from),
	    "127.0.0.1", "Forwarded syntax is not X-Forwarded-For");

	/* 8 KiB of trusted entries: linear, ends at the left-most. */
	big[0] = '\0';
	for (i = 0; strlen(big) + 12 < sizeof(big); i++)
		(void)strcat(big, i ? ", 127.0.0.1" : "127.0.0.9");
	CHECK_STR(client("127.0.0.0/8", "127.0.0.1", big, NULL, &from),
	    "127.0.0.9", "a long header of trusted hops");
	memset(big, ',', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_STR(client(T, "127.0.0.1", big, NULL, &from), "127.0.0.1",
	    "8 KiB of commas");
}

int
main(void)
{
	test_parse();
	test_format();
	test_loopback();
	test_cidr();
	test_set();
	test_forwarded();
	test_forwarded_hostile();
	UNIT_DONE("test_netaddr");
}

/*
 * proxy.c: who the client is when the site sits behind reverse proxies,
 * and who may read /metrics.
 *
 * Kore binds 127.0.0.1, so in production every connection comes from a
 * proxy on the same machine.  From the proxies named in
 * MAKERSPACE_TRUSTED_PROXIES the client is read from X-Forwarded-For
 * (the right-most entry that is not a trusted proxy, app/netaddr.c);
 * from anyone else the header is ignored.  Every per-address rule (sign-up
 * and login limits, the address recorded with a session) asks
 * rq_client_ip() in app/rq.c, which asks proxy_client_addr() here.
 *
 * The state is set once in the parent (proxy_configure, from init.c)
 * and inherited by the workers; nothing here allocates per request.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include <sodium.h>

#include "app.h"
#include "netaddr.h"

/* At most this many X-Forwarded-For headers are read (the last ones). */
#define PROXY_MAX_XFF		16
#define PROXY_TOKEN_MIN		16
#define PROXY_TOKEN_MAX		256

static struct netaddr_set	proxy_trusted;
static unsigned char		proxy_token_hash[crypto_hash_sha256_BYTES];
static int			proxy_token_set;

static int	proxy_peer(struct http_request *, struct netaddr *);
static int	proxy_token_chars_ok(const char *);

/*
 * trusted: the list of addresses and networks (NULL or "": nobody);
 * token: the /metrics bearer token (NULL or "": none).  Stops the start
 * with a message when either is malformed.
 */
void
proxy_configure(const char *trusted, const char *token)
{
	char	err[160];

	if (netaddr_set_parse(&proxy_trusted, trusted != NULL ? trusted : "",
	    err, sizeof(err)) == -1)
		fatal("MAKERSPACE_TRUSTED_PROXIES: %s", err);

	proxy_token_set = 0;
	if (token == NULL || *token == '\0')
		return;
	if (strlen(token) < PROXY_TOKEN_MIN ||
	    strlen(token) > PROXY_TOKEN_MAX || !proxy_token_chars_ok(token))
		fatal("MAKERSPACE_METRICS_TOKEN: %d to %d characters of "
		    "A-Z a-z 0-9 - . _ ~ + / =", PROXY_TOKEN_MIN,
		    PROXY_TOKEN_MAX);
	crypto_hash_sha256(proxy_token_hash, (const unsigned char *)token,
	    strlen(token));
	proxy_token_set = 1;
}

/* RFC 6750's token68: what fits in "Authorization: Bearer ...". */
static int
proxy_token_chars_ok(const char *t)
{
	for (; *t != '\0'; t++) {
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		    (*t >= '0' && *t <= '9') || strchr("-._~+/=", *t) != NULL))
			return (0);
	}
	return (1);
}

/* The connection's own address: 0, or -1 for a unix socket. */
static int
proxy_peer(struct http_request *req, struct netaddr *out)
{
	struct connection	*c = req->owner;

	if (c->family == AF_INET) {
		netaddr_from_bytes(out, NETADDR_V4, &c->addr.ipv4.sin_addr);
		return (0);
	}
	if (c->family == AF_INET6) {
		netaddr_from_bytes(out, NETADDR_V6, &c->addr.ipv6.sin6_addr);
		return (0);
	}
	return (-1);
}

/*
 * The client's address into out.  Returns 1 when it was read from
 * X-Forwarded-For (the peer is a trusted proxy), 0 when it is the peer,
 * -1 when there is no address (a unix socket; out is zeroed).
 */
int
proxy_client_addr(struct http_request *req, struct netaddr *out)
{
	struct http_header	*h;
	struct netaddr		 peer;
	const char		*v[PROXY_MAX_XFF];
	size_t			 n;

	memset(out, 0, sizeof(*out));
	if (proxy_peer(req, &peer) == -1)
		return (-1);
	*out = peer;
	if (proxy_trusted.n == 0 || !netaddr_set_has(&proxy_trusted, &peer))
		return (0);

	/* All X-Forwarded-For headers form one list; keep the last ones. */
	n = 0;
	TAILQ_FOREACH(h, &req->req_headers, list) {
		if (strcasecmp(h->header, "x-forwarded-for"))
			continue;
		if (n == PROXY_MAX_XFF) {
			memmove(v, v + 1, sizeof(v[0]) * (n - 1));
			n--;
		}
		v[n++] = h->value;
	}
	return (netaddr_forwarded_client(&proxy_trusted, &peer, v, n, out));
}

/*
 * Whether the request is from this machine and not relayed: a loopback
 * (or unix socket) peer and no forwarding header at all.  A proxy on the
 * same host always adds X-Forwarded-For (README.md, "Deployment"), so
 * requests through it are never local here, whatever the trusted list
 * says; a local client that sends the header itself only loses access.
 */
int
proxy_request_is_local(struct http_request *req)
{
	struct netaddr	 peer;
	const char	*v;

	if (http_request_header(req, "x-forwarded-for", &v) ||
	    http_request_header(req, "forwarded", &v) ||
	    http_request_header(req, "x-real-ip", &v))
		return (0);
	if (proxy_peer(req, &peer) == -1)
		return (((struct connection *)req->owner)->family == AF_UNIX);
	return (netaddr_is_loopback(&peer));
}

/*
 * Whether the request carries "Authorization: Bearer <the metrics
 * token>".  Compared as SHA-256 digests in constant time, so neither the
 * token's bytes nor its length leak through timing.
 */
int
proxy_metrics_token_ok(struct http_request *req)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	const char	*auth;

	if (!proxy_token_set ||
	    !http_request_header(req, "authorization", &auth) ||
	    strncasecmp(auth, "bearer ", 7))
		return (0);
	auth += 7;
	crypto_hash_sha256(h, (const unsigned char *)auth, strlen(auth));
	return (sodium_memcmp(h, proxy_token_hash, sizeof(h)) == 0);
}

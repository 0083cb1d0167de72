/*
 * conn.c: how much one connection may read per turn of the event loop.
 *
 * Kore reads a readable socket until the read would block, and hashes and
 * spools each 8 KiB of a request body as it comes (net_recv_flush(),
 * http_body_recv()).  A 7 MB photo sent over loopback or a LAN, or by a
 * proxy on the same host, never lets the read block: the sender refills
 * the socket as fast as the worker drains it.  So one upload held its
 * worker's event loop for 30-70 ms (perf: recv, SHA-256, write to the
 * spool file), and every other connection of that worker waited: the
 * project page's p99 went from 7 to 30-60 ms at 4 uploads a second.
 *
 * Here each connection gets READ_BUDGET bytes per event.  When it is
 * spent the read reports "would block" and the socket is re-armed, which
 * makes epoll report it again on the next turn, after the other
 * connections had theirs.  A request line and headers never come near the
 * budget.  conf/kore.conf.in names conn_accepted on the bind line.
 */
#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"

#define READ_BUDGET	(128 * 1024)

void	conn_accepted(struct connection *);

static void	conn_event(void *, int);
static int	conn_read(struct connection *, size_t *);

/*
 * Bytes left this turn, per descriptor (worker_rlimit_nofiles bounds
 * them; a descriptor beyond the table reads without a budget).
 */
#define BUDGET_FDS	8192
static u_int32_t	budget[BUDGET_FDS];

/*
 * Kore's listener callback: called for every accepted connection (after
 * the TLS handshake when there is one) instead of Kore's own HTTP set-up,
 * which is therefore repeated here as kore_connection_accept() has it.
 */
void
conn_accepted(struct connection *c)
{
	if (c->fd >= 0 && c->fd < BUDGET_FDS) {
		budget[c->fd] = READ_BUDGET;
		c->evt.handle = conn_event;
		c->read = conn_read;
	}
	c->proto = CONN_PROTO_HTTP;
	if (http_keepalive_time != 0)
		c->idle_timer.length = http_keepalive_time * 1000;
	net_recv_queue(c, http_header_max, NETBUF_CALL_CB_ALWAYS,
	    http_header_recv);
}

/* An epoll event for c: a new budget, then Kore's own handling. */
static void
conn_event(void *arg, int error)
{
	struct connection	*c = arg;

	budget[c->fd] = READ_BUDGET;
	kore_connection_event(arg, error);
}

static int
conn_read(struct connection *c, size_t *bytes)
{
	int	r;

	if (budget[c->fd] == 0) {
		/* Come back next turn: re-arming reports pending data. */
		c->evt.flags &= ~KORE_EVENT_READ;
		kore_platform_event_all(c->fd, c);
		metrics_read_yield();
		*bytes = 0;
		return (KORE_RESULT_OK);
	}
	*bytes = 0;
	r = c->ssl != NULL ? net_read_tls(c, bytes) : net_read(c, bytes);
	if (r == KORE_RESULT_OK)
		budget[c->fd] -= *bytes < budget[c->fd] ?
		    (u_int32_t)*bytes : budget[c->fd];
	return (r);
}

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
 *
 * Writes go the other way: all that is queued, in one call (conn_write).
 *
 * And a WebSocket that does not read what it is sent is closed before
 * more of its input is read (CONN_WS_QUEUE_MAX): every message it sends
 * may queue an answer (a pong from Kore itself, a "subscribed" from
 * live.c), and a client that never reads would grow the worker without
 * bound.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"

#define READ_BUDGET	(128 * 1024)
#define CONN_IOV	16
/* Kore's memory per queued netbuf besides its buffer (kore_malloc). */
#define CONN_NB_OVERHEAD	(sizeof(struct netbuf) + 32)

void	conn_accepted(struct connection *);

static void	conn_event(void *, int);
static int	conn_read(struct connection *, size_t *);
static int	conn_write(struct connection *, size_t, size_t *);

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
	c->write = conn_write;
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

	if (c->proto == CONN_PROTO_WEBSOCKET &&
	    conn_queued(c, CONN_WS_QUEUE_MAX) > CONN_WS_QUEUE_MAX) {
		metrics_add(METRIC_WS_OVERFLOWS, 1);
		return (KORE_RESULT_ERROR);	/* Kore disconnects it */
	}
	if (budget[c->fd] == 0) {
		/* Come back next turn: re-arming reports pending data. */
		c->evt.flags &= ~KORE_EVENT_READ;
		kore_platform_event_all(c->fd, c);
		metrics_add(METRIC_READ_YIELDS, 1);
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

/*
 * Memory c's send queue holds: what is allocated for each netbuf's data
 * and the netbuf itself.  The count stops once it is past stop, so a
 * caller comparing with a cap walks at most that much of a long queue.
 */
size_t
conn_queued(struct connection *c, size_t stop)
{
	struct netbuf	*nb;
	size_t		 n;

	n = 0;
	TAILQ_FOREACH(nb, &c->send_queue, list) {
		n += nb->m_len + CONN_NB_OVERHEAD;
		if (n > stop)
			break;
	}
	return (n);
}

/*
 * Kore writes one netbuf at a time, at most 8 KiB a call: a response
 * header with a 20 KB thumbnail took three send()s.  Here one writev()
 * takes all that is queued (up to CONN_IOV netbufs); Kore accounts for
 * the netbuf it asked about, and the ones after it are advanced here, so
 * net_send() finds them sent and removes them.  Over TLS, and before a
 * file sent with sendfile, Kore's own way stands.
 */
static int
conn_write(struct connection *c, size_t len, size_t *written)
{
	struct iovec	 iov[CONN_IOV];
	struct netbuf	*nb;
	ssize_t		 r;
	size_t		 left, first, k;
	int		 n;

	if (c->ssl != NULL)
		return (net_write_tls(c, len, written));

	n = 0;
	for (nb = c->snb; nb != NULL && n < CONN_IOV;
	    nb = TAILQ_NEXT(nb, list)) {
		if (nb != c->snb && (nb->flags & NETBUF_IS_FILEREF))
			break;
		if (nb->b_len == nb->s_off)
			continue;
		iov[n].iov_base = nb->buf + nb->s_off;
		iov[n].iov_len = nb->b_len - nb->s_off;
		n++;
	}
	*written = 0;
	if (n == 0)
		return (KORE_RESULT_OK);

	if ((r = writev(c->fd, iov, n)) == -1) {
		switch (errno) {
		case EINTR:
			return (KORE_RESULT_OK);
		case EAGAIN:
			c->evt.flags &= ~KORE_EVENT_WRITE;
			return (KORE_RESULT_OK);
		default:
			return (KORE_RESULT_ERROR);
		}
	}

	first = c->snb->b_len - c->snb->s_off;
	*written = (size_t)r < first ? (size_t)r : first;
	left = (size_t)r - *written;
	for (nb = TAILQ_NEXT(c->snb, list); left > 0 && nb != NULL;
	    nb = TAILQ_NEXT(nb, list)) {
		k = nb->b_len - nb->s_off;
		k = left < k ? left : k;
		nb->s_off += k;
		left -= k;
	}
	return (KORE_RESULT_OK);
}

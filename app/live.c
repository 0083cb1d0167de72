/*
 * live.c: GET /live, the WebSocket for live updates (docs/architecture.md).
 *
 * The database says what happened: board_notify() (0005_board.sql)
 * sends on channel "board" a JSON payload with ids only,
 *
 *	{"type": "topic"|"post"|"edit", "topic_id", "post_id",
 *	 "category_id", "staff_only"}
 *
 * when a post or topic becomes public (at once, or when staff approve
 * it) and when a post is edited.  Each worker keeps ONE libpq connection
 * of its own (not from Kore's pool, which would hand it to a request)
 * that LISTENs on "board"; its socket sits in Kore's event loop like any
 * connection, and a drop is retried from a timer with back-off.  Every
 * worker forwards what it hears to its own sockets only, so a client
 * gets each event exactly once whichever worker holds it.
 *
 * The protocol (docs/api.md#get-live):
 *
 *	client	{"subscribe": "topic:ID"}	{"subscribe": "board"}
 *		{"unsubscribe": same}		{"ping": anything}
 *	server	{"type": "post"|"topic"|"edit", "topic_id", "post_id"}
 *		{"type": "subscribed", "target"}	{"type": "pong"}
 *		{"type": "error", "code"}
 *
 * "subscribed" is sent when the subscription is in force AND this
 * worker's LISTEN connection is up, and again for every subscription
 * each time that connection comes back after a drop.  Events committed
 * before it may have been missed, events after it will arrive: so a
 * client fetches what it missed over HTTP when it gets "subscribed"
 * (GET /t/ID?cursor=<last number>), and the server never replays.
 *
 * Who sees what: the socket's user is resolved once, at the handshake,
 * from the session cookie (or a bearer token) by the guard; events of
 * staff-only categories go to staff and admins only.  Everything else a
 * client learns is ids; the posts themselves are fetched over HTTP,
 * where permissions are checked as always.
 *
 * Memory: a struct live_sock per WebSocket, hung on c->hdlr_extra by
 * live_ws_connect() and freed by live_ws_disconnect() (Kore calls it
 * for every way a WebSocket ends).  Subscriptions live inside it and are
 * linked into a hash of topic ids, so an event costs its subscribers,
 * not every open socket.  What a socket has queued in Kore is capped
 * (CONN_WS_QUEUE_MAX, app.h): a client that does not read what it is
 * sent (subscribing, pinging, or just being slow while events flow) is
 * closed instead of growing the worker; it reconnects and catches up
 * over HTTP like after any drop.  live_write() stops sending to it and
 * live_reap() closes it once the loop that was sending is done.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/epoll.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "app.h"
#include "text.h"

#define LIVE_CHANNEL_SQL	"LISTEN board"
#define LIVE_MAX_SUBS		20	/* subscriptions per socket */
#define LIVE_MAX_ERRORS		10	/* bad messages before we close */
#define LIVE_BUCKETS		1024	/* hash of topic ids (power of 2) */
#define LIVE_BOARD		0	/* the "board" target's key */
#define LIVE_PING_MS		30000	/* WebSocket pings keep sockets
					   alive past websocket_timeout */
#define LIVE_RETRY_MIN_MS	500
#define LIVE_RETRY_MAX_MS	30000
#define LIVE_CONNECT_MS		20000	/* connect + LISTEN, at most */
#define LIVE_MSG_MAX		160

/* The LISTEN connection's states. */
#define LIVE_DOWN		0	/* none; a retry timer is set */
#define LIVE_CONNECTING		1	/* PQconnectPoll in progress */
#define LIVE_LISTENING		2	/* LISTEN sent, no answer yet */
#define LIVE_UP			3	/* notifications flow */

struct live_sock;

struct live_sub {
	int64_t			 topic;		/* LIVE_BOARD or a topic id */
	struct live_sock	*sock;
	LIST_ENTRY(live_sub)	 link;		/* in its hash bucket */
};
LIST_HEAD(live_sub_head, live_sub);

struct live_sock {
	struct connection	*c;
	int			 staff;		/* may see staff-only events */
	int			 errors;	/* bad messages so far */
	u_int64_t		 seen;		/* last event sent: a socket
						   on both the board and the
						   topic gets it once */
	int			 nsubs;
	struct live_sub		 subs[LIVE_MAX_SUBS];
	int			 closing;	/* LIVE_CLOSE_* */
	TAILQ_ENTRY(live_sock)	 link;
	TAILQ_ENTRY(live_sock)	 close_link;	/* in live_closing */
};

/* struct live_sock closing */
#define LIVE_OPEN		0
#define LIVE_CLOSE_LISTED	1	/* over the cap, in live_closing */
#define LIVE_CLOSE_NOW		2	/* live_reap() is closing it */

struct live_listener {
	struct kore_event	 evt;		/* first: Kore's event loop
						   calls evt.handle(this) */
	PGconn			*db;
	int			 fd;		/* registered with epoll */
	int			 state;
	u_int64_t		 since;		/* connecting began (ms) */
	u_int64_t		 retry_ms;	/* next back-off */
};

int	page_live(struct http_request *);
void	live_ws_connect(struct connection *);
void	live_ws_message(struct connection *, u_int8_t, const void *,
	    size_t);
void	live_ws_disconnect(struct connection *);

static int	live_prepare(struct rq *);
static int	live_respond(struct rq *);
static int	live_is_upgrade(struct http_request *);
static void	live_start(void);
static void	live_connect(void);
static void	live_wait(int);
static void	live_handle(void *, int);
static void	live_handle_connect(void);
static void	live_handle_input(void);
static void	live_drop(const char *);
static void	live_notice(void *, const char *);
static void	live_log(const char *, const char *);
static void	live_retry(void *, u_int64_t);
static void	live_ping(void *, u_int64_t);
static void	live_event(const char *);
static void	live_deliver(int64_t, u_int64_t, int, const char *, size_t);
static void	live_send(struct live_sock *, const char *);
static void	live_write(struct live_sock *, u_int8_t, const void *,
		    size_t);
static void	live_reap(void);
static void	live_ack(struct live_sock *, int64_t);
static void	live_ack_all(void);
static void	live_error(struct live_sock *, const char *);
static int	live_target(json_t *, int64_t *);
static void	live_subscribe(struct live_sock *, json_t *);
static void	live_unsubscribe(struct live_sock *, json_t *);
static void	live_sub_remove(struct live_sock *, int);
static struct live_sub_head	*live_bucket(int64_t);

static const struct page live_page = {
	.name = "live", .access = ACCESS_ANYONE,
	.flags = PAGE_SESSION | PAGE_NO_STMT,
	.prepare = live_prepare, .respond = live_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const live_pages[] = {
	&live_page, NULL
};

static struct live_sub_head		 live_hash[LIVE_BUCKETS];
static TAILQ_HEAD(, live_sock)		 live_socks =
    TAILQ_HEAD_INITIALIZER(live_socks);
static TAILQ_HEAD(, live_sock)		 live_closing =
    TAILQ_HEAD_INITIALIZER(live_closing);
static struct live_listener		 live_l;
static int				 live_started;
static u_int64_t			 live_seq;

/*
 * Set by live_respond() just before kore_websocket_handshake(), which
 * calls live_ws_connect() at once: who the new socket belongs to.
 */
static int				 live_handoff_staff;

int
page_live(struct http_request *req)
{
	return (rq_run(req, &live_page));
}

/* A WebSocket upgrade this server can accept, or a 400. */
static int
live_prepare(struct rq *rq)
{
	if (rq->req->method != HTTP_METHOD_GET || !live_is_upgrade(rq->req)) {
		reply_error(rq, 400, "websocket_required",
		    "live.websocket_required");
		return (RQ_DONE);
	}
	live_start();
	return (RQ_NEXT);
}

/*
 * Upgrade: websocket, a key and version 13: with these checked here,
 * kore_websocket_handshake() cannot fail half-way.
 */
static int
live_is_upgrade(struct http_request *req)
{
	const char	*v;

	if (!http_request_header(req, "upgrade", &v) ||
	    strcasecmp(v, "websocket"))
		return (0);
	if (!http_request_header(req, "sec-websocket-key", &v) || *v == '\0')
		return (0);
	if (!http_request_header(req, "sec-websocket-version", &v) ||
	    strcmp(v, "13"))
		return (0);
	/*
	 * A connection marked to close once its queue is empty would be
	 * closed by any send, also inside the loops that send to many
	 * sockets: refuse it rather than make every loop safe from it.
	 */
	return (!(req->owner->flags & CONN_CLOSE_EMPTY));
}

/*
 * The guard has resolved the session.  A browser's handshake from
 * another origin (cross-site WebSocket hijacking) still connects, but
 * as anonymous: it never gets staff-only events.
 */
static int
live_respond(struct rq *rq)
{
	live_handoff_staff = rq->me.id != 0 && rq->me.staff &&
	    guard_origin_ok(rq->req);
	reply_security_headers(rq->req);
	kore_websocket_handshake(rq->req, "live_ws_connect",
	    "live_ws_message", "live_ws_disconnect");
	rq->status = 101;
	metrics_record(rq->req, 101, rq->t0_us);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* WebSockets.                                                         */

void
live_ws_connect(struct connection *c)
{
	struct live_sock	*s;

	s = kore_calloc(1, sizeof(*s));
	s->c = c;
	s->staff = live_handoff_staff;
	s->seen = live_seq;
	live_handoff_staff = 0;
	c->hdlr_extra = s;
	TAILQ_INSERT_TAIL(&live_socks, s, link);
	metrics_add(METRIC_WS_OPEN, 1);
}

void
live_ws_disconnect(struct connection *c)
{
	struct live_sock	*s;

	if ((s = c->hdlr_extra) == NULL)
		return;
	while (s->nsubs > 0)
		live_sub_remove(s, s->nsubs - 1);
	if (s->closing == LIVE_CLOSE_LISTED)
		TAILQ_REMOVE(&live_closing, s, close_link);
	TAILQ_REMOVE(&live_socks, s, link);
	kore_free(s);
	c->hdlr_extra = NULL;
	metrics_add(METRIC_WS_OPEN, -1);
}

/*
 * One message from a client.  Anything malformed (binary, not JSON, not
 * an object, wrong types, unknown targets) is answered with an error;
 * a client that keeps sending them is closed.  Frames larger than
 * websocket_maxframe never get here: Kore closes the connection.
 */
void
live_ws_message(struct connection *c, u_int8_t op, const void *data,
    size_t len)
{
	struct live_sock	*s;
	json_t			*msg, *v;

	if ((s = c->hdlr_extra) == NULL)
		return;
	msg = NULL;
	if (op != WEBSOCKET_OP_TEXT ||
	    (msg = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL || !json_is_object(msg)) {
		live_error(s, "bad_message");
		goto out;
	}
	if ((v = json_object_get(msg, "subscribe")) != NULL)
		live_subscribe(s, v);
	else if ((v = json_object_get(msg, "unsubscribe")) != NULL)
		live_unsubscribe(s, v);
	else if (json_object_get(msg, "ping") != NULL)
		live_send(s, "{\"type\":\"pong\"}");
	else
		live_error(s, "bad_message");
out:
	json_decref(msg);
	live_reap();
}

/* "board" -> LIVE_BOARD, "topic:ID" -> ID; 0 for anything else. */
static int
live_target(json_t *v, int64_t *out)
{
	const char	*s, *p;
	int64_t		 id;

	if ((s = json_string_value(v)) == NULL)
		return (0);
	if (!strcmp(s, "board")) {
		*out = LIVE_BOARD;
		return (1);
	}
	if (strncmp(s, "topic:", 6))
		return (0);
	s += 6;
	/* At most 18 digits: no overflow, and the routes' own limit. */
	id = 0;
	for (p = s; *p >= '0' && *p <= '9' && p - s < 18; p++)
		id = id * 10 + (*p - '0');
	if (p == s || *p != '\0' || id <= 0)
		return (0);
	*out = id;
	return (1);
}

static void
live_subscribe(struct live_sock *s, json_t *v)
{
	struct live_sub	*sub;
	int64_t		 topic;
	int		 i;

	if (!live_target(v, &topic)) {
		live_error(s, "bad_target");
		return;
	}
	for (i = 0; i < s->nsubs; i++) {
		if (s->subs[i].topic == topic) {
			/* Again: acknowledged again (a client may resync). */
			live_ack(s, topic);
			return;
		}
	}
	if (s->nsubs == LIVE_MAX_SUBS) {
		live_error(s, "too_many_subscriptions");
		return;
	}
	sub = &s->subs[s->nsubs++];
	sub->topic = topic;
	sub->sock = s;
	LIST_INSERT_HEAD(live_bucket(topic), sub, link);
	live_ack(s, topic);
}

static void
live_unsubscribe(struct live_sock *s, json_t *v)
{
	int64_t		 topic;
	int		 i;

	if (!live_target(v, &topic)) {
		live_error(s, "bad_target");
		return;
	}
	for (i = 0; i < s->nsubs; i++) {
		if (s->subs[i].topic == topic) {
			live_sub_remove(s, i);
			return;
		}
	}
}

/*
 * Take subs[i] out of its bucket; the last one moves into its place
 * (and so into the bucket again, at its new address).
 */
static void
live_sub_remove(struct live_sock *s, int i)
{
	struct live_sub	*last;

	LIST_REMOVE(&s->subs[i], link);
	s->nsubs--;
	if (i == s->nsubs)
		return;
	last = &s->subs[s->nsubs];
	LIST_REMOVE(last, link);
	s->subs[i] = *last;
	LIST_INSERT_HEAD(live_bucket(s->subs[i].topic), &s->subs[i], link);
}

static struct live_sub_head *
live_bucket(int64_t topic)
{
	u_int64_t	h;

	h = (u_int64_t)topic * 0x9e3779b97f4a7c15ULL;
	return (&live_hash[(h >> 32) & (LIVE_BUCKETS - 1)]);
}

static void
live_send(struct live_sock *s, const char *msg)
{
	live_write(s, WEBSOCKET_OP_TEXT, msg, strlen(msg));
}

/* Every frame to a socket goes through here (see the top). */
static void
live_write(struct live_sock *s, u_int8_t op, const void *msg, size_t len)
{
	if (s->closing != LIVE_OPEN)
		return;
	kore_websocket_send(s->c, op, msg, len);
	if (conn_queued(s->c, CONN_WS_QUEUE_MAX) > CONN_WS_QUEUE_MAX) {
		s->closing = LIVE_CLOSE_LISTED;
		TAILQ_INSERT_TAIL(&live_closing, s, close_link);
	}
}

/*
 * Close the sockets live_write() found over the cap.  Not inside the
 * loops that send: closing frees the socket and its subscriptions,
 * which those loops may be walking.  live_ws_disconnect() frees s.
 */
static void
live_reap(void)
{
	struct live_sock	*s;

	while ((s = TAILQ_FIRST(&live_closing)) != NULL) {
		TAILQ_REMOVE(&live_closing, s, close_link);
		s->closing = LIVE_CLOSE_NOW;
		metrics_add(METRIC_WS_OVERFLOWS, 1);
		kore_connection_disconnect(s->c);
	}
}

/* Only once this worker listens: see "subscribed" at the top. */
static void
live_ack(struct live_sock *s, int64_t topic)
{
	char	msg[LIVE_MSG_MAX];

	if (live_l.state != LIVE_UP)
		return;
	if (topic == LIVE_BOARD)
		(void)snprintf(msg, sizeof(msg),
		    "{\"type\":\"subscribed\",\"target\":\"board\"}");
	else
		(void)snprintf(msg, sizeof(msg), "{\"type\":\"subscribed\","
		    "\"target\":\"topic:%" PRId64 "\"}", topic);
	live_send(s, msg);
}

static void
live_ack_all(void)
{
	struct live_sock	*s;
	int			 i;

	TAILQ_FOREACH(s, &live_socks, link) {
		for (i = 0; i < s->nsubs; i++)
			live_ack(s, s->subs[i].topic);
	}
}

/* code is one of ours (no escaping needed). */
static void
live_error(struct live_sock *s, const char *code)
{
	char	msg[LIVE_MSG_MAX];

	if (++s->errors > LIVE_MAX_ERRORS) {
		kore_connection_disconnect(s->c);
		return;
	}
	(void)snprintf(msg, sizeof(msg), "{\"type\":\"error\",\"code\":\"%s\"}",
	    code);
	live_send(s, msg);
}

/* ------------------------------------------------------------------ */
/* Events: from the LISTEN connection to the subscribed sockets.       */

/*
 * One NOTIFY payload.  The message sent is built from the parsed ids,
 * never copied from the payload.  A payload with "public": false (not
 * sent by 0005, room for a later migration) is treated as staff-only.
 */
static void
live_event(const char *payload)
{
	json_t		*o;
	const char	*type;
	char		 msg[LIVE_MSG_MAX];
	int64_t		 topic, post;
	int		 n, staff_only;

	if ((o = json_loads(payload, 0, NULL)) == NULL) {
		kore_log(LOG_ERR, "live: bad payload");
		return;
	}
	type = json_string_value(json_object_get(o, "type"));
	topic = json_integer_value(json_object_get(o, "topic_id"));
	post = json_integer_value(json_object_get(o, "post_id"));
	staff_only = !json_is_false(json_object_get(o, "staff_only")) ||
	    json_is_false(json_object_get(o, "public"));
	if (type == NULL || topic <= 0 || (strcmp(type, "post") &&
	    strcmp(type, "topic") && strcmp(type, "edit"))) {
		kore_log(LOG_ERR, "live: unexpected payload");
		goto out;
	}
	n = snprintf(msg, sizeof(msg), "{\"type\":\"%s\",\"topic_id\":%"
	    PRId64 ",\"post_id\":%" PRId64 "}", type, topic, post);
	if (n < 0 || (size_t)n >= sizeof(msg))
		goto out;

	live_seq++;
	live_deliver(topic, live_seq, staff_only, msg, (size_t)n);
	if (!strcmp(type, "topic"))
		live_deliver(LIVE_BOARD, live_seq, staff_only, msg, (size_t)n);
	live_reap();
out:
	json_decref(o);
}

static void
live_deliver(int64_t topic, u_int64_t seq, int staff_only, const char *msg,
    size_t len)
{
	struct live_sub	*sub;
	struct live_sock *s;

	LIST_FOREACH(sub, live_bucket(topic), link) {
		s = sub->sock;
		if (sub->topic != topic || s->seen == seq ||
		    (staff_only && !s->staff))
			continue;
		s->seen = seq;
		live_write(s, WEBSOCKET_OP_TEXT, msg, len);
	}
}

/* ------------------------------------------------------------------ */
/* The LISTEN connection.                                              */

/* On the first /live request of this worker: nobody listens before. */
static void
live_start(void)
{
	int	i;

	if (live_started)
		return;
	live_started = 1;
	for (i = 0; i < LIVE_BUCKETS; i++)
		LIST_INIT(&live_hash[i]);
	live_l.evt.type = KORE_TYPE_PGSQL_CONN;
	live_l.evt.handle = live_handle;
	live_l.fd = -1;
	live_l.retry_ms = LIVE_RETRY_MIN_MS;
	(void)kore_timer_add(live_ping, LIVE_PING_MS, NULL, 0);
	live_connect();
}

/*
 * Start a non-blocking connect.  Keepalives notice a database that
 * vanished without closing the socket (over TCP; a unix socket closes).
 * libpq resolves a host name before it returns, blocking this worker
 * for that long: production should name the database by address or
 * unix socket, as the pool's connections want anyway.
 */
static void
live_connect(void)
{
	static const char *const kw[] = { "dbname", "application_name",
	    "keepalives_idle", "keepalives_interval", "keepalives_count",
	    NULL };
	const char	*val[6];

	val[0] = app_config.database_url;
	val[1] = "makerspace-live";
	val[2] = "30";
	val[3] = "10";
	val[4] = "3";
	val[5] = NULL;

	/* expand_dbname: DATABASE_URL may be a URI or key=value pairs. */
	live_l.db = PQconnectStartParams(kw, val, 1);
	if (live_l.db == NULL || PQstatus(live_l.db) == CONNECTION_BAD) {
		live_drop("cannot start a connection");
		return;
	}
	PQsetNoticeProcessor(live_l.db, live_notice, NULL);
	live_l.state = LIVE_CONNECTING;
	live_l.since = kore_time_ms();
	live_wait(EPOLLOUT);	/* as if PQconnectPoll said WRITING */
}

/*
 * Wait for the socket to be readable or writable (level-triggered).
 * libpq may change sockets while connecting (several addresses); a
 * closed descriptor leaves epoll by itself.
 */
static void
live_wait(int what)
{
	int	fd;

	if ((fd = PQsocket(live_l.db)) < 0) {
		live_drop("no socket");
		return;
	}
	live_l.fd = fd;
	kore_platform_event_schedule(fd, what | EPOLLRDHUP, 0, &live_l);
}

static void
live_handle(void *arg, int error)
{
	switch (live_l.state) {
	case LIVE_CONNECTING:
		live_handle_connect();
		break;
	case LIVE_LISTENING:
	case LIVE_UP:
		live_handle_input();
		break;
	default:
		break;
	}
}

static void
live_handle_connect(void)
{
	switch (PQconnectPoll(live_l.db)) {
	case PGRES_POLLING_READING:
		live_wait(EPOLLIN);
		return;
	case PGRES_POLLING_WRITING:
		live_wait(EPOLLOUT);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		live_drop(PQerrorMessage(live_l.db));
		return;
	}

	/* A dozen bytes: sent at once on a fresh connection. */
	if (PQsetnonblocking(live_l.db, 1) == -1 ||
	    !PQsendQuery(live_l.db, LIVE_CHANNEL_SQL) ||
	    PQflush(live_l.db) != 0) {
		live_drop(PQerrorMessage(live_l.db));
		return;
	}
	live_l.state = LIVE_LISTENING;
	live_wait(EPOLLIN);
}

/* Results (LISTEN's) and notifications; a closed connection fails here. */
static void
live_handle_input(void)
{
	PGresult	*res;
	PGnotify	*n;
	int		 ok;

	if (!PQconsumeInput(live_l.db)) {
		live_drop(PQerrorMessage(live_l.db));
		return;
	}
	while (!PQisBusy(live_l.db) && (res = PQgetResult(live_l.db)) !=
	    NULL) {
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (!ok) {
			live_drop(PQerrorMessage(live_l.db));
			return;
		}
		if (live_l.state == LIVE_LISTENING) {
			live_l.state = LIVE_UP;
			live_l.retry_ms = LIVE_RETRY_MIN_MS;
			live_ack_all();
			live_reap();
		}
	}
	while ((n = PQnotifies(live_l.db)) != NULL) {
		if (live_l.state == LIVE_UP)
			live_event(n->extra);
		PQfreemem(n);
	}
}

/*
 * The connection failed or dropped: close it and try again later,
 * waiting twice as long each time (at most 30 s).  Sockets stay open;
 * their subscriptions are acknowledged again when it is back.
 */
static void
live_drop(const char *why)
{
	char	buf[64];

	(void)snprintf(buf, sizeof(buf), "retry in %" PRIu64 " ms",
	    live_l.retry_ms);
	live_log(why, buf);
	if (live_l.db != NULL)
		PQfinish(live_l.db);	/* closes fd: it leaves epoll */
	live_l.db = NULL;
	live_l.fd = -1;
	live_l.state = LIVE_DOWN;
	(void)kore_timer_add(live_retry, live_l.retry_ms, NULL,
	    KORE_TIMER_ONESHOT);
	live_l.retry_ms *= 2;
	if (live_l.retry_ms > LIVE_RETRY_MAX_MS)
		live_l.retry_ms = LIVE_RETRY_MAX_MS;
}

/* libpq's notices (a terminated backend says why) go to Kore's log. */
static void
live_notice(void *arg, const char *msg)
{
	live_log(msg, NULL);
}

/* One log line: libpq's messages end with (and may hold) line breaks. */
static void
live_log(const char *what, const char *then)
{
	char	buf[256];
	size_t	i;

	(void)text_copy_utf8(buf, sizeof(buf), what);
	for (i = 0; buf[i] != '\0'; i++) {
		if (buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
	}
	while (i > 0 && buf[i - 1] == ' ')
		buf[--i] = '\0';
	kore_log(LOG_NOTICE, "live: LISTEN connection: %s%s%s", buf,
	    then != NULL ? "; " : "", then != NULL ? then : "");
}

static void
live_retry(void *arg, u_int64_t now)
{
	if (live_l.state == LIVE_DOWN)
		live_connect();
}

/*
 * Every 30 s.  Kore closes a WebSocket after websocket_timeout without
 * traffic; a ping makes every standard client answer with a pong, which
 * counts.  And PQconnectPoll has no timeout of its own: a database that
 * never answers would leave the connection half-open for ever.
 */
static void
live_ping(void *arg, u_int64_t now)
{
	struct live_sock	*s;

	if ((live_l.state == LIVE_CONNECTING ||
	    live_l.state == LIVE_LISTENING) &&
	    now - live_l.since > LIVE_CONNECT_MS)
		live_drop("no answer from the database");

	TAILQ_FOREACH(s, &live_socks, link)
		live_write(s, WEBSOCKET_OP_PING, NULL, 0);
	live_reap();
}

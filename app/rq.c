/*
 * rq.c: the one generic request runner (docs/architecture.md).
 *
 * A handler is one line, `return (rq_run(req, &some_page));`.  The
 * runner drives Kore's http_state_run through the same steps for every
 * page:
 *
 *	BEGIN	parse the query string, content negotiation, method
 *	BODY	before a POST's body is touched: its size against the
 *		page's limit (struct page body_max), the Origin, and a
 *		session cookie (or token) when the page needs a user
 *	GUARD	resolve the session with one prepared statement when the
 *		page needs it; only then is the body parsed (BODY_READ),
 *		and not at all when the page would refuse the visitor
 *	GUARD_CHECK
 *		role / verified / suspended / CSRF (the token may be a
 *		body field): guard.c gathers the facts, guard_rule.c
 *		decides, and a refusal is sent from here
 *	PREPARE	the page's C-only work (validation, Markdown, tasks)
 *	CONNECT/WAIT
 *		one prepared statement, asynchronously: the worker serves
 *		other connections while PostgreSQL works
 *	RESPOND	the JSON document as is, or through the page's template
 *
 * Ownership: struct rq lives in req->hdlr_extra and is freed by
 * rq_free() when Kore frees the request; everything it points to is its
 * own (parameters handed over with rq_param_own, the result copy, the
 * parsed forms).  A statement's kore_pgsql meets exactly one
 * kore_pgsql_cleanup on every path: in rq_db_finish when it completes,
 * or in rq_release (from rq_free) when the client went away first.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "i18n.h"
#include "jparse.h"
#include "netaddr.h"
#include "text.h"

struct rq_private;

enum {
	ST_BEGIN = 0,
	ST_BODY,
	ST_GUARD,
	ST_BODY_READ,
	ST_GUARD_CHECK,
	ST_PREPARE,
	ST_QUERY,
	ST_RESPOND,
	ST_CONNECT,
	ST_WAIT,
	ST_MAX
};

/* rq_body_job.result when the spool file could not be read. */
#define RQ_BODY_EREAD	(-100)

static int	st_begin(struct http_request *);
static int	st_body(struct http_request *);
static int	st_guard(struct http_request *);
static int	st_body_read(struct http_request *);
static int	st_guard_check(struct http_request *);
static int	st_prepare(struct http_request *);
static int	st_query(struct http_request *);
static int	st_respond(struct http_request *);
static int	st_connect(struct http_request *);
static int	st_wait(struct http_request *);

static struct rq	*rq_create(struct http_request *, const struct page *);
static void		 rq_free(struct http_request *);
static int		 rq_has_body(struct rq *);
static size_t		 rq_body_max(const struct page *);
static void		 rq_reply_too_large(struct rq *, size_t);
static int		 rq_read_body(struct rq *);
static int		 rq_body_parsed(struct rq *, int);
static int		 rq_form_safe(struct rq *, const struct form *);
static int		 rq_body_job_start(struct rq *);
static int		 rq_body_task(void *);
static int		 rq_method_ok(struct rq *);
static void		 rq_db_start(struct rq *, int, int);
static void		 rq_db_capture(struct rq *);
static void		 rq_db_finish(struct rq *);
static int		 rq_db_slot(struct rq_private *);
static void		 rq_db_release(struct rq_private *);
static void		 rq_db_wake(void);
static int		 rq_default_respond(struct rq *);
static int		 rq_reply_sql_error(struct rq *);
static int		 rq_reply_failed(struct rq *);
static void		 rq_reply_refused(struct rq *,
			    const struct guard_verdict *);
static void		 rq_suspended_extra(struct rq *);
static void		 rq_release(struct rq *);
static void		 rq_job_done(struct job *);

static struct http_state rq_states[] = {
	KORE_HTTP_STATE(st_begin),
	KORE_HTTP_STATE(st_body),
	KORE_HTTP_STATE(st_guard),
	KORE_HTTP_STATE(st_body_read),
	KORE_HTTP_STATE(st_guard_check),
	KORE_HTTP_STATE(st_prepare),
	KORE_HTTP_STATE(st_query),
	KORE_HTTP_STATE(st_respond),
	KORE_HTTP_STATE(st_connect),
	KORE_HTTP_STATE(st_wait),
};

/*
 * A body Kore spooled to disk (over http_body_disk_offload: a photo) is
 * read and parsed in the job thread: in one piece on the event loop, a
 * 7 MB upload cost it 3-4 ms of reading, searching and copying.  The job
 * has its own descriptor and content type, so it never touches the
 * request, which may be freed meanwhile (rq_free keeps rq).
 */
struct rq_body_job {
	int		 fd;		/* Kore's spool file, opened again */
	size_t		 len;
	char		*ctype;		/* malloc()ed, or NULL */
	struct form	*form;		/* &rq->body */
	int		 result;	/* form_parse_body(), or
					   RQ_BODY_EREAD */
};

struct rq_private {
	struct rq	rq;
	struct rq_body_job body_job;
	int		after_db;
	int		guard_stmt;
	int		has_slot;	/* holds one of the pool's places */
	int		waiting;	/* in db_waiters */
	union {
		max_align_t	align;
		char		bytes[RQ_EXTRA_MAX];
	} extra_space;			/* rq->extra (rq_extra_init) */
	TAILQ_ENTRY(rq_private)	wait_link;
};

/*
 * A fair queue in front of Kore's connection pool.  When the pool is
 * exhausted Kore queues requests, but a new request can take the
 * connection a woken one was about to get, so under load some requests
 * starve (measured: p99 of 180 ms against 6 ms).  Here a request gets a
 * place first come, first served; with places never exceeding
 * pgsql_conn_max, kore_pgsql_setup() always finds a free connection.
 */
static TAILQ_HEAD(, rq_private)	db_waiters =
    TAILQ_HEAD_INITIALIZER(db_waiters);
static u_int32_t		db_busy;

int
rq_run(struct http_request *req, const struct page *page)
{
	if (!http_state_exists(req))
		(void)rq_create(req, page);

	return (http_state_run(rq_states, ST_MAX, req));
}

static struct rq *
rq_create(struct http_request *req, const struct page *page)
{
	struct rq	*rq;

	rq = http_state_create(req, sizeof(struct rq_private), rq_free);
	rq->req = req;
	rq->page = page;
	rq->t0_us = metrics_now_us();
	rq->stmt = -1;
	rq->locale = I18N_DEFAULT;
	form_init(&rq->qs);
	form_init(&rq->body);
	req->fsm_state = ST_BEGIN;
	return (rq);
}

/*
 * The guard's refusal (app/guard_rule.h): browsers that are not logged
 * in go to the login page instead; the form of a refused login, sign-up
 * or reset comes back with a visitor token that works; a suspended user
 * is told until when and why.
 */
static void
rq_reply_refused(struct rq *rq, const struct guard_verdict *v)
{
	char	*url;

	switch (v->outcome) {
	case GUARD_LOGIN:
		if (!rq->json && rq->req->method == HTTP_METHOD_GET &&
		    asprintf(&url, "/login?next=%s", rq->req->path) != -1) {
			reply_redirect(rq, url);
			free(url);
			return;
		}
		break;
	case GUARD_PRE_CSRF:
		(void)guard_pre_csrf(rq);
		break;
	case GUARD_RATE_LIMITED:
		reply_rate_limited(rq, rq->me.retry_after);
		return;
	case GUARD_SUSPENDED:
		rq_suspended_extra(rq);
		break;
	default:
		break;
	}
	reply_error(rq, v->status, v->code, v->key);
}

/* 403 suspended: until when, and why, in the message and the JSON. */
static void
rq_suspended_extra(struct rq *rq)
{
	struct buf	 msg;
	const char	*tmpl;

	buf_init(&msg);
	if ((tmpl = render_text(rq->locale, "errors.suspended_until")) != NULL)
		text_subst(&msg, tmpl, "until", rq->me.suspended_until);
	if (rq->error_extra == NULL)
		rq->error_extra = json_object();
	json_object_set_new(rq->error_extra, "suspended_until",
	    json_string(rq->me.suspended_until));
	json_object_set_new(rq->error_extra, "reason",
	    json_string(rq->me.suspend_reason));
	if (msg.data != NULL)
		json_object_set_new(rq->error_extra, "message",
		    json_string(msg.data));
	buf_free(&msg);
}

/* Kore's onfree. */
static void
rq_free(struct http_request *req)
{
	struct rq	*rq;

	if ((rq = req->hdlr_extra) == NULL)
		return;
	req->onfree = NULL;
	if (rq->task_active && !rq->task_done) {
		/*
		 * The job thread still uses what rq owns (the client went
		 * away): take rq from Kore, and rq_job_done() frees it.
		 */
		rq->req = NULL;
		req->hdlr_extra = NULL;
		return;
	}
	rq_release(rq);
	http_state_cleanup(req);
}

/* Free what rq owns (not rq itself, which is Kore's request state). */
static void
rq_release(struct rq *rq)
{
	if (rq->sql_active)
		kore_pgsql_cleanup(&rq->sql);
	rq_db_release((struct rq_private *)rq);
	rq_params_reset(rq);
	form_free(&rq->qs);
	form_free(&rq->body);
	free(rq->res);
	free(rq->res_col2);
	free(rq->sqlerr);
	free(rq->sqlfield);
	if (rq->fields != NULL)
		json_decref(rq->fields);
	if (rq->error_extra != NULL)
		json_decref(rq->error_extra);
	if (rq->extra != NULL && rq->extra_free != NULL)
		rq->extra_free(rq->extra);
}

static int
st_begin(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);
	rq->json = reply_wants_json(req);
	if (req->query_string != NULL &&
	    form_parse_urlencoded(&rq->qs, req->query_string,
	    strlen(req->query_string)) != 0) {
		reply_error(rq, 400, "bad_request", "errors.bad_query");
		return (HTTP_STATE_COMPLETE);
	}
	if (!rq_form_safe(rq, &rq->qs))
		return (HTTP_STATE_COMPLETE);

	/* Until the session is known; guard_check() may refine it. */
	guard_negotiate_locale(rq, NULL);

	/* Writes are POSTs; everything else is GET (or HEAD). */
	if (!rq_method_ok(rq))
		return (HTTP_STATE_COMPLETE);
	req->fsm_state = ST_BODY;
	return (HTTP_STATE_CONTINUE);
}

/*
 * A POST, before its body is read: what it costs to parse is paid only
 * for a body within the page's limit (413), from our own pages (403;
 * guard_origin_ok()), carrying a session or token when the page needs a
 * user (401).  Kore has received the body by now (up to http_body_max,
 * spooled to disk beyond http_body_disk_offload); none of it is read.
 */
static int
st_body(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);

	guard_session_hash(rq);
	if (rq_has_body(rq)) {
		if (req->http_body_length > rq_body_max(rq->page)) {
			rq_reply_too_large(rq, rq_body_max(rq->page));
			return (HTTP_STATE_COMPLETE);
		}
		if (!guard_origin_ok(req)) {
			reply_error(rq, 403, "csrf_failed",
			    "errors.csrf_failed");
			return (HTTP_STATE_COMPLETE);
		}
		if (rq->page->access > ACCESS_ANYONE &&
		    rq->session_hash[0] == '\0') {
			reply_error(rq, 401, "login_required",
			    "errors.login_required");
			return (HTTP_STATE_COMPLETE);
		}
	}
	req->fsm_state = ST_GUARD;
	return (HTTP_STATE_CONTINUE);
}

/*
 * After the session statement: the body, parsed here or (spooled ones)
 * in the job thread.  Not at all when the page needs a user and the
 * statement found none (or failed): st_guard_check() then refuses.
 */
static int
st_body_read(struct http_request *req)
{
	struct rq		*rq = http_state_get(req);
	struct rq_private	*rp = (struct rq_private *)rq;

	if (rq_has_body(rq) &&
	    !(rq->page->access > ACCESS_ANYONE && rq->res == NULL)) {
		if (rq->task_active) {
			if (!rq_task_done(rq))
				return (HTTP_STATE_RETRY);
			if (!rq_body_parsed(rq, rp->body_job.result))
				return (HTTP_STATE_COMPLETE);
		} else if (req->http_body_fd != -1) {
			if (!rq_body_job_start(rq))
				return (HTTP_STATE_COMPLETE);
			return (HTTP_STATE_RETRY);
		} else if (!rq_read_body(rq)) {
			return (HTTP_STATE_COMPLETE);
		}
	}
	req->fsm_state = ST_GUARD_CHECK;
	return (HTTP_STATE_CONTINUE);
}

/* A POST the runner reads a body for (not the catch-all 404's). */
static int
rq_has_body(struct rq *rq)
{
	return (rq->req->method == HTTP_METHOD_POST &&
	    !(rq->page->flags & PAGE_ANY_METHOD));
}

static size_t
rq_body_max(const struct page *page)
{
	return (page->body_max != 0 ? page->body_max : RQ_BODY_SMALL);
}

/* 413 too_large, the message saying the limit. */
static void
rq_reply_too_large(struct rq *rq, size_t max)
{
	struct buf	 msg;
	const char	*tmpl;
	char		 num[24];

	(void)snprintf(num, sizeof(num), "%zu", max / 1024);
	buf_init(&msg);
	if ((tmpl = render_text(rq->locale, "errors.request_too_large")) !=
	    NULL)
		text_subst(&msg, tmpl, "n", num);
	if (msg.data != NULL) {
		if (rq->error_extra == NULL)
			rq->error_extra = json_object();
		json_object_set_new(rq->error_extra, "message",
		    json_string(msg.data));
	}
	buf_free(&msg);
	reply_error(rq, 413, "too_large", "errors.too_large");
}

static int
rq_method_ok(struct rq *rq)
{
	int	write, m;

	if (rq->page->flags & PAGE_ANY_METHOD)
		return (1);
	write = (rq->page->flags & PAGE_WRITE) != 0;
	m = rq->req->method;
	if (write ? m == HTTP_METHOD_POST :
	    (m == HTTP_METHOD_GET || m == HTTP_METHOD_HEAD))
		return (1);
	http_response_header(rq->req, "allow", write ? "POST" : "GET, HEAD");
	reply_error(rq, 405, "method_not_allowed",
	    "errors.method_not_allowed");
	return (0);
}

/*
 * Read the whole body (Kore has it in memory or spooled to disk) and
 * parse it whatever its encoding.  Replies and returns 0 on failure.
 */
static int
rq_read_body(struct rq *rq)
{
	struct buf	 body;
	const char	*ctype;
	ssize_t		 n;
	int		 r;

	buf_init(&body);
	r = 0;
	/*
	 * Sized from Content-Length and read in as few calls as the body
	 * allows: a spooled 7 MB photo in 8 KiB reads held the event loop
	 * for milliseconds.
	 */
	buf_reserve(&body, rq->req->http_body_length + 1);
	for (;;) {
		if (body.cap - body.len < 2)
			buf_reserve(&body, 65536);
		n = http_body_read(rq->req, body.data + body.len,
		    body.cap - body.len - 1);
		if (n == -1) {
			reply_error(rq, 400, "bad_request", "errors.bad_body");
			goto out;
		}
		if (n == 0)
			break;
		if (body.len + (size_t)n > rq_body_max(rq->page)) {
			rq_reply_too_large(rq, rq_body_max(rq->page));
			goto out;
		}
		body.len += (size_t)n;
	}
	body.data[body.len] = '\0';

	if (!http_request_header(rq->req, "content-type", &ctype))
		ctype = NULL;
	r = rq_body_parsed(rq, form_parse_body(&rq->body, ctype,
	    body.data ? body.data : "", body.len));

out:
	buf_free(&body);
	return (r);
}

/* 1 for a parsed body, else the reply for form_parse_body()'s error. */
static int
rq_body_parsed(struct rq *rq, int result)
{
	switch (result) {
	case 0:
		return (rq_form_safe(rq, &rq->body));
	case FORM_TOO_LARGE:
		rq_reply_too_large(rq, FORM_MAX_JSON);
		break;
	case FORM_UNSUPPORTED:
		reply_error(rq, 415, "unsupported_type",
		    "errors.unsupported_body");
		break;
	default:
		reply_error(rq, 400, "bad_request", "errors.bad_body");
		break;
	}
	return (0);
}

/*
 * Every query parameter and text field of every request is checked here,
 * once, before any page sees it: text that is not valid UTF-8, or holds
 * NUL, U+FFFE, U+FFFF or C0 controls other than tab and line breaks, is
 * refused with 400 naming the field.  So nothing a feature echoes, stores
 * or puts in a feed can carry such bytes (JSON and XML writers refuse
 * them).  A query string is malformed (400); a body field is a field
 * error (422), so a form comes back with the message beside the field.
 * Replies and returns 0 for a form that is not safe.
 */
static int
rq_form_safe(struct rq *rq, const struct form *f)
{
	const struct form_field	*bad;

	if ((bad = form_first_unsafe(f)) == NULL)
		return (1);
	if (text_request_safe(bad->name, strlen(bad->name)))
		reply_field_error(rq, bad->name, "errors.field.bad_encoding");
	if (f == &rq->qs)
		reply_error(rq, 400, "bad_request", "errors.bad_encoding");
	else
		reply_error(rq, 422, "invalid", "errors.invalid");
	return (0);
}

/* Hand a spooled body to the job thread (struct rq_body_job). */
static int
rq_body_job_start(struct rq *rq)
{
	struct rq_body_job	*job = &((struct rq_private *)rq)->body_job;
	const char		*ctype;

	/* Its own descriptor and offset: Kore closes and unlinks its own. */
	if (rq->req->http_body_path == NULL ||
	    (job->fd = open(rq->req->http_body_path, O_RDONLY | O_CLOEXEC)) ==
	    -1) {
		reply_error(rq, 503, "unavailable", "errors.unavailable");
		return (0);
	}
	job->len = rq->req->http_body_length;
	job->ctype = http_request_header(rq->req, "content-type", &ctype) ?
	    strdup(ctype) : NULL;
	job->form = &rq->body;
	job->result = -1;
	if (!rq_task_start(rq, rq_body_task, job, job->len, RQ_TASK_BIG)) {
		(void)close(job->fd);
		job->fd = -1;
		free(job->ctype);
		job->ctype = NULL;
		return (0);
	}
	return (1);
}

/* Job thread: read the spooled body and parse it into job->form. */
static int
rq_body_task(void *arg)
{
	struct rq_body_job	*job = arg;
	char			*data;
	size_t			 off;
	ssize_t			 n;

	data = malloc(job->len + 1);
	for (off = 0; data != NULL && off < job->len; off += (size_t)n) {
		n = read(job->fd, data + off, job->len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	if (data != NULL && off == job->len) {
		data[off] = '\0';
		job->result = form_parse_body(job->form, job->ctype, data,
		    job->len);
	} else {
		job->result = RQ_BODY_EREAD;
	}
	free(data);
	free(job->ctype);
	job->ctype = NULL;
	(void)close(job->fd);
	job->fd = -1;
	return (job->result == 0);
}

/* Resolve the session when the page needs to know who is asking. */
static int
st_guard(struct http_request *req)
{
	struct rq		*rq = http_state_get(req);
	struct rq_private	*rp = (struct rq_private *)rq;

	if (!guard_needs_session(rq)) {
		req->fsm_state = ST_BODY_READ;
		return (HTTP_STATE_CONTINUE);
	}

	rp->guard_stmt = guard_session_stmt();
	rq_params_reset(rq);
	/* session_lookup: the hash, what it is, whether it counts a POST. */
	rq_param_str(rq, rq->session_hash);
	rq_param_str(rq, rq->bearer ? "token" : "session");
	rq_param_str(rq, (rq->page->flags & PAGE_WRITE) ? "write" : "read");
	rq_db_start(rq, rp->guard_stmt, ST_BODY_READ);
	return (HTTP_STATE_CONTINUE);
}

static int
st_guard_check(struct http_request *req)
{
	struct rq		*rq = http_state_get(req);
	struct guard_verdict	 v;

	if (rq->sqlstate[0] != '\0')
		return (rq_reply_sql_error(rq));
	if (!guard_check(rq, &v)) {
		rq_reply_refused(rq, &v);
		return (HTTP_STATE_COMPLETE);
	}

	rq_params_reset(rq);
	free(rq->res);
	rq->res = NULL;
	rq->res_len = 0;
	rq->res_null = 1;
	rq->stmt = -1;
	req->fsm_state = ST_PREPARE;
	return (HTTP_STATE_CONTINUE);
}

static int
st_prepare(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);
	int		 r;

	r = rq->page->prepare != NULL ? rq->page->prepare(rq) : RQ_NEXT;
	if (r != RQ_NEXT && r != RQ_DONE && r != RQ_RETRY)
		rq->failed = "prepare returned an unknown value";
	if (rq->failed != NULL && rq->status == 0)
		return (rq_reply_failed(rq));
	if (r == RQ_DONE)
		return (HTTP_STATE_COMPLETE);
	if (r == RQ_RETRY)
		return (HTTP_STATE_RETRY);

	if (rq->page->flags & PAGE_NO_STMT) {
		req->fsm_state = ST_RESPOND;
		return (HTTP_STATE_CONTINUE);
	}
	if (rq->stmt == -1 && rq->page->stmt != NULL)
		(void)rq_use_stmt(rq, rq->page->stmt);
	req->fsm_state = ST_QUERY;
	return (HTTP_STATE_CONTINUE);
}

static int
st_query(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);

	if (rq->failed != NULL)
		return (rq_reply_failed(rq));
	rq_db_start(rq, rq->stmt, ST_RESPOND);
	return (HTTP_STATE_CONTINUE);
}

static int
st_respond(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);
	int		 r;

	/* A failed statement is answered here unless the page wants it. */
	if (rq->sqlstate[0] != '\0' && !(rq->page->flags & PAGE_OWN_ERRORS))
		return (rq_reply_sql_error(rq));

	r = rq->page->respond != NULL ? rq->page->respond(rq) :
	    rq_default_respond(rq);
	if (rq->failed != NULL && rq->status == 0)
		return (rq_reply_failed(rq));
	switch (r) {
	case RQ_DONE:
		return (HTTP_STATE_COMPLETE);
	case RQ_RETRY:
		return (HTTP_STATE_RETRY);
	case RQ_AGAIN:
		/* The page chained another statement (rq->stmt, params). */
		free(rq->res);
		rq->res = NULL;
		rq->res_len = 0;
		rq->sqlstate[0] = '\0';
		req->fsm_state = ST_QUERY;
		return (HTTP_STATE_CONTINUE);
	default:
		rq->failed = "respond returned an unknown value";
		break;
	}
	/* Only a page that has not replied yet can be answered here. */
	if (rq->status == 0)
		return (rq_reply_failed(rq));
	return (HTTP_STATE_COMPLETE);
}

/* The statement's JSON as is, or rendered through the page template. */
static int
rq_default_respond(struct rq *rq)
{
	json_t		*doc;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * What most pages' respond() starts with: the statement's document,
 * parsed, with the page's language settled (the user's own setting came
 * with it).  NULL when a reply was sent instead: 404 for no row, the JSON
 * as it came for programs (and pages without a template), 500 for a
 * document that does not parse.  The caller json_decref()s the result.
 */
json_t *
rq_page_doc(struct rq *rq)
{
	if (!rq->res_null && (rq->json || rq->page->tmpl == NULL)) {
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (NULL);
	}
	return (rq_stmt_doc(rq));
}

/*
 * rq_page_doc() for a statement whose document is not the page (a kept
 * page's check): 404 for no row, 500 for a document that does not
 * parse, else the document with the page's language settled.
 */
json_t *
rq_stmt_doc(struct rq *rq)
{
	json_t		*doc;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (NULL);
	}

	/* jparse: 6x jansson's own parser on these documents (jparse.c). */
	if ((doc = jparse(rq->res, rq->res_len)) == NULL ||
	    !json_is_object(doc)) {
		kore_log(LOG_ERR, "%s: statement returned bad JSON",
		    rq->page->name);
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (NULL);
	}
	guard_page_locale(rq, doc);
	return (doc);
}

/*
 * The viewer a PAGE_OWN_SESSION page's statement resolved (me: an object
 * with session_lookup's fields, or NULL), checked against the page's
 * rule as the guard checks every other page (guard_check_viewer): 1 when
 * they may go on; else the refusal was sent (a browser that must log in
 * goes to the login page) and 0.
 */
int
rq_viewer(struct rq *rq, json_t *me)
{
	struct guard_verdict	 v;

	if (guard_check_viewer(rq, me, &v))
		return (1);
	rq_reply_refused(rq, &v);
	return (0);
}

/* A rule of ours broke while serving this request: 500, never an exit. */
static int
rq_reply_failed(struct rq *rq)
{
	reply_internal(rq, rq->failed != NULL ? rq->failed : "failed");
	return (HTTP_STATE_COMPLETE);
}

/* Turn a failed statement into the API's error reply. */
static int
rq_reply_sql_error(struct rq *rq)
{
	const char	*code, *key;
	char		 fallback[64];
	int		 status;

	status = db_status_for_sqlstate(rq->sqlstate, &code);
	if (status >= 500) {
		metrics_add(METRIC_DB_ERRORS, 1);
		kore_log(LOG_ERR, "%s: statement %s failed: %s %s",
		    rq->page->name, db_stmt_name(rq->stmt), rq->sqlstate,
		    rq->sqlerr ? rq->sqlerr : "");
	}

	/* App refusals carry a catalog key as message, the field as detail. */
	key = NULL;
	if (rq->sqlstate[0] == 'M' && rq->sqlstate[1] == 'S' &&
	    rq->sqlerr != NULL && render_text(rq->locale, rq->sqlerr) != NULL)
		key = rq->sqlerr;
	if (key == NULL) {
		(void)snprintf(fallback, sizeof(fallback), "errors.%s", code);
		key = fallback;
	}
	if (status == 429) {
		reply_rate_limited(rq, rq->sqlfield ? atoi(rq->sqlfield) : 60);
		return (HTTP_STATE_COMPLETE);
	}
	/* A request in the wrong phase (a competition's): DETAIL 'phase'. */
	if (status == 409 && rq->sqlfield != NULL &&
	    strcmp(rq->sqlfield, "phase") == 0) {
		reply_error(rq, status, "wrong_phase", key);
		return (HTTP_STATE_COMPLETE);
	}
	if (rq->sqlfield != NULL && (status == 422 || status == 409))
		reply_field_error(rq, rq->sqlfield, key);
	reply_error(rq, status, code, key);
	return (HTTP_STATE_COMPLETE);
}

/* ------------------------------------------------------------------ */
/* The statement: CONNECT (may wait for a pooled connection), WAIT.    */

static void
rq_db_start(struct rq *rq, int stmt, int after)
{
	struct rq_private	*rp = (struct rq_private *)rq;

	rp->after_db = after;
	rq->stmt = stmt;
	rq->sqlstate[0] = '\0';
	free(rq->res);
	free(rq->res_col2);
	rq->res = NULL;
	rq->res_col2 = NULL;
	rq->res_len = 0;
	rq->res_null = 1;
	kore_pgsql_init(&rq->sql);
	kore_pgsql_bind_request(&rq->sql, rq->req);
	rq->sql_active = 1;
	rq->req->fsm_state = ST_CONNECT;
}

/* A place in the pool, first come first served; 0: queued, asleep. */
static int
rq_db_slot(struct rq_private *rp)
{
	if (rp->has_slot)
		return (1);
	if (db_busy < pgsql_conn_max && TAILQ_EMPTY(&db_waiters)) {
		rp->has_slot = 1;
		db_busy++;
		return (1);
	}
	if (!rp->waiting) {
		TAILQ_INSERT_TAIL(&db_waiters, rp, wait_link);
		rp->waiting = 1;
	}
	http_request_sleep(rp->rq.req);
	return (0);
}

/* Give the place back and hand free places to the oldest waiters. */
static void
rq_db_release(struct rq_private *rp)
{
	if (rp->waiting) {
		TAILQ_REMOVE(&db_waiters, rp, wait_link);
		rp->waiting = 0;
	}
	if (rp->has_slot) {
		rp->has_slot = 0;
		db_busy--;
	}
	rq_db_wake();
}

/*
 * A place in the pool for work outside a request (a timer's statement,
 * oh_cal.c): 1 when one is free now and nobody waits, else 0 (the
 * caller tries again later; it never queues).  Give it back with
 * rq_db_give() once its kore_pgsql is cleaned up.
 */
int
rq_db_take(void)
{
	if (db_busy < pgsql_conn_max && TAILQ_EMPTY(&db_waiters)) {
		db_busy++;
		return (1);
	}
	return (0);
}

void
rq_db_give(void)
{
	db_busy--;
	rq_db_wake();
}

/* Hand free places to waiting requests, first come first served. */
static void
rq_db_wake(void)
{
	struct rq_private	*w;

	while (db_busy < pgsql_conn_max &&
	    (w = TAILQ_FIRST(&db_waiters)) != NULL) {
		TAILQ_REMOVE(&db_waiters, w, wait_link);
		w->waiting = 0;
		w->has_slot = 1;
		db_busy++;
		http_request_wakeup(w->rq.req);
	}
}

static int
st_connect(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);

	if (!rq_db_slot((struct rq_private *)rq))
		return (HTTP_STATE_RETRY);

	if (!kore_pgsql_setup(&rq->sql, APP_DB, KORE_PGSQL_ASYNC)) {
		/* Still INIT: queued for a connection, Kore wakes us. */
		if (rq->sql.state == KORE_PGSQL_STATE_INIT)
			return (HTTP_STATE_RETRY);
		(void)snprintf(rq->sqlstate, sizeof(rq->sqlstate), "08000");
		rq->sqlerr = strdup(rq->sql.error ? rq->sql.error :
		    "no connection");
		rq_db_finish(rq);
		return (HTTP_STATE_CONTINUE);
	}

	if (!db_send_prepared(&rq->sql, req, rq->stmt, rq->nparams,
	    rq->pv, rq->pl, rq->pf, rq->binary_result, !rq->unprepared)) {
		(void)snprintf(rq->sqlstate, sizeof(rq->sqlstate), "08000");
		rq->sqlerr = strdup(rq->sql.error ? rq->sql.error : "send");
		rq_db_finish(rq);
		return (HTTP_STATE_CONTINUE);
	}

	req->fsm_state = ST_WAIT;
	return (HTTP_STATE_RETRY);
}

static int
st_wait(struct http_request *req)
{
	struct rq	*rq = http_state_get(req);

	switch (rq->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return (HTTP_STATE_RETRY);
	case KORE_PGSQL_STATE_COMPLETE:
		rq_db_finish(rq);
		return (HTTP_STATE_CONTINUE);
	case KORE_PGSQL_STATE_RESULT:
	case KORE_PGSQL_STATE_ERROR:
		rq_db_capture(rq);
		if (rq->sql.conn == NULL) {
			/* The connection died: nothing to drain. */
			rq_db_finish(rq);
			return (HTTP_STATE_CONTINUE);
		}
		kore_pgsql_continue(&rq->sql);
		break;
	default:
		kore_pgsql_continue(&rq->sql);
		break;
	}
	return (HTTP_STATE_CONTINUE);
}

/* Keep the first row's first column, or the first error. */
static void
rq_db_capture(struct rq *rq)
{
	PGresult	*res = rq->sql.result;
	const char	*s;
	int		 len;

	if (rq->sql.state == KORE_PGSQL_STATE_ERROR) {
		if (rq->sqlstate[0] != '\0')
			return;
		s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		(void)snprintf(rq->sqlstate, sizeof(rq->sqlstate), "%s",
		    s ? s : "08000");
		s = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
		    rq->sql.error;
		rq->sqlerr = strdup(s ? s : "error");
		s = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) :
		    NULL;
		if (s == NULL && res != NULL)
			s = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		if (s != NULL)
			rq->sqlfield = strdup(s);
		return;
	}

	if (rq->res != NULL || res == NULL || PQntuples(res) < 1 ||
	    PQnfields(res) < 1 || PQgetisnull(res, 0, 0))
		return;
	len = PQgetlength(res, 0, 0);
	if ((rq->res = malloc((size_t)len + 1)) == NULL) {
		/* The same path as a statement that failed for lack of it. */
		(void)snprintf(rq->sqlstate, sizeof(rq->sqlstate), "53200");
		rq->sqlerr = NULL;
		return;
	}
	memcpy(rq->res, PQgetvalue(res, 0, 0), (size_t)len);
	rq->res[len] = '\0';
	rq->res_len = (size_t)len;
	rq->res_null = 0;
	if (PQnfields(res) > 1 && !PQgetisnull(res, 0, 1) &&
	    (rq->res_col2 = strdup(PQgetvalue(res, 0, 1))) == NULL)
		(void)snprintf(rq->sqlstate, sizeof(rq->sqlstate), "53200");
}

static void
rq_db_finish(struct rq *rq)
{
	struct rq_private	*rp = (struct rq_private *)rq;

	kore_pgsql_cleanup(&rq->sql);
	rq->sql_active = 0;
	rq_db_release(rp);
	rq->req->fsm_state = rp->after_db;
}

/* ------------------------------------------------------------------ */
/* Parameters for the next statement.                                  */

void
rq_params_reset(struct rq *rq)
{
	int		i;

	for (i = 0; i < rq->nowned; i++)
		free(rq->owned[i]);
	rq->nowned = 0;
	rq->nparams = 0;
}

/* A parameter that outlives the statement (request data, literals). */
void
rq_param(struct rq *rq, const char *v, size_t len)
{
	if (rq->nparams >= RQ_MAX_PARAMS) {
		rq->failed = "too many statement parameters";
		return;
	}
	rq->pv[rq->nparams] = v;
	rq->pl[rq->nparams] = (int)len;
	rq->pf[rq->nparams] = 0;
	rq->nparams++;
}

void
rq_param_str(struct rq *rq, const char *v)
{
	rq_param(rq, v, v ? strlen(v) : 0);
}

/* A malloc()ed string the request takes over. */
void
rq_param_own(struct rq *rq, char *v)
{
	if (rq->nowned >= RQ_MAX_PARAMS || v == NULL) {
		free(v);
		rq->failed = "too many parameters, or no memory for one";
		return;
	}
	rq->owned[rq->nowned++] = v;
	rq_param_str(rq, v);
}

/* Bytes for a bytea parameter, sent in binary (no hex doubling). */
void
rq_param_bin(struct rq *rq, const void *v, size_t len)
{
	rq_param(rq, v, len);
	rq->pf[rq->nparams - 1] = 1;
}

void
rq_param_null(struct rq *rq)
{
	rq_param(rq, NULL, 0);
}

void
rq_param_int(struct rq *rq, int64_t v)
{
	char	num[24];

	(void)snprintf(num, sizeof(num), "%lld", (long long)v);
	rq_param_own(rq, strdup(num));
}

/* Choose the statement by name; 0 (and a log line) if it is unknown. */
int
rq_use_stmt(struct rq *rq, const char *name)
{
	if ((rq->stmt = db_stmt_lookup(name)) == -1) {
		kore_log(LOG_ERR, "%s: unknown statement %s", rq->page->name,
		    name);
		return (0);
	}
	return (1);
}

/*
 * The number that follows prefix in the path ("/projects/" in
 * "/projects/12/photos/3"), or 0.  The route's regex made it digits.
 */
int64_t
rq_path_id(struct rq *rq, const char *prefix)
{
	const char	*p;

	if ((p = strstr(rq->req->path, prefix)) == NULL)
		return (0);
	return ((int64_t)strtoll(p + strlen(prefix), NULL, 10));
}

/* A body field (NUL-terminated; len may be NULL), or NULL. */
const char *
rq_field(struct rq *rq, const char *name, size_t *len)
{
	const struct form_field	*f;

	if ((f = form_get(&rq->body, name)) == NULL)
		return (NULL);
	if (len != NULL)
		*len = f->len;
	return (f->value);
}

const char *
rq_query(struct rq *rq, const char *name)
{
	const struct form_field	*f;

	if ((f = form_get(&rq->qs, name)) == NULL)
		return (NULL);
	return (f->value);
}

/* ------------------------------------------------------------------ */
/* Tasks: CPU-heavy work off the event loop.                          */

/*
 * Run fn(arg) in the job thread (jobs.c).  arg must be owned by rq (it
 * is, when it is rq->extra): rq outlives the job even if the client goes
 * away (see rq_free).  held: bytes of rq's the job keeps while it waits
 * (a photo); flags: RQ_TASK_*.  1: the request sleeps until the job is
 * done; the caller returns RQ_RETRY and checks rq_task_done() when
 * called again.  0: the queue is full and a 503 "busy" with Retry-After
 * was sent; the caller returns RQ_DONE.
 */
int
rq_task_start(struct rq *rq, int (*fn)(void *), void *arg, size_t held,
    int flags)
{
	struct buf	 msg;
	const char	*tmpl;
	char		 n[16];
	int		 secs;

	if (rq->task_active) {
		/* The caller returns RQ_RETRY: the 500 is sent from there. */
		rq->failed = "a second job while one is running";
		return (1);
	}
	memset(&rq->job, 0, sizeof(rq->job));
	rq->job.fn = fn;
	rq->job.arg = arg;
	rq->job.held = held;
	rq->job.flags = flags;
	rq->job.done = rq_job_done;
	rq->task_done = 0;
	rq->task_active = 1;
	if (jobs_submit(&rq->job)) {
		http_request_sleep(rq->req);
		return (1);
	}

	rq->task_active = 0;
	secs = jobs_retry_after();
	(void)snprintf(n, sizeof(n), "%d", secs);
	http_response_header(rq->req, "retry-after", n);
	buf_init(&msg);
	if ((tmpl = render_text(rq->locale, "errors.busy_seconds")) != NULL)
		text_subst(&msg, tmpl, "n", n);
	if (rq->error_extra == NULL)
		rq->error_extra = json_object();
	json_object_set_new(rq->error_extra, "retry_after",
	    json_integer(secs));
	if (msg.data != NULL)
		json_object_set_new(rq->error_extra, "message",
		    json_string(msg.data));
	buf_free(&msg);
	metrics_add(METRIC_JOBS_REFUSED, 1);
	reply_error(rq, 503, "busy", "errors.busy");
	return (0);
}

/* 1 when the job has finished, 0 while it runs. */
int
rq_task_done(struct rq *rq)
{
	if (!rq->task_active)
		return (1);
	if (!rq->task_done)
		return (0);
	rq->task_active = 0;
	return (1);
}

/* jobs.c, on the event loop: rq's job is back (its done()). */
static void
rq_job_done(struct job *job)
{
	struct rq	*rq;

	rq = (struct rq *)(void *)((char *)job - offsetof(struct rq, job));
	rq->task_done = 1;
	if (rq->req != NULL) {
		http_request_wakeup(rq->req);
		return;
	}
	/* Orphaned by rq_free(): nobody else holds it now. */
	metrics_add(METRIC_JOBS_ORPHANED, 1);
	rq_release(rq);
	kore_free(rq);
}

/*
 * The page's own state: len zeroed bytes inside the request itself (the
 * rq_state_new macro refuses at compile time a state larger than
 * RQ_EXTRA_MAX), so it cannot fail.  freefn, called when the request
 * ends, frees what the state points to, never the state.
 */
int
rq_extra_init(struct rq *rq, size_t len, void (*freefn)(void *))
{
	struct rq_private	*rp = (struct rq_private *)rq;

	memset(rp->extra_space.bytes, 0, len);
	rq->extra = rp->extra_space.bytes;
	rq->extra_free = freefn;
	return (1);
}

/* ------------------------------------------------------------------ */
/* Field validation: errors collect in rq->fields, in the user's words. */

/* Note a problem of field: the catalog text of key with {n} filled in. */
void
rq_field_problem(struct rq *rq, const char *field, const char *key,
    size_t n)
{
	struct buf	 msg;
	const char	*tmpl;
	char		 num[24];

	if ((tmpl = render_text(rq->locale, key)) == NULL)
		tmpl = key;
	(void)snprintf(num, sizeof(num), "%zu", n);
	buf_init(&msg);
	text_subst(&msg, tmpl, "n", num);
	reply_field_error(rq, field, msg.data);
	buf_free(&msg);
}

/*
 * A text field: NULL when absent (or invalid, with the problem noted);
 * "" when present and empty and allowed to be.  Single-line text is
 * trimmed and may not hold control characters; lengths are in
 * characters, not bytes.
 *
 * Absent and empty are different things: an edit that leaves a field
 * out keeps the stored value, one that sends it empty asks to clear it.
 * So a field with a minimum length (min > 0) is required whenever it is
 * sent, even where it may be left out (required == 0, as on every edit
 * route): empty is 422 "required", never "keep the old value".
 */
const char *
rq_text(struct rq *rq, const char *name, int required, size_t min,
    size_t max, int multiline)
{
	const struct form_field	*f;
	char			*v;
	size_t			 len, n;

	if ((f = form_get(&rq->body, name)) == NULL) {
		if (required)
			rq_field_problem(rq, name, "errors.field.required", 0);
		return (NULL);
	}
	v = f->value;
	len = f->len;
	if (!text_utf8_valid(v, len) ||
	    text_has_controls(v, len, multiline)) {
		rq_field_problem(rq, name, "errors.field.bad_text", 0);
		return (NULL);
	}
	if (!multiline)
		len = text_trim(v, len);
	if (len == 0) {
		if (required || min > 0) {
			rq_field_problem(rq, name, "errors.field.required", 0);
			return (NULL);
		}
		return (v);
	}
	n = text_utf8_chars(v, len);
	if (n < min) {
		rq_field_problem(rq, name, "errors.field.too_short", min);
		return (NULL);
	}
	if (n > max) {
		rq_field_problem(rq, name, "errors.field.too_long", max);
		return (NULL);
	}
	return (v);
}

int
rq_has_errors(struct rq *rq)
{
	return (rq->fields != NULL && json_object_size(rq->fields) > 0);
}

/* 422 with the field problems collected so far. */
int
rq_reply_invalid(struct rq *rq)
{
	reply_error(rq, 422, "invalid", "errors.invalid");
	return (RQ_DONE);
}

/*
 * The client's address as text in out (NETADDR_STRLEN bytes do): behind
 * a trusted proxy the one X-Forwarded-For names (app/proxy.c), else the
 * peer's; "local" for a unix socket.  Every per-address rule uses this.
 */
const char *
rq_client_ip(struct rq *rq, char *out, size_t len)
{
	struct netaddr	a;

	if (proxy_client_addr(rq->req, &a) == -1 ||
	    netaddr_format(&a, out, len) == -1)
		(void)snprintf(out, len, "local");
	return (out);
}

const char *
rq_user_agent(struct rq *rq)
{
	return (rq->req->agent != NULL ? rq->req->agent : "");
}

/*
 * ops.c: the pages operations need: GET /healthz, GET /metrics, the 404
 * for every unknown route, and (benchmark builds only) the constant
 * handler that is the "C" reference of docs/performance.md#how-to-measure.
 */
#include <sys/types.h>

#include <string.h>

#include "app.h"

int	page_healthz(struct http_request *);
int	page_metrics(struct http_request *);
int	page_not_found(struct http_request *);

static int	ops_healthz_respond(struct rq *);
static int	ops_metrics_prepare(struct rq *);
static int	ops_not_found_prepare(struct rq *);

/* One trivial statement: 200 when the database answers, 503 when not. */
static const struct page healthz_page = {
	.name = "healthz",
	.access = ACCESS_ANYONE,
	.flags = PAGE_OWN_ERRORS,
	.stmt = "health_check",
	.respond = ops_healthz_respond,
};

static const struct page metrics_page = {
	.name = "metrics",
	.access = ACCESS_ANYONE,
	.flags = PAGE_NO_STMT | PAGE_SESSION,
	.prepare = ops_metrics_prepare,
};

static const struct page not_found_page = {
	.name = "not_found",
	.access = ACCESS_ANYONE,
	.flags = PAGE_NO_STMT | PAGE_ANY_METHOD,
	.prepare = ops_not_found_prepare,
};

int
page_healthz(struct http_request *req)
{
	return (rq_run(req, &healthz_page));
}

static int
ops_healthz_respond(struct rq *rq)
{
	static const char	ok[] = "{\"status\":\"ok\"}";
	static const char	down[] = "{\"status\":\"unavailable\"}";

	http_response_header(rq->req, "cache-control", "no-store");
	if (rq->sqlstate[0] != '\0' || rq->res_null) {
		metrics_add(METRIC_DB_ERRORS, 1);
		reply_send(rq, 503, "application/json; charset=utf-8", down,
		    sizeof(down) - 1);
	} else {
		reply_send(rq, 200, "application/json; charset=utf-8", ok,
		    sizeof(ok) - 1);
	}
	return (RQ_DONE);
}

int
page_metrics(struct http_request *req)
{
	return (rq_run(req, &metrics_page));
}

/*
 * Prometheus scrapes each node from the machine itself (not through the
 * proxy: app/proxy.c) or with MAKERSPACE_METRICS_TOKEN; staff may look
 * too.  Anyone else is told there is nothing here.
 */
static int
ops_metrics_prepare(struct rq *rq)
{
	struct buf	out;

	if (!proxy_request_is_local(rq->req) &&
	    !proxy_metrics_token_ok(rq->req) && !rq->me.staff) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	buf_init(&out);
	metrics_write(&out);
	http_response_header(rq->req, "cache-control", "no-store");
	reply_send(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
	    out.data, out.len);
	buf_free(&out);
	return (RQ_DONE);
}

/* The last route of the config catches every path nothing else did. */
int
page_not_found(struct http_request *req)
{
	return (rq_run(req, &not_found_page));
}

static int
ops_not_found_prepare(struct rq *rq)
{
	reply_error(rq, 404, "not_found", "errors.not_found");
	return (RQ_DONE);
}

#if defined(MAKERSPACE_BENCH)
int	page_bench_const(struct http_request *);
int	page_bench_const20k(struct http_request *);
int	page_bench_home_unprepared(struct http_request *);

static int	ops_bench_unprepared_prepare(struct rq *);

/* The home statement sent as Kore sends queries: parsed and planned on
 * every call.  Compared with the home page in `make bench`. */
static const struct page bench_unprepared_page = {
	.name = "bench_unprepared",
	.access = ACCESS_ANYONE,
	.stmt = "home_page",
	.prepare = ops_bench_unprepared_prepare,
};

/* The framework's ceiling: no database, no template, no guard. */
int
page_bench_const(struct http_request *req)
{
	static const char	body[] = "{\"status\":\"ok\"}";

	http_response_header(req, "content-type", "application/json");
	http_response(req, 200, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}

/*
 * The same with a 20,000-byte body, a thumbnail's size: Kore writes
 * bodies in 8 KiB send() calls, so this is the ceiling /media is held to.
 */
int
page_bench_const20k(struct http_request *req)
{
	static char	body[20000];

	http_response_header(req, "content-type", "image/jpeg");
	http_response(req, 200, body, sizeof(body));
	return (KORE_RESULT_OK);
}

int
page_bench_home_unprepared(struct http_request *req)
{
	return (rq_run(req, &bench_unprepared_page));
}

static int
ops_bench_unprepared_prepare(struct rq *rq)
{
	rq->unprepared = 1;
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	rq_param_null(rq);
	rq_param_str(rq, rq->locale);
	return (RQ_NEXT);
}
#endif

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const ops_pages[] = {
	&healthz_page, &metrics_page, &not_found_page,
#if defined(MAKERSPACE_BENCH)
	&bench_unprepared_page,
#endif
	NULL
};

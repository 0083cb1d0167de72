/*
 * metrics.c: request counters and latencies in Prometheus text format.
 *
 * Each worker counts into its own slot of a shared anonymous mapping made
 * by the parent before the workers fork, so /metrics (served by whichever
 * worker gets the request) adds up all workers without locks: a slot has
 * one writer, and aligned 64-bit loads do not tear on the platforms we
 * run on.  Routes are Kore's handler table, in config order.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"

#define M_WORKERS	64
#define M_ROUTES	128
#define M_STATUSES	24
#define M_BUCKETS	12

/* Upper bounds of the latency buckets, in microseconds. */
static const u_int64_t	bucket_us[M_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000
};
static const char	*bucket_label[M_BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
	"0.1", "0.25", "0.5", "1", "2.5"
};
static const int	statuses[M_STATUSES] = {
	200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
	409, 411, 413, 415, 422, 429, 500, 502, 503, 504, 0, 0
};

struct m_route {
	u_int64_t	count[M_STATUSES];	/* last: other statuses */
	u_int64_t	bucket[M_BUCKETS + 1];	/* last: +Inf only */
	u_int64_t	sum_us;
};

struct m_slot {
	struct m_route	route[M_ROUTES];
	u_int64_t	figure[METRIC_MAX];	/* enum metrics_figure */
};

/* The figures that are not per route, in the order /metrics lists them. */
static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} figures[METRIC_MAX] = {
	[METRIC_DB_ERRORS] = { "makerspace_db_errors_total", "counter",
	    "Statements that failed for a reason other than the request." },
	[METRIC_WS_OPEN] = { "makerspace_websockets_open", "gauge",
	    "Open WebSocket connections." },
	[METRIC_READ_YIELDS] = { "makerspace_read_yields_total", "counter",
	    "Times a connection read its budget and let the others go "
	    "first." },
	[METRIC_JOBS_ORPHANED] = { "makerspace_jobs_orphaned_total",
	    "counter", "Password or image jobs that finished after their "
	    "client had gone." },
	[METRIC_INTERNAL_ERRORS] = { "makerspace_internal_errors_total",
	    "counter", "Requests answered 500 because the reply could not be "
	    "built or the server broke its own rule (each one is logged)." },
	[METRIC_WORKER_STARTS] = { "makerspace_worker_starts_total",
	    "counter", "Worker processes started since the server started: "
	    "more than the configured workers means one was restarted." },
	[METRIC_JOBS_REFUSED] = { "makerspace_jobs_refused_total",
	    "counter", "Requests answered 503 because the job queue was "
	    "full." },
	[METRIC_WS_OVERFLOWS] = { "makerspace_websocket_overflows_total",
	    "counter", "WebSockets closed because they did not read what "
	    "they were sent." },
};

static struct m_slot		*slots;
static struct kore_module_handle *routes[M_ROUTES];
static int			 nroutes;

u_int64_t
metrics_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((u_int64_t)ts.tv_sec * 1000000 + (u_int64_t)ts.tv_nsec / 1000);
}

/* Parent, after the config is read: map the slots, list the routes. */
void
metrics_init(void)
{
	struct kore_server		*srv;
	struct kore_domain		*dom;
	struct kore_module_handle	*hdlr;

	slots = mmap(NULL, sizeof(struct m_slot) * M_WORKERS,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		fatal("metrics: mmap: %s", errno_s);

	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(hdlr, &dom->handlers, list) {
				if (nroutes < M_ROUTES)
					routes[nroutes++] = hdlr;
			}
		}
	}
}

static struct m_slot *
metrics_slot(void)
{
	if (slots == NULL || worker == NULL)
		return (NULL);
	return (&slots[worker->id % M_WORKERS]);
}

/* Count a response; t0_us is when the request started (0: now). */
void
metrics_record(struct http_request *req, int status, u_int64_t t0_us)
{
	struct m_slot	*s;
	struct m_route	*r;
	u_int64_t	 us;
	int		 i, ri;

	if ((s = metrics_slot()) == NULL)
		return;
	for (ri = 0; ri < nroutes; ri++) {
		if (routes[ri] == req->hdlr)
			break;
	}
	if (ri == nroutes)
		return;
	r = &s->route[ri];

	for (i = 0; i < M_STATUSES - 1 && statuses[i] != 0; i++) {
		if (statuses[i] == status)
			break;
	}
	if (statuses[i] == 0)
		i = M_STATUSES - 1;
	r->count[i]++;

	us = t0_us ? metrics_now_us() - t0_us : 0;
	r->sum_us += us;
	for (i = 0; i < M_BUCKETS; i++) {
		if (us <= bucket_us[i])
			break;
	}
	r->bucket[i]++;
}

/*
 * Add delta to one of this worker's figures: a counter (db errors, read
 * yields, orphaned jobs) or a gauge (open WebSockets: +1, -1).
 */
void
metrics_add(enum metrics_figure f, int delta)
{
	struct m_slot	*s;

	if ((s = metrics_slot()) != NULL)
		s->figure[f] += (u_int64_t)(int64_t)delta;
}

/* Write all workers' figures, summed, in Prometheus text format. */
void
metrics_write(struct buf *out)
{
	u_int64_t	 v, cum, total, sum;
	const char	*path;
	int		 w, ri, i, f;

	buf_appends(out, "# HELP makerspace_http_requests_total "
	    "Responses by route and status.\n"
	    "# TYPE makerspace_http_requests_total counter\n");
	for (ri = 0; ri < nroutes; ri++) {
		path = routes[ri]->path;
		for (i = 0; i < M_STATUSES; i++) {
			v = 0;
			for (w = 0; w < M_WORKERS; w++)
				v += slots[w].route[ri].count[i];
			if (v == 0)
				continue;
			buf_appendf(out, "makerspace_http_requests_total"
			    "{route=\"%s\",status=\"%s%d\"} %llu\n", path,
			    i == M_STATUSES - 1 ? "other" : "",
			    i == M_STATUSES - 1 ? 0 : statuses[i],
			    (unsigned long long)v);
		}
	}

	buf_appends(out, "# HELP makerspace_http_request_duration_seconds "
	    "Time from the first handler call to the response.\n"
	    "# TYPE makerspace_http_request_duration_seconds histogram\n");
	for (ri = 0; ri < nroutes; ri++) {
		path = routes[ri]->path;
		cum = 0;
		total = 0;
		sum = 0;
		for (w = 0; w < M_WORKERS; w++) {
			for (i = 0; i <= M_BUCKETS; i++)
				total += slots[w].route[ri].bucket[i];
			sum += slots[w].route[ri].sum_us;
		}
		if (total == 0)
			continue;
		for (i = 0; i < M_BUCKETS; i++) {
			for (w = 0; w < M_WORKERS; w++)
				cum += slots[w].route[ri].bucket[i];
			buf_appendf(out, "makerspace_http_request_duration_"
			    "seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n",
			    path, bucket_label[i], (unsigned long long)cum);
		}
		buf_appendf(out, "makerspace_http_request_duration_seconds_"
		    "bucket{route=\"%s\",le=\"+Inf\"} %llu\n", path,
		    (unsigned long long)total);
		buf_appendf(out, "makerspace_http_request_duration_seconds_"
		    "sum{route=\"%s\"} %.6f\n", path, (double)sum / 1e6);
		buf_appendf(out, "makerspace_http_request_duration_seconds_"
		    "count{route=\"%s\"} %llu\n", path,
		    (unsigned long long)total);
	}

	for (f = 0; f < METRIC_MAX; f++) {
		v = 0;
		for (w = 0; w < M_WORKERS; w++)
			v += slots[w].figure[f];
		buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n",
		    figures[f].name, figures[f].help, figures[f].name,
		    figures[f].type, figures[f].name, (unsigned long long)v);
	}
}

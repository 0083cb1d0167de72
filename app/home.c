/*
 * home.c: GET / — the home page: latest projects, topics and upcoming
 * events in one statement (home_page), the viewer resolved inside it.
 */
#include <sys/types.h>

#include "app.h"

int	page_home(struct http_request *);

static int	home_prepare(struct rq *);

static const struct page home_page = {
	.name = "home",
	.access = ACCESS_ANYONE,
	.stmt = "home_page",
	.tmpl = "home",
	.prepare = home_prepare,
};

int
page_home(struct http_request *req)
{
	return (rq_run(req, &home_page));
}

static int
home_prepare(struct rq *rq)
{
	/* $1: the session hash, so drafts and likes can be the viewer's. */
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	return (RQ_NEXT);
}

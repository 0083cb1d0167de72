/*
 * board_rss.c: the board's RSS 2.0 feeds, GET /board.rss (the newest
 * topics of every public category) and GET /c/{slug}.rss (one
 * category).  Statements rss_board and rss_category in
 * assets/sql/search.sql; PostgreSQL's XML functions do the escaping.
 *
 * Feeds are public content only, whoever asks: feed readers share and
 * cache them, so a staff member's session never adds the staff
 * category, and its feed is 404 like an unknown slug.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define RSS_SLUG_MAX	40

int	page_board_rss(struct http_request *);
int	page_category_rss(struct http_request *);

static int	rss_board_prepare(struct rq *);
static int	rss_category_prepare(struct rq *);
static int	rss_respond(struct rq *);
static void	rss_base(struct rq *);
static void	rss_locale(struct rq *);

static const struct page board_rss_page = {
	.name = "board_rss", .access = ACCESS_ANYONE,
	.stmt = "rss_board", .prepare = rss_board_prepare,
	.respond = rss_respond,
};
static const struct page category_rss_page = {
	.name = "category_rss", .access = ACCESS_ANYONE,
	.stmt = "rss_category", .prepare = rss_category_prepare,
	.respond = rss_respond,
};

int
page_board_rss(struct http_request *req)
{
	return (rq_run(req, &board_rss_page));
}

int
page_category_rss(struct http_request *req)
{
	return (rq_run(req, &category_rss_page));
}

/*
 * $1: the site as the client reached it, for absolute links.  A Host
 * header with anything but host-name characters becomes "localhost".
 */
static void
rss_base(struct rq *rq)
{
	const char	*host;
	char		*base;
	size_t		 i;

	if (!http_request_header(rq->req, "host", &host) ||
	    *host == '\0' || strlen(host) > 200)
		host = "localhost";
	for (i = 0; host[i] != '\0'; i++) {
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= 'A' && host[i] <= 'Z') ||
		    (host[i] >= '0' && host[i] <= '9') ||
		    host[i] == '.' || host[i] == '-' || host[i] == ':' ||
		    host[i] == '[' || host[i] == ']')) {
			host = "localhost";
			break;
		}
	}
	if (asprintf(&base, "%s://%s", app_config.tls ? "https" : "http",
	    host) == -1)
		fatal("rss_base: out of memory");
	rq_param_own(rq, base);
}

/* The channel's language: the request's (?lang=, Accept-Language). */
static void
rss_locale(struct rq *rq)
{
	rq_param_str(rq, rq->locale);
}

/* $1 base, $2 title, $3 description, $4 language. */
static int
rss_board_prepare(struct rq *rq)
{
	char	*title;

	rss_base(rq);
	if (asprintf(&title, "%s · %s", render_text(rq->locale, "nav.board"),
	    render_text(rq->locale, "site.name")) == -1)
		fatal("rss_board_prepare: out of memory");
	rq_param_own(rq, title);
	rq_param_str(rq, render_text(rq->locale, "site.tagline"));
	rss_locale(rq);
	return (RQ_NEXT);
}

/* $1 base, $2 site name, $3 slug (from "/c/<slug>.rss"), $4 language. */
static int
rss_category_prepare(struct rq *rq)
{
	const char	*p;
	char		*slug;
	size_t		 len;

	/* The route's regex: "/c/", 1..40 slug bytes, ".rss". */
	p = rq->req->path + strlen("/c/");
	len = strlen(p) - strlen(".rss");
	if (len > RSS_SLUG_MAX)
		len = RSS_SLUG_MAX;
	if ((slug = strndup(p, len)) == NULL)
		fatal("rss_category_prepare: out of memory");
	rss_base(rq);
	rq_param_str(rq, render_text(rq->locale, "site.name"));
	rq_param_own(rq, slug);
	rss_locale(rq);
	return (RQ_NEXT);
}

static int
rss_respond(struct rq *rq)
{
	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	http_response_header(rq->req, "cache-control", "public, max-age=300");
	reply_send(rq, 200, "application/rss+xml; charset=utf-8", rq->res,
	    rq->res_len);
	return (RQ_DONE);
}

/*
 * feed.c: the site's RSS 2.0 feeds, one module for all of them:
 *	GET /projects.rss	the newest published projects
 *	GET /board.rss		the newest topics of every public category
 *	GET /c/{slug}.rss	one category's newest topics
 * Statements in assets/sql/feed.sql; PostgreSQL's XML functions do the
 * escaping.  A statement returns the channel's content; feed_respond()
 * wraps it in the envelope (FEED_HEAD, FEED_TAIL), which is the same for
 * every feed and holds no data, so C escapes nothing.
 *
 * Feeds are public content only, whoever asks, and are cached publicly
 * (feed readers and proxies share them), so nothing in them comes from
 * the request but the language: a staff session never adds the staff
 * category (its feed is 404 like an unknown slug), and absolute links
 * are made from the configured public base URL (app_config.public_url,
 * MAKERSPACE_PUBLIC_URL), never from the Host header, which anyone can
 * set to another site.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define FEED_SLUG_MAX	40

/* Around every feed's channel: the XML declaration, rss 2.0, channel. */
#define FEED_HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
			"<rss version=\"2.0\"><channel>"
#define FEED_TAIL	"</channel></rss>"

int	page_feed_projects(struct http_request *);
int	page_feed_board(struct http_request *);
int	page_feed_category(struct http_request *);

static int		 feed_prepare(struct rq *);
static int		 feed_respond(struct rq *);
static int		 feed_category_slug(struct rq *);
static const char	*feed_title_key(const struct page *);

static const struct page feed_projects = {
	.name = "feed_projects", .access = ACCESS_ANYONE,
	.stmt = "feed_projects", .prepare = feed_prepare,
	.respond = feed_respond,
};
static const struct page feed_board = {
	.name = "feed_board", .access = ACCESS_ANYONE,
	.stmt = "feed_board", .prepare = feed_prepare,
	.respond = feed_respond,
};
static const struct page feed_category = {
	.name = "feed_category", .access = ACCESS_ANYONE,
	.stmt = "feed_category", .prepare = feed_prepare,
	.respond = feed_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const feed_pages[] = {
	&feed_projects, &feed_board, &feed_category, NULL
};

int
page_feed_projects(struct http_request *req)
{
	return (rq_run(req, &feed_projects));
}

int
page_feed_board(struct http_request *req)
{
	return (rq_run(req, &feed_board));
}

int
page_feed_category(struct http_request *req)
{
	return (rq_run(req, &feed_category));
}

/*
 * The parameters every feed statement takes (assets/sql/feed.sql): $1
 * base URL, $2 channel title, $3 description, $4 language; a category's
 * feed also $5 its slug.
 */
static int
feed_prepare(struct rq *rq)
{
	const char	*site, *key, *title;
	char		*full;

	site = render_text(rq->locale, "site.name");
	rq_param_str(rq, app_config.public_url);
	if ((key = feed_title_key(rq->page)) != NULL) {
		title = render_text(rq->locale, key);
		if (asprintf(&full, "%s · %s", title ? title : "",
		    site ? site : "") == -1) {
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		rq_param_own(rq, full);
	} else {
		rq_param_str(rq, site);
	}
	rq_param_str(rq, render_text(rq->locale, "site.tagline"));
	rq_param_str(rq, rq->locale);
	if (rq->page == &feed_category && !feed_category_slug(rq)) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	return (RQ_NEXT);
}

/*
 * The catalog key of a feed's channel title, which the site name
 * follows; NULL: the statement names the channel (a category's name).
 */
static const char *
feed_title_key(const struct page *page)
{
	if (page == &feed_projects)
		return ("nav.projects");
	if (page == &feed_board)
		return ("nav.board");
	return (NULL);
}

/* $5: the slug from "/c/<slug>.rss" (the route's regex checked it). */
static int
feed_category_slug(struct rq *rq)
{
	const char	*p;
	char		*slug;
	size_t		 len;

	p = rq->req->path + strlen("/c/");
	len = strlen(p);
	len = len > strlen(".rss") ? len - strlen(".rss") : 0;
	if (len > FEED_SLUG_MAX)
		len = FEED_SLUG_MAX;
	if ((slug = strndup(p, len)) == NULL)
		return (0);
	rq_param_own(rq, slug);
	return (1);
}

/*
 * The XML whatever Accept says (docs/api.md#representations: routes
 * ending in .rss have one representation): the statement's channel
 * content in the envelope.  Shared caches may keep it: it differs only
 * by language.
 */
static int
feed_respond(struct rq *rq)
{
	struct buf	out;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	buf_init(&out);
	buf_appends(&out, FEED_HEAD);
	buf_append(&out, rq->res, rq->res_len);
	buf_appends(&out, FEED_TAIL);
	http_response_header(rq->req, "cache-control", "public, max-age=300");
	http_response_header(rq->req, "vary", "Accept-Language, Cookie");
	reply_send(rq, 200, "application/rss+xml; charset=utf-8", out.data,
	    out.len);
	buf_free(&out);
	return (RQ_DONE);
}

/*
 * home.c: GET / — the home page: latest projects, topics and upcoming
 * events in one statement (home_page), the viewer resolved inside it.
 *
 * The lists are the same for every reader: each worker keeps them
 * rendered per language under the listing versions they were made at
 * (migrations/0004, 0005), and the statement leaves them out while those
 * are current.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"

int	page_home(struct http_request *);

/* rq->step: home_check first (browsers), then home_page when needed. */
enum {
	HOME_ST_CHECK = 0,	/* home_check: the viewer and the versions */
	HOME_ST_PAGE		/* home_page: the whole page */
};

/*
 * The lists, kept (keep.c) one slot a language: html the lists, ids the
 * listing versions they were made at, version the instant (epoch
 * seconds) they change by the clock alone (home_lists_expiry in
 * migrations/0023_home_check.sql; HOME_NEVER: never).
 */
#define HOME_LOCALES		8
#define HOME_NEVER		INT64_MAX

static struct kept	home_lists[HOME_LOCALES];

static int	home_prepare(struct rq *);
static int	home_respond(struct rq *);
static struct kept *home_slot(struct rq *);
static int	home_current(const struct kept *, json_t *);
static int64_t	home_expiry(json_t *);

static const struct page home_page = {
	.name = "home",
	.access = ACCESS_ANYONE,
	.stmt = "home_check",
	.tmpl = "home_page",
	.prepare = home_prepare,
	.respond = home_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const home_pages[] = {
	&home_page, NULL
};

int
page_home(struct http_request *req)
{
	return (rq_run(req, &home_page));
}

static struct kept *
home_slot(struct rq *rq)
{
	int	hit;

	return (kept_slot_key(home_lists, HOME_LOCALES, "/",
	    render_locale_index(rq->locale), &hit));
}

/*
 * Browsers: first only the viewer and the listing versions (home_check);
 * the whole page statement only when this worker does not hold the lists
 * at those versions.  JSON clients: the whole page at once.
 */
static int
home_prepare(struct rq *rq)
{
	const char	*lang;

	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	if (!rq->json && rq->step == HOME_ST_CHECK) {
		(void)rq_use_stmt(rq, "home_check");
		return (RQ_NEXT);
	}
	lang = rq_query(rq, "lang");
	rq_param_str(rq, lang != NULL ? i18n_canonical(lang) : NULL);
	rq_param_str(rq, rq->locale);
	(void)rq_use_stmt(rq, "home_page");
	return (RQ_NEXT);
}

static int
home_respond(struct rq *rq)
{
	struct kept	*h;
	struct buf	 out;
	json_t		*doc;
	const char	*v;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	h = home_slot(rq);
	v = json_string_value(json_object_get(doc, "lists_version"));
	if (rq->step == HOME_ST_CHECK) {
		if (!home_current(h, doc)) {
			/* Not held at these versions: the whole page. */
			json_decref(doc);
			rq_params_reset(rq);
			rq->step = HOME_ST_PAGE;
			return (home_prepare(rq) == RQ_NEXT ? RQ_AGAIN :
			    RQ_DONE);
		}
	} else {
		buf_init(&out);
		if (!render_html(rq, "home_lists", doc, &out)) {
			buf_free(&out);
			json_decref(doc);
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		free(h->html);
		free(h->ids);
		h->html = buf_release(&out, NULL);
		h->ids = strdup(v != NULL ? v : "");
		h->version = home_expiry(doc);
	}
	json_object_set_new(doc, "lists_html", json_string_nocheck(h->html));
	(void)reply_page(rq, 200, "home_page", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* Whether h holds the lists at the check's versions and clock. */
static int
home_current(const struct kept *h, json_t *check)
{
	const char	*v;
	json_t		*now;

	v = json_string_value(json_object_get(check, "lists_version"));
	now = json_object_get(check, "now");
	return (v != NULL && h->ids != NULL && h->html != NULL &&
	    !strcmp(v, h->ids) && json_is_number(now) &&
	    json_number_value(now) < (double)h->version);
}

/* home_page's "lists_expire": epoch seconds, or never. */
static int64_t
home_expiry(json_t *doc)
{
	json_t	*at;

	at = json_object_get(doc, "lists_expire");
	return (json_is_number(at) ? (int64_t)json_number_value(at) :
	    HOME_NEVER);
}

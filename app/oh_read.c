/*
 * oh_read.c: the office hours pages read most, by everyone: GET
 * /office-hours (the soonest open slots across mentors) and a mentor's
 * page (docs/api.md#mentor-office-hours).  The rest of the feature is
 * app/oh.c.
 *
 * Kept per worker (docs/performance.md#office-hours): what every reader
 * gets alike (the week view rendered, the JSON answer without the
 * viewer) is kept per address and language (keep.c) under the version
 * it was made at.  A small statement (oh_read_check) reads the viewer,
 * the version (in PostgreSQL: bumped by every change of a slot or a
 * booking in the writing transaction, so right across workers and
 * nodes), the database's clock and the site's date; the page statement
 * (oh_slots, oh_mentor) runs only when the version moved, when what is
 * kept expires (the first listed slot starts, or a minute passed: slots
 * entering the booking window, names changed elsewhere), or when the
 * date moved since this worker last had the window's slots generated
 * (oh_extend, once a day per worker instead of on every read).
 *
 * One refresh at a time: a booking moves the version under every page
 * being read, and each of the requests in flight would otherwise run
 * the page statement again (under 64 connections of page load a
 * booking then waited 470 ms, docs/performance.md#office-hours).  The
 * first request that finds its slot stale refreshes it; the others of
 * the worker sleep until it is done, then take what it kept when that
 * is at least as new as their own check, else refresh in turn.
 *
 * Nothing kept is the viewer's: "me" and "own" come from the check, and
 * these pages carry no booking buttons or seats of their own (those are
 * on the slot's page, app/oh.c).
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"

#define OH_READ_SLOTS		256

/* rq->step: the check, then the page statement with or without oh_extend. */
enum {
	OH_READ_ST_CHECK = 0,	/* oh_read_check: viewer, version, clock */
	OH_READ_ST_PAGE,	/* the page statement */
	OH_READ_ST_PAGE_EXTEND	/* the same, generating slots first */
};

/* A request's part in a slot's refresh (rq->extra). */
struct oh_read_wait {
	TAILQ_ENTRY(oh_read_wait) link;
	struct rq		*rq;
	int			 slot;		/* -1: none */
	int			 role;		/* OH_READ_* below */
};

#define OH_READ_NONE		0
#define OH_READ_WAITING		1
#define OH_READ_REFRESHING	2

/* A refresh running for a slot of oh_read_kept, and who waits for it. */
struct oh_read_flight {
	int				 busy;
	TAILQ_HEAD(, oh_read_wait)	 waiters;
};

int	page_oh_list(struct http_request *);
int	page_oh_mentor(struct http_request *);

static int	oh_read_prepare(struct rq *);
static int	oh_read_page_params(struct rq *, int);
static int	oh_read_respond(struct rq *);
static int	oh_read_current(const struct kept *, json_t *);
static int	oh_read_store(struct rq *, struct kept *, json_t *);
static void	oh_read_reply(struct rq *, const struct kept *, json_t *);
static int	oh_read_is_mentor(const struct rq *);
static struct oh_read_wait *oh_read_state(struct rq *);
static void	oh_read_state_free(void *);
static void	oh_read_done(struct oh_read_wait *);
static int	oh_read_newer(const char *, const char *);

static const struct page oh_list_page = {
	.name = "oh_list", .access = ACCESS_ANYONE, .stmt = "oh_read_check",
	.tmpl = "oh_list", .prepare = oh_read_prepare,
	.respond = oh_read_respond,
};
static const struct page oh_mentor_page = {
	.name = "oh_mentor", .access = ACCESS_ANYONE, .stmt = "oh_read_check",
	.tmpl = "oh_mentor", .prepare = oh_read_prepare,
	.respond = oh_read_respond,
};

/* This file's pages (app.h). */
const struct page *const oh_read_pages[] = {
	&oh_list_page, &oh_mentor_page, NULL
};

/* What this worker keeps; the date it last generated slots on. */
static struct kept	oh_read_kept[OH_READ_SLOTS];
static char		oh_read_today[16];
static struct oh_read_flight	oh_read_flights[OH_READ_SLOTS];

int
page_oh_list(struct http_request *req)
{
	return (rq_run(req, &oh_list_page));
}

int
page_oh_mentor(struct http_request *req)
{
	return (rq_run(req, &oh_mentor_page));
}

static int
oh_read_is_mentor(const struct rq *rq)
{
	return (rq->page == &oh_mentor_page);
}

/*
 * The check: $1 session hash, $2 the mentor's username (their page).
 * The list's ?from and ?to must be dates that exist (400 otherwise).
 */
static int
oh_read_prepare(struct rq *rq)
{
	const char	*names[] = { "from", "to" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < 2 && !oh_read_is_mentor(rq); i++) {
		v = rq_query(rq, names[i]);
		if (v != NULL && *v != '\0' && !oh_date_ok(v)) {
			reply_field_error(rq, names[i], "oh.err.bad_date");
			reply_error(rq, 400, "bad_request", "oh.err.bad_date");
			return (RQ_DONE);
		}
	}
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	rq_param_str(rq, oh_read_is_mentor(rq) ?
	    rq->req->path + strlen("/mentors/") : NULL);
	(void)rq_use_stmt(rq, "oh_read_check");
	return (RQ_NEXT);
}

/*
 * The page statement: oh_mentor ($1 hash, $2 ?lang, $3 language,
 * $4 username, $5 extend) or oh_slots ($1-$3, $4 tag, $5 mentor, $6 from,
 * $7 to, $8 extend).
 */
static int
oh_read_page_params(struct rq *rq, int extend)
{
	const char	*names[] = { "tag", "mentor", "from", "to" };
	const char	*lang, *v;
	size_t		 i;

	lang = rq_query(rq, "lang");
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	rq_param_str(rq, lang != NULL ? i18n_canonical(lang) : NULL);
	rq_param_str(rq, rq->locale);
	if (oh_read_is_mentor(rq)) {
		rq_param_str(rq, rq->req->path + strlen("/mentors/"));
	} else {
		for (i = 0; i < 4; i++) {
			v = rq_query(rq, names[i]);
			rq_param_str(rq, v != NULL && *v != '\0' ? v : NULL);
		}
	}
	rq_param_str(rq, extend ? "true" : "false");
	rq->step = extend ? OH_READ_ST_PAGE_EXTEND : OH_READ_ST_PAGE;
	(void)rq_use_stmt(rq, oh_read_is_mentor(rq) ? "oh_mentor" : "oh_slots");
	return (RQ_NEXT);
}

/*
 * After the check: the kept parts when they are current, else the page
 * statement.  After the page statement: its parts rendered and kept.
 * No row: 404 (not a mentor).
 */
static int
oh_read_respond(struct rq *rq)
{
	struct oh_read_wait	*w;
	struct oh_read_flight	*f;
	struct kept		*e;
	json_t			*doc;
	const char		*today;
	int			 hit, extend;

	if ((doc = rq_stmt_doc(rq)) == NULL)
		return (RQ_DONE);
	e = kept_slot(oh_read_kept, OH_READ_SLOTS, rq,
	    render_locale_index(rq->locale), &hit);
	today = json_string_value(json_object_get(doc, "today"));
	if ((w = oh_read_state(rq)) == NULL) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	if (rq->step == OH_READ_ST_CHECK) {
		extend = today == NULL || strcmp(today, oh_read_today) != 0;
		if (extend || !hit || !oh_read_current(e, doc)) {
			json_decref(doc);
			f = &oh_read_flights[e - oh_read_kept];
			if (f->busy) {
				/* Woken when it is done (oh_read_done). */
				w->slot = (int)(e - oh_read_kept);
				w->role = OH_READ_WAITING;
				TAILQ_INSERT_TAIL(&f->waiters, w, link);
				http_request_sleep(rq->req);
				return (RQ_RETRY);
			}
			f->busy = 1;
			w->slot = (int)(e - oh_read_kept);
			w->role = OH_READ_REFRESHING;
			rq_params_reset(rq);
			return (oh_read_page_params(rq, extend) == RQ_NEXT ?
			    RQ_AGAIN : RQ_DONE);
		}
	} else {
		if (!oh_read_store(rq, e, doc)) {
			kept_clear(e);
			oh_read_done(w);
			json_decref(doc);
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		oh_read_done(w);
		/* The slots were generated up to this date's window. */
		if (rq->step == OH_READ_ST_PAGE_EXTEND && today != NULL)
			(void)snprintf(oh_read_today, sizeof(oh_read_today),
			    "%s", today);
	}
	oh_read_reply(rq, e, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* Whether e was made at the check's version and has not expired. */
static int
oh_read_current(const struct kept *e, json_t *check)
{
	const char	*have, *want;

	if (e->doc == NULL || e->html == NULL || e->ids == NULL)
		return (0);
	have = json_string_value(json_object_get(e->doc, "version"));
	want = json_string_value(json_object_get(check, "version"));
	if (have == NULL || want == NULL || !oh_read_newer(have, want))
		return (0);
	return (json_integer_value(json_object_get(check, "now_ms")) <
	    json_integer_value(json_object_get(e->doc, "expires_ms")));
}

/*
 * Keeps what every reader of doc (a page statement's) gets alike: the
 * week view rendered (e->html), the JSON answer without the viewer and
 * without its closing brace (e->ids), and in e->doc the version, the
 * expiry and what the template needs besides ("page").  0 on failure.
 */
static int
oh_read_store(struct rq *rq, struct kept *e, json_t *doc)
{
	static const char *const	 own[] = { "me", "own", "version",
					    "today", "expires_ms" };
	struct buf			 out;
	json_t				*answer, *page, *mentor;
	char				*text;
	size_t				 i, len;

	buf_init(&out);
	if (!render_html(rq, "oh_days", doc, &out)) {
		buf_free(&out);
		return (0);
	}
	answer = json_copy(doc);
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		json_object_del(answer, own[i]);
	text = json_dumps(answer, JSON_COMPACT);
	page = json_copy(answer);
	json_object_del(page, "slots");
	json_object_del(page, "days");
	if ((mentor = json_object_get(page, "mentor")) != NULL) {
		mentor = json_copy(mentor);
		json_object_del(mentor, "slots");
		json_object_del(mentor, "days");
		json_object_set_new(page, "mentor", mentor);
	}
	json_decref(answer);
	free(e->html);
	free(e->ids);
	json_decref(e->doc);
	e->html = buf_release(&out, NULL);
	e->ids = text;
	e->doc = json_pack("{s:O?, s:O?, s:o}", "version",
	    json_object_get(doc, "version"), "expires_ms",
	    json_object_get(doc, "expires_ms"), "page", page);
	if (e->html == NULL || e->ids == NULL || e->doc == NULL ||
	    (len = strlen(e->ids)) < 2 || e->ids[len - 1] != '}')
		return (0);
	e->ids[len - 1] = '\0';
	return (1);
}

/* The answer: the kept parts with this viewer's (from doc). */
static void
oh_read_reply(struct rq *rq, const struct kept *e, json_t *doc)
{
	struct buf	 b;
	json_t		*page, *me;
	char		*text;

	me = json_object_get(doc, "me");
	if (rq->json) {
		buf_init(&b);
		buf_appends(&b, e->ids);
		if ((text = json_dumps(me != NULL ? me : json_null(),
		    JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
			buf_free(&b);
			reply_error(rq, 500, "internal", "errors.internal");
			return;
		}
		buf_appendf(&b, "%s\"me\":%s", strlen(e->ids) > 1 ? "," : "",
		    text);
		free(text);
		if (oh_read_is_mentor(rq))
			buf_appendf(&b, ",\"own\":%s", json_is_true(
			    json_object_get(doc, "own")) ? "true" : "false");
		buf_appendc(&b, '}');
		reply_json_text(rq, 200, b.data, b.len);
		buf_free(&b);
		return;
	}
	page = json_copy(json_object_get(e->doc, "page"));
	json_object_set(page, "me", me != NULL ? me : json_null());
	json_object_set_new(page, "own", json_boolean(json_is_true(
	    json_object_get(doc, "own"))));
	json_object_set_new(page, "days_html", json_string_nocheck(e->html));
	(void)reply_page(rq, 200, rq->page->tmpl, page);
	json_decref(page);
}

/*
 * Whether version have ("<listing version>[.<mentor's state>]") is at
 * least as new as want: its number no lower, the rest the same.
 */
static int
oh_read_newer(const char *have, const char *want)
{
	const char	*a, *b;

	a = strchr(have, '.');
	b = strchr(want, '.');
	if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b)))
		return (0);
	return (strtoll(have, NULL, 10) >= strtoll(want, NULL, 10));
}

/* This request's part in refreshes, made on first use; NULL: no memory. */
static struct oh_read_wait *
oh_read_state(struct rq *rq)
{
	struct oh_read_wait	*w;
	size_t			 i;

	if (rq->extra != NULL)
		return (rq->extra);
	if (oh_read_flights[0].waiters.tqh_last == NULL) {
		for (i = 0; i < OH_READ_SLOTS; i++)
			TAILQ_INIT(&oh_read_flights[i].waiters);
	}
	(void)rq_state_new(rq, sizeof(*w), oh_read_state_free);
	if ((w = rq->extra) != NULL) {
		w->rq = rq;
		w->slot = -1;
	}
	return (w);
}

/* The request ends (rq_release): out of any queue, its refresh done. */
static void
oh_read_state_free(void *p)
{
	struct oh_read_wait	*w = p;

	if (w->role == OH_READ_WAITING)
		TAILQ_REMOVE(&oh_read_flights[w->slot].waiters, w, link);
	else if (w->role == OH_READ_REFRESHING)
		oh_read_done(w);
	w->role = OH_READ_NONE;
}

/* w's refresh is over (kept or not): its slot's waiters go again. */
static void
oh_read_done(struct oh_read_wait *w)
{
	struct oh_read_flight	*f;
	struct oh_read_wait	*x;

	if (w->role != OH_READ_REFRESHING)
		return;
	f = &oh_read_flights[w->slot];
	f->busy = 0;
	w->role = OH_READ_NONE;
	while ((x = TAILQ_FIRST(&f->waiters)) != NULL) {
		TAILQ_REMOVE(&f->waiters, x, link);
		x->role = OH_READ_NONE;
		http_request_wakeup(x->rq->req);
	}
}

/*
 * comp_pages.c: the competition pages read most, kept per worker
 * (docs/performance.md#competition-pages): a competition's page
 * (comp.c), a judge's queue and a scoring form (comp_judge.c), as
 * browsers get them.  Programs (JSON, API tokens) get them through the
 * guard and the page statement as always (guard_own_session()).
 *
 * A browser's read asks one small check statement first (comp_page_check,
 * comp_judging_check, comp_score_check in assets/sql/comp.sql), which
 * resolves the session too (comp_session(), so the guard asks nothing),
 * and reads the version the kept page must have been made at (bumped by
 * the writing transaction: migrations/0020_comp_pages.sql), the database
 * clock and the competition's next date.  The page statement runs only
 * when the version moved or the next date passed (the phase and what it
 * allows change with the clock alone); what it returns is kept under the
 * check's version, which is never newer than the content.
 *
 * What is kept:
 *   - a competition's page: the document every reader gets alike (made
 *     for nobody); the viewer's parts (their entries, whether they judge
 *     or manage it, whether they may enter) come from the check, the
 *     countdown from the check's clock;
 *   - a judge's queue and scoring form: the judge's own document, under
 *     a key that names the judge (and the entry), never another's;
 *   - with each document, its parts that hold nothing of the session
 *     rendered (ck_parts); the rest of the page is rendered per request.
 * One refresh of a slot at a time (struct ck_flight).
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "comp.h"
#include "jparse.h"

#define CK_PAGE_SLOTS		32
#define CK_JUDGING_SLOTS	64
#define CK_SCORE_SLOTS		128

/* rq->step of a kept page's read. */
enum {
	CK_ST_FIRST = 0,	/* nothing asked yet */
	CK_ST_CHECK,		/* the check statement answered */
	CK_ST_PAGE		/* the page statement after the check */
};

/*
 * The parts of each page rendered once and kept (the page's template
 * shows a part's HTML when the document has it, else renders the part
 * itself: one template for kept and whole pages).  None holds anything
 * of the session (no CSRF token); what does is rendered per request.
 */
struct ck_part {
	const char	*tmpl;		/* the part's template */
	const char	*key;		/* its HTML in the page's document */
};

static const struct ck_part	ck_parts_page[] = {
	{ "comp_page_head", "comp_head_html" },
	{ "comp_page_facts", "comp_facts_html" },
	{ "comp_page_body", "comp_body_html" },
	{ NULL, NULL }
};
static const struct ck_part	ck_parts_judging[] = {
	{ "comp_judging_queue", "queue_html" },
	{ NULL, NULL }
};
static const struct ck_part	ck_parts_score[] = {
	{ "comp_score_entry", "score_entry_html" },
	{ NULL, NULL }
};
static const struct ck_part *const ck_parts[] = {
	ck_parts_page, ck_parts_judging, ck_parts_score
};

/*
 * A request's part in a kept page's read (rq->extra): its check, kept
 * for the page statement, and its place in a slot's refresh.
 */
struct ck_state {
	TAILQ_ENTRY(ck_state)	 link;
	struct rq		*rq;
	json_t			*check;
	int			 kind;		/* COMP_KEPT_* */
	int			 slot;		/* -1: none */
	int			 role;		/* CK_* below */
	int			 woken;		/* the viewer was settled
						   before it slept */
};

#define CK_NONE			0
#define CK_WAITING		1
#define CK_REFRESHING		2

/*
 * One refresh at a time per slot (as app/oh_read.c): a write moves the
 * version under every reader of the page, and the requests of a worker
 * that find the slot stale while its page statement runs sleep until it
 * is done, then take what it kept when the versions match.
 */
struct ck_flight {
	int			 busy;
	TAILQ_HEAD(, ck_state)	 waiters;
};

static struct kept	*ck_slot(struct rq *, int);
static int		 ck_after_check(struct rq *, int);
static int		 ck_after_page(struct rq *, int);
static int		 ck_current(const struct kept *, json_t *);
static json_t		*ck_render_parts(struct rq *, int, json_t *);
static void		 ck_reply(struct rq *, int, json_t *, json_t *);
static json_t		*ck_page_competition(json_t *, json_t *);
static void		 ck_countdown(struct rq *, json_t *, json_t *);
static void		 ck_state_free(void *);
static struct ck_state	*ck_state_get(struct rq *, int);
static struct ck_flight	*ck_flight(int, int);
static int		 ck_slot_index(int, const struct kept *);
static void		 ck_done(struct ck_state *);

/*
 * What this worker keeps: {"version", "expires_ms", "doc", "parts"} in
 * e->doc (ck_after_page), per key (ck_slot) and language; "parts" holds
 * the HTML of the page's parts (ck_parts) by their keys.
 */
static struct kept	ck_page_kept[CK_PAGE_SLOTS];
static struct kept	ck_judging_kept[CK_JUDGING_SLOTS];
static struct kept	ck_score_kept[CK_SCORE_SLOTS];
static struct ck_flight	ck_page_flights[CK_PAGE_SLOTS];
static struct ck_flight	ck_judging_flights[CK_JUDGING_SLOTS];
static struct ck_flight	ck_score_flights[CK_SCORE_SLOTS];

/* The check: $1 the session's hash, $2 the competition or the entry. */
int
comp_kept_prepare(struct rq *rq, int kind)
{
	static const char *const	 stmts[] = { "comp_page_check",
					    "comp_judging_check",
					    "comp_score_check" };

	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	if (kind != COMP_KEPT_JUDGING)
		rq_param_int(rq, comp_path_id(rq));
	rq->step = CK_ST_CHECK;
	(void)rq_use_stmt(rq, stmts[kind]);
	return (RQ_NEXT);
}

int
comp_kept_respond(struct rq *rq, int kind)
{
	if (rq->step == CK_ST_CHECK)
		return (ck_after_check(rq, kind));
	return (ck_after_page(rq, kind));
}

/*
 * The slot of this request's page in this worker's table: the
 * competition's page per competition, the queue per judge, the form per
 * entry and judge; all per language.
 */
static struct kept *
ck_slot(struct rq *rq, int kind)
{
	char		 key[64];
	int		 hit, loc;

	loc = render_locale_index(rq->locale);
	switch (kind) {
	case COMP_KEPT_PAGE:
		(void)snprintf(key, sizeof(key), "c%lld",
		    (long long)comp_path_id(rq));
		return (kept_slot_key(ck_page_kept, CK_PAGE_SLOTS, key, loc,
		    &hit));
	case COMP_KEPT_JUDGING:
		(void)snprintf(key, sizeof(key), "j%lld",
		    (long long)rq->me.id);
		return (kept_slot_key(ck_judging_kept, CK_JUDGING_SLOTS, key,
		    loc, &hit));
	default:
		(void)snprintf(key, sizeof(key), "s%lld.%lld",
		    (long long)comp_path_id(rq), (long long)rq->me.id);
		return (kept_slot_key(ck_score_kept, CK_SCORE_SLOTS, key, loc,
		    &hit));
	}
}

/*
 * After the check: the viewer settled (or refused: the login page), the
 * kept page when it is current, else the page statement.
 */
static int
ck_after_check(struct rq *rq, int kind)
{
	struct ck_state		*st;
	struct ck_flight	*f;
	struct kept		*e;
	json_t			*check;

	if (rq->res_null || (check = jparse(rq->res, rq->res_len)) == NULL ||
	    !json_is_object(check)) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	st = rq->extra;
	if (st == NULL || !st->woken) {
		if (!rq_viewer(rq, json_object_get(check, "me"))) {
			json_decref(check);
			return (RQ_DONE);
		}
		if (kind == COMP_KEPT_PAGE &&
		    !json_is_true(json_object_get(check, "found"))) {
			json_decref(check);
			reply_error(rq, 404, "not_found", "errors.not_found");
			return (RQ_DONE);
		}
	}
	e = ck_slot(rq, kind);
	if (ck_current(e, check)) {
		ck_reply(rq, kind, e->doc, check);
		json_decref(check);
		return (RQ_DONE);
	}
	if ((st = ck_state_get(rq, kind)) == NULL) {
		json_decref(check);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	st->slot = ck_slot_index(kind, e);
	f = ck_flight(kind, st->slot);
	if (f->busy) {
		/* Woken when it is done (ck_done); the check is read again. */
		json_decref(check);
		st->role = CK_WAITING;
		st->woken = 1;
		TAILQ_INSERT_TAIL(&f->waiters, st, link);
		http_request_sleep(rq->req);
		return (RQ_RETRY);
	}
	f->busy = 1;
	st->role = CK_REFRESHING;
	json_decref(st->check);
	st->check = check;

	/* comp_page_kept ($1), comp_judging ($1 judge), comp_score_page. */
	rq_params_reset(rq);
	if (kind == COMP_KEPT_PAGE) {
		rq_param_int(rq, comp_path_id(rq));
		(void)rq_use_stmt(rq, "comp_page_kept");
	} else if (kind == COMP_KEPT_JUDGING) {
		rq_param_int(rq, rq->me.id);
		(void)rq_use_stmt(rq, "comp_judging");
	} else {
		(void)comp_id_prepare(rq);
		(void)rq_use_stmt(rq, "comp_score_page");
	}
	rq->step = CK_ST_PAGE;
	return (RQ_AGAIN);
}

/*
 * After the page statement: its document labelled, kept under the
 * check's version and next date (when there is a version), and shown.
 */
static int
ck_after_page(struct rq *rq, int kind)
{
	struct ck_state	*st = rq->extra;
	struct kept	*e;
	json_t		*doc, *version, *kept;

	if (st == NULL || st->check == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	/* What is kept below is made now: the waiters run after this. */
	ck_done(st);
	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	comp_labels(rq, doc);
	if ((kept = ck_render_parts(rq, kind, doc)) == NULL) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	version = json_object_get(st->check, "version");
	if (json_is_string(version)) {
		json_object_set(kept, "version", version);
		json_object_set(kept, "expires_ms", json_object_get(st->check,
		    "expires_ms"));
		e = ck_slot(rq, kind);
		json_decref(e->doc);
		e->doc = json_incref(kept);
	}
	ck_reply(rq, kind, kept, st->check);
	json_decref(kept);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * {"doc": doc, "parts": {key: HTML}} with the page's parts rendered from
 * doc (a new reference), or NULL when a part fails to render.
 */
static json_t *
ck_render_parts(struct rq *rq, int kind, json_t *doc)
{
	const struct ck_part	*p;
	struct buf		 out;
	json_t			*parts;
	char			*html;

	parts = json_object();
	for (p = ck_parts[kind]; p->tmpl != NULL; p++) {
		buf_init(&out);
		if (!render_html(rq, p->tmpl, doc, &out) ||
		    (html = buf_release(&out, NULL)) == NULL) {
			buf_free(&out);
			json_decref(parts);
			return (NULL);
		}
		json_object_set_new(parts, p->key, json_string_nocheck(html));
		free(html);
	}
	return (json_pack("{s:O, s:o}", "doc", doc, "parts", parts));
}

/* Whether e holds a page made at the check's version, not expired. */
static int
ck_current(const struct kept *e, json_t *check)
{
	const char	*have, *want;
	json_t		*until;

	if (e->doc == NULL || json_object_get(e->doc, "doc") == NULL)
		return (0);
	have = json_string_value(json_object_get(e->doc, "version"));
	want = json_string_value(json_object_get(check, "version"));
	if (have == NULL || want == NULL || strcmp(have, want))
		return (0);
	until = json_object_get(e->doc, "expires_ms");
	return (!json_is_integer(until) ||
	    json_integer_value(json_object_get(check, "now_ms")) <
	    json_integer_value(until));
}

/*
 * The page from kept ({"doc", "parts"}, not consumed): the kept parts'
 * HTML and, rendered here, what is the session's or the clock's: a
 * competition's page gets the viewer's parts from the check and its
 * countdown by the check's clock; the scoring form its forms (the
 * judge's scores, the CSRF token).  Only what those need is handed to
 * the template.
 */
static void
ck_reply(struct rq *rq, int kind, json_t *kept, json_t *check)
{
	json_t		*doc, *page, *entry;

	doc = json_object_get(kept, "doc");
	if (kind == COMP_KEPT_PAGE) {
		page = json_pack("{s:o}", "competition", ck_page_competition(
		    json_object_get(doc, "competition"), check));
		json_object_set(page, "next_at_ms", json_object_get(doc,
		    "next_at_ms"));
	} else if (kind == COMP_KEPT_JUDGING) {
		page = json_object();
	} else {
		page = json_copy(doc);
		entry = json_object_get(doc, "entry");
		if (json_is_object(entry))
			json_object_set_new(page, "entry", json_pack(
			    "{s:O?, s:O?}", "id", json_object_get(entry, "id"),
			    "title", json_object_get(entry, "title")));
	}
	if (page == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return;
	}
	json_object_update(page, json_object_get(kept, "parts"));
	if (kind == COMP_KEPT_PAGE)
		ck_countdown(rq, page, check);
	(void)reply_page(rq, 200, rq->page->tmpl, page);
	json_decref(page);
}

/*
 * What a competition's page renders per request of kept competition c:
 * its id, title, next date and phase flags, and the viewer's parts from
 * the check (a new reference).
 */
static json_t *
ck_page_competition(json_t *c, json_t *check)
{
	static const char *const	 from_c[] = { "id", "title",
					    "title_local", "next_at", "phase" };
	static const char *const	 own[] = { "my_entries", "i_judge",
					    "can_manage", "can_enter" };
	const char			*k;
	json_t				*out, *v;
	size_t				 i;

	out = json_object();
	for (i = 0; i < sizeof(from_c) / sizeof(from_c[0]); i++)
		json_object_set(out, from_c[i], json_object_get(c, from_c[i]));
	json_object_foreach(c, k, v) {
		if (!strncmp(k, "phase_", 6))
			json_object_set(out, k, v);
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		json_object_set(out, own[i], json_object_get(check, own[i]));
	return (out);
}

/*
 * The viewer's entries labelled, and the countdown to the next date by
 * the check's clock (comp_countdown).
 */
static void
ck_countdown(struct rq *rq, json_t *page, json_t *check)
{
	json_t		*c, *at;
	json_int_t	 secs;
	char		*text;

	c = json_object_get(page, "competition");
	at = json_object_get(page, "next_at_ms");
	comp_labels(rq, json_object_get(c, "my_entries"));
	if (!json_is_integer(at))
		return;
	secs = (json_integer_value(at) - json_integer_value(
	    json_object_get(check, "now_ms"))) / 1000;
	json_object_set_new(c, "next_in", json_integer(secs));
	if ((text = comp_countdown(rq, secs)) != NULL)
		json_object_set_new(c, "countdown", json_string(text));
	free(text);
}

/* This request's state, made on first use; NULL: none could be made. */
static struct ck_state *
ck_state_get(struct rq *rq, int kind)
{
	struct ck_state	*st;

	if (rq->extra != NULL)
		return (rq->extra);
	if (!rq_state_new(rq, sizeof(*st), ck_state_free) ||
	    (st = rq->extra) == NULL)
		return (NULL);
	st->rq = rq;
	st->kind = kind;
	st->slot = -1;
	return (st);
}

/* The flight of slot i of kind's table. */
static struct ck_flight *
ck_flight(int kind, int i)
{
	static int		 ready;
	struct ck_flight	*f;
	size_t			 j;

	if (!ready) {
		for (j = 0; j < CK_PAGE_SLOTS; j++)
			TAILQ_INIT(&ck_page_flights[j].waiters);
		for (j = 0; j < CK_JUDGING_SLOTS; j++)
			TAILQ_INIT(&ck_judging_flights[j].waiters);
		for (j = 0; j < CK_SCORE_SLOTS; j++)
			TAILQ_INIT(&ck_score_flights[j].waiters);
		ready = 1;
	}
	if (kind == COMP_KEPT_PAGE)
		f = &ck_page_flights[i];
	else if (kind == COMP_KEPT_JUDGING)
		f = &ck_judging_flights[i];
	else
		f = &ck_score_flights[i];
	return (f);
}

/* The place of e in kind's table. */
static int
ck_slot_index(int kind, const struct kept *e)
{
	if (kind == COMP_KEPT_PAGE)
		return ((int)(e - ck_page_kept));
	if (kind == COMP_KEPT_JUDGING)
		return ((int)(e - ck_judging_kept));
	return ((int)(e - ck_score_kept));
}

/* st's refresh is over (kept or not): its slot's waiters go again. */
static void
ck_done(struct ck_state *st)
{
	struct ck_flight	*f;
	struct ck_state		*x;

	if (st->role != CK_REFRESHING)
		return;
	f = ck_flight(st->kind, st->slot);
	f->busy = 0;
	st->role = CK_NONE;
	while ((x = TAILQ_FIRST(&f->waiters)) != NULL) {
		TAILQ_REMOVE(&f->waiters, x, link);
		x->role = CK_NONE;
		http_request_wakeup(x->rq->req);
	}
}

/* The request ends (rq_release): out of any queue, its refresh done. */
static void
ck_state_free(void *p)
{
	struct ck_state	*st = p;

	if (st->role == CK_WAITING)
		TAILQ_REMOVE(&ck_flight(st->kind, st->slot)->waiters, st,
		    link);
	else if (st->role == CK_REFRESHING)
		ck_done(st);
	st->role = CK_NONE;
	json_decref(st->check);
	st->check = NULL;
}

/*
 * board.c: the discussion board (docs/api.md#discussion-board): the board,
 * category and topic pages, starting topics, replies, edits with kept
 * revisions, flags and marking a topic solved.
 *
 * C renders Markdown (with the mentions it finds outside code) and makes
 * search tokens; the rules (who may post where, held posts, new-user
 * limits, slow mode, flag thresholds, notifications, the NOTIFY for live
 * updates) are the functions of migrations/0005_board.sql.  Moderation
 * is app/mod.c, search app/search_page.c, feeds app/feed.c, live updates
 * app/live.c.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "jparse.h"

#define BOARD_TITLE_MIN		3
#define BOARD_TITLE_MAX		200
#define BOARD_NOTE_MAX		500

/*
 * rq->step of the board, category and topic pages: browsers whose worker
 * holds the page first run the small check statement; the page
 * statement runs when it does not (or JSON clients).
 */
enum {
	BOARD_ST_CHECK = 0,	/* board_check, category_check, topic_check */
	BOARD_ST_PAGE		/* board_page, category_page, topic_page */
};

/*
 * The posts of topic pages as most readers see them, rendered once per
 * topic version, page and language and kept in each worker
 * (docs/performance.md#kept-pages).  A small statement (topic_check)
 * reads the topic's version and the viewer; the page statement runs only
 * when the version moved.
 * Any change to what the page shows bumps the version in the same
 * transaction (board_touch), so a reader never gets an older page after
 * their own write, whichever worker answers.
 * Kept (keep.c) under "<topic>/<cursor>/<before>" (-1: absent): html the
 * posts, doc the page without "me" and "posts" (its "last_number" is the
 * last post number shown), version the topic's.
 */
#define POSTS_SLOTS		2048

static struct kept	posts_cache[POSTS_SLOTS];

/*
 * Category pages' topic lists (and the board's, one per language in
 * board_slot()) the same way, per address and language (keep.c), under
 * the board's listing version (listing_versions 'board', bumped by
 * board_touch()).  What is the reader's own (unread counts) is read
 * apart, by category_check and board_check, and shown by app.js.
 */
#define LISTS_SLOTS		256
#define BOARD_LOCALES		8	/* the board's own lists: a slot each */

static struct kept	lists_cache[LISTS_SLOTS];

int	page_board(struct http_request *);
int	page_category(struct http_request *);
int	page_topic(struct http_request *);
int	page_topic_new(struct http_request *);
int	page_topics(struct http_request *);
int	page_topic_posts(struct http_request *);
int	page_post(struct http_request *);
int	page_post_edit(struct http_request *);
int	page_post_revisions(struct http_request *);
int	page_post_flag(struct http_request *);
int	page_topic_solve(struct http_request *);

/* What a post being written carries between prepare and the statement. */
struct board_text {
	char	*html;		/* malloc()ed by md_render */
	char	*mentions;	/* JSON array, malloc()ed */
};

static void	board_lang_params(struct rq *);
static int	board_cursor_int(struct rq *, const char *);
static int	board_prepare(struct rq *);
static int	board_category_prepare(struct rq *);
static int	board_topic_prepare(struct rq *);
static int	board_topic_respond(struct rq *);
static int	board_category_respond(struct rq *);
static int	board_respond(struct rq *);
static int	board_category_page_params(struct rq *);
static int	board_list_store(struct rq *, struct kept *, json_t *,
		    const char *);
static struct kept *board_slot(struct rq *);
static void	board_unread_attr(json_t *, json_t *);
static void	board_unread_from_reads(json_t *);
static struct kept *board_posts_slot(struct rq *, int, int *);
static void	board_topic_viewer_parts(json_t *, json_t *);
static int	board_form_page(struct rq *, const char *, const char *,
		    const char *);
static int	board_flag_form_respond(struct rq *);
static int	board_solve_form_respond(struct rq *);
static int	board_topic_new_respond(struct rq *);
static int	board_topic_create_prepare(struct rq *);
static int	board_created_respond(struct rq *);
static int	board_reply_prepare(struct rq *);
static int	board_edit_form_prepare(struct rq *);
static int	board_edit_prepare(struct rq *);
static int	board_edit_respond(struct rq *);
static int	board_revisions_prepare(struct rq *);
static int	board_flag_prepare(struct rq *);
static int	board_solve_prepare(struct rq *);
static int	board_back_respond(struct rq *);
static int	board_body_text(struct rq *, struct board_text **);
static void	board_text_free(void *);

static const struct page board_page = {
	.name = "board", .access = ACCESS_ANYONE, .stmt = "board_page",
	.tmpl = "board_index", .prepare = board_prepare, .respond = board_respond,
};
static const struct page category_page = {
	.name = "category", .access = ACCESS_ANYONE, .stmt = "category_page",
	.tmpl = "board_category", .prepare = board_category_prepare,
	.respond = board_category_respond,
};
static const struct page topic_page = {
	.name = "topic", .access = ACCESS_ANYONE, .stmt = "topic_page",
	.tmpl = "board_topic", .prepare = board_topic_prepare,
	.respond = board_topic_respond,
};
static const struct page flag_form_page = {
	.name = "post_flag_form", .access = ACCESS_VERIFIED,
	.flags = PAGE_NO_STMT, .tmpl = "board_post_flag",
	.respond = board_flag_form_respond,
};
static const struct page solve_form_page = {
	.name = "topic_solve_form", .access = ACCESS_USER,
	.flags = PAGE_NO_STMT, .tmpl = "board_topic_solve",
	.respond = board_solve_form_respond,
};
static const struct page topic_new_page = {
	.name = "topic_new", .access = ACCESS_VERIFIED, .flags = PAGE_NO_STMT,
	.tmpl = "board_topic_form", .respond = board_topic_new_respond,
};
static const struct page topic_create_post = {
	.name = "topic_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "topic_create", .tmpl = "board_topic_form",
	.prepare = board_topic_create_prepare, .respond = board_created_respond,
};
static const struct page reply_post = {
	.name = "post_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "post_create", .tmpl = "board_post_form",
	.prepare = board_reply_prepare, .respond = board_created_respond,
};
static const struct page edit_form_page = {
	.name = "post_edit_form", .access = ACCESS_VERIFIED,
	.stmt = "post_edit_form", .tmpl = "board_post_edit",
	.prepare = board_edit_form_prepare,
};
static const struct page edit_post = {
	.name = "post_edit", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "post_edit", .tmpl = "board_post_edit", .prepare = board_edit_prepare,
	.respond = board_edit_respond,
};
static const struct page revisions_page = {
	.name = "post_revisions", .access = ACCESS_USER,
	.stmt = "post_revisions", .tmpl = "board_post_revisions",
	.prepare = board_revisions_prepare,
};
static const struct page flag_post = {
	.name = "post_flag", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "post_flag", .tmpl = "board_post_flag", .prepare = board_flag_prepare,
	.respond = board_back_respond,
};
static const struct page solve_post = {
	.name = "topic_solve", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT,
	.stmt = "topic_solve", .tmpl = "board_topic_solve",
	.prepare = board_solve_prepare,
	.respond = board_back_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const board_pages[] = {
	&board_page, &category_page, &topic_page, &flag_form_page,
	&solve_form_page, &topic_new_page, &topic_create_post,
	&reply_post, &edit_form_page, &edit_post, &revisions_page,
	&flag_post, &solve_post, NULL
};

int
page_board(struct http_request *req)
{
	return (rq_run(req, &board_page));
}

int
page_category(struct http_request *req)
{
	return (rq_run(req, &category_page));
}

int
page_topic(struct http_request *req)
{
	return (rq_run(req, &topic_page));
}

int
page_topic_new(struct http_request *req)
{
	return (rq_run(req, &topic_new_page));
}

int
page_topics(struct http_request *req)
{
	return (rq_run(req, &topic_create_post));
}

int
page_topic_posts(struct http_request *req)
{
	return (rq_run(req, &reply_post));
}

int
page_post(struct http_request *req)
{
	return (rq_run(req, &edit_post));
}

int
page_post_edit(struct http_request *req)
{
	/* The edit form posts to its own address. */
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &edit_post :
	    &edit_form_page));
}

int
page_post_revisions(struct http_request *req)
{
	return (rq_run(req, &revisions_page));
}

/* GET: a form for browsers without the page's script; POST: the flag. */
int
page_post_flag(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &flag_post :
	    &flag_form_page));
}

int
page_topic_solve(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &solve_post :
	    &solve_form_page));
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/*
 * $1 session, $2 the explicit ?lang (or NULL), $3 the negotiated
 * language: statements pick category names with the user's own setting
 * between the two, as guard_negotiate_locale() does for the page.
 */
static void
board_lang_params(struct rq *rq)
{
	const char	*lang;

	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	lang = rq_query(rq, "lang");
	rq_param_str(rq, lang != NULL ? i18n_canonical(lang) : NULL);
	rq_param_str(rq, rq->locale);
}

/*
 * A non-negative integer query parameter as the next parameter (NULL
 * when absent); 0 when it is malformed.
 */
static int
board_cursor_int(struct rq *rq, const char *name)
{
	const char	*v;
	size_t		 i;

	if ((v = rq_query(rq, name)) == NULL || *v == '\0') {
		rq_param_null(rq);
		return (1);
	}
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 9)
			return (0);
	}
	rq_param_str(rq, v);
	return (1);
}

/*
 * GET /board.  Browsers whose worker holds the lists: board_check first;
 * else, and for JSON clients, board_page.
 */
static int
board_prepare(struct rq *rq)
{
	struct kept	*e;

	e = board_slot(rq);
	if (!rq->json && rq->step == BOARD_ST_CHECK && e->doc != NULL) {
		rq_param_str(rq, rq->session_hash[0] ? rq->session_hash :
		    NULL);
		/* A copy: the slot may change hands while this waits. */
		rq_param_own(rq, strdup(e->ids));
		(void)rq_use_stmt(rq, "board_check");
		return (RQ_NEXT);
	}
	rq->step = BOARD_ST_PAGE;
	board_lang_params(rq);
	(void)rq_use_stmt(rq, "board_page");
	return (RQ_NEXT);
}

/*
 * The board's kept lists for this language (keep.c, one slot a
 * language); e->doc is NULL when none are held.
 */
static struct kept *
board_slot(struct rq *rq)
{
	static struct kept	 boards[BOARD_LOCALES];
	int			 hit;

	return (kept_slot_key(boards, BOARD_LOCALES, "/board",
	    render_locale_index(rq->locale), &hit));
}

/*
 * GET /c/{slug}?cursor=<pinned>.<microseconds>.<id>.  Browsers whose
 * worker holds this list: category_check first; else, and for JSON
 * clients, category_page.
 */
static int
board_category_prepare(struct rq *rq)
{
	struct kept	*e;
	int			 hit;

	e = kept_slot(lists_cache, LISTS_SLOTS, rq,
	    render_locale_index(rq->locale), &hit);
	if (!rq->json && rq->step == BOARD_ST_CHECK && hit && e->doc != NULL) {
		board_lang_params(rq);
		rq_param_str(rq, rq->req->path + strlen("/c/"));
		/* A copy: the slot may change hands while this waits. */
		rq_param_own(rq, strdup(e->ids));
		(void)rq_use_stmt(rq, "category_check");
		return (RQ_NEXT);
	}
	rq->step = BOARD_ST_PAGE;
	return (board_category_page_params(rq));
}

/* category_page's parameters; the cursor is checked here. */
static int
board_category_page_params(struct rq *rq)
{
	const char	*c, *d1, *d2;
	size_t		 i;

	board_lang_params(rq);
	rq_param_str(rq, rq->req->path + strlen("/c/"));
	(void)rq_use_stmt(rq, "category_page");
	if ((c = rq_query(rq, "cursor")) == NULL || *c == '\0') {
		rq_param_null(rq);
		rq_param_null(rq);
		rq_param_null(rq);
		return (RQ_NEXT);
	}
	for (i = 0; c[i] != '\0'; i++) {
		if ((c[i] < '0' || c[i] > '9') && c[i] != '.')
			goto bad;
	}
	if (strlen(c) > 48 || (c[0] != '0' && c[0] != '1') || c[1] != '.' ||
	    (d1 = c + 2) == NULL || (d2 = strchr(d1, '.')) == NULL ||
	    d2 == d1 || d2[1] == '\0' || strchr(d2 + 1, '.') != NULL)
		goto bad;
	rq_param_own(rq, strndup(c, 1));
	rq_param_own(rq, strndup(d1, (size_t)(d2 - d1)));
	rq_param_str(rq, d2 + 1);
	return (RQ_NEXT);
bad:
	reply_error(rq, 400, "bad_request", "errors.bad_cursor");
	return (RQ_DONE);
}

/*
 * data-unread for app.js: topic id -> unread posts (-1: never opened),
 * from a map (category pages) or from the topics' own fields (board).
 */
static void
board_unread_attr(json_t *doc, json_t *map)
{
	json_t		*own, *t;
	size_t		 i;
	char		*s, id[24];

	own = NULL;
	if (map == NULL) {
		own = json_object();
		json_array_foreach(json_object_get(doc, "topics"), i, t) {
			if (json_is_null(json_object_get(t, "unread")))
				continue;
			(void)snprintf(id, sizeof(id), "%lld", (long long)
			    json_integer_value(json_object_get(t, "id")));
			json_object_set_new(own, id, json_integer(
			    json_is_true(json_object_get(t, "new")) ? -1 :
			    json_integer_value(json_object_get(t, "unread"))));
		}
		map = own;
	}
	s = json_is_object(map) ? json_dumps(map, JSON_COMPACT) : NULL;
	json_object_set_new(doc, "unread_json", json_string(s ? s : ""));
	free(s);
	json_decref(own);
}

/*
 * "unread" (topic id -> unread posts, -1: never opened) from how far the
 * reader has read ("reads", from category_check; absent for nobody) and
 * the kept topics' last post numbers.
 */
static void
board_unread_from_reads(json_t *doc)
{
	json_t		*reads, *map, *last;
	const char	*id;
	json_int_t	 n, r;

	if ((reads = json_object_get(doc, "reads")) == NULL ||
	    !json_is_object(reads))
		return;
	map = json_object();
	json_object_foreach(json_object_get(doc, "last_numbers"), id, last) {
		n = -1;
		if (json_object_get(reads, id) != NULL) {
			r = json_integer_value(json_object_get(reads, id));
			n = json_integer_value(last) - r;
			if (n < 0)
				n = 0;
		}
		json_object_set_new(map, id, json_integer(n));
	}
	json_object_set_new(doc, "unread", map);
	json_object_del(doc, "reads");
}

/*
 * JSON clients get the document as is.  Browsers: after board_check, the
 * lists this worker holds when the version matches and the reader is not
 * staff (else board_page); after board_page, the lists rendered, and
 * kept when the reader is not staff.
 */
static int
board_respond(struct rq *rq)
{
	struct kept	*e, once;
	json_t			*doc;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	e = board_slot(rq);
	if (rq->step == BOARD_ST_CHECK && (e->doc == NULL || json_is_true(
	    json_object_get(doc, "staff")) || e->version !=
	    json_integer_value(json_object_get(doc, "version")))) {
		json_decref(doc);
		rq_params_reset(rq);
		rq->step = BOARD_ST_PAGE;
		return (board_prepare(rq) == RQ_NEXT ? RQ_AGAIN : RQ_DONE);
	}
	if (rq->step != BOARD_ST_CHECK) {
		if (json_is_true(json_object_get(doc, "staff"))) {
			/* The staff room is in it: render, do not keep. */
			memset(&once, 0, sizeof(once));
			if (!board_list_store(rq, &once, doc, "board_index"))
				goto fail;
			json_object_update(doc, once.doc);
			json_object_set_new(doc, "topics_html",
			    json_string(once.html));
			free(once.html);
			free(once.ids);
			json_decref(once.doc);
			goto render;
		}
		if (!board_list_store(rq, e, doc, "board_index"))
			goto fail;
	}
	json_object_update(doc, e->doc);
	json_object_set_new(doc, "topics_html", json_string_nocheck(e->html));
render:
	if (rq->step == BOARD_ST_CHECK) {
		board_unread_from_reads(doc);
		board_unread_attr(doc, json_object_get(doc, "unread"));
	} else {
		board_unread_attr(doc, NULL);
	}
	json_object_del(doc, "last_numbers");
	(void)reply_page(rq, 200, "board_index", doc);
	json_decref(doc);
	return (RQ_DONE);
fail:
	json_decref(doc);
	reply_error(rq, 500, "internal", "errors.internal");
	return (RQ_DONE);
}

/*
 * Keeps the topics of a list page's doc rendered in e (template tmpl;
 * the board's categories are rendered into "categories_html" of e->doc),
 * with their ids and last post numbers.  0 when rendering failed.
 */
static int
board_list_store(struct rq *rq, struct kept *e, json_t *doc,
    const char *tmpl)
{
	struct buf	 out, ids, cats;
	json_t		*lasts, *t;
	size_t		 i;
	char		 id[24];
	int		 board;

	board = !strcmp(tmpl, "board_index");
	buf_init(&out);
	buf_init(&cats);
	if (!render_html(rq, "board_category_topics", doc, &out) ||
	    (board && !render_html(rq, "board_lists", doc, &cats))) {
		buf_free(&out);
		buf_free(&cats);
		return (0);
	}
	buf_init(&ids);
	lasts = json_object();
	buf_appendc(&ids, '{');
	json_array_foreach(json_object_get(doc, "topics"), i, t) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)
		    json_integer_value(json_object_get(t, "id")));
		buf_appendf(&ids, "%s%s", i > 0 ? "," : "", id);
		json_object_set(lasts, id, json_object_get(t, "last_number"));
	}
	buf_appendc(&ids, '}');
	free(e->html);
	free(e->ids);
	json_decref(e->doc);
	e->html = buf_release(&out, NULL);
	e->ids = buf_release(&ids, NULL);
	e->doc = json_pack("{s:O?, s:o, s:s}", "next_cursor",
	    json_object_get(doc, "next_cursor"), "last_numbers", lasts,
	    "categories_html", cats.data ? cats.data : "");
	buf_free(&cats);
	e->version = json_integer_value(json_object_get(doc, "version"));
	return (e->ids != NULL && e->doc != NULL);
}

/*
 * JSON clients get the document as is.  Browsers: after category_check,
 * the list this worker holds when the version matches (else
 * category_page); after category_page, the list rendered and kept.
 */
static int
board_category_respond(struct rq *rq)
{
	struct kept	*e;
	json_t			*doc;
	int			 hit;

	if (rq->res_null && rq->step == BOARD_ST_CHECK) {
		rq_params_reset(rq);
		rq->step = BOARD_ST_PAGE;
		return (board_category_page_params(rq) == RQ_NEXT ? RQ_AGAIN :
		    RQ_DONE);
	}
	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	e = kept_slot(lists_cache, LISTS_SLOTS, rq,
	    render_locale_index(rq->locale), &hit);
	if (rq->step == BOARD_ST_CHECK && (!hit || e->doc == NULL ||
	    e->version != json_integer_value(json_object_get(doc,
	    "version")))) {
		/* Not held at this version: the whole page. */
		json_decref(doc);
		rq_params_reset(rq);
		rq->step = BOARD_ST_PAGE;
		return (board_category_page_params(rq) == RQ_NEXT ? RQ_AGAIN :
		    RQ_DONE);
	}
	if (rq->step != BOARD_ST_CHECK &&
	    !board_list_store(rq, e, doc, "board_category")) {
		free(e->key);
		e->key = NULL;
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	json_object_update(doc, e->doc);
	json_object_set_new(doc, "topics_html", json_string_nocheck(e->html));
	if (rq->step == BOARD_ST_CHECK)
		board_unread_from_reads(doc);
	board_unread_attr(doc, json_object_get(doc, "unread"));
	json_object_del(doc, "last_numbers");
	(void)reply_page(rq, 200, "board_category", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * The cache slot of this topic page in language loc; *hit when it holds
 * this page (at some version).
 */
static struct kept *
board_posts_slot(struct rq *rq, int loc, int *hit)
{
	const char	*v;
	int64_t		 id, after, before;
	char		 key[80];

	id = rq_path_id(rq, "/t/");
	after = (v = rq_query(rq, "cursor")) != NULL && *v != '\0' ?
	    strtoll(v, NULL, 10) : -1;
	before = (v = rq_query(rq, "before")) != NULL && *v != '\0' ?
	    strtoll(v, NULL, 10) : -1;
	(void)snprintf(key, sizeof(key), "%lld/%lld/%lld", (long long)id,
	    (long long)after, (long long)before);
	return (kept_slot_key(posts_cache, POSTS_SLOTS, key, loc, hit));
}

/*
 * GET /t/{id}?cursor=<number> (after it) or ?before=<number>.  Browsers
 * whose worker holds this page: topic_check first; else, and for JSON
 * clients, topic_page.
 */
static int
board_topic_prepare(struct rq *rq)
{
	struct kept	*e;
	int		 hit;

	e = board_posts_slot(rq, render_locale_index(rq->locale), &hit);
	if (!rq->json && rq->step == BOARD_ST_CHECK && hit && e->doc != NULL) {
		rq_param_str(rq, rq->session_hash[0] ? rq->session_hash :
		    NULL);
		rq_param_int(rq, rq_path_id(rq, "/t/"));
		rq_param_int(rq, json_integer_value(json_object_get(e->doc,
		    "last_number")));
		(void)rq_use_stmt(rq, "topic_check");
		return (RQ_NEXT);
	}
	board_lang_params(rq);
	rq_param_int(rq, rq_path_id(rq, "/t/"));
	if (!board_cursor_int(rq, "cursor") ||
	    !board_cursor_int(rq, "before")) {
		reply_error(rq, 400, "bad_request", "errors.bad_cursor");
		return (RQ_DONE);
	}
	(void)rq_use_stmt(rq, "topic_page");
	rq->step = BOARD_ST_PAGE;
	return (RQ_NEXT);
}

/*
 * What a kept page needs of this reader (a plain one: not staff), from
 * topic_check: their own "me", and the topic's flags that depend on who
 * reads ("topic": the statement decides them, as topic_page does).
 */
static void
board_topic_viewer_parts(json_t *doc, json_t *check)
{
	json_t	*me;

	me = json_object_get(check, "me");
	json_object_set(doc, "me", me != NULL ? me : json_null());
	json_object_update(json_object_get(doc, "topic"),
	    json_object_get(check, "topic"));
}

/*
 * JSON clients get the document as is.  Browsers: after topic_check, the
 * page this worker holds when the version matches (else topic_page);
 * after topic_page, the posts rendered, and kept with the page when the
 * reader sees what everybody sees.
 */
static int
board_topic_respond(struct rq *rq)
{
	struct kept	*e;
	struct buf	 out;
	json_t		*doc, *check;
	int64_t		 version;
	int		 hit;

	if (rq->json) {
		if (rq->res_null) {
			reply_error(rq, 404, "not_found", "errors.not_found");
			return (RQ_DONE);
		}
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (RQ_DONE);
	}
	if (rq->step == BOARD_ST_CHECK) {
		check = rq->res_null ? NULL : jparse(rq->res, rq->res_len);
		if (check != NULL)
			guard_page_locale(rq, check);
		e = board_posts_slot(rq, render_locale_index(rq->locale), &hit);
		version = json_integer_value(json_object_get(check,
		    "version"));
		if (check == NULL || !hit || e->doc == NULL ||
		    e->version != version) {
			json_decref(check);
			rq_params_reset(rq);
			rq->step = BOARD_ST_PAGE;
			return (board_topic_prepare(rq) == RQ_NEXT ? RQ_AGAIN :
			    RQ_DONE);
		}
		doc = json_deep_copy(e->doc);
		board_topic_viewer_parts(doc, check);
		json_decref(check);
		json_object_set_new(doc, "posts_html",
		    json_string_nocheck(e->html));
		(void)reply_page(rq, 200, "board_topic", doc);
		json_decref(doc);
		return (RQ_DONE);
	}

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	guard_page_locale(rq, doc);
	buf_init(&out);
	if (!render_html(rq, "board_topic_posts", doc, &out)) {
		buf_free(&out);
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	if (json_is_true(json_object_get(doc, "plain"))) {
		e = board_posts_slot(rq, render_locale_index(rq->locale), &hit);
		free(e->html);
		json_decref(e->doc);
		e->html = buf_release(&out, NULL);
		e->doc = json_deep_copy(doc);
		json_object_del(e->doc, "me");
		json_object_del(e->doc, "posts");
		e->version = json_integer_value(json_object_get(
		    json_object_get(doc, "topic"), "version"));
		json_object_set_new(doc, "posts_html",
		    json_string_nocheck(e->html));
	} else {
		json_object_set_new(doc, "posts_html",
		    json_string_nocheck(out.data ? out.data : ""));
		buf_free(&out);
	}
	(void)reply_page(rq, 200, "board_topic", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * A form page without a statement: template tmpl with form.<field> set
 * to value (programs get the same document as JSON).
 */
static int
board_form_page(struct rq *rq, const char *tmpl, const char *field,
    const char *value)
{
	json_t	*doc;

	doc = json_pack("{s:{s:s}}", "form", field, value);
	reply_form_choice(json_object_get(doc, "form"), field, value);
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* GET /posts/{id}/flag */
static int
board_flag_form_respond(struct rq *rq)
{
	return (board_form_page(rq, "board_post_flag", "reason", "spam"));
}

/* GET /t/{id}/solve?post_id= */
static int
board_solve_form_respond(struct rq *rq)
{
	const char	*pid;

	pid = rq_query(rq, "post_id");
	return (board_form_page(rq, "board_topic_solve", "post_id", pid ? pid : ""));
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void
board_text_free(void *p)
{
	struct board_text	*t = p;

	free(t->html);
	free(t->mentions);
}

/* The "body" field rendered, with its mentions; 0 on a field error. */
static int
board_body_text(struct rq *rq, struct board_text **out)
{
	struct board_text	*t;

	(void)rq_state_new(rq, sizeof(*t), board_text_free);
	t = rq->extra;
	*out = t;
	return (content_markdown(rq, "body", 1, &t->html, &t->mentions));
}

/* GET /topics/new?category=<slug>: the form, its category chosen. */
static int
board_topic_new_respond(struct rq *rq)
{
	const char	*c;

	c = rq_query(rq, "category");
	return (board_form_page(rq, "board_topic_form", "category",
	    c ? c : "general"));
}

/* POST /topics: category, title (3-200), body. */
static int
board_topic_create_prepare(struct rq *rq)
{
	struct board_text	*t;
	const char		*title;

	(void)rq_text(rq, "category", 1, 1, 40, 0);
	title = rq_text(rq, "title", 1, BOARD_TITLE_MIN, BOARD_TITLE_MAX, 0);
	if (!board_body_text(rq, &t) || rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq_field(rq, "category", NULL));
	rq_param_str(rq, title);
	rq_param_own(rq, content_tokens(title));
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_str(rq, t->html);
	rq_param_own(rq, content_tokens(rq_field(rq, "body", NULL)));
	rq_param_str(rq, t->mentions);
	return (RQ_NEXT);
}

/*
 * 201 with the document; browsers go to the new thing (a held post's
 * page shows it "awaiting approval" to its author).
 */
static int
board_created_respond(struct rq *rq)
{
	json_t		*doc, *thing;
	const char	*url;

	doc = json_loadb(rq->res, rq->res_len, 0, NULL);
	if ((thing = json_object_get(doc, "topic")) == NULL)
		thing = json_object_get(doc, "post");
	url = json_string_value(json_object_get(thing, "url"));
	reply_created(rq, rq->res, rq->res_len, url);
	json_decref(doc);
	return (RQ_DONE);
}

/* POST /t/{id}/posts: body, reply_to (a post id) optional. */
static int
board_reply_prepare(struct rq *rq)
{
	struct board_text	*t;
	const char		*to;
	int64_t			 id;

	id = rq_path_id(rq, "/t/");
	to = rq_text(rq, "reply_to", 0, 0, 18, 0);
	if (to != NULL && *to != '\0' && strspn(to, "0123456789") !=
	    strlen(to))
		reply_field_error(rq, "reply_to", "errors.bad_reply_to");
	if (!board_body_text(rq, &t) || rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, id);
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_str(rq, t->html);
	rq_param_own(rq, content_tokens(rq_field(rq, "body", NULL)));
	rq_param_str(rq, to != NULL && *to != '\0' ? to : NULL);
	rq_param_str(rq, t->mentions);
	return (RQ_NEXT);
}

/* GET /posts/{id}/edit */
static int
board_edit_form_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/posts/"));
	return (RQ_NEXT);
}

/* POST /posts/{id}: body. */
static int
board_edit_prepare(struct rq *rq)
{
	struct board_text	*t;

	if (!board_body_text(rq, &t) || rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/posts/"));
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_str(rq, t->html);
	rq_param_own(rq, content_tokens(rq_field(rq, "body", NULL)));
	rq_param_str(rq, t->mentions);
	return (RQ_NEXT);
}

/* 200 with the post; browsers back to it. */
static int
board_edit_respond(struct rq *rq)
{
	static const char *const	things[] = { "post", NULL };

	return (reply_result_at(rq, 200, things, "/board"));
}

/* GET /posts/{id}/revisions */
static int
board_revisions_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/posts/"));
	return (RQ_NEXT);
}

/* POST /posts/{id}/flag: reason, note. */
static int
board_flag_prepare(struct rq *rq)
{
	static const char *const reasons[] = {
		"spam", "offensive", "off_topic", "other", NULL
	};
	const char	*reason, *note;
	size_t		 i;

	reason = rq_text(rq, "reason", 1, 1, 20, 0);
	note = rq_text(rq, "note", 0, 0, BOARD_NOTE_MAX, 1);
	for (i = 0; reason != NULL && reasons[i] != NULL; i++) {
		if (!strcmp(reasons[i], reason))
			break;
	}
	if (reason != NULL && reasons[i] == NULL)
		reply_field_error(rq, "reason", "errors.bad_flag_reason");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/posts/"));
	rq_param_str(rq, reason);
	rq_param_str(rq, note != NULL ? note : "");
	return (RQ_NEXT);
}

/* POST /t/{id}/solve: post_id (empty clears). */
static int
board_solve_prepare(struct rq *rq)
{
	const char	*pid;

	pid = rq_text(rq, "post_id", 0, 0, 18, 0);
	if (pid != NULL && *pid != '\0' && strspn(pid, "0123456789") !=
	    strlen(pid))
		reply_field_error(rq, "post_id", "errors.bad_solution");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/t/"));
	rq_param_str(rq, pid != NULL && *pid != '\0' ? pid : NULL);
	return (RQ_NEXT);
}

/* 200 with the result; browsers back to the topic or post it names. */
static int
board_back_respond(struct rq *rq)
{
	static const char *const	things[] = { "post", "topic", NULL };

	return (reply_result_at(rq, 200, things, "/board"));
}

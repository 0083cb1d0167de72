/*
 * search_page.c: GET /search?q=&type=&cursor= — the board's topics (one
 * result per topic, whether its title or some of its posts match) and
 * projects in one list, newest first, only what the viewer may see
 * (statement search_page in assets/sql/search.sql, the viewer resolved
 * in it).
 *
 * The query goes through the same tokenizer as the stored text
 * (search.c), so whatever is typed becomes only [a-z0-9] and CJK
 * tokens: no input reaches PostgreSQL's query syntax, and a query with
 * nothing searchable (only symbols, empty) still runs the statement,
 * which then finds nothing but still resolves the viewer for the page.
 *
 * The statement sends each result's text (the start of its Markdown,
 * bounded); here it becomes the excerpt around the first match, for JSON
 * and HTML alike (excerpt.c), and the title and excerpt are cut into
 * segments marked as hits or not.  The page's template wraps hit
 * segments in <mark> and escapes every segment like any text, so a
 * match inside "<b>" shows "<b>" as text.
 *
 * Kept results (the pattern of the board's lists, keep.c): a worker
 * keeps the results part of the page it rendered, per address and
 * language, under the board's and the projects' listing versions (their
 * sum: both only grow), which every write that changes what search can
 * find bumps.  A browser's repeated search then costs search_check (the
 * viewer and the versions); staff, who also find the staff room, and
 * JSON clients always get search_page.
 *
 * Totals: the statement counts every result when it read every match
 * (rare words, the first page); for a common word it read only the
 * newest posts, and the total is what it found there ("at least").
 * Later pages cannot count what came before them, so the first page's
 * total travels in the cursor (two more numbers, shown only).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "excerpt.h"
#include "jparse.h"
#include "search.h"
#include "text.h"

#define SEARCH_Q_ECHO_MAX	400	/* bytes of the query shown back */
#define SEARCH_MATCHES_CAP	100	/* matching posts counted per topic
					   (the statement reports 101 for
					   more) */

#define SEARCH_SLOTS		256
#define SEARCH_KEEP_MAX		1500	/* query strings longer than this
					   are not kept (keep.c's key) */

/* rq->step: search_check first when this worker holds the results. */
enum {
	SEARCH_ST_CHECK = 0,	/* search_check: version and viewer */
	SEARCH_ST_PAGE		/* search_page: the whole search */
};

/* What prepare leaves for respond (rq->extra). */
struct search_state {
	char		*tokens;	/* query tokens, malloc()ed */
	long long	 cursor[3];
	int		 has_cursor;
	long long	 total;		/* from the cursor; -1: none */
	int		 total_more;
};

static struct kept	search_kept[SEARCH_SLOTS];

int	page_search(struct http_request *);

static int	search_prepare(struct rq *);
static int	search_respond(struct rq *);
static int	search_cursor(struct rq *, struct search_state *);
static void	search_params(struct rq *, struct search_state *);
static struct kept *search_slot(struct rq *, int *);
static int	search_kept_page(struct rq *);
static int	search_page_doc(struct rq *, json_t *);
static int	search_type_ok(const char *);
static char	*search_echo(const char *);
static void	search_more_url(json_t *, const char *, const char *);
static void	search_state_free(void *);
static int	search_results(json_t *, const char *);
static json_t	*search_parts(const struct excerpt *);
static void	search_total(json_t *, const struct search_state *);
static void	search_texts(json_t *, const char *);
static json_t	*search_count_text(const char *, const char *, json_int_t,
		    int);
static void	search_url_append_escaped(struct buf *, const char *);

static const struct page search_page = {
	.name = "search", .access = ACCESS_ANYONE,
	.stmt = "search_page", .tmpl = "search_page",
	.prepare = search_prepare, .respond = search_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const search_pages[] = {
	&search_page, NULL
};

int
page_search(struct http_request *req)
{
	return (rq_run(req, &search_page));
}

static int
search_type_ok(const char *t)
{
	return (!strcmp(t, "") || !strcmp(t, "topic") ||
	    !strcmp(t, "post") || !strcmp(t, "project"));
}

/*
 * "<epoch microseconds>.<kind>.<id>[.<total>.<more>]" into st (the
 * statement's three numbers, and the total, -1 when absent); 0 when it
 * is malformed.
 */
static int
search_cursor(struct rq *rq, struct search_state *st)
{
	const char	*c, *p;
	char		*end;
	long long	 v[5];
	int		 i, n;

	st->total = -1;
	if ((c = rq_query(rq, "cursor")) == NULL || *c == '\0')
		return (1);
	if (strlen(c) > 80)
		return (0);
	p = c;
	for (n = 0; n < 5; n++) {
		if (*p < '0' || *p > '9')
			return (0);
		v[n] = strtoll(p, &end, 10);
		/* 17 digits of microseconds reach past the year 5000. */
		if (end - p > 17 || (*end != '.' && *end != '\0'))
			return (0);
		p = end + 1;
		if (*end == '\0')
			break;
	}
	if ((n != 2 && n != 4) || v[1] > 2 || (n == 4 && v[4] > 1))
		return (0);
	for (i = 0; i < 3; i++)
		st->cursor[i] = v[i];
	st->has_cursor = 1;
	if (n == 4) {
		st->total = v[3];
		st->total_more = (int)v[4];
	}
	return (1);
}

/*
 * The query as typed, for the form and the JSON: valid UTF-8 only (it
 * goes to PostgreSQL as text), cut at a character boundary.  malloc()ed,
 * the caller's.
 */
static char *
search_echo(const char *q)
{
	size_t	len;

	len = strlen(q);
	if (!text_utf8_valid(q, len))
		len = 0;
	if (len > SEARCH_Q_ECHO_MAX) {
		len = SEARCH_Q_ECHO_MAX;
		while (len > 0 && ((unsigned char)q[len] & 0xc0) == 0x80)
			len--;
	}
	/* NULL (no memory) fails the request in rq_param_own(). */
	return (strndup(q, len));
}

static void
search_state_free(void *arg)
{
	struct search_state	*st = arg;

	free(st->tokens);
}

/* The slot of this address and language, or NULL when not kept. */
static struct kept *
search_slot(struct rq *rq, int *hit)
{
	*hit = 0;
	if (rq->req->query_string != NULL &&
	    strlen(rq->req->query_string) > SEARCH_KEEP_MAX)
		return (NULL);
	return (kept_slot(search_kept, SEARCH_SLOTS, rq,
	    render_locale_index(rq->locale), hit));
}

/* search_page's seven parameters. */
static void
search_params(struct rq *rq, struct search_state *st)
{
	const char	*q, *type;
	int		 i;

	q = rq_query(rq, "q");
	type = rq_query(rq, "type");
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	if (*st->tokens == '\0')
		rq_param_null(rq);
	else
		rq_param_str(rq, st->tokens);
	rq_param_str(rq, type != NULL ? type : "");
	for (i = 0; i < 3; i++) {
		if (st->has_cursor)
			rq_param_int(rq, st->cursor[i]);
		else
			rq_param_null(rq);
	}
	rq_param_own(rq, search_echo(q != NULL ? q : ""));
}

/*
 * Checks the request once; then browsers whose worker keeps this page's
 * results ask search_check, everyone else search_page.
 */
static int
search_prepare(struct rq *rq)
{
	struct search_state	*st;
	struct buf		 tokens;
	const char		*q, *type;
	int			 hit;

	if (rq->extra == NULL) {
		if ((q = rq_query(rq, "q")) == NULL)
			q = "";
		if ((type = rq_query(rq, "type")) == NULL)
			type = "";
		if (!search_type_ok(type)) {
			reply_field_error(rq, "type", "search.bad_type");
			return (rq_reply_invalid(rq));
		}
		(void)rq_state_new(rq, sizeof(*st), search_state_free);
		st = rq->extra;
		buf_init(&tokens);
		(void)search_query_tokens(q, strlen(q), &tokens);
		st->tokens = buf_release(&tokens, NULL);
		if (!search_cursor(rq, st)) {
			reply_error(rq, 400, "bad_request",
			    "errors.bad_cursor");
			return (RQ_DONE);
		}
	}
	st = rq->extra;
	if (!rq->json && rq->step == SEARCH_ST_CHECK &&
	    search_slot(rq, &hit) != NULL && hit) {
		rq_param_str(rq, rq->session_hash[0] ? rq->session_hash :
		    NULL);
		(void)rq_use_stmt(rq, "search_check");
		return (RQ_NEXT);
	}
	rq->step = SEARCH_ST_PAGE;
	search_params(rq, st);
	(void)rq_use_stmt(rq, "search_page");
	return (RQ_NEXT);
}

/* Percent-encode s for a query string value (RFC 3986 unreserved kept). */
static void
search_url_append_escaped(struct buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_appendc(b, (char)c);
			continue;
		}
		buf_appendc(b, '%');
		buf_appendc(b, hex[c >> 4]);
		buf_appendc(b, hex[c & 0x0f]);
	}
}

/* doc.more_url: the next page's address, when there is one. */
static void
search_more_url(json_t *doc, const char *q, const char *type)
{
	struct buf	 url;
	const char	*cursor;

	if ((cursor = json_string_value(json_object_get(doc,
	    "next_cursor"))) == NULL)
		return;
	buf_init(&url);
	buf_appends(&url, "/search?q=");
	search_url_append_escaped(&url, q);
	if (type != NULL && *type != '\0') {
		buf_appends(&url, "&type=");
		search_url_append_escaped(&url, type);
	}
	buf_appends(&url, "&cursor=");
	search_url_append_escaped(&url, cursor);
	json_object_set_new(doc, "more_url", json_string(url.data));
	buf_free(&url);
}

/* [{text, hit}] for the segments of ex (a new reference). */
static json_t *
search_parts(const struct excerpt *ex)
{
	json_t	*parts;
	size_t	 i;

	parts = json_array();
	for (i = 0; i < ex->nseg; i++) {
		json_array_append_new(parts, json_pack("{s:s%,s:b}", "text",
		    ex->text.data + ex->seg[i].off, ex->seg[i].len, "hit",
		    ex->seg[i].hit));
	}
	return (parts);
}

/*
 * Each result's "text" (the statement's, removed here) becomes
 * "excerpt" (plain text around the first match) and "excerpt_parts";
 * the title gets "title_parts"; a topic's matching posts over the cap
 * become "matches": 100 with "matches_more".  0 when a result is not
 * what the statement promises.
 */
static int
search_results(json_t *doc, const char *tokens)
{
	struct excerpt	 ex;
	struct buf	 plain;
	json_t		*r, *m;
	const char	*text, *title;
	size_t		 i;

	buf_init(&plain);
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		if ((title = json_string_value(json_object_get(r,
		    "title"))) == NULL) {
			buf_free(&plain);
			return (0);
		}
		excerpt_make(&ex, title, strlen(title), tokens, 0);
		json_object_set_new(r, "title_parts", search_parts(&ex));
		excerpt_free(&ex);

		buf_reset(&plain);
		if ((text = json_string_value(json_object_get(r,
		    "text"))) != NULL)
			excerpt_plain(text, strlen(text), &plain);
		buf_appends(&plain, "");
		excerpt_make(&ex, plain.data, plain.len, tokens,
		    EXCERPT_CHARS);
		json_object_set_new(r, "excerpt", json_string(ex.text.data));
		json_object_set_new(r, "excerpt_parts", search_parts(&ex));
		excerpt_free(&ex);
		json_object_del(r, "text");

		m = json_object_get(r, "matches");
		if (json_is_integer(m) && json_integer_value(m) >
		    SEARCH_MATCHES_CAP) {
			json_object_set_new(r, "matches",
			    json_integer(SEARCH_MATCHES_CAP));
			json_object_set_new(r, "matches_more", json_true());
		} else if (json_is_integer(m))
			json_object_set_new(r, "matches_more", json_false());
	}
	buf_free(&plain);
	return (1);
}

/*
 * The first page counts (doc.total); later pages show the total their
 * cursor carried.  A next page's cursor carries it on.
 */
static void
search_total(json_t *doc, const struct search_state *st)
{
	const char	*next;
	json_t		*total;
	char		*cur;

	if (st->total >= 0) {
		json_object_set_new(doc, "total", json_integer(st->total));
		json_object_set_new(doc, "total_more",
		    json_boolean(st->total_more));
	}
	total = json_object_get(doc, "total");
	next = json_string_value(json_object_get(doc, "next_cursor"));
	if (next == NULL || !json_is_integer(total))
		return;
	if (asprintf(&cur, "%s.%lld.%d", next,
	    (long long)json_integer_value(total),
	    json_is_true(json_object_get(doc, "total_more"))) == -1)
		return;
	json_object_set_new(doc, "next_cursor", json_string(cur));
	free(cur);
}

/*
 * key_one or key_many (or key_more when more) of the catalog with {n}
 * replaced by n (a new reference).
 */
static json_t *
search_count_text(const char *locale, const char *key, json_int_t n,
    int more)
{
	struct buf	 out;
	const char	*tmpl;
	char		 full[48], num[24];
	json_t		*s;

	(void)snprintf(full, sizeof(full), "search.%s_%s", key, more ?
	    "more" : n == 1 ? "one" : "many");
	(void)snprintf(num, sizeof(num), "%lld", (long long)n);
	if ((tmpl = render_text(locale, full)) == NULL)
		return (json_null());
	buf_init(&out);
	text_subst(&out, tmpl, "n", num);
	s = json_string(out.data);
	buf_free(&out);
	return (s);
}

/* The count line and each topic's matching posts in the reader's words. */
static void
search_texts(json_t *doc, const char *locale)
{
	json_t	*r, *m;
	size_t	 i;

	if (json_integer_value(json_object_get(doc, "total")) > 0)
		json_object_set_new(doc, "count_text", search_count_text(
		    locale, "count", json_integer_value(json_object_get(doc,
		    "total")), json_is_true(json_object_get(doc,
		    "total_more"))));
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		m = json_object_get(r, "matches");
		if (json_is_integer(m) && json_integer_value(m) > 0)
			json_object_set_new(r, "matches_text",
			    search_count_text(locale, "matches",
			    json_integer_value(m), json_is_true(
			    json_object_get(r, "matches_more"))));
	}
}

/*
 * The page around results_html: the form shows the query as typed and
 * the type chosen.  Consumes doc.
 */
static int
search_page_doc(struct rq *rq, json_t *doc)
{
	const char	*q, *type;
	char		*echo, key[32];

	q = rq_query(rq, "q");
	type = rq_query(rq, "type");
	if (type == NULL || *type == '\0')
		type = "all";
	echo = search_echo(q != NULL ? q : "");
	json_object_set_new(doc, "q", json_string(echo ? echo : ""));
	json_object_set_new(doc, "searched", json_boolean(echo != NULL &&
	    *echo != '\0'));
	free(echo);
	(void)snprintf(key, sizeof(key), "type_%s", type);
	json_object_set_new(doc, key, json_true());
	(void)reply_page(rq, 200, "search_page", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * After search_check: the kept results when they are still current and
 * the viewer is not staff; else search_page (RQ_AGAIN).
 */
static int
search_kept_page(struct rq *rq)
{
	struct kept	*e;
	json_t		*doc;
	int		 hit;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	e = search_slot(rq, &hit);
	if (e == NULL || !hit || json_is_true(json_object_get(doc,
	    "staff")) || e->version != json_integer_value(
	    json_object_get(doc, "version"))) {
		json_decref(doc);
		rq_params_reset(rq);
		rq->step = SEARCH_ST_PAGE;
		return (search_prepare(rq) == RQ_NEXT ? RQ_AGAIN : RQ_DONE);
	}
	json_object_set_new(doc, "results_html",
	    json_string_nocheck(e->html));
	return (search_page_doc(rq, doc));
}

/*
 * The document with excerpts and totals for JSON clients.  Browsers get
 * the results part rendered (search_results; what only the template
 * needs: the kind of each result as a flag, whether a search was made,
 * the count in words, the next page's address), kept unless the viewer
 * is staff, inside the page.
 */
static int
search_respond(struct rq *rq)
{
	struct search_state	*st = rq->extra;
	struct kept		*e;
	struct buf		 out;
	json_t			*doc, *r;
	const char		*type, *q;
	char			 key[32];
	size_t			 i;
	int			 hit;

	if (rq->step == SEARCH_ST_CHECK)
		return (search_kept_page(rq));
	if (rq->res_null) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL ||
	    !search_results(doc, st->tokens)) {
		json_decref(doc);
		reply_internal(rq, "search_respond: not a search document");
		return (RQ_DONE);
	}
	search_total(doc, st);
	if (rq->json) {
		reply_json(rq, 200, doc);
		json_decref(doc);
		return (RQ_DONE);
	}
	guard_page_locale(rq, doc);
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		type = json_string_value(json_object_get(r, "type"));
		(void)snprintf(key, sizeof(key), "is_%s", type ? type : "");
		json_object_set_new(r, key, json_true());
	}
	type = json_string_value(json_object_get(doc, "type"));
	q = json_string_value(json_object_get(doc, "q"));
	json_object_set_new(doc, "searched", json_boolean(q != NULL &&
	    *q != '\0'));
	json_object_set_new(doc, "any", json_boolean(json_array_size(
	    json_object_get(doc, "results")) > 0));
	search_texts(doc, rq->locale);
	search_more_url(doc, q ? q : "", type);

	buf_init(&out);
	if (!render_html(rq, "search_results", doc, &out)) {
		buf_free(&out);
		json_decref(doc);
		reply_internal(rq, "search_respond: search_results failed");
		return (RQ_DONE);
	}
	buf_appends(&out, "");
	if (!json_is_true(json_object_get(doc, "staff")) &&
	    (e = search_slot(rq, &hit)) != NULL) {
		free(e->html);
		e->html = strdup(out.data);
		e->version = json_integer_value(json_object_get(doc,
		    "version"));
	}
	r = json_pack("{s:O?,s:s}", "me", json_object_get(doc, "me"),
	    "results_html", out.data);
	buf_free(&out);
	json_decref(doc);
	if (r == NULL) {
		reply_internal(rq, "search_respond: no memory");
		return (RQ_DONE);
	}
	return (search_page_doc(rq, r));
}

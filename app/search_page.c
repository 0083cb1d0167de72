/*
 * search_page.c: GET /search?q=&type=&cursor= — topics, posts and
 * projects in one list, newest first, only what the viewer may see
 * (statement search_page in assets/sql/search.sql, the viewer resolved
 * in it).
 *
 * The query goes through the same tokenizer as the stored text
 * (search.c), so whatever is typed becomes only [a-z0-9] and CJK
 * tokens: no input reaches PostgreSQL's query syntax, and a query with
 * nothing searchable (only symbols, empty) still runs the statement,
 * which then finds nothing but still resolves the viewer for the page.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jparse.h"
#include "search.h"
#include "text.h"

#define SEARCH_Q_ECHO_MAX	400	/* bytes of the query shown back */

int	page_search(struct http_request *);

static int	search_prepare(struct rq *);
static int	search_respond(struct rq *);
static int	search_cursor(struct rq *);
static int	search_type_ok(const char *);
static char	*search_echo(const char *);
static void	search_more_url(json_t *, const char *, const char *);
static void	url_append_escaped(struct buf *, const char *);

static const struct page search_page = {
	.name = "search", .access = ACCESS_ANYONE,
	.stmt = "search_page", .tmpl = "search",
	.prepare = search_prepare, .respond = search_respond,
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
 * "<epoch microseconds>.<kind>.<id>" into three parameters (NULLs when
 * absent); 0 when it is malformed.
 */
static int
search_cursor(struct rq *rq)
{
	const char	*c, *p;
	char		*end;
	long long	 v[3];
	int		 i;

	if ((c = rq_query(rq, "cursor")) == NULL || *c == '\0') {
		rq_param_null(rq);
		rq_param_null(rq);
		rq_param_null(rq);
		return (1);
	}
	if (strlen(c) > 60)
		return (0);
	p = c;
	for (i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return (0);
		v[i] = strtoll(p, &end, 10);
		/* 17 digits of microseconds reach past the year 5000. */
		if (*end != (i < 2 ? '.' : '\0') || end - p > 17)
			return (0);
		p = end + 1;
	}
	if (v[1] > 2)
		return (0);
	rq_param_int(rq, v[0]);
	rq_param_int(rq, v[1]);
	rq_param_int(rq, v[2]);
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

static int
search_prepare(struct rq *rq)
{
	struct buf	 tokens;
	const char	*q, *type;

	if ((q = rq_query(rq, "q")) == NULL)
		q = "";
	if ((type = rq_query(rq, "type")) == NULL)
		type = "";
	if (!search_type_ok(type)) {
		reply_field_error(rq, "type", "search.bad_type");
		return (rq_reply_invalid(rq));
	}

	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	buf_init(&tokens);
	if (search_query_tokens(q, strlen(q), &tokens) > 0)
		rq_param_own(rq, buf_release(&tokens, NULL));
	else {
		buf_free(&tokens);
		rq_param_null(rq);
	}
	rq_param_str(rq, type);
	if (!search_cursor(rq)) {
		reply_error(rq, 400, "bad_request", "errors.bad_cursor");
		return (RQ_DONE);
	}
	rq_param_own(rq, search_echo(q));
	return (RQ_NEXT);
}

/* Percent-encode s for a query string value (RFC 3986 unreserved kept). */
static void
url_append_escaped(struct buf *b, const char *s)
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
	url_append_escaped(&url, q);
	if (type != NULL && *type != '\0') {
		buf_appends(&url, "&type=");
		url_append_escaped(&url, type);
	}
	buf_appends(&url, "&cursor=");
	url_append_escaped(&url, cursor);
	json_object_set_new(doc, "more_url", json_string(url.data));
	buf_free(&url);
}

/*
 * JSON clients get the document as is.  The page adds what only the
 * template needs: the kind of each result as a flag, which type the
 * filter shows, whether a search was made, the next page's address.
 */
static int
search_respond(struct rq *rq)
{
	json_t		*doc, *r;
	const char	*type, *q;
	char		 key[32];
	size_t		 i;

	if (rq->res_null) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	if (rq->json) {
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	guard_page_locale(rq, doc);
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		type = json_string_value(json_object_get(r, "type"));
		(void)snprintf(key, sizeof(key), "is_%s", type ? type : "");
		json_object_set_new(r, key, json_true());
	}
	type = json_string_value(json_object_get(doc, "type"));
	(void)snprintf(key, sizeof(key), "type_%s", type ? type : "all");
	json_object_set_new(doc, key, json_true());
	q = json_string_value(json_object_get(doc, "q"));
	json_object_set_new(doc, "searched", json_boolean(q != NULL &&
	    *q != '\0'));
	json_object_set_new(doc, "any", json_boolean(json_array_size(
	    json_object_get(doc, "results")) > 0));
	search_more_url(doc, q ? q : "", type);
	(void)reply_page(rq, 200, "search", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * mod.c: moderation (docs/api.md#moderation, /mod/...): the review
 * queue, what staff do with posts and topics, and the sensitive-word
 * lists.
 *
 * The board holds, limits and hides by itself while no staff are awake
 * (migrations/0005_board.sql); this is where staff catch up.  C checks
 * the fields (messages in the user's language) and puts labels on the
 * queue; the rules (which action fits which state, the counters, the
 * notifications, the audit log) are in the functions of
 * migrations/0006_moderation.sql, one call per action.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jparse.h"
#include "text.h"

#define MOD_REASON_MAX		500
#define MOD_WORD_MAX		100	/* characters per entry */
#define MOD_WORDS_MAX		2000	/* entries per list */
#define MOD_SLOW_MAX		86400

int	page_mod_queue(struct http_request *);
int	page_mod_post(struct http_request *);
int	page_mod_topic(struct http_request *);
int	page_mod_words(struct http_request *);

static int	 mod_queue_prepare(struct rq *);
static int	 mod_queue_cursor(struct rq *, const char *);
static int	 mod_queue_cursor_ok(const char *);
static const char *mod_queue_choice(const char *, const char *const *);
static void	 mod_queue_url(struct buf *, const char *, const char *,
		    const char *, const char *);
static int	 mod_queue_respond(struct rq *);
static void	 mod_queue_labels(struct rq *, json_t *);
static void	 mod_queue_pages(struct rq *, json_t *);
static json_t	*mod_label(struct rq *, const char *, const char *);
static int	 mod_post_prepare(struct rq *);
static int	 mod_post_respond(struct rq *);
static int	 mod_topic_prepare(struct rq *);
static int	 mod_topic_respond(struct rq *);
static int	 mod_seconds_field(struct rq *, int64_t *);
static int	 mod_one_of(const char *, const char *const *);
static const char *mod_reason_field(struct rq *, int);
static int	 mod_words_respond(struct rq *);
static void	 mod_words_text(json_t *, const char *, const char *);
static int	 mod_words_set_prepare(struct rq *);
static int	 mod_words_set_respond(struct rq *);
static char	*mod_words_field(struct rq *, const char *);
static int	 mod_words_split(struct rq *, const char *,
		    const struct form_field *, json_t *, json_t *);

static const char *const post_actions[] = {
	"approve", "reject", "hide", "unhide", "delete", NULL
};
static const char *const topic_actions[] = {
	"lock", "unlock", "pin", "unpin", "move", "slow", NULL
};
/* The queue's filters: why a post is there, and its state. */
static const char *const queue_reasons[] = {
	"new_user", "sensitive", "flags", "staff", NULL
};
static const char *const queue_statuses[] = {
	"pending", "published", "hidden", NULL
};

static const struct page queue_page = {
	.name = "mod_queue", .access = ACCESS_STAFF, .tmpl = "mod_queue",
	.stmt = "mod_queue", .prepare = mod_queue_prepare,
	.respond = mod_queue_respond,
};
static const struct page post_post = {
	.name = "mod_post", .access = ACCESS_STAFF, .flags = PAGE_WRITE,
	.tmpl = "mod_queue", .stmt = "mod_post", .prepare = mod_post_prepare,
	.respond = mod_post_respond,
};
static const struct page topic_post = {
	.name = "mod_topic", .access = ACCESS_STAFF, .flags = PAGE_WRITE,
	.stmt = "mod_topic", .prepare = mod_topic_prepare,
	.respond = mod_topic_respond,
};
static const struct page words_page = {
	.name = "mod_words", .access = ACCESS_STAFF, .tmpl = "mod_words",
	.stmt = "mod_words", .respond = mod_words_respond,
};
static const struct page words_post = {
	.name = "mod_words_set", .access = ACCESS_STAFF, .flags = PAGE_WRITE,
	.tmpl = "mod_words", .stmt = "mod_words_set",
	.prepare = mod_words_set_prepare, .respond = mod_words_set_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const mod_pages[] = {
	&queue_page, &post_post, &topic_post, &words_page, &words_post,
	NULL
};

int
page_mod_queue(struct http_request *req)
{
	return (rq_run(req, &queue_page));
}

int
page_mod_post(struct http_request *req)
{
	return (rq_run(req, &post_post));
}

int
page_mod_topic(struct http_request *req)
{
	return (rq_run(req, &topic_post));
}

int
page_mod_words(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &words_post :
	    &words_page));
}

static int
mod_one_of(const char *v, const char *const *list)
{
	for (; v != NULL && *list != NULL; list++) {
		if (!strcmp(v, *list))
			return (1);
	}
	return (0);
}

/* ------------------------------------------------------------------ */
/* GET /mod/queue?view=hidden&reason=&status=&cursor=                  */

/*
 * The filters take the values of the page's own selects (anything else
 * is 400), the cursor is "<microseconds>.<id>" of the last item shown.
 */
static int
mod_queue_prepare(struct rq *rq)
{
	const char	*view, *reason, *status;

	view = rq_query(rq, "view");
	reason = rq_query(rq, "reason");
	status = rq_query(rq, "status");
	if ((reason != NULL && *reason != '\0' &&
	    mod_queue_choice(reason, queue_reasons) == NULL) ||
	    (status != NULL && *status != '\0' &&
	    mod_queue_choice(status, queue_statuses) == NULL)) {
		reply_error(rq, 400, "bad_request", "errors.bad_filter");
		return (RQ_DONE);
	}
	rq_param_str(rq, rq->locale);
	rq_param_str(rq, view != NULL && !strcmp(view, "hidden") ?
	    "hidden" : "review");
	rq_param_str(rq, mod_queue_choice(reason, queue_reasons));
	rq_param_str(rq, mod_queue_choice(status, queue_statuses));
	if (!mod_queue_cursor(rq, rq_query(rq, "cursor"))) {
		reply_error(rq, 400, "bad_request", "errors.bad_cursor");
		return (RQ_DONE);
	}
	return (RQ_NEXT);
}

/* v when it is one of list, else NULL. */
static const char *
mod_queue_choice(const char *v, const char *const *list)
{
	return (mod_one_of(v, list) ? v : NULL);
}

/* "<digits>.<digits>", at most 40 characters. */
static int
mod_queue_cursor_ok(const char *c)
{
	const char	*dot;
	size_t		 i;

	if ((dot = strchr(c, '.')) == NULL || dot == c || dot[1] == '\0' ||
	    strlen(c) > 40)
		return (0);
	for (i = 0; c[i] != '\0'; i++) {
		if ((c[i] < '0' || c[i] > '9') && c + i != dot)
			return (0);
	}
	return (1);
}

/* The cursor as two parameters (both NULL when absent); 0: malformed. */
static int
mod_queue_cursor(struct rq *rq, const char *c)
{
	if (c == NULL || *c == '\0') {
		rq_param_null(rq);
		rq_param_null(rq);
		return (1);
	}
	if (!mod_queue_cursor_ok(c))
		return (0);
	rq_param_own(rq, strndup(c, (size_t)(strchr(c, '.') - c)));
	rq_param_str(rq, strchr(c, '.') + 1);
	return (1);
}

/*
 * The queue's address with a view, filters and cursor (each left out
 * when NULL or empty).  Callers pass checked values only: whitelisted
 * words and mod_queue_cursor_ok() cursors need no escaping.
 */
static void
mod_queue_url(struct buf *b, const char *view, const char *reason,
    const char *status, const char *cursor)
{
	char	sep;

	sep = '?';
	buf_appends(b, "/mod/queue");
	if (view != NULL && !strcmp(view, "hidden")) {
		buf_appendf(b, "%cview=hidden", sep);
		sep = '&';
	}
	if (reason != NULL && *reason != '\0') {
		buf_appendf(b, "%creason=%s", sep, reason);
		sep = '&';
	}
	if (status != NULL && *status != '\0') {
		buf_appendf(b, "%cstatus=%s", sep, status);
		sep = '&';
	}
	if (cursor != NULL && *cursor != '\0')
		buf_appendf(b, "%ccursor=%s", sep, cursor);
}

/*
 * The catalog text of prefix.code as a new JSON string, or the code
 * itself when the catalog has none (a reason added in SQL before its
 * label).
 */
static json_t *
mod_label(struct rq *rq, const char *prefix, const char *code)
{
	const char	*s;
	char		 key[96];

	if (code == NULL)
		code = "";
	(void)snprintf(key, sizeof(key), "%s.%s", prefix, code);
	if ((s = render_text(rq->locale, key)) == NULL)
		s = code;
	return (json_string(s));
}

/*
 * Labels in the reader's language next to the codes (the codes stay
 * for programs): status_label, reason_labels, and a label per flag.
 */
static void
mod_queue_labels(struct rq *rq, json_t *doc)
{
	json_t		*item, *labels, *r, *f;
	size_t		 i, j;

	json_array_foreach(json_object_get(doc, "items"), i, item) {
		json_object_set_new(item, "status_label", mod_label(rq,
		    "mod.status", json_string_value(json_object_get(item,
		    "status"))));
		labels = json_array();
		json_array_foreach(json_object_get(item, "reasons"), j, r)
			json_array_append_new(labels, mod_label(rq,
			    "mod.reason", json_string_value(r)));
		json_object_set_new(item, "reason_labels", labels);
		json_array_foreach(json_object_get(item, "flags"), j, f)
			json_object_set_new(f, "label", mod_label(rq,
			    "mod.flag", json_string_value(json_object_get(f,
			    "reason"))));
	}
}

/*
 * For the page: the filters as chosen (filter.reason_<r>,
 * filter.status_<s>, filter.any), where this page is (here: reason,
 * status, cursor, for the action forms to come back to), the next and
 * first pages' and the unfiltered queue's addresses, and how many match.
 */
static void
mod_queue_pages(struct rq *rq, json_t *doc)
{
	struct buf	 url, msg;
	json_t		*f, *here;
	const char	*view, *reason, *status, *cursor, *next, *tmpl;
	char		 n[24];

	view = json_string_value(json_object_get(doc, "view"));
	reason = json_string_value(json_object_get(doc, "reason"));
	status = json_string_value(json_object_get(doc, "status"));
	if ((cursor = rq_query(rq, "cursor")) != NULL &&
	    !mod_queue_cursor_ok(cursor))
		cursor = NULL;
	next = json_string_value(json_object_get(doc, "next_cursor"));

	f = json_object();
	if (reason != NULL)
		reply_form_choice(f, "reason", reason);
	if (status != NULL)
		reply_form_choice(f, "status", status);
	json_object_set_new(f, "any", json_boolean(reason != NULL ||
	    status != NULL));
	json_object_set_new(doc, "filter", f);
	here = json_pack("{s:s?, s:s?, s:s?}", "reason", reason, "status",
	    status, "cursor", cursor);
	json_object_set_new(doc, "here", here);

	buf_init(&url);
	if (next != NULL && mod_queue_cursor_ok(next)) {
		mod_queue_url(&url, view, reason, status, next);
		json_object_set_new(doc, "next_url", json_string(url.data));
	}
	if (cursor != NULL) {
		buf_reset(&url);
		mod_queue_url(&url, view, reason, status, NULL);
		json_object_set_new(doc, "first_url", json_string(url.data));
	}
	buf_reset(&url);
	mod_queue_url(&url, view, NULL, NULL, NULL);
	json_object_set_new(doc, "clear_url", json_string(url.data));
	buf_free(&url);

	if (reason != NULL || status != NULL) {
		(void)snprintf(n, sizeof(n), "%lld", (long long)
		    json_integer_value(json_object_get(doc, "matching")));
		tmpl = render_text(rq->locale, "mod.filter.matching");
		buf_init(&msg);
		text_subst(&msg, tmpl != NULL ? tmpl : "{n}", "n", n);
		json_object_set_new(doc, "matching_label",
		    json_string(msg.data));
		buf_free(&msg);
	}
}

static int
mod_queue_respond(struct rq *rq)
{
	json_t		*doc;
	const char	*view;

	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		kore_log(LOG_ERR, "mod_queue: statement returned bad JSON");
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	mod_queue_labels(rq, doc);
	view = json_string_value(json_object_get(doc, "view"));
	json_object_set_new(doc, view != NULL && !strcmp(view, "hidden") ?
	    "view_hidden" : "view_review", json_true());
	if (rq->json) {
		reply_json(rq, 200, doc);
	} else {
		mod_queue_pages(rq, doc);
		guard_page_locale(rq, doc);
		(void)reply_page(rq, 200, "mod_queue", doc);
	}
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* POST /mod/posts/{id} and POST /mod/topics/{id}                      */

/* reason: at most 500 characters; NULL when absent or empty. */
static const char *
mod_reason_field(struct rq *rq, int required)
{
	const char	*r;

	r = rq_text(rq, "reason", required, 0, MOD_REASON_MAX, 0);
	return (r != NULL && *r != '\0' ? r : NULL);
}

static int
mod_post_prepare(struct rq *rq)
{
	const char	*action, *reason;

	action = rq_text(rq, "action", 1, 0, 16, 0);
	if (action != NULL && !mod_one_of(action, post_actions)) {
		reply_field_error(rq, "action", "mod.errors.bad_action");
		action = NULL;
	}
	/* The author reads why their post was refused or hidden. */
	reason = mod_reason_field(rq, action != NULL &&
	    (!strcmp(action, "reject") || !strcmp(action, "hide")));
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/mod/posts/"));
	rq_param_str(rq, action);
	rq_param_str(rq, reason);
	return (RQ_NEXT);
}

/*
 * Browsers go back to the page of the queue the form was on: its view,
 * filters and cursor (the hidden fields view, f_reason, f_status,
 * f_cursor; anything unexpected is left out).
 */
static int
mod_post_respond(struct rq *rq)
{
	struct buf	 url;
	const char	*cursor;

	if ((cursor = rq_field(rq, "f_cursor", NULL)) != NULL &&
	    !mod_queue_cursor_ok(cursor))
		cursor = NULL;
	buf_init(&url);
	mod_queue_url(&url, rq_field(rq, "view", NULL),
	    mod_queue_choice(rq_field(rq, "f_reason", NULL), queue_reasons),
	    mod_queue_choice(rq_field(rq, "f_status", NULL), queue_statuses),
	    cursor);
	(void)reply_result(rq, 200, url.data);
	buf_free(&url);
	return (RQ_DONE);
}

/*
 * seconds: a whole number 0..86400.  1 with it in *out; 0 when absent
 * or wrong (noted).
 */
static int
mod_seconds_field(struct rq *rq, int64_t *out)
{
	const char	*v;
	char		*end;
	long long	 n;

	*out = -1;
	if ((v = rq_field(rq, "seconds", NULL)) == NULL || *v == '\0')
		return (0);
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < 0 || n > MOD_SLOW_MAX) {
		reply_field_error(rq, "seconds", "mod.errors.seconds");
		return (0);
	}
	*out = n;
	return (1);
}

static int
mod_topic_prepare(struct rq *rq)
{
	const char	*action, *category, *reason;
	int64_t		 seconds;
	int		 have_seconds;

	action = rq_text(rq, "action", 1, 0, 16, 0);
	if (action != NULL && !mod_one_of(action, topic_actions)) {
		reply_field_error(rq, "action", "mod.errors.bad_action");
		action = NULL;
	}
	category = rq_text(rq, "category", 0, 0, 40, 0);
	if (category != NULL && *category == '\0')
		category = NULL;
	if (action != NULL && !strcmp(action, "move") && category == NULL)
		reply_field_error(rq, "category", "mod.errors.category");
	have_seconds = mod_seconds_field(rq, &seconds);
	if (action != NULL && !strcmp(action, "slow") && !have_seconds)
		reply_field_error(rq, "seconds", "mod.errors.seconds");
	reason = mod_reason_field(rq, 0);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/mod/topics/"));
	rq_param_str(rq, action);
	rq_param_str(rq, category);
	if (have_seconds)
		rq_param_int(rq, seconds);
	else
		rq_param_null(rq);
	rq_param_str(rq, reason);
	return (RQ_NEXT);
}

/* Browsers go back to the topic. */
static int
mod_topic_respond(struct rq *rq)
{
	char	url[64];

	(void)snprintf(url, sizeof(url), "/t/%lld",
	    (long long)rq_path_id(rq, "/mod/topics/"));
	return (reply_result(rq, 200, url));
}

/* ------------------------------------------------------------------ */
/* GET and POST /mod/words                                             */

/* For the textarea: the entries of list key, one per line, as key_text. */
static void
mod_words_text(json_t *doc, const char *key, const char *textkey)
{
	struct buf	 b;
	json_t		*w;
	size_t		 i;

	buf_init(&b);
	json_array_foreach(json_object_get(doc, key), i, w) {
		buf_appends(&b, json_string_value(w));
		buf_appends(&b, "\n");
	}
	json_object_set_new(doc, textkey, json_string(b.data ? b.data : ""));
	buf_free(&b);
}

static int
mod_words_respond(struct rq *rq)
{
	json_t	*doc;

	if (rq->json) {
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		kore_log(LOG_ERR, "mod_words: statement returned bad JSON");
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	mod_words_text(doc, "block", "block_text");
	mod_words_text(doc, "allow", "allow_text");
	guard_page_locale(rq, doc);
	(void)reply_page(rq, 200, "mod_words", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * Append the lines of one value of field name to list: trimmed, empty
 * lines and repeats (seen) dropped.  0 with the problem noted if a line
 * is too long or the list too long.
 */
static int
mod_words_split(struct rq *rq, const char *name, const struct form_field *f,
    json_t *list, json_t *seen)
{
	const char	*s, *e, *end;
	char		*line;
	size_t		 len;
	int		 ok;

	if (!text_utf8_valid(f->value, f->len) ||
	    text_has_controls(f->value, f->len, 1)) {
		reply_field_error(rq, name, "errors.field.bad_text");
		return (0);
	}
	ok = 1;
	end = f->value + f->len;
	for (s = f->value; ok && s < end; s = e + 1) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		if ((line = malloc((size_t)(e - s) + 1)) == NULL) {
			rq->failed = "words_split: no memory";
			return (0);
		}
		memcpy(line, s, (size_t)(e - s));
		len = text_trim(line, (size_t)(e - s));
		if (len > 0 && json_object_get(seen, line) == NULL) {
			if (text_utf8_chars(line, len) > MOD_WORD_MAX) {
				reply_field_error(rq, name,
				    "mod.errors.word_long");
				ok = 0;
			} else if (json_array_size(list) >= MOD_WORDS_MAX) {
				reply_field_error(rq, name,
				    "mod.errors.too_many_words");
				ok = 0;
			} else {
				json_object_set_new(seen, line, json_true());
				json_array_append_new(list,
				    json_stringn(line, len));
			}
		}
		free(line);
	}
	return (ok);
}

/*
 * List field name (a textarea, one entry per line, or a JSON array of
 * entries) as a JSON array text, malloc()ed (the caller's).  NULL when
 * the field is absent (that list stays as it is) or has a problem
 * (noted for the 422).
 */
static char *
mod_words_field(struct rq *rq, const char *name)
{
	json_t		*list, *seen;
	char		*out;
	size_t		 i, n;
	int		 ok;

	if ((n = form_count(&rq->body, name)) == 0)
		return (NULL);
	list = json_array();
	seen = json_object();
	ok = 1;
	for (i = 0; ok && i < n; i++)
		ok = mod_words_split(rq, name, form_get_nth(&rq->body, name, i),
		    list, seen);
	out = ok ? json_dumps(list, JSON_COMPACT) : NULL;
	json_decref(list);
	json_decref(seen);
	return (out);
}

static int
mod_words_set_prepare(struct rq *rq)
{
	char	*block, *allow;

	block = mod_words_field(rq, "block");
	allow = mod_words_field(rq, "allow");
	if (rq_has_errors(rq)) {
		free(block);
		free(allow);
		return (rq_reply_invalid(rq));
	}
	rq_param_int(rq, rq->me.id);
	if (block != NULL)
		rq_param_own(rq, block);
	else
		rq_param_null(rq);
	if (allow != NULL)
		rq_param_own(rq, allow);
	else
		rq_param_null(rq);
	return (RQ_NEXT);
}

static int
mod_words_set_respond(struct rq *rq)
{
	return (reply_result(rq, 200, "/mod/words"));
}

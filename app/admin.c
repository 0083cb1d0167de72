/*
 * admin.c: staff pages: the user list with search, filters and pages,
 * verifying, roles and suspensions, verifying a whole class at once, and
 * the audit log of every staff action.  The rules (who may grant what,
 * the last admin, the reason for a suspension, which lines of a class
 * list can be verified) are in admin_user_update() and
 * admin_verify_bulk() in PostgreSQL, next to the audit log they write;
 * the statements are in assets/sql/admin.sql.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "jparse.h"
#include "text.h"

#define USERS_Q_MAX		100	/* bytes of the search text */
#define VERIFY_NAMES_MAX	500	/* names in one class list */
#define VERIFY_LINES_MAX	1000	/* lines, with empty ones */
#define VERIFY_LINE_MAX		64	/* characters of one name */

int	page_admin_users(struct http_request *);
int	page_admin_user(struct http_request *);
int	page_admin_verify(struct http_request *);
int	page_admin_audit(struct http_request *);

static int	admin_users_prepare(struct rq *);
static int	admin_users_respond(struct rq *);
static int	admin_users_yes_no(const char *, const char **);
static void	admin_users_filter(json_t *);
static void	admin_users_next_url(json_t *);
static void	admin_url_arg(struct buf *, const char *, const char *);
static int	admin_user_update_prepare(struct rq *);
static int	admin_user_update_respond(struct rq *);
static int	admin_verify_form_respond(struct rq *);
static int	admin_verify_prepare(struct rq *);
static int	admin_verify_lines(struct rq *, struct buf *);
static int	admin_verify_respond(struct rq *);
static void	admin_count_label(struct rq *, json_t *, const char *,
		    const char *, const char *);
static int	admin_audit_prepare(struct rq *);
static int	admin_bool_field(struct rq *, const char *, const char **);
static int	admin_digits_param(struct rq *, const char *);

static const char *const roles[] = {
	"member", "mentor", "staff", "admin", NULL
};

static const struct page users_page = {
	.name = "admin_users", .access = ACCESS_STAFF, .tmpl = "admin_users",
	.stmt = "admin_users", .prepare = admin_users_prepare,
	.respond = admin_users_respond,
};
static const struct page user_update_post = {
	.name = "admin_user_update", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE, .tmpl = "admin_users",
	.stmt = "admin_user_update", .prepare = admin_user_update_prepare,
	.respond = admin_user_update_respond,
};
static const struct page verify_page = {
	.name = "admin_verify", .access = ACCESS_STAFF,
	.flags = PAGE_NO_STMT, .tmpl = "admin_verify",
	.respond = admin_verify_form_respond,
};
static const struct page verify_post = {
	.name = "admin_verify_bulk", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE, .tmpl = "admin_verify",
	.stmt = "admin_verify_bulk", .prepare = admin_verify_prepare,
	.respond = admin_verify_respond,
};
static const struct page audit_page = {
	.name = "admin_audit", .access = ACCESS_STAFF, .tmpl = "admin_audit",
	.stmt = "admin_audit", .prepare = admin_audit_prepare,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const admin_pages[] = {
	&users_page, &user_update_post, &verify_page, &verify_post,
	&audit_page, NULL
};

int
page_admin_users(struct http_request *req)
{
	return (rq_run(req, &users_page));
}

int
page_admin_user(struct http_request *req)
{
	return (rq_run(req, &user_update_post));
}

int
page_admin_verify(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &verify_post :
	    &verify_page));
}

int
page_admin_audit(struct http_request *req)
{
	return (rq_run(req, &audit_page));
}

/* ------------------------------------------------------------------ */
/* GET /admin/users?q=&role=&verified=&suspended=&cursor=              */

/*
 * The search text goes to LIKE escaped in SQL (too long: everyone).  The
 * filters take the values of the page's own selects; anything else, or
 * a cursor that is not an id, is 400.
 */
static int
admin_users_prepare(struct rq *rq)
{
	const char	*q, *role, *verified, *suspended;
	size_t		 i;

	if ((q = rq_query(rq, "q")) == NULL || strlen(q) > USERS_Q_MAX)
		q = "";
	if ((role = rq_query(rq, "role")) != NULL && *role == '\0')
		role = NULL;
	for (i = 0; role != NULL && roles[i] != NULL; i++) {
		if (!strcmp(roles[i], role))
			break;
	}
	if ((role != NULL && roles[i] == NULL) ||
	    !admin_users_yes_no(rq_query(rq, "verified"), &verified) ||
	    !admin_users_yes_no(rq_query(rq, "suspended"), &suspended)) {
		reply_error(rq, 400, "bad_request", "errors.bad_filter");
		return (RQ_DONE);
	}
	rq_param_str(rq, q);
	rq_param_str(rq, role);
	rq_param_str(rq, verified);
	rq_param_str(rq, suspended);
	if (!admin_digits_param(rq, rq_query(rq, "cursor"))) {
		reply_error(rq, 400, "bad_request", "errors.bad_cursor");
		return (RQ_DONE);
	}
	return (RQ_NEXT);
}

/* yes/no (also true/false, 1/0) as "true"/"false"; absent or "": NULL. */
static int
admin_users_yes_no(const char *v, const char **out)
{
	*out = NULL;
	if (v == NULL || *v == '\0')
		return (1);
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = "true";
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = "false";
	return (*out != NULL);
}

/*
 * A non-negative id of at most 18 digits as the next parameter (NULL
 * when absent or empty); 0 when it is anything else.
 */
static int
admin_digits_param(struct rq *rq, const char *v)
{
	size_t	i;

	if (v == NULL || *v == '\0') {
		rq_param_null(rq);
		return (1);
	}
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 18)
			return (0);
	}
	rq_param_str(rq, v);
	return (1);
}

/*
 * People see each role in their language (role_label), the filters as
 * they chose them, how many match and the next page's address; programs
 * get the statement's document as it is.
 */
static int
admin_users_respond(struct rq *rq)
{
	json_t		*doc, *u;
	size_t		 i;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	json_array_foreach(json_object_get(doc, "users"), i, u) {
		json_object_set_new(u, "role_label", json_string(render_label(
		    rq->locale, "roles", json_string_value(
		    json_object_get(u, "role")))));
	}
	admin_users_filter(doc);
	admin_users_next_url(doc);
	admin_count_label(rq, doc, "count", "count_label",
	    "admin.filter.count");
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* doc.filter: role_<role>, verified_yes/no, suspended_yes/no, any. */
static void
admin_users_filter(json_t *doc)
{
	json_t		*f, *v;
	const char	*role;
	int		 any;

	f = json_object();
	any = 0;
	if ((role = json_string_value(json_object_get(doc, "role"))) != NULL) {
		reply_form_choice(f, "role", role);
		any = 1;
	}
	if (json_is_boolean(v = json_object_get(doc, "verified"))) {
		json_object_set_new(f, json_is_true(v) ? "verified_yes" :
		    "verified_no", json_true());
		any = 1;
	}
	if (json_is_boolean(v = json_object_get(doc, "suspended"))) {
		json_object_set_new(f, json_is_true(v) ? "suspended_yes" :
		    "suspended_no", json_true());
		any = 1;
	}
	v = json_object_get(doc, "q");
	if (json_string_value(v) != NULL && *json_string_value(v) != '\0')
		any = 1;
	json_object_set_new(f, "any", json_boolean(any));
	json_object_set_new(doc, "filter", f);
}

/* doc.next_url: the same search and filters from next_cursor on. */
static void
admin_users_next_url(json_t *doc)
{
	struct buf	 url;
	json_t		*v;
	const char	*cursor;

	if ((cursor = json_string_value(json_object_get(doc,
	    "next_cursor"))) == NULL)
		return;
	buf_init(&url);
	buf_appends(&url, "/admin/users");
	admin_url_arg(&url, "q", json_string_value(json_object_get(doc, "q")));
	admin_url_arg(&url, "role", json_string_value(json_object_get(doc,
	    "role")));
	if (json_is_boolean(v = json_object_get(doc, "verified")))
		admin_url_arg(&url, "verified", json_is_true(v) ? "yes" : "no");
	if (json_is_boolean(v = json_object_get(doc, "suspended")))
		admin_url_arg(&url, "suspended", json_is_true(v) ? "yes" :
		    "no");
	admin_url_arg(&url, "cursor", cursor);
	json_object_set_new(doc, "next_url", json_string(url.data));
	buf_free(&url);
}

/* Append ?name=value or &name=value, the value percent-encoded. */
static void
admin_url_arg(struct buf *b, const char *name, const char *v)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	if (v == NULL || *v == '\0')
		return;
	buf_appendc(b, strchr(b->data, '?') != NULL ? '&' : '?');
	buf_appends(b, name);
	buf_appendc(b, '=');
	for (; *v != '\0'; v++) {
		c = (unsigned char)*v;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
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

/* doc.<out>: the catalog text key with {n} as doc.<field>. */
static void
admin_count_label(struct rq *rq, json_t *doc, const char *field,
    const char *out, const char *key)
{
	struct buf	 msg;
	const char	*tmpl;
	char		 n[24];

	if ((tmpl = render_text(rq->locale, key)) == NULL)
		return;
	(void)snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
	    json_object_get(doc, field)));
	buf_init(&msg);
	text_subst(&msg, tmpl, "n", n);
	json_object_set_new(doc, out, json_string(msg.data ? msg.data : ""));
	buf_free(&msg);
}

/* "true"/"1"/"on"/"yes" or "false"/"0"/"off"/"no"; absent leaves as is. */
static int
admin_bool_field(struct rq *rq, const char *name, const char **out)
{
	const char	*v;

	*out = NULL;
	if ((v = rq_field(rq, name, NULL)) == NULL || *v == '\0')
		return (1);
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on") ||
	    !strcmp(v, "yes"))
		*out = "true";
	else if (!strcmp(v, "false") || !strcmp(v, "0") ||
	    !strcmp(v, "off") || !strcmp(v, "no"))
		*out = "false";
	else
		reply_field_error(rq, name, "errors.field.bad_bool");
	return (*out != NULL);
}

/*
 * POST /admin/users/{username}: verified, role, suspended_until, reason,
 * booking_suspended_until (only empty: lifts a no-show suspension of
 * booking office hours, migrations/0014_office_hours.sql).
 */
static int
admin_user_update_prepare(struct rq *rq)
{
	const char	*verified, *role, *until, *reason, *booking;

	(void)admin_bool_field(rq, "verified", &verified);
	role = rq_text(rq, "role", 0, 0, 10, 0);
	if (role != NULL && *role == '\0')
		role = NULL;
	if (role != NULL && strcmp(role, "member") && strcmp(role, "mentor") &&
	    strcmp(role, "staff") && strcmp(role, "admin"))
		reply_field_error(rq, "role", "errors.bad_role");
	until = rq_text(rq, "suspended_until", 0, 0, 40, 0);
	reason = rq_text(rq, "reason", 0, 0, SUSPEND_REASON_MAX, 0);
	booking = rq_text(rq, "booking_suspended_until", 0, 0, 40, 0);
	if (booking != NULL && *booking != '\0')
		reply_field_error(rq, "booking_suspended_until",
		    "admin.lift_only");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->req->path + strlen("/admin/users/"));
	rq_param_str(rq, verified);
	rq_param_str(rq, role);
	rq_param_str(rq, until);
	rq_param_str(rq, reason != NULL && *reason != '\0' ? reason : NULL);
	rq_param_str(rq, booking);
	return (RQ_NEXT);
}

static int
admin_user_update_respond(struct rq *rq)
{
	char	url[128];

	(void)snprintf(url, sizeof(url), "/admin/users?q=%s",
	    rq->req->path + strlen("/admin/users/"));
	return (reply_result(rq, 200, url));
}

/* ------------------------------------------------------------------ */
/* GET and POST /admin/verify: a class list, one name or card a line   */

static int
admin_verify_form_respond(struct rq *rq)
{
	json_t	*doc;

	doc = json_pack("{s:{}, s:i, s:i}", "form", "names_max",
	    VERIFY_NAMES_MAX, "line_max", VERIFY_LINE_MAX);
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, "admin_verify", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * lines: one username or reader card per line (a JSON client may send
 * an array of them), at most VERIFY_NAMES_MAX names; reason: optional,
 * goes to the audit log with each verification.  The statement gets the
 * lines joined by "\n", line numbers as the staff member pasted them.
 */
static int
admin_verify_prepare(struct rq *rq)
{
	struct buf	 lines;
	const char	*reason;

	reason = rq_text(rq, "reason", 0, 0, SUSPEND_REASON_MAX, 0);
	buf_init(&lines);
	(void)admin_verify_lines(rq, &lines);
	if (rq_has_errors(rq)) {
		buf_free(&lines);
		return (rq_reply_invalid(rq));
	}
	rq_param_int(rq, rq->me.id);
	rq_param_own(rq, buf_release(&lines, NULL));
	rq_param_str(rq, reason != NULL && *reason != '\0' ? reason : NULL);
	return (RQ_NEXT);
}

/*
 * Every "lines" field joined into out, without carriage returns, and
 * checked: at least one name, at most VERIFY_NAMES_MAX of them (and
 * VERIFY_LINES_MAX lines), each at most VERIFY_LINE_MAX characters once
 * trimmed.  0 with the problem noted on "lines".
 */
static int
admin_verify_lines(struct rq *rq, struct buf *out)
{
	const struct form_field	*f;
	const char		*p, *end, *nl, *s, *e;
	size_t			 i, n, line, names;

	n = form_count(&rq->body, "lines");
	for (i = 0; i < n; i++) {
		f = form_get_nth(&rq->body, "lines", i);
		if (i > 0)
			buf_appendc(out, '\n');
		for (p = f->value; p < f->value + f->len; p++) {
			if (*p != '\r')
				buf_appendc(out, *p);
		}
	}
	buf_append(out, "", 0);		/* data is a string even for none */

	names = 0;
	line = 0;
	for (p = out->data, end = out->data + out->len; p <= end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		line++;
		for (s = p; s < nl && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = nl; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (e == s)
			continue;
		if (text_utf8_chars(s, (size_t)(e - s)) > VERIFY_LINE_MAX) {
			rq_field_problem(rq, "lines", "admin.bulk.line_long", line);
			return (0);
		}
		if (++names > VERIFY_NAMES_MAX || line > VERIFY_LINES_MAX) {
			rq_field_problem(rq, "lines", "admin.bulk.too_many",
			    VERIFY_NAMES_MAX);
			return (0);
		}
	}
	if (names == 0) {
		reply_field_error(rq, "lines", "errors.field.required");
		return (0);
	}
	return (1);
}

/*
 * 200 with a result for every line ({results: [{line, input, status,
 * error, user}], verified, failed}): programs get the statement's
 * document; people the page again with the results, each error in their
 * words (error_label), and how many were verified and how many not.
 */
static int
admin_verify_respond(struct rq *rq)
{
	json_t		*doc, *r;
	const char	*err;
	size_t		 i;

	if (rq->json) {
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		reply_internal(rq, "admin_verify_bulk: bad JSON");
		return (RQ_DONE);
	}
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		err = json_string_value(json_object_get(r, "error"));
		json_object_set_new(r, "ok", json_boolean(err == NULL));
		if (err != NULL)
			json_object_set_new(r, "error_label", json_string(
			    render_label(rq->locale, "admin.bulk.errors",
			    err)));
	}
	admin_count_label(rq, doc, "verified", "verified_label",
	    "admin.bulk.verified_count");
	admin_count_label(rq, doc, "failed", "failed_label",
	    "admin.bulk.failed_count");
	json_object_set_new(doc, "form", json_object());
	(void)reply_page(rq, 200, "admin_verify", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */

/* GET /admin/audit?cursor= (an opaque id; newest first). */
static int
admin_audit_prepare(struct rq *rq)
{
	const char	*c;
	size_t		 i;

	c = rq_query(rq, "cursor");
	for (i = 0; c != NULL && c[i] != '\0'; i++) {
		if (c[i] < '0' || c[i] > '9' || i > 18)
			c = NULL;
	}
	rq_param_str(rq, c != NULL && *c != '\0' ? c : NULL);
	return (RQ_NEXT);
}

/*
 * admin.c: staff pages: the user list with search, verifying, roles and
 * suspensions, and the audit log of every staff action.  The rules (who
 * may grant what, the last admin, the reason for a suspension) are in
 * admin_user_update() in PostgreSQL, next to the audit log they write.
 */
#include <sys/types.h>

#include <string.h>

#include "app.h"

int	page_admin_users(struct http_request *);
int	page_admin_user(struct http_request *);
int	page_admin_audit(struct http_request *);

static int	users_prepare(struct rq *);
static int	user_update_prepare(struct rq *);
static int	user_update_respond(struct rq *);
static int	audit_prepare(struct rq *);
static int	bool_field(struct rq *, const char *, const char **);

static const struct page users_page = {
	.name = "admin_users", .access = ACCESS_STAFF, .tmpl = "admin_users",
	.stmt = "admin_users", .prepare = users_prepare,
};
static const struct page user_update_post = {
	.name = "admin_user_update", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE, .tmpl = "admin_users",
	.stmt = "admin_user_update", .prepare = user_update_prepare,
	.respond = user_update_respond,
};
static const struct page audit_page = {
	.name = "admin_audit", .access = ACCESS_STAFF, .tmpl = "admin_audit",
	.stmt = "admin_audit", .prepare = audit_prepare,
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
page_admin_audit(struct http_request *req)
{
	return (rq_run(req, &audit_page));
}

/* GET /admin/users?q=: the search text goes to LIKE escaped in SQL. */
static int
users_prepare(struct rq *rq)
{
	const char	*q;

	if ((q = rq_query(rq, "q")) == NULL || strlen(q) > 100)
		q = "";
	rq_param_str(rq, q);
	return (RQ_NEXT);
}

/* "true"/"1"/"on"/"yes" or "false"/"0"/"off"/"no"; absent leaves as is. */
static int
bool_field(struct rq *rq, const char *name, const char **out)
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

/* POST /admin/users/{username}: verified, role, suspended_until, reason */
static int
user_update_prepare(struct rq *rq)
{
	const char	*verified, *role, *until, *reason;

	(void)bool_field(rq, "verified", &verified);
	role = rq_text(rq, "role", 0, 0, 10, 0);
	if (role != NULL && *role == '\0')
		role = NULL;
	if (role != NULL && strcmp(role, "member") && strcmp(role, "mentor") &&
	    strcmp(role, "staff") && strcmp(role, "admin"))
		reply_field_error(rq, "role", "errors.bad_role");
	until = rq_text(rq, "suspended_until", 0, 0, 40, 0);
	reason = rq_text(rq, "reason", 0, 0, SUSPEND_REASON_MAX, 0);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->req->path + strlen("/admin/users/"));
	rq_param_str(rq, verified);
	rq_param_str(rq, role);
	rq_param_str(rq, until);
	rq_param_str(rq, reason != NULL && *reason != '\0' ? reason : NULL);
	return (RQ_NEXT);
}

static int
user_update_respond(struct rq *rq)
{
	char	url[128];

	if (!rq->json) {
		(void)snprintf(url, sizeof(url), "/admin/users?q=%s",
		    rq->req->path + strlen("/admin/users/"));
		reply_redirect(rq, url);
		return (RQ_DONE);
	}
	reply_json_text(rq, 200, rq->res, rq->res_len);
	return (RQ_DONE);
}

/* GET /admin/audit?cursor= (an opaque id; newest first). */
static int
audit_prepare(struct rq *rq)
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

/*
 * reset.c: one-time password reset links.
 *
 * Email may not be configured at a library, so staff issue the link at
 * the desk (POST /admin/users/{username}/reset) and hand it over.  It is
 * shown that once: only the SHA-256 of its 256-bit secret is stored.  It
 * works once, for 24 hours: the member opens GET /reset/{secret}, sets a
 * new password under the sign-up rules (password.c) and every login
 * session of theirs ends.  The rules, the audit log and the single use
 * under concurrency are in migrations/0011_accounts.sql.
 *
 * Members cannot ask for a link by email: the app has no SMTP client.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "password.h"

int	page_admin_user_reset(struct http_request *);
int	page_reset(struct http_request *);

/* What a request keeps between its steps (rq->extra). */
/* rq->step of POST /reset/{secret}. */
enum {
	RESET_ST_LOOKED_UP = 0,		/* reset_page answered: check it */
	RESET_ST_HASHING,		/* the new password in the job thread */
	RESET_ST_USED			/* reset_use answered */
};

struct reset_state {
	struct pw_job	 job;		/* for the job thread */
	char		 secret[PW_SECRET_LEN];	/* issue: the new link's */
	char		 hash[SHA256_HEX_BUF];	/* hex SHA-256 of the secret */
	char		 username[72];	/* issue: from the path */
	char		 ip[64];
};

static int	reset_issue_prepare(struct rq *);
static int	reset_issue_respond(struct rq *);
static int	reset_page_prepare(struct rq *);
static int	reset_page_respond(struct rq *);
static int	reset_post_respond(struct rq *);
static int	reset_post_check(struct rq *, struct reset_state *);

static struct reset_state	*reset_state(struct rq *);
static void			 reset_state_free(void *);
static void			 reset_path_hash(struct rq *,
				    struct reset_state *);
static void			 reset_link(struct rq *, json_t *,
				    const char *);
static int			 reset_host_ok(const char *);

static const struct page reset_issue_post = {
	.name = "reset_issue", .access = ACCESS_STAFF, .flags = PAGE_WRITE,
	.tmpl = "reset_issued", .stmt = "reset_issue",
	.prepare = reset_issue_prepare, .respond = reset_issue_respond,
};
static const struct page reset_page = {
	.name = "reset", .access = ACCESS_ANYONE, .tmpl = "reset_form",
	.stmt = "reset_page", .prepare = reset_page_prepare,
	.respond = reset_page_respond,
};
/* Visitors post it: the pre-session CSRF token, as for logging in. */
static const struct page reset_post = {
	.name = "reset_post", .access = ACCESS_ANYONE,
	.flags = PAGE_WRITE | PAGE_PRE_CSRF | PAGE_SUSPENDED_OK,
	.tmpl = "reset_form", .stmt = "reset_page",
	.prepare = reset_page_prepare, .respond = reset_post_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const reset_pages[] = {
	&reset_issue_post, &reset_page, &reset_post, NULL
};

int
page_admin_user_reset(struct http_request *req)
{
	return (rq_run(req, &reset_issue_post));
}

int
page_reset(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &reset_post :
	    &reset_page));
}

/*
 * The state lives inside the request (rq_state_new): wiped here, never
 * freed (freeing it ended the worker: ASan's bad-free on every reset
 * request).
 */
static void
reset_state_free(void *p)
{
	struct reset_state	*st = p;

	/* The state lives inside the request (rq_extra_init): wipe only. */
	sodium_memzero(st, sizeof(*st));
}

static struct reset_state *
reset_state(struct rq *rq)
{
	if (rq->extra == NULL)
		(void)rq_state_new(rq, sizeof(struct reset_state),
		    reset_state_free);
	return (rq->extra);
}

/* The hash of the secret in the path (the route made it 43 base64url). */
static void
reset_path_hash(struct rq *rq, struct reset_state *st)
{
	const char	*secret;
	unsigned char	 h[crypto_hash_sha256_BYTES];

	secret = rq->req->path + strlen("/reset/");
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(st->hash, sizeof(st->hash), h, sizeof(h));
}

/* A Host header we may write into a link: name or address, and port. */
static int
reset_host_ok(const char *h)
{
	size_t	i;

	for (i = 0; h[i] != '\0'; i++) {
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '.' ||
		    h[i] == '-' || h[i] == ':' || h[i] == '[' || h[i] == ']'))
			return (0);
	}
	return (i > 0 && i < 256);
}

/*
 * reset.url (site-relative, as every url) and reset.link (absolute, to
 * hand over) of a new link with this secret.
 */
static void
reset_link(struct rq *rq, json_t *reset, const char *secret)
{
	const char	*host;
	char		 url[128], link[512];

	(void)snprintf(url, sizeof(url), "/reset/%s", secret);
	if (http_request_header(rq->req, "host", &host) && reset_host_ok(host))
		(void)snprintf(link, sizeof(link), "%s://%s%s",
		    app_config.tls ? "https" : "http", host, url);
	else
		(void)snprintf(link, sizeof(link), "%s", url);
	json_object_set_new(reset, "url", json_string(url));
	json_object_set_new(reset, "link", json_string(link));
}

/* ------------------------------------------------------------------ */
/* POST /admin/users/{username}/reset: reason (optional)               */

static int
reset_issue_prepare(struct rq *rq)
{
	struct reset_state	*st = reset_state(rq);
	const char		*user, *reason;

	reason = rq_text(rq, "reason", 0, 0, 500, 0);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	/* The route made it 1-64 name characters and "/reset". */
	user = rq->req->path + strlen("/admin/users/");
	(void)snprintf(st->username, sizeof(st->username), "%.*s",
	    (int)(strlen(user) - strlen("/reset")), user);
	pw_new_secret(st->secret, sizeof(st->secret), st->hash);
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, st->username);
	rq_param_str(rq, st->hash);
	rq_param_str(rq, reason != NULL ? reason : "");
	return (RQ_NEXT);
}

/* 201 {reset: {username, display_name, expires_at, url, link}}, once. */
static int
reset_issue_respond(struct rq *rq)
{
	struct reset_state	*st = rq->extra;
	json_t			*doc;

	if ((doc = json_loadb(rq->res, rq->res_len, 0, NULL)) == NULL ||
	    !json_is_object(json_object_get(doc, "reset"))) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	reset_link(rq, json_object_get(doc, "reset"), st->secret);
	http_response_header(rq->req, "cache-control", "no-store");
	if (rq->json)
		reply_json(rq, 201, doc);
	else
		(void)reply_page(rq, 201, "reset_issued", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET and POST /reset/{secret}                                        */

static int
reset_page_prepare(struct rq *rq)
{
	struct reset_state	*st = reset_state(rq);

	reset_path_hash(rq, st);
	rq_param_str(rq, st->hash);
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	return (RQ_NEXT);
}

/* The form, with the visitor's CSRF token; 404 for a dead link. */
static int
reset_page_respond(struct rq *rq)
{
	json_t	*doc;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "reset.invalid");
		return (RQ_DONE);
	}
	(void)guard_pre_csrf(rq);
	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * The link works (reset_page found it): check the new password against
 * its owner's username and hash it in the job thread.  RQ_DONE after a
 * reply, RQ_RETRY once the job runs.
 */
static int
reset_post_check(struct rq *rq, struct reset_state *st)
{
	const struct form_field	*f;
	json_t			*doc;
	const char		*user, *why, *confirm;

	doc = json_loadb(rq->res, rq->res_len, 0, NULL);
	user = json_string_value(json_object_get(json_object_get(doc,
	    "reset"), "username"));
	if ((f = form_get(&rq->body, "password")) == NULL || f->len == 0)
		reply_field_error(rq, "password", "errors.field.required");
	else if (strlen(f->value) != f->len)
		reply_field_error(rq, "password", "errors.field.bad_text");
	else if ((why = pw_refusal(f->value, user)) != NULL)
		reply_field_error(rq, "password", why);
	json_decref(doc);
	confirm = rq_field(rq, "password_confirm", NULL);
	if (confirm != NULL && f != NULL && strcmp(confirm, f->value) != 0)
		reply_field_error(rq, "password_confirm", "reset.mismatch");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	if (!pw_job_set(&st->job, f->value, NULL))
		return (rq_reply_invalid(rq));
	rq->step = RESET_ST_HASHING;
	if (!rq_task_start(rq, pw_task_hash, &st->job, 0, 0))
		return (RQ_DONE);
	return (RQ_RETRY);
}

static int
reset_post_respond(struct rq *rq)
{
	struct reset_state	*st = rq->extra;

	switch (rq->step) {
	case RESET_ST_LOOKED_UP:
		if (rq->res_null) {
			reply_error(rq, 404, "not_found", "reset.invalid");
			return (RQ_DONE);
		}
		return (reset_post_check(rq, st));
	case RESET_ST_HASHING:
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		if (st->job.hash[0] == '\0') {
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		rq_params_reset(rq);
		rq_param_str(rq, st->hash);
		rq_param_str(rq, st->job.hash);
		rq_param_str(rq, rq_client_ip(rq, st->ip, sizeof(st->ip)));
		(void)rq_use_stmt(rq, "reset_use");
		rq->step = RESET_ST_USED;
		return (RQ_AGAIN);
	default:	/* RESET_ST_USED */
		/* The password is set, the member's sessions ended. */
		return (reply_result(rq, 200, "/login?reset=1"));
	}
}

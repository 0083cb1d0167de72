/*
 * account.c: sign up, log in, log out, the session, profiles, settings,
 * sessions and API tokens (docs/api.md#accounts).  Settings name each
 * login session's device from its User-Agent (app/device.c).
 *
 * Passwords are hashed and checked in the job thread (password.c); the
 * statements and the rules that must hold under concurrency (unique
 * usernames, rate-limit counters, lockouts) are in PostgreSQL
 * (migrations/0002_accounts.sql, assets/sql/account.sql).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "device.h"
#include "i18n.h"
#include "jparse.h"
#include "md.h"
#include "netaddr.h"
#include "password.h"
#include "text.h"

/* A login name as typed: longer than any username, refused as unknown. */
#define ACCOUNT_LOGIN_MAX	64

int	page_signup(struct http_request *);
int	page_login(struct http_request *);
int	page_logout(struct http_request *);
int	page_session(struct http_request *);
int	page_profile(struct http_request *);
int	page_settings(struct http_request *);
int	page_session_delete(struct http_request *);
int	page_sessions_others_delete(struct http_request *);
int	page_tokens(struct http_request *);
int	page_token_delete(struct http_request *);

/*
 * rq->step of the sign-up, login and settings chains (each statement
 * answered moves the chain on; a password job runs in the job thread).
 */
enum {
	ACCOUNT_ST_START = 0,		/* the first statement answered */
	ACCOUNT_ST_TASK,		/* the password job is running */
	ACCOUNT_ST_LOGGED_IN,		/* account_login_ok made a session */
	ACCOUNT_ST_LOGIN_FAILED,	/* account_login_failed counted it */
	ACCOUNT_ST_OLD_HASH = 10,	/* settings: the stored hash came */
	ACCOUNT_ST_OLD_CHECKED,		/* checking the current password */
	ACCOUNT_ST_NEW_HASHED,		/* hashing the new one */
	ACCOUNT_ST_PASSWORD_SET,	/* account_password_set answered */
	ACCOUNT_ST_SAVED = 20,		/* account_settings_update answered */
	ACCOUNT_ST_SAVED_NEW_SESSION	/* ...after a new session was made */
};

/* What a login or sign-up carries between its steps. */
struct account_auth_state {
	struct pw_job	 job;		/* for the job thread */
	char		 token[PW_SECRET_LEN];
	char		 token_hash[SHA256_HEX_BUF];
	char		 csrf[PW_SECRET_LEN];
	char		 ip[64];
	int64_t		 user_id;
	char		 username[UTF8_BUF(ACCOUNT_LOGIN_MAX)];
	int		 pw_change;	/* settings: new password */
	char		*bio_html;	/* settings: bio, malloc()ed */
};

static int	account_signup_prepare(struct rq *);
static int	account_signup_respond(struct rq *);
static int	account_login_prepare(struct rq *);
static int	account_login_respond(struct rq *);
static int	account_logout_prepare(struct rq *);
static int	account_logout_respond(struct rq *);
static int	account_session_prepare(struct rq *);
static int	account_profile_prepare(struct rq *);
static int	account_profile_respond(struct rq *);
static int	account_settings_prepare(struct rq *);
static int	account_settings_respond(struct rq *);
static void	account_settings_devices(struct rq *, json_t *);
static void	account_device_name(struct rq *, const char *, struct buf *);
static int	account_settings_post_prepare(struct rq *);
static int	account_settings_post_respond(struct rq *);
static int	account_settings_update_params(struct rq *);
static int	account_session_delete_prepare(struct rq *);
static int	account_sessions_others_prepare(struct rq *);
static int	account_sessions_others_respond(struct rq *);
static int	account_settings_back(struct rq *, const char *);
static int	account_token_create_prepare(struct rq *);
static int	account_token_create_respond(struct rq *);
static int	account_token_delete_prepare(struct rq *);
static int	account_deleted_respond(struct rq *);
static int	account_form_only(struct rq *);

static void		 account_auth_state_free(void *);
static struct account_auth_state *account_auth_state(struct rq *);
static const char	*account_valid_password(struct rq *, const char *,
			    const char *);
static const char	*account_valid_username(struct rq *);
static const char	*account_valid_locale(struct rq *);
static const char	*account_valid_email(struct rq *);
static const char	*account_safe_next(struct rq *);
static int		 account_auth_done(struct rq *, int);
static int		 account_session_days(struct rq *);

static const struct page signup_form = {
	.name = "signup_form", .access = ACCESS_ANYONE,
	.flags = PAGE_NO_STMT, .tmpl = "account_signup", .prepare = account_form_only,
};
static const struct page signup_post = {
	.name = "signup", .access = ACCESS_ANYONE,
	.flags = PAGE_WRITE | PAGE_PRE_CSRF, .tmpl = "account_signup",
	.prepare = account_signup_prepare, .respond = account_signup_respond,
};
static const struct page login_form = {
	.name = "login_form", .access = ACCESS_ANYONE,
	.flags = PAGE_NO_STMT, .tmpl = "account_login", .prepare = account_form_only,
};
static const struct page login_post = {
	.name = "login", .access = ACCESS_ANYONE,
	.flags = PAGE_WRITE | PAGE_PRE_CSRF, .tmpl = "account_login",
	.prepare = account_login_prepare, .respond = account_login_respond,
};
static const struct page logout_post = {
	.name = "logout", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.prepare = account_logout_prepare, .respond = account_logout_respond,
};
static const struct page session_page = {
	.name = "session", .access = ACCESS_ANYONE,
	.flags = PAGE_NO_STMT | PAGE_SESSION,
	.prepare = account_session_prepare,
};
static const struct page profile_page = {
	.name = "profile", .access = ACCESS_ANYONE, .tmpl = "account_profile",
	.stmt = "account_profile", .prepare = account_profile_prepare,
	.respond = account_profile_respond,
};
static const struct page settings_page = {
	.name = "settings", .access = ACCESS_USER, .tmpl = "account_settings",
	.stmt = "account_settings", .prepare = account_settings_prepare,
	.respond = account_settings_respond,
};
/* Open before verification: the member enters the card and name here. */
static const struct page settings_post = {
	.name = "settings_post", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.tmpl = "account_settings",
	.prepare = account_settings_post_prepare,
	.respond = account_settings_post_respond,
};
static const struct page session_delete_post = {
	.name = "session_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.stmt = "account_session_delete",
	.prepare = account_session_delete_prepare,
	.respond = account_deleted_respond,
};
/* "Sign out all other devices": the asking session stays, tokens too. */
static const struct page sessions_others_post = {
	.name = "sessions_others_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.stmt = "account_sessions_end_others",
	.prepare = account_sessions_others_prepare,
	.respond = account_sessions_others_respond,
};
static const struct page token_create_post = {
	.name = "token_create", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.tmpl = "account_token_created",
	.stmt = "account_token_create",
	.prepare = account_token_create_prepare,
	.respond = account_token_create_respond,
};
static const struct page token_delete_post = {
	.name = "token_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.stmt = "account_token_delete",
	.prepare = account_token_delete_prepare,
	.respond = account_deleted_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const account_pages[] = {
	&signup_form, &signup_post, &login_form, &login_post,
	&logout_post, &session_page, &profile_page, &settings_page,
	&settings_post, &session_delete_post, &sessions_others_post,
	&token_create_post, &token_delete_post, NULL
};

int
page_signup(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &signup_post :
	    &signup_form));
}

int
page_login(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &login_post :
	    &login_form));
}

int
page_logout(struct http_request *req)
{
	return (rq_run(req, &logout_post));
}

int
page_session(struct http_request *req)
{
	return (rq_run(req, &session_page));
}

int
page_profile(struct http_request *req)
{
	return (rq_run(req, &profile_page));
}

int
page_settings(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &settings_post :
	    &settings_page));
}

int
page_session_delete(struct http_request *req)
{
	return (rq_run(req, &session_delete_post));
}

int
page_sessions_others_delete(struct http_request *req)
{
	return (rq_run(req, &sessions_others_post));
}

int
page_tokens(struct http_request *req)
{
	return (rq_run(req, &token_create_post));
}

int
page_token_delete(struct http_request *req)
{
	return (rq_run(req, &token_delete_post));
}

/* ------------------------------------------------------------------ */

static void
account_auth_state_free(void *p)
{
	struct account_auth_state	*st = p;

	sodium_memzero(&st->job, sizeof(st->job));
	free(st->bio_html);
}

static struct account_auth_state *
account_auth_state(struct rq *rq)
{
	if (rq->extra == NULL)
		(void)rq_state_new(rq, sizeof(struct account_auth_state),
		    account_auth_state_free);
	return (rq->extra);
}

/*
 * A page that is only a form (GET /login, GET /signup), with the
 * visitor's CSRF token (guard_pre_csrf: the template reads pre_csrf).
 */
static int
account_form_only(struct rq *rq)
{
	json_t	*doc;

	doc = json_object();
	json_object_set_new(doc, "form", json_object());
	json_object_set_new(doc, "csrf_token", json_string(guard_pre_csrf(rq)));
	if (rq_query(rq, "next") != NULL)
		json_object_set_new(json_object_get(doc, "form"), "next",
		    json_string(account_safe_next(rq)));
	/* After a password reset (reset.c). */
	if (rq_query(rq, "reset") != NULL)
		json_object_set_new(doc, "notice",
		    json_string(render_text(rq->locale, "account.reset_done")));
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * Where to go after logging in: a safe site-relative path (the rule
 * reply_redirect() applies to every target), else "/".
 */
static const char *
account_safe_next(struct rq *rq)
{
	const char	*n;

	if ((n = rq_field(rq, "next", NULL)) == NULL &&
	    (n = rq_query(rq, "next")) == NULL)
		return ("/");
	return (text_local_url_ok(n) ? n : "/");
}

static const char *
account_valid_username(struct rq *rq)
{
	const struct form_field	*f;
	char			*v;
	size_t			 i, len;

	if ((f = form_get(&rq->body, "username")) == NULL) {
		reply_field_error(rq, "username", "errors.field.required");
		return (NULL);
	}
	v = f->value;
	len = text_trim(v, f->len);
	text_lower_ascii(v);
	for (i = 0; i < len; i++) {
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			break;
	}
	if (len < 3 || len > 32 || i != len) {
		reply_field_error(rq, "username", len == 0 ?
		    "errors.field.required" : "errors.username_format");
		return (NULL);
	}
	return (v);
}

/*
 * A new password for username (NULL or "" when not known yet): the
 * rules of pw_refusal() (8-128 characters, not common, not the
 * username).  NULL, with the field's problem noted, when refused.
 */
static const char *
account_valid_password(struct rq *rq, const char *name, const char *username)
{
	const struct form_field	*f;
	const char		*why;

	if ((f = form_get(&rq->body, name)) == NULL || f->len == 0) {
		reply_field_error(rq, name, "errors.field.required");
		return (NULL);
	}
	if (strlen(f->value) != f->len) {
		reply_field_error(rq, name, "errors.field.bad_text");
		return (NULL);
	}
	if ((why = pw_refusal(f->value, username)) != NULL) {
		reply_field_error(rq, name, why);
		return (NULL);
	}
	return (f->value);
}

static const char *
account_valid_locale(struct rq *rq)
{
	const char	*v;

	if ((v = rq_text(rq, "locale", 0, 0, 10, 0)) == NULL || *v == '\0')
		return (v);
	if (i18n_canonical(v) == NULL) {
		reply_field_error(rq, "locale", "errors.bad_locale");
		return (NULL);
	}
	return (i18n_canonical(v));
}

static const char *
account_valid_email(struct rq *rq)
{
	const char	*v, *at;

	if ((v = rq_text(rq, "email", 0, 0, 254, 0)) == NULL || *v == '\0')
		return (v);
	at = strchr(v, '@');
	if (at == NULL || at == v || strchr(at + 1, '.') == NULL ||
	    strpbrk(v, " <>\"',;") != NULL) {
		reply_field_error(rq, "email", "errors.bad_email");
		return (NULL);
	}
	return (v);
}

/* ------------------------------------------------------------------ */
/* POST /signup                                                        */

static int
account_signup_prepare(struct rq *rq)
{
	struct account_auth_state	*st = account_auth_state(rq);
	const char		*username, *password, *display;
	const char		*email, *locale;

	switch (rq->step) {
	case ACCOUNT_ST_START:
		username = account_valid_username(rq);
		password = account_valid_password(rq, "password", username);
		display = rq_text(rq, "display_name", 1, 1, DISPLAY_NAME_MAX, 0);
		email = account_valid_email(rq);
		locale = account_valid_locale(rq);
		(void)display;
		(void)email;
		(void)locale;
		if (rq_has_errors(rq))
			return (rq_reply_invalid(rq));
		if (!pw_job_set(&st->job, password, NULL))
			return (rq_reply_invalid(rq));
		rq->step = ACCOUNT_ST_TASK;
		if (!rq_task_start(rq, pw_task_hash, &st->job, 0, 0))
			return (RQ_DONE);	/* 503: the queue is full */
		return (RQ_RETRY);
	case ACCOUNT_ST_TASK:
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		if (st->job.hash[0] == '\0') {
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		break;
	}

	pw_new_secret(st->token, sizeof(st->token), st->token_hash);
	pw_new_secret(st->csrf, sizeof(st->csrf), NULL);
	rq_param_str(rq, rq_field(rq, "username", NULL));
	rq_param_str(rq, rq_field(rq, "display_name", NULL));
	rq_param_str(rq, rq_field(rq, "email", NULL));
	rq_param_str(rq, account_valid_locale(rq));
	rq_param_str(rq, st->job.hash);
	rq_param_str(rq, st->token_hash);
	rq_param_str(rq, st->csrf);
	rq_param_str(rq, rq_client_ip(rq, st->ip, sizeof(st->ip)));
	rq_param_str(rq, rq_user_agent(rq));
	(void)rq_use_stmt(rq, "account_signup");
	return (RQ_NEXT);
}

static int
account_signup_respond(struct rq *rq)
{
	return (account_auth_done(rq, 201));
}

/*
 * The cookie's lifetime in days: column 2 of the statement that made
 * the session (the session_max_days setting), or 0 (a cookie that ends
 * with the browser) when it is missing or out of range.
 */
static int
account_session_days(struct rq *rq)
{
	long	days;
	char	*end;

	if (rq->res_col2 == NULL)
		return (0);
	days = strtol(rq->res_col2, &end, 10);
	if (*end != '\0' || days < 1 || days > 36500)
		return (0);
	return ((int)days);
}

/*
 * A session was made (signup, login, password change): set the cookie,
 * answer {user, csrf_token}, send browsers on.
 */
static int
account_auth_done(struct rq *rq, int status)
{
	struct account_auth_state	*st = rq->extra;

	guard_set_session_cookie(rq, st->token, account_session_days(rq));
	return (reply_result(rq, status, account_safe_next(rq)));
}

/* ------------------------------------------------------------------ */
/* POST /login: begin (lockouts, the stored hash), check the password in
 * a task, then record the success (a new session) or the failure.      */

static int
account_login_prepare(struct rq *rq)
{
	struct account_auth_state	*st = account_auth_state(rq);
	const char		*username, *password;

	username = rq_text(rq, "username", 1, 1, ACCOUNT_LOGIN_MAX, 0);
	password = rq_field(rq, "password", NULL);
	if (password == NULL || *password == '\0')
		reply_field_error(rq, "password", "errors.field.required");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	(void)text_copy_utf8(st->username, sizeof(st->username), username);
	rq_param_str(rq, username);
	rq_param_str(rq, rq_client_ip(rq, st->ip, sizeof(st->ip)));
	(void)rq_use_stmt(rq, "account_login_begin");
	return (RQ_NEXT);
}

static int
account_login_respond(struct rq *rq)
{
	struct account_auth_state	*st = rq->extra;
	json_t			*doc;
	const char		*hash, *password;
	int			 retry;

	switch (rq->step) {
	case ACCOUNT_ST_START:
		doc = json_loadb(rq->res, rq->res_len, 0, NULL);
		retry = (int)json_integer_value(json_object_get(doc,
		    "retry_after"));
		st->user_id = json_integer_value(json_object_get(doc,
		    "user_id"));
		hash = json_string_value(json_object_get(doc,
		    "password_hash"));
		password = rq_field(rq, "password", NULL);
		if (retry > 0 ||
		    strlen(password) > sizeof(st->job.password) - 1) {
			json_decref(doc);
			if (retry > 0) {
				reply_rate_limited(rq, retry);
				return (RQ_DONE);
			}
			reply_error(rq, 401, "invalid_credentials",
			    "errors.invalid_credentials");
			return (RQ_DONE);
		}
		(void)pw_job_set(&st->job, password, st->user_id ? hash : NULL);
		json_decref(doc);
		rq->step = ACCOUNT_ST_TASK;
		if (!rq_task_start(rq, pw_task_verify, &st->job, 0, 0))
			return (RQ_DONE);	/* 503: the queue is full */
		return (RQ_RETRY);
	case ACCOUNT_ST_TASK:
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		rq_params_reset(rq);
		if (st->job.ok && st->user_id > 0) {
			pw_new_secret(st->token, sizeof(st->token),
			    st->token_hash);
			pw_new_secret(st->csrf, sizeof(st->csrf), NULL);
			rq_param_int(rq, st->user_id);
			rq_param_str(rq, st->token_hash);
			rq_param_str(rq, st->csrf);
			rq_param_str(rq, st->ip);
			rq_param_str(rq, rq_user_agent(rq));
			(void)rq_use_stmt(rq, "account_login_ok");
			rq->step = ACCOUNT_ST_LOGGED_IN;
		} else {
			rq_param_str(rq, st->username);
			rq_param_str(rq, st->ip);
			(void)rq_use_stmt(rq, "account_login_failed");
			rq->step = ACCOUNT_ST_LOGIN_FAILED;
		}
		return (RQ_AGAIN);
	case ACCOUNT_ST_LOGGED_IN:
		return (account_auth_done(rq, 200));
	default:
		reply_error(rq, 401, "invalid_credentials",
		    "errors.invalid_credentials");
		return (RQ_DONE);
	}
}

/* ------------------------------------------------------------------ */
/* POST /logout, GET /session                                          */

static int
account_logout_prepare(struct rq *rq)
{
	/* An API token is not a login session: nothing to end. */
	rq_param_str(rq, rq->bearer ? "" : rq->session_hash);
	(void)rq_use_stmt(rq, "account_logout");
	return (RQ_NEXT);
}

static int
account_logout_respond(struct rq *rq)
{
	static const char	ok[] = "{\"ok\":true}";

	guard_clear_session_cookie(rq);
	if (!rq->json) {
		reply_redirect(rq, "/");
		return (RQ_DONE);
	}
	reply_json_text(rq, 200, ok, sizeof(ok) - 1);
	return (RQ_DONE);
}

/*
 * {user: null or {...}, csrf_token, locale}: what clients start with.  A
 * visitor's csrf_token is their pre-session token (guard_pre_csrf), for
 * POST /login and /signup.
 */
static int
account_session_prepare(struct rq *rq)
{
	json_t	*doc, *user;

	doc = json_object();
	if (rq->me.id != 0) {
		user = json_object();
		json_object_set_new(user, "id", json_integer(rq->me.id));
		json_object_set_new(user, "username",
		    json_string(rq->me.username));
		json_object_set_new(user, "display_name",
		    json_string(rq->me.display_name));
		json_object_set_new(user, "role", json_string(rq->me.role));
		json_object_set_new(user, "verified",
		    json_boolean(rq->me.verified));
		json_object_set_new(doc, "user", user);
		json_object_set_new(doc, "csrf_token",
		    rq->bearer ? json_null() : json_string(rq->me.csrf));
	} else {
		json_object_set_new(doc, "user", json_null());
		json_object_set_new(doc, "csrf_token", rq->bearer ?
		    json_null() : json_string(guard_pre_csrf(rq)));
	}
	json_object_set_new(doc, "locale", json_string(rq->locale));
	http_response_header(rq->req, "cache-control", "no-store");
	reply_json(rq, 200, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * GET /u/{username}: $3 ?lang and $4 the negotiated language name the
 * categories of the posts, the user's own setting between the two.
 */
static int
account_profile_prepare(struct rq *rq)
{
	const char	*lang;

	rq_param_str(rq, rq->req->path + strlen("/u/"));
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	lang = rq_query(rq, "lang");
	rq_param_str(rq, lang != NULL ? i18n_canonical(lang) : NULL);
	rq_param_str(rq, rq->locale);
	return (RQ_NEXT);
}

/* The page: the statement's document and, for people, the role's name. */
static int
account_profile_respond(struct rq *rq)
{
	json_t		*doc, *user;
	const char	*role, *label;
	char		 key[48];

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	user = json_object_get(doc, "user");
	role = json_string_value(json_object_get(user, "role"));
	(void)snprintf(key, sizeof(key), "roles.%s", role ? role : "");
	if ((label = render_text(rq->locale, key)) == NULL)
		label = role ? role : "";
	json_object_set_new(user, "role_label", json_string(label));
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET and POST /settings                                              */

static int
account_settings_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->session_hash);
	return (RQ_NEXT);
}

/*
 * The settings document with each session's device named in the
 * reader's language ("device") and how many sessions are not this one
 * ("other_sessions", for "sign out all other devices"); for programs
 * and browsers alike.
 */
static int
account_settings_respond(struct rq *rq)
{
	json_t		*doc;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL ||
	    !json_is_object(doc)) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	account_settings_devices(rq, doc);
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

static void
account_settings_devices(struct rq *rq, json_t *doc)
{
	json_t		*s;
	struct buf	 name;
	size_t		 i;
	json_int_t	 others;

	others = 0;
	json_array_foreach(json_object_get(doc, "sessions"), i, s) {
		buf_init(&name);
		account_device_name(rq, json_string_value(json_object_get(s,
		    "user_agent")), &name);
		json_object_set_new(s, "device", json_string(name.data ?
		    name.data : ""));
		buf_free(&name);
		if (!json_is_true(json_object_get(s, "current")))
			others++;
	}
	json_object_set_new(doc, "other_sessions", json_integer(others));
}

/*
 * "Chrome on Android" / "Android 上的 Chrome" for User-Agent ua (NULL:
 * none), appended to out: the catalog's account.device.on with the
 * names of account.device.browser.* and account.device.os.*; one of them
 * alone when only one is known, account.device.unknown when neither is.
 */
static void
account_device_name(struct rq *rq, const char *ua, struct buf *out)
{
	struct device	 d;
	struct buf	 half, half2;
	const char	*browser, *os, *on;
	char		 key[64];

	device_parse(ua, ua != NULL ? strlen(ua) : 0, &d);
	browser = os = NULL;
	if (d.browser != NULL) {
		(void)snprintf(key, sizeof(key), "account.device.browser.%s",
		    d.browser);
		browser = render_text(rq->locale, key);
	}
	if (d.os != NULL) {
		(void)snprintf(key, sizeof(key), "account.device.os.%s", d.os);
		os = render_text(rq->locale, key);
	}
	on = render_text(rq->locale, "account.device.on");
	if (browser != NULL && os != NULL && on != NULL) {
		buf_init(&half);
		buf_init(&half2);
		text_subst(&half, on, "browser", browser);
		text_subst(&half2, half.data != NULL ? half.data : "", "os",
		    os);
		if (half2.data != NULL) {
			device_tidy(half2.data);
			buf_appends(out, half2.data);
		}
		buf_free(&half);
		buf_free(&half2);
	} else if (browser != NULL || os != NULL) {
		buf_appends(out, browser != NULL ? browser : os);
	} else {
		on = render_text(rq->locale, "account.device.unknown");
		buf_appends(out, on != NULL ? on : "?");
	}
}

/*
 * Validate everything first; a password change (current_password and
 * new_password) checks the old one and hashes the new one in tasks, and
 * ends the other sessions; then the other fields are saved.
 */
static int
account_settings_post_prepare(struct rq *rq)
{
	struct account_auth_state	*st = account_auth_state(rq);
	const char		*bio, *newpw, *curpw;
	struct md_result	 md;
	size_t			 len;

	(void)rq_text(rq, "display_name", 0, 1, DISPLAY_NAME_MAX, 0);
	(void)rq_text(rq, "real_name", 0, 0, 50, 0);
	(void)rq_text(rq, "reader_card", 0, 0, 32, 0);
	(void)account_valid_email(rq);
	(void)account_valid_locale(rq);
	if ((bio = rq_text(rq, "bio", 0, 0, MD_MAX_INPUT, 1)) != NULL) {
		len = strlen(bio);
		if (md_render(bio, len, &md) != 0) {
			reply_field_error(rq, "bio", "errors.too_large");
		} else {
			st->bio_html = md.html;
			md.html = NULL;
			md_result_free(&md);
		}
	}
	if (rq_field(rq, "new_password", NULL) != NULL &&
	    *rq_field(rq, "new_password", NULL) != '\0') {
		newpw = account_valid_password(rq, "new_password",
		    rq->me.username);
		if ((curpw = rq_field(rq, "current_password", NULL)) == NULL ||
		    *curpw == '\0')
			reply_field_error(rq, "current_password",
			    "errors.field.required");
		st->pw_change = newpw != NULL;
	}
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	if (st->pw_change) {
		rq_param_int(rq, rq->me.id);
		(void)rq_use_stmt(rq, "account_password_hash");
		rq->step = ACCOUNT_ST_OLD_HASH;
		return (RQ_NEXT);
	}
	return (account_settings_update_params(rq));
}

static int
account_settings_update_params(struct rq *rq)
{
	struct account_auth_state	*st = rq->extra;
	const char		*locale;

	rq_params_reset(rq);
	locale = rq_field(rq, "locale", NULL);
	if (locale != NULL && *locale != '\0')
		locale = i18n_canonical(locale);
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq_field(rq, "display_name", NULL));
	rq_param_str(rq, rq_field(rq, "bio", NULL));
	rq_param_str(rq, st->bio_html);
	rq_param_str(rq, locale);
	rq_param_str(rq, rq_field(rq, "reader_card", NULL));
	rq_param_str(rq, rq_field(rq, "real_name", NULL));
	rq_param_str(rq, rq_field(rq, "email", NULL));
	(void)rq_use_stmt(rq, "account_settings_update");
	rq->step = ACCOUNT_ST_SAVED;
	return (RQ_NEXT);
}

static int
account_settings_post_respond(struct rq *rq)
{
	struct account_auth_state	*st = rq->extra;
	json_t			*doc;
	const char		*hash, *locale;

	switch (rq->step) {
	case ACCOUNT_ST_OLD_HASH:	/* check the current password */
		doc = json_loadb(rq->res, rq->res_len, 0, NULL);
		hash = json_string_value(json_object_get(doc, "password_hash"));
		(void)pw_job_set(&st->job, rq_field(rq, "current_password",
		    NULL), hash);
		json_decref(doc);
		rq->step = ACCOUNT_ST_OLD_CHECKED;
		if (!rq_task_start(rq, pw_task_verify, &st->job, 0, 0))
			return (RQ_DONE);	/* 503: the queue is full */
		return (RQ_RETRY);
	case ACCOUNT_ST_OLD_CHECKED:
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		if (!st->job.ok) {
			reply_field_error(rq, "current_password",
			    "errors.wrong_password");
			return (rq_reply_invalid(rq));
		}
		(void)pw_job_set(&st->job, rq_field(rq, "new_password", NULL),
		    NULL);
		rq->step = ACCOUNT_ST_NEW_HASHED;
		if (!rq_task_start(rq, pw_task_hash, &st->job, 0, 0))
			return (RQ_DONE);	/* 503: the queue is full */
		return (RQ_RETRY);
	case ACCOUNT_ST_NEW_HASHED:
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		if (st->job.hash[0] == '\0') {
			reply_error(rq, 500, "internal", "errors.internal");
			return (RQ_DONE);
		}
		rq_params_reset(rq);
		pw_new_secret(st->token, sizeof(st->token), st->token_hash);
		pw_new_secret(st->csrf, sizeof(st->csrf), NULL);
		rq_param_int(rq, rq->me.id);
		rq_param_str(rq, st->job.hash);
		rq_param_str(rq, st->token_hash);
		rq_param_str(rq, st->csrf);
		rq_param_str(rq, rq_client_ip(rq, st->ip, sizeof(st->ip)));
		rq_param_str(rq, rq_user_agent(rq));
		(void)rq_use_stmt(rq, "account_password_set");
		rq->step = ACCOUNT_ST_PASSWORD_SET;
		return (RQ_AGAIN);
	case ACCOUNT_ST_PASSWORD_SET:	/* the old sessions are gone */
		guard_set_session_cookie(rq, st->token,
		    account_session_days(rq));
		(void)account_settings_update_params(rq);
		rq->step = ACCOUNT_ST_SAVED_NEW_SESSION;
		return (RQ_AGAIN);
	default:	/* ACCOUNT_ST_SAVED, _SAVED_NEW_SESSION */
		locale = rq_field(rq, "locale", NULL);
		if (locale != NULL && i18n_canonical(locale) != NULL)
			guard_remember_locale(rq, i18n_canonical(locale));
		if (!rq->json) {
			reply_redirect(rq, "/settings?saved=1");
			return (RQ_DONE);
		}
		if (rq->step == ACCOUNT_ST_SAVED_NEW_SESSION) {
			/* The client needs the new CSRF token. */
			doc = json_loadb(rq->res, rq->res_len, 0, NULL);
			json_object_set_new(doc, "csrf_token",
			    json_string(st->csrf));
			reply_json(rq, 200, doc);
			json_decref(doc);
			return (RQ_DONE);
		}
		reply_json_text(rq, 200, rq->res, rq->res_len);
		return (RQ_DONE);
	}
}

/* ------------------------------------------------------------------ */
/* Sessions and API tokens                                             */

static int
account_session_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/settings/sessions/"));
	return (RQ_NEXT);
}

/*
 * End the user's other login sessions: all of them but the one asking
 * (a program with an API token ends every login session; tokens stay).
 */
static int
account_sessions_others_prepare(struct rq *rq)
{
	char	ip[NETADDR_STRLEN];

	rq_param_int(rq, rq->me.id);
	if (rq->bearer || rq->session_hash[0] == '\0')
		rq_param_null(rq);
	else
		rq_param_str(rq, rq->session_hash);
	rq_param_own(rq, strdup(rq_client_ip(rq, ip, sizeof(ip))));
	return (RQ_NEXT);
}

/* Browsers go back to the list of devices; programs get the count. */
static int
account_sessions_others_respond(struct rq *rq)
{
	return (account_settings_back(rq, "/settings#sessions"));
}

static int
account_token_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/settings/tokens/"));
	return (RQ_NEXT);
}

static int
account_deleted_respond(struct rq *rq)
{
	return (account_settings_back(rq, "/settings"));
}

/*
 * The end of a settings write: 404 for no row, browsers go back to url
 * (303), programs get the statement's document.
 */
static int
account_settings_back(struct rq *rq, const char *url)
{
	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	return (reply_result(rq, 200, url));
}

static int
account_token_create_prepare(struct rq *rq)
{
	struct account_auth_state	*st = account_auth_state(rq);
	const char		*name;

	if ((name = rq_text(rq, "name", 1, 1, 60, 0)) == NULL)
		return (rq_reply_invalid(rq));
	pw_new_secret(st->token, sizeof(st->token), st->token_hash);
	pw_new_secret(st->csrf, sizeof(st->csrf), NULL);
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, name);
	rq_param_str(rq, st->token_hash);
	rq_param_str(rq, st->csrf);
	return (RQ_NEXT);
}

/* 201 {token: {id, name, secret}}: the secret is shown this once. */
static int
account_token_create_respond(struct rq *rq)
{
	struct account_auth_state	*st = rq->extra;
	json_t			*tok, *doc;
	char			 secret[PW_SECRET_LEN + 3];

	tok = json_loadb(rq->res, rq->res_len, 0, NULL);
	(void)snprintf(secret, sizeof(secret), "ms_%s", st->token);
	json_object_set_new(tok, "secret", json_string(secret));
	doc = json_object();
	json_object_set_new(doc, "token", tok);
	if (rq->json)
		reply_json(rq, 201, doc);
	else
		(void)reply_page(rq, 201, "account_token_created", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * guard.c: the one place that decides who may do what (docs/architecture.md).
 *
 * For every request: the session token from the cookie (or an API token
 * from "Authorization: Bearer"), hashed (only hashes are stored); the
 * language; and for state-changing POSTs an Origin / Sec-Fetch-Site check.
 * When the page needs to know the user, one prepared statement resolves
 * the session (session_lookup), then the page's access level, suspension
 * and the CSRF token are checked here, failing closed.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "i18n.h"
#include "text.h"

#define SESSION_COOKIE		"ms_session"
#define LANG_COOKIE		"lang"
#define TOKEN_CHARS		43	/* 32 bytes, unpadded base64url */

static int	guard_token_ok(const char *);
static void	guard_hash_hex(const char *, char *);
static int	guard_csrf_ok(struct rq *);
static int	guard_parse_viewer(struct rq *);
static void	guard_refuse(struct rq *, int, const char *, const char *);
static void	guard_refuse_suspended(struct rq *);

/*
 * A browser's POST must come from our own pages.  Sec-Fetch-Site says so
 * directly; older browsers (and WeChat's) send Origin.  Programs send
 * neither and are covered by the CSRF token or their bearer token.
 */
int
guard_origin_ok(struct http_request *req)
{
	const char	*site, *origin, *host, *p;
	size_t		 hlen;

	if (http_request_header(req, "sec-fetch-site", &site)) {
		if (strcmp(site, "same-origin") && strcmp(site, "none"))
			return (0);
	}
	if (!http_request_header(req, "origin", &origin))
		return (1);
	if (!http_request_header(req, "host", &host))
		return (0);

	/* Origin is scheme://host[:port]; compare what follows "://". */
	if ((p = strstr(origin, "://")) == NULL)
		return (0);
	p += 3;
	hlen = strlen(host);
	return (strlen(p) == hlen && !strncasecmp(p, host, hlen));
}

static int
guard_token_ok(const char *t)
{
	size_t	i;

	for (i = 0; t[i] != '\0'; i++) {
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= '0' && t[i] <= '9') ||
		    t[i] == '-' || t[i] == '_'))
			return (0);
	}
	return (i == TOKEN_CHARS);
}

/* out must hold 65 bytes: the hex SHA-256 of the token. */
static void
guard_hash_hex(const char *token, char *out)
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* The session (or API token) this request carries, hashed. */
void
guard_session_hash(struct rq *rq)
{
	const char	*auth;
	char		*cookie;

	rq->session_hash[0] = '\0';
	if (http_request_header(rq->req, "authorization", &auth) &&
	    !strncasecmp(auth, "bearer ", 7)) {
		auth += 7;
		if (!strncmp(auth, "ms_", 3) && guard_token_ok(auth + 3)) {
			guard_hash_hex(auth + 3, rq->session_hash);
			rq->bearer = 1;
		}
		return;
	}

	http_populate_cookies(rq->req);
	if (http_request_cookie(rq->req, SESSION_COOKIE, &cookie) &&
	    guard_token_ok(cookie))
		guard_hash_hex(cookie, rq->session_hash);
}

/*
 * Language: ?lang=, then the user's setting, then the lang cookie, then
 * Accept-Language, then the site default.  An explicit choice is
 * remembered in the cookie for a year.
 */
void
guard_negotiate_locale(struct rq *rq, const char *user_locale)
{
	const char	*explicit, *accept, *canon;
	char		*cookie;

	explicit = rq_query(rq, "lang");
	http_populate_cookies(rq->req);
	if (!http_request_cookie(rq->req, LANG_COOKIE, &cookie))
		cookie = NULL;
	if (!http_request_header(rq->req, "accept-language", &accept))
		accept = NULL;
	rq->locale = i18n_negotiate(explicit, user_locale, cookie, accept);

	if (user_locale == NULL && explicit != NULL &&
	    (canon = i18n_canonical(explicit)) != NULL)
		guard_remember_locale(rq, canon);
}

/*
 * The lang cookie: set by ?lang= and by saving the language setting, so
 * the language is known before the session is (pages cached per
 * language pick the right copy at once).
 */
void
guard_remember_locale(struct rq *rq, const char *locale)
{
	char	hdr[128];

	(void)snprintf(hdr, sizeof(hdr), "%s=%s; Path=/; Max-Age=31536000; "
	    "SameSite=Lax", LANG_COOKIE, locale);
	http_response_header(rq->req, "set-cookie", hdr);
}

/*
 * Public pages resolve the viewer in their own statement ("me" in the
 * document): the viewer's language setting applies as if the guard had
 * read it.
 */
void
guard_page_locale(struct rq *rq, json_t *doc)
{
	const char	*locale;

	locale = json_string_value(json_object_get(json_object_get(doc, "me"),
	    "locale"));
	if (rq->me.id == 0 && locale != NULL)
		guard_negotiate_locale(rq, locale);
}

int
guard_needs_session(struct rq *rq)
{
	if (rq->session_hash[0] == '\0' || guard_session_stmt() == -1)
		return (0);
	return (rq->page->access > ACCESS_ANYONE ||
	    (rq->page->flags & (PAGE_SESSION | PAGE_WRITE)));
}

int
guard_session_stmt(void)
{
	static int	id = -2;

	if (id == -2)
		id = db_stmt_lookup("session_lookup");
	return (id);
}

void
guard_session_params(struct rq *rq)
{
	rq_param_str(rq, rq->session_hash);
	rq_param_str(rq, rq->bearer ? "token" : "session");
	rq_param_str(rq, (rq->page->flags & PAGE_WRITE) ? "write" : "read");
}

int
guard_is_staff(const struct viewer *me)
{
	return (!strcmp(me->role, "staff") || !strcmp(me->role, "admin"));
}

/* The session cookie: HttpOnly, SameSite=Lax, Secure over TLS. */
void
guard_set_session_cookie(struct rq *rq, const char *token)
{
	char	hdr[256];

	(void)snprintf(hdr, sizeof(hdr), "%s=%s; Path=/; Max-Age=%d; "
	    "HttpOnly; SameSite=Lax%s", SESSION_COOKIE, token,
	    180 * 86400, app_config.tls ? "; Secure" : "");
	http_response_header(rq->req, "set-cookie", hdr);
}

void
guard_clear_session_cookie(struct rq *rq)
{
	char	hdr[160];

	(void)snprintf(hdr, sizeof(hdr), "%s=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax%s", SESSION_COOKIE, app_config.tls ? "; Secure" : "");
	http_response_header(rq->req, "set-cookie", hdr);
}

/*
 * After session_lookup: who is this, and may they use this page?
 * Replies and returns 0 when not.
 */
int
guard_check(struct rq *rq)
{
	const struct page	*p = rq->page;
	int			 staff;

	if (!guard_parse_viewer(rq))
		rq->me.id = 0;
	if (rq->me.id != 0)
		guard_negotiate_locale(rq, rq->me.locale[0] ? rq->me.locale :
		    NULL);

	if (p->access == ACCESS_ANYONE && !(p->flags & PAGE_WRITE))
		return (1);

	if (rq->me.id == 0) {
		if (p->access == ACCESS_ANYONE)
			return (1);
		guard_refuse(rq, 401, "login_required",
		    "errors.login_required");
		return (0);
	}

	if ((p->flags & PAGE_WRITE) && !(p->flags & PAGE_NO_CSRF) &&
	    !rq->bearer && !guard_csrf_ok(rq)) {
		guard_refuse(rq, 403, "csrf_failed", "errors.csrf_failed");
		return (0);
	}
	if ((p->flags & PAGE_WRITE) && rq->me.retry_after > 0) {
		reply_rate_limited(rq, rq->me.retry_after);
		return (0);
	}

	/* Suspension stops every write but logout and settings, for staff
	 * too: an admin can suspend a staff account. */
	staff = guard_is_staff(&rq->me);
	if (rq->me.suspended_until[0] != '\0' &&
	    (p->flags & PAGE_WRITE) && !(p->flags & PAGE_SUSPENDED_OK)) {
		guard_refuse_suspended(rq);
		return (0);
	}

	switch (p->access) {
	case ACCESS_VERIFIED:
		if (rq->me.verification_required && !rq->me.verified &&
		    !staff && strcmp(rq->me.role, "mentor")) {
			guard_refuse(rq, 403, "verification_required",
			    "errors.verification_required");
			return (0);
		}
		break;
	case ACCESS_STAFF:
		if (!staff) {
			guard_refuse(rq, 403, "forbidden", "errors.forbidden");
			return (0);
		}
		break;
	case ACCESS_ADMIN:
		if (strcmp(rq->me.role, "admin")) {
			guard_refuse(rq, 403, "forbidden", "errors.forbidden");
			return (0);
		}
		break;
	}
	return (1);
}

/* Browsers that are not logged in go to the login page instead. */
static void
guard_refuse(struct rq *rq, int status, const char *code, const char *key)
{
	char	*url;

	if (status == 401 && !rq->json && rq->req->method == HTTP_METHOD_GET &&
	    asprintf(&url, "/login?next=%s", rq->req->path) != -1) {
		reply_redirect(rq, url);
		free(url);
		return;
	}
	reply_error(rq, status, code, key);
}

/* 403 suspended: until when, and why, in the message and the JSON. */
static void
guard_refuse_suspended(struct rq *rq)
{
	struct buf	 msg;
	const char	*tmpl;

	buf_init(&msg);
	if ((tmpl = render_text(rq->locale, "errors.suspended_until")) != NULL)
		text_subst(&msg, tmpl, "until", rq->me.suspended_until);
	rq->error_extra = json_object();
	json_object_set_new(rq->error_extra, "suspended_until",
	    json_string(rq->me.suspended_until));
	json_object_set_new(rq->error_extra, "reason",
	    json_string(rq->me.suspend_reason));
	if (msg.data != NULL)
		json_object_set_new(rq->error_extra, "message",
		    json_string(msg.data));
	buf_free(&msg);
	reply_error(rq, 403, "suspended", "errors.suspended");
}

static int
guard_csrf_ok(struct rq *rq)
{
	const char	*token;
	size_t		 len;

	if ((token = rq_field(rq, "csrf", NULL)) == NULL &&
	    !http_request_header(rq->req, "x-csrf-token", &token))
		return (0);
	len = strlen(rq->me.csrf);
	return (len > 0 && strlen(token) == len &&
	    sodium_memcmp(token, rq->me.csrf, len) == 0);
}

/* session_lookup returns {id, username, role, verified, locale, csrf,
 * suspended_until} or NULL. */
static int
guard_parse_viewer(struct rq *rq)
{
	json_t		*o;
	const char	*s;
	int		 ok;

	memset(&rq->me, 0, sizeof(rq->me));
	if (rq->res_null || rq->res == NULL)
		return (0);
	if ((o = json_loadb(rq->res, rq->res_len, 0, NULL)) == NULL)
		return (0);

	ok = 0;
	rq->me.id = json_integer_value(json_object_get(o, "id"));
	if ((s = json_string_value(json_object_get(o, "username"))) == NULL)
		goto out;
	(void)snprintf(rq->me.username, sizeof(rq->me.username), "%s", s);
	s = json_string_value(json_object_get(o, "display_name"));
	(void)snprintf(rq->me.display_name, sizeof(rq->me.display_name), "%s",
	    s ? s : "");
	s = json_string_value(json_object_get(o, "role"));
	(void)snprintf(rq->me.role, sizeof(rq->me.role), "%s", s ? s : "");
	rq->me.verified = json_is_true(json_object_get(o, "verified"));
	s = json_string_value(json_object_get(o, "locale"));
	(void)snprintf(rq->me.locale, sizeof(rq->me.locale), "%s",
	    s ? s : "");
	s = json_string_value(json_object_get(o, "csrf"));
	(void)snprintf(rq->me.csrf, sizeof(rq->me.csrf), "%s", s ? s : "");
	s = json_string_value(json_object_get(o, "suspended_until"));
	(void)snprintf(rq->me.suspended_until,
	    sizeof(rq->me.suspended_until), "%s", s ? s : "");
	s = json_string_value(json_object_get(o, "suspend_reason"));
	(void)snprintf(rq->me.suspend_reason,
	    sizeof(rq->me.suspend_reason), "%s", s ? s : "");
	rq->me.verification_required = !json_is_false(json_object_get(o,
	    "verification_required"));
	rq->me.retry_after = (int)json_integer_value(json_object_get(o,
	    "retry_after"));
	rq->me.unread = json_integer_value(json_object_get(o, "unread"));
	ok = rq->me.id > 0;

out:
	json_decref(o);
	return (ok);
}

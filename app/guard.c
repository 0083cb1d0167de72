/*
 * guard.c: the one place that decides who may do what (docs/architecture.md).
 *
 * For every request: the session token from the cookie (or an API token
 * from "Authorization: Bearer"), hashed (only hashes are stored); the
 * language; and for state-changing POSTs an Origin / Sec-Fetch-Site check.
 * When the page needs to know the user, one prepared statement resolves
 * the session (session_lookup); guard_check() then gathers the facts
 * (who, which tokens matched) and app/guard_rule.c decides, failing
 * closed.  The guard sends no reply: app/rq.c answers the verdict.
 * A browser's GET of a PAGE_OWN_SESSION page has its session resolved
 * by the page's own first statement instead (one round trip less), and
 * the same rule applied to it by guard_check_viewer().
 *
 * Visitors have a CSRF token too (login CSRF: a page elsewhere must not
 * log a browser into the attacker's account): a random ms_pre cookie,
 * HttpOnly, made when a page first shows the visitor a token (the login
 * and sign-up forms, GET /session).  The token is a hash of the cookie,
 * so the page can carry it without revealing the cookie, and needs no
 * server secret, so every node agrees without sharing one.
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
#define PRE_COOKIE		"ms_pre"
#define PRE_CONTEXT		"makerspace pre-session csrf v1:"
#define LANG_COOKIE		"lang"
#define TOKEN_CHARS		43	/* 32 bytes, unpadded base64url */

static void	guard_cookies(struct rq *);
static int	guard_token_ok(const char *);
static void	guard_hash_hex(const char *, char *);
static int	guard_csrf_ok(struct rq *);
static int	guard_token_matches(struct rq *, const char *);
static void	guard_pre_derive(const char *, char *, size_t);
static void	guard_pre_cookie(struct rq *);
static int	guard_pre_ok(struct rq *);
static int	guard_parse_viewer(struct rq *);
static int	guard_fill_viewer(struct rq *, json_t *);
static int	guard_decide(struct rq *, int, struct guard_verdict *);

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

/* Kore's cookie list, parsed once (each parse appends a copy). */
static void
guard_cookies(struct rq *rq)
{
	if (TAILQ_EMPTY(&rq->req->req_cookies))
		http_populate_cookies(rq->req);
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

/* out must hold SHA256_HEX_BUF bytes: the hex SHA-256 of the token. */
static void
guard_hash_hex(const char *token, char *out)
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, SHA256_HEX_BUF, h, sizeof(h));
}

/* The session (or API token) this request carries, hashed. */
void
guard_session_hash(struct rq *rq)
{
	const char	*auth;
	char		*cookie;

	guard_pre_cookie(rq);
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

	guard_cookies(rq);
	if (http_request_cookie(rq->req, SESSION_COOKIE, &cookie) &&
	    guard_token_ok(cookie))
		guard_hash_hex(cookie, rq->session_hash);
}

/* The visitor's token for a pre-session cookie: base64url, 43 chars. */
static void
guard_pre_derive(const char *cookie, char *out, size_t outlen)
{
	crypto_hash_sha256_state	st;
	unsigned char			h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)PRE_CONTEXT,
	    sizeof(PRE_CONTEXT) - 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)cookie,
	    strlen(cookie));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2base64(out, outlen, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* rq->pre_csrf from the ms_pre cookie, when it carries a good one. */
static void
guard_pre_cookie(struct rq *rq)
{
	char	*cookie;

	rq->pre_csrf[0] = '\0';
	guard_cookies(rq);
	if (http_request_cookie(rq->req, PRE_COOKIE, &cookie) &&
	    guard_token_ok(cookie))
		guard_pre_derive(cookie, rq->pre_csrf, sizeof(rq->pre_csrf));
}

/*
 * The visitor's token, for a form or GET /session: the one of their
 * ms_pre cookie, or a new cookie (Set-Cookie on this response) and its
 * token.  A session cookie: it ends with the browser, and a form shown
 * again after a refusal carries a fresh token.  Borrowed from rq.
 */
const char *
guard_pre_csrf(struct rq *rq)
{
	unsigned char	raw[32];
	char		cookie[TOKEN_CHARS + 1], hdr[160];

	if (rq->pre_csrf[0] != '\0')
		return (rq->pre_csrf);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(cookie, sizeof(cookie), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	(void)snprintf(hdr, sizeof(hdr), "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Lax%s", PRE_COOKIE, cookie,
	    app_config.tls ? "; Secure" : "");
	http_response_header(rq->req, "set-cookie", hdr);
	guard_pre_derive(cookie, rq->pre_csrf, sizeof(rq->pre_csrf));
	sodium_memzero(raw, sizeof(raw));
	return (rq->pre_csrf);
}

/*
 * Login, sign-up and password reset (PAGE_PRE_CSRF): the visitor's token,
 * as field csrf or header X-CSRF-Token, must match their ms_pre cookie.
 *
 * One exception keeps programs working (docs/api.md#sessions-and-csrf:
 * they POST JSON to /login and /signup with no cookie at all): a JSON
 * body without the ms_pre
 * cookie passes.  That is no way in for login CSRF: a page on another
 * site can send JSON only after a CORS preflight, which this server never
 * grants, and what it can send without one (form encodings, text/plain)
 * either needs the token here or is refused as an unknown body (415).
 * A JSON request that does carry the cookie comes from a browser that was
 * given a token (GET /session, the forms), and must send it.  Someone
 * logged in may send their session's token instead: it proves the same.
 */
static int
guard_pre_ok(struct rq *rq)
{
	const char	*ctype;

	if (!http_request_header(rq->req, "content-type", &ctype))
		ctype = NULL;
	if (rq->pre_csrf[0] == '\0' && form_is_json(ctype))
		return (1);
	if (rq->me.id != 0 && !rq->bearer && guard_csrf_ok(rq))
		return (1);
	return (guard_token_matches(rq, rq->pre_csrf));
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

	explicit = form_value(&rq->qs, "lang");
	guard_cookies(rq);
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
	if (rq->session_hash[0] == '\0' || guard_session_stmt() == -1 ||
	    guard_own_session(rq))
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

/*
 * The session cookie: HttpOnly, SameSite=Lax, Secure over TLS, kept for
 * max_days (the session_max_days setting the statement that made the
 * session read); without a lifetime (max_days <= 0) it ends with the
 * browser, and the session's own expiry applies as always.
 */
void
guard_set_session_cookie(struct rq *rq, const char *token, int max_days)
{
	char	hdr[256], age[32];

	age[0] = '\0';
	if (max_days > 0)
		(void)snprintf(age, sizeof(age), "; Max-Age=%lld",
		    (long long)max_days * 86400);
	(void)snprintf(hdr, sizeof(hdr), "%s=%s; Path=/%s; "
	    "HttpOnly; SameSite=Lax%s", SESSION_COOKIE, token, age,
	    app_config.tls ? "; Secure" : "");
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
 * After session_lookup: who is this (rq->me, and the language they
 * chose), and may they use this page?  1 when they may; else 0 and the
 * verdict (app/guard_rule.h) that app/rq.c answers.
 */
int
guard_check(struct rq *rq, struct guard_verdict *v)
{
	if (!guard_parse_viewer(rq))
		memset(&rq->me, 0, sizeof(rq->me));
	/* The page's own statement resolves the viewer (guard_own_session). */
	return (guard_decide(rq, guard_own_session(rq) ? ACCESS_ANYONE :
	    rq->page->access, v));
}

/*
 * A browser's GET of a PAGE_OWN_SESSION page: no session_lookup, the
 * page's first statement resolves the viewer and the page hands it to
 * guard_check_viewer() (through rq_viewer()).  Programs (JSON, API
 * tokens) go through the guard as on every page.
 */
int
guard_own_session(struct rq *rq)
{
	return ((rq->page->flags & PAGE_OWN_SESSION) && !rq->json &&
	    !rq->bearer && rq->req->method == HTTP_METHOD_GET);
}

/*
 * guard_check() for a viewer a page's statement resolved: me is an object
 * with session_lookup's fields, or NULL (nobody).
 */
int
guard_check_viewer(struct rq *rq, json_t *me, struct guard_verdict *v)
{
	if (!guard_fill_viewer(rq, me))
		memset(&rq->me, 0, sizeof(rq->me));
	return (guard_decide(rq, rq->page->access, v));
}

/* The facts of rq (its viewer known) under access, decided. */
static int
guard_decide(struct rq *rq, int access, struct guard_verdict *v)
{
	const struct page	*p = rq->page;
	struct guard_facts	 f;

	if (rq->me.id != 0)
		guard_negotiate_locale(rq, rq->me.locale[0] ? rq->me.locale :
		    NULL);

	memset(&f, 0, sizeof(f));
	f.access = access;
	f.flags = p->flags;
	f.logged_in = rq->me.id != 0;
	f.role = rq->me.role;
	f.verified = rq->me.verified;
	f.verification_required = rq->me.verification_required;
	f.suspended = rq->me.suspended_until[0] != '\0';
	f.retry_after = rq->me.retry_after;
	f.bearer = rq->bearer;
	if (p->flags & PAGE_WRITE)
		f.csrf_ok = f.logged_in && guard_csrf_ok(rq);
	if (p->flags & PAGE_PRE_CSRF)
		f.pre_csrf_ok = guard_pre_ok(rq);
	guard_rule_decide(&f, v);
	return (v->outcome == GUARD_ALLOW);
}

static int
guard_csrf_ok(struct rq *rq)
{
	return (guard_token_matches(rq, rq->me.csrf));
}

/*
 * Whether the request's token (field csrf, else header X-CSRF-Token)
 * is want, compared in constant time; never when want is "".
 */
static int
guard_token_matches(struct rq *rq, const char *want)
{
	const char	*token;
	size_t		 len;

	if ((token = form_value(&rq->body, "csrf")) == NULL &&
	    !http_request_header(rq->req, "x-csrf-token", &token))
		return (0);
	len = strlen(want);
	return (len > 0 && strlen(token) == len &&
	    sodium_memcmp(token, want, len) == 0);
}

/* session_lookup returns {id, username, role, verified, locale, csrf,
 * suspended_until} or NULL. */
static int
guard_parse_viewer(struct rq *rq)
{
	json_t		*o;
	int		 ok;

	memset(&rq->me, 0, sizeof(rq->me));
	if (rq->res_null || rq->res == NULL)
		return (0);
	if ((o = json_loadb(rq->res, rq->res_len, 0, NULL)) == NULL)
		return (0);
	ok = guard_fill_viewer(rq, o);
	json_decref(o);
	return (ok);
}

/* rq->me from o (session_lookup's fields); 0 when o names nobody. */
static int
guard_fill_viewer(struct rq *rq, json_t *o)
{
	const char	*s;
	int		 ok;

	memset(&rq->me, 0, sizeof(rq->me));
	if (!json_is_object(o))
		return (0);
	ok = 0;
	rq->me.id = json_integer_value(json_object_get(o, "id"));
	if ((s = json_string_value(json_object_get(o, "username"))) == NULL)
		goto out;
	(void)text_copy_utf8(rq->me.username, sizeof(rq->me.username), s);
	s = json_string_value(json_object_get(o, "display_name"));
	(void)text_copy_utf8(rq->me.display_name, sizeof(rq->me.display_name),
	    s);
	s = json_string_value(json_object_get(o, "role"));
	(void)text_copy_utf8(rq->me.role, sizeof(rq->me.role), s);
	rq->me.staff = guard_rule_staff(rq->me.role);
	rq->me.verified = json_is_true(json_object_get(o, "verified"));
	s = json_string_value(json_object_get(o, "locale"));
	(void)text_copy_utf8(rq->me.locale, sizeof(rq->me.locale), s);
	s = json_string_value(json_object_get(o, "csrf"));
	(void)text_copy_utf8(rq->me.csrf, sizeof(rq->me.csrf), s);
	s = json_string_value(json_object_get(o, "suspended_until"));
	(void)text_copy_utf8(rq->me.suspended_until,
	    sizeof(rq->me.suspended_until), s);
	s = json_string_value(json_object_get(o, "suspend_reason"));
	(void)text_copy_utf8(rq->me.suspend_reason,
	    sizeof(rq->me.suspend_reason), s);
	rq->me.verification_required = !json_is_false(json_object_get(o,
	    "verification_required"));
	rq->me.retry_after = (int)json_integer_value(json_object_get(o,
	    "retry_after"));
	rq->me.unread = json_integer_value(json_object_get(o, "unread"));
	ok = rq->me.id > 0;

out:
	return (ok);
}

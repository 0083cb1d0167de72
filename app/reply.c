/*
 * reply.c: every response the app makes leaves through reply_send(), so
 * every one carries the security headers, a Content-Type with charset,
 * and is counted in /metrics.
 *
 * Errors have one shape (docs/api.md#errors): JSON clients get
 *	{"error": {"code": "...", "message": "...", "fields": {...}}}
 * written by jansson (the escaping writer), in the request's language.
 * Browsers get the page's form again with the messages when the failed
 * request was a form post, or the error page otherwise.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "jparse.h"
#include "text.h"

/*
 * No inline script or style, nothing from other origins.  blob: and
 * data: images are for the photo picker's local preview only.
 */
#define CSP	"default-src 'self'; script-src 'self'; style-src 'self'; " \
		"img-src 'self' blob: data:; connect-src 'self'; " \
		"font-src 'self'; object-src 'none'; base-uri 'none'; " \
		"form-action 'self'; frame-ancestors 'none'"

static json_t	*reply_form_echo(struct rq *);
static json_t	*reply_fields_translated(struct rq *);

void
reply_security_headers(struct http_request *req)
{
	http_response_header(req, "content-security-policy", CSP);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "same-origin");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "cross-origin-opener-policy",
	    "same-origin");
	http_response_header(req, "permissions-policy",
	    "camera=(self), geolocation=(), microphone=()");
}

void
reply_send(struct rq *rq, int status, const char *ctype, const void *body,
    size_t len)
{
	reply_security_headers(rq->req);
	if (ctype != NULL)
		http_response_header(rq->req, "content-type", ctype);
	rq->status = status;
	http_response(rq->req, status, body, len);
	metrics_record(rq->req, status, rq->t0_us);
}

/* For responses made outside the runner (static files, 404 catch-all). */
void
reply_raw_error(struct http_request *req, int status, const char *text)
{
	reply_security_headers(req);
	http_response_header(req, "content-type",
	    "text/plain; charset=utf-8");
	http_response(req, status, text, strlen(text));
	metrics_record(req, status, 0);
}

/*
 * JSON unless the client prefers HTML: browsers send text/html first,
 * programs ask for application/json.
 */
int
reply_wants_json(struct http_request *req)
{
	const char	*accept, *j, *h;

	if (!http_request_header(req, "accept", &accept))
		return (0);
	if ((j = strstr(accept, "application/json")) == NULL)
		return (0);
	h = strstr(accept, "text/html");
	return (h == NULL || h > j);
}

void
reply_json_text(struct rq *rq, int status, const char *json, size_t len)
{
	http_response_header(rq->req, "cache-control", "private, no-cache");
	http_response_header(rq->req, "vary", "Accept, Accept-Language, "
	    "Cookie");
	reply_send(rq, status, "application/json; charset=utf-8", json, len);
}

/*
 * Serialise and send doc (the caller keeps its reference).  A document
 * jansson cannot write (a string that is not UTF-8, no memory) is a bug
 * of ours, never the worker's end: 500, logged and counted.
 */
void
reply_json(struct rq *rq, int status, json_t *doc)
{
	char	*s;

	if ((s = json_dumps(doc, JSON_COMPACT)) == NULL) {
		reply_internal(rq, "reply_json: the document cannot be written");
		return;
	}
	reply_json_text(rq, status, s, strlen(s));
	free(s);
}

/*
 * 500 for a request the server failed (a reply it cannot build, a broken
 * rule of its own): logged with what, counted in /metrics as
 * makerspace_internal_errors_total.  The body is a constant in the API's
 * error shape, so this cannot fail in turn.
 */
void
reply_internal(struct rq *rq, const char *what)
{
	static const char	body[] = "{\"error\":{\"code\":\"internal\","
	    "\"message\":\"Internal error\"}}";

	kore_log(LOG_ERR, "%s: %s", rq->page != NULL ? rq->page->name : "-",
	    what);
	metrics_add(METRIC_INTERNAL_ERRORS, 1);
	http_response_header(rq->req, "cache-control", "no-store");
	reply_send(rq, 500, "application/json; charset=utf-8", body,
	    sizeof(body) - 1);
}

/* Render tmpl with doc for a browser; 0 (after a 500) on failure. */
int
reply_page(struct rq *rq, int status, const char *tmpl, json_t *doc)
{
	struct buf	out;
	int		ok;

	buf_init(&out);
	ok = render_html(rq, tmpl, doc, &out);
	if (!ok) {
		kore_log(LOG_ERR, "%s: template %s failed", rq->page->name,
		    tmpl);
		metrics_add(METRIC_INTERNAL_ERRORS, 1);
		buf_reset(&out);
		buf_appends(&out, "Internal error");
		status = 500;
	}
	http_response_header(rq->req, "cache-control", "private, no-cache");
	http_response_header(rq->req, "vary", "Accept, Accept-Language, "
	    "Cookie");
	reply_send(rq, status, ok ? "text/html; charset=utf-8" :
	    "text/plain; charset=utf-8", out.data, out.len);
	buf_free(&out);
	return (ok);
}

/*
 * 303 to url.  Every redirect target leaves through here and must be a
 * safe site-relative path (text_local_url_ok: no other host, no control
 * character, nothing a browser rewrites): Kore writes header values raw.
 * Anything else goes to "/" instead, with a log line.
 */
void
reply_redirect(struct rq *rq, const char *url)
{
	if (!text_local_url_ok(url)) {
		kore_log(LOG_NOTICE, "%s: unsafe redirect target refused",
		    rq->page->name);
		url = "/";
	}
	http_response_header(rq->req, "location", url);
	http_response_header(rq->req, "cache-control", "no-store");
	reply_send(rq, 303, NULL, NULL, 0);
}

/*
 * The ending of most writes: browsers are sent to url (303), programs
 * get the statement's document (rq->res) with status.  RQ_DONE.
 */
int
reply_result(struct rq *rq, int status, const char *url)
{
	if (!rq->json)
		reply_redirect(rq, url);
	else
		reply_json_text(rq, status, rq->res, rq->res_len);
	return (RQ_DONE);
}

/*
 * The same, where browsers go to the thing the write returned: the "url"
 * of the first member named in things (a NULL-terminated list) that the
 * document has; to fallback when it has none or that one has no url.
 */
int
reply_result_at(struct rq *rq, int status, const char *const *things,
    const char *fallback)
{
	json_t		*doc, *thing;
	const char	*url;

	if (rq->json)
		return (reply_result(rq, status, NULL));
	doc = jparse(rq->res, rq->res_len);
	url = NULL;
	for (; doc != NULL && *things != NULL; things++) {
		if ((thing = json_object_get(doc, *things)) != NULL) {
			url = json_string_value(json_object_get(thing, "url"));
			break;
		}
	}
	reply_redirect(rq, url != NULL ? url : fallback);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * Note a field's problem for the next reply_error(): msg is a catalog key
 * or already a message (keys are looked up, anything else is kept).
 */
void
reply_field_error(struct rq *rq, const char *field, const char *key)
{
	const char	*msg;

	if ((msg = render_text(rq->locale, key)) == NULL)
		msg = key;
	if (rq->fields == NULL)
		rq->fields = json_object();
	if (json_object_get(rq->fields, field) == NULL)
		json_object_set_new(rq->fields, field, json_string(msg));
}

/*
 * Send the error in the API's shape, message in the request's language.
 * key is a catalog key ("errors.not_found").
 */
void
reply_error(struct rq *rq, int status, const char *code, const char *key)
{
	json_t		*doc, *err, *fields;
	const char	*msg;

	if ((msg = render_text(rq->locale, key)) == NULL &&
	    (msg = render_text(rq->locale, "errors.internal")) == NULL)
		msg = code;

	err = json_object();
	json_object_set_new(err, "code", json_string(code));
	json_object_set_new(err, "message", json_string(msg));
	fields = reply_fields_translated(rq);
	if (fields != NULL)
		json_object_set_new(err, "fields", fields);
	if (rq->error_extra != NULL)
		json_object_update(err, rq->error_extra);
	doc = json_object();
	json_object_set_new(doc, "error", err);

	if (rq->json) {
		reply_json(rq, status, doc);
	} else if (rq->req->method == HTTP_METHOD_POST &&
	    rq->page->tmpl != NULL && status < 500 && status != 404) {
		/* The form again, with what was typed and what is wrong. */
		json_object_set_new(doc, "form", reply_form_echo(rq));
		if (fields != NULL)
			json_object_set(doc, "errors", fields);
		(void)reply_page(rq, status, rq->page->tmpl, doc);
	} else {
		json_object_set_new(doc, "status", json_integer(status));
		(void)reply_page(rq, status, "error", doc);
	}
	json_decref(doc);
}

/* The field problems, already in the user's words (a new reference). */
static json_t *
reply_fields_translated(struct rq *rq)
{
	if (rq->fields == NULL || json_object_size(rq->fields) == 0)
		return (NULL);
	return (json_incref(rq->fields));
}

/*
 * For radio buttons and selects: status=published also sets
 * "status_published": true, which a template can test
 * ({{#form.status_published}} checked{{/form.status_published}}).  The
 * value is lower-cased and '-' and '.' become '_' (license=CC-BY-4.0
 * sets "license_cc_by_4_0", category=show-and-tell
 * "category_show_and_tell"); values of other characters set nothing.
 * Pages that fill a form themselves call it too.
 */
void
reply_form_choice(json_t *o, const char *name, const char *value)
{
	char	key[128], v[33];
	size_t	i;

	for (i = 0; value[i] != '\0'; i++) {
		if (i >= sizeof(v) - 1)
			return;
		if (value[i] >= 'A' && value[i] <= 'Z')
			v[i] = value[i] - 'A' + 'a';
		else if (value[i] == '-' || value[i] == '.')
			v[i] = '_';
		else if ((value[i] >= 'a' && value[i] <= 'z') ||
		    (value[i] >= '0' && value[i] <= '9') || value[i] == '_')
			v[i] = value[i];
		else
			return;
	}
	if (i == 0)
		return;
	v[i] = '\0';
	/* A cut key would be another key (or half a character): none. */
	if ((size_t)snprintf(key, sizeof(key), "%s_%s", name, v) >=
	    sizeof(key))
		return;
	json_object_set_new(o, key, json_true());
}

/* What the user typed, to fill the form again (never passwords). */
static json_t *
reply_form_echo(struct rq *rq)
{
	json_t		*o;
	size_t		 i;
	const char	*name;

	o = json_object();
	for (i = 0; i < rq->body.n; i++) {
		name = rq->body.fields[i].name;
		if (strstr(name, "password") != NULL ||
		    !strcmp(name, "csrf") || rq->body.fields[i].filename)
			continue;
		if (json_object_get(o, name) != NULL)
			continue;
		/* A value that is not UTF-8 (refused anyway) is left out. */
		json_object_set_new(o, name, json_stringn(
		    rq->body.fields[i].value, rq->body.fields[i].len));
		reply_form_choice(o, name, rq->body.fields[i].value);
	}
	return (o);
}

/* 429 with Retry-After and a message saying when to try again. */
void
reply_rate_limited(struct rq *rq, int seconds)
{
	struct buf	 msg;
	const char	*tmpl;
	char		 n[16];

	if (seconds < 1)
		seconds = 1;
	(void)snprintf(n, sizeof(n), "%d", seconds);
	http_response_header(rq->req, "retry-after", n);
	if (seconds >= 120) {
		(void)snprintf(n, sizeof(n), "%d", (seconds + 59) / 60);
		tmpl = render_text(rq->locale, "errors.rate_limited_minutes");
	} else {
		tmpl = render_text(rq->locale, "errors.rate_limited_seconds");
	}
	buf_init(&msg);
	text_subst(&msg, tmpl ? tmpl : "", "n", n);
	if (rq->error_extra == NULL)
		rq->error_extra = json_object();
	json_object_set_new(rq->error_extra, "message", json_string(msg.data));
	json_object_set_new(rq->error_extra, "retry_after",
	    json_integer(seconds));
	buf_free(&msg);
	reply_error(rq, 429, "rate_limited", "errors.rate_limited");
}

/*
 * 201 with the created thing for programs; browsers go to its url
 * (303).  json is the statement's document.
 */
void
reply_created(struct rq *rq, const char *json, size_t len, const char *url)
{
	if (!rq->json && url != NULL) {
		reply_redirect(rq, url);
		return;
	}
	reply_json_text(rq, 201, json, len);
}

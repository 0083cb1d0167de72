/*
 * comp_results.c: a competition's results, their export, publishing,
 * public votes and certificates (docs/api.md#competition-results):
 *	GET  /competitions/{id}/results		the ranked entries
 *	GET  /competitions/{id}/results.csv	every judge's scores (staff)
 *	POST /competitions/{id}/publish		staff
 *	POST /entries/{id}/vote, /unvote	public votes
 *	GET  /entries/{id}/certificate		printable, with a QR code
 *	GET  /verify/{code}			who won what
 *
 * The arithmetic is the database's: competition_results() and the rules
 * of publishing and voting are in migrations/0017_comp_results.sql,
 * with every formula worked through in docs/competitions.md.  This file
 * only asks and shows: the CSV is written by app/csv.c from the
 * statement's JSON, the QR code drawn by app/qr.c.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "comp.h"
#include "csv.h"
#include "qr.h"

#define CR_REASON_MAX	500
#define CR_KEPT_SLOTS	32

/* rq->step of the results page. */
enum {
	CR_ST_FIRST = 0,	/* nothing asked yet */
	CR_ST_CHECK,		/* comp_results_check answered */
	CR_ST_PAGE		/* comp_results_page answered */
};

int	page_comp_results(struct http_request *);
int	page_comp_results_csv(struct http_request *);
int	page_comp_publish(struct http_request *);
int	page_comp_vote(struct http_request *);
int	page_comp_unvote(struct http_request *);
int	page_comp_certificate(struct http_request *);
int	page_comp_verify(struct http_request *);

static int	cr_results_prepare(struct rq *);
static int	cr_results_respond(struct rq *);
static int	cr_results_page_params(struct rq *, const char *);
static int	cr_results_full(struct rq *, json_t *);
static int	cr_results_reply(struct rq *, json_t *, struct kept *);
static int	cr_csv_prepare(struct rq *);
static int	cr_csv_respond(struct rq *);
static int	cr_publish_prepare(struct rq *);
static int	cr_publish_respond(struct rq *);
static int	cr_vote_prepare(struct rq *);
static int	cr_unvote_prepare(struct rq *);
static int	cr_vote_respond(struct rq *);
static int	cr_certificate_prepare(struct rq *);
static int	cr_certificate_respond(struct rq *);
static int	cr_verify_prepare(struct rq *);

static int	cr_bool(const char *);
static void	cr_csv_header(struct rq *, struct csv *, json_t *);
static void	cr_csv_row(struct csv *, json_t *, size_t);
static void	cr_csv_num(struct csv *, json_t *, int);

static const struct page cr_results_page = {
	.name = "comp_results", .access = ACCESS_ANYONE,
	.flags = PAGE_SESSION | PAGE_OWN_SESSION, .stmt = "comp_results_check",
	.tmpl = "comp_results", .prepare = cr_results_prepare,
	.respond = cr_results_respond,
};
static const struct page cr_csv_page = {
	.name = "comp_results_csv", .access = ACCESS_STAFF,
	.stmt = "comp_results_csv", .prepare = cr_csv_prepare,
	.respond = cr_csv_respond,
};
static const struct page cr_publish_post = {
	.name = "comp_publish", .access = ACCESS_STAFF, .flags = PAGE_WRITE,
	.stmt = "comp_publish", .tmpl = "comp_results_publish",
	.prepare = cr_publish_prepare, .respond = cr_publish_respond,
};
static const struct page cr_vote_post = {
	.name = "comp_vote", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "comp_vote", .prepare = cr_vote_prepare,
	.respond = cr_vote_respond,
};
static const struct page cr_unvote_post = {
	.name = "comp_unvote", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "comp_vote", .prepare = cr_unvote_prepare,
	.respond = cr_vote_respond,
};
static const struct page cr_certificate_page = {
	.name = "comp_certificate", .access = ACCESS_USER,
	.stmt = "comp_certificate", .tmpl = "comp_certificate",
	.prepare = cr_certificate_prepare,
	.respond = cr_certificate_respond,
};
static const struct page cr_verify_page = {
	.name = "comp_verify", .access = ACCESS_ANYONE,
	.stmt = "comp_verify", .tmpl = "comp_verify",
	.prepare = cr_verify_prepare, .respond = comp_doc_respond,
};

/*
 * Published results pages, rendered, per address and language, under the
 * competition's results_version (migrations/0018_comp_speed.sql): kept
 * for readers who are not staff (staff see the export and the reason).
 */
static struct kept	cr_kept[CR_KEPT_SLOTS];

const struct page *const comp_results_pages[] = {
	&cr_results_page, &cr_csv_page, &cr_publish_post, &cr_vote_post,
	&cr_unvote_post, &cr_certificate_page, &cr_verify_page, NULL
};

int
page_comp_results(struct http_request *req)
{
	return (rq_run(req, &cr_results_page));
}

int
page_comp_results_csv(struct http_request *req)
{
	return (rq_run(req, &cr_csv_page));
}

int
page_comp_publish(struct http_request *req)
{
	return (rq_run(req, &cr_publish_post));
}

int
page_comp_vote(struct http_request *req)
{
	return (rq_run(req, &cr_vote_post));
}

int
page_comp_unvote(struct http_request *req)
{
	return (rq_run(req, &cr_unvote_post));
}

int
page_comp_certificate(struct http_request *req)
{
	return (rq_run(req, &cr_certificate_page));
}

int
page_comp_verify(struct http_request *req)
{
	return (rq_run(req, &cr_verify_page));
}

/* "true", "1", "on", "yes" (a checkbox, a JSON true): 1; else 0. */
static int
cr_bool(const char *v)
{
	if (v == NULL)
		return (0);
	return (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on") ||
	    !strcmp(v, "yes"));
}

/* ------------------------------------------------------------------ */
/* GET /competitions/{id}/results                                      */

/*
 * Step 0.  A browser's GET with no API token (guard_own_session):
 * comp_results_check ($1 session hash, $2 competition), the viewer and
 * the results' version in one round trip.  Programs, whose session or
 * token the guard resolved (PAGE_SESSION), go straight to
 * comp_results_page: they never get the kept page.
 */
static int
cr_results_prepare(struct rq *rq)
{
	if (!guard_own_session(rq))
		return (cr_results_page_params(rq, rq->me.id != 0 ?
		    (rq->me.staff ? "true" : "false") : NULL));
	rq->step = CR_ST_CHECK;
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	rq_param_int(rq, rq_path_id(rq, "/competitions/"));
	(void)rq_use_stmt(rq, "comp_results_check");
	return (RQ_NEXT);
}

/*
 * comp_results_page: $1 competition, $2 session hash, $3 staff ("true",
 * "false" as the guard or the check found it; NULL: the statement reads
 * the session).
 */
static int
cr_results_page_params(struct rq *rq, const char *staff)
{
	rq->step = CR_ST_PAGE;
	rq_param_int(rq, rq_path_id(rq, "/competitions/"));
	rq_param_str(rq, rq->session_hash[0] && !rq->bearer ?
	    rq->session_hash : NULL);
	rq_param_str(rq, staff);
	(void)rq_use_stmt(rq, "comp_results_page");
	return (RQ_NEXT);
}

/* After the check: the whole page (comp_results_page); check consumed. */
static int
cr_results_full(struct rq *rq, json_t *check)
{
	int	staff;

	staff = json_is_true(json_object_get(check, "staff"));
	json_decref(check);
	rq_params_reset(rq);
	return (cr_results_page_params(rq, staff ? "true" : "false") ==
	    RQ_NEXT ? RQ_AGAIN : RQ_DONE);
}

/*
 * JSON clients get the document as is.  Browsers: after the check, the
 * page this worker holds when the results are published, the viewer is
 * not staff and the version matches (else the whole page); after
 * comp_results_page, the results rendered (comp_results_list) and, once
 * published and for a browser reader who is not staff, kept.
 */
static int
cr_results_respond(struct rq *rq)
{
	struct kept	*e;
	json_t		*doc, *version;
	int		 hit, staff;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	staff = json_is_true(json_object_get(doc, "staff"));
	e = NULL;
	if (!rq->json && rq->me.id == 0 && !staff)
		e = kept_slot(cr_kept, CR_KEPT_SLOTS, rq,
		    render_locale_index(rq->locale), &hit);
	if (rq->step == CR_ST_CHECK) {
		version = json_object_get(doc, "version");
		if (e == NULL || !hit || e->doc == NULL ||
		    !json_is_string(json_object_get(e->doc, "results_html")) ||
		    !json_is_integer(version) ||
		    e->version != json_integer_value(version))
			return (cr_results_full(rq, doc));
		/* The kept parts by reference: the HTML is not copied. */
		json_object_update_missing(doc, e->doc);
	}
	return (cr_results_reply(rq, doc, e));
}

/*
 * Replies with the page doc (consumed).  After the check (CR_ST_CHECK)
 * doc already holds the kept parts of e, the results rendered among
 * them; else they are rendered here and, when e is given and they are
 * published, kept in e->doc: the doc but the results themselves, the
 * criteria and the viewer ("me", the check's), with the rendered
 * results as the string "results_html" that every later reply shares.
 */
static int
cr_results_reply(struct rq *rq, json_t *doc, struct kept *e)
{
	struct buf	 out;
	const char	*phase, *k;
	json_t		*v, *html;

	if (rq->step == CR_ST_CHECK)
		goto out;
	buf_init(&out);
	if (!render_html(rq, "comp_results_list", doc, &out) ||
	    (html = json_stringn_nocheck(out.data, out.len)) == NULL) {
		buf_free(&out);
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	buf_free(&out);
	phase = json_string_value(json_object_get(json_object_get(doc,
	    "competition"), "phase"));
	if (e != NULL && phase != NULL && !strcmp(phase, "results")) {
		json_decref(e->doc);
		e->doc = json_object();
		json_object_foreach(doc, k, v) {
			if (strcmp(k, "results") && strcmp(k, "criteria") &&
			    strcmp(k, "me"))
				json_object_set(e->doc, k, v);
		}
		json_object_set(e->doc, "results_html", html);
		e->version = json_integer_value(json_object_get(doc,
		    "version"));
	}
	json_object_set_new(doc, "results_html", html);
out:
	/* The competition's title in the reader's language (comp.c). */
	comp_labels(rq, json_object_get(doc, "competition"));
	(void)reply_page(rq, 200, "comp_results", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET /competitions/{id}/results.csv                                  */

static int
cr_csv_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/competitions/"));
	return (RQ_NEXT);
}

/* A number cell (NULL or not a number: empty). */
static void
cr_csv_num(struct csv *c, json_t *v, int decimals)
{
	if (json_is_integer(v) && decimals == 0)
		csv_int(c, json_integer_value(v));
	else if (json_is_number(v))
		csv_number(c, json_number_value(v), decimals);
	else
		csv_empty(c);
}

/* The header record, in the request's language. */
static void
cr_csv_header(struct rq *rq, struct csv *c, json_t *criteria)
{
	static const char *const	 before[] = { "rank", "entry", "title",
					    "team", "judge" };
	static const char *const	 after[] = { "total", "normalised",
					    "score", "raw_score", "judges",
					    "flagged", "award", "votes" };
	json_t				*cr;
	size_t				 i;
	char				 key[64];
	const char			*name;

	for (i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		(void)snprintf(key, sizeof(key), "comp_results.csv.%s",
		    before[i]);
		csv_texts(c, render_text(rq->locale, key));
	}
	json_array_foreach(criteria, i, cr) {
		name = json_string_value(json_object_get(cr, "name"));
		csv_texts(c, name != NULL ? name : "");
	}
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		(void)snprintf(key, sizeof(key), "comp_results.csv.%s",
		    after[i]);
		csv_texts(c, render_text(rq->locale, key));
	}
	csv_end_row(c);
}

/* One judge's scores for one entry (or an entry no score counts for). */
static void
cr_csv_row(struct csv *c, json_t *row, size_t ncriteria)
{
	json_t	*scores;
	size_t	 i;

	cr_csv_num(c, json_object_get(row, "rank"), 0);
	cr_csv_num(c, json_object_get(row, "entry_id"), 0);
	csv_texts(c, json_string_value(json_object_get(row, "title")));
	csv_texts(c, json_string_value(json_object_get(row, "team")));
	csv_texts(c, json_string_value(json_object_get(row, "judge")));
	scores = json_object_get(row, "scores");
	for (i = 0; i < ncriteria; i++)
		cr_csv_num(c, json_array_get(scores, i), 1);
	cr_csv_num(c, json_object_get(row, "total"), 4);
	cr_csv_num(c, json_object_get(row, "normalised"), 4);
	cr_csv_num(c, json_object_get(row, "score"), 4);
	cr_csv_num(c, json_object_get(row, "raw_score"), 4);
	cr_csv_num(c, json_object_get(row, "judges"), 0);
	if (json_is_true(json_object_get(row, "flagged")))
		csv_int(c, 1);
	else
		csv_int(c, 0);
	csv_texts(c, json_string_value(json_object_get(row, "award")));
	cr_csv_num(c, json_object_get(row, "votes"), 0);
	csv_end_row(c);
}

/*
 * The statement's {competition, criteria, rows} as CSV (csv.h: BOM,
 * CRLF, quoting, formulas neutralised), one representation whatever
 * Accept says.
 */
static int
cr_csv_respond(struct rq *rq)
{
	struct buf	 out;
	struct csv	 c;
	json_t		*doc, *criteria, *row;
	size_t		 i;
	char		 disp[128];

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	if ((doc = json_loadb(rq->res, rq->res_len, 0, NULL)) == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	criteria = json_object_get(doc, "criteria");
	buf_init(&out);
	csv_begin(&c, &out);
	cr_csv_header(rq, &c, criteria);
	json_array_foreach(json_object_get(doc, "rows"), i, row)
		cr_csv_row(&c, row, json_array_size(criteria));
	json_decref(doc);

	(void)snprintf(disp, sizeof(disp), "attachment; filename="
	    "\"competition-%lld-results.csv\"",
	    (long long)rq_path_id(rq, "/competitions/"));
	http_response_header(rq->req, "content-disposition", disp);
	http_response_header(rq->req, "cache-control", "no-store");
	reply_send(rq, 200, "text/csv; charset=utf-8", out.data, out.len);
	buf_free(&out);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* POST /competitions/{id}/publish: force, reason                      */

static int
cr_publish_prepare(struct rq *rq)
{
	const char	*reason;

	reason = rq_text(rq, "reason", 0, 0, CR_REASON_MAX, 1);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq_path_id(rq, "/competitions/"));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, cr_bool(rq_field(rq, "force", NULL)) ? "true" :
	    "false");
	rq_param_str(rq, reason != NULL ? reason : "");
	return (RQ_NEXT);
}

static int
cr_publish_respond(struct rq *rq)
{
	char	url[96];

	(void)snprintf(url, sizeof(url), "/competitions/%lld/results",
	    (long long)rq_path_id(rq, "/competitions/"));
	return (reply_result(rq, 200, url));
}

/* ------------------------------------------------------------------ */
/* POST /entries/{id}/vote and /unvote                                 */

static int
cr_vote_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/entries/"));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, "true");
	return (RQ_NEXT);
}

static int
cr_unvote_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/entries/"));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, "false");
	return (RQ_NEXT);
}

static int
cr_vote_respond(struct rq *rq)
{
	char	url[64];

	(void)snprintf(url, sizeof(url), "/entries/%lld",
	    (long long)rq_path_id(rq, "/entries/"));
	return (reply_result(rq, 200, url));
}

/* ------------------------------------------------------------------ */
/* GET /entries/{id}/certificate                                       */

/* $1 entry, $2 viewer, $3 staff. */
static int
cr_certificate_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/entries/"));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->me.staff ? "true" : "false");
	return (RQ_NEXT);
}

/*
 * The certificate with its absolute verification address (made from
 * MAKERSPACE_PUBLIC_URL, never from the Host header) and, for the page,
 * that address's QR code as inline SVG.
 */
static int
cr_certificate_respond(struct rq *rq)
{
	struct buf	 svg;
	json_t		*doc, *cert;
	const char	*path;
	char		 url[QR_TEXT_MAX + 1];
	int		 n;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	if ((doc = json_loadb(rq->res, rq->res_len, 0, NULL)) == NULL ||
	    (cert = json_object_get(doc, "certificate")) == NULL ||
	    (path = json_string_value(json_object_get(cert,
	    "verify_path"))) == NULL) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	n = snprintf(url, sizeof(url), "%s%s", app_config.public_url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		json_decref(doc);
		rq->failed = "public URL too long for a QR code";
		return (RQ_DONE);
	}
	json_object_set_new(cert, "verify_url", json_string(url));
	http_response_header(rq->req, "cache-control", "private, no-cache");
	if (rq->json) {
		reply_json(rq, 200, doc);
		json_decref(doc);
		return (RQ_DONE);
	}
	buf_init(&svg);
	if (qr_svg(&svg, url, 0) == -1) {
		buf_free(&svg);
		json_decref(doc);
		rq->failed = "QR code of the verification address";
		return (RQ_DONE);
	}
	json_object_set_new(cert, "qr_html", json_stringn(svg.data, svg.len));
	buf_free(&svg);
	comp_labels(rq, cert);
	(void)reply_page(rq, 200, "comp_certificate", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET /verify/{code}                                                  */

/* $1 the code as typed (the route allows letters, digits and '-'). */
static int
cr_verify_prepare(struct rq *rq)
{
	rq_param_str(rq, rq->req->path + strlen("/verify/"));
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	return (RQ_NEXT);
}

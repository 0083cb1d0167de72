/*
 * comp.c: creative competitions for makers and staff
 * (docs/api.md#competitions): the list and page of each competition with
 * a countdown, staff create, edit and announce; makers enter a project
 * with a team and a statement, edit and withdraw while entries are
 * open.  Judging (judges, assignment, the queue, scoring) is in
 * comp_judge.c.
 *
 * C checks the shape of fields in the user's language and renders
 * Markdown; the rules (phases from the database clock, weights summing
 * to 100, eligibility of a team, one live entry per project, the
 * snapshot at the close) are in the functions of
 * migrations/0016_competitions.sql, which raise MS4xx errors whose
 * message is a catalog key "comp.err.<code>": the API's error code is
 * <code> (comp_reply_sql_error).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "comp.h"
#include "text.h"

#define COMP_CRITERIA_MAX	10
#define COMP_AWARDS_MAX		10
#define COMP_TEAM_FIELDS	20

int	page_competitions(struct http_request *);
int	page_competition_new(struct http_request *);
int	page_competition(struct http_request *);
int	page_competition_edit(struct http_request *);
int	page_competition_announce(struct http_request *);
int	page_competition_entries(struct http_request *);
int	page_entry(struct http_request *);
int	page_entry_edit(struct http_request *);
int	page_entry_withdraw(struct http_request *);

static int	comp_list_prepare(struct rq *);
static int	comp_new_form(struct rq *);
static int	comp_save_prepare(struct rq *);
static int	comp_created_respond(struct rq *);
static int	comp_view_prepare(struct rq *);
static int	comp_view_respond(struct rq *);
static int	comp_entry_form_prepare(struct rq *);
static int	comp_entry_create_prepare(struct rq *);
static int	comp_entry_update_prepare(struct rq *);
static int	comp_int_field(struct rq *, json_t *, const char *, int, int);
static void	comp_bool_field(struct rq *, json_t *, const char *);
static int	comp_text_field(struct rq *, json_t *, const char *, int,
		    size_t, size_t);
static int	comp_md_field(struct rq *, json_t *, const char *);
static void	comp_title_local(struct rq *, json_t *);

static const struct page comp_list_page = {
	.name = "competitions", .access = ACCESS_ANYONE,
	.flags = PAGE_SESSION, .tmpl = "comp_list", .stmt = "comp_list",
	.prepare = comp_list_prepare, .respond = comp_doc_respond,
};
static const struct page comp_create_post = {
	.name = "competition_create", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .tmpl = "comp_form",
	.stmt = "comp_save", .prepare = comp_save_prepare,
	.respond = comp_created_respond,
};
static const struct page comp_new_page = {
	.name = "competition_new", .access = ACCESS_STAFF,
	.flags = PAGE_NO_STMT, .tmpl = "comp_form", .prepare = comp_new_form,
};
static const struct page comp_view_page = {
	.name = "competition", .access = ACCESS_ANYONE,
	.flags = PAGE_SESSION | PAGE_OWN_SESSION, .tmpl = "comp_page",
	.stmt = "comp_page", .prepare = comp_view_prepare,
	.respond = comp_view_respond,
};
static const struct page comp_update_post = {
	.name = "competition_update", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .tmpl = "comp_form",
	.stmt = "comp_save", .prepare = comp_save_prepare,
	.respond = comp_written_respond,
};
static const struct page comp_edit_page = {
	.name = "competition_edit", .access = ACCESS_STAFF,
	.tmpl = "comp_form", .stmt = "comp_edit_page",
	.prepare = comp_id_prepare, .respond = comp_doc_respond,
};
static const struct page comp_announce_post = {
	.name = "competition_announce", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_announce",
	.prepare = comp_actor_prepare, .respond = comp_written_respond,
};
static const struct page comp_entry_form_page = {
	.name = "competition_entry_form", .access = ACCESS_VERIFIED,
	.tmpl = "comp_entry_form", .stmt = "comp_entry_form",
	.prepare = comp_entry_form_prepare, .respond = comp_doc_respond,
};
static const struct page comp_entry_create_post = {
	.name = "competition_entry_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_entry_create", .prepare = comp_entry_create_prepare,
	.respond = comp_created_respond,
};
static const struct page comp_entry_page = {
	.name = "entry", .access = ACCESS_ANYONE, .flags = PAGE_SESSION,
	.tmpl = "comp_entry", .stmt = "comp_entry_page",
	.prepare = comp_id_prepare, .respond = comp_doc_respond,
};
static const struct page comp_entry_update_post = {
	.name = "entry_update", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_entry_update", .prepare = comp_entry_update_prepare,
	.respond = comp_written_respond,
};
static const struct page comp_entry_edit_page = {
	.name = "entry_edit", .access = ACCESS_VERIFIED,
	.tmpl = "comp_entry_form", .stmt = "comp_entry_edit_page",
	.prepare = comp_id_prepare, .respond = comp_doc_respond,
};
static const struct page comp_entry_withdraw_post = {
	.name = "entry_withdraw", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_OWN_ERRORS,
	.stmt = "comp_entry_withdraw", .prepare = comp_actor_prepare,
	.respond = comp_written_respond,
};

/* Every page of competitions, for the start-up check (app.h). */
const struct page *const comp_pages[] = {
	&comp_list_page, &comp_create_post, &comp_new_page, &comp_view_page,
	&comp_update_post, &comp_edit_page, &comp_announce_post,
	&comp_entry_form_page, &comp_entry_create_post, &comp_entry_page,
	&comp_entry_update_post, &comp_entry_edit_page,
	&comp_entry_withdraw_post,
	NULL
};

int
page_competitions(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_create_post : &comp_list_page));
}

int
page_competition_new(struct http_request *req)
{
	return (rq_run(req, &comp_new_page));
}

int
page_competition(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_update_post : &comp_view_page));
}

int
page_competition_edit(struct http_request *req)
{
	return (rq_run(req, &comp_edit_page));
}

int
page_competition_announce(struct http_request *req)
{
	return (rq_run(req, &comp_announce_post));
}

int
page_competition_entries(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_entry_create_post : &comp_entry_form_page));
}

int
page_entry(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_entry_update_post : &comp_entry_page));
}

int
page_entry_edit(struct http_request *req)
{
	return (rq_run(req, &comp_entry_edit_page));
}

int
page_entry_withdraw(struct http_request *req)
{
	return (rq_run(req, &comp_entry_withdraw_post));
}

/* ------------------------------------------------------------------ */
/* Shared by comp.c and comp_judge.c.                                  */

/* The {id} of /competitions/{id}... or /entries/{id}... */
int64_t
comp_path_id(struct rq *rq)
{
	if (!strncmp(rq->req->path, "/entries/", 9))
		return (rq_path_id(rq, "/entries/"));
	return (rq_path_id(rq, "/competitions/"));
}

/* $1 the path's id, $2 the viewer's id (0: nobody), $3 their role. */
int
comp_id_prepare(struct rq *rq)
{
	rq_param_int(rq, comp_path_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->me.role[0] != '\0' ? rq->me.role : "");
	return (RQ_NEXT);
}

/* $1 the actor, $2 the path's id: the action functions' order. */
int
comp_actor_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, comp_path_id(rq));
	return (RQ_NEXT);
}

/*
 * A refused statement as the API's error: MS refusals whose message is
 * "comp.err.<code>" answer with <code> (wrong_phase, conflict, ...) and
 * the field their detail names; everything else as rq.c would.  RQ_DONE
 * when a reply was sent, RQ_NEXT when the statement ran.
 */
int
comp_reply_sql_error(struct rq *rq)
{
	const char	*code, *key;
	char		 fallback[64];
	int		 status;

	if (rq->sqlstate[0] == '\0')
		return (RQ_NEXT);
	status = comp_sql_refusal(rq, &code, &key, fallback, sizeof(fallback));
	reply_error(rq, status, code, key);
	return (RQ_DONE);
}

/*
 * The status, code and catalog key of the statement's failure (rq->sqlstate
 * set), logged and counted when it is a 5xx; a field's problem noted on
 * 409/422.  key may point into fallback (len bytes).
 */
int
comp_sql_refusal(struct rq *rq, const char **code, const char **key,
    char *fallback, size_t len)
{
	int	 status;

	status = db_status_for_sqlstate(rq->sqlstate, code);
	if (status >= 500) {
		metrics_add(METRIC_DB_ERRORS, 1);
		kore_log(LOG_ERR, "%s: statement failed: %s %s",
		    rq->page->name, rq->sqlstate,
		    rq->sqlerr ? rq->sqlerr : "");
	}
	*key = NULL;
	if (rq->sqlstate[0] == 'M' && rq->sqlstate[1] == 'S' &&
	    rq->sqlerr != NULL && render_text(rq->locale, rq->sqlerr) !=
	    NULL) {
		*key = rq->sqlerr;
		if (!strncmp(*key, "comp.err.", 9))
			*code = *key + 9;
	}
	if (*key == NULL) {
		(void)snprintf(fallback, len, "errors.%s", *code);
		*key = fallback;
	}
	if (rq->sqlfield != NULL && (status == 422 || status == 409))
		reply_field_error(rq, rq->sqlfield, *key);
	return (status);
}

/* 200 with the changed thing; browsers go back to the page they came
 * from: the competition, or the entry. */
int
comp_written_respond(struct rq *rq)
{
	char	url[80];
	int	r;

	if ((r = comp_refused(rq)) != RQ_NEXT)
		return (r);
	(void)snprintf(url, sizeof(url), "%s/%lld",
	    strncmp(rq->req->path, "/entries/", 9) ? "/competitions" :
	    "/entries", (long long)comp_path_id(rq));
	return (reply_result(rq, 200, url));
}

/* 201 with the new thing ({"competition": {...}} or {"entry": ...}). */
static int
comp_created_respond(struct rq *rq)
{
	json_t		*doc, *thing;
	const char	*key;
	int		 r;

	if ((r = comp_refused(rq)) != RQ_NEXT)
		return (r);
	thing = NULL;
	doc = json_loadb(rq->res, rq->res_len, 0, NULL);
	json_object_foreach(doc, key, thing)
		break;
	reply_created(rq, rq->res, rq->res_len, json_string_value(
	    json_object_get(thing, "url")));
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET /competitions, GET /competitions/{id}                          */

static int
comp_list_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->me.role);
	return (RQ_NEXT);
}

/* Browsers get the kept page (comp_pages.c), programs comp_page. */
static int
comp_view_prepare(struct rq *rq)
{
	if (guard_own_session(rq))
		return (comp_kept_prepare(rq, COMP_KEPT_PAGE));
	return (comp_id_prepare(rq));
}

/*
 * The page with the countdown to the next date rendered here, in the
 * reader's language ("countdown"); assets/static/comp.js keeps it
 * current from the data-until attribute.  Browsers: comp_pages.c.
 */
static int
comp_view_respond(struct rq *rq)
{
	json_t		*doc, *c;
	char		*text;

	if (guard_own_session(rq))
		return (comp_kept_respond(rq, COMP_KEPT_PAGE));
	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	comp_labels(rq, doc);
	c = json_object_get(doc, "competition");
	if ((text = comp_countdown(rq, json_integer_value(json_object_get(c,
	    "next_in")))) != NULL)
		json_object_set_new(c, "countdown", json_string(text));
	free(text);
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * "3 days 4 hours 5 minutes" in the reader's language for secs seconds
 * (malloc()ed, the caller's), or NULL when secs <= 0.
 */
char *
comp_countdown(struct rq *rq, json_int_t secs)
{
	struct buf	 b;
	const char	*tmpl;
	char		 n[24];
	json_int_t	 part[3];
	static const char *const keys[3] = {
		"comp.countdown.days", "comp.countdown.hours",
		"comp.countdown.minutes"
	};
	int		 i;

	if (secs <= 0)
		return (NULL);
	part[0] = secs / 86400;
	part[1] = (secs % 86400) / 3600;
	part[2] = (secs % 3600 + 59) / 60;
	if (part[2] == 60) {
		part[2] = 0;
		part[1]++;
	}
	buf_init(&b);
	for (i = 0; i < 3; i++) {
		if (part[i] == 0 && !(i == 2 && b.len == 0))
			continue;
		if ((tmpl = render_text(rq->locale, keys[i])) == NULL)
			continue;
		if (b.len > 0)
			buf_appends(&b, " ");
		(void)snprintf(n, sizeof(n), "%lld", (long long)part[i]);
		text_subst(&b, tmpl, "n", n);
	}
	return (buf_release(&b, NULL));
}

/* ------------------------------------------------------------------ */
/* POST /competitions, POST /competitions/{id}, GET .../new             */

static int
comp_new_form(struct rq *rq)
{
	json_t	*doc;

	doc = comp_form_new();
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, "comp_form", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* The new competition's form with its defaults (a new reference). */
json_t *
comp_form_new(void)
{
	json_t	*doc;

	doc = json_pack("{s:{s:i, s:i, s:i, s:i, s:s, s:i, s:b}}", "form",
	    "max_team_size", 5, "entries_per_person", 1, "judges_per_entry", 3,
	    "votes_per_user", 3, "method", "mean", "discrepancy", 30,
	    "method_mean", 1);
	json_object_set_new(doc, "rows", comp_form_rows(NULL, NULL));
	return (doc);
}

/*
 * The empty rows of the form's criteria and awards tables after the ones
 * it has (criteria and awards: arrays, or NULL): the form shows ten
 * criteria and five awards.
 */
json_t *
comp_form_rows(json_t *criteria, json_t *awards)
{
	json_t	*rows, *r;
	size_t	 i;

	rows = json_object();
	r = json_array();
	for (i = 0; i < COMP_CRITERIA_MAX; i++) {
		json_t	*k = criteria ? json_array_get(criteria, i) : NULL;
		json_array_append_new(r, json_pack("{s:I, s:O?}", "i",
		    (json_int_t)i, "c", k));
	}
	json_object_set_new(rows, "criteria", r);
	r = json_array();
	for (i = 0; i < 5; i++) {
		json_t	*a = awards ? json_array_get(awards, i) : NULL;
		json_array_append_new(r, json_pack("{s:I, s:O?}", "i",
		    (json_int_t)i, "a", a));
	}
	json_object_set_new(rows, "awards", r);
	return (rows);
}

/*
 * The fields that were sent, checked for shape, as one JSON object for
 * comp_save() (absent fields stay absent: an edit keeps them).  $1 actor,
 * $2 the competition (NULL: create), $3 the fields.
 */
static int
comp_save_prepare(struct rq *rq)
{
	json_t		*f;
	const char	*m;
	int		 creating;

	creating = strcmp(rq->req->path, "/competitions") == 0;
	f = json_object();
	(void)comp_text_field(rq, f, "title", creating, 1, 120);
	(void)comp_text_field(rq, f, "title_en", 0, 0, 120);
	(void)comp_text_field(rq, f, "summary", 0, 0, 300);
	(void)comp_md_field(rq, f, "brief");
	(void)comp_md_field(rq, f, "rules");
	(void)comp_text_field(rq, f, "opens_at", creating, 1, 40);
	(void)comp_text_field(rq, f, "closes_at", creating, 1, 40);
	(void)comp_text_field(rq, f, "judging_ends_at", creating, 1, 40);
	(void)comp_int_field(rq, f, "max_team_size", 1, 20);
	(void)comp_int_field(rq, f, "entries_per_person", 1, 100);
	(void)comp_int_field(rq, f, "judges_per_entry", 1, 15);
	(void)comp_int_field(rq, f, "votes_per_user", 1, 100);
	(void)comp_int_field(rq, f, "discrepancy", 0, 100);
	comp_bool_field(rq, f, "blind");
	comp_bool_field(rq, f, "public_vote");
	if ((m = rq_field(rq, "method", NULL)) != NULL) {
		if (strcmp(m, "mean") && strcmp(m, "zscore") &&
		    strcmp(m, "trimmed"))
			reply_field_error(rq, "method", "comp.err.method");
		else
			json_object_set_new(f, "method", json_string(m));
	}
	if (!comp_criteria_json(rq, f) && creating)
		reply_field_error(rq, "criteria", "comp.err.criteria_count");
	(void)comp_awards_json(rq, f);
	if (rq_has_errors(rq)) {
		json_decref(f);
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	}
	rq_param_int(rq, rq->me.id);
	if (creating)
		rq_param_null(rq);
	else
		rq_param_int(rq, comp_path_id(rq));
	rq_param_own(rq, json_dumps(f, JSON_COMPACT));
	json_decref(f);
	return (RQ_NEXT);
}

/* A text field into f; 0 after noting a problem or when absent. */
static int
comp_text_field(struct rq *rq, json_t *f, const char *name, int required,
    size_t min, size_t max)
{
	const char	*v;

	if ((v = rq_text(rq, name, required, min, max, 0)) == NULL)
		return (0);
	json_object_set_new(f, name, json_string(v));
	return (1);
}

/* A Markdown field and its HTML (name_html) into f. */
static int
comp_md_field(struct rq *rq, json_t *f, const char *name)
{
	char	*html, key[32];

	if (!content_markdown(rq, name, 0, &html, NULL) || html == NULL)
		return (0);
	(void)snprintf(key, sizeof(key), "%s_html", name);
	json_object_set_new(f, name, json_string(rq_field(rq, name, NULL)));
	json_object_set_new(f, key, json_string(html));
	free(html);
	return (1);
}

/* Whole number in [lo, hi], as typed ("" is absent). */
static int
comp_int_field(struct rq *rq, json_t *f, const char *name, int lo, int hi)
{
	const char	*v;
	char		*end;
	long		 n;

	if ((v = rq_field(rq, name, NULL)) == NULL || *v == '\0')
		return (0);
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < lo || n > hi) {
		rq_field_problem(rq, name, "comp.err.range", (size_t)hi);
		return (0);
	}
	json_object_set_new(f, name, json_integer(n));
	return (1);
}

/*
 * A checkbox: the LAST value sent wins (the form sends a hidden "false"
 * before the box, so an unticked box is false, not absent).
 */
static void
comp_bool_field(struct rq *rq, json_t *f, const char *name)
{
	const struct form_field	*fl;
	size_t			 n;

	if ((n = form_count(&rq->body, name)) == 0)
		return;
	fl = form_get_nth(&rq->body, name, n - 1);
	json_object_set_new(f, name, json_boolean(!strcmp(fl->value, "true") ||
	    !strcmp(fl->value, "on") || !strcmp(fl->value, "1")));
}

/* A number as typed: an integer when it is one, else the text (which
 * the database refuses with a field error). */
static json_t *
comp_number(const char *v)
{
	char	*end;
	long	 n;

	n = strtol(v, &end, 10);
	if (end != v && *end == '\0')
		return (json_integer(n));
	return (json_string(v));
}

/*
 * criteria[i][name|description|weight|max_score] (a form's rows, or a
 * JSON array of objects, flattened by form.c) as the array "criteria" in
 * f; rows with neither name nor weight are left out.  0 when no criteria
 * field was sent.
 */
int
comp_criteria_json(struct rq *rq, json_t *f)
{
	json_t		*arr, *o;
	const char	*name, *desc, *w, *m;
	char		 k[64];
	size_t		 i, seen;

	arr = json_array();
	seen = 0;
	for (i = 0; i < 2 * COMP_CRITERIA_MAX; i++) {
#define CRIT(field)	((void)snprintf(k, sizeof(k), "criteria[%zu][%s]", \
			    i, field), rq_field(rq, k, NULL))
		name = CRIT("name");
		desc = CRIT("description");
		w = CRIT("weight");
		m = CRIT("max_score");
#undef CRIT
		if (name == NULL && desc == NULL && w == NULL && m == NULL)
			continue;
		seen++;
		if ((name == NULL || *name == '\0') && (w == NULL || *w == '\0'))
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(name ? name : ""));
		json_object_set_new(o, "description",
		    json_string(desc ? desc : ""));
		json_object_set_new(o, "weight", comp_number(w ? w : ""));
		json_object_set_new(o, "max_score",
		    comp_number(m && *m ? m : "10"));
		json_array_append_new(arr, o);
	}
	if (seen == 0 && rq_field(rq, "criteria", NULL) == NULL) {
		json_decref(arr);
		return (0);
	}
	json_object_set_new(f, "criteria", arr);
	return (1);
}

/* awards[i][label|top] as the array "awards" in f; empty rows left out. */
int
comp_awards_json(struct rq *rq, json_t *f)
{
	json_t		*arr;
	const char	*label, *top;
	char		 k[64];
	size_t		 i, seen;

	arr = json_array();
	seen = 0;
	for (i = 0; i < 2 * COMP_AWARDS_MAX; i++) {
		(void)snprintf(k, sizeof(k), "awards[%zu][label]", i);
		label = rq_field(rq, k, NULL);
		(void)snprintf(k, sizeof(k), "awards[%zu][top]", i);
		top = rq_field(rq, k, NULL);
		if (label == NULL && top == NULL)
			continue;
		seen++;
		if ((label == NULL || *label == '\0') &&
		    (top == NULL || *top == '\0'))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:o}", "label",
		    label ? label : "", "top", comp_number(top ? top : "")));
	}
	if (seen == 0 && rq_field(rq, "awards", NULL) == NULL) {
		json_decref(arr);
		return (0);
	}
	json_object_set_new(f, "awards", arr);
	return (1);
}

/* ------------------------------------------------------------------ */
/* Entries                                                             */

/*
 * The team as one text (every "team" field joined by commas; the
 * database splits it on commas, full-width commas and white space), or
 * NULL when no team field was sent.  malloc()ed, the caller's.
 */
char *
comp_team(struct rq *rq)
{
	const struct form_field	*fl;
	struct buf		 b;
	size_t			 i, n;

	if ((n = form_count(&rq->body, "team")) == 0)
		return (NULL);
	buf_init(&b);
	buf_appends(&b, "");
	for (i = 0; i < n && i < COMP_TEAM_FIELDS * 2; i++) {
		fl = form_get_nth(&rq->body, "team", i);
		if (i > 0)
			buf_appends(&b, ",");
		buf_append(&b, fl->value, fl->len);
	}
	return (buf_release(&b, NULL));
}

/* $1 competition, $2 viewer, $3 role, $4 project_id, $5 team (query). */
static int
comp_entry_form_prepare(struct rq *rq)
{
	const char	*pid, *team;

	(void)comp_id_prepare(rq);
	pid = rq_query(rq, "project_id");
	team = rq_query(rq, "team");
	if (pid != NULL && (*pid == '\0' || strspn(pid, "0123456789") !=
	    strlen(pid) || strlen(pid) > 18))
		pid = NULL;
	rq_param_str(rq, pid);
	rq_param_str(rq, team != NULL && strlen(team) <= 2000 ? team : NULL);
	return (RQ_NEXT);
}

/* $1 user, $2 competition, $3 project, $4 team, $5 statement, $6 html. */
static int
comp_entry_create_prepare(struct rq *rq)
{
	const char	*pid;
	char		*html, *team;

	pid = rq_field(rq, "project_id", NULL);
	if (pid == NULL || *pid == '\0' || strspn(pid, "0123456789") !=
	    strlen(pid) || strlen(pid) > 18)
		reply_field_error(rq, "project_id", "comp.err.project_required");
	html = NULL;
	if (!content_markdown(rq, "statement", 0, &html, NULL) ||
	    rq_has_errors(rq)) {
		free(html);
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	}
	if (html != NULL && strlen(rq_field(rq, "statement", NULL)) > 8192) {
		free(html);
		rq_field_problem(rq, "statement", "comp.err.statement_long",
		    8);
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	}
	team = comp_team(rq);
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, comp_path_id(rq));
	rq_param_str(rq, pid);
	if (team != NULL)
		rq_param_own(rq, team);
	else
		rq_param_null(rq);
	rq_param_str(rq, rq_field(rq, "statement", NULL));
	if (html != NULL)
		rq_param_own(rq, html);
	else
		rq_param_null(rq);
	return (RQ_NEXT);
}

/* $1 user, $2 entry, $3 team or NULL, $4 statement, $5 its HTML. */
static int
comp_entry_update_prepare(struct rq *rq)
{
	char	*html, *team;

	html = NULL;
	if (!content_markdown(rq, "statement", 0, &html, NULL))
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	if (html != NULL && strlen(rq_field(rq, "statement", NULL)) > 8192) {
		free(html);
		rq_field_problem(rq, "statement", "comp.err.statement_long",
		    8);
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	}
	team = comp_team(rq);
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, comp_path_id(rq));
	if (team != NULL)
		rq_param_own(rq, team);
	else
		rq_param_null(rq);
	rq_param_str(rq, rq_field(rq, "statement", NULL));
	if (html != NULL)
		rq_param_own(rq, html);
	else
		rq_param_null(rq);
	return (RQ_NEXT);
}

/*
 * Every "phase" and "status" in the document gets its words in the
 * reader's language beside it (phase_label, status_label) and a flag
 * the template can test (phase_open, status_todo, ...).
 */
void
comp_labels(struct rq *rq, json_t *v)
{
	json_t		*x;
	const char	*k, *s;
	char		 flag[48];
	size_t		 i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			comp_labels(rq, x);
		return;
	}
	if (!json_is_object(v))
		return;
	if (json_object_get(v, "title_en") != NULL)
		comp_title_local(rq, v);
	if ((s = json_string_value(json_object_get(v, "phase"))) != NULL) {
		json_object_set_new(v, "phase_label", json_string(render_label(
		    rq->locale, "comp.phases", s)));
		(void)snprintf(flag, sizeof(flag), "phase_%s", s);
		json_object_set_new(v, flag, json_true());
	}
	if ((s = json_string_value(json_object_get(v, "status"))) != NULL) {
		json_object_set_new(v, "status_label", json_string(render_label(
		    rq->locale, "comp.statuses", s)));
		(void)snprintf(flag, sizeof(flag), "status_%s", s);
		json_object_set_new(v, flag, json_true());
	}
	json_object_foreach(v, k, x) {
		if (json_is_object(x) || json_is_array(x))
			comp_labels(rq, x);
	}
}

/*
 * A competition object (one with "title_en") gets "title_local", its
 * title in the reader's language (English: title_en unless empty, else
 * title), and "title_other" with "title_other_lang", the other
 * language's title when it differs.
 */
static void
comp_title_local(struct rq *rq, json_t *v)
{
	const char	*zh, *en, *mine, *other;

	zh = json_string_value(json_object_get(v, "title"));
	en = json_string_value(json_object_get(v, "title_en"));
	if (zh == NULL)
		return;
	if (en == NULL || *en == '\0' || !strcmp(en, zh))
		en = NULL;
	mine = zh;
	other = en;
	if (en != NULL && !strcmp(rq->locale, "en")) {
		mine = en;
		other = zh;
	}
	json_object_set_new(v, "title_local", json_string(mine));
	if (other != NULL) {
		json_object_set_new(v, "title_other", json_string(other));
		json_object_set_new(v, "title_other_lang", json_string(
		    other == en ? "en" : "zh-CN"));
	}
}

/* The statement's document, labelled (comp_labels), through the page's
 * template; JSON clients get it as it came. */
int
comp_doc_respond(struct rq *rq)
{
	json_t	*doc;

	if (comp_reply_sql_error(rq) == RQ_DONE)
		return (RQ_DONE);
	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	comp_labels(rq, doc);
	(void)reply_page(rq, 200, rq->page->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

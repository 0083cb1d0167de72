/*
 * comp_again.c: a refused competition form, posted by a browser, comes
 * back AS THE FORM (docs/api.md#errors: HTML clients get the form again
 * with the messages): the competition form, the entry form, the scoring
 * and recusal forms, the judges and assignment forms.
 *
 * The form pages need what only the database knows (the maker's projects,
 * the criteria, the judges), so a refusal runs the page's own GET
 * statement (struct comp_again_form) and renders its template with
 * "error" and "errors" as reply_error() would, and "form" (and the rows,
 * scores and choices the template reads) filled with what was typed.
 * JSON clients get the error as before.  When the form's statement has no
 * row for the viewer (an entry that can no longer be edited, a judge no
 * longer assigned), the refusal is answered as an error page.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "comp.h"
#include "jparse.h"

#define COMP_ST_AGAIN		7	/* rq->step: the form's statement ran */

/* The form a write page shows again: its GET statement and template. */
struct comp_again_form {
	const char	*page;		/* the write page's name */
	const char	*stmt;		/* NULL: the new competition's form */
	const char	*tmpl;
};

static const struct comp_again_form comp_again_forms[] = {
	{ "competition_create", NULL, "comp_form" },
	{ "competition_update", "comp_edit_page", "comp_form" },
	{ "competition_entry_create", "comp_entry_form", "comp_entry_form" },
	{ "entry_update", "comp_entry_edit_page", "comp_entry_form" },
	{ "entry_score", "comp_score_page", "comp_score" },
	{ "entry_recuse", "comp_score_page", "comp_score" },
	{ "competition_judge_set", "comp_judges_page", "comp_judges" },
	{ "competition_assign", "comp_judges_page", "comp_judges" },
	{ NULL, NULL, NULL }
};

/* The refusal, kept while the form's statement runs (rq->extra). */
struct comp_again {
	const struct comp_again_form	*form;
	int				 status;
	char				 code[48];
	char				 key[96];
};

static const struct comp_again_form	*comp_again_lookup(struct rq *);
static int	comp_again_reply(struct rq *);
static json_t	*comp_again_echo(struct rq *, json_t *);
static void	comp_again_fill(struct rq *, json_t *, const char *);

static const struct comp_again_form *
comp_again_lookup(struct rq *rq)
{
	const struct comp_again_form	*f;

	if (rq->json || rq->req->method != HTTP_METHOD_POST)
		return (NULL);
	for (f = comp_again_forms; f->page != NULL; f++) {
		if (!strcmp(f->page, rq->page->name))
			return (f);
	}
	return (NULL);
}

/*
 * Answer a refusal (status, code, catalog key; field problems already in
 * rq->fields): browsers posting one of the forms above get the form again
 * (RQ_AGAIN from respond(), RQ_NEXT from prepare(): the form's statement
 * runs next, or RQ_DONE when the form needs none); everyone else the
 * error (RQ_DONE).
 */
int
comp_again(struct rq *rq, int status, const char *code, const char *key,
    int from_prepare)
{
	const struct comp_again_form	*f;
	struct comp_again		*a;
	const char			*pid;
	char				*team;

	if (status == 404 || status == 429 || status >= 500 ||
	    (f = comp_again_lookup(rq)) == NULL || rq->extra != NULL ||
	    !rq_state_new(rq, sizeof(*a), NULL)) {
		reply_error(rq, status, code, key);
		return (RQ_DONE);
	}
	a = rq->extra;
	a->form = f;
	a->status = status;
	(void)snprintf(a->code, sizeof(a->code), "%s", code);
	(void)snprintf(a->key, sizeof(a->key), "%s", key);
	rq->step = COMP_ST_AGAIN;
	if (f->stmt == NULL) {
		rq->sqlstate[0] = '\0';
		rq->res_null = 0;
		return (comp_again_reply(rq));
	}
	rq_params_reset(rq);
	(void)comp_id_prepare(rq);
	if (!strcmp(f->stmt, "comp_entry_form")) {
		pid = rq_field(rq, "project_id", NULL);
		if (pid != NULL && (*pid == '\0' || strlen(pid) > 18 ||
		    strspn(pid, "0123456789") != strlen(pid)))
			pid = NULL;
		rq_param_str(rq, pid);
		if ((team = comp_team(rq)) != NULL && *team != '\0')
			rq_param_own(rq, team);
		else {
			free(team);
			rq_param_null(rq);
		}
	}
	(void)rq_use_stmt(rq, f->stmt);
	return (from_prepare ? RQ_NEXT : RQ_AGAIN);
}

/*
 * What the write pages' respond() start with: RQ_NEXT when the write's
 * statement ran, RQ_DONE or RQ_AGAIN when it was refused (comp_again), the
 * form shown again once its statement ran.
 */
int
comp_refused(struct rq *rq)
{
	const char	*code, *key;
	char		 fallback[64];
	int		 status;

	if (rq->step == COMP_ST_AGAIN && rq->extra != NULL)
		return (comp_again_reply(rq));
	if (rq->sqlstate[0] == '\0')
		return (RQ_NEXT);
	status = comp_sql_refusal(rq, &code, &key, fallback, sizeof(fallback));
	return (comp_again(rq, status, code, key, 0));
}

/* The form's document with the refusal and what was typed. */
static int
comp_again_reply(struct rq *rq)
{
	struct comp_again	*a = rq->extra;
	json_t			*doc, *err, *fields, *form;
	const char		*msg;

	if (rq->sqlstate[0] != '\0' || rq->res_null) {
		/* No form for this viewer any more: the refusal itself. */
		rq->sqlstate[0] = '\0';
		reply_error(rq, a->status, a->code, a->key);
		return (RQ_DONE);
	}
	if (a->form->stmt == NULL)
		doc = comp_form_new();
	else if ((doc = jparse(rq->res, rq->res_len)) == NULL ||
	    !json_is_object(doc)) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	guard_page_locale(rq, doc);
	comp_labels(rq, doc);
	if ((msg = render_text(rq->locale, a->key)) == NULL &&
	    (msg = render_text(rq->locale, "errors.invalid")) == NULL)
		msg = a->code;
	err = json_pack("{s:s, s:s}", "code", a->code, "message", msg);
	fields = rq->fields != NULL && json_object_size(rq->fields) > 0 ?
	    rq->fields : NULL;
	if (fields != NULL) {
		json_object_set(err, "fields", fields);
		json_object_set(doc, "errors", fields);
	}
	json_object_set_new(doc, "error", err);
	form = json_object_get(doc, "form");
	if (!json_is_object(form)) {
		form = json_object();
		json_object_set_new(doc, "form", form);
	}
	(void)comp_again_echo(rq, form);
	comp_again_fill(rq, doc, a->form->page);
	(void)reply_page(rq, a->status, a->form->tmpl, doc);
	json_decref(doc);
	return (RQ_DONE);
}

/*
 * Every text field that was sent into form (the last value of a name wins:
 * a checkbox sends a hidden "false" first), never the CSRF token.
 */
static json_t *
comp_again_echo(struct rq *rq, json_t *form)
{
	const struct form_field	*fl;
	size_t			 i;

	for (i = 0; i < rq->body.n; i++) {
		fl = &rq->body.fields[i];
		if (!strcmp(fl->name, "csrf") || fl->filename != NULL ||
		    strchr(fl->name, '[') != NULL)
			continue;
		json_object_set_new(form, fl->name, json_string(fl->value));
	}
	return (form);
}

/* The parts of each form that are not plain fields, as typed. */
static void
comp_again_fill(struct rq *rq, json_t *doc, const char *page)
{
	json_t		*form, *sent, *x, *score;
	const char	*v, *m;
	char		 k[48];
	size_t		 i;

	form = json_object_get(doc, "form");
	if (!strcmp(page, "competition_create") ||
	    !strcmp(page, "competition_update")) {
		sent = json_object();
		(void)comp_criteria_json(rq, sent);
		(void)comp_awards_json(rq, sent);
		if (json_object_get(sent, "criteria") != NULL ||
		    json_object_get(doc, "rows") == NULL)
			json_object_set_new(doc, "rows", comp_form_rows(
			    json_object_get(sent, "criteria"),
			    json_object_get(sent, "awards")));
		json_decref(sent);
		for (i = 0; i < 2; i++) {
			m = i == 0 ? "blind" : "public_vote";
			if ((v = json_string_value(json_object_get(form, m))) !=
			    NULL)
				json_object_set_new(form, m, json_boolean(
				    !strcmp(v, "true") || !strcmp(v, "on") ||
				    !strcmp(v, "1")));
		}
		json_object_del(form, "method_mean");
		json_object_del(form, "method_trimmed");
		json_object_del(form, "method_zscore");
		if ((m = json_string_value(json_object_get(form, "method"))) ==
		    NULL)
			m = "mean";
		reply_form_choice(form, "method", m);
	} else if (!strcmp(page, "competition_entry_create")) {
		v = rq_field(rq, "project_id", NULL);
		json_array_foreach(json_object_get(doc, "projects"), i, x) {
			(void)snprintf(k, sizeof(k), "%lld", (long long)
			    json_integer_value(json_object_get(x, "id")));
			json_object_set_new(x, "selected", json_boolean(
			    v != NULL && !strcmp(k, v)));
		}
	} else if (!strcmp(page, "entry_score")) {
		json_array_foreach(json_object_get(doc, "criteria"), i, x) {
			(void)snprintf(k, sizeof(k), "scores[%lld]", (long long)
			    json_integer_value(json_object_get(x, "id")));
			if ((v = rq_field(rq, k, NULL)) != NULL)
				json_object_set_new(x, "value",
				    json_string(v));
			/* The problem of this criterion's score, beside it. */
			if ((m = json_string_value(json_object_get(rq->fields,
			    k))) != NULL)
				json_object_set_new(x, "problem",
				    json_string(m));
		}
		score = json_object_get(doc, "score");
		if (!json_is_object(score)) {
			score = json_object();
			json_object_set_new(doc, "score", score);
		}
		if ((v = rq_field(rq, "comment", NULL)) != NULL)
			json_object_set_new(score, "comment", json_string(v));
		if ((v = rq_field(rq, "note", NULL)) != NULL)
			json_object_set_new(score, "note", json_string(v));
	} else if (!strcmp(page, "competition_assign")) {
		json_object_set_new(doc, "assign_form", json_true());
	}
}

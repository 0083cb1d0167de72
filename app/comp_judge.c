/*
 * comp_judge.c: judging a competition (docs/api.md#competitions): staff
 * add judges and assign them to entries (by hand or balanced by the
 * database), a judge's queue at /judging, the scoring form, scores
 * (drafts and submitted) and recusals.  Conflicts of interest, phases
 * and score ranges are checked by comp_assign() and comp_score_save() in
 * migrations/0016_competitions.sql.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "comp.h"

#define COMP_SCORE_FIELDS	10

int	page_competition_judges(struct http_request *);
int	page_competition_assign(struct http_request *);
int	page_judging(struct http_request *);
int	page_entry_score(struct http_request *);
int	page_entry_recuse(struct http_request *);

static int	judge_set_prepare(struct rq *);
static int	assign_prepare(struct rq *);
static int	judging_prepare(struct rq *);
static int	score_form_prepare(struct rq *);
static int	judge_kept_respond(struct rq *);
static int	score_prepare(struct rq *);
static int	score_respond(struct rq *);
static int	recuse_prepare(struct rq *);
static int	judge_back_respond(struct rq *);

static const struct page comp_judges_page = {
	.name = "competition_judges", .access = ACCESS_STAFF,
	.tmpl = "comp_judges", .stmt = "comp_judges_page",
	.prepare = comp_id_prepare, .respond = comp_doc_respond,
};
static const struct page comp_judges_post = {
	.name = "competition_judge_set", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_judge_set", .prepare = judge_set_prepare,
	.respond = judge_back_respond,
};
static const struct page comp_assign_post = {
	.name = "competition_assign", .access = ACCESS_STAFF,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_assign", .prepare = assign_prepare,
	.respond = judge_back_respond,
};
static const struct page comp_judging_page = {
	.name = "judging", .access = ACCESS_USER, .flags = PAGE_OWN_SESSION,
	.tmpl = "comp_judging", .stmt = "comp_judging",
	.prepare = judging_prepare, .respond = judge_kept_respond,
};
static const struct page comp_score_page = {
	.name = "entry_score_form", .access = ACCESS_USER,
	.flags = PAGE_OWN_SESSION, .tmpl = "comp_score",
	.stmt = "comp_score_page", .prepare = score_form_prepare,
	.respond = judge_kept_respond,
};
static const struct page comp_score_post = {
	.name = "entry_score", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "comp_score_save", .prepare = score_prepare,
	.respond = score_respond,
};
static const struct page comp_recuse_post = {
	.name = "entry_recuse", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_OWN_ERRORS,
	.stmt = "comp_recuse",
	.prepare = recuse_prepare, .respond = score_respond,
};

/* Every page of judging, for the start-up check (app.h). */
const struct page *const comp_judge_pages[] = {
	&comp_judges_page, &comp_judges_post, &comp_assign_post,
	&comp_judging_page, &comp_score_page, &comp_score_post,
	&comp_recuse_post,
	NULL
};

int
page_competition_judges(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_judges_post : &comp_judges_page));
}

int
page_competition_assign(struct http_request *req)
{
	return (rq_run(req, &comp_assign_post));
}

int
page_judging(struct http_request *req)
{
	return (rq_run(req, &comp_judging_page));
}

int
page_entry_score(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &comp_score_post : &comp_score_page));
}

int
page_entry_recuse(struct http_request *req)
{
	return (rq_run(req, &comp_recuse_post));
}

/* 200 with the result; browsers go back to the staff page. */
static int
judge_back_respond(struct rq *rq)
{
	char	url[80];
	int	r;

	if ((r = comp_refused(rq)) != RQ_NEXT)
		return (r);
	(void)snprintf(url, sizeof(url), "/competitions/%lld/judges",
	    (long long)comp_path_id(rq));
	return (reply_result(rq, 200, url));
}

/* $1 actor, $2 competition, $3 username, $4 'add' or 'remove'. */
static int
judge_set_prepare(struct rq *rq)
{
	const char	*name, *action;

	name = rq_text(rq, "username", 1, 1, 64, 0);
	action = rq_field(rq, "action", NULL);
	if (action == NULL || *action == '\0')
		action = "add";
	if (strcmp(action, "add") && strcmp(action, "remove"))
		reply_field_error(rq, "action", "comp.err.action");
	if (name == NULL || rq_has_errors(rq))
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	(void)comp_actor_prepare(rq);
	rq_param_str(rq, name);
	rq_param_str(rq, action);
	return (RQ_NEXT);
}

/*
 * $1 actor, $2 competition, $3 entry, $4 username: mode "auto" (or no
 * entry_id) assigns every entry; entry_id with username one judge.
 */
static int
assign_prepare(struct rq *rq)
{
	const char	*mode, *eid, *name;

	mode = rq_field(rq, "mode", NULL);
	eid = rq_field(rq, "entry_id", NULL);
	name = rq_field(rq, "username", NULL);
	(void)comp_actor_prepare(rq);
	if (mode != NULL && !strcmp(mode, "auto")) {
		rq_param_null(rq);
		rq_param_null(rq);
		return (RQ_NEXT);
	}
	if (eid == NULL || *eid == '\0' || strlen(eid) > 18 ||
	    strspn(eid, "0123456789") != strlen(eid))
		reply_field_error(rq, "entry_id", "comp.err.no_such_entry");
	if (name == NULL || *name == '\0' || strlen(name) > 64)
		reply_field_error(rq, "username", "comp.err.not_a_judge");
	if (rq_has_errors(rq))
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	rq_param_str(rq, eid);
	rq_param_str(rq, name);
	return (RQ_NEXT);
}

/* Browsers get the kept queue (comp_pages.c); programs: $1 the judge. */
static int
judging_prepare(struct rq *rq)
{
	if (guard_own_session(rq))
		return (comp_kept_prepare(rq, COMP_KEPT_JUDGING));
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

/* Browsers get the kept form (comp_pages.c); programs comp_score_page. */
static int
score_form_prepare(struct rq *rq)
{
	if (guard_own_session(rq))
		return (comp_kept_prepare(rq, COMP_KEPT_SCORE));
	return (comp_id_prepare(rq));
}

/* The queue and the form: kept for browsers, the document for programs. */
static int
judge_kept_respond(struct rq *rq)
{
	if (guard_own_session(rq))
		return (comp_kept_respond(rq, rq->page == &comp_judging_page ?
		    COMP_KEPT_JUDGING : COMP_KEPT_SCORE));
	return (comp_doc_respond(rq));
}

/*
 * $1 judge, $2 entry, $3 scores {criterion id: value} from the fields
 * scores[id] (a form, or JSON flattened by form.c), NULL when none was
 * sent; $4 comment, $5 its HTML, $6 note, $7 submit.
 */
static int
score_prepare(struct rq *rq)
{
	const struct form_field	*fl;
	json_t			*scores;
	const char		*note, *submit;
	char			*html, *id;
	size_t			 i, len, n;

	scores = NULL;
	n = 0;
	for (i = 0; i < rq->body.n; i++) {
		fl = &rq->body.fields[i];
		len = strlen(fl->name);
		if (strncmp(fl->name, "scores[", 7) || len < 9 ||
		    fl->name[len - 1] != ']')
			continue;
		if (++n > 100) {
			reply_field_error(rq, "scores", "comp.err.scores");
			break;
		}
		if (scores == NULL)
			scores = json_object();
		if ((id = strndup(fl->name + 7, len - 8)) == NULL)
			continue;
		json_object_set_new(scores, id, json_string(fl->value));
		free(id);
	}
	html = NULL;
	note = rq_text(rq, "note", 0, 0, 2000, 1);
	if (!content_markdown(rq, "comment", 0, &html, NULL) ||
	    rq_has_errors(rq)) {
		free(html);
		json_decref(scores);
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	}
	submit = rq_field(rq, "submit", NULL);
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, comp_path_id(rq));
	if (scores != NULL)
		rq_param_own(rq, json_dumps(scores, JSON_COMPACT));
	else
		rq_param_null(rq);
	json_decref(scores);
	rq_param_str(rq, rq_field(rq, "comment", NULL));
	if (html != NULL)
		rq_param_own(rq, html);
	else
		rq_param_null(rq);
	rq_param_str(rq, note);
	rq_param_str(rq, submit != NULL && (!strcmp(submit, "true") ||
	    !strcmp(submit, "1") || !strcmp(submit, "on")) ? "true" :
	    "false");
	return (RQ_NEXT);
}

/* $1 judge, $2 entry, $3 reason (required). */
static int
recuse_prepare(struct rq *rq)
{
	const char	*reason;

	if ((reason = rq_text(rq, "reason", 1, 1, 500, 1)) == NULL)
		return (comp_again(rq, 422, "invalid", "errors.invalid", 1));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, comp_path_id(rq));
	rq_param_str(rq, reason);
	return (RQ_NEXT);
}

/* 200 {score} or {assignment}; browsers go back to the queue. */
static int
score_respond(struct rq *rq)
{
	int	r;

	if ((r = comp_refused(rq)) != RQ_NEXT)
		return (r);
	return (reply_result(rq, 200, "/judging"));
}

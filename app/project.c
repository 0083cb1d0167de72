/*
 * project.c: the project showcase (docs/api.md#projects): create, edit,
 * publish, delete, listing with tag filter, search and keyset
 * pagination, likes, comments, team members and the build log.
 *
 * C does what only C can do (Markdown to safe HTML, search tokens, field
 * validation in the user's language); the rules (who may see or change
 * what, idempotent likes, notifications) are in the functions of
 * migrations/0003_projects.sql, which answer with the project document.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jparse.h"
#include "md.h"
#include "search.h"
#include "text.h"

#define PROJECT_MAX_TAGS	8

/*
 * The parts of a project page that are the same for every reader are
 * rendered once per project version and language and kept here, in each
 * worker: the page statement is told the version we hold and then sends
 * only what depends on the reader (docs/performance.md#kept-pages).
 * Kept (keep.c) under the project's id: doc holds the parts (frag_key
 * -> HTML), version the project's.  A collision just renders again.
 */
#define FRAG_SLOTS		1024
#define FRAG_N			6

static const char *const frag_tmpl[FRAG_N] = {
	"project_og", "project_head", "project_main", "project_team",
	"project_logs", "project_comments"
};
static const char *const frag_key[FRAG_N] = {
	"og_html", "head_html", "main_html", "team_html", "logs_html",
	"comments_html"
};
static struct kept	frags[FRAG_SLOTS];

/*
 * Listing cards, the same way: per project version and language, kept
 * under "card <id>" (html the card).
 */
#define CARD_SLOTS		2048

static struct kept	cards[CARD_SLOTS];

/*
 * Whole card lists, per list address and language (keep.c), under the
 * listing version they were rendered at (migrations/0004): a small
 * statement reads it, and the list statement runs only when it moved.
 * doc holds next_cursor, tag and q.
 */
#define LIST_SLOTS		256

static struct kept	lists[LIST_SLOTS];
#define PROJECT_TAG_CHARS	24

/*
 * rq->step.  Lists and project pages: browsers first ask with what this
 * worker holds (a check, or the version of the kept parts); the whole
 * statement when that is not current.  Edits: the current text first
 * when searched text changes, then project_update.
 */
enum {
	PROJECT_ST_CHECK = 0,	/* project_list_check, or the held version */
	PROJECT_ST_PAGE		/* the whole list or page */
};
enum {
	PROJECT_ST_TOKENS = 1,	/* project_tokens answered (or not needed) */
	PROJECT_ST_UPDATE	/* project_update answered */
};

int	page_projects(struct http_request *);
int	page_project_new(struct http_request *);
int	page_project(struct http_request *);
int	page_project_edit(struct http_request *);
int	page_project_delete(struct http_request *);
int	page_project_like(struct http_request *);
int	page_project_unlike(struct http_request *);
int	page_project_comments(struct http_request *);
int	page_project_members(struct http_request *);
int	page_project_member_delete(struct http_request *);
int	page_project_logs(struct http_request *);

/* What a create or edit carries between its steps. */
struct project_edit {
	char	*body_html;	/* malloc()ed by md_render */
	char	*tags_json;	/* malloc()ed; NULL: unchanged */
	char	*tokens;	/* malloc()ed; NULL: unchanged */
};

static int	project_list_prepare(struct rq *);
static int	project_list_respond(struct rq *);
static const char *project_card_html(struct rq *, json_t *, int);
static int	project_list_store(struct rq *, struct kept *, int64_t);
static int	project_create_prepare(struct rq *);
static int	project_create_respond(struct rq *);
static int	project_new_form(struct rq *);
static int	project_view_prepare(struct rq *);
static int	project_view_respond(struct rq *);
static struct kept *project_frag_slot(int64_t, int, int *);
static int	project_frag_locale(struct rq *);
static int	project_frag_render(struct rq *, struct kept *, json_t *,
		    int64_t);
static int	project_edit_form_prepare(struct rq *);
static int	project_update_prepare(struct rq *);
static int	project_update_respond(struct rq *);
static int	project_delete_prepare(struct rq *);
static int	project_delete_respond(struct rq *);
static int	project_like_prepare(struct rq *);
static int	project_unlike_prepare(struct rq *);
static int	project_comment_prepare(struct rq *);
static int	project_member_add_prepare(struct rq *);
static int	project_member_remove_prepare(struct rq *);
static int	project_log_prepare(struct rq *);
static int	project_written_respond(struct rq *);
static int	project_created_respond(struct rq *);

static int64_t	project_id(struct rq *);
static void	project_url(struct rq *, char *, size_t, const char *);
static int	project_fields(struct rq *, struct project_edit *, int);
static char	*project_tags(struct rq *);
static void	project_tokens(struct buf *, const char *, const char *,
		    const char *, json_t *);
static void	project_edit_free(void *);
static int	project_markdown_field(struct rq *, const char *, int,
		    char **);
static int	project_list_cursor(struct rq *);
static void	project_comma_normalise(char *);
static const char *project_merged(struct rq *, json_t *, const char *);

static const char *const licenses[] = {
	"CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
	"CC0-1.0", "MIT", "GPL-3.0-or-later", "all-rights-reserved", NULL
};

static const struct page list_page = {
	.name = "projects", .access = ACCESS_ANYONE, .tmpl = "project_list",
	.prepare = project_list_prepare, .respond = project_list_respond,
};
static const struct page create_post = {
	.name = "project_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .tmpl = "project_form", .stmt = "project_create",
	.prepare = project_create_prepare, .respond = project_create_respond,
};
static const struct page new_page = {
	.name = "project_new", .access = ACCESS_VERIFIED,
	.flags = PAGE_NO_STMT, .tmpl = "project_form",
	.prepare = project_new_form,
};
static const struct page view_page = {
	.name = "project", .access = ACCESS_ANYONE, .tmpl = "project_page",
	.stmt = "project_page", .prepare = project_view_prepare,
	.respond = project_view_respond,
};
static const struct page edit_page = {
	.name = "project_edit", .access = ACCESS_VERIFIED,
	.tmpl = "project_form",
	.stmt = "project_edit_page", .prepare = project_edit_form_prepare,
};
static const struct page update_post = {
	.name = "project_update", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .tmpl = "project_form",
	.prepare = project_update_prepare, .respond = project_update_respond,
};
static const struct page delete_post = {
	.name = "project_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT, .stmt = "project_delete",
	.prepare = project_delete_prepare, .respond = project_delete_respond,
};
static const struct page like_post = {
	.name = "project_like", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT,
	.stmt = "project_like", .prepare = project_like_prepare,
	.respond = project_written_respond,
};
static const struct page unlike_post = {
	.name = "project_unlike", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT,
	.stmt = "project_like", .prepare = project_unlike_prepare,
	.respond = project_written_respond,
};
static const struct page comment_post = {
	.name = "project_comment", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "project_comment",
	.prepare = project_comment_prepare, .respond = project_created_respond,
};
static const struct page member_add_post = {
	.name = "project_member_add", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "project_member_add",
	.prepare = project_member_add_prepare,
	.respond = project_written_respond,
};
static const struct page member_remove_post = {
	.name = "project_member_remove", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT, .stmt = "project_member_remove",
	.prepare = project_member_remove_prepare,
	.respond = project_written_respond,
};
static const struct page log_post = {
	.name = "project_log", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "project_log_add",
	.prepare = project_log_prepare, .respond = project_created_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const project_pages[] = {
	&list_page, &create_post, &new_page, &view_page, &edit_page,
	&update_post, &delete_post, &like_post, &unlike_post,
	&comment_post, &member_add_post, &member_remove_post,
	&log_post, NULL
};

int
page_projects(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &create_post :
	    &list_page));
}

int
page_project_new(struct http_request *req)
{
	return (rq_run(req, &new_page));
}

int
page_project(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ? &update_post :
	    &view_page));
}

int
page_project_edit(struct http_request *req)
{
	return (rq_run(req, &edit_page));
}

int
page_project_delete(struct http_request *req)
{
	return (rq_run(req, &delete_post));
}

int
page_project_like(struct http_request *req)
{
	return (rq_run(req, &like_post));
}

int
page_project_unlike(struct http_request *req)
{
	return (rq_run(req, &unlike_post));
}

int
page_project_comments(struct http_request *req)
{
	return (rq_run(req, &comment_post));
}

int
page_project_members(struct http_request *req)
{
	return (rq_run(req, &member_add_post));
}

int
page_project_member_delete(struct http_request *req)
{
	return (rq_run(req, &member_remove_post));
}

int
page_project_logs(struct http_request *req)
{
	return (rq_run(req, &log_post));
}

/* ------------------------------------------------------------------ */

/* The {id} of /projects/{id}/... */
static int64_t
project_id(struct rq *rq)
{
	return (rq_path_id(rq, "/projects/"));
}

static void
project_url(struct rq *rq, char *out, size_t len, const char *suffix)
{
	(void)snprintf(out, len, "/projects/%lld%s",
	    (long long)project_id(rq), suffix);
}

static void
project_edit_free(void *p)
{
	struct project_edit	*e = p;

	free(e->body_html);
	free(e->tags_json);
	free(e->tokens);
}

/*
 * A Markdown field: its HTML (malloc()ed) in *html, or NULL when absent.
 * 0 after noting a problem.
 */
static int
project_markdown_field(struct rq *rq, const char *name, int required,
    char **html)
{
	return (content_markdown(rq, name, required, html, NULL));
}

/* Full-width commas (U+FF0C, typed by Chinese keyboards) to ASCII. */
static void
project_comma_normalise(char *s)
{
	char	*p, *w;

	for (p = s, w = s; *p != '\0'; ) {
		if (!strncmp(p, "\xef\xbc\x8c", 3)) {
			*w++ = ',';
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
}

/* Only white space? */

/*
 * The tags as a JSON array (malloc()ed), or NULL when the field is
 * absent.  Each value may hold several tags separated by commas (a form's
 * one text box); tags are trimmed, ASCII lower-cased, deduplicated.
 */
static char *
project_tags(struct rq *rq)
{
	const struct form_field	*f;
	json_t			*arr;
	char			*tok, *save, *copy, *out;
	size_t			 i, n, k, len;
	int			 dup;

	if ((n = form_count(&rq->body, "tags")) == 0)
		return (NULL);
	arr = json_array();
	out = NULL;
	for (i = 0; i < n; i++) {
		f = form_get_nth(&rq->body, "tags", i);
		if (!text_utf8_valid(f->value, f->len) ||
		    text_has_controls(f->value, f->len, 0)) {
			reply_field_error(rq, "tags", "errors.field.bad_text");
			goto out;
		}
		copy = strdup(f->value);
		project_comma_normalise(copy);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			len = text_trim(tok, strlen(tok));
			text_lower_ascii(tok);
			if (len == 0)
				continue;
			if (text_utf8_chars(tok, len) > PROJECT_TAG_CHARS ||
			    strpbrk(tok, "#/?&<>\"'") != NULL) {
				reply_field_error(rq, "tags",
				    "errors.bad_tag");
				continue;
			}
			for (k = 0, dup = 0; k < json_array_size(arr); k++)
				dup |= !strcmp(json_string_value(
				    json_array_get(arr, k)), tok);
			if (!dup)
				json_array_append_new(arr, json_string(tok));
		}
		free(copy);
	}
	if (json_array_size(arr) > PROJECT_MAX_TAGS)
		reply_field_error(rq, "tags", "errors.too_many_tags");
	if (!rq_has_errors(rq))
		out = json_dumps(arr, JSON_COMPACT);

out:
	json_decref(arr);
	return (out);
}

/* Title, summary, body and tags as search tokens (see search.c). */
static void
project_tokens(struct buf *out, const char *title, const char *summary,
    const char *body, json_t *tags)
{
	size_t		i;

	if (title != NULL)
		(void)search_index_tokens(title, strlen(title), out);
	if (summary != NULL)
		(void)search_index_tokens(summary, strlen(summary), out);
	for (i = 0; i < json_array_size(tags); i++) {
		(void)search_index_tokens(json_string_value(
		    json_array_get(tags, i)), strlen(json_string_value(
		    json_array_get(tags, i))), out);
	}
	if (body != NULL)
		(void)search_index_tokens(body, strlen(body), out);
}

/*
 * Validate the fields of a create (creating: title required) or an edit
 * (a field left out keeps its value; title, license and status may not
 * be sent empty: rq_text).  Fills e; 0 after noting problems.
 */
static int
project_fields(struct rq *rq, struct project_edit *e, int creating)
{
	const char	*v;
	size_t		 i;

	(void)rq_text(rq, "title", creating, 1, 120, 0);
	(void)rq_text(rq, "summary", 0, 0, 300, 0);
	(void)project_markdown_field(rq, "body", 0, &e->body_html);
	e->tags_json = project_tags(rq);
	if ((v = rq_text(rq, "license", 0, 1, 40, 0)) != NULL) {
		for (i = 0; licenses[i] != NULL; i++) {
			if (!strcmp(licenses[i], v))
				break;
		}
		if (licenses[i] == NULL)
			reply_field_error(rq, "license",
			    "errors.unknown_license");
	}
	if ((v = rq_text(rq, "status", 0, 1, 20, 0)) != NULL &&
	    strcmp(v, "draft") && strcmp(v, "published"))
		reply_field_error(rq, "status", "errors.bad_status");
	return (!rq_has_errors(rq));
}

/* ------------------------------------------------------------------ */
/* GET /projects?q=&tag=&cursor=                                       */

/* "<microseconds>.<id>" into two parameters; 0 when it is malformed. */
static int
project_list_cursor(struct rq *rq)
{
	const char	*c, *dot;
	size_t		 i;

	if ((c = rq_query(rq, "cursor")) == NULL || *c == '\0') {
		rq_param_null(rq);
		rq_param_null(rq);
		return (1);
	}
	if ((dot = strchr(c, '.')) == NULL || dot == c || dot[1] == '\0' ||
	    strlen(c) > 40)
		return (0);
	for (i = 0; c[i] != '\0'; i++) {
		if ((c[i] < '0' || c[i] > '9') && c + i != dot)
			return (0);
	}
	rq_param_own(rq, strndup(c, (size_t)(dot - c)));
	rq_param_str(rq, dot + 1);
	return (1);
}

static int
project_list_prepare(struct rq *rq)
{
	struct buf	 tokens;
	const char	*q, *tag;
	json_t		*doc;
	int		 hit;

	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	if (!rq->json && rq->step == PROJECT_ST_CHECK && kept_slot(lists,
	    LIST_SLOTS, rq, project_frag_locale(rq), &hit)->doc != NULL &&
	    hit) {
		(void)rq_use_stmt(rq, "project_list_check");
		return (RQ_NEXT);
	}
	rq->step = PROJECT_ST_PAGE;
	if (!project_list_cursor(rq)) {
		reply_error(rq, 400, "bad_request", "errors.bad_cursor");
		return (RQ_DONE);
	}
	q = rq_query(rq, "q");
	tag = rq_query(rq, "tag");
	if (q != NULL && *q != '\0') {
		buf_init(&tokens);
		if (search_query_tokens(q, strlen(q), &tokens) == 0) {
			/* Nothing searchable (only symbols): no results. */
			buf_free(&tokens);
			doc = json_pack("{s:[], s:n, s:s, s:n}", "projects",
			    "next_cursor", "q", q, "tag");
			if (rq->json)
				reply_json(rq, 200, doc);
			else
				(void)reply_page(rq, 200, "project_list", doc);
			json_decref(doc);
			return (RQ_DONE);
		}
		rq_param_own(rq, buf_release(&tokens, NULL));
		rq_param_str(rq, q);
		(void)rq_use_stmt(rq, "project_list_search");
	} else if (tag != NULL && *tag != '\0') {
		rq_param_str(rq, tag);
		(void)rq_use_stmt(rq, "project_list_tag");
	} else {
		(void)rq_use_stmt(rq, "project_list");
	}
	return (RQ_NEXT);
}

/*
 * The HTML of one card (JSON with its "id" and "version"), rendered at
 * most once per project version and language in this worker.
 */
static const char *
project_card_html(struct rq *rq, json_t *card, int loc)
{
	struct kept	*e;
	struct buf	 out;
	int64_t		 v;
	char		 key[32];
	int		 hit;

	(void)snprintf(key, sizeof(key), "card %lld", (long long)
	    json_integer_value(json_object_get(card, "id")));
	v = json_integer_value(json_object_get(card, "version"));
	e = kept_slot_key(cards, CARD_SLOTS, key, loc, &hit);
	if (hit && e->version == v)
		return (e->html);
	buf_init(&out);
	if (!render_html(rq, "project_card", card, &out)) {
		buf_free(&out);
		return (NULL);
	}
	free(e->html);
	e->html = buf_release(&out, NULL);
	e->version = v;
	return (e->html);
}

/*
 * Renders the whole list document (rq->res_col2) into slot e: the cards'
 * HTML and the members the template needs besides them.  0 when the
 * document is unreadable.
 */
static int
project_list_store(struct rq *rq, struct kept *e, int64_t version)
{
	struct buf	 out;
	json_t		*full, *card;
	const char	*html;
	size_t		 i;

	if ((full = jparse(rq->res_col2, strlen(rq->res_col2))) == NULL)
		return (0);
	buf_init(&out);
	json_array_foreach(json_object_get(full, "projects"), i, card) {
		if ((html = project_card_html(rq, card, e->locale)) != NULL)
			buf_appends(&out, html);
	}
	free(e->html);
	json_decref(e->doc);
	e->version = version;
	e->html = buf_release(&out, NULL);
	e->doc = json_pack("{s:b, s:O?, s:O?, s:O?}",
	    "any", json_array_size(json_object_get(full, "projects")) > 0,
	    "next_cursor", json_object_get(full, "next_cursor"),
	    "tag", json_object_get(full, "tag"),
	    "q", json_object_get(full, "q"));
	json_decref(full);
	return (e->key != NULL && e->doc != NULL);
}

/*
 * JSON clients get the whole document (the second column).  Browsers:
 * after project_list_check, the list this worker holds when the listing
 * version matches (else the list statement); after the list statement,
 * the list rendered and kept.
 */
static int
project_list_respond(struct rq *rq)
{
	struct kept	*e;
	json_t		*doc;
	int64_t		 version;
	int		 hit;

	if (rq->res_null) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	if (rq->json) {
		reply_json_text(rq, 200, rq->res_col2, strlen(rq->res_col2));
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	guard_page_locale(rq, doc);
	e = kept_slot(lists, LIST_SLOTS, rq, project_frag_locale(rq), &hit);
	version = json_integer_value(json_object_get(doc, "version"));
	if (rq->step == PROJECT_ST_CHECK && (!hit || e->doc == NULL ||
	    e->version != version)) {
		/* Not held at this version: the whole list. */
		json_decref(doc);
		rq_params_reset(rq);
		rq->step = PROJECT_ST_PAGE;
		return (project_list_prepare(rq) == RQ_NEXT ? RQ_AGAIN :
		    RQ_DONE);
	}
	if (rq->step != PROJECT_ST_CHECK && (rq->res_col2 == NULL ||
	    !project_list_store(rq, e, version))) {
		kept_clear(e);
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}
	json_object_update(doc, e->doc);
	json_object_del(doc, "version");
	json_object_set_new(doc, "cards_html", json_string_nocheck(e->html));
	(void)reply_page(rq, 200, "project_list", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* POST /projects, GET /projects/new                                   */

static int
project_new_form(struct rq *rq)
{
	json_t	*doc;

	doc = json_pack("{s:{s:s, s:s}}", "form", "license", "CC-BY-4.0",
	    "status", "draft");
	reply_form_choice(json_object_get(doc, "form"), "license",
	    "CC-BY-4.0");
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, "project_form", doc);
	json_decref(doc);
	return (RQ_DONE);
}

static int
project_create_prepare(struct rq *rq)
{
	struct project_edit	*e;
	struct buf		 tokens;
	json_t			*tags;

	(void)rq_state_new(rq, sizeof(*e), project_edit_free);
	e = rq->extra;
	if (!project_fields(rq, e, 1))
		return (rq_reply_invalid(rq));

	buf_init(&tokens);
	tags = e->tags_json ? json_loads(e->tags_json, 0, NULL) : NULL;
	project_tokens(&tokens, rq_field(rq, "title", NULL),
	    rq_field(rq, "summary", NULL), rq_field(rq, "body", NULL), tags);
	json_decref(tags);

	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq_field(rq, "title", NULL));
	rq_param_str(rq, rq_field(rq, "summary", NULL));
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_str(rq, e->body_html);
	rq_param_str(rq, e->tags_json ? e->tags_json : "[]");
	rq_param_str(rq, rq_field(rq, "license", NULL));
	rq_param_str(rq, rq_field(rq, "status", NULL));
	rq_param_own(rq, buf_release(&tokens, NULL));
	return (RQ_NEXT);
}

/* 201 {project}; browsers go to the new project's page. */
static int
project_create_respond(struct rq *rq)
{
	json_t		*doc;
	const char	*url;

	doc = json_loadb(rq->res, rq->res_len, 0, NULL);
	url = json_string_value(json_object_get(json_object_get(doc,
	    "project"), "url"));
	reply_created(rq, rq->res, rq->res_len, url);
	json_decref(doc);
	return (RQ_DONE);
}

/* ------------------------------------------------------------------ */
/* GET /projects/{id}, GET /projects/{id}/edit, POST /projects/{id}     */

static int
project_frag_locale(struct rq *rq)
{
	return (render_locale_index(rq->locale));
}

/* The kept parts of project id in language loc (keep.c). */
static struct kept *
project_frag_slot(int64_t id, int loc, int *hit)
{
	char	key[32];

	(void)snprintf(key, sizeof(key), "project %lld", (long long)id);
	return (kept_slot_key(frags, FRAG_SLOTS, key, loc, hit));
}

/*
 * $3 is the version whose parts this worker holds for this language;
 * JSON clients always get the whole document.
 */
static int
project_view_prepare(struct rq *rq)
{
	struct kept	*e;
	int64_t		 id;
	int		 hit;

	id = project_id(rq);
	rq_param_int(rq, id);
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	e = NULL;
	if (!rq->json && rq->step == PROJECT_ST_CHECK)
		e = project_frag_slot(id, project_frag_locale(rq), &hit);
	if (e != NULL && hit)
		rq_param_int(rq, e->version);
	else
		rq_param_null(rq);
	return (RQ_NEXT);
}

/*
 * Render the reader-independent parts from doc into slot e (e->doc:
 * frag_key -> HTML) at version.  0 when rendering failed (e holds none).
 */
static int
project_frag_render(struct rq *rq, struct kept *e, json_t *doc,
    int64_t version)
{
	struct buf	 out;
	json_t		*parts;
	int		 i;

	json_decref(e->doc);
	e->doc = NULL;
	if ((parts = json_object()) == NULL)
		return (0);
	for (i = 0; i < FRAG_N; i++) {
		buf_init(&out);
		if (!render_html(rq, frag_tmpl[i], doc, &out)) {
			buf_free(&out);
			json_decref(parts);
			return (0);
		}
		json_object_set_new(parts, frag_key[i],
		    json_string_nocheck(out.data ? out.data : ""));
		buf_free(&out);
	}
	e->doc = parts;
	e->version = version;
	return (1);
}

static int
project_view_respond(struct rq *rq)
{
	struct kept	*e;
	json_t		*doc, *p;
	int64_t		 id, version;
	int		 i, hit;

	if ((doc = rq_page_doc(rq)) == NULL)
		return (RQ_DONE);
	p = json_object_get(doc, "project");
	id = json_integer_value(json_object_get(p, "id"));
	version = json_integer_value(json_object_get(p, "version"));
	e = project_frag_slot(id, project_frag_locale(rq), &hit);

	if (json_is_true(json_object_get(p, "cached")) &&
	    (!hit || e->version != version)) {
		/* Another page took the slot meanwhile: ask for it all. */
		json_decref(doc);
		rq_params_reset(rq);
		rq->step = PROJECT_ST_PAGE;
		(void)project_view_prepare(rq);
		return (RQ_AGAIN);
	}
	/* The licence in the reader's words, for project_head. */
	json_object_set_new(p, "license_label", json_string(render_label(
	    rq->locale, "project.licenses", json_string_value(
	    json_object_get(p, "license")))));
	if (!json_is_true(json_object_get(p, "cached")) &&
	    !project_frag_render(rq, e, doc, version)) {
		json_decref(doc);
		reply_error(rq, 500, "internal", "errors.internal");
		return (RQ_DONE);
	}

	for (i = 0; i < FRAG_N; i++)
		json_object_set(p, frag_key[i], json_object_get(e->doc,
		    frag_key[i]));
	(void)reply_page(rq, 200, "project_page", doc);
	json_decref(doc);
	return (RQ_DONE);
}

static int
project_edit_form_prepare(struct rq *rq)
{
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq->me.role);
	return (RQ_NEXT);
}

/*
 * An edit changes only the fields sent.  When text that is searched
 * changes, the current text is read first (project_tokens) so the search
 * tokens cover the whole project.
 */
static int
project_update_prepare(struct rq *rq)
{
	struct project_edit	*e;

	(void)rq_state_new(rq, sizeof(*e), project_edit_free);
	e = rq->extra;
	if (!project_fields(rq, e, 0))
		return (rq_reply_invalid(rq));

	if (rq_field(rq, "title", NULL) || rq_field(rq, "summary", NULL) ||
	    rq_field(rq, "body", NULL) || e->tags_json != NULL) {
		rq_param_int(rq, project_id(rq));
		(void)rq_use_stmt(rq, "project_tokens");
		rq->step = PROJECT_ST_TOKENS;
		return (RQ_NEXT);
	}
	rq->step = PROJECT_ST_TOKENS;
	rq->res_null = 1;
	return (project_update_respond(rq) == RQ_AGAIN ? RQ_NEXT : RQ_DONE);
}

static const char *
project_merged(struct rq *rq, json_t *cur, const char *name)
{
	const char	*v;

	if ((v = rq_field(rq, name, NULL)) != NULL)
		return (v);
	return (json_string_value(json_object_get(cur, name)));
}

static int
project_update_respond(struct rq *rq)
{
	struct project_edit	*e = rq->extra;
	struct buf		 tokens;
	json_t			*cur, *tags;
	char			 url[64];

	if (rq->step == PROJECT_ST_TOKENS) {
		cur = rq->res_null ? NULL : json_loadb(rq->res, rq->res_len,
		    0, NULL);
		if (cur != NULL) {
			tags = e->tags_json ? json_loads(e->tags_json, 0,
			    NULL) : json_incref(json_object_get(cur, "tags"));
			buf_init(&tokens);
			project_tokens(&tokens,
			    project_merged(rq, cur, "title"),
			    project_merged(rq, cur, "summary"),
			    project_merged(rq, cur, "body"), tags);
			e->tokens = buf_release(&tokens, NULL);
			json_decref(tags);
			json_decref(cur);
		}
		rq_params_reset(rq);
		rq_param_int(rq, project_id(rq));
		rq_param_int(rq, rq->me.id);
		rq_param_str(rq, rq_field(rq, "title", NULL));
		rq_param_str(rq, rq_field(rq, "summary", NULL));
		rq_param_str(rq, rq_field(rq, "body", NULL));
		rq_param_str(rq, e->body_html);
		rq_param_str(rq, e->tags_json);
		rq_param_str(rq, rq_field(rq, "license", NULL));
		rq_param_str(rq, rq_field(rq, "status", NULL));
		rq_param_str(rq, e->tokens);
		(void)rq_use_stmt(rq, "project_update");
		rq->step = PROJECT_ST_UPDATE;
		return (RQ_AGAIN);
	}
	project_url(rq, url, sizeof(url), "");
	return (reply_result(rq, 200, url));
}

/* ------------------------------------------------------------------ */
/* Delete, like, comments, team, build log                             */

static int
project_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

static int
project_delete_respond(struct rq *rq)
{
	return (reply_result(rq, 200, "/projects"));
}

static int
project_like_prepare(struct rq *rq)
{
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, "true");
	return (RQ_NEXT);
}

static int
project_unlike_prepare(struct rq *rq)
{
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, "false");
	return (RQ_NEXT);
}

static int
project_comment_prepare(struct rq *rq)
{
	char	*html;

	if (!project_markdown_field(rq, "body", 1, &html))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_own(rq, html);
	return (RQ_NEXT);
}

static int
project_member_add_prepare(struct rq *rq)
{
	const char	*name;

	if ((name = rq_text(rq, "username", 1, 1, 64, 0)) == NULL)
		return (rq_reply_invalid(rq));
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, name);
	return (RQ_NEXT);
}

static int
project_member_remove_prepare(struct rq *rq)
{
	const char	*p;

	p = strstr(rq->req->path, "/members/") + strlen("/members/");
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_own(rq, strndup(p, strcspn(p, "/")));
	return (RQ_NEXT);
}

static int
project_log_prepare(struct rq *rq)
{
	char	*html;

	(void)rq_text(rq, "title", 1, 1, 120, 0);
	if (!project_markdown_field(rq, "body", 0, &html) ||
	    rq_has_errors(rq)) {
		free(html);
		return (rq_reply_invalid(rq));
	}
	rq_param_int(rq, project_id(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, rq_field(rq, "title", NULL));
	rq_param_str(rq, rq_field(rq, "body", NULL));
	rq_param_own(rq, html != NULL ? html : strdup(""));
	return (RQ_NEXT);
}

/* 200 with the changed thing; browsers go back to the project. */
static int
project_written_respond(struct rq *rq)
{
	char	url[64];

	project_url(rq, url, sizeof(url), "");
	return (reply_result(rq, 200, url));
}

/* 201 with the new comment or log entry; browsers go to it. */
static int
project_created_respond(struct rq *rq)
{
	json_t		*doc, *thing;
	const char	*key;

	thing = NULL;
	doc = json_loadb(rq->res, rq->res_len, 0, NULL);
	json_object_foreach(doc, key, thing)
		break;
	reply_created(rq, rq->res, rq->res_len, json_string_value(
	    json_object_get(thing, "url")));
	json_decref(doc);
	return (RQ_DONE);
}

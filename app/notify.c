/*
 * notify.c: GET /notifications and POST /notifications/read.
 *
 * Features write rows (type, actor, url, data); the text people read is
 * made here from the catalog ("notify.<type>", with {actor}, {project},
 * {title}, {topic}), so it is always in the reader's language.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jparse.h"
#include "text.h"

int	page_notifications(struct http_request *);
int	page_notifications_read(struct http_request *);

static int	notify_list_prepare(struct rq *);
static int	notify_list_respond(struct rq *);
static int	notify_read_prepare(struct rq *);
static int	notify_read_respond(struct rq *);
static void	notify_text(struct rq *, json_t *);
static const char *notify_data_text(json_t *, const char *);
static const char *notify_title(const struct rq *, json_t *);

static const struct page list_page = {
	.name = "notifications", .access = ACCESS_USER,
	.tmpl = "notify_list", .stmt = "notifications_page",
	.prepare = notify_list_prepare, .respond = notify_list_respond,
};
static const struct page read_post = {
	.name = "notifications_read", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.stmt = "notifications_read",
	.prepare = notify_read_prepare, .respond = notify_read_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const notify_pages[] = {
	&list_page, &read_post, NULL
};

int
page_notifications(struct http_request *req)
{
	return (rq_run(req, &list_page));
}

int
page_notifications_read(struct http_request *req)
{
	return (rq_run(req, &read_post));
}

static int
notify_list_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

static const char *
notify_data_text(json_t *data, const char *key)
{
	const char	*s;

	s = json_string_value(json_object_get(data, key));
	return (s != NULL ? s : "");
}

/*
 * The data's "title" in the reader's language: "title_en" when the
 * reader reads English and it is not empty (competitions give both,
 * migrations/0022_comp_notify.sql).
 */
static const char *
notify_title(const struct rq *rq, json_t *data)
{
	const char	*en;

	en = notify_data_text(data, "title_en");
	if (*en != '\0' && strncmp(rq->locale, "en", 2) == 0)
		return (en);
	return (notify_data_text(data, "title"));
}

/* Add "text" to one notification, from its type and data. */
static void
notify_text(struct rq *rq, json_t *n)
{
	struct buf	 a, b, c, d;
	const char	*type, *tmpl, *actor;
	char		 key[96];
	json_t		*data;

	type = json_string_value(json_object_get(n, "type"));
	(void)snprintf(key, sizeof(key), "notify.%s", type ? type : "");
	if ((tmpl = render_text(rq->locale, key)) == NULL)
		tmpl = render_text(rq->locale, "notify.other");
	data = json_object_get(n, "data");
	actor = json_string_value(json_object_get(json_object_get(n, "actor"),
	    "display_name"));

	buf_init(&a);
	buf_init(&b);
	buf_init(&c);
	buf_init(&d);
	text_subst(&a, tmpl ? tmpl : "", "actor", actor ? actor : "");
	text_subst(&b, a.data, "project", notify_data_text(data, "project"));
	text_subst(&c, b.data, "title", notify_title(rq, data));
	text_subst(&d, c.data, "topic", notify_data_text(data, "topic"));
	json_object_set_new(n, "text", json_string(d.data));
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	buf_free(&d);
}

static int
notify_list_respond(struct rq *rq)
{
	json_t	*doc, *n;
	size_t	 i;

	doc = jparse(rq->res, rq->res_len);
	json_array_foreach(json_object_get(doc, "notifications"), i, n)
		notify_text(rq, n);
	if (rq->json)
		reply_json(rq, 200, doc);
	else
		(void)reply_page(rq, 200, "notify_list", doc);
	json_decref(doc);
	return (RQ_DONE);
}

/* ids: repeated field or JSON array; none means all. */
static int
notify_read_prepare(struct rq *rq)
{
	const struct form_field	*f;
	json_t			*ids;
	char			*end;
	size_t			 i, n;
	long long		 v;

	rq_param_int(rq, rq->me.id);
	if ((n = form_count(&rq->body, "ids")) == 0) {
		rq_param_null(rq);
		return (RQ_NEXT);
	}
	ids = json_array();
	for (i = 0; i < n; i++) {
		f = form_get_nth(&rq->body, "ids", i);
		if (f->len == 0)
			continue;
		v = strtoll(f->value, &end, 10);
		if (*end != '\0' || v <= 0) {
			reply_field_error(rq, "ids", "errors.field.bad_text");
			json_decref(ids);
			return (rq_reply_invalid(rq));
		}
		json_array_append_new(ids, json_integer(v));
	}
	rq_param_own(rq, json_dumps(ids, JSON_COMPACT));
	json_decref(ids);
	return (RQ_NEXT);
}

static int
notify_read_respond(struct rq *rq)
{
	return (reply_result(rq, 200, "/notifications"));
}

/*
 * preview.c: POST /preview renders Markdown exactly as saving would, for
 * the live preview of every editor (docs/architecture.md#markdown).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "md.h"

int	page_preview(struct http_request *);

static int	preview_prepare(struct rq *);

static const struct page preview_post = {
	.name = "preview", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_NO_STMT |
	    PAGE_SUSPENDED_OK,
	.prepare = preview_prepare,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const preview_pages[] = {
	&preview_post, NULL
};

int
page_preview(struct http_request *req)
{
	return (rq_run(req, &preview_post));
}

/* {"html": "..."}: the one Markdown pipeline, nothing stored. */
static int
preview_prepare(struct rq *rq)
{
	struct md_result	 md;
	const char		*body;
	size_t			 len;
	json_t			*doc;

	if ((body = rq_field(rq, "body", &len)) == NULL) {
		body = "";
		len = 0;
	}
	if (len > MD_MAX_INPUT) {
		reply_field_error(rq, "body", "errors.too_large");
		reply_error(rq, 413, "too_large", "errors.too_large");
		return (RQ_DONE);
	}
	if (md_render(body, len, &md) != 0) {
		reply_error(rq, 413, "too_large", "errors.too_large");
		return (RQ_DONE);
	}
	doc = json_object();
	json_object_set_new(doc, "html", json_stringn(md.html, md.html_len));
	md_result_free(&md);
	reply_json(rq, 200, doc);
	json_decref(doc);
	return (RQ_DONE);
}

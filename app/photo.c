/*
 * photo.c: project photos and GET /media (docs/architecture.md#images).
 *
 * An upload is checked in this order, cheapest first: the body's size
 * (413, rq.c, before it is parsed), may this user add photos here, which
 * also counts the attempt against the user's uploads per hour (one
 * statement; 429 over the limit, whatever becomes of the upload), the
 * photo's size (413), type by its bytes (415), dimensions from the
 * header (422 over 40 megapixels) and the memory decoding would need
 * (422 over IMG_MAX_MEMORY), all before anything is decoded; then
 * decoding, orientation, scaling and re-encoding in the job thread
 * (img.c, jobs.c; 503 when its queue is full), then one statement stores
 * both variants content-addressed in PostgreSQL.  The event loop never
 * decodes.
 *
 * /media/{sha256}.{jpg|png} serves them from PostgreSQL in one round
 * trip.  The name is the hash of the bytes, so a matching If-None-Match
 * is answered 304 without asking the database at all.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "img.h"

int	page_project_photos(struct http_request *);
int	page_project_photo(struct http_request *);
int	page_project_photo_delete(struct http_request *);
int	page_project_cover(struct http_request *);
int	page_media(struct http_request *);
int	page_uploads(struct http_request *);

/* The upload's bytes (borrowed from rq->body) and what img.c made. */
struct photo_job {
	const unsigned char	*data;
	size_t			 len;
	enum img_error		 err;
	struct img_result	 res;
};

/*
 * Each worker keeps the bytes of recently served small images (thumbnails
 * mostly): names are content hashes, so bytes never go stale, and the
 * statement then checks only the permission (docs/performance.md#kept-pages).
 * Direct-mapped; a collision replaces.
 */
#define MEDIA_SLOTS		2048
#define MEDIA_ENTRY_MAX		(128 * 1024)
#define MEDIA_BUDGET		(32 * 1024 * 1024)
/*
 * rq->step of GET /media: first what this worker's slot allows, then
 * media_get with the viewer; PHOTO_ST_MEDIA_PUBLIC when media_public was
 * asked (the bytes are held here).
 */
enum {
	PHOTO_ST_MEDIA_FIRST = 0,	/* nothing asked yet */
	PHOTO_ST_MEDIA_VIEWER,		/* media_get with the viewer */
	PHOTO_ST_MEDIA_PUBLIC		/* media_public */
};

/* rq->step of uploads: counted, decoding in the job thread, stored. */
enum {
	PHOTO_ST_COUNTED = 0,	/* project_photo_check, upload_allowed */
	PHOTO_ST_DECODING,	/* the job thread decodes */
	PHOTO_ST_STORED		/* project_photo_add, upload_add */
};

struct media_entry {
	char		 name[72];	/* "<sha256>.<ext>" */
	void		*bytes;		/* malloc()ed; the cache's */
	size_t		 len;
};

static struct media_entry	media_cache[MEDIA_SLOTS];
static size_t			media_cached_bytes;

static struct media_entry *photo_media_slot(const char *, int *);
static void	photo_media_keep(struct media_entry *, const char *,
		    const void *, size_t);
static int	photo_upload_prepare(struct rq *);
static int	photo_board_upload_prepare(struct rq *);
static void	photo_upload_store_params(struct rq *, struct img_result *);
static int	photo_upload_respond(struct rq *);
static int	photo_upload_check(struct rq *);
static int	photo_upload_refuse(struct rq *, enum img_error);
static int	photo_task(void *);
static void	photo_job_free(void *);
static int	photo_update_prepare(struct rq *);
static int	photo_delete_prepare(struct rq *);
static int	photo_cover_prepare(struct rq *);
static int	photo_back_respond(struct rq *);
static int	photo_media_prepare(struct rq *);
static int	photo_media_respond(struct rq *);

static const struct page upload_post = {
	.name = "photo_upload", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "project_photo_check", .prepare = photo_upload_prepare,
	.respond = photo_upload_respond, .body_max = RQ_BODY_UPLOAD,
};
static const struct page board_upload_post = {
	.name = "board_upload", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE, .stmt = "upload_allowed",
	.prepare = photo_board_upload_prepare, .respond = photo_upload_respond,
	.body_max = RQ_BODY_UPLOAD,
};
static const struct page update_post = {
	.name = "photo_update", .access = ACCESS_VERIFIED, .flags = PAGE_WRITE,
	.stmt = "project_photo_update", .prepare = photo_update_prepare,
	.respond = photo_back_respond,
};
static const struct page delete_post = {
	.name = "photo_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT,
	.stmt = "project_photo_delete", .prepare = photo_delete_prepare,
	.respond = photo_back_respond,
};
static const struct page cover_post = {
	.name = "project_cover", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE,
	.stmt = "project_cover_set", .prepare = photo_cover_prepare,
	.respond = photo_back_respond,
};
static const struct page media_page = {
	.name = "media", .access = ACCESS_ANYONE, .stmt = "media_get",
	.prepare = photo_media_prepare, .respond = photo_media_respond,
};

/* This file's pages, for the start-up check (app/init.c). */
const struct page *const photo_pages[] = {
	&upload_post, &board_upload_post, &update_post, &delete_post,
	&cover_post, &media_page, NULL
};

int
page_project_photos(struct http_request *req)
{
	return (rq_run(req, &upload_post));
}

/* POST /uploads: a photo for a post (docs/api.md#post-uploads). */
int
page_uploads(struct http_request *req)
{
	return (rq_run(req, &board_upload_post));
}

int
page_project_photo(struct http_request *req)
{
	return (rq_run(req, &update_post));
}

int
page_project_photo_delete(struct http_request *req)
{
	return (rq_run(req, &delete_post));
}

int
page_project_cover(struct http_request *req)
{
	return (rq_run(req, &cover_post));
}

int
page_media(struct http_request *req)
{
	return (rq_run(req, &media_page));
}

static void
photo_job_free(void *p)
{
	struct photo_job	*job = p;

	img_result_free(&job->res);
}

/* Job thread: everything about pixels happens here. */
static int
photo_task(void *arg)
{
	struct photo_job	*job = arg;

	job->err = img_process(job->data, job->len, &job->res);
	return (job->err == IMG_OK);
}

/* 415 for what is not an image we take, 422 for the rest, 413 size. */
static int
photo_upload_refuse(struct rq *rq, enum img_error err)
{
	switch (err) {
	case IMG_EUNSUPPORTED:
		reply_field_error(rq, "photo", "errors.image_type");
		reply_error(rq, 415, "unsupported_type",
		    "errors.unsupported_type");
		break;
	case IMG_ETOOBIG:
		reply_field_error(rq, "photo", "errors.image_pixels");
		reply_error(rq, 422, "invalid", "errors.invalid");
		break;
	case IMG_EMEMORY:
		reply_field_error(rq, "photo", "errors.image_memory");
		reply_error(rq, 422, "invalid", "errors.invalid");
		break;
	case IMG_ENOMEM:
		reply_error(rq, 503, "unavailable", "errors.unavailable");
		break;
	default:
		reply_field_error(rq, "photo", err == IMG_EEMPTY ?
		    "errors.image_empty" : "errors.image_corrupt");
		reply_error(rq, 422, "invalid", "errors.invalid");
		break;
	}
	return (RQ_DONE);
}

/*
 * The statement that stores what img.c made: a project photo, or a board
 * upload.
 */
static void
photo_upload_store_params(struct rq *rq, struct img_result *r)
{
	const char	*caption;
	int		 board;

	board = rq->page == &board_upload_post;
	rq_params_reset(rq);
	if (!board)
		rq_param_int(rq, rq_path_id(rq, "/projects/"));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, r->thumb.sha256);
	rq_param_str(rq, r->thumb.mime);
	rq_param_int(rq, r->thumb.w);
	rq_param_int(rq, r->thumb.h);
	rq_param_bin(rq, r->thumb.data, r->thumb.len);
	rq_param_str(rq, r->display.sha256);
	rq_param_str(rq, r->display.mime);
	rq_param_int(rq, r->display.w);
	rq_param_int(rq, r->display.h);
	rq_param_bin(rq, r->display.data, r->display.len);
	rq_param_int(rq, r->w);
	rq_param_int(rq, r->h);
	if (board) {
		(void)rq_use_stmt(rq, "upload_add");
		return;
	}
	caption = rq_field(rq, "caption", NULL);
	rq_param_str(rq, caption != NULL ? caption : "");
	(void)rq_use_stmt(rq, "project_photo_add");
}

static int
photo_board_upload_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

static int
photo_upload_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/projects/"));
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

/*
 * Then the cheap checks, before any decoding: size, type, dimensions,
 * the memory decoding would need.
 */
static int
photo_upload_check(struct rq *rq)
{
	const struct form_field	*f;
	struct photo_job	*job;
	enum img_type		 type;
	enum img_error		 err;
	unsigned		 w, h;

	if ((f = form_get(&rq->body, "photo")) == NULL) {
		reply_field_error(rq, "photo", "errors.field.required");
		return (rq_reply_invalid(rq));
	}
	if (f->len > IMG_MAX_BYTES) {
		reply_field_error(rq, "photo", "errors.image_bytes");
		reply_error(rq, 413, "too_large", "errors.too_large");
		return (RQ_DONE);
	}
	if ((err = img_check(f->value, f->len, &type, &w, &h)) != IMG_OK)
		return (photo_upload_refuse(rq, err));
	(void)rq_text(rq, "caption", 0, 0, 200, 0);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));

	(void)rq_state_new(rq, sizeof(*job), photo_job_free);
	job = rq->extra;
	job->data = (const unsigned char *)f->value;
	job->len = f->len;
	rq->step = PHOTO_ST_DECODING;
	if (!rq_task_start(rq, photo_task, job, f->len, RQ_TASK_BIG))
		return (RQ_DONE);	/* 503: the queue is full */
	return (RQ_RETRY);
}

static int
photo_upload_respond(struct rq *rq)
{
	struct photo_job	*job = rq->extra;
	struct img_result	*r;
	int			 wait;

	switch (rq->step) {
	case PHOTO_ST_COUNTED:	/* allowed, and the attempt counted */
		if (rq->res_col2 != NULL &&
		    (wait = atoi(rq->res_col2)) > 0) {
			reply_rate_limited(rq, wait);
			return (RQ_DONE);
		}
		return (photo_upload_check(rq));
	case PHOTO_ST_DECODING:	/* decoded in the job thread */
		job = rq->extra;
		r = &job->res;
		if (!rq_task_done(rq))
			return (RQ_RETRY);
		if (job->err != IMG_OK)
			return (photo_upload_refuse(rq, job->err));
		photo_upload_store_params(rq, r);
		rq->step = PHOTO_ST_STORED;
		return (RQ_AGAIN);
	default:
		return (photo_back_respond(rq));
	}
}

static int
photo_update_prepare(struct rq *rq)
{
	const char	*caption, *pos;
	char		*end;
	long		 n;

	caption = rq_text(rq, "caption", 0, 0, 200, 0);
	if ((pos = rq_field(rq, "position", NULL)) != NULL && *pos != '\0') {
		n = strtol(pos, &end, 10);
		if (*end != '\0' || n < 0 || n > 10000)
			reply_field_error(rq, "position",
			    "errors.field.bad_text");
	} else {
		pos = NULL;
	}
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq_path_id(rq, "/projects/"));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/photos/"));
	rq_param_str(rq, caption);
	rq_param_str(rq, pos);
	return (RQ_NEXT);
}

static int
photo_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, rq_path_id(rq, "/projects/"));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/photos/"));
	return (RQ_NEXT);
}

static int
photo_cover_prepare(struct rq *rq)
{
	const char	*v;
	char		*end;
	long long	 id;

	v = rq_field(rq, "photo_id", NULL);
	id = v != NULL ? strtoll(v, &end, 10) : 0;
	if (v == NULL || *end != '\0' || id <= 0) {
		reply_field_error(rq, "photo_id", "errors.field.required");
		return (rq_reply_invalid(rq));
	}
	rq_param_int(rq, rq_path_id(rq, "/projects/"));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, id);
	return (RQ_NEXT);
}

/* 200/201 with the result; browsers go back to the project's editor. */
static int
photo_back_respond(struct rq *rq)
{
	char	url[80];

	if (rq->page == &board_upload_post) {
		reply_json_text(rq, 201, rq->res, rq->res_len);
		return (RQ_DONE);
	}
	(void)snprintf(url, sizeof(url), "/projects/%lld/edit",
	    (long long)rq_path_id(rq, "/projects/"));
	return (reply_result(rq, rq->page == &upload_post ? 201 : 200, url));
}

/* ------------------------------------------------------------------ */
/* GET /media/{sha256}.{jpg|png}                                       */

/*
 * The slot of media name in this worker's cache; *held when it holds
 * exactly those bytes.
 */
static struct media_entry *
photo_media_slot(const char *name, int *held)
{
	struct media_entry	*e;
	u_int64_t		 h;
	size_t			 i;

	h = 1469598103934665603ULL;
	for (i = 0; name[i] != '\0'; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	e = &media_cache[h % MEDIA_SLOTS];
	*held = e->bytes != NULL && !strcmp(e->name, name);
	return (e);
}

/* Keeps a copy of small bytes under name, within the worker's budget. */
static void
photo_media_keep(struct media_entry *e, const char *name, const void *bytes,
    size_t len)
{
	if (len > MEDIA_ENTRY_MAX)
		return;
	media_cached_bytes -= e->len;
	free(e->bytes);
	e->bytes = NULL;
	e->len = 0;
	if (media_cached_bytes + len > MEDIA_BUDGET ||
	    (e->bytes = malloc(len)) == NULL)
		return;
	memcpy(e->bytes, bytes, len);
	e->len = len;
	media_cached_bytes += len;
	(void)snprintf(e->name, sizeof(e->name), "%s", name);
}

static int
photo_media_prepare(struct rq *rq)
{
	const char	*name, *inm;
	char		 etag[72];
	int		 held;

	name = rq->req->path + strlen("/media/");
	(void)snprintf(etag, sizeof(etag), "\"%.64s\"", name);
	if (http_request_header(rq->req, "if-none-match", &inm) &&
	    !strcmp(inm, etag)) {
		/* Content-addressed: the same name is the same bytes. */
		http_response_header(rq->req, "etag", etag);
		reply_send(rq, 304, NULL, NULL, 0);
		return (RQ_DONE);
	}
	(void)photo_media_slot(name, &held);
	rq_param_own(rq, strndup(name, 64));
	rq_param_str(rq, !strcmp(name + 64, ".png") ? "image/png" :
	    "image/jpeg");
	if (held && rq->step == PHOTO_ST_MEDIA_FIRST) {
		/* Held here: is it public?  Usually the only question. */
		rq->step = PHOTO_ST_MEDIA_PUBLIC;
		(void)rq_use_stmt(rq, "media_public");
		return (RQ_NEXT);
	}
	(void)rq_use_stmt(rq, "media_get");
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
	rq_param_str(rq, held && rq->step == PHOTO_ST_MEDIA_FIRST ? "true" :
	    "false");
	rq->binary_result = 1;
	return (RQ_NEXT);
}

/*
 * When this worker holds the bytes, media_public (one index lookup) is
 * asked first and settles public images; private ones are asked again
 * with the viewer.  Empty bytes from media_get mean it only checked the
 * permission because this worker held them.  If the slot changed hands
 * meanwhile, ask again for the bytes.
 */
static int
photo_media_respond(struct rq *rq)
{
	struct media_entry	*e;
	const char		*name;
	const void		*bytes;
	char			 etag[72];
	size_t			 len;
	int			 public, held, asked_public;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	name = rq->req->path + strlen("/media/");
	e = photo_media_slot(name, &held);
	asked_public = rq->step == PHOTO_ST_MEDIA_PUBLIC;
	if (asked_public) {
		public = rq->res != NULL && !strcmp(rq->res, "public");
		free(rq->res);
		rq->res = NULL;
		rq->res_len = 0;
	} else {
		public = rq->res_col2 != NULL &&
		    !strcmp(rq->res_col2, "public");
	}
	if ((asked_public && !public) || (rq->res_len == 0 && !held)) {
		/* Private (ask with the viewer), or the slot changed hands. */
		rq_params_reset(rq);
		rq->step = PHOTO_ST_MEDIA_VIEWER;
		return (photo_media_prepare(rq) == RQ_NEXT ? RQ_AGAIN :
		    RQ_DONE);
	}
	if (rq->res_len > 0) {
		photo_media_keep(e, name, rq->res, rq->res_len);
		bytes = rq->res;
		len = rq->res_len;
	} else {
		bytes = e->bytes;
		len = e->len;
	}
	(void)snprintf(etag, sizeof(etag), "\"%.64s\"", name);
	http_response_header(rq->req, "etag", etag);
	http_response_header(rq->req, "cache-control", public ?
	    "public, max-age=31536000, immutable" :
	    "private, max-age=3600");
	reply_send(rq, 200, !strcmp(name + 64, ".png") ? "image/png" :
	    "image/jpeg", bytes, len);
	return (RQ_DONE);
}

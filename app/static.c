/*
 * static.c: the site's own CSS, JavaScript and icons, self-hosted.
 *
 * Kore's filemap sends no ETag, no Cache-Control and no charset, so the
 * files of assets/static are read once in the parent, hashed, and served
 * from memory.  Templates link them as /static/<name>?v=<hash> (the
 * `static` object of the site context), which is cached for a year as
 * immutable; any other request for the file revalidates with its ETag.
 * A changed file gets a new hash, so browsers never run stale code.
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

#define STATIC_MAX	64

struct static_file {
	char		*name;		/* "app.css" */
	char		*key;		/* "app_css", for templates */
	char		*url;		/* "/static/app.css?v=..." */
	char		 etag[24];	/* "\"0123456789abcdef\"" */
	const char	*ctype;
	u_int8_t	*data;
	size_t		 len;
};

static const char	*static_type(const char *);
static void		 static_add(const char *, const char *);

static struct static_file	files[STATIC_MAX];
static int			nfiles;

void
static_load(const char *assets)
{
	DIR		*d;
	struct dirent	*e;
	char		 dir[1024];

	(void)snprintf(dir, sizeof(dir), "%s/static", assets);
	if ((d = opendir(dir)) == NULL)
		fatal("cannot open %s: %s", dir, errno_s);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || static_type(e->d_name) == NULL)
			continue;
		static_add(dir, e->d_name);
	}
	closedir(d);
}

static void
static_add(const char *dir, const char *name)
{
	struct static_file	*f;
	FILE			*fp;
	struct buf		 b;
	char			 path[1024], chunk[8192], *p;
	unsigned char		 hash[8];
	size_t			 n, i;

	if (nfiles >= STATIC_MAX)
		fatal("too many static files");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		fatal("path too long: %s", name);
	if ((fp = fopen(path, "r")) == NULL)
		fatal("cannot open %s: %s", path, errno_s);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);

	f = &files[nfiles++];
	f->name = kore_strdup(name);
	f->key = kore_strdup(name);
	for (p = f->key; *p != '\0'; p++) {
		if (*p == '.' || *p == '-')
			*p = '_';
	}
	f->ctype = static_type(name);
	f->len = b.len;
	f->data = (u_int8_t *)buf_release(&b, NULL);

	crypto_generichash(hash, sizeof(hash), f->data, f->len, NULL, 0);
	f->etag[0] = '"';
	for (i = 0; i < sizeof(hash); i++)
		(void)snprintf(f->etag + 1 + i * 2, 3, "%02x", hash[i]);
	f->etag[17] = '"';
	f->etag[18] = '\0';
	if (asprintf(&f->url, "/static/%s?v=%.16s", name, f->etag + 1) == -1)
		fatal("static_add: out of memory");
}

static const char *
static_type(const char *name)
{
	const char	*ext;

	if ((ext = strrchr(name, '.')) == NULL)
		return (NULL);
	if (!strcmp(ext, ".css"))
		return ("text/css; charset=utf-8");
	if (!strcmp(ext, ".js"))
		return ("text/javascript; charset=utf-8");
	if (!strcmp(ext, ".svg"))
		return ("image/svg+xml");
	if (!strcmp(ext, ".png"))
		return ("image/png");
	if (!strcmp(ext, ".ico"))
		return ("image/x-icon");
	if (!strcmp(ext, ".webmanifest"))
		return ("application/manifest+json");
	if (!strcmp(ext, ".txt"))
		return ("text/plain; charset=utf-8");
	return (NULL);
}

/* {"app_css": "/static/app.css?v=...", ...}: a new reference. */
json_t *
static_urls(void)
{
	json_t	*o;
	int	 i;

	o = json_object();
	for (i = 0; i < nfiles; i++)
		json_object_set_new(o, files[i].key, json_string(files[i].url));
	return (o);
}

static int
static_serve(struct http_request *req, const char *name)
{
	struct static_file	*f;
	const char		*inm, *qs;
	int			 i;

	/* Files are read, never written: GET and HEAD only. */
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		http_response_header(req, "allow", "GET, HEAD");
		reply_raw_error(req, 405, "Method Not Allowed\n");
		return (KORE_RESULT_OK);
	}
	f = NULL;
	for (i = 0; i < nfiles; i++) {
		if (!strcmp(files[i].name, name)) {
			f = &files[i];
			break;
		}
	}
	if (f == NULL) {
		reply_raw_error(req, 404, "Not Found\n");
		return (KORE_RESULT_OK);
	}

	reply_security_headers(req);
	http_response_header(req, "etag", f->etag);
	qs = req->query_string;
	if (qs != NULL && !strncmp(qs, "v=", 2) &&
	    !strncmp(qs + 2, f->etag + 1, 16)) {
		http_response_header(req, "cache-control",
		    "public, max-age=31536000, immutable");
	} else {
		http_response_header(req, "cache-control",
		    "public, max-age=0, must-revalidate");
	}

	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, f->etag)) {
		http_response(req, 304, NULL, 0);
		metrics_record(req, 304, 0);
		return (KORE_RESULT_OK);
	}
	http_response_header(req, "content-type", f->ctype);
	http_response(req, 200, f->data, f->len);
	metrics_record(req, 200, 0);
	return (KORE_RESULT_OK);
}

int	page_static(struct http_request *);
int	page_favicon(struct http_request *);

int
page_static(struct http_request *req)
{
	return (static_serve(req, req->path + strlen("/static/")));
}

int
page_favicon(struct http_request *req)
{
	return (static_serve(req, "icon.svg"));
}

/*
 * render.c: templates and message catalogs, loaded once in the parent
 * before the workers fork, and the context every page renders with.
 *
 * A page template sees, from the top of the stack down:
 *	the statement's JSON document (the page's data, as in the API),
 *	the request: me (the viewer, with its csrf_token), pre_csrf (a
 *	visitor's token for the login, sign-up and reset forms, once
 *	guard_pre_csrf() made or found it), lang, path,
 *	the site: t (the catalog of the request's language), static (asset
 *	URLs with content hashes), langs (for the switcher).
 * Templates include {{> layout_head}} and {{> layout_foot}}.
 *
 * Start-up refuses templates that fail to parse (tmpl.c's safety rules)
 * and templates that use a t.* key missing from the English catalog.
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "tmpl.h"

static void	render_load_templates(const char *);
static void	render_check_key(const char *, const char *, void *);
static json_t	*render_site_context(const char *);
static json_t	*render_request_context(struct rq *);

static struct tmpl_set		*templates;
static struct i18n_catalogs	*catalogs;
static json_t			*site_ctx[8];	/* per locale */
static int			 missing_keys;

void
render_load(const char *assets)
{
	char		path[1024], err[512];
	size_t		i;

	(void)snprintf(path, sizeof(path), "%s/i18n", assets);
	if ((catalogs = i18n_load(path, err, sizeof(err))) == NULL)
		fatal("i18n: %s", err);

	(void)snprintf(path, sizeof(path), "%s/templates", assets);
	render_load_templates(path);
	if (tmpl_set_link(templates, err, sizeof(err)) != 0)
		fatal("templates: %s", err);

	tmpl_set_foreach_name(templates, render_check_key, NULL);
	if (missing_keys > 0)
		fatal("templates use %d catalog keys missing from en.json",
		    missing_keys);

	for (i = 0; i < i18n_nlocales && i < 8; i++)
		site_ctx[i] = render_site_context(i18n_locales[i]);
}

static void
render_load_templates(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	struct buf	 src;
	FILE		*fp;
	char		 path[1024], name[256], err[512], chunk[4096];
	size_t		 len, n;

	templates = tmpl_set_new();
	if ((d = opendir(dir)) == NULL)
		fatal("cannot open %s: %s", dir, errno_s);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".html") ||
		    len - 5 >= sizeof(name))
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    e->d_name) >= sizeof(path))
			fatal("path too long: %s", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			fatal("cannot open %s: %s", path, errno_s);
		buf_init(&src);
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			buf_append(&src, chunk, n);
		fclose(fp);

		if (tmpl_set_add(templates, name, src.data ? src.data : "",
		    src.len, err, sizeof(err)) != 0)
			fatal("template %s", err);
		buf_free(&src);
	}
	closedir(d);
}

static void
render_check_key(const char *name, const char *tmpl, void *arg)
{
	if (strncmp(name, "t.", 2) != 0)
		return;
	if (!i18n_has_key(catalogs, name + 2)) {
		kore_log(LOG_ERR, "template %s: %s is not in en.json", tmpl,
		    name);
		missing_keys++;
	}
}

/* What every page of one language shares; built once at start-up. */
static json_t *
render_site_context(const char *locale)
{
	json_t		*ctx, *langs, *l;
	size_t		 i;

	ctx = json_object();
	json_object_set(ctx, "t", i18n_catalog(catalogs, locale));
	json_object_set_new(ctx, "lang", json_string(locale));
	json_object_set_new(ctx, "static", static_urls());

	langs = json_array();
	for (i = 0; i < i18n_nlocales; i++) {
		l = json_object();
		json_object_set_new(l, "code", json_string(i18n_locales[i]));
		json_object_set_new(l, "name", json_string(i18n_get(catalogs,
		    i18n_locales[i], "lang.self")));
		json_object_set_new(l, "current",
		    json_boolean(!strcmp(i18n_locales[i], locale)));
		json_array_append_new(langs, l);
	}
	json_object_set_new(ctx, "langs", langs);
	return (ctx);
}

static json_t *
render_request_context(struct rq *rq)
{
	json_t		*ctx, *me;

	ctx = json_object();
	json_object_set_new(ctx, "path", json_string(rq->req->path));
	if (rq->pre_csrf[0] != '\0')
		json_object_set_new(ctx, "pre_csrf",
		    json_string(rq->pre_csrf));
	if (rq->me.id != 0) {
		me = json_object();
		json_object_set_new(me, "id", json_integer(rq->me.id));
		json_object_set_new(me, "username",
		    json_string(rq->me.username));
		json_object_set_new(me, "role", json_string(rq->me.role));
		json_object_set_new(me, "verified",
		    json_boolean(rq->me.verified));
		json_object_set_new(me, "staff",
		    json_boolean(guard_is_staff(&rq->me)));
		json_object_set_new(me, "display_name",
		    json_string(rq->me.display_name));
		json_object_set_new(me, "csrf_token",
		    json_string(rq->me.csrf));
		json_object_set_new(me, "unread", json_integer(rq->me.unread));
		json_object_set_new(ctx, "me", me);
	}
	return (ctx);
}

/* Render template tmpl with doc for rq's language into out. */
int
render_html(struct rq *rq, const char *tmpl, json_t *doc, struct buf *out)
{
	json_t		*stack[3], *reqctx;
	int		 r;

	stack[0] = site_ctx[render_locale_index(rq->locale)];
	reqctx = render_request_context(rq);
	stack[1] = reqctx;
	stack[2] = doc;
	r = tmpl_render(templates, tmpl, stack, 3, out);
	json_decref(reqctx);
	return (r == 0);
}

/* The place of a locale in i18n_locales (0, the default, if unknown). */
int
render_locale_index(const char *locale)
{
	size_t	i;

	for (i = 0; i < i18n_nlocales && i < 8; i++) {
		if (!strcmp(i18n_locales[i], locale))
			return ((int)i);
	}
	return (0);
}

/* A catalog string (borrowed), English if the locale lacks it. */
const char *
render_text(const char *locale, const char *key)
{
	if (catalogs == NULL || key == NULL)
		return (NULL);
	return (i18n_get(catalogs, locale, key));
}

/*
 * The catalog text of prefix.<code> in locale (borrowed), for codes kept
 * as data that people must see in their own words (roles, licences).
 * The code is lower-cased, with '-' and '.' made '_', so "CC-BY-4.0" is
 * project.licenses.cc_by_4_0.  Without such an entry, or for a code of
 * other characters, the code itself (borrowed from the caller).
 */
const char *
render_label(const char *locale, const char *prefix, const char *code)
{
	const char	*s;
	char		 key[128];
	size_t		 off, i;
	int		 n;

	if (code == NULL)
		return ("");
	n = snprintf(key, sizeof(key), "%s.", prefix);
	if (n < 0 || (size_t)n >= sizeof(key))
		return (code);
	off = (size_t)n;
	for (i = 0; code[i] != '\0'; i++) {
		if (off + i + 1 >= sizeof(key))
			return (code);
		if (code[i] >= 'A' && code[i] <= 'Z')
			key[off + i] = code[i] - 'A' + 'a';
		else if (code[i] == '-' || code[i] == '.')
			key[off + i] = '_';
		else if ((code[i] >= 'a' && code[i] <= 'z') ||
		    (code[i] >= '0' && code[i] <= '9') || code[i] == '_')
			key[off + i] = code[i];
		else
			return (code);
	}
	key[off + i] = '\0';
	if (i == 0 || (s = render_text(locale, key)) == NULL)
		return (code);
	return (s);
}

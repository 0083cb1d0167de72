/*
 * render.c: templates and message catalogs, loaded once in the parent
 * before the workers fork, and the context every page renders with.
 *
 * A page template sees, from the top of the stack down:
 *	the statement's JSON document (the page's data, as in the API),
 *	the request: me (the viewer, with its csrf_token and avatar),
 *	pre_csrf (a visitor's token for the login, sign-up and reset
 *	forms, once guard_pre_csrf() made or found it), lang, path,
 *	section (the part of the site the path is in, for the header's
 *	aria-current: {"board": true}),
 *	the site: t (the catalog of the request's language), static (asset
 *	URLs with content hashes, handed to render_load()), langs (for the
 *	switcher).
 * Templates include {{> layout_top}}, {{> layout_nav}} and
 * {{> layout_foot}}.
 *
 * Before it is rendered, the document gains what the templates show but
 * the API leaves to its clients (render_decorate): an "avatar" for every
 * user and a "<name>_text" for every time.
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
#include "avatar.h"
#include "i18n.h"
#include "tmpl.h"

/* How deep render_decorate() walks (statements nest a few levels). */
#define RENDER_DECORATE_DEPTH	16

static void	render_load_templates(const char *);
static void	render_check_key(const char *, const char *, void *);
static json_t	*render_site_context(const char *, json_t *);
static json_t	*render_request_context(struct rq *);
static json_t	*render_avatar(int64_t, const char *);
static const char *render_section(const char *);
static void	 render_decorate(json_t *, int);
static void	 render_decorate_object(json_t *);
static int	 render_time_start(const char *);

static struct tmpl_set		*templates;
static struct i18n_catalogs	*catalogs;
static json_t			*site_ctx[8];	/* per locale */
static int			 missing_keys;

/*
 * Catalogs and templates from assets; urls (borrowed: each
 * language's context takes a reference) is what templates see as
 * {{static.*}}, the assets' versioned URLs (app/static.c).
 */
void
render_load(const char *assets, json_t *urls)
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
		site_ctx[i] = render_site_context(i18n_locales[i], urls);
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
render_site_context(const char *locale, json_t *urls)
{
	json_t		*ctx, *langs, *l;
	size_t		 i;

	ctx = json_object();
	json_object_set(ctx, "t", i18n_catalog(catalogs, locale));
	json_object_set_new(ctx, "lang", json_string(locale));
	json_object_set(ctx, "static", urls);

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
	json_t		*ctx, *me, *sect;
	const char	*section;

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
		    json_boolean(rq->me.staff));
		json_object_set_new(me, "display_name",
		    json_string(rq->me.display_name));
		json_object_set_new(me, "csrf_token",
		    json_string(rq->me.csrf));
		json_object_set_new(me, "unread", json_integer(rq->me.unread));
		json_object_set_new(me, "avatar", render_avatar(rq->me.id,
		    rq->me.display_name));
		json_object_set_new(ctx, "me", me);
	}
	if ((section = render_section(rq->req->path)) != NULL) {
		sect = json_object();
		json_object_set_new(sect, section, json_true());
		json_object_set_new(ctx, "section", sect);
	}
	return (ctx);
}

/*
 * The part of the site a path belongs to, as the header names it (the
 * keys of its {{#section.x}} tests), or NULL.  A prefix without a
 * trailing '/' matches the whole segment only ("/board", not "/boards").
 */
static const char *
render_section(const char *path)
{
	static const struct {
		const char	*prefix;
		const char	*section;
	} sections[] = {
		{ "/projects", "projects" },
		{ "/board", "board" },
		{ "/c/", "board" },
		{ "/t/", "board" },
		{ "/topics", "board" },
		{ "/posts/", "board" },
		{ "/competitions", "competitions" },
		{ "/entries/", "competitions" },
		{ "/judging", "competitions" },
		{ "/mentors", "office_hours" },
		{ "/office-hours", "office_hours" },
		{ "/bookings/", "office_hours" },
		{ "/me/bookings", "office_hours" },
		{ "/mod/", "mod" },
		{ "/admin/", "admin" },
		{ "/search", "search" },
		{ "/notifications", "notifications" },
	};
	size_t		i, n;

	if (path == NULL)
		return (NULL);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		n = strlen(sections[i].prefix);
		if (strncmp(path, sections[i].prefix, n) != 0)
			continue;
		if (sections[i].prefix[n - 1] == '/' || path[n] == '\0' ||
		    path[n] == '/')
			return (sections[i].section);
	}
	return (NULL);
}

/* {"initials": "林", "tone": 3}: see app/avatar.c. */
static json_t *
render_avatar(int64_t id, const char *display_name)
{
	json_t		*a;
	char		 initials[AVATAR_INITIALS_MAX];

	(void)avatar_initials(display_name, initials, sizeof(initials));
	a = json_object();
	json_object_set_new(a, "initials", json_string(initials));
	json_object_set_new(a, "tone", json_integer(avatar_tone(id)));
	return (a);
}

/*
 * What the templates show that the statements leave out, added to doc in
 * place (again on a kept document: what is there already is kept):
 *  - "avatar" ({initials, tone}) on every user: an object with an integer
 *    "id" and string "username" and "display_name" (user_brief(), me);
 *  - "<name>_text" beside every time: a string member whose name ends
 *    in "_at" and whose value starts as RFC 3339 does
 *    ("2026-12-03T17:16:05+08:00" -> "2026-12-03 17:16", the site's
 *    time as the database wrote it).  Pages print it inside
 *    <time datetime> as the absolute time readers without script see;
 *    app.js turns it into a relative one.
 */
static void
render_decorate(json_t *v, int depth)
{
	size_t		 i;
	const char	*key;
	json_t		*m;

	if (depth > RENDER_DECORATE_DEPTH)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			render_decorate(m, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, m) {
		if (json_is_object(m) || json_is_array(m))
			render_decorate(m, depth + 1);
	}
	render_decorate_object(v);
}

/* Does s start as RFC 3339 does, "YYYY-MM-DDTHH:MM"? */
static int
render_time_start(const char *s)
{
	static const char	 form[] = "dddd-dd-ddTdd:dd";
	size_t			 i;

	for (i = 0; form[i] != '\0'; i++) {
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return (0);
	}
	return (1);
}

static void
render_decorate_object(json_t *o)
{
	json_t		*id, *name, *add, *m;
	const char	*key, *s;
	char		 text[17], tkey[128];
	size_t		 klen;

	add = json_object();
	id = json_object_get(o, "id");
	name = json_object_get(o, "display_name");
	if (json_is_integer(id) && json_is_string(name) &&
	    json_is_string(json_object_get(o, "username")) &&
	    json_object_get(o, "avatar") == NULL)
		json_object_set_new(add, "avatar", render_avatar(
		    json_integer_value(id), json_string_value(name)));

	/* Collected in add first: members are not added while iterating. */
	json_object_foreach(o, key, m) {
		klen = strlen(key);
		if (klen < 4 || strcmp(key + klen - 3, "_at") != 0 ||
		    !json_is_string(m) || (size_t)snprintf(tkey, sizeof(tkey),
		    "%s_text", key) >= sizeof(tkey) ||
		    json_object_get(o, tkey) != NULL)
			continue;
		s = json_string_value(m);
		if (!render_time_start(s))
			continue;
		memcpy(text, s, 16);
		text[10] = ' ';
		text[16] = '\0';
		json_object_set_new(add, tkey, json_string(text));
	}
	if (json_object_size(add) > 0)
		(void)json_object_update(o, add);
	json_decref(add);
}

/* Whether a template of that name was loaded (the start-up check). */
int
render_template_exists(const char *name)
{
	return (templates != NULL && tmpl_exists(templates, name));
}

/* Render template tmpl with doc for rq's language into out. */
int
render_html(struct rq *rq, const char *tmpl, json_t *doc, struct buf *out)
{
	json_t		*stack[3], *reqctx;
	int		 r;

	stack[0] = site_ctx[render_locale_index(rq->locale)];
	render_decorate(doc, 0);
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

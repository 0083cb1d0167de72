/*
 * i18n: locale negotiation and message catalogs.  See i18n.h for the
 * contract.
 *
 * Ownership: struct i18n_catalogs owns one merged json_t per locale
 * (released with json_decref() in i18n_free()).  While loading, each
 * parsed root is owned by the loader until it is moved into the catalogs
 * (en) or merged and json_decref()'d (the others).  Merged catalogs share
 * the immutable string values of the files they were built from.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem, strncasecmp without -D_GNU_SOURCE */
#endif

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "i18n.h"

#define I18N_NLOCALES	2
#define I18N_MAX_TAG	35	/* RFC 5646 section 4.4.1 */

struct i18n_catalogs {
	json_t	*cat[I18N_NLOCALES];	/* merged, owned */
};

const char *const	i18n_locales[I18N_NLOCALES] = { "zh-CN", "en" };
const size_t		i18n_nlocales = I18N_NLOCALES;

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	is_alpha(char);
static int	is_alnum(char);
static int	is_ows(char);
static int	locale_index(const char *);
static const char *al_item(const char *, size_t, int *);
static int	al_qvalue(const char *, size_t, int *);
static json_t	*load_json(const char *, const char *, const char *,
		    char *, size_t);
static struct i18n_catalogs *build(json_t **, const char *const *,
		    char *, size_t);
static int	check_obj(json_t *, json_t *, struct buf *, const char *,
		    const char *, char *, size_t);
static void	merge(json_t *, json_t *);
static const char *lookup(json_t *, const char *);

const char *
i18n_canonical(const char *tag)
{
	size_t		i, sub, plen;

	if (tag == NULL)
		return (NULL);

	/* Subtags of 1..8 ASCII letters or digits, '-' or '_' between. */
	sub = 0;
	plen = 0;
	for (i = 0; tag[i] != '\0'; i++) {
		if (i >= I18N_MAX_TAG)
			return (NULL);
		if (tag[i] == '-' || tag[i] == '_') {
			if (sub == 0)
				return (NULL);
			if (plen == 0)
				plen = i;
			sub = 0;
			continue;
		}
		if (!is_alnum(tag[i]) || ++sub > 8)
			return (NULL);
	}
	if (sub == 0)
		return (NULL);
	if (plen == 0)
		plen = i;

	if (plen != 2 || !is_alpha(tag[0]) || !is_alpha(tag[1]))
		return (NULL);
	/* All Chinese (incl. Traditional) reads zh-CN better than English. */
	if (strncasecmp(tag, "zh", 2) == 0)
		return (i18n_locales[0]);
	if (strncasecmp(tag, "en", 2) == 0)
		return (i18n_locales[1]);

	return (NULL);
}

const char *
i18n_from_accept_language(const char *hdr)
{
	const char	*p, *end, *loc, *best;
	int		 q, bestq;

	if (hdr == NULL)
		return (NULL);

	best = NULL;
	bestq = 0;
	p = hdr;
	while (*p != '\0') {
		end = p + strcspn(p, ",");
		loc = al_item(p, (size_t)(end - p), &q);
		/* Strictly greater: ties keep the earlier item. */
		if (loc != NULL && q > bestq) {
			best = loc;
			bestq = q;
		}
		p = (*end == ',') ? end + 1 : end;
	}

	return (best);
}

const char *
i18n_negotiate(const char *explicit_lang, const char *user_setting,
    const char *cookie, const char *accept_language)
{
	const char	*loc;

	if ((loc = i18n_canonical(explicit_lang)) != NULL)
		return (loc);
	if ((loc = i18n_canonical(user_setting)) != NULL)
		return (loc);
	if ((loc = i18n_canonical(cookie)) != NULL)
		return (loc);
	if ((loc = i18n_from_accept_language(accept_language)) != NULL)
		return (loc);

	return (i18n_locales[locale_index(I18N_DEFAULT)]);
}

struct i18n_catalogs *
i18n_load(const char *dir, char *err, size_t errlen)
{
	json_t		*roots[I18N_NLOCALES];
	char		 paths[I18N_NLOCALES][PATH_MAX];
	const char	*names[I18N_NLOCALES];
	size_t		 i, j;
	int		 n;

	for (i = 0; i < I18N_NLOCALES; i++) {
		n = snprintf(paths[i], sizeof(paths[i]), "%s/%s.json", dir,
		    i18n_locales[i]);
		if (n < 0 || (size_t)n >= sizeof(paths[i])) {
			seterr(err, errlen, "i18n: %s: path too long", dir);
			roots[i] = NULL;
		} else {
			names[i] = paths[i];
			roots[i] = load_json(paths[i], NULL, paths[i],
			    err, errlen);
		}
		if (roots[i] == NULL) {
			for (j = 0; j < i; j++)
				json_decref(roots[j]);
			return (NULL);
		}
	}

	return (build(roots, names, err, errlen));
}

struct i18n_catalogs *
i18n_load_strings(const char *en, const char *zh_cn, char *err,
    size_t errlen)
{
	json_t		*roots[I18N_NLOCALES];
	const char	*names[I18N_NLOCALES] = { "zh-CN.json", "en.json" };
	const char	*texts[I18N_NLOCALES];
	size_t		 i, j;

	texts[0] = zh_cn;
	texts[1] = en;
	for (i = 0; i < I18N_NLOCALES; i++) {
		roots[i] = load_json(NULL, texts[i], names[i], err, errlen);
		if (roots[i] == NULL) {
			for (j = 0; j < i; j++)
				json_decref(roots[j]);
			return (NULL);
		}
	}

	return (build(roots, names, err, errlen));
}

void
i18n_free(struct i18n_catalogs *cats)
{
	size_t		i;

	if (cats == NULL)
		return;
	for (i = 0; i < I18N_NLOCALES; i++)
		json_decref(cats->cat[i]);
	free(cats);
}

json_t *
i18n_catalog(const struct i18n_catalogs *cats, const char *locale)
{
	int		idx;

	if (cats == NULL)
		return (NULL);
	if ((idx = locale_index(locale)) == -1)
		idx = locale_index(i18n_canonical(locale));
	if (idx == -1)
		idx = locale_index(I18N_DEFAULT);

	return (cats->cat[idx]);
}

const char *
i18n_get(const struct i18n_catalogs *cats, const char *locale,
    const char *key)
{
	const char	*s;

	if (cats == NULL || key == NULL)
		return (NULL);
	if ((s = lookup(i18n_catalog(cats, locale), key)) != NULL)
		return (s);

	return (lookup(cats->cat[locale_index(I18N_REFERENCE)], key));
}

int
i18n_has_key(const struct i18n_catalogs *cats, const char *key)
{
	if (cats == NULL || key == NULL)
		return (0);

	return (lookup(cats->cat[locale_index(I18N_REFERENCE)], key) != NULL);
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_alpha(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int
is_alnum(char c)
{
	return (is_alpha(c) || (c >= '0' && c <= '9'));
}

static int
is_ows(char c)
{
	return (c == ' ' || c == '\t');
}

/* Index of an exact locale name in i18n_locales, or -1. */
static int
locale_index(const char *locale)
{
	size_t		i;

	if (locale == NULL)
		return (-1);
	for (i = 0; i < I18N_NLOCALES; i++) {
		if (strcmp(locale, i18n_locales[i]) == 0)
			return ((int)i);
	}

	return (-1);
}

/*
 * One Accept-Language item s[0..n): OWS tag OWS [";" OWS "q=" qvalue OWS].
 * Returns its locale and weight (0..1000) in *q, or NULL if unsupported
 * or malformed.
 */
static const char *
al_item(const char *s, size_t n, int *q)
{
	char		 tag[I18N_MAX_TAG + 1];
	size_t		 i, start, tlen;

	i = 0;
	while (i < n && is_ows(s[i]))
		i++;
	start = i;
	while (i < n && s[i] != ';' && !is_ows(s[i]))
		i++;
	tlen = i - start;
	if (tlen == 0 || tlen > I18N_MAX_TAG)
		return (NULL);
	memcpy(tag, s + start, tlen);
	tag[tlen] = '\0';

	while (i < n && is_ows(s[i]))
		i++;
	*q = 1000;
	if (i < n) {
		if (s[i++] != ';')
			return (NULL);
		while (i < n && is_ows(s[i]))
			i++;
		if (n - i < 2 || (s[i] != 'q' && s[i] != 'Q') ||
		    s[i + 1] != '=')
			return (NULL);
		i += 2;
		start = i;
		while (i < n && !is_ows(s[i]))
			i++;
		if (al_qvalue(s + start, i - start, q) == -1)
			return (NULL);
		while (i < n && is_ows(s[i]))
			i++;
		if (i != n)
			return (NULL);
	}

	return (i18n_canonical(tag));
}

/* RFC 7231 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"], in 1/1000. */
static int
al_qvalue(const char *s, size_t n, int *q)
{
	size_t		i;
	int		v, scale;

	if (n == 0 || n > 5 || (s[0] != '0' && s[0] != '1'))
		return (-1);
	v = (s[0] - '0') * 1000;
	if (n == 1)
		goto out;
	if (s[1] != '.')
		return (-1);
	scale = 100;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v += (s[i] - '0') * scale;
		scale /= 10;
	}
	if (v > 1000)
		return (-1);
out:
	*q = v;
	return (0);
}

/*
 * Parse a catalog from a file (path) or from text; name is used in
 * messages.  Returns a new reference (caller json_decref()s) or NULL.
 */
static json_t *
load_json(const char *path, const char *text, const char *name, char *err,
    size_t errlen)
{
	json_t		*root;
	json_error_t	 jerr;

	if (path != NULL)
		root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	else if (text != NULL)
		root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	else {
		seterr(err, errlen, "i18n: %s: no text", name);
		return (NULL);
	}

	if (root == NULL) {
		if (json_error_code(&jerr) == json_error_cannot_open_file)
			seterr(err, errlen, "i18n: %s: cannot open file", name);
		else if (jerr.line >= 1)
			seterr(err, errlen, "i18n: %s:%d:%d: %s", name,
			    jerr.line, jerr.column, jerr.text);
		else
			seterr(err, errlen, "i18n: %s: %s", name, jerr.text);
		return (NULL);
	}
	if (!json_is_object(root)) {
		seterr(err, errlen, "i18n: %s: root must be an object", name);
		json_decref(root);
		return (NULL);
	}

	return (root);
}

/*
 * Validate the parsed roots and build the merged catalogs.  Takes
 * ownership of every root (moved or json_decref()'d).
 */
static struct i18n_catalogs *
build(json_t **roots, const char *const *names, char *err, size_t errlen)
{
	struct i18n_catalogs	*cats;
	struct buf		 path;
	size_t			 i;
	int			 ref;

	cats = NULL;
	buf_init(&path);
	ref = locale_index(I18N_REFERENCE);
	for (i = 0; i < I18N_NLOCALES; i++) {
		buf_reset(&path);
		if (check_obj(roots[i], (int)i == ref ? NULL : roots[ref],
		    &path, names[i], names[ref], err, errlen) == -1)
			goto out;
	}

	if ((cats = calloc(1, sizeof(*cats))) == NULL) {
		seterr(err, errlen, "i18n: out of memory");
		goto out;
	}
	for (i = 0; i < I18N_NLOCALES; i++) {
		if ((int)i == ref)
			continue;
		if ((cats->cat[i] = json_deep_copy(roots[ref])) == NULL) {
			seterr(err, errlen, "i18n: out of memory");
			i18n_free(cats);
			cats = NULL;
			goto out;
		}
		merge(cats->cat[i], roots[i]);
	}
	cats->cat[ref] = roots[ref];
	roots[ref] = NULL;

out:
	for (i = 0; i < I18N_NLOCALES; i++)
		json_decref(roots[i]);
	buf_free(&path);
	return (cats);
}

/*
 * Check that obj holds only strings and objects under sane keys and, if
 * ref is not NULL, that each key exists in ref with the same kind.
 * path holds the dotted path of obj ("" at the root).
 */
static int
check_obj(json_t *obj, json_t *ref, struct buf *path, const char *name,
    const char *refname, char *err, size_t errlen)
{
	json_t		*val, *rv;
	const char	*key;
	size_t		 mark;

	mark = path->len;
	json_object_foreach(obj, key, val) {
		if (mark > 0)
			buf_appendc(path, '.');
		buf_appends(path, key);
		if (*key == '\0' || strchr(key, '.') != NULL) {
			seterr(err, errlen, "i18n: %s: bad key \"%s\" "
			    "(empty or contains '.')", name, path->data);
			return (-1);
		}
		if (!json_is_string(val) && !json_is_object(val)) {
			seterr(err, errlen, "i18n: %s: \"%s\" must be a string "
			    "or an object", name, path->data);
			return (-1);
		}
		rv = NULL;
		if (ref != NULL) {
			if ((rv = json_object_get(ref, key)) == NULL) {
				seterr(err, errlen, "i18n: %s: key \"%s\" is "
				    "not in %s", name, path->data, refname);
				return (-1);
			}
			if (json_typeof(rv) != json_typeof(val)) {
				seterr(err, errlen, "i18n: %s: \"%s\" is not "
				    "the same kind as in %s", name,
				    path->data, refname);
				return (-1);
			}
		}
		if (json_is_object(val) && check_obj(val, rv, path, name,
		    refname, err, errlen) == -1)
			return (-1);
		path->len = mark;
		path->data[mark] = '\0';
	}

	return (0);
}

/* Deep-merge src over dst; check_obj() made their shapes compatible. */
static void
merge(json_t *dst, json_t *src)
{
	json_t		*val;
	const char	*key;

	json_object_foreach(src, key, val) {
		if (json_is_object(val))
			merge(json_object_get(dst, key), val);
		else
			(void)json_object_set(dst, key, val);
	}
}

/* The string at a dotted key in root, or NULL.  Borrowed. */
static const char *
lookup(json_t *root, const char *key)
{
	json_t		*cur;
	const char	*dot;
	size_t		 n;

	cur = root;
	for (;;) {
		if (!json_is_object(cur))
			return (NULL);
		dot = strchr(key, '.');
		n = dot ? (size_t)(dot - key) : strlen(key);
		if (n == 0)
			return (NULL);
		cur = json_object_getn(cur, key, n);
		if (dot == NULL)
			break;
		key = dot + 1;
	}

	return (json_string_value(cur));
}

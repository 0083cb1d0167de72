/*
 * i18n: locale negotiation and message catalogs.
 *
 * Pure: libc + jansson + buf, no Kore, so it can be unit-tested and fuzzed.
 *
 * Contract:
 *  - Locales are identified by the strings in i18n_locales[]; every
 *    function returning a locale returns one of those pointers (so they
 *    may be compared by pointer), or NULL where documented.
 *  - Negotiation never fails: i18n_negotiate() always returns a locale.
 *    Header and cookie input is untrusted; garbage is skipped, never
 *    read out of bounds.
 *  - Catalogs are JSON objects whose values are strings or objects.  "en"
 *    is the reference: every other locale is deep-merged over a copy of
 *    en, so a missing translation shows English, never a raw key.  Keys
 *    must be non-empty and contain no '.', and a key in another locale
 *    must exist in en with the same kind (string/object).
 *  - Strings and json_t returned are borrowed from the catalogs and stay
 *    valid until i18n_free().  Catalogs are read-only after loading.
 */
#ifndef MAKERSPACE_I18N_H
#define MAKERSPACE_I18N_H

#include <stddef.h>

#include <jansson.h>

#define I18N_DEFAULT	"zh-CN"
#define I18N_REFERENCE	"en"

/* Locales this build knows, in order: "zh-CN", "en". */
extern const char *const	i18n_locales[];
extern const size_t		i18n_nlocales;

/*
 * Canonical locale for a BCP 47 tag (case-insensitive, '_' accepted as
 * '-'): any "zh" tag (zh, zh-CN, zh-Hans, zh-TW, zh-HK, zh-Hant, ...) ->
 * "zh-CN"; any "en" tag -> "en"; otherwise or malformed -> NULL.
 */
const char	*i18n_canonical(const char *);

/*
 * Best locale from an Accept-Language value: highest q wins, ties in
 * header order, q=0 and "*" ignored, malformed items skipped.  NULL if
 * nothing matches.
 */
const char	*i18n_from_accept_language(const char *);

/*
 * explicit (?lang=) -> user setting -> cookie -> Accept-Language ->
 * I18N_DEFAULT.  Any argument may be NULL; invalid values are skipped.
 */
const char	*i18n_negotiate(const char *, const char *, const char *,
		    const char *);

struct i18n_catalogs;

/*
 * Load <dir>/<locale>.json for every locale.  Returns NULL and writes a
 * message naming the file into err (if errlen > 0) on any error.  Free
 * with i18n_free().
 */
struct i18n_catalogs	*i18n_load(const char *, char *, size_t);
/* Same from JSON text (en, zh-CN); messages name "en.json"/"zh-CN.json". */
struct i18n_catalogs	*i18n_load_strings(const char *, const char *,
			    char *, size_t);
void			 i18n_free(struct i18n_catalogs *);

/* Merged catalog for a locale (borrowed); unknown -> the default's. */
json_t		*i18n_catalog(const struct i18n_catalogs *, const char *);
/* Dotted key ("errors.not_found") in locale, else en; NULL if neither. */
const char	*i18n_get(const struct i18n_catalogs *, const char *,
		    const char *);
/* 1 if the dotted key is a string in en, else 0. */
int		 i18n_has_key(const struct i18n_catalogs *, const char *);

#endif

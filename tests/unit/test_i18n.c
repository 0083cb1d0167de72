/*
 * test_i18n: unit tests for app/i18n.c (canonical tags, Accept-Language,
 * negotiation order, catalog loading and fallback).  Built with
 * ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "unit.h"

#define EN_JSON								\
	"{\"nav\":{\"home\":\"Home\",\"about\":\"About\"},"		\
	"\"errors\":{\"not_found\":\"Not found\"},"			\
	"\"only_en\":\"English only\"}"
#define ZH_JSON								\
	"{\"nav\":{\"home\":\"\xe9\xa6\x96\xe9\xa1\xb5\"},"		\
	"\"errors\":{\"not_found\":\"\xe6\x9c\xaa\xe6\x89\xbe\xe5\x88\xb0\"}}"
#define ZH_HOME		"\xe9\xa6\x96\xe9\xa1\xb5"

static void	test_canonical(void);
static void	test_accept_language(void);
static void	test_negotiate(void);
static void	test_catalogs(void);
static void	test_load_errors(void);
static void	test_files(void);
static int	load_fails(const char *, const char *, const char *,
		    const char *);
static void	write_file(const char *, const char *, const char *);

static void
test_canonical(void)
{
	static const char *const zh[] = {
		"zh", "zh-CN", "zh-cn", "ZH-CN", "zh_CN", "zh-Hans",
		"zh-Hans-CN", "zh-SG", "zh-TW", "zh-HK", "zh-Hant",
		"zh-Hant-TW", NULL
	};
	static const char *const en[] = {
		"en", "EN", "en-US", "en-GB", "en_us", "en-Latn-US", NULL
	};
	static const char *const bad[] = {
		"", "fr", "fr-FR", "de", "*", "zh-", "-zh", "zhx", "z", "e",
		"english", "en--US", "en-US-toolongsub", "en US", "en;q=1",
		"en-US-aaaaaaaa-bbbbbbbb-cccccccc-ddd", "i-klingon", NULL
	};
	size_t		i, ok;

	for (ok = 0, i = 0; zh[i] != NULL; i++)
		ok += i18n_canonical(zh[i]) == i18n_locales[0];
	CHECK(ok == i, "canonical: every zh tag maps to zh-CN");
	for (ok = 0, i = 0; en[i] != NULL; i++)
		ok += i18n_canonical(en[i]) == i18n_locales[1];
	CHECK(ok == i, "canonical: every en tag maps to en");
	for (ok = 0, i = 0; bad[i] != NULL; i++) {
		if (i18n_canonical(bad[i]) == NULL)
			ok++;
		else
			printf("#   unexpected match: \"%s\"\n", bad[i]);
	}
	CHECK(ok == i, "canonical: unsupported or malformed tags are NULL");
	CHECK(i18n_canonical(NULL) == NULL, "canonical: NULL is NULL");
	CHECK_STR(i18n_canonical("zh-tw"), "zh-CN", "canonical: zh-tw text");
	CHECK_STR(i18n_locales[0], I18N_DEFAULT, "locales: default first");
	CHECK(i18n_nlocales == 2, "locales: two");
}

static void
test_accept_language(void)
{
	struct buf	 b;

	CHECK_STR(i18n_from_accept_language("en;q=0.9, zh-CN;q=0.8"), "en",
	    "al: higher q wins");
	CHECK_STR(i18n_from_accept_language("fr, en;q=0.1"), "en",
	    "al: unsupported skipped, low q still matches");
	CHECK_STR(i18n_from_accept_language("zh-TW"), "zh-CN",
	    "al: zh-TW is zh-CN");
	CHECK(i18n_from_accept_language("en;q=0") == NULL, "al: q=0 excludes");
	CHECK(i18n_from_accept_language("en;q=0.000, fr") == NULL,
	    "al: q=0.000 excludes");
	CHECK_STR(i18n_from_accept_language("en;q=0, zh"), "zh-CN",
	    "al: q=0 item skipped, next used");
	CHECK_STR(i18n_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
	    "zh-CN", "al: browser zh header");
	CHECK_STR(i18n_from_accept_language("en;q=0.5, zh;q=0.5"), "en",
	    "al: tie keeps header order (en first)");
	CHECK_STR(i18n_from_accept_language("zh;q=0.5, en;q=0.5"), "zh-CN",
	    "al: tie keeps header order (zh first)");
	CHECK_STR(i18n_from_accept_language("fr;q=1, en;q=0.2, zh;q=0.3"),
	    "zh-CN", "al: best supported q");
	CHECK_STR(i18n_from_accept_language("*, en;q=0.5"), "en",
	    "al: * ignored");
	CHECK(i18n_from_accept_language("*") == NULL, "al: * alone is NULL");
	CHECK_STR(i18n_from_accept_language("en;q=1.5, zh;q=0.1"), "zh-CN",
	    "al: invalid q (1.5) item skipped");
	CHECK_STR(i18n_from_accept_language("en;q=0.9x, zh;q=0.1"), "zh-CN",
	    "al: invalid q (0.9x) item skipped");
	CHECK_STR(i18n_from_accept_language("en;q=0.0001, zh;q=0.1"), "zh-CN",
	    "al: q with 4 decimals skipped");
	CHECK_STR(i18n_from_accept_language(" en-GB ; Q=0.8 ,zh;q=0.7"), "en",
	    "al: whitespace and Q tolerated");
	CHECK(i18n_from_accept_language("fr-FR, de;q=0.9") == NULL,
	    "al: nothing supported is NULL");
	CHECK(i18n_from_accept_language("") == NULL, "al: empty is NULL");
	CHECK(i18n_from_accept_language(NULL) == NULL, "al: NULL is NULL");
	CHECK(i18n_from_accept_language(";;,,=q;q=,\x01\xff en;;q=1") == NULL,
	    "al: garbage is NULL");
	CHECK(i18n_from_accept_language("en;q") == NULL, "al: en;q is NULL");
	CHECK(i18n_from_accept_language("en;x=1") == NULL,
	    "al: unknown parameter skipped");

	buf_init(&b);
	while (b.len < 4000)
		buf_appends(&b, "x-klingon;q=0.9, ");
	buf_appends(&b, "en;q=0.001");
	CHECK_STR(i18n_from_accept_language(b.data), "en",
	    "al: 4 KiB header, match at the end");
	buf_reset(&b);
	while (b.len < 4096)
		buf_appendc(&b, 'e');
	CHECK(i18n_from_accept_language(b.data) == NULL,
	    "al: 4 KiB single token is NULL");
	buf_free(&b);
}

static void
test_negotiate(void)
{
	CHECK_STR(i18n_negotiate("en", "zh-CN", "zh", "zh"), "en",
	    "negotiate: explicit wins");
	CHECK_STR(i18n_negotiate(NULL, "en", "zh", "zh"), "en",
	    "negotiate: user setting beats cookie");
	CHECK_STR(i18n_negotiate(NULL, NULL, "en", "zh"), "en",
	    "negotiate: cookie beats header");
	CHECK_STR(i18n_negotiate(NULL, NULL, NULL, "en-US,en;q=0.9"), "en",
	    "negotiate: header beats default");
	CHECK_STR(i18n_negotiate(NULL, NULL, NULL, NULL), I18N_DEFAULT,
	    "negotiate: default");
	CHECK_STR(i18n_negotiate("fr", "en", "zh", NULL), "en",
	    "negotiate: invalid explicit skipped");
	CHECK_STR(i18n_negotiate("<script>", "", "xx", "en;q=0.5"), "en",
	    "negotiate: invalid explicit/user/cookie skipped");
	CHECK_STR(i18n_negotiate("fr", "de", "it", "es"), "zh-CN",
	    "negotiate: all invalid gives default");
	CHECK(i18n_negotiate("EN-us", NULL, NULL, NULL) == i18n_locales[1],
	    "negotiate: returns the i18n_locales pointer");
}

static void
test_catalogs(void)
{
	struct i18n_catalogs	*c;
	char			 err[256];
	json_t			*zh;

	err[0] = '\0';
	c = i18n_load_strings(EN_JSON, ZH_JSON, err, sizeof(err));
	CHECK(c != NULL, "catalogs: load from strings");
	if (c == NULL) {
		printf("#   %s\n", err);
		return;
	}
	CHECK_STR(i18n_get(c, "zh-CN", "nav.home"), ZH_HOME,
	    "catalogs: zh-CN translation");
	CHECK_STR(i18n_get(c, "zh-CN", "nav.about"), "About",
	    "catalogs: key missing in zh-CN falls back to English");
	CHECK_STR(i18n_get(c, "zh-CN", "only_en"), "English only",
	    "catalogs: top-level key missing in zh-CN falls back");
	CHECK_STR(i18n_get(c, "en", "nav.home"), "Home",
	    "catalogs: en not changed by the merge");
	CHECK_STR(i18n_get(c, "en-US", "nav.home"), "Home",
	    "catalogs: en-US uses en");
	CHECK_STR(i18n_get(c, "fr", "nav.home"), ZH_HOME,
	    "catalogs: unknown locale uses the default");
	CHECK_STR(i18n_get(c, NULL, "errors.not_found"),
	    "\xe6\x9c\xaa\xe6\x89\xbe\xe5\x88\xb0",
	    "catalogs: NULL locale uses the default");
	CHECK(i18n_get(c, "zh-CN", "nav.nope") == NULL,
	    "catalogs: missing in both is NULL");
	CHECK(i18n_get(c, "en", "nope") == NULL, "catalogs: missing en NULL");
	CHECK(i18n_get(c, "zh-CN", "nav") == NULL,
	    "catalogs: an object is not a message");
	CHECK(i18n_get(c, "en", "nav.home.x") == NULL,
	    "catalogs: path through a string is NULL");
	CHECK(i18n_get(c, "en", "") == NULL && i18n_get(c, "en", ".nav") ==
	    NULL && i18n_get(c, "en", "nav.") == NULL &&
	    i18n_get(c, "en", "nav..home") == NULL,
	    "catalogs: empty key segments are NULL");
	CHECK(i18n_has_key(c, "nav.about") == 1, "has_key: string in en");
	CHECK(i18n_has_key(c, "nav") == 0, "has_key: object is not a key");
	CHECK(i18n_has_key(c, "nav.nope") == 0, "has_key: absent");

	zh = i18n_catalog(c, "zh-CN");
	CHECK(json_is_object(zh) && json_is_string(json_object_get(
	    json_object_get(zh, "nav"), "about")),
	    "catalog: merged zh-CN object holds the en fallback");
	CHECK(i18n_catalog(c, "fr") == zh, "catalog: unknown is default's");
	CHECK(i18n_catalog(c, "en") != zh, "catalog: en is its own");
	i18n_free(c);
	i18n_free(NULL);
}

/* 1 if loading fails and the message contains want1 and want2. */
static int
load_fails(const char *en, const char *zh, const char *want1,
    const char *want2)
{
	struct i18n_catalogs	*c;
	char			 err[256];

	err[0] = '\0';
	if ((c = i18n_load_strings(en, zh, err, sizeof(err))) != NULL) {
		i18n_free(c);
		return (0);
	}
	if (strstr(err, want1) == NULL || strstr(err, want2) == NULL) {
		printf("#   message: %s\n", err);
		return (0);
	}

	return (1);
}

static void
test_load_errors(void)
{
	CHECK(load_fails(EN_JSON, "{\"nav\":{\"hom\":\"x\"}}", "zh-CN.json",
	    "nav.hom"), "load: key only in zh-CN refused, named");
	CHECK(load_fails(EN_JSON, "{\"nav\":\"x\"}", "zh-CN.json", "nav"),
	    "load: object in en, string in zh-CN refused");
	CHECK(load_fails(EN_JSON, "{\"nav\":{\"home\":1}}", "zh-CN.json",
	    "nav.home"), "load: number value refused");
	CHECK(load_fails("{\"a\":[\"x\"]}", "{}", "en.json", "a"),
	    "load: array value refused");
	CHECK(load_fails(EN_JSON, "{\"nav\":", "zh-CN.json", ":1:"),
	    "load: invalid JSON refused, file and line named");
	CHECK(load_fails("[]", "{}", "en.json", "object"),
	    "load: array root refused");
	CHECK(load_fails(EN_JSON, "{\"only_en\":\"a\",\"only_en\":\"b\"}",
	    "zh-CN.json", "duplicate"), "load: duplicate key refused");
	CHECK(load_fails("{\"a.b\":\"x\"}", "{}", "en.json", "a.b"),
	    "load: dotted key refused");
	CHECK(load_fails("{\"\":\"x\"}", "{}", "en.json", "bad key"),
	    "load: empty key refused");
	CHECK(load_fails(NULL, "{}", "en.json", "no text"),
	    "load: NULL text refused");
	CHECK(i18n_load_strings(EN_JSON, "{", NULL, 0) == NULL,
	    "load: NULL err buffer tolerated");
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static void
test_files(void)
{
	struct i18n_catalogs	*c;
	char			 dir[] = "/tmp/test_i18n.XXXXXX";
	char			 err[512], path[512];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	write_file(dir, "en.json", EN_JSON "\n");
	write_file(dir, "zh-CN.json", ZH_JSON "\n");
	c = i18n_load(dir, err, sizeof(err));
	CHECK(c != NULL, "files: load");
	CHECK_STR(c ? i18n_get(c, "zh-CN", "nav.about") : NULL, "About",
	    "files: key missing in zh-CN falls back to English");
	CHECK_STR(c ? i18n_get(c, "zh-CN", "nav.home") : NULL, ZH_HOME,
	    "files: zh-CN translation");
	i18n_free(c);

	write_file(dir, "zh-CN.json", "{\"nav\": {\n\"home\": }\n");
	err[0] = '\0';
	CHECK(i18n_load(dir, err, sizeof(err)) == NULL &&
	    strstr(err, dir) != NULL && strstr(err, "/zh-CN.json:2:") != NULL,
	    "files: invalid JSON refused with file name and line");
	printf("#   message: %s\n", err);

	write_file(dir, "zh-CN.json", ZH_JSON);
	(void)snprintf(path, sizeof(path), "%s/en.json", dir);
	unlink(path);
	err[0] = '\0';
	CHECK(i18n_load(dir, err, sizeof(err)) == NULL &&
	    strstr(err, "en.json") != NULL, "files: missing file refused");
	printf("#   message: %s\n", err);

	(void)snprintf(path, sizeof(path), "%s/zh-CN.json", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_canonical();
	test_accept_language();
	test_negotiate();
	test_catalogs();
	test_load_errors();
	test_files();
	UNIT_DONE("test_i18n");
}

/*
 * test_form: unit tests for app/form.c (urlencoded, JSON, multipart,
 * dispatch).  Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "form.h"
#include "unit.h"

#define BND	"----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define MP_CT	"multipart/form-data; boundary=" BND

static void	test_urlencoded(void);
static void	test_urlencoded_limits(void);
static void	test_json(void);
static void	test_json_refused(void);
static void	test_json_bounded(void);
static void	*count_malloc(size_t);
static void	 count_free(void *);
static void	test_multipart(void);
static void	test_multipart_refused(void);
static void	test_multipart_misc(void);
static void	test_body(void);
static void	test_is_json(void);
static int	parse_s(int (*)(struct form *, const char *, size_t),
		    const char *, struct form *);
static int	mp_s(const char *, const char *, struct form *);
static int	refused_json(const char *);
static void	mp_body(struct buf *, int);
static void	mp_long_header(struct buf *, size_t);

/* Parse a C string with fn into a fresh form (caller form_free()s). */
static int
parse_s(int (*fn)(struct form *, const char *, size_t), const char *s,
    struct form *f)
{
	form_init(f);
	return (fn(f, s, strlen(s)));
}

static int
mp_s(const char *ct, const char *body, struct form *f)
{
	form_init(f);
	return (form_parse_multipart(f, ct, body, strlen(body)));
}

static int
refused_json(const char *s)
{
	struct form	f;
	int		rc;

	rc = parse_s(form_parse_json, s, &f);
	form_free(&f);
	return (rc == -1);
}

static void
test_urlencoded(void)
{
	struct form	 f;
	const char	*s;

	CHECK(parse_s(form_parse_urlencoded, "a=1+2&b=%41%62%2b%2F", &f) == 0,
	    "urlencoded: parses");
	CHECK(f.n == 2, "urlencoded: two fields");
	CHECK_STR(form_value(&f, "a"), "1 2", "urlencoded: + is space");
	CHECK_STR(form_value(&f, "b"), "Ab+/", "urlencoded: %XX decoded");
	CHECK(form_get(&f, "c") == NULL, "urlencoded: absent field is NULL");
	form_free(&f);
	CHECK(f.n == 0 && f.fields == NULL, "form_free resets the form");

	CHECK(parse_s(form_parse_urlencoded, "a%5Bx%5D=1", &f) == 0 &&
	    form_get(&f, "a[x]") != NULL, "urlencoded: name decoded");
	form_free(&f);

	CHECK(parse_s(form_parse_urlencoded, "a=&b&c=3", &f) == 0,
	    "urlencoded: empty and valueless parse");
	CHECK(f.n == 3, "urlencoded: empty and valueless kept");
	CHECK_STR(form_value(&f, "a"), "", "urlencoded: a= is empty");
	CHECK_STR(form_value(&f, "b"), "", "urlencoded: b without = is empty");
	CHECK(form_get(&f, "b") != NULL && form_get(&f, "b")->len == 0,
	    "urlencoded: valueless len 0");
	form_free(&f);

	CHECK(parse_s(form_parse_urlencoded, "tags=a&x=1&tags=b&tags=c", &f)
	    == 0, "urlencoded: repeated parses");
	CHECK(form_count(&f, "tags") == 3, "urlencoded: repeated count 3");
	CHECK_STR(form_get_nth(&f, "tags", 0)->value, "a", "repeated nth 0");
	CHECK_STR(form_get_nth(&f, "tags", 1)->value, "b", "repeated nth 1");
	CHECK_STR(form_get_nth(&f, "tags", 2)->value, "c", "repeated nth 2");
	CHECK(form_get_nth(&f, "tags", 3) == NULL, "repeated nth 3 is NULL");
	CHECK_STR(f.fields[1].name, "x", "urlencoded: request order kept");
	form_free(&f);

	/* Kore drops this field (control characters); we must keep it. */
	CHECK(parse_s(form_parse_urlencoded, "bio=line1%0D%0Aline2%09end", &f)
	    == 0, "urlencoded: CRLF value parses");
	CHECK_STR(form_value(&f, "bio"), "line1\r\nline2\tend",
	    "urlencoded: %0D%0A kept");
	form_free(&f);

	CHECK(parse_s(form_parse_urlencoded, "v=a%00b", &f) == 0 &&
	    f.n == 1 && f.fields[0].len == 3 &&
	    memcmp(f.fields[0].value, "a\0b", 4) == 0,
	    "urlencoded: %00 in value kept, len counts it");
	form_free(&f);

	CHECK(parse_s(form_parse_urlencoded, "&a=1&&", &f) == 0 && f.n == 1,
	    "urlencoded: empty segments skipped");
	form_free(&f);

	form_init(&f);
	s = "a=1&b=2";
	CHECK(form_parse_urlencoded(&f, s, 3) == 0 && f.n == 1 &&
	    form_get(&f, "b") == NULL, "urlencoded: stops at len");
	form_free(&f);

	form_init(&f);
	CHECK(form_parse_urlencoded(&f, NULL, 0) == 0 && f.n == 0,
	    "urlencoded: empty input");
	form_free(&f);

	CHECK(parse_s(form_parse_urlencoded, "a=%zz", &f) == -1,
	    "urlencoded: %zz refused");
	form_free(&f);
	CHECK(parse_s(form_parse_urlencoded, "a=1&b=%4", &f) == -1,
	    "urlencoded: truncated %4 refused");
	form_free(&f);
	CHECK(parse_s(form_parse_urlencoded, "a=%", &f) == -1,
	    "urlencoded: lone % refused");
	form_free(&f);
	CHECK(parse_s(form_parse_urlencoded, "a%00b=1", &f) == -1,
	    "urlencoded: NUL in name refused");
	form_free(&f);
}

static void
test_urlencoded_limits(void)
{
	struct form	 f;
	struct buf	 b;
	char		 name[FORM_MAX_NAME + 2];
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		buf_appendf(&b, "%sf%zu=%zu", i ? "&" : "", i, i);
	form_init(&f);
	CHECK(form_parse_urlencoded(&f, b.data, b.len) == 0 &&
	    f.n == FORM_MAX_FIELDS, "urlencoded: 256 fields accepted");
	CHECK_STR(form_value(&f, "f255"), "255", "urlencoded: 256th field");
	form_free(&f);

	buf_appends(&b, "&one=more");
	form_init(&f);
	CHECK(form_parse_urlencoded(&f, b.data, b.len) == -1,
	    "urlencoded: 257 fields refused");
	form_free(&f);
	buf_free(&b);

	memset(name, 'n', FORM_MAX_NAME);
	name[FORM_MAX_NAME] = '\0';
	buf_init(&b);
	buf_appendf(&b, "%s=1", name);
	CHECK(parse_s(form_parse_urlencoded, b.data, &f) == 0 &&
	    form_get(&f, name) != NULL, "urlencoded: 64-byte name accepted");
	form_free(&f);
	buf_reset(&b);
	buf_appendf(&b, "%sx=1", name);
	CHECK(parse_s(form_parse_urlencoded, b.data, &f) == -1,
	    "urlencoded: 65-byte name refused");
	form_free(&f);
	buf_free(&b);
}

static void
test_json(void)
{
	struct form	 f;

	CHECK(parse_s(form_parse_json,
	    "{\"s\":\"caf\\u00e9 \\ud83d\\ude00\",\"nl\":\"a\\nb\"}", &f) == 0,
	    "json: strings parse");
	CHECK_STR(form_value(&f, "s"), "caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "json: \\u escapes and surrogate pair to UTF-8");
	CHECK(form_get(&f, "s")->len == 10, "json: string len in bytes");
	CHECK_STR(form_value(&f, "nl"), "a\nb", "json: \\n kept");
	form_free(&f);

	CHECK(parse_s(form_parse_json, "{\"i\":42,\"n\":-7,\"r\":0.1,"
	    "\"e\":1.5e3,\"big\":9007199254740993,\"x\":-2.5e-7}", &f) == 0,
	    "json: numbers parse");
	CHECK_STR(form_value(&f, "i"), "42", "json: integer");
	CHECK_STR(form_value(&f, "n"), "-7", "json: negative integer");
	CHECK_STR(form_value(&f, "r"), "0.1", "json: real shortest form");
	CHECK_STR(form_value(&f, "e"), "1500", "json: real with exponent");
	CHECK_STR(form_value(&f, "big"), "9007199254740993",
	    "json: 64-bit integer exact");
	CHECK_STR(form_value(&f, "x"), "-2.5e-07", "json: small real");
	form_free(&f);

	CHECK(parse_s(form_parse_json, "{\"t\":true,\"f\":false,\"z\":null}",
	    &f) == 0 && f.n == 3, "json: literals parse");
	CHECK_STR(form_value(&f, "t"), "true", "json: true");
	CHECK_STR(form_value(&f, "f"), "false", "json: false");
	CHECK(form_get(&f, "z") != NULL && form_get(&f, "z")->len == 0,
	    "json: null is present and empty");
	form_free(&f);

	CHECK(parse_s(form_parse_json,
	    "{\"b\":1,\"tags\":[\"x\",\"y\",3,null],\"none\":[],\"a\":2}", &f)
	    == 0, "json: arrays parse");
	CHECK(form_count(&f, "tags") == 4, "json: array repeated per element");
	CHECK_STR(form_get_nth(&f, "tags", 1)->value, "y", "json: array order");
	CHECK_STR(form_get_nth(&f, "tags", 2)->value, "3",
	    "json: array number");
	CHECK(form_count(&f, "none") == 1 && form_get(&f, "none")->len == 0,
	    "json: empty array is one empty field (clears a list)");
	CHECK_STR(f.fields[0].name, "b", "json: member order kept (first)");
	CHECK_STR(f.fields[f.n - 1].name, "a",
	    "json: member order kept (last)");
	form_free(&f);

	CHECK(parse_s(form_parse_json, " {} ", &f) == 0 && f.n == 0,
	    "json: empty object with whitespace");
	form_free(&f);
}

static void
test_json_flattened(void)
{
	struct form	f;

	form_init(&f);
	CHECK(form_parse_json(&f, "{\"scores\":{\"12\":7.5,\"3\":\"x\"},"
	    "\"criteria\":[{\"name\":\"a\",\"weight\":60},{\"name\":\"b\"}]}",
	    strlen("{\"scores\":{\"12\":7.5,\"3\":\"x\"},"
	    "\"criteria\":[{\"name\":\"a\",\"weight\":60},{\"name\":\"b\"}]}"))
	    == 0 && f.n == 5, "json: one level of objects is flattened");
	CHECK(form_value(&f, "scores[12]") != NULL &&
	    !strcmp(form_value(&f, "scores[12]"), "7.5"),
	    "json: object member is key[sub]");
	CHECK(form_value(&f, "criteria[0][weight]") != NULL &&
	    !strcmp(form_value(&f, "criteria[0][weight]"), "60"),
	    "json: object in array is key[i][sub]");
	CHECK(form_value(&f, "criteria[1][name]") != NULL &&
	    !strcmp(form_value(&f, "criteria[1][name]"), "b"),
	    "json: second object in array");
	form_free(&f);
}

static void
test_json_refused(void)
{
	struct form	f;

	CHECK(refused_json("{\"a\":{\"b\":{\"c\":1}}}"),
	    "json: object in object refused");
	CHECK(refused_json("{\"a\":[1,{\"b\":[1]}]}"),
	    "json: array in an object in an array refused");
	CHECK(refused_json("{\"a\":{\"b\":[1]}}"),
	    "json: array in object refused");
	CHECK(refused_json("{\"a\":[1,[2]]}"), "json: array in array refused");
	CHECK(refused_json("[1,2]"), "json: array root refused");
	CHECK(refused_json("\"x\""), "json: string root refused");
	CHECK(refused_json("42"), "json: number root refused");
	CHECK(refused_json("{\"a\":1} x"), "json: trailing garbage refused");
	CHECK(refused_json("{\"a\":1}{}"), "json: second value refused");
	CHECK(refused_json("{\"a\":\"x\\u0000y\"}"), "json: \\u0000 refused");
	CHECK(refused_json("{\"a\\u0000\":1}"), "json: \\u0000 in key refused");
	CHECK(refused_json("{\"a\":1,\"a\":2}"), "json: duplicate key refused");
	CHECK(refused_json("{\"a\":1,}"), "json: trailing comma refused");
	CHECK(refused_json(""), "json: empty body refused");
	CHECK(refused_json("{\"a\":\"\xff\"}"), "json: invalid UTF-8 refused");
	CHECK(refused_json("{\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnn\":1}"), "json: 65-byte name refused");

	form_init(&f);
	CHECK(form_parse_json(&f, "{\"a\":1}", 6) == -1,
	    "json: stops at len (truncated object refused)");
	form_free(&f);
}

/* What jansson allocated while test_json_bounded() watched. */
static size_t	jansson_bytes;

static void *
count_malloc(size_t n)
{
	jansson_bytes += n;
	return (malloc(n));
}

static void
count_free(void *p)
{
	free(p);
}

/*
 * A JSON body's cost is bounded by its size, not its shape: over
 * FORM_MAX_JSON it is 413 (FORM_TOO_LARGE), and deep nesting or a long
 * array is refused before jansson builds a tree (it allocates nothing).
 * Before, 256 KiB of "[1,1,..." made jansson allocate megabytes, all of
 * it refused afterwards.
 */
static void
test_json_bounded(void)
{
	struct form	 f;
	struct buf	 b;
	size_t		 i;
	int		 rc;

	json_set_alloc_funcs(count_malloc, count_free);
	buf_init(&b);
	form_init(&f);

	buf_appends(&b, "{\"a\":\"");
	while (b.len < FORM_MAX_JSON - 2)
		buf_appends(&b, "x");
	buf_appends(&b, "\"}");
	CHECK(b.len == FORM_MAX_JSON &&
	    form_parse_json(&f, b.data, b.len) == 0 && f.n == 1,
	    "json bounds: a body of exactly FORM_MAX_JSON parses");
	form_free(&f);
	buf_reset(&b);
	b.len = 0;
	buf_appends(&b, "{\"a\":\"");
	while (b.len < FORM_MAX_JSON)
		buf_appends(&b, "x");
	buf_appends(&b, "\"}");
	jansson_bytes = 0;
	CHECK(form_parse_json(&f, b.data, b.len) == FORM_TOO_LARGE &&
	    jansson_bytes == 0, "json bounds: one byte more is too large");
	form_free(&f);
	CHECK(form_parse_body(&f, "application/json", b.data, b.len) ==
	    FORM_TOO_LARGE, "json bounds: form_parse_body says too large");
	form_free(&f);

	/* 250 KiB of one array: a node per element for jansson. */
	buf_reset(&b);
	b.len = 0;
	buf_appends(&b, "{\"a\":[1");
	while (b.len < 250 * 1024)
		buf_appends(&b, ",1");
	buf_appends(&b, "]}");
	jansson_bytes = 0;
	rc = form_parse_json(&f, b.data, b.len);
	CHECK(rc == -1 && jansson_bytes == 0,
	    "json bounds: a 128k-element array refused, nothing allocated");
	form_free(&f);

	/* 100k levels of nesting (jansson goes 2048 deep). */
	buf_reset(&b);
	b.len = 0;
	buf_appends(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		buf_appends(&b, "[");
	for (i = 0; i < 100000; i++)
		buf_appends(&b, "]");
	buf_appends(&b, "}");
	jansson_bytes = 0;
	CHECK(form_parse_json(&f, b.data, b.len) == -1 && jansson_bytes == 0,
	    "json bounds: deep nesting refused, nothing allocated");
	form_free(&f);
	jansson_bytes = 0;
	CHECK(refused_json("{\"a\":[[[1]]]}") && jansson_bytes == 0,
	    "json bounds: depth 4 refused before parsing");

	/* The limits are the form's own: 256 fields pass, 257 do not. */
	buf_reset(&b);
	b.len = 0;
	buf_appends(&b, "{\"a\":[0");
	for (i = 1; i < FORM_MAX_FIELDS; i++)
		buf_appends(&b, ",0");
	buf_appends(&b, "]}");
	CHECK(form_parse_json(&f, b.data, b.len) == 0 &&
	    f.n == FORM_MAX_FIELDS, "json bounds: 256 array elements parse");
	form_free(&f);
	buf_reset(&b);
	b.len = 0;
	for (i = 0; i < FORM_MAX_FIELDS; i++) {
		buf_appends(&b, i == 0 ? "{" : ",");
		buf_appendf(&b, "\"k%zu\":[\"x\"]", i);
	}
	buf_appends(&b, "}");
	CHECK(form_parse_json(&f, b.data, b.len) == 0 &&
	    f.n == FORM_MAX_FIELDS, "json bounds: 256 members parse");
	form_free(&f);
	CHECK(refused_json("{\"a\":[0,0,0],\"b\":{\"c\":{}}}"),
	    "json bounds: an object in an object member is still refused");

	/* Brackets, commas and escaped quotes inside strings are text. */
	buf_reset(&b);
	b.len = 0;
	buf_appends(&b, "{\"a\":\"");
	for (i = 0; i < 2000; i++)
		buf_appends(&b, ",[{\\\"");
	buf_appends(&b, "\",\"b\":[\"]]]\",\"\\\\\"]}");
	CHECK(form_parse_json(&f, b.data, b.len) == 0 && f.n == 3 &&
	    strcmp(form_value(&f, "b"), "]]]") == 0,
	    "json bounds: strings may hold brackets, commas, escapes");
	form_free(&f);

	buf_free(&b);
	json_set_alloc_funcs(malloc, free);
}

/* A browser-like body: preamble, two text fields, a binary file. */
static const char mp_file[] = {
	'\0', '\r', '\n', '-', '-', 'x', '\r', '\n', '-', '-', (char)0xff,
	'\r', '\n', '-', '-', '-', '-', '-', '-', 'W', 'e', 'b', '\r', '\0'
};

static void
mp_body(struct buf *b, int epilogue)
{
	buf_appends(b, "preamble, ignored\r\n");
	buf_appends(b, "--" BND "\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
	    "Hello, world\r\n");
	buf_appends(b, "--" BND "\r\n"
	    "content-disposition: form-data; name=\"desc\"\r\n"
	    "\r\nline1\r\nline2\r\n\r\n");
	buf_appends(b, "--" BND "  \r\n"
	    "Content-Disposition: form-data; name=\"photo\"; "
	    "filename=\"a \\\"b\\\".bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n");
	buf_append(b, mp_file, sizeof(mp_file));
	/* Almost the delimiter: the boundary minus its last character. */
	buf_appends(b, "\r\n--" "----WebKitFormBoundary7MA4YWxkTrZu0g");
	buf_appends(b, "\r\n--" BND "--");
	if (epilogue)
		buf_appends(b, "\r\nepilogue --" BND "\r\n");
}

static void
test_multipart(void)
{
	struct form		 f;
	struct buf		 b, want;
	const struct form_field	*fld;

	buf_init(&b);
	mp_body(&b, 1);
	form_init(&f);
	CHECK(form_parse_multipart(&f, MP_CT, b.data, b.len) == 0,
	    "multipart: parses");
	CHECK(f.n == 3, "multipart: three fields");
	CHECK_STR(form_value(&f, "title"), "Hello, world", "multipart: text");
	CHECK(form_get(&f, "title") && form_get(&f, "title")->filename == NULL,
	    "multipart: text field has no filename");
	CHECK_STR(form_value(&f, "desc"), "line1\r\nline2\r\n",
	    "multipart: CRLF inside text kept");

	buf_init(&want);
	buf_append(&want, mp_file, sizeof(mp_file));
	buf_appends(&want, "\r\n--" "----WebKitFormBoundary7MA4YWxkTrZu0g");
	fld = form_get(&f, "photo");
	CHECK(fld != NULL && fld->len == want.len &&
	    memcmp(fld->value, want.data, want.len) == 0 &&
	    fld->value[fld->len] == '\0',
	    "multipart: binary file byte-exact (NUL, CR, LF, --)");
	CHECK_STR(fld ? fld->filename : NULL, "a \"b\".bin",
	    "multipart: filename with \\\" escapes");
	CHECK_STR(fld ? fld->content_type : NULL, "application/octet-stream",
	    "multipart: part content type");
	buf_free(&want);
	form_free(&f);

	/* Every truncation before the closing "--" is refused. */
	buf_reset(&b);
	mp_body(&b, 0);
	{
		size_t	i, bad = 0;

		for (i = 0; i < b.len; i++) {
			form_init(&f);
			if (form_parse_multipart(&f, MP_CT, b.data, i) != -1)
				bad++;
			form_free(&f);
		}
		CHECK(bad == 0, "multipart: every truncated body refused");
		form_init(&f);
		CHECK(form_parse_multipart(&f, MP_CT, b.data, b.len) == 0 &&
		    f.n == 3, "multipart: without epilogue parses");
		form_free(&f);
	}
	buf_free(&b);
}

/* A body whose second header line is exactly linelen bytes long. */
static void
mp_long_header(struct buf *b, size_t linelen)
{
	size_t		start;

	buf_init(b);
	buf_appends(b, "--x\r\nContent-Disposition: form-data; name=a\r\n");
	start = b->len;
	buf_appends(b, "X-Pad: ");
	while (b->len - start < linelen)
		buf_appendc(b, 'p');
	buf_appends(b, "\r\n\r\nv\r\n--x--");
}

static void
test_multipart_refused(void)
{
	struct form	 f;
	struct buf	 b;
	char		 bnd[FORM_MAX_BOUNDARY + 2];

	CHECK(mp_s(MP_CT, "--" BND "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n",
	    &f) == -1,
	    "multipart: missing final boundary refused");
	form_free(&f);
	CHECK(mp_s(MP_CT, "no boundary at all", &f) == -1,
	    "multipart: body without boundary refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data", "--x\r\n\r\nv\r\n--x--", &f) == -1,
	    "multipart: no boundary param refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=", "--\r\n--", &f) == -1,
	    "multipart: empty boundary refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=\"x", "--x--", &f) == -1,
	    "multipart: unterminated quoted boundary refused");
	form_free(&f);
	CHECK(mp_s("text/plain; boundary=x", "--x--", &f) == -1,
	    "multipart: wrong media type refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=x", "--x\n"
	    "Content-Disposition: form-data; name=\"a\"\n\nv\n--x--", &f) == -1,
	    "multipart: bare LF refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=x", "--x\r\n"
	    "Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n"
	    "v\r\n--x--", &f) == -1, "multipart: repeated name param refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=x", "--x\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Disposition: form-data; name=\"b\"\r\n\r\n"
	    "v\r\n--x--", &f) == -1, "multipart: repeated disposition refused");
	form_free(&f);
	CHECK(mp_s("multipart/form-data; boundary=x", "--x\r\n"
	    "Garbage without colon\r\n\r\nv\r\n--x--", &f) == -1,
	    "multipart: header without colon refused");
	form_free(&f);

	memset(bnd, 'b', FORM_MAX_BOUNDARY + 1);
	bnd[FORM_MAX_BOUNDARY + 1] = '\0';
	buf_init(&b);
	buf_appendf(&b, "multipart/form-data; boundary=%s", bnd);
	CHECK(mp_s(b.data, "--x--", &f) == -1, "multipart: 71-char boundary "
	    "refused");
	form_free(&f);
	buf_free(&b);

	/* A 70-char boundary is fine. */
	bnd[FORM_MAX_BOUNDARY] = '\0';
	buf_init(&b);
	buf_appendf(&b, "--%s\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "v\r\n--%s--", bnd, bnd);
	{
		struct buf	ct;

		buf_init(&ct);
		buf_appendf(&ct, "multipart/form-data; boundary=%s", bnd);
		CHECK(mp_s(ct.data, b.data, &f) == 0 &&
		    form_value(&f, "a") != NULL, "multipart: 70-char boundary "
		    "and unquoted name accepted");
		form_free(&f);
		buf_free(&ct);
	}
	buf_free(&b);

	/* Header line of 1025 bytes refused; 1024 accepted. */
	mp_long_header(&b, FORM_MAX_HEADER_LINE);
	CHECK(mp_s("multipart/form-data; boundary=x", b.data, &f) == 0 &&
	    form_get(&f, "a") != NULL,
	    "multipart: 1024-byte header line accepted");
	form_free(&f);
	buf_free(&b);
	mp_long_header(&b, FORM_MAX_HEADER_LINE + 1);
	CHECK(mp_s("multipart/form-data; boundary=x", b.data, &f) == -1,
	    "multipart: 1025-byte header line refused");
	form_free(&f);
	buf_free(&b);
}

static void
test_multipart_misc(void)
{
	struct form	f;

	CHECK(mp_s("multipart/form-data; boundary=\"simple boundary\"",
	    "--simple boundary\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--simple boundary--\r\n", &f) == 0 &&
	    f.n == 1 && strcmp(f.fields[0].value, "1") == 0,
	    "multipart: quoted boundary with space");
	form_free(&f);

	CHECK(mp_s("Multipart/Form-Data; charset=utf-8; BOUNDARY=zz",
	    "--zz\r\n"
	    "Content-Disposition: form-data; filename=\"nameless.txt\"\r\n"
	    "\r\nskip me\r\n"
	    "--zz\r\n"
	    "Content-Type: text/plain\r\n\r\nno disposition\r\n"
	    "--zz\r\n"
	    "Content-Disposition: attachment; name=\"att\"\r\n\r\nx\r\n"
	    "--zz\r\n"
	    "Content-Disposition: form-data; name=\"kept\"; filename=\"\"\r\n"
	    "\r\n\r\n"
	    "--zz--", &f) == 0, "multipart: nameless parts parse");
	CHECK(f.n == 1, "multipart: parts without a name skipped");
	CHECK(form_get(&f, "kept") != NULL && form_get(&f, "kept")->len == 0 &&
	    form_get(&f, "kept")->filename != NULL &&
	    form_get(&f, "kept")->filename[0] == '\0',
	    "multipart: empty file part keeps filename \"\"");
	form_free(&f);

	CHECK(mp_s("multipart/form-data; boundary=x",
	    "--x\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\na\r\n"
	    "--x\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nb\r\n"
	    "--x--", &f) == 0 && form_count(&f, "t") == 2 &&
	    strcmp(form_get_nth(&f, "t", 1)->value, "b") == 0,
	    "multipart: repeated fields in order");
	form_free(&f);
}

static void
test_body(void)
{
	struct form	 f;
	const char	*mp;

	form_init(&f);
	CHECK(form_parse_body(&f, "application/json; charset=utf-8",
	    "{\"a\":\"1\"}", 9) == 0 && form_get(&f, "a") != NULL,
	    "body: application/json with charset");
	form_free(&f);
	form_init(&f);
	CHECK(form_parse_body(&f, "Application/JSON", "{\"a\":1", 6) == -1,
	    "body: json errors propagate");
	form_free(&f);
	form_init(&f);
	CHECK(form_parse_body(&f,
	    "application/x-www-form-urlencoded; charset=UTF-8", "a=1&a=2", 7)
	    == 0 && form_count(&f, "a") == 2, "body: urlencoded");
	form_free(&f);
	mp = "--q\r\nContent-Disposition: form-data; name=m\r\n\r\nv\r\n--q--";
	form_init(&f);
	CHECK(form_parse_body(&f, "multipart/form-data; boundary=q", mp,
	    strlen(mp)) == 0 && form_get(&f, "m") != NULL, "body: multipart");
	form_free(&f);
	form_init(&f);
	CHECK(form_parse_body(&f, "text/plain", "a=1", 3) == FORM_UNSUPPORTED,
	    "body: text/plain is -2");
	CHECK(form_parse_body(&f, "application/jsonp", "{}", 2) == -2,
	    "body: application/jsonp is -2");
	CHECK(form_parse_body(&f, NULL, NULL, 0) == 0, "body: none, empty ok");
	CHECK(form_parse_body(&f, "", "a=1", 3) == -1,
	    "body: no type with data refused");
	CHECK(f.n == 0, "body: refused dispatch adds nothing");
	form_free(&f);
}

/* Login CSRF rests on this (app/guard.c): only JSON types are JSON. */
static void
test_is_json(void)
{
	CHECK(form_is_json("application/json"), "json");
	CHECK(form_is_json("Application/JSON; charset=utf-8"),
	    "json, any case, with a charset");
	CHECK(form_is_json("  application/json"), "json after spaces");
	CHECK(!form_is_json(NULL), "no header");
	CHECK(!form_is_json(""), "empty header");
	CHECK(!form_is_json("text/plain"), "text/plain");
	CHECK(!form_is_json("application/x-www-form-urlencoded"), "a form");
	CHECK(!form_is_json("multipart/form-data; boundary=x"), "multipart");
	CHECK(!form_is_json("application/jsonp"), "a longer type");
	CHECK(!form_is_json("text/plain; x=application/json"),
	    "json only in a parameter");
}

int
main(void)
{
	test_urlencoded();
	test_urlencoded_limits();
	test_json();
	test_json_flattened();
	test_json_refused();
	test_json_bounded();
	test_multipart();
	test_multipart_refused();
	test_multipart_misc();
	test_body();
	test_is_json();
	UNIT_DONE("test_form");
}

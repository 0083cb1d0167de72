/*
 * Unit tests for app/tmpl.c: rendering semantics, the load-time HTML
 * context checks, partial linking and URL neutralisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "tmpl.h"
#include "unit.h"

static char	 out_s[16384];
static char	 err_s[512];

static const char	*render_ctx(const char *, const char *, const char *);
static const char	*render(const char *, const char *);
static const char	*load_err(const char *);
static const char	*set_err(const char *const *, size_t);
static int		 contains(const char *, const char *);
static void		 name_cb(const char *, const char *, void *);
static void		 test_values(void);
static void		 test_sections(void);
static void		 test_lookup(void);
static void		 test_raw(void);
static void		 test_contexts(void);
static void		 test_section_contexts(void);
static void		 test_partials(void);
static void		 test_depth(void);
static void		 test_urls(void);
static void		 test_syntax(void);
static void		 test_errors(void);
static void		 test_api(void);
static void		 test_speed(void);

/*
 * Load src as template "t", render it with the JSON site and page roots
 * (site may be NULL) and return the output in a static buffer, or NULL
 * if anything failed (the error is in err_s).
 */
static const char *
render_ctx(const char *src, const char *site, const char *page)
{
	struct tmpl_set	*set;
	struct buf	 b;
	json_t		*ctx[2];
	size_t		 n;
	const char	*ret;

	ret = NULL;
	n = 0;
	buf_init(&b);
	set = tmpl_set_new();
	if (tmpl_set_add(set, "t", src, strlen(src), err_s,
	    sizeof(err_s)) == -1 ||
	    tmpl_set_link(set, err_s, sizeof(err_s)) == -1) {
		printf("# load error: %s\n", err_s);
		goto out;
	}
	if (site != NULL)
		ctx[n++] = json_loads(site, 0, NULL);
	ctx[n++] = json_loads(page, 0, NULL);
	if (ctx[n - 1] == NULL || ctx[0] == NULL) {
		printf("# bad test JSON\n");
		goto out;
	}
	if (tmpl_render(set, "t", ctx, n, &b) == 0) {
		snprintf(out_s, sizeof(out_s), "%s", b.data ? b.data : "");
		ret = out_s;
	}

out:
	while (n > 0)
		json_decref(ctx[--n]);
	buf_free(&b);
	tmpl_set_free(set);
	return (ret);
}

static const char *
render(const char *src, const char *page)
{
	return (render_ctx(src, NULL, page));
}

/* NULL if src loads and links as "t", else the error message. */
static const char *
load_err(const char *src)
{
	const char	*pair[2];

	pair[0] = "t";
	pair[1] = src;
	return (set_err(pair, 1));
}

/* Load n (name, source) pairs and link; NULL or the error message. */
static const char *
set_err(const char *const *pairs, size_t n)
{
	struct tmpl_set	*set;
	size_t		 i;
	const char	*ret;

	ret = err_s;
	set = tmpl_set_new();
	for (i = 0; i < n; i++) {
		if (tmpl_set_add(set, pairs[2 * i], pairs[2 * i + 1],
		    strlen(pairs[2 * i + 1]), err_s, sizeof(err_s)) == -1)
			goto out;
	}
	if (tmpl_set_link(set, err_s, sizeof(err_s)) == -1)
		goto out;
	ret = NULL;
out:
	tmpl_set_free(set);
	return (ret);
}

static int
contains(const char *s, const char *sub)
{
	return (s != NULL && strstr(s, sub) != NULL);
}

static void
test_values(void)
{
	CHECK_STR(render("[{{x}}]", "{\"x\":\"<a href=\\\"x\\\">&'\"}"),
	    "[&lt;a href=&quot;x&quot;&gt;&amp;&#39;]",
	    "all five HTML characters are escaped");
	CHECK_STR(render("<p title=\"{{x}}\">", "{\"x\":\"\\\"'><\"}"),
	    "<p title=\"&quot;&#39;&gt;&lt;\">",
	    "escaped inside a quoted attribute");
	CHECK_STR(render("{{a}} {{b}} {{c}}",
	    "{\"a\":42,\"b\":-7,\"c\":0}"), "42 -7 0", "integers");
	CHECK_STR(render("{{a}}",
	    "{\"a\":-9223372036854775807}"), "-9223372036854775807",
	    "large negative integer");
	CHECK_STR(render("{{a}} {{b}} {{c}} {{d}}",
	    "{\"a\":1.5,\"b\":0.1,\"c\":1e20,\"d\":-2.0}"),
	    "1.5 0.1 1e+20 -2", "reals in short form");
	CHECK_STR(render("[{{t}}|{{f}}|{{n}}|{{m}}|{{o}}|{{l}}]",
	    "{\"t\":true,\"f\":false,\"n\":null,\"o\":{\"a\":1},"
	    "\"l\":[1]}"), "[true|||||]",
	    "true, false, null, missing, object, array");
	CHECK_STR(render("{{ x }}|{{x}}", "{\"x\":\"y\"}"), "y|y",
	    "whitespace inside tags");
	CHECK_STR(render("a{{! a comment }}b{{!\n}}c", "{}"), "abc",
	    "comments render nothing");
}

static void
test_sections(void)
{
	CHECK_STR(render("{{#l}}[{{n}}]{{/l}}",
	    "{\"l\":[{\"n\":\"a\"},{\"n\":\"b\"}]}"), "[a][b]",
	    "section over array of objects");
	CHECK_STR(render("{{#l}}[{{.}}]{{/l}}", "{\"l\":[1,\"x\",true]}"),
	    "[1][x][true]", "section over array of scalars with {{.}}");
	CHECK_STR(render("{{#o}}{{o.a}}-{{o.b}}|{{a}}{{/o}}",
	    "{\"o\":{\"a\":1,\"b\":2}}"), "1-2|",
	    "section over an object is a test: its names are not pushed");
	CHECK_STR(render("{{#me}}<form action=\"/projects/{{id}}/like\">"
	    "{{me.id}}{{/me}}",
	    "{\"id\":2,\"me\":{\"id\":9,\"username\":\"x\"}}"),
	    "<form action=\"/projects/2/like\">9",
	    "inside {{#me}}, {{id}} is the page's id, not the viewer's");
	CHECK_STR(render("{{#l}}{{#me}}{{id}}{{/me}}{{/l}}",
	    "{\"me\":{\"id\":9},\"l\":[{\"id\":1},{\"id\":2}]}"),
	    "12", "an object section inside a list keeps the element");
	CHECK_STR(render("{{#s}}({{.}}){{/s}}", "{\"s\":\"hi\"}"), "(hi)",
	    "section over truthy string renders once");
	CHECK_STR(render("{{#n}}({{.}}){{/n}}", "{\"n\":3}"), "(3)",
	    "section over truthy integer");
	CHECK_STR(render("{{#o}}x{{/o}}", "{\"o\":{}}"), "x",
	    "empty object is truthy");
	CHECK_STR(render("{{#a}}x{{/a}}{{#b}}x{{/b}}{{#c}}x{{/c}}"
	    "{{#d}}x{{/d}}{{#e}}x{{/e}}{{#f}}x{{/f}}{{#g}}x{{/g}}",
	    "{\"a\":[],\"b\":\"\",\"c\":0,\"d\":0.0,\"e\":false,"
	    "\"f\":null}"), "", "falsy values skip sections");
	CHECK_STR(render("{{^a}}A{{/a}}{{^b}}B{{/b}}{{^c}}C{{/c}}"
	    "{{^d}}D{{/d}}{{^e}}E{{/e}}",
	    "{\"a\":[],\"b\":\"\",\"c\":0,\"d\":[1],\"e\":\"x\"}"),
	    "ABC", "inverted renders only for falsy");
	CHECK_STR(render("{{^m}}none{{/m}}", "{}"), "none",
	    "inverted renders for missing");
	CHECK_STR(render("{{#a}}{{#b}}{{c}}{{/b}}{{/a}}",
	    "{\"a\":[{\"b\":[{\"c\":1},{\"c\":2}]},{\"b\":[{\"c\":3}]}]}"),
	    "123", "nested sections");
}

static void
test_lookup(void)
{
	CHECK_STR(render("{{a.b.c}}|{{a.x.c}}|{{s.x}}",
	    "{\"a\":{\"b\":{\"c\":\"deep\"}},\"s\":\"str\"}"), "deep||",
	    "dotted names, missing and non-object segments");
	CHECK_STR(render("{{#items}}{{name}}:{{title}};{{/items}}",
	    "{\"title\":\"outer\",\"items\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\",\"title\":\"inner\"}]}"),
	    "a:outer;b:inner;", "inner shadows outer, falls back to outer");
	CHECK_STR(render("{{#l}}{{a.b}}{{/l}}",
	    "{\"l\":[{\"a\":{}}],\"a\":{\"b\":\"outer\"}}"), "",
	    "first segment found stops the search");
	CHECK_STR(render_ctx("{{name}}|{{site}}|{{t.x}}",
	    "{\"name\":\"site\",\"site\":\"S\",\"t\":{\"x\":\"T\"}}",
	    "{\"name\":\"page\"}"), "page|S|T",
	    "last root searched first, then earlier roots");
	CHECK_STR(render("{{#o}}{{#o.l}}{{.}}{{/o.l}}{{/o}}",
	    "{\"o\":{\"l\":[\"x\",\"y\"]}}"), "xy",
	    "dotted section inside an object section");
	CHECK_STR(render("[{{.}}]", "{\"a\":1}"), "[]",
	    "{{.}} of the root object renders nothing");
	CHECK_STR(render("{{#l.0}}<ul>{{#l}}<li>{{.}}</li>{{/l}}</ul>"
	    "{{/l.0}}{{^l}}none{{/l}}|{{l.1}}|{{l.9}}|{{l.x}}",
	    "{\"l\":[\"a\",\"b\"]}"), "<ul><li>a</li><li>b</li></ul>|b||",
	    "array elements by index: a list shown only when it has items");
	CHECK_STR(render("{{#l.0}}<ul>{{/l.0}}{{^l}}none{{/l}}",
	    "{\"l\":[]}"), "none", "index 0 of an empty array is falsy");
}

static void
test_raw(void)
{
	CHECK(contains(load_err("{{{x}}}"), "_html"),
	    "{{{x}}} refused for a name not ending in _html");
	CHECK(load_err("{{{body}}}") != NULL,
	    "{{{body}}} refused");
	CHECK(load_err("{{{x_htmlx}}}") != NULL,
	    "{{{x_htmlx}}} refused");
	CHECK_STR(render("<div>{{{body_html}}}</div>",
	    "{\"body_html\":\"<b>&amp;'</b>\"}"), "<div><b>&amp;'</b></div>",
	    "{{{body_html}}} output raw");
	CHECK_STR(render("{{{ project.body_html }}}",
	    "{\"project\":{\"body_html\":\"<i>x</i>\"}}"), "<i>x</i>",
	    "{{{project.body_html}}} with dotted name");
	CHECK(load_err("<p title=\"{{{a_html}}}\">") != NULL,
	    "{{{x_html}}} refused inside an attribute");
	CHECK(load_err("<title>{{{a_html}}}</title>") != NULL,
	    "{{{x_html}}} refused inside <title>");
}

static void
test_contexts(void)
{
	CHECK(contains(load_err("<a href={{u}}>"), "unquoted"),
	    "unquoted URL attribute refused");
	CHECK(contains(load_err("<div class=x{{u}}>"), "unquoted"),
	    "variable inside unquoted value refused");
	CHECK(contains(load_err("<div {{x}}>"), "attribute name"),
	    "variable in attribute name position refused");
	CHECK(load_err("<div a=\"1\" {{x}}>") != NULL,
	    "variable after an attribute refused");
	CHECK(load_err("<div data-{{x}}=\"1\">") != NULL,
	    "variable inside an attribute name refused");
	CHECK(contains(load_err("<{{x}}>"), "tag name"),
	    "variable as tag name refused");
	CHECK(load_err("<di{{x}}>") != NULL,
	    "variable inside a tag name refused");
	CHECK(contains(load_err("<script>var a = \"{{x}}\";</script>"),
	    "<script>"), "variable in <script> refused");
	CHECK(load_err("<SCRIPT type=\"text/template\">{{x}}</SCRIPT>") !=
	    NULL, "variable in upper-case <SCRIPT> refused");
	CHECK(contains(load_err("<style>p { color: {{c}} }</style>"),
	    "<style>"), "variable in <style> refused");
	CHECK(load_err("<script>a = '</scripty>{{x}}';</script>") != NULL,
	    "'</scripty>' does not end <script>");
	CHECK(load_err("<script>1</script>{{x}}<style>a{}</style >{{y}}")
	    == NULL, "variables after </script> and </style > accepted");
	CHECK(load_err("<title>{{x}}</title><textarea>{{y}}</textarea>")
	    == NULL, "variables in <title> and <textarea> accepted");
	CHECK_STR(render("<title>{{x}}</title>",
	    "{\"x\":\"</title><script>\"}"),
	    "<title>&lt;/title&gt;&lt;script&gt;</title>",
	    "variable escaped in <title>");
	CHECK(load_err("<title><a title=\"</title><script>\">{{x}}") !=
	    NULL, "tags inside <title> are not parsed");
	CHECK(contains(load_err("<a onclick=\"go({{x}})\">"), "onclick"),
	    "variable in onclick refused");
	CHECK(load_err("<a OnMouseOver='{{x}}'>") != NULL,
	    "variable in single-quoted OnMouseOver refused");
	CHECK(contains(load_err("<p style=\"color: {{c}}\">"), "style"),
	    "variable in style attribute refused");
	CHECK(load_err("<img srcset=\"{{s}}\">") != NULL,
	    "variable in srcset refused");
	CHECK(load_err("<iframe srcdoc=\"{{s}}\"></iframe>") != NULL,
	    "variable in srcdoc refused");
	CHECK(contains(load_err("<!-- {{x}} -->"), "comment"),
	    "variable in HTML comment refused");
	CHECK(load_err("<!-- a -- b {{x}} -->") != NULL,
	    "'--' alone does not end a comment");
	CHECK(load_err("<!-- a --!>{{x}}") == NULL,
	    "'--!>' ends a comment as in browsers");
	CHECK(load_err("<!-->{{x}}") == NULL,
	    "'<!-->' is an empty comment");
	CHECK(load_err("<!DOCTYPE html>{{x}}") == NULL,
	    "variable after <!DOCTYPE> accepted");
	CHECK(load_err("<![CDATA[ x ]]>") != NULL, "CDATA refused");
	CHECK(load_err("<script><!--</script>") != NULL,
	    "'<!--' inside <script> refused");
	CHECK(load_err("<p class=\"a {{c}}\" id='{{i}}' data-x=\"{{d}}\">"
	    "{{t}}</p>") == NULL, "variables in quoted plain attributes");
	CHECK(load_err("<div a=\"1\"") != NULL,
	    "template ending inside a tag refused");
	CHECK(load_err("<p>1 < 2 {{x}}</p>") == NULL,
	    "'<' followed by space is text");
}

static void
test_section_contexts(void)
{
	const char	*li = "<li{{#active}} class=\"on\"{{/active}}>x</li>";

	CHECK(contains(load_err("{{#x}}<a href=\"{{/x}}\">"),
	    "different HTML context"), "section context mismatch refused");
	CHECK(load_err("<a href=\"{{#x}}\">{{/x}}") != NULL,
	    "section opened in value, closed in text refused");
	CHECK_STR(render(li, "{\"active\":true}"),
	    "<li class=\"on\">x</li>", "conditional attribute, on");
	CHECK_STR(render(li, "{\"active\":false}"), "<li>x</li>",
	    "conditional attribute, off");
	CHECK(load_err("<scr{{#a}}ipt{{/a}}>{{x}}") != NULL,
	    "section splitting a tag name refused");
	CHECK(contains(load_err("<li{{#a}}x{{/a}}>"), "split"),
	    "section followed by tag name characters refused");
	CHECK(load_err("<a {{#x}}on{{/x}}click=\"{{y}}\">") != NULL,
	    "section inside an attribute name refused");
	CHECK(load_err("<p class=\"a{{#b}} b{{/b}}\">") == NULL,
	    "section inside a quoted value accepted");
	CHECK(load_err("{{#a}}<!--{{/a}}-->") != NULL,
	    "section starting a comment refused");
	CHECK(load_err("<a{{! c }}b{{x}}>") != NULL,
	    "comment tags are transparent to the tokenizer");
	CHECK(load_err("<option{{#s}} selected{{/s}}{{^s}}{{/s}}>") ==
	    NULL, "several sections after a tag name");
	CHECK_STR(render("<option{{#s}} selected{{/s}}>", "{\"s\":1}"),
	    "<option selected>", "boolean attribute in a section");
	CHECK(load_err("<a{{#x}} href{{/x}}=\"{{u}}\">") != NULL,
	    "'=' after a section ending an attribute name refused");
	CHECK(load_err("<a{{#x}} href {{/x}} =\">{{u}}\">") != NULL,
	    "'=' after spaces after such a section refused");
	CHECK(load_err("<a h{{#x}}ref{{/x}}=\"{{u}}\">") != NULL,
	    "section splitting an attribute name refused");
}

static void
test_partials(void)
{
	const char	*ok[] = { "page", "<ul>{{#l}}{{> item}}{{/l}}</ul>",
	    "item", "<li>{{n}}</li>" };
	const char	*unknown[] = { "page", "a {{>nope}}" };
	const char	*self[] = { "a", "x{{> a}}" };
	const char	*two[] = { "a", "{{> b}}",
	    "b", "{{#x}}{{> a}}{{/x}}" };
	const char	*intag[] = { "a", "<div {{> b}}>", "b", "x" };
	const char	*open[] = { "a", "{{> b}}x", "b", "<div" };
	struct tmpl_set	*set;
	struct buf	 b;
	json_t		*ctx;
	int		 i, r;

	CHECK(set_err(ok, 2) == NULL, "partials link");
	set = tmpl_set_new();
	for (i = 0; i < 2; i++)
		(void)tmpl_set_add(set, ok[2 * i], ok[2 * i + 1],
		    strlen(ok[2 * i + 1]), NULL, 0);
	ctx = json_loads("{\"l\":[{\"n\":\"a<\"},{\"n\":2}]}", 0, NULL);
	buf_init(&b);
	r = tmpl_render(set, "page", &ctx, 1, &b);
	CHECK(r == -1, "render before link fails");
	CHECK(tmpl_set_link(set, NULL, 0) == 0, "link without err buffer");
	r = tmpl_render(set, "page", &ctx, 1, &b);
	CHECK(r == 0, "render after link");
	CHECK_STR(b.data, "<ul><li>a&lt;</li><li>2</li></ul>",
	    "partial rendered with the section context");
	CHECK(tmpl_render(set, "nope", &ctx, 1, &b) == -1,
	    "render of unknown template fails");
	buf_free(&b);
	json_decref(ctx);
	tmpl_set_free(set);

	CHECK(contains(set_err(unknown, 1), "page:1: unknown partial 'nope'"),
	    "unknown partial refused");
	CHECK(contains(set_err(self, 1), "cycle"), "self-cycle refused");
	CHECK(contains(set_err(two, 2), "cycle"), "2-cycle refused");
	CHECK(contains(set_err(intag, 2), "partial"),
	    "partial inside a tag refused");
	CHECK(contains(set_err(open, 2), "b:1: template ends inside"),
	    "partial ending inside a tag refused");
}

/* A chain p0 -> p1 -> ... -> p<n>, added in order or reversed. */
static void
test_depth(void)
{
	char		 names[12][8], srcs[12][32];
	const char	*pairs[24];
	int		 n, i, k, rev;

	for (rev = 0; rev < 2; rev++) {
		for (n = 8; n <= 9; n++) {
			for (i = 0; i <= n; i++) {
				k = rev ? n - i : i;
				snprintf(names[k], sizeof(names[k]), "p%d", i);
				if (i < n)
					snprintf(srcs[k], sizeof(srcs[k]),
					    "<b>{{> p%d}}</b>", i + 1);
				else
					snprintf(srcs[k], sizeof(srcs[k]),
					    "leaf");
				pairs[2 * k] = names[k];
				pairs[2 * k + 1] = srcs[k];
			}
			if (n == 8)
				CHECK(set_err(pairs, (size_t)n + 1) == NULL,
				    "partial depth 8 accepted");
			else
				CHECK(contains(set_err(pairs, (size_t)n + 1),
				    "deeper than 8"),
				    "partial depth 9 refused");
		}
	}
}

static void
test_urls(void)
{
	const char	*a = "<a href=\"{{u}}\">";
	const char	*bad[] = {
		"{\"u\":\"javascript:alert(1)\"}",
		"{\"u\":\" JaVaScRiPt:alert(1)\"}",
		"{\"u\":\"\\tjavascript:alert(1)\"}",
		"{\"u\":\"java\\nscript:alert(1)\"}",
		"{\"u\":\"\\u0001javascript:alert(1)\"}",
		"{\"u\":\"data:text/html,<script>alert(1)</script>\"}",
		"{\"u\":\"vbscript:msgbox(1)\"}",
		"{\"u\":\"//evil.com\"}",
		"{\"u\":\"/\\\\evil.com\"}",
		"{\"u\":\"\\\\\\\\evil.com\"}",
		"{\"u\":\"/\\t/evil.com\"}",
		"{\"u\":\"ftp://x\"}",
		NULL
	};
	char		 what[128];
	int		 i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(what, sizeof(what), "URL neutralised: %s", bad[i]);
		CHECK_STR(render(a, bad[i]), "<a href=\"#\">", what);
	}
	CHECK_STR(render(a, "{\"u\":\"https://x/?a=1&b=2\"}"),
	    "<a href=\"https://x/?a=1&amp;b=2\">", "https URL kept, escaped");
	CHECK_STR(render(a, "{\"u\":\"HTTP://x\"}"), "<a href=\"HTTP://x\">",
	    "upper-case http kept");
	CHECK_STR(render(a, "{\"u\":\"/p/1\"}"), "<a href=\"/p/1\">",
	    "absolute path kept");
	CHECK_STR(render(a, "{\"u\":\"?a=1\"}"), "<a href=\"?a=1\">",
	    "query kept");
	CHECK_STR(render(a, "{\"u\":\"#top\"}"), "<a href=\"#top\">",
	    "fragment kept");
	CHECK_STR(render(a, "{\"u\":\"mailto:a@b\"}"),
	    "<a href=\"mailto:a@b\">", "mailto kept");
	CHECK_STR(render(a, "{\"u\":\"p/a:b\"}"), "<a href=\"p/a:b\">",
	    "':' after '/' is not a scheme");
	CHECK_STR(render(a, "{\"u\":\"  /p\"}"), "<a href=\"/p\">",
	    "leading whitespace stripped");
	CHECK_STR(render(a, "{\"u\":5}"), "<a href=\"5\">",
	    "integer in URL");
	CHECK_STR(render("<a HREF = '{{u}}'>", "{\"u\":\"javascript:x\"}"),
	    "<a HREF = '#'>", "upper-case name, spaces around '='");
	CHECK_STR(render("<img src=\"{{u}}\"><form action='{{u}}'>",
	    "{\"u\":\"javascript:x\"}"), "<img src=\"#\"><form action='#'>",
	    "src and action are URL attributes");
	CHECK_STR(render("<a href=\"{{a}}{{b}}\">",
	    "{\"a\":\"\",\"b\":\"javascript:x\"}"), "<a href=\"#\">",
	    "second variable at the start is checked too");
	CHECK_STR(render("<a href=\"page{{n}}\">", "{\"n\":\"script:x\"}"),
	    "<a href=\"page#\">", "variable completing a scheme neutralised");
	CHECK_STR(render("<a href=\"/{{s}}\">", "{\"s\":\"/evil.com\"}"),
	    "<a href=\"/#\">", "'/' + '/x' neutralised");
	CHECK_STR(render("<a href=\"/p/{{s}}\">",
	    "{\"s\":\"javascript:x\"}"), "<a href=\"/p/javascript:x\">",
	    "variable after the path start is not a scheme");
	CHECK_STR(render("<a href=\"mailto:{{e}}\">", "{\"e\":\"a@b\"}"),
	    "<a href=\"mailto:a@b\">", "literal mailto: with variable");
	CHECK(contains(load_err("<a href=\"{{u}}:x\">"), "':'"),
	    "literal ':' after a start variable refused");
	CHECK(load_err("<a href=\"{{u}}script:x\">") != NULL,
	    "literal scheme characters then ':' after a variable refused");
	CHECK(load_err("<a href=\"javascript:go('{{x}}')\">") != NULL,
	    "variable inside a javascript: URL refused");
	CHECK(load_err("<a href=\"&#106;avascript:{{x}}\">") != NULL,
	    "character reference before the scheme refused");
	CHECK(load_err("<a href=\"javascript:void(0)\">") == NULL,
	    "static javascript: URL without variables accepted");
	CHECK(load_err("<a href=\"{{#u}}{{u}}{{/u}}\">") != NULL,
	    "section changing the URL position refused");
	CHECK(load_err("<a href=\"/p/{{id}}{{#f}}#{{f}}{{/f}}\">") == NULL,
	    "section after the URL start accepted");
}

static void
test_syntax(void)
{
	const char	*slash[] = { "t", "{{> a/b-c.d}}", "a/b-c.d", "x" };

	CHECK(contains(load_err("{{#a}}x"), "never closed"),
	    "unclosed section refused");
	CHECK(contains(load_err("x{{/a}}"), "without an open"),
	    "close without open refused");
	CHECK(contains(load_err("{{#a}}{{#b}}{{/a}}{{/b}}"), "closes"),
	    "mismatched sections refused");
	CHECK(contains(load_err("a {{x"), "unclosed '{{'"),
	    "unclosed '{{' refused");
	CHECK(contains(load_err("a {{{x_html}}"), "unclosed '{{{'"),
	    "unclosed '{{{' refused");
	CHECK(contains(load_err("{{}}"), "empty"), "empty name refused");
	CHECK(load_err("{{ # }}x{{/}}") != NULL, "empty section name refused");
	CHECK(load_err("{{a..b}}") != NULL, "empty segment refused");
	CHECK(load_err("{{.a}}") != NULL, "leading dot refused");
	CHECK(load_err("{{a.}}") != NULL, "trailing dot refused");
	CHECK(load_err("{{a b}}") != NULL, "space in name refused");
	CHECK(load_err("{{a<b}}") != NULL, "'<' in name refused");
	CHECK(load_err("{{&x}}") != NULL, "{{&x}} refused");
	CHECK(load_err("{{=<% %>=}}") != NULL, "delimiter change refused");
	CHECK(set_err(slash, 2) == NULL, "partial names may contain '/'");
	CHECK(load_err("{{# a-b_c.d1 }}{{/ a-b_c.d1 }}") == NULL,
	    "valid name characters with whitespace");
}

static void
test_errors(void)
{
	const char	*dup[] = { "a", "x", "a", "y" };
	const char	*e;

	e = load_err("<p>\n\n<a href={{u}}>\n</p>");
	CHECK(e != NULL && strncmp(e, "t:3: ", 5) == 0,
	    "error names template and line 3");
	e = load_err("<p>\n{{#a}}\n<b>\n{{/b}}");
	CHECK(e != NULL && strncmp(e, "t:4: ", 5) == 0,
	    "mismatch reported on the closing line");
	e = load_err("{{! multi\nline }}\n{{x");
	CHECK(e != NULL && strncmp(e, "t:3: ", 5) == 0,
	    "lines inside comments are counted");
	CHECK(contains(set_err(dup, 2), "a:1: "), "duplicate template refused");
}

struct seen {
	int	 txy;
	int	 items;
	int	 dot;
};

static void
name_cb(const char *name, const char *tmpl, void *arg)
{
	struct seen	*s;

	s = arg;
	if (strcmp(name, "t.x.y") == 0 && strcmp(tmpl, "p") == 0)
		s->txy++;
	if (strcmp(name, "items") == 0)
		s->items++;
	if (strcmp(name, ".") == 0)
		s->dot++;
}

static void
test_api(void)
{
	struct tmpl_set	*set;
	struct seen	 s;
	const char	*src = "{{t.x.y}}{{#items}}{{.}}{{/items}}{{^items}}"
			    "{{/items}}";

	set = tmpl_set_new();
	CHECK(tmpl_set_add(set, "p", src, strlen(src), NULL, 0) == 0,
	    "add without err buffer");
	CHECK(tmpl_exists(set, "p") == 1, "tmpl_exists finds p");
	CHECK(tmpl_exists(set, "q") == 0, "tmpl_exists misses q");
	memset(&s, 0, sizeof(s));
	tmpl_set_foreach_name(set, name_cb, &s);
	CHECK(s.txy == 1, "foreach_name reports t.x.y with its template");
	CHECK(s.items == 2, "foreach_name reports section names");
	CHECK(s.dot == 0, "foreach_name skips '.'");
	tmpl_set_free(set);
}

static void
test_speed(void)
{
	struct tmpl_set	*set;
	struct buf	 b, src;
	json_t		*ctx[2], *items, *it;
	char		 err[256];
	clock_t		 t0;
	double		 secs;
	int		 i, r;
	size_t		 len;

	buf_init(&src);
	buf_appends(&src, "<!DOCTYPE html>\n<html lang=\"{{lang}}\">\n"
	    "<head><meta charset=\"utf-8\">\n<title>{{title}} - "
	    "{{t.site}}</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/app.css\">\n</head>\n<body>\n");
	buf_appends(&src, "<nav>\n<a href=\"/\">{{t.nav.home}}</a>\n"
	    "<a href=\"/projects\">{{t.nav.projects}}</a>\n"
	    "{{#user}}<a href=\"/u/{{user.id}}\">{{user.name}}</a>{{/user}}\n"
	    "{{^user}}<a href=\"/login\">{{t.nav.login}}</a>{{/user}}\n"
	    "</nav>\n<main>\n<h1>{{title}}</h1>\n");
	for (i = 0; i < 8; i++)
		buf_appends(&src, "<p class=\"lead\">{{intro}}</p>\n");
	buf_appends(&src, "<ul class=\"projects\">\n{{#items}}\n"
	    "<li{{#featured}} class=\"featured\"{{/featured}}>\n"
	    "<a href=\"{{url}}\">{{name}}</a>\n"
	    "<span class=\"by\">{{owner.name}}</span>\n"
	    "<span class=\"n\">{{likes}}</span>\n"
	    "{{#tags}}<span class=\"tag\">{{.}}</span>{{/tags}}\n"
	    "</li>\n{{/items}}\n{{^items}}<li>{{t.empty}}</li>{{/items}}\n"
	    "</ul>\n");
	for (i = 0; i < 10; i++)
		buf_appends(&src, "<div class=\"row\"><span>{{t.footer}}"
		    "</span></div>\n");
	buf_appends(&src, "</main>\n<footer>{{{footer_html}}}</footer>\n"
	    "</body>\n</html>\n");

	set = tmpl_set_new();
	r = tmpl_set_add(set, "page", src.data, src.len, err, sizeof(err));
	if (r == 0)
		r = tmpl_set_link(set, err, sizeof(err));
	CHECK(r == 0, "speed template loads");
	if (r != 0)
		printf("# %s\n", err);

	ctx[0] = json_pack("{s:s, s:{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, "
	    "s:s}}", "lang", "en", "t", "site", "Makerspace", "empty", "None",
	    "nav", "home", "Home", "projects", "Projects", "login", "Log in",
	    "footer", "Footer & more", "x", "y", "z", "w");
	items = json_array();
	for (i = 0; i < 24; i++) {
		it = json_pack("{s:s, s:s, s:b, s:{s:s}, s:i, s:[s,s]}",
		    "name", "Project <3", "url", "/p/123",
		    "featured", i % 3 == 0,
		    "owner", "name", "O'Brien", "likes", i, "tags", "laser",
		    "wood");
		json_array_append_new(items, it);
	}
	ctx[1] = json_pack("{s:s, s:s, s:o, s:{s:i, s:s}, s:s}", "title",
	    "Projects", "intro", "Things \"we\" make.", "items", items, "user",
	    "id", 7, "name", "Ann", "footer_html", "<b>bye</b>");

	buf_init(&b);
	len = 0;
	t0 = clock();
	for (i = 0; i < 20000; i++) {
		buf_reset(&b);
		(void)tmpl_render(set, "page", ctx, 2, &b);
		len = b.len;
	}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(len > 4000 && strstr(b.data, "O&#39;Brien") != NULL,
	    "speed template renders the list");
	printf("# speed: %zu-byte page, %d-byte template, 20000 renders in "
	    "%.3f s (%.1f us/render)\n", len, (int)src.len, secs,
	    secs * 1e6 / 20000);

	buf_free(&b);
	buf_free(&src);
	json_decref(ctx[0]);
	json_decref(ctx[1]);
	tmpl_set_free(set);
}

int
main(void)
{
	test_values();
	test_sections();
	test_lookup();
	test_raw();
	test_contexts();
	test_section_contexts();
	test_partials();
	test_depth();
	test_urls();
	test_syntax();
	test_errors();
	test_api();
	test_speed();

	UNIT_DONE("tmpl");
}

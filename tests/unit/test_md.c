/*
 * test_md: md_render() behaviour, XSS vectors and pathological input.
 *
 * mkdir -p build && cc -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
 *     -fsanitize=address,undefined -fno-omit-frame-pointer -Iapp \
 *     app/md.c app/buf.c tests/unit/test_md.c -lcmark -o build/test_md
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "md.h"
#include "unit.h"

/*
 * A 64 KiB input renders in BUDGET_MS of CPU time of the rendering
 * thread, or in BUDGET_TIMES the CPU time of 64 KiB of plain prose
 * measured in the same run when that is more.  CPU time, not wall time,
 * and a ratio on a slow machine: a quadratic blow-up costs seconds,
 * while a machine shared with other work only delays the thread or slows
 * every render alike (on 2 busy cores wall times of 100-600 ms and CPU
 * times of up to 130 ms were seen for inputs that take 30-60 ms idle).
 * An input over the budget is measured again at half its size: it fails
 * only when halving it does not at least about halve the time (the
 * cost grows faster than the input: GROWTH_MAX; linear is 2, quadratic
 * 4), so a family near the budget on a busy machine is not a failure.
 */
#define BUDGET_MS	100.0
#define BUDGET_TIMES	40.0
#define GROWTH_MAX	3.0

struct family {
	const char	*name;
	const char	*pre;	/* once at the start */
	const char	*a;	/* repeated up to afrac % of the cap */
	int		 afrac;
	const char	*mid;	/* once */
	const char	*b;	/* repeated up to the cap */
	size_t		(*gen)(char *, size_t);	/* else this */
};

static char	*html_of(const char *);
static int	 html_ok(const char *, const char **);
static int	 tag_ok(const char **, const char **);
static int	 attr_ok(const char *, const char *, size_t, int *, int *);
static int	 url_prefix(const char *, size_t, const char *);
static int	 contains_ci(const char *, size_t, const char *);
static void	 check_vector(const char *, const char *);
static void	 check_exact(const char *, const char *, const char *);
static void	 test_basic(void);
static void	 test_xss(void);
static void	 test_links(void);
static void	 test_images(void);
static void	 test_mentions(void);
static void	 test_text(void);
static void	 test_limits(void);
static void	 test_pathological(void);
static size_t	 fill(char *, size_t, const struct family *);
static size_t	 put(char *, size_t, size_t, const char *);
static size_t	 gen_backticks(char *, size_t);
static size_t	 gen_deep_lists(char *, size_t);
static size_t	 gen_indent_growth(char *, size_t);
static size_t	 gen_many_refs(char *, size_t);
static size_t	 gen_ref_collisions(char *, size_t);
static size_t	 gen_ref_amplify(char *, size_t);
static size_t	 gen_invalid_utf8(char *, size_t);
static size_t	 gen_emph_wrap(char *, size_t, const char *);
static size_t	 gen_emph_mentions(char *, size_t);
static size_t	 gen_emph_links(char *, size_t);
static double	 ms_since(const struct timespec *);

/* Render and hand back the HTML (caller frees), NULL if refused. */
static char *
html_of(const char *src)
{
	struct md_result	 r;
	char			*html;

	if (md_render(src, strlen(src), &r) != 0)
		return (NULL);
	html = r.html;
	r.html = NULL;
	md_result_free(&r);
	return (html);
}

/*
 * The safety invariant, also asserted by the fuzzer: every '<' opens an
 * allowed tag with allowed, double-quoted attributes; hrefs are
 * http(s)/mailto (with rel) or site-relative/#fragment (without rel);
 * img src is site-relative; no href/src starts with javascript:,
 * vbscript: or data:; no on* attribute.  Text (also alt and title) is
 * escaped by construction, so this covers all markup.
 */
static int
html_ok(const char *h, const char **why)
{
	const char	*p;

	for (p = h; (p = strchr(p, '<')) != NULL;) {
		p++;
		if (!tag_ok(&p, why))
			return (0);
	}
	return (1);
}

static int
tag_ok(const char **pp, const char **why)
{
	static const char	*tags[] = { "a", "p", "em", "strong", "code",
	    "pre", "blockquote", "ul", "ol", "li", "hr", "br", "img", "h1",
	    "h2", "h3", "h4", "h5", "h6", NULL };
	const char		*p, *name, *attr, *val;
	size_t			 nlen, alen, vlen, i;
	int			 outside, hasrel;

	p = *pp;
	if (*p == '/')
		p++;
	for (name = p; (*p >= 'a' && *p <= 'z') || (*p >= '1' && *p <= '6');)
		p++;
	nlen = (size_t)(p - name);
	for (i = 0; tags[i] != NULL; i++) {
		if (strlen(tags[i]) == nlen &&
		    strncmp(tags[i], name, nlen) == 0)
			break;
	}
	if (tags[i] == NULL) {
		*why = "tag not allowed";
		return (0);
	}
	outside = hasrel = 0;
	for (;;) {
		if (p[0] == '>' || (p[0] == ' ' && p[1] == '/' && p[2] == '>'))
			break;
		if (*p++ != ' ') {
			*why = "junk in tag";
			return (0);
		}
		for (attr = p; *p >= 'a' && *p <= 'z'; p++)
			;
		alen = (size_t)(p - attr);
		if (p[0] != '=' || p[1] != '"') {
			*why = "attribute not name=\"value\"";
			return (0);
		}
		for (val = p += 2; *p != '"' && *p != '\0'; p++) {
			if (*p == '<' || *p == '>') {
				*why = "< or > in attribute";
				return (0);
			}
		}
		if (*p++ != '"') {
			*why = "unterminated attribute";
			return (0);
		}
		vlen = (size_t)(p - 1 - val);
		if (!attr_ok(name, attr, alen, &outside, &hasrel)) {
			*why = "attribute not allowed";
			return (0);
		}
		if (((alen == 4 && strncmp(attr, "href", 4) == 0) ||
		    (alen == 3 && strncmp(attr, "src", 3) == 0)) &&
		    (url_prefix(val, vlen, "javascript:") ||
		    url_prefix(val, vlen, "vbscript:") ||
		    url_prefix(val, vlen, "data:") ||
		    strcspn(val, " \"'<>\t\n\\") < vlen)) {
			*why = "dangerous or unescaped href/src";
			return (0);
		}
		if (alen == 4 && strncmp(attr, "href", 4) == 0) {
			if (url_prefix(val, vlen, "http:") ||
			    url_prefix(val, vlen, "https:") ||
			    url_prefix(val, vlen, "mailto:"))
				outside = 1;
			else if (!(vlen > 0 && val[0] == '#') && !(vlen > 0 &&
			    val[0] == '/' && (vlen == 1 || (val[1] != '/' &&
			    val[1] != '\\')))) {
				*why = "href not allowed";
				return (0);
			}
		}
		if (alen == 3 && strncmp(attr, "src", 3) == 0 && !(vlen > 0 &&
		    val[0] == '/' && (vlen == 1 || (val[1] != '/' &&
		    val[1] != '\\')))) {
			*why = "img src not site-relative";
			return (0);
		}
		if (alen == 3 && strncmp(attr, "rel", 3) == 0 &&
		    (vlen != strlen("nofollow ugc noopener") ||
		    strncmp(val, "nofollow ugc noopener", vlen) != 0)) {
			*why = "wrong rel";
			return (0);
		}
	}
	if (outside != hasrel) {
		*why = outside ? "outside link without rel" :
		    "rel on a site-relative link";
		return (0);
	}
	*pp = p;
	return (1);
}

static int
attr_ok(const char *tag, const char *attr, size_t alen, int *outside,
    int *hasrel)
{
	static const char	*ok[] = { "a href", "a rel", "a title",
	    "a class", "img src", "img alt", "img title", "img loading",
	    "ol start", "code class", NULL };
	char			 key[64];
	size_t			 tlen, i;

	(void)outside;
	for (tlen = 0; tag[tlen] >= 'a' && tag[tlen] <= 'z'; tlen++)
		;
	if (tlen + alen + 2 > sizeof(key))
		return (0);
	snprintf(key, sizeof(key), "%.*s %.*s", (int)tlen, tag, (int)alen,
	    attr);
	if (strcmp(key, "a rel") == 0)
		*hasrel = 1;
	for (i = 0; ok[i] != NULL; i++) {
		if (strcmp(ok[i], key) == 0)
			return (1);
	}
	return (0);
}

static int
url_prefix(const char *v, size_t len, const char *p)
{
	size_t	i, plen;
	char	c;

	if ((plen = strlen(p)) > len)
		return (0);
	for (i = 0; i < plen; i++) {
		c = (v[i] >= 'A' && v[i] <= 'Z') ? v[i] - 'A' + 'a' : v[i];
		if (c != p[i])
			return (0);
	}
	return (1);
}

static int
contains_ci(const char *s, size_t len, const char *needle)
{
	size_t	i, nlen;

	nlen = strlen(needle);
	for (i = 0; i + nlen <= len; i++) {
		if (url_prefix(s + i, len - i, needle))
			return (1);
	}
	return (0);
}

/* An XSS vector: safe output, no script, no dangerous scheme anywhere. */
static void
check_vector(const char *src, const char *what)
{
	const char	*why;
	char		*h, msg[256];

	h = html_of(src);
	why = "render failed";
	snprintf(msg, sizeof(msg), "xss %s: markup safe", what);
	CHECK(h != NULL && html_ok(h, &why), msg);
	if (h == NULL)
		return;
	snprintf(msg, sizeof(msg), "xss %s: no <script, javascript:, "
	    "vbscript:, data:, onerror anywhere in output", what);
	CHECK(!contains_ci(h, strlen(h), "<script") &&
	    !contains_ci(h, strlen(h), "javascript:") &&
	    !contains_ci(h, strlen(h), "vbscript:") &&
	    !contains_ci(h, strlen(h), "data:") &&
	    !contains_ci(h, strlen(h), "onerror"), msg);
	if (!html_ok(h, &why))
		printf("#   %s: %s\n#   output: %s", what, why, h);
	free(h);
}

static void
check_exact(const char *src, const char *want, const char *what)
{
	const char	*why;
	char		*h;

	h = html_of(src);
	CHECK_STR(h, want, what);
	why = "render failed";
	CHECK(h != NULL && html_ok(h, &why), what);
	free(h);
}

static void
test_basic(void)
{
	check_exact("# Title\n", "<h1>Title</h1>\n", "heading");
	check_exact("*em* **strong**", "<p><em>em</em> <strong>strong</strong>"
	    "</p>\n", "emphasis");
	check_exact("- a\n- b\n", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
	    "bullet list");
	check_exact("3. a\n4. b\n", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n"
	    "</ol>\n", "ordered list with start");
	check_exact("`a<b`", "<p><code>a&lt;b</code></p>\n",
	    "code span escaped");
	check_exact("```c\nint x = 1 < 2;\n```\n", "<pre><code class=\""
	    "language-c\">int x = 1 &lt; 2;\n</code></pre>\n", "fenced code");
	check_exact("> q\n", "<blockquote>\n<p>q</p>\n</blockquote>\n",
	    "block quote");
	check_exact("a & b < c", "<p>a &amp; b &lt; c</p>\n", "text escaped");
	check_exact("", "", "empty input");
}

static void
test_xss(void)
{
	check_vector("<script>alert(1)</script>", "raw <script> block");
	check_vector("x <script>alert(1)</script> y", "inline <script>");
	check_exact("x <script>alert(1)</script> y", "<p>x alert(1) y</p>\n",
	    "inline raw HTML dropped, text kept");
	check_vector("<img src=x onerror=alert(1)>", "raw img onerror");
	check_vector("a <img src=x onerror=alert(1)> b", "inline img onerror");
	check_vector("<a href=\"javascript:alert(1)\">x</a>",
	    "raw a javascript");
	check_vector("[x](javascript:alert(1))", "javascript: link");
	check_exact("[x](javascript:alert(1))", "<p>x</p>\n",
	    "javascript: link keeps text only");
	check_vector("[x](JAVASCRIPT:alert(1))", "upper-case scheme");
	check_vector("[x](JaVaScRiPt:alert(1))", "mixed-case scheme");
	check_vector("[x]( javascript:alert(1))", "leading space");
	check_vector("[x](<\tjavascript:alert(1)>)", "leading tab");
	check_vector("[x](&#x09;javascript:alert(1))", "leading tab entity");
	check_vector("[x](<java&#9;script:alert(1)>)", "tab inside scheme");
	check_vector("[x](vbscript:msgbox(1))", "vbscript:");
	check_vector("[x](data:text/html;base64,PHNjcmlwdD4=)", "data: link");
	check_vector("![x](data:image/png;base64,iVBORw0KGgo=)", "data: image");
	check_vector("![x](javascript:alert(1))", "javascript: image");
	check_vector("[x](&#106;avascript:alert(1))", "entity-encoded j");
	check_exact("[x](&#106;avascript:alert(1))", "<p>x</p>\n",
	    "entity-encoded scheme dropped");
	check_vector("[x](javascript&#58;alert(1))", "entity-encoded colon");
	check_vector("[x](javascript&colon;alert(1))", "&colon; entity");
	/* Percent-encoding is not decoded: no allowed prefix, dropped. */
	check_vector("[x](java%73cript:alert(1))", "percent-encoded scheme");
	check_exact("[x](java%73cript:alert(1))", "<p>x</p>\n",
	    "percent-encoded scheme dropped");
	check_exact("[x](file:///etc/passwd)", "<p>x</p>\n", "file: dropped");
	check_exact("[x](foo/bar)", "<p>x</p>\n", "page-relative dropped");
	/* An autolink's text is its URL: kept as inert text, not a link. */
	check_exact("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n",
	    "javascript: autolink becomes plain text");
	check_exact("[x](\"onmouseover=alert(1))", "<p>x</p>\n",
	    "quote-led URL dropped");
	/* Breakout attempts: the on* text stays inside escaped values. */
	check_exact("[a\" onmouseover=\"x](/p \"t\\\" onclick=\\\"y\")",
	    "<p><a href=\"/p\" title=\"t&quot; onclick=&quot;y\">a&quot; "
	    "onmouseover=&quot;x</a></p>\n", "breakout via title and text");
	check_exact("![a\" onerror=\"x](/media/a.png)", "<p><img src=\"/media/"
	    "a.png\" alt=\"a&quot; onerror=&quot;x\" loading=\"lazy\" /></p>\n",
	    "breakout via alt");
	check_exact("[x](</a\" onclick=\"y>)", "<p><a href=\"/a%22%20onclick="
	    "%22y\">x</a></p>\n", "breakout via href");
	check_vector("<!-- x --> <?php x ?> <![CDATA[x]]>", "html comments");
}

static void
test_links(void)
{
	check_exact("<http://ok.example>", "<p><a href=\"http://ok.example\" "
	    "rel=\"nofollow ugc noopener\">http://ok.example</a></p>\n",
	    "http autolink kept with rel");
	check_exact("[x](https://e.com/a?b=1&c=2)", "<p><a href=\"https://e.com"
	    "/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">x</a></p>\n",
	    "https link with rel, & escaped");
	check_exact("[x](HTTPS://E.COM)", "<p><a href=\"HTTPS://E.COM\" "
	    "rel=\"nofollow ugc noopener\">x</a></p>\n",
	    "upper-case https kept");
	check_exact("<me@example.com>", "<p><a href=\"mailto:me@example.com\" "
	    "rel=\"nofollow ugc noopener\">me@example.com</a></p>\n",
	    "email autolink is mailto with rel");
	check_exact("[x](/projects/1)",
	    "<p><a href=\"/projects/1\">x</a></p>\n",
	    "site-relative link, no rel");
	check_exact("[x](#top)", "<p><a href=\"#top\">x</a></p>\n",
	    "fragment link, no rel");
	check_exact("[x](//evil.com)", "<p>x</p>\n", "//evil.com dropped");
	check_exact("[x](/\\evil.com)", "<p>x</p>\n", "/\\evil.com dropped");
	check_exact("[x](http://e.com \"a \\\"q\\\" 'b' <c>\")",
	    "<p><a href=\"http://e.com\" rel=\"nofollow ugc noopener\" "
	    "title=\"a &quot;q&quot; &#39;b&#39; &lt;c&gt;\">x</a></p>\n",
	    "title with quotes escaped");
	check_exact("[x](/a\"b)", "<p><a href=\"/a%22b\">x</a></p>\n",
	    "double quote in href percent-encoded");
	check_exact("[x](</a'b>)", "<p><a href=\"/a&#39;b\">x</a></p>\n",
	    "single quote in href entity-escaped");
	check_exact("[x](</a b<c>)", "<p>[x](&lt;/a b)</p>\n",
	    "< ends a <> destination; the raw <c> is dropped");
	check_exact("[x](</a b>)", "<p><a href=\"/a%20b\">x</a></p>\n",
	    "space percent-encoded");
	check_exact("[x](/caf\xc3\xa9)",
	    "<p><a href=\"/caf%C3%A9\">x</a></p>\n",
	    "UTF-8 in href percent-encoded");
	check_exact("[*a* `c`](/x)", "<p><a href=\"/x\"><em>a</em> <code>c"
	    "</code></a></p>\n", "link children kept");
	check_exact("[x][r]\n\n[r]: javascript:alert(1)\n", "<p>x</p>\n",
	    "reference link with bad URL dropped");
	check_exact("[x][r]\n\n[r]: /ok\n", "<p><a href=\"/ok\">x</a></p>\n",
	    "reference link kept");
}

static void
test_images(void)
{
	check_exact("![a photo](/media/x.jpg)", "<p><img src=\"/media/x.jpg\" "
	    "alt=\"a photo\" loading=\"lazy\" /></p>\n",
	    "site image kept with loading=lazy");
	check_exact("![a *b* `c`](/media/x.jpg \"T\")", "<p><img src=\"/media/"
	    "x.jpg\" alt=\"a b c\" title=\"T\" loading=\"lazy\" /></p>\n",
	    "alt is plain text, title kept");
	check_exact("![y](https://x/y.png)", "<p><a href=\"https://x/y.png\" "
	    "rel=\"nofollow ugc noopener\">y</a></p>\n",
	    "remote image becomes outside link");
	check_exact("![](http://x/y.png)", "<p><a href=\"http://x/y.png\" "
	    "rel=\"nofollow ugc noopener\">http://x/y.png</a></p>\n",
	    "remote image without alt links with URL text");
	check_exact("![pic](//evil.com/x.png)", "<p>pic</p>\n",
	    "protocol-relative image becomes alt text");
	check_exact("![pic](mailto:a@b.c)", "<p>pic</p>\n",
	    "mailto image becomes alt text");
	check_exact("![a<b](javascript:alert(1))", "<p>a&lt;b</p>\n",
	    "javascript image becomes escaped alt");
	check_exact("[![i](/media/i.png)](https://x)",
	    "<p><a href=\"https://x\" rel=\"nofollow ugc noopener\">"
	    "<img src=\"/media/i.png\" alt=\"i\" loading=\"lazy\" />"
	    "</a></p>\n", "image inside link");
	check_exact("![a [l](javascript:x) <b>](/media/i.png)", "<p><img "
	    "src=\"/media/i.png\" alt=\"a l \" loading=\"lazy\" /></p>\n",
	    "link and html inside alt flattened");
}

static void
test_mentions(void)
{
	struct md_result	 r;
	char			 src[512];
	size_t			 i;
	const char		*s;

	s = "hi @Alice and @bob_99, @alice again";
	CHECK(md_render(s, strlen(s), &r) == 0, "mentions render");
	CHECK_STR(r.html, "<p>hi <a class=\"mention\" href=\"/u/alice\">@Alice"
	    "</a> and <a class=\"mention\" href=\"/u/bob_99\">@bob_99</a>, "
	    "<a class=\"mention\" href=\"/u/alice\">@alice</a> again</p>\n",
	    "mentions linked, href lower-cased, text as written");
	CHECK(r.nmentions == 2, "mentions deduplicated case-insensitively");
	CHECK(r.nmentions == 2 && strcmp(r.mentions[0], "alice") == 0 &&
	    strcmp(r.mentions[1], "bob_99") == 0,
	    "mentions lower-cased, ordered");
	md_result_free(&r);
	CHECK(r.html == NULL && r.nmentions == 0, "md_result_free zeroes");

	s = "`@code` [@link](/x) ![@alt](/media/a.png) a@b.com x.@dot "
	    "_@und @ab @" "abcdefghijabcdefghijabcdefghijabc" "\n\n"
	    "    @indented\n\n```\n@fenced\n```\n";
	CHECK(md_render(s, strlen(s), &r) == 0, "non-mentions render");
	CHECK(r.nmentions == 0, "no mention in code, link, alt, email, "
	    "after . or _, too short, too long");
	CHECK(strstr(r.html, "mention") == NULL, "no mention markup emitted");
	md_result_free(&r);

	s = "(@abc) @abc_d. **@xyz**\n@Q_Q_Q";
	CHECK(md_render(s, strlen(s), &r) == 0, "edge mentions render");
	CHECK(r.nmentions == 4 && strcmp(r.mentions[0], "abc") == 0 &&
	    strcmp(r.mentions[1], "abc_d") == 0 &&
	    strcmp(r.mentions[2], "xyz") == 0 &&
	    strcmp(r.mentions[3], "q_q_q") == 0,
	    "mentions after '(', before '.', in strong, after line break");
	CHECK(strstr(r.html, "<strong><a class=\"mention\" href=\"/u/xyz\">"
	    "@xyz</a></strong>") != NULL, "mention inside strong");
	md_result_free(&r);

	src[0] = '\0';
	for (i = 0; i < 25; i++)
		snprintf(src + strlen(src), sizeof(src) - strlen(src),
		    "@user%02zu ", i);
	CHECK(md_render(src, strlen(src), &r) == 0, "25 mentions render");
	CHECK(r.nmentions == MD_MAX_MENTIONS, "mentions capped at 20");
	CHECK(strcmp(r.mentions[19], "user19") == 0, "first 20 kept in order");
	CHECK(strstr(r.html, "href=\"/u/user24\"") != NULL,
	    "mentions past the cap still linked");
	md_result_free(&r);
}

static void
test_text(void)
{
	check_exact("智能花盆 3D打印", "<p>智能花盆 3D打印</p>\n",
	    "CJK intact");
	check_exact("🎉👩‍🔬 done", "<p>🎉👩‍🔬 done</p>\n",
	    "emoji with ZWJ intact");
	check_exact("**粗体** @张三", "<p><strong>粗体</strong> @张三</p>\n",
	    "CJK emphasis; non-ASCII name is no mention");
	check_exact("a\xff" "b\xc3(c",
	    "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd(c</p>\n",
	    "invalid UTF-8 replaced by U+FFFD");
	check_exact("[x](/\xff)", "<p><a href=\"/%EF%BF%BD\">x</a></p>\n",
	    "invalid UTF-8 in URL replaced then encoded");
}

static void
test_limits(void)
{
	struct md_result	 r, before;
	char			*big;

	if ((big = malloc(MD_MAX_INPUT + 2)) == NULL)
		abort();
	memset(big, 'a', MD_MAX_INPUT + 1);
	big[MD_MAX_INPUT + 1] = '\0';

	memset(&before, 0x5a, sizeof(before));
	memcpy(&r, &before, sizeof(r));
	CHECK(md_render(big, MD_MAX_INPUT + 1, &r) == -1,
	    "MD_MAX_INPUT + 1 refused");
	CHECK(memcmp(&r, &before, sizeof(r)) == 0,
	    "refused input leaves result untouched");

	CHECK(md_render(big, MD_MAX_INPUT, &r) == 0,
	    "exactly MD_MAX_INPUT accepted");
	CHECK(r.html_len == MD_MAX_INPUT + 8 && strlen(r.html) == r.html_len,
	    "html_len matches");
	md_result_free(&r);

	CHECK(md_render(NULL, 0, &r) == 0 && strcmp(r.html, "") == 0,
	    "NULL, 0 renders empty");
	md_result_free(&r);
	free(big);

	/* The pre-pass limits degrade gracefully, never unsafely. */
	check_exact("> > > > > > > > > > > > > > > > > > x\n", "<blockquote>\n"
	    "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n"
	    "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n"
	    "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n"
	    "<blockquote>\n<blockquote>\n<blockquote>\n<p>&gt; &gt; x</p>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n",
	    "nesting capped at 16 containers");
}

static size_t
put(char *b, size_t n, size_t cap, const char *s)
{
	size_t	len;

	len = strlen(s);
	if (n + len > cap)
		return (n);
	memcpy(b + n, s, len);
	return (n + len);
}

static size_t
fill(char *b, size_t cap, const struct family *f)
{
	size_t	n, m, acap;

	if (f->gen != NULL)
		return (f->gen(b, cap));
	n = f->pre ? put(b, 0, cap, f->pre) : 0;
	acap = cap * (size_t)f->afrac / 100;
	if (f->a != NULL && f->a[0] != '\0') {
		while ((m = put(b, n, acap, f->a)) != n)
			n = m;
	}
	if (f->mid != NULL)
		n = put(b, n, cap, f->mid);
	if (f->b != NULL && f->b[0] != '\0') {
		while ((m = put(b, n, cap, f->b)) != n)
			n = m;
	}
	return (n);
}

static size_t
gen_backticks(char *b, size_t cap)
{
	size_t	n, i, k;

	for (n = 0, i = 1; n + i + 1 <= cap; i++) {
		b[n++] = 'e';
		for (k = 0; k < i; k++)
			b[n++] = '`';
	}
	return (n);
}

/* "* a" lines each indented two more: issue cmark#255. */
static size_t
gen_deep_lists(char *b, size_t cap)
{
	size_t	n, i, k;

	for (n = 0, i = 0; n + 2 * i + 4 <= cap; i++) {
		for (k = 0; k < i; k++)
			n = put(b, n, cap, "  ");
		n = put(b, n, cap, "* a\n");
	}
	return (n);
}

/* Each line re-indents to the deepest item and opens 16 more, then text. */
static size_t
gen_indent_growth(char *b, size_t cap)
{
	size_t	n, i, k, ind;

	for (n = 0, ind = 0, i = 0; n + ind + 40 < cap / 2; i++) {
		for (k = 0; k < ind; k++)
			b[n++] = ' ';
		for (k = 0; k < 16; k++)
			n = put(b, n, cap, "- ");
		n = put(b, n, cap, "a\n");
		ind += 32;
	}
	while (n + 2 <= cap)
		n = put(b, n, cap, "_]");
	return (n);
}

static size_t
gen_many_refs(char *b, size_t cap)
{
	char	tmp[32];
	size_t	n, i;

	for (n = 0, i = 1; ; i++) {
		snprintf(tmp, sizeof(tmp), "[%zu]: u\n", i);
		if (n + strlen(tmp) > cap * 3 / 4)
			break;
		n = put(b, n, cap, tmp);
	}
	while (n + 4 <= cap)
		n = put(b, n, cap, "[0] ");
	return (n);
}

/* Labels that collide in cmark-gfm's 16-bucket refmap hash. */
static size_t
gen_ref_collisions(char *b, size_t cap)
{
	char		key[32], bad[32], line[96];
	unsigned int	h;
	unsigned long	c;
	size_t		n, nkeys;
	const char	*p;

	bad[0] = '\0';
	for (n = 0, nkeys = 0, c = 0; ; c++) {
		snprintf(key, sizeof(key), "x%lu", c);
		for (h = 0, p = key; *p != '\0'; p++)
			h = (unsigned int)*p + (h << 6) + (h << 16) - h;
		if (h % 16 != 0)
			continue;
		if (nkeys++ == 0) {
			snprintf(bad, sizeof(bad), "%s", key);
			continue;
		}
		snprintf(line, sizeof(line), "[%s]: /url\n\n[%s]\n\n", key,
		    bad);
		if (n + strlen(line) > cap)
			break;
		n = put(b, n, cap, line);
	}
	return (n);
}

/* One 32 KiB reference URL used 10000 times: output size, not time. */
static size_t
gen_ref_amplify(char *b, size_t cap)
{
	size_t	n;

	n = put(b, 0, cap, "[a]: /");
	memset(b + n, 'x', cap / 2);
	n += cap / 2;
	n = put(b, n, cap, "\n\n");
	while (n + 3 <= cap)
		n = put(b, n, cap, "[a]");
	return (n);
}

static size_t
gen_invalid_utf8(char *b, size_t cap)
{
	size_t	n;

	for (n = 0; n + 3 <= cap; n += 3) {
		b[n] = (char)0xff;
		b[n + 1] = (char)0xc3;
		b[n + 2] = '\0';
	}
	return (n);
}

/* "*a **a " x k (1/4 of the cap), inner, then " a** a*" x k. */
static size_t
gen_emph_wrap(char *b, size_t cap, const char *inner)
{
	size_t	n, m, k, i;

	for (n = 0, k = 0; n + 7 <= cap / 4; k++)
		n = put(b, n, cap, "*a **a ");
	while ((m = put(b, n, cap - 7 * k, inner)) != n)
		n = m;
	for (i = 0; i < k; i++)
		n = put(b, n, cap, " a** a*");
	return (n);
}

static size_t
gen_emph_mentions(char *b, size_t cap)
{
	return (gen_emph_wrap(b, cap, "@abc "));
}

static size_t
gen_emph_links(char *b, size_t cap)
{
	return (gen_emph_wrap(b, cap, "[a](/x)"));
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	return ((double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

static const struct family families[] = {
	{ "nested strong emph", NULL, "*a **a ", 50, "b", " a** a*", NULL },
	{ "emph closers a_", NULL, NULL, 0, NULL, "a_ ", NULL },
	{ "emph openers _a", NULL, NULL, 0, NULL, "_a ", NULL },
	{ "link closers a]", NULL, NULL, 0, NULL, "a]", NULL },
	{ "link openers [a", NULL, NULL, 0, NULL, "[a", NULL },
	{ "mismatched *a_", NULL, NULL, 0, NULL, "*a_ ", NULL },
	{ "multiple of 3 a**b c*", "a**b", NULL, 0, NULL, "c* ", NULL },
	{ "link openers + emph closers [ a_", NULL, NULL, 0, NULL, "[ a_",
	    NULL },
	{ "pattern [ (](", NULL, NULL, 0, NULL, "[ (](", NULL },
	{ "pattern ![[]() (CVE-2023-22486)", NULL, NULL, 0, NULL, "![[]()",
	    NULL },
	{ "![ x N then [](x) (CVE-2023-22486)", NULL, "![", 25, NULL, "[](x)",
	    NULL },
	{ "![p image openers", NULL, NULL, 0, NULL, "![p", NULL },
	{ "nested brackets [[[a]]]", NULL, "[", 50, "a", "]", NULL },
	{ "unclosed [ only", NULL, NULL, 0, NULL, "[", NULL },
	{ "[\\ repeated", NULL, NULL, 0, NULL, "[\\", NULL },
	{ "[*]( repeated", NULL, NULL, 0, NULL, "[*](", NULL },
	{ "nested block quotes > ", NULL, NULL, 0, NULL, "> ", NULL },
	{ "nested block quotes >>>", NULL, NULL, 0, NULL, ">", NULL },
	{ "> x32K then _] (S_can_contain)", NULL, ">", 50, NULL, "_]", NULL },
	{ "' *' x16K then _] (S_can_contain)", NULL, " *", 50, "a ", "_]",
	    NULL },
	{ "> - nesting one line", NULL, NULL, 0, NULL, "> - ", NULL },
	{ "- * nesting one line", NULL, NULL, 0, NULL, "- * ", NULL },
	{ "1. - nesting one line", NULL, NULL, 0, NULL, "1. - ", NULL },
	{ "deeply nested lists (cmark#255)", NULL, NULL, 0, NULL, NULL,
	    gen_deep_lists },
	{ "indentation growth then _]", NULL, NULL, 0, NULL, NULL,
	    gen_indent_growth },
	{ "thousands of - lines", NULL, NULL, 0, NULL, "-\n", NULL },
	{ "- a items", NULL, NULL, 0, NULL, "- a\n  ", NULL },
	{ "backticks e` e`` ...", NULL, NULL, 0, NULL, NULL, gen_backticks },
	{ "backtick run", NULL, NULL, 0, NULL, "`", NULL },
	{ "unclosed links [a](<b", NULL, NULL, 0, NULL, "[a](<b", NULL },
	{ "unclosed links [a](b", NULL, NULL, 0, NULL, "[a](b", NULL },
	{ "unclosed dest [label](blah", NULL, NULL, 0, NULL, "[label](blah  ",
	    NULL },
	{ "[label)](foo", NULL, NULL, 0, NULL, "[label)](foo ", NULL },
	{ "many references", NULL, NULL, 0, NULL, NULL, gen_many_refs },
	{ "reference hash collisions", NULL, NULL, 0, NULL, NULL,
	    gen_ref_collisions },
	{ "reference expansion amplification", NULL, NULL, 0, NULL, NULL,
	    gen_ref_amplify },
	{ "unclosed </ <!-- (CVE-2023-22484)", "</", NULL, 0, NULL, "<!--",
	    NULL },
	{ "inline a<!-- (cmark#457)", "a", NULL, 0, NULL, "<!--", NULL },
	{ "<!-- at line start", NULL, NULL, 0, NULL, "<!--\n", NULL },
	{ "unclosed x <?", "x ", NULL, 0, NULL, "<?", NULL },
	{ "unclosed x <![CDATA[", "x ", NULL, 0, NULL, "<![CDATA[", NULL },
	{ "unclosed x <!A", "x ", NULL, 0, NULL, "<!A ", NULL },
	{ "many <", NULL, NULL, 0, NULL, "<", NULL },
	{ "<a b=\" attribute openers", NULL, NULL, 0, NULL, "<a b=\"", NULL },
	{ "raw html pairs", NULL, NULL, 0, NULL, "<a></a>", NULL },
	{ "entities and escapes", NULL, NULL, 0, NULL,
	    "&amp;\\*&#35;&#x41;&nbsp;&foo ", NULL },
	{ "partial entities &#", NULL, NULL, 0, NULL, "&#", NULL },
	{ "cmark#389 *a then _a*_", NULL, "*a ", 33, NULL, "_a*_ ", NULL },
	{ "**_* pattern", NULL, NULL, 0, NULL, "**_* ", NULL },
	{ "_* alternation", NULL, NULL, 0, NULL, "_*", NULL },
	{ "a*** runs", NULL, NULL, 0, NULL, "a***", NULL },
	{ "pipes", NULL, NULL, 0, NULL, "|", NULL },
	{ "table-like rows", NULL, NULL, 0, NULL, "| a |\n|---|\n", NULL },
	{ "mentions inside nested emph (walk depth)", NULL, NULL, 0, NULL,
	    NULL, gen_emph_mentions },
	{ "links inside nested emph (walk depth)", NULL, NULL, 0, NULL, NULL,
	    gen_emph_links },
	{ "mentions 16 containers deep", "> - > - > - > - > - > - > - > - ",
	    NULL, 0, NULL, "@abc ", NULL },
	{ "links 16 containers deep", "- - - - - - - - - - - - - - - - ",
	    NULL, 0, NULL, "[a](http://x)", NULL },
	{ "many mentions", NULL, NULL, 0, NULL, "@abc ", NULL },
	{ "many outside links", NULL, NULL, 0, NULL, "[a](http://x)", NULL },
	{ "many bad links", NULL, NULL, 0, NULL, "[a](javascript:x)", NULL },
	{ "many site images", NULL, NULL, 0, NULL, "![a](/m/x)", NULL },
	{ "many remote images", NULL, NULL, 0, NULL, "![a](http://x)", NULL },
	{ "nested images ![![", NULL, "![", 50, "a", "](/m)", NULL },
	{ "raw HTML blocks", NULL, NULL, 0, NULL, "<div>\n\n", NULL },
	{ "invalid UTF-8", NULL, NULL, 0, NULL, NULL, gen_invalid_utf8 },
	{ "CJK", NULL, NULL, 0, NULL, "智", NULL },
	{ "hard breaks", NULL, NULL, 0, NULL, "a\\\n", NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL }
};

/* Best of 3 CPU times of rendering b (n bytes) into r (caller frees). */
static double
render_ms(const char *b, size_t n, struct md_result *r)
{
	struct timespec	 t0;
	double		 ms, t;
	int		 i;

	for (ms = 1e9, i = 0; i < 3; i++) {
		if (i > 0)
			md_result_free(r);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		if (md_render(b, n, r) != 0)
			abort();
		if ((t = ms_since(&t0)) < ms)
			ms = t;
	}
	return (ms);
}

static void
test_pathological(void)
{
	const struct family	*f;
	struct md_result	 r;
	const char		*why;
	char			*b, msg[200];
	size_t			 n;
	double			 ms, budget, half, growth;

	if ((b = malloc(MD_MAX_INPUT)) == NULL)
		abort();
	for (n = 0; n + 6 <= MD_MAX_INPUT; n += 6)
		memcpy(b + n, "words ", 6);
	budget = BUDGET_TIMES * render_ms(b, n, &r);
	md_result_free(&r);
	printf("# plain prose %zu bytes: budget %.2f ms\n", n, budget);
	if (budget < BUDGET_MS)
		budget = BUDGET_MS;
	for (f = families; f->name != NULL; f++) {
		n = fill(b, MD_MAX_INPUT, f);
		/* Best of 3: a quadratic blow-up is slow every time. */
		ms = render_ms(b, n, &r);
		printf("# %-42s %6zu in %8zu out %8.2f ms\n", f->name, n,
		    r.html_len, ms);
		growth = 0.0;
		if (ms >= budget) {
			md_result_free(&r);
			half = render_ms(b, fill(b, MD_MAX_INPUT / 2, f), &r);
			growth = half > 0.0 ? ms / half : 1e9;
			md_result_free(&r);
			(void)render_ms(b, fill(b, MD_MAX_INPUT, f), &r);
		}
		snprintf(msg, sizeof(msg), "pathological '%s' renders 64 KiB "
		    "in < %.0f ms of CPU (took %.2f ms), or at most %.0f x the "
		    "time of half of it (%.2f x)", f->name, budget, ms,
		    GROWTH_MAX, growth);
		CHECK(ms < budget || growth <= GROWTH_MAX, msg);
		why = "";
		snprintf(msg, sizeof(msg), "pathological '%s' output safe",
		    f->name);
		CHECK(html_ok(r.html, &why), msg);
		md_result_free(&r);
	}
	free(b);
}

int
main(void)
{
	test_basic();
	test_xss();
	test_links();
	test_images();
	test_mentions();
	test_text();
	test_limits();
	test_pathological();
	UNIT_DONE("test_md");
}

/*
 * md: Markdown -> safe HTML, the only place user text becomes markup.
 *
 * Rules (the site's security depends on them):
 *
 *  1. cmark parses with CMARK_OPT_VALIDATE_UTF8 (invalid UTF-8 and NUL
 *     become U+FFFD) and renders in cmark's safe mode.  Raw HTML
 *     nodes (blocks and inline) are removed from the tree, so not even
 *     cmark's "<!-- raw HTML omitted -->" placeholder is emitted.
 *  2. Before rendering, the tree is walked (cmark_iter) and every link is
 *     checked against an allow-list: "http:", "https:", "mailto:"
 *     (ASCII case-insensitive), site-relative "/..." (but not "//..." or
 *     "/\..."), and "#fragment".  The check is on the exact URL cmark
 *     decoded (entities and backslash escapes already resolved, so
 *     "&#106;avascript:" and "javascript&colon;" arrive as "javascript:").
 *     Nothing is trimmed: a URL starting with a space or control character
 *     is simply not on the list.  Percent-encoding is not decoded:
 *     "java%73cript:x" has no allowed prefix and is dropped.  A disallowed
 *     link keeps its text and loses the link.
 *  3. Every link becomes a CMARK_NODE_CUSTOM_INLINE whose on_enter is our
 *     own <a href="..."> (href percent-encoded like cmark's href escaper,
 *     & and ' as entities; title HTML-escaped) and on_exit "</a>" (both
 *     empty for a disallowed link); the children move into it.  Outside
 *     links (http, https, mailto) get rel="nofollow ugc noopener";
 *     site-relative ones get no rel.
 *     cmark's own URL filter (a deny-list) never sees a link.
 *  4. Images are kept only with a site-relative source ("/media/..."; not
 *     "//" nor "/\"), rendered by us with loading="lazy".  Any other
 *     image becomes an outside link to its URL if that is http(s), with
 *     the alt text as link text (the URL when the alt is empty), else
 *     just the alt text.
 *  5. "@name" (name = [A-Za-z0-9_]{3,32}) in text becomes
 *     <a class="mention" href="/u/name"> with the name lower-cased in the
 *     href, when the '@' starts the text node or follows a character not
 *     in [A-Za-z0-9_.], and the name is not followed by [A-Za-z0-9_].
 *     Never inside code, link text or image alt text.  The first
 *     MD_MAX_MENTIONS distinct lower-cased names are returned; further
 *     mentions are still linked.
 *  6. Text bytes are never rewritten except by cmark's UTF-8 validation
 *     and HTML escaping: CJK and emoji pass through byte-exact.
 *  7. Input over MD_MAX_INPUT is refused.  cmark 0.30.2 (Debian 12) has
 *     super-linear cases; md_prepass() bounds them with a linear rewrite
 *     of the input before parsing (see the comment there and the timing
 *     table in tests/unit/test_md.c).  Our walk does O(1) cmark calls per
 *     node and per mention, but every cmark insert walks the ancestors of
 *     the insertion point in 0.30.2 (S_can_contain), so the depth where
 *     we edit is bounded too: MD_MAX_NEST per line for blocks;
 *     if the edits would still cost over MD_MAX_WORK ancestor steps
 *     (emphasis nested thousands deep) we re-parse with emphasis off.
 *
 * Memory: cmark_render_html() output is malloc()ed and handed to the
 * caller in md_result.html (free() via md_result_free); the cmark tree is
 * freed with cmark_node_free(); cmark_node_get_*() strings belong to the
 * node.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "buf.h"
#include "md.h"

#define MD_CMARK_OPTS		CMARK_OPT_VALIDATE_UTF8
#define MD_REL			"nofollow ugc noopener"

/* Container markers (">", "-", "1.", ...) a line may open or continue. */
#define MD_MAX_NEST		16

/* Unescaped "![" image openers honoured per document. */
#define MD_MAX_IMG_OPENERS	256

/*
 * Ancestor steps our tree edits may cost (each insert is O(depth) in
 * cmark 0.30.2) before we re-parse with emphasis disabled.  A 64 KiB post
 * with 5000 links 10 deep costs 50000.
 */
#define MD_MAX_WORK		(1024 * 1024)

#define MD_NAME_MIN		3
#define MD_NAME_MAX		32

/* md_prepass() flags. */
#define MD_PRE_NOEMPH		0x01

#define MD_URL_BAD		0
#define MD_URL_LOCAL		1
#define MD_URL_OUTSIDE		2

struct md_todo {
	cmark_node	**v;
	size_t		  n;
	size_t		  cap;
};

static cmark_node	*md_parse(const char *, size_t, int, struct md_todo *);
static void		 md_prepass(struct buf *, const char *, size_t, int);
static size_t		 md_prefix(struct buf *, const char *, size_t,
			    size_t);
static size_t		 md_marker(const char *, size_t);
static int		 md_collect(cmark_node *, struct md_todo *, int);
static size_t		 md_count_at(cmark_node *);
static int		 md_is_leaf(cmark_node_type);
static void		 md_todo_add(struct md_todo *, cmark_node *);
static void		 md_fix(cmark_node *, struct md_result *,
			    struct buf *);
static void		 md_fix_link(cmark_node *, struct buf *);
static void		 md_fix_image(cmark_node *, struct buf *);
static void		 md_fix_text(cmark_node *, struct md_result *,
			    struct buf *);
static void		 md_mention(cmark_node *, const char *, size_t,
			    struct md_result *, struct buf *);
static void		 md_mention_add(struct md_result *, const char *);
static void		 md_text_before(cmark_node *, const char *, size_t,
			    struct buf *);
static const char	*md_cstr(struct buf *, const char *, size_t);
static int		 md_prev_char(cmark_node *);
static cmark_node	*md_custom(const char *, const char *);
static void		 md_replace(cmark_node *, cmark_node *, int);
static void		 md_alt(struct buf *, cmark_node *);
static void		 md_open_a(struct buf *, const char *, const char *,
			    int);
static void		 md_href(struct buf *, const char *);
static int		 md_url_kind(const char *);
static int		 md_url_local(const char *);
static int		 md_prefix_ci(const char *, const char *);
static int		 md_namechar(int);
static int		 md_lower(int);
static char		*md_strdup(const char *);

int
md_render(const char *src, size_t len, struct md_result *out)
{
	struct md_todo	 todo;
	struct buf	 scratch;
	cmark_node	*doc;
	size_t		 i;

	if (len > MD_MAX_INPUT)
		return (-1);
	if (src == NULL)
		len = 0;

	memset(out, 0, sizeof(*out));
	memset(&todo, 0, sizeof(todo));
	buf_init(&scratch);

	if ((doc = md_parse(src, len, 0, &todo)) == NULL)
		doc = md_parse(src, len, MD_PRE_NOEMPH, &todo);

	for (i = 0; i < todo.n; i++)
		md_fix(todo.v[i], out, &scratch);

	/* cmark's output is malloc()ed: md_result_free() frees it. */
	out->html = cmark_render_html(doc, MD_CMARK_OPTS);
	out->html_len = strlen(out->html);

	cmark_node_free(doc);
	buf_free(&scratch);
	free(todo.v);
	return (0);
}

void
md_result_free(struct md_result *r)
{
	size_t		i;

	free(r->html);
	for (i = 0; i < r->nmentions; i++)
		free(r->mentions[i]);
	memset(r, 0, sizeof(*r));
}

/*
 * Rewrite, parse and collect the nodes to fix.  Without MD_PRE_NOEMPH,
 * returns NULL (tree freed) when fixing them would cost more than
 * MD_MAX_WORK; with it, depth is bounded by MD_MAX_NEST and it always
 * returns the tree, which the caller frees with cmark_node_free().
 */
static cmark_node *
md_parse(const char *src, size_t len, int flags, struct md_todo *todo)
{
	struct buf	 in;
	cmark_node	*doc;

	buf_init(&in);
	md_prepass(&in, src, len, flags);

	doc = cmark_parse_document(in.len ? in.data : "", in.len,
	    MD_CMARK_OPTS);
	if (doc == NULL) {
		fputs("md: cmark_parse_document failed\n", stderr);
		abort();
	}

	todo->n = 0;
	if (md_collect(doc, todo, !(flags & MD_PRE_NOEMPH)) == -1) {
		cmark_node_free(doc);
		doc = NULL;
	}

	buf_free(&in);
	return (doc);
}

/*
 * The linear pre-pass that keeps cmark 0.30.2 linear.  Measured at the
 * 64 KiB cap, -O2, this machine (see test_md.c for every family):
 *
 *  - "![[]()" repeated (cmark 0.30.3 changelog "Fix quadratic complexity
 *    bug with repeated ![[]()"; the cmark-gfm advisory of the same bug
 *    is CVE-2023-22486): every link closer walks back over all unmatched
 *    image openers.  "![[]()" x 10922: 100-133 ms; "![" x 8K then
 *    "[](x)" x 9.8K: 126-267 ms.  Fix: after MD_MAX_IMG_OPENERS
 *    unescaped "![" the '!' is backslash-escaped, so a link closer walks
 *    at most 256 image openers: 4-5 ms after.
 *
 *  - Deep containers x many inline nodes (">" x 32K or " *" x 16K, then
 *    "_]" to the cap; found by a random two-phase search, no CVE that I
 *    know of): 0.30.2 S_can_contain() walks every ancestor on each
 *    append, so each inline node costs O(depth): 567 ms and 608 ms
 *    (1067 ms for the worst random variant).  Later cmark only walks
 *    when the child has children.  Fix: md_prefix() escapes a line's
 *    container marker once markers plus half the indentation exceed
 *    MD_MAX_NEST: 4.5 ms and 6.7 ms after.
 *
 *  - Deep inline nesting x our own edits ("*a **a " x 2.3K, 6.5K
 *    mentions or links, " a** a*" x 2.3K): each insert walks ~4.7K
 *    ancestors, 50 ms and 36 ms.  With MD_PRE_NOEMPH (used only after
 *    md_collect() found the edits would cost over MD_MAX_WORK) every
 *    unescaped '*' and '_' is escaped, which bounds inline depth: 6.4 ms
 *    and 7.0 ms after (two parses).
 *
 * The other published families (cmark's pathological_tests.py, <!--
 * CVE-2023-22484, nested brackets, backticks, references, ...) are
 * linear in 0.30.2 and under 13 ms; the cmark-gfm table/autolink CVEs do
 * not apply (no extensions).
 *
 * The cost: beyond those limits a marker, "!" or "*" shows up as a
 * literal character (also inside code, where a backslash then shows).
 * No legitimate post nests 16 containers or has 256 images.
 */
static void
md_prepass(struct buf *b, const char *s, size_t len, int flags)
{
	size_t		i, nimg;
	int		bs, esc;
	char		c;

	buf_reserve(b, len + len / 8);
	nimg = 0;
	i = 0;
	while (i < len) {
		i = md_prefix(b, s, len, i);
		bs = 0;
		for (; i < len; i++) {
			c = s[i];
			esc = bs & 1;
			bs = (c == '\\') ? bs + 1 : 0;
			if (!esc && c == '!' && i + 1 < len &&
			    s[i + 1] == '[' && ++nimg > MD_MAX_IMG_OPENERS)
				buf_appendc(b, '\\');
			else if (!esc && (flags & MD_PRE_NOEMPH) &&
			    (c == '*' || c == '_'))
				buf_appendc(b, '\\');
			buf_appendc(b, c);
			if (c == '\n' || c == '\r') {
				i++;
				break;
			}
		}
	}
}

/*
 * Copy the container prefix (indentation, '>', list markers) of the line
 * at s[i].  A line's depth is at most its markers plus half its
 * whitespace columns, not counting the one column after each marker that
 * belongs to it (on a continuation line a list level needs >= 2 columns,
 * a block quote its own '>').  Once that passes MD_MAX_NEST the marker
 * is backslash-escaped, which ends the prefix.  Returns the index after
 * the prefix.
 */
static size_t
md_prefix(struct buf *b, const char *s, size_t len, size_t i)
{
	size_t		col, ws, w, depth, mlen;
	int		after;

	col = ws = depth = 0;
	after = 0;
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t') {
			w = (s[i] == ' ') ? 1 : 4 - (col % 4);
			col += w;
			ws += w - (after ? 1 : 0);
			after = 0;
			buf_appendc(b, s[i++]);
			continue;
		}
		if ((mlen = md_marker(s + i, len - i)) == 0)
			break;
		if (++depth + ws / 2 > MD_MAX_NEST) {
			buf_append(b, s + i, mlen - 1);
			buf_appendc(b, '\\');
			buf_appendc(b, s[i + mlen - 1]);
			return (i + mlen);
		}
		buf_append(b, s + i, mlen);
		i += mlen;
		col += mlen;
		after = 1;
	}

	return (i);
}

/* Length of a block quote or list marker at s, 0 if none. */
static size_t
md_marker(const char *s, size_t len)
{
	size_t		n;

	if (s[0] == '>')
		return (1);

	if (s[0] == '-' || s[0] == '+' || s[0] == '*')
		n = 1;
	else {
		for (n = 0; n < len && n < 9 && s[n] >= '0' && s[n] <= '9'; n++)
			;
		if (n == 0 || n == len || (s[n] != '.' && s[n] != ')'))
			return (0);
		n++;
	}

	if (n < len && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' &&
	    s[n] != '\r')
		return (0);

	return (n);
}

/*
 * Collect, in document order, the links and outermost images, the text
 * nodes outside links and images (mentions), and raw HTML.  Nothing
 * inside an image is collected: md_fix_image() replaces it whole.
 * Returns -1 if checkwork and the inserts md_fix() will do would walk
 * more than MD_MAX_WORK ancestors in total.
 */
static int
md_collect(cmark_node *doc, struct md_todo *todo, int checkwork)
{
	cmark_iter		*it;
	cmark_node		*node;
	cmark_event_type	 ev;
	cmark_node_type		 type;
	size_t			 depth, inimg, inlink, inserts, work;
	int			 ret;

	ret = -1;
	depth = inimg = inlink = work = 0;
	it = cmark_iter_new(doc);

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);

		if (ev == CMARK_EVENT_EXIT) {
			depth--;
			if (type == CMARK_NODE_IMAGE)
				inimg--;
			else if (type == CMARK_NODE_LINK && inimg == 0)
				inlink--;
			continue;
		}

		inserts = 0;
		if (type == CMARK_NODE_IMAGE)
			inserts = (inimg++ == 0);
		else if (inimg > 0)
			inserts = 0;
		else if (type == CMARK_NODE_LINK) {
			inserts = 1;
			inlink++;
		} else if (type == CMARK_NODE_TEXT && inlink == 0)
			inserts = 2 * md_count_at(node);
		else if (type == CMARK_NODE_HTML_BLOCK ||
		    type == CMARK_NODE_HTML_INLINE)
			inserts = 1;

		if (inserts > 0) {
			work += inserts * (depth + 1);
			if (checkwork && work > MD_MAX_WORK)
				goto out;
			md_todo_add(todo, node);
		}
		if (!md_is_leaf(type))
			depth++;
	}

	ret = 0;
out:
	cmark_iter_free(it);
	return (ret);
}

/* Number of '@' in a text node: md_fix_text() inserts two nodes per. */
static size_t
md_count_at(cmark_node *text)
{
	const char	*s;
	size_t		 n;

	n = 0;
	if ((s = cmark_node_get_literal(text)) == NULL)
		return (0);
	while ((s = strchr(s, '@')) != NULL) {
		n++;
		s++;
	}
	return (n);
}

/* The node types cmark_iter enters but never exits. */
static int
md_is_leaf(cmark_node_type type)
{
	switch (type) {
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_THEMATIC_BREAK:
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_TEXT:
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
	case CMARK_NODE_CODE:
	case CMARK_NODE_HTML_INLINE:
		return (1);
	default:
		return (0);
	}
}

static void
md_todo_add(struct md_todo *todo, cmark_node *node)
{
	cmark_node	**v;
	size_t		  ncap;

	if (todo->n == todo->cap) {
		ncap = todo->cap ? todo->cap * 2 : 64;
		if ((v = realloc(todo->v, ncap * sizeof(*v))) == NULL) {
			fputs("md: out of memory\n", stderr);
			abort();
		}
		todo->v = v;
		todo->cap = ncap;
	}
	todo->v[todo->n++] = node;
}

static void
md_fix(cmark_node *node, struct md_result *out, struct buf *scratch)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_LINK:
		md_fix_link(node, scratch);
		break;
	case CMARK_NODE_IMAGE:
		md_fix_image(node, scratch);
		break;
	case CMARK_NODE_TEXT:
		md_fix_text(node, out, scratch);
		break;
	default:
		/* Raw HTML: gone. */
		md_replace(node, NULL, 0);
		break;
	}
}

/* Replace a link by our own <a>, or by its bare children if disallowed. */
static void
md_fix_link(cmark_node *link, struct buf *b)
{
	const char	*url;
	cmark_node	*custom;
	int		 kind;

	url = cmark_node_get_url(link);
	kind = md_url_kind(url);

	buf_reset(b);
	if (kind != MD_URL_BAD) {
		md_open_a(b, url, cmark_node_get_title(link),
		    kind == MD_URL_OUTSIDE);
		custom = md_custom(b->data, "</a>");
	} else
		custom = md_custom("", "");

	md_replace(link, custom, 1);
}

/* Keep a site-relative image (lazy), else link to it or keep its alt. */
static void
md_fix_image(cmark_node *img, struct buf *b)
{
	struct buf	 alt;
	const char	*url, *title;
	cmark_node	*repl, *text;

	buf_init(&alt);
	md_alt(&alt, img);
	url = cmark_node_get_url(img);
	title = cmark_node_get_title(img);
	repl = NULL;

	buf_reset(b);
	if (md_url_local(url) && url[0] == '/') {
		buf_appends(b, "<img src=\"");
		md_href(b, url);
		buf_appends(b, "\" alt=\"");
		buf_append_html(b, alt.data ? alt.data : "", alt.len);
		if (title != NULL && title[0] != '\0') {
			buf_appends(b, "\" title=\"");
			buf_append_html(b, title, strlen(title));
		}
		buf_appends(b, "\" loading=\"lazy\" />");
		repl = md_custom(b->data, "");
	} else if (md_prefix_ci(url, "http:") || md_prefix_ci(url, "https:")) {
		md_open_a(b, url, title, 1);
		repl = md_custom(b->data, "</a>");
		text = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(text, alt.len ? alt.data : url);
		cmark_node_append_child(repl, text);
	} else if (alt.len > 0) {
		repl = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(repl, alt.data);
	}

	md_replace(img, repl, 0);
	buf_free(&alt);
}

/* Turn the mentions in a text node into mention links. */
static void
md_fix_text(cmark_node *text, struct md_result *out, struct buf *b)
{
	const char	*s;
	size_t		 len, i, n, start;
	int		 prev;

	if ((s = cmark_node_get_literal(text)) == NULL)
		return;
	len = strlen(s);
	start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '@')
			continue;
		prev = (i == 0) ? md_prev_char(text) : (unsigned char)s[i - 1];
		for (n = 0; i + 1 + n < len && md_namechar(s[i + 1 + n]); n++)
			;
		if ((prev != -1 && (md_namechar(prev) || prev == '.')) ||
		    n < MD_NAME_MIN || n > MD_NAME_MAX) {
			i += n;
			continue;
		}
		md_text_before(text, s + start, i - start, b);
		md_mention(text, s + i, n + 1, out, b);
		i += n;
		start = i + 1;
	}

	if (start == 0)
		return;
	if (start == len) {
		md_replace(text, NULL, 0);
		return;
	}
	/* Copy first: s belongs to the node whose literal we replace. */
	cmark_node_set_literal(text, md_cstr(b, s + start, len - start));
}

/* Insert a mention link for "@name" (at, len bytes) before node. */
static void
md_mention(cmark_node *node, const char *at, size_t len,
    struct md_result *out, struct buf *b)
{
	char		 name[MD_NAME_MAX + 1];
	cmark_node	*custom, *text;
	size_t		 i;

	for (i = 1; i < len; i++)
		name[i - 1] = (char)md_lower((unsigned char)at[i]);
	name[len - 1] = '\0';
	md_mention_add(out, name);

	buf_reset(b);
	buf_appendf(b, "<a class=\"mention\" href=\"/u/%s\">", name);
	custom = md_custom(b->data, "</a>");

	text = cmark_node_new(CMARK_NODE_TEXT);
	cmark_node_set_literal(text, md_cstr(b, at, len));
	cmark_node_append_child(custom, text);

	if (!cmark_node_insert_before(node, custom))
		cmark_node_free(custom);
}

static void
md_mention_add(struct md_result *out, const char *name)
{
	size_t		i;

	if (out->nmentions == MD_MAX_MENTIONS)
		return;
	for (i = 0; i < out->nmentions; i++) {
		if (strcmp(out->mentions[i], name) == 0)
			return;
	}
	out->mentions[out->nmentions++] = md_strdup(name);
}

/* Insert a text node holding s[0..len), if not empty, before node. */
static void
md_text_before(cmark_node *node, const char *s, size_t len, struct buf *b)
{
	cmark_node	*text;

	if (len == 0)
		return;
	text = cmark_node_new(CMARK_NODE_TEXT);
	cmark_node_set_literal(text, md_cstr(b, s, len));
	if (!cmark_node_insert_before(node, text))
		cmark_node_free(text);
}

/* s[0..len) NUL-terminated in b; valid until b is next used. */
static const char *
md_cstr(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	buf_append(b, s, len);
	return (b->data);
}

/* Last byte of an adjacent preceding text node, -1 if none. */
static int
md_prev_char(cmark_node *node)
{
	cmark_node	*prev;
	const char	*s;
	size_t		 len;

	prev = cmark_node_previous(node);
	if (prev == NULL || cmark_node_get_type(prev) != CMARK_NODE_TEXT)
		return (-1);
	if ((s = cmark_node_get_literal(prev)) == NULL ||
	    (len = strlen(s)) == 0)
		return (-1);
	return ((unsigned char)s[len - 1]);
}

static cmark_node *
md_custom(const char *enter, const char *leave)
{
	cmark_node	*node;

	node = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
	if (!cmark_node_set_on_enter(node, enter) ||
	    !cmark_node_set_on_exit(node, leave)) {
		fputs("md: cannot set custom node\n", stderr);
		abort();
	}
	return (node);
}

/*
 * Put repl (detached; may be NULL) where old is, first moving old's
 * children into repl if move is set, and free old (with any children
 * left).  Whatever happens, old leaves the tree.  Appending to a detached
 * node is O(1) in cmark 0.30.2; the one insert costs O(depth), which
 * md_collect() budgeted.
 */
static void
md_replace(cmark_node *old, cmark_node *repl, int move)
{
	cmark_node	*child;

	if (repl != NULL && move) {
		while ((child = cmark_node_first_child(old)) != NULL) {
			if (!cmark_node_append_child(repl, child))
				break;
		}
	}
	if (repl != NULL && !cmark_node_insert_before(old, repl))
		cmark_node_free(repl);
	cmark_node_unlink(old);
	cmark_node_free(old);
}

/* Plain alt text of an image, as cmark would render it. */
static void
md_alt(struct buf *b, cmark_node *img)
{
	cmark_iter		*it;
	cmark_node		*node;
	const char		*s;

	it = cmark_iter_new(img);
	while (cmark_iter_next(it) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if ((s = cmark_node_get_literal(node)) != NULL)
				buf_appends(b, s);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_appendc(b, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* <a href="url"[ rel=...][ title="..."]> */
static void
md_open_a(struct buf *b, const char *url, const char *title, int outside)
{
	buf_appends(b, "<a href=\"");
	md_href(b, url);
	buf_appendc(b, '"');
	if (outside)
		buf_appends(b, " rel=\"" MD_REL "\"");
	if (title != NULL && title[0] != '\0') {
		buf_appends(b, " title=\"");
		buf_append_html(b, title, strlen(title));
		buf_appendc(b, '"');
	}
	buf_appendc(b, '>');
}

/*
 * Escape a URL for a double-quoted attribute like cmark's
 * houdini_escape_href: URL-safe bytes as is (existing %XX kept), '&' and
 * '\'' as entities, every other byte (space, controls, " < > \ ` and
 * non-ASCII) percent-encoded.
 */
static void
md_href(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') ||
		    strchr("-_.~!$()*+,;=:@/?#%[]", c) != NULL)
			buf_appendc(b, (char)c);
		else if (c == '&')
			buf_appends(b, "&amp;");
		else if (c == '\'')
			buf_appends(b, "&#39;");
		else {
			buf_appendc(b, '%');
			buf_appendc(b, hex[c >> 4]);
			buf_appendc(b, hex[c & 0x0f]);
		}
	}
}

static int
md_url_kind(const char *url)
{
	if (url == NULL)
		return (MD_URL_BAD);
	if (md_prefix_ci(url, "http:") || md_prefix_ci(url, "https:") ||
	    md_prefix_ci(url, "mailto:"))
		return (MD_URL_OUTSIDE);
	if (md_url_local(url))
		return (MD_URL_LOCAL);
	return (MD_URL_BAD);
}

/* "/path" (not "//host" nor "/\host") or "#fragment". */
static int
md_url_local(const char *url)
{
	if (url == NULL)
		return (0);
	if (url[0] == '#')
		return (1);
	return (url[0] == '/' && url[1] != '/' && url[1] != '\\');
}

/* Does s start with the lower-case ASCII prefix p, ignoring case? */
static int
md_prefix_ci(const char *s, const char *p)
{
	if (s == NULL)
		return (0);
	for (; *p != '\0'; s++, p++) {
		if (md_lower((unsigned char)*s) != *p)
			return (0);
	}
	return (1);
}

static int
md_namechar(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_');
}

static int
md_lower(int c)
{
	return ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

static char *
md_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		fputs("md: out of memory\n", stderr);
		abort();
	}
	return (p);
}

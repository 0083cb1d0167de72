/*
 * tmpl: a safe-by-construction Mustache-subset HTML template engine.
 *
 * Syntax
 *	{{x}}		value of x, HTML-escaped (& < > " ' all escaped)
 *	{{{x_html}}}	value of x_html, raw; only names whose last
 *			segment ends in "_html", and only in text context
 *	{{#x}}..{{/x}}	section: once per array element (the element is
 *			pushed as context), once for any other truthy value;
 *			an object is then a test only and is NOT pushed:
 *			inside {{#me}}..{{/me}}, {{id}} is the page's id and
 *			{{me.id}} the viewer's.  (Pushing it let {{id}} in a
 *			"logged in?" section become the viewer's id, and the
 *			project page's forms posted to the wrong project.)
 *			A scalar is pushed, for {{.}}; it holds no names.
 *	{{^x}}..{{/x}}	inverted section: once if x is falsy
 *	{{> name}}	partial (another template of the same set)
 *	{{! text}}	comment
 *	a.b.c		dotted names; {{.}} is the current context value
 * Whitespace is allowed inside tags ({{ # x }}).  {{&x}}, delimiter
 * changes and lambdas are not supported and are parse errors.  Names are
 * made of [A-Za-z0-9_-] segments joined by single dots, or a lone ".";
 * partial names may also contain '/'.
 *
 * Lookup: the first segment is searched from the innermost section value
 * outwards, then in ctx[nctx - 1] .. ctx[0]; the rest walk into objects.
 * Not found means null.  Falsy: missing, null, false, [], "", 0, 0.0.
 * Output: strings escaped, integers in decimal, reals in the shortest
 * "%g" form that reads back exactly, true as "true", everything else "".
 *
 * Security rules, checked at parse (load) time so a template that could
 * produce unsafe HTML never loads.  The literal text of each template is
 * run through a small HTML tokenizer (text, tag name, in tag, attribute
 * name, before value, "value", 'value', unquoted value, comment,
 * <!DOCTYPE>, raw text of <script>/<style>/..., RCDATA of <title> and
 * <textarea>, end tag), and each variable is checked against the state:
 *  1. Variables are refused in tag names, in attribute-name position and
 *     in unquoted attribute values (<a href={{u}}>, <div {{x}}>).
 *  2. Variables are refused in the raw text of <script>, <style>, <xmp>,
 *     <iframe>, <noembed>, <noframes>, <noscript> and <plaintext>, in
 *     HTML comments and declarations, and in the values of on*, style,
 *     srcset (and *srcset) and srcdoc attributes.  {{{x_html}}} is only
 *     allowed in text.  '<!--' inside <script> and '<!' declarations
 *     other than comments and <!DOCTYPE> (e.g. CDATA) are refused.
 *  3. Section, inverted and comment tags may appear anywhere, but the
 *     HTML context at {{/x}} must equal the one at {{#x}} (otherwise the
 *     meaning of the output would depend on the data).  A section tag
 *     right after a tag name (<li{{#a}} class="on"{{/a}}>) ends the name:
 *     the next character must then be a space, '/' or '>'; likewise an
 *     attribute name (<option{{#s}} selected{{/s}}>), which then gets
 *     no value ('=' may not follow).
 *  4. {{> p}} may only appear in text context.  Every template is parsed
 *     starting in text context and must end in text context.
 *  5. URL attributes (href, src, action, formaction, poster, cite, data,
 *     background, codebase, longdesc, manifest, ping, usemap, icon,
 *     xlink:href, ...): the position of each variable in the value is
 *     tracked and checked at render time:
 *     - at the start (or only after leading spaces or other variables):
 *       leading whitespace/control characters are stripped; a value with
 *       a ':' before any '/', '\', '?' or '#' must have the scheme http,
 *       https or mailto (any case, tabs/newlines removed), and values
 *       starting with "//" or "/\" are refused; refused values render
 *       as "#".
 *     - after literal scheme characters (href="page{{n}}"): a value with
 *       a ':' before '/', '\', '?', '#' renders as "#".
 *     - right after a single literal '/': a value starting with '/' or
 *       '\' renders as "#".
 *     At parse time, a literal ':' or '&' after a variable while the
 *     scheme is still open ("{{x}}:..."), a '&' before the scheme is
 *     settled, and a variable in a URL whose literal scheme is not http,
 *     https, mailto or tel (href="javascript:{{x}}") are refused.
 *  6. Sections must be balanced and properly nested; unclosed '{{' or
 *     '{{{', empty and invalid names are refused.  Sections nest at most
 *     TMPL_MAX_NEST deep in one template.
 *  7. At link time: unknown partials, cycles and chains of partials
 *     longer than TMPL_MAX_DEPTH are refused.
 * Known limits: a variable that renders "" or "/" right before a literal
 * '/' ("/{{a}}/x", "{{a}}/x") can still form a protocol-relative "//x";
 * a whole URL from the data in <script src>, <base href>, <link href>
 * gets the same scheme check as any other URL, no more; values of
 * {{{x_html}}} are trusted to be complete, sanitised HTML fragments.
 * Mustache "standalone line" whitespace stripping is not done.
 *
 * Memory: allocation failure aborts, like buf.  A tmpl_set owns all its
 * templates, nodes and names; tmpl_set_free() releases them.  Text nodes
 * point into the template's own copy of its source.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "tmpl.h"

/* Sections nested in one template; longest name; names kept by tokenizer. */
#define TMPL_MAX_NEST		32
#define TMPL_MAX_NAME		128
#define HNAME			16
#define NOPOS			((size_t)-1)

/* Node types; the TAG_ values are only used while reading tags. */
#define T_TEXT			1
#define T_VAR			2
#define T_RAW			3
#define T_SECTION		4
#define T_INVERTED		5
#define T_PARTIAL		6
#define TAG_CLOSE		7
#define TAG_COMMENT		8

/* Render-time URL checks for variables in URL attributes. */
#define CHK_NONE		0
#define CHK_START		1
#define CHK_SCHEME		2
#define CHK_SLASH		3

/* Link marks. */
#define MARK_NONE		0
#define MARK_ACTIVE		1
#define MARK_DONE		2

/* HTML tokenizer states. */
enum hstate {
	S_TEXT = 0,
	S_RAW,		/* raw text or RCDATA, element in hctx.kind */
	S_TAG_OPEN,	/* after '<' */
	S_END_OPEN,	/* after '</' */
	S_TAG_NAME,
	S_IN_TAG,	/* before an attribute name */
	S_ATTR_NAME,
	S_AFTER_ATTR,	/* after an attribute name */
	S_BEFORE_VAL,	/* after '=' */
	S_VAL_DQ,
	S_VAL_SQ,
	S_VAL_UQ,
	S_SELF_CLOSE,	/* after '/' in a tag */
	S_MARKUP,	/* after '<!' */
	S_COMMENT,	/* sub-state in hctx.sub */
	S_DECL,		/* <!DOCTYPE ...> */
	S_BOGUS		/* <? ...> */
};

/* Comment sub-states, as in the HTML tokenizer. */
enum cstate {
	CM_START = 0,
	CM_START_DASH,
	CM_BODY,
	CM_END_DASH,
	CM_END,
	CM_END_BANG
};

/* Attribute classes. */
#define A_NONE			0
#define A_PLAIN			1
#define A_URL			2
#define A_DENY			3

/* Where we are in a quoted URL attribute value. */
#define U_NONE			0	/* not in a URL value */
#define U_START			1	/* nothing yet but whitespace */
#define U_AFTERVAR		2	/* variables, maybe scheme chars */
#define U_SCHEME		3	/* literal scheme characters */
#define U_SLASH			4	/* one literal '/' or '\' */
#define U_REST			5	/* scheme settled */
#define U_BAD			6	/* literal scheme not allowed */

/* Element kinds whose content is not parsed as HTML. */
#define K_NONE			0
#define K_SCRIPT		1

static const struct {
	const char	*name;
	int		 rcdata;	/* variables allowed (escaped) */
} rawtags[] = {
	{ NULL, 0 },
	{ "script", 0 },
	{ "style", 0 },
	{ "textarea", 1 },
	{ "title", 1 },
	{ "xmp", 0 },
	{ "iframe", 0 },
	{ "noembed", 0 },
	{ "noframes", 0 },
	{ "noscript", 0 },
	{ "plaintext", 0 },
};

static const char *const urlattrs[] = {
	"href", "src", "action", "formaction", "poster", "cite", "data",
	"background", "codebase", "longdesc", "manifest", "ping", "usemap",
	"icon", "xlink:href", "lowsrc", "dynsrc", "archive", "classid",
	"profile", NULL
};

struct tnode;

struct tblock {
	struct tnode	*v;
	size_t		 n;
	size_t		 cap;
};

struct tname {
	char		*full;		/* owned; the segments too */
	const char	**seg;		/* owned array into full */
	size_t		 nseg;		/* 0 for "." */
};

/* One parsed element; which fields are used depends on type. */
struct tnode {
	int			 type;
	int			 check;	/* CHK_*, variables */
	unsigned int		 line;
	const char		*text;	/* text, into tmpl->src */
	size_t			 len;
	struct tname		 name;	/* variables, sections */
	struct tblock		 body;	/* sections */
	char			*pname;	/* partial, owned */
	struct tmpl		*partial; /* partial, set by link */
};

struct tmpl {
	char		*name;
	char		*src;
	struct tblock	 body;
	int		 mark;
	int		 pdepth;
};

struct tmpl_set {
	struct tmpl	**v;
	size_t		  n;
	size_t		  cap;
	int		  linked;
};

/* HTML context at one point of a template. */
struct hctx {
	int		state;
	int		sub;		/* comment state, end tag */
	int		sub2;		/* "<!--" in <script> */
	int		kind;		/* rawtags[] index */
	int		endtag;
	int		attr;		/* A_* of the current value */
	int		upart;		/* U_* of the current value */
	int		sep;		/* section tag ended a name */
	int		noeq;		/* ... so no '=' may follow */
	size_t		nlen;
	char		name[HNAME];	/* tag, attribute, scheme */
	char		aname[HNAME];	/* attribute of the value */
};

struct tag {
	int		 kind;
	unsigned int	 line;
	const char	*name;
	size_t		 nlen;
};

struct parser {
	struct tmpl	*t;
	const char	*s;
	size_t		 len;
	size_t		 pos;
	unsigned int	 line;
	unsigned int	 cline;		/* line of the last {{/x}} */
	int		 nest;
	struct hctx	 h;
	char		*err;
	size_t		 errlen;
};

struct linker {
	struct tmpl_set	*set;
	char		*err;
	size_t		 errlen;
};

struct frame {
	json_t			*v;
	const struct frame	*up;
};

struct rstate {
	json_t *const	*ctx;
	size_t		 nctx;
	struct buf	*out;
};

static void	*xmalloc(size_t);
static void	*xrealloc(void *, size_t, size_t);
static char	*xstrndup(const char *, size_t);
static void	 fail(void) __attribute__((noreturn));
static void	 seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int	 is_space(int);
static int	 is_alpha(int);
static int	 is_alnum(int);
static int	 is_tabnl(int);
static int	 is_slash(int);
static int	 lower(int);

static void	 tmpl_free(struct tmpl *);
static void	 block_free(struct tblock *);
static struct tnode *block_push(struct tblock *, int, unsigned int);
static void	 name_build(struct tname *, const char *, size_t);
static struct tmpl *find_tmpl(const struct tmpl_set *, const char *);

static int	 perr(struct parser *, unsigned int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static size_t	 find(const char *, size_t, size_t, const char *);
static int	 parse_block(struct parser *, struct tblock *,
		    const struct tag *);
static int	 parse_text(struct parser *, struct tblock *, size_t);
static int	 parse_end(struct parser *);
static int	 read_tag(struct parser *, struct tag *);
static int	 read_sigil(struct parser *, struct tag *, size_t *, size_t);
static void	 trim(const char *, size_t *, size_t *);
static int	 name_check(struct parser *, const struct tag *);
static int	 add_var(struct parser *, struct tblock *,
		    const struct tag *);
static int	 add_section(struct parser *, struct tblock *,
		    const struct tag *);
static int	 add_partial(struct parser *, struct tblock *,
		    const struct tag *);
static int	 close_section(struct parser *, const struct tag *,
		    const struct tag *);
static int	 var_context(struct parser *, const struct tag *, int *);
static int	 attr_var(struct parser *, const struct tag *, int *);
static const char *state_desc(const struct hctx *);

static int	 html_step(struct parser *, int);
static void	 step_tagname(struct hctx *, int);
static void	 step_tag(struct hctx *, int);
static int	 step_value(struct parser *, int);
static int	 step_raw(struct parser *, int);
static int	 step_markup(struct parser *, int);
static void	 step_comment(struct hctx *, int);
static int	 url_lit(struct parser *, int);
static void	 name_reset(struct hctx *);
static void	 name_add(struct hctx *, int);
static int	 name_is(const struct hctx *, const char *);
static void	 tag_name_done(struct hctx *);
static void	 tag_close(struct hctx *);
static void	 attr_begin(struct hctx *);
static void	 value_begin(struct hctx *, int);
static void	 value_end(struct hctx *);
static int	 attr_class(const struct hctx *);
static int	 scheme_literal_ok(const struct hctx *);
static void	 ctx_boundary(struct hctx *);
static int	 ctx_same(const struct hctx *, const struct hctx *);

static int	 lerr(struct linker *, const struct tmpl *, unsigned int,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 resolve_block(struct linker *, const struct tmpl *,
		    struct tblock *);
static int	 visit(struct linker *, struct tmpl *, int);
static int	 visit_block(struct linker *, struct tmpl *,
		    const struct tblock *, int);
static void	 names_block(const struct tmpl *, const struct tblock *,
		    void (*)(const char *, const char *, void *), void *);

static void	 render_block(const struct rstate *, const struct tblock *,
		    const struct frame *);
static void	 render_section(const struct rstate *, const struct tnode *,
		    const struct frame *);
static json_t	*lookup(const struct rstate *, const struct frame *,
		    const struct tname *);
static json_t	*lookup_child(json_t *, const char *);
static json_t	*lookup_first(const struct rstate *, const struct frame *,
		    const char *);
static int	 truthy(const json_t *);
static void	 put_value(struct buf *, const json_t *,
		    const struct tnode *);
static void	 put_int(struct buf *, json_int_t);
static void	 put_real(struct buf *, double);
static int	 url_filter(const char **, size_t *, int);
static int	 scheme_check(const char *, size_t, int);
static int	 scheme_allowed(const char *, size_t);

/*
 * Public API.
 */

struct tmpl_set *
tmpl_set_new(void)
{
	struct tmpl_set	*set;

	set = xmalloc(sizeof(*set));
	set->v = NULL;
	set->n = 0;
	set->cap = 0;
	set->linked = 0;

	return (set);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t		i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i]);
	free(set->v);
	free(set);
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
    size_t len, char *err, size_t errlen)
{
	struct tmpl	*t;
	struct parser	 p;
	int		 ret;

	seterr(err, errlen, "%s", "");
	if (find_tmpl(set, name) != NULL) {
		seterr(err, errlen, "%s:1: template defined twice", name);
		return (-1);
	}

	ret = -1;
	t = xmalloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->name = xstrndup(name, strlen(name));
	t->src = xstrndup(src, len);

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.s = t->src;
	p.len = len;
	p.line = 1;
	p.err = err;
	p.errlen = errlen;

	if (parse_block(&p, &t->body, NULL) == -1 || parse_end(&p) == -1)
		goto out;

	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = xrealloc(set->v, set->cap, sizeof(*set->v));
	}
	set->v[set->n++] = t;
	set->linked = 0;
	t = NULL;
	ret = 0;

out:
	/* On success the set owns t. */
	if (t != NULL)
		tmpl_free(t);
	return (ret);
}

int
tmpl_set_link(struct tmpl_set *set, char *err, size_t errlen)
{
	struct linker	l;
	size_t		i;

	seterr(err, errlen, "%s", "");
	set->linked = 0;
	l.set = set;
	l.err = err;
	l.errlen = errlen;

	for (i = 0; i < set->n; i++) {
		if (resolve_block(&l, set->v[i], &set->v[i]->body) == -1)
			return (-1);
		set->v[i]->mark = MARK_NONE;
		set->v[i]->pdepth = 0;
	}
	for (i = 0; i < set->n; i++) {
		if (set->v[i]->mark == MARK_NONE &&
		    visit(&l, set->v[i], 0) == -1)
			return (-1);
	}

	set->linked = 1;
	return (0);
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    json_t *const *ctx, size_t nctx, struct buf *out)
{
	const struct tmpl	*t;
	struct rstate		 rs;

	if (!set->linked || (t = find_tmpl(set, name)) == NULL)
		return (-1);

	rs.ctx = ctx;
	rs.nctx = nctx;
	rs.out = out;
	render_block(&rs, &t->body, NULL);

	return (0);
}

int
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return (find_tmpl(set, name) != NULL);
}

void
tmpl_set_foreach_name(const struct tmpl_set *set,
    void (*cb)(const char *, const char *, void *), void *arg)
{
	size_t		i;

	for (i = 0; i < set->n; i++)
		names_block(set->v[i], &set->v[i]->body, cb, arg);
}

/*
 * Memory and character helpers.
 */

static void
fail(void)
{
	fputs("tmpl: out of memory\n", stderr);
	abort();
}

static void *
xmalloc(size_t len)
{
	void	*p;

	if ((p = malloc(len)) == NULL)
		fail();
	return (p);
}

static void *
xrealloc(void *old, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > ((size_t)-1) / size)
		fail();
	if ((p = realloc(old, n * size)) == NULL)
		fail();
	return (p);
}

/* Returns a NUL-terminated copy the caller must free(). */
static char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	if (len == (size_t)-1)
		fail();
	p = xmalloc(len + 1);
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';

	return (p);
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
is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r');
}

static int
is_alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int
is_alnum(int c)
{
	return (is_alpha(c) || (c >= '0' && c <= '9'));
}

/* Characters the URL parser removes anywhere in a URL. */
static int
is_tabnl(int c)
{
	return (c == '\t' || c == '\n' || c == '\r');
}

static int
is_slash(int c)
{
	return (c == '/' || c == '\\');
}

static int
lower(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A' + 'a');
	return (c);
}

/*
 * Templates, blocks and names.
 */

static void
tmpl_free(struct tmpl *t)
{
	block_free(&t->body);
	free(t->name);
	free(t->src);
	free(t);
}

static void
block_free(struct tblock *b)
{
	size_t		 i;
	struct tnode	*n;

	for (i = 0; i < b->n; i++) {
		n = &b->v[i];
		free(n->name.full);
		free(n->name.seg);
		free(n->pname);
		block_free(&n->body);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
	b->cap = 0;
}

/* Append a zeroed node to b; the pointer is valid until the next push. */
static struct tnode *
block_push(struct tblock *b, int type, unsigned int line)
{
	struct tnode	*n;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->v = xrealloc(b->v, b->cap, sizeof(*b->v));
	}
	n = &b->v[b->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;

	return (n);
}

/*
 * Split a checked name into segments once, at parse time.  One allocation
 * holds the full name and, after it, the segments; free n->full and
 * n->seg.
 */
static void
name_build(struct tname *n, const char *s, size_t len)
{
	size_t		 i, k;
	char		*sb;

	n->full = xmalloc(2 * (len + 1));
	memcpy(n->full, s, len);
	n->full[len] = '\0';
	n->seg = NULL;
	n->nseg = 0;
	if (len == 1 && s[0] == '.')
		return;

	sb = n->full + len + 1;
	memcpy(sb, n->full, len + 1);
	n->nseg = 1;
	for (i = 0; i < len; i++) {
		if (sb[i] == '.')
			n->nseg++;
	}
	n->seg = xrealloc(NULL, n->nseg, sizeof(*n->seg));
	n->seg[0] = sb;
	for (i = 0, k = 1; i < len; i++) {
		if (sb[i] == '.') {
			sb[i] = '\0';
			n->seg[k++] = sb + i + 1;
		}
	}
}

static struct tmpl *
find_tmpl(const struct tmpl_set *set, const char *name)
{
	size_t		i;

	for (i = 0; i < set->n; i++) {
		if (strcmp(set->v[i]->name, name) == 0)
			return (set->v[i]);
	}
	return (NULL);
}

/*
 * Parser.
 */

static int
perr(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list		ap;
	int		n;

	if (p->err == NULL || p->errlen == 0)
		return (-1);
	n = snprintf(p->err, p->errlen, "%s:%u: ", p->t->name, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);

	return (-1);
}

/* Offset of pat in s[from..len), or NOPOS. */
static size_t
find(const char *s, size_t from, size_t len, const char *pat)
{
	size_t		 plen;
	const char	*q;

	plen = strlen(pat);
	while (from < len && len - from >= plen) {
		q = memchr(s + from, pat[0], len - from - plen + 1);
		if (q == NULL)
			return (NOPOS);
		from = (size_t)(q - s);
		if (memcmp(q, pat, plen) == 0)
			return (from);
		from++;
	}
	return (NOPOS);
}

/*
 * Parse until the end of the template (open == NULL) or until the
 * {{/x}} matching open.  Nodes go into b, which the caller frees.
 */
static int
parse_block(struct parser *p, struct tblock *b, const struct tag *open)
{
	struct tag	tag;
	size_t		end;

	for (;;) {
		end = find(p->s, p->pos, p->len, "{{");
		if (parse_text(p, b, end == NOPOS ? p->len : end) == -1)
			return (-1);
		if (end == NOPOS)
			break;
		if (read_tag(p, &tag) == -1 || name_check(p, &tag) == -1)
			return (-1);

		switch (tag.kind) {
		case TAG_COMMENT:
			break;
		case TAG_CLOSE:
			return (close_section(p, open, &tag));
		case T_VAR:
		case T_RAW:
			if (add_var(p, b, &tag) == -1)
				return (-1);
			break;
		case T_SECTION:
		case T_INVERTED:
			if (add_section(p, b, &tag) == -1)
				return (-1);
			break;
		case T_PARTIAL:
			if (add_partial(p, b, &tag) == -1)
				return (-1);
			break;
		}
	}

	if (open != NULL) {
		return (perr(p, open->line, "section '%.*s' is never closed",
		    (int)open->nlen, open->name));
	}
	return (0);
}

/* Run literal text up to end through the tokenizer and keep it. */
static int
parse_text(struct parser *p, struct tblock *b, size_t end)
{
	struct tnode	*n;
	size_t		 start;
	int		 c;

	start = p->pos;
	for (; p->pos < end; p->pos++) {
		c = (unsigned char)p->s[p->pos];
		if (html_step(p, c) == -1)
			return (-1);
		if (c == '\n')
			p->line++;
	}
	if (end > start) {
		n = block_push(b, T_TEXT, p->line);
		n->text = p->s + start;
		n->len = end - start;
	}
	return (0);
}

static int
parse_end(struct parser *p)
{
	if (p->h.state == S_TEXT)
		return (0);
	return (perr(p, p->line, "template ends inside %s",
	    state_desc(&p->h)));
}

/* Read the tag at p->pos ("{{..}}" or "{{{..}}}") and move past it. */
static int
read_tag(struct parser *p, struct tag *tag)
{
	size_t		i, end, next;

	tag->line = p->line;
	tag->kind = T_VAR;
	i = p->pos + 2;
	if (i < p->len && p->s[i] == '{') {
		tag->kind = T_RAW;
		i++;
		if ((end = find(p->s, i, p->len, "}}}")) == NOPOS)
			return (perr(p, tag->line, "unclosed '{{{'"));
		next = end + 3;
	} else {
		if ((end = find(p->s, i, p->len, "}}")) == NOPOS)
			return (perr(p, tag->line, "unclosed '{{'"));
		next = end + 2;
	}
	for (; p->pos < next; p->pos++) {
		if (p->s[p->pos] == '\n')
			p->line++;
	}

	trim(p->s, &i, &end);
	if (tag->kind == T_VAR && read_sigil(p, tag, &i, end) == -1)
		return (-1);
	trim(p->s, &i, &end);
	tag->name = p->s + i;
	tag->nlen = end - i;

	if (tag->kind != TAG_COMMENT && tag->nlen == 0)
		return (perr(p, tag->line, "empty tag name"));
	return (0);
}

static int
read_sigil(struct parser *p, struct tag *tag, size_t *i, size_t end)
{
	if (*i >= end)
		return (0);

	switch (p->s[*i]) {
	case '#':
		tag->kind = T_SECTION;
		break;
	case '^':
		tag->kind = T_INVERTED;
		break;
	case '/':
		tag->kind = TAG_CLOSE;
		break;
	case '>':
		tag->kind = T_PARTIAL;
		break;
	case '!':
		tag->kind = TAG_COMMENT;
		break;
	case '&':
		return (perr(p, tag->line,
		    "'{{&' is not supported; use {{{name_html}}}"));
	case '=':
		return (perr(p, tag->line,
		    "delimiter changes are not supported"));
	default:
		return (0);
	}
	(*i)++;
	return (0);
}

/* Shrink [*i, *end) of s past leading and trailing whitespace. */
static void
trim(const char *s, size_t *i, size_t *end)
{
	while (*i < *end && is_space((unsigned char)s[*i]))
		(*i)++;
	while (*end > *i && is_space((unsigned char)s[*end - 1]))
		(*end)--;
}

static int
name_check(struct parser *p, const struct tag *tag)
{
	size_t		i;
	int		c, prev;

	if (tag->kind == TAG_COMMENT)
		return (0);
	if (tag->nlen > TMPL_MAX_NAME)
		return (perr(p, tag->line, "name longer than %d characters",
		    TMPL_MAX_NAME));
	if (tag->nlen == 1 && tag->name[0] == '.' && tag->kind != T_PARTIAL)
		return (0);

	prev = '.';
	for (i = 0; i < tag->nlen; i++) {
		c = (unsigned char)tag->name[i];
		if (c == '.' && prev == '.' && tag->kind != T_PARTIAL)
			break;
		if (!is_alnum(c) && c != '_' && c != '-' && c != '.' &&
		    !(c == '/' && tag->kind == T_PARTIAL))
			break;
		prev = c;
	}
	if (i < tag->nlen || (prev == '.' && tag->kind != T_PARTIAL))
		return (perr(p, tag->line, "invalid name '%.*s'",
		    (int)tag->nlen, tag->name));
	return (0);
}

static int
add_var(struct parser *p, struct tblock *b, const struct tag *tag)
{
	struct tnode	*n;
	size_t		 len;
	int		 check;

	if (var_context(p, tag, &check) == -1)
		return (-1);

	len = tag->nlen;
	if (tag->kind == T_RAW &&
	    (len < 5 || memcmp(tag->name + len - 5, "_html", 5) != 0)) {
		return (perr(p, tag->line, "'{{{%.*s}}}' is refused: only "
		    "names ending in '_html' may be output raw",
		    (int)len, tag->name));
	}

	n = block_push(b, tag->kind, tag->line);
	n->check = check;
	name_build(&n->name, tag->name, tag->nlen);

	return (0);
}

static int
add_section(struct parser *p, struct tblock *b, const struct tag *tag)
{
	struct tblock	 body;
	struct hctx	 open;
	struct tnode	*n;
	int		 ret;

	if (p->nest >= TMPL_MAX_NEST)
		return (perr(p, tag->line, "sections nested deeper than %d",
		    TMPL_MAX_NEST));

	ctx_boundary(&p->h);
	open = p->h;
	memset(&body, 0, sizeof(body));

	p->nest++;
	ret = parse_block(p, &body, tag);
	p->nest--;
	if (ret == -1)
		goto out;

	ret = -1;
	if (!ctx_same(&open, &p->h)) {
		(void)perr(p, p->cline, "'{{/%.*s}}' is in a different HTML "
		    "context (%s) than its '{{%c%.*s}}' on line %u (%s)",
		    (int)tag->nlen, tag->name, state_desc(&p->h),
		    tag->kind == T_SECTION ? '#' : '^',
		    (int)tag->nlen, tag->name, tag->line, state_desc(&open));
		goto out;
	}
	p->h.sep |= open.sep;
	p->h.noeq |= open.noeq;

	n = block_push(b, tag->kind, tag->line);
	name_build(&n->name, tag->name, tag->nlen);
	n->body = body;
	memset(&body, 0, sizeof(body));
	ret = 0;

out:
	/* On success the node owns the body. */
	block_free(&body);
	return (ret);
}

static int
add_partial(struct parser *p, struct tblock *b, const struct tag *tag)
{
	struct tnode	*n;

	if (p->h.state != S_TEXT) {
		return (perr(p, tag->line, "partial '%.*s' is only allowed "
		    "in text, not inside %s", (int)tag->nlen, tag->name,
		    state_desc(&p->h)));
	}
	n = block_push(b, T_PARTIAL, tag->line);
	n->pname = xstrndup(tag->name, tag->nlen);

	return (0);
}

static int
close_section(struct parser *p, const struct tag *open, const struct tag *tag)
{
	if (open == NULL) {
		return (perr(p, tag->line, "'{{/%.*s}}' without an open "
		    "section", (int)tag->nlen, tag->name));
	}
	if (open->nlen != tag->nlen ||
	    memcmp(open->name, tag->name, tag->nlen) != 0) {
		return (perr(p, tag->line, "'{{/%.*s}}' closes section "
		    "'%.*s' opened on line %u", (int)tag->nlen, tag->name,
		    (int)open->nlen, open->name, open->line));
	}
	ctx_boundary(&p->h);
	p->cline = tag->line;

	return (0);
}

/* May a variable appear here?  Sets *check for URL attribute values. */
static int
var_context(struct parser *p, const struct tag *tag, int *check)
{
	const char	*what;

	*check = CHK_NONE;
	switch (p->h.state) {
	case S_TEXT:
		return (0);
	case S_RAW:
		if (rawtags[p->h.kind].rcdata && tag->kind == T_VAR)
			return (0);
		what = state_desc(&p->h);
		break;
	case S_VAL_DQ:
	case S_VAL_SQ:
		if (tag->kind == T_RAW) {
			what = "an attribute value ('{{{' is only allowed "
			    "in text)";
			break;
		}
		return (attr_var(p, tag, check));
	case S_BEFORE_VAL:
	case S_VAL_UQ:
		what = "an unquoted attribute value (quote it)";
		break;
	default:
		what = state_desc(&p->h);
		break;
	}

	return (perr(p, tag->line, "variable '%.*s' is refused inside %s",
	    (int)tag->nlen, tag->name, what));
}

static int
attr_var(struct parser *p, const struct tag *tag, int *check)
{
	struct hctx	*h;

	h = &p->h;
	if (h->attr == A_DENY) {
		return (perr(p, tag->line, "variable '%.*s' is refused inside "
		    "the '%s' attribute (event handlers, style, srcset and "
		    "srcdoc take no variables)", (int)tag->nlen, tag->name,
		    h->aname));
	}

	switch (h->upart) {
	case U_START:
	case U_AFTERVAR:
		*check = CHK_START;
		h->upart = U_AFTERVAR;
		break;
	case U_SCHEME:
		*check = CHK_SCHEME;
		h->upart = U_AFTERVAR;
		break;
	case U_SLASH:
		*check = CHK_SLASH;
		h->upart = U_REST;
		break;
	case U_BAD:
		return (perr(p, tag->line, "variable '%.*s' is refused in a "
		    "'%s' URL whose scheme is not http, https, mailto or tel",
		    (int)tag->nlen, tag->name, h->aname));
	default:
		break;
	}
	return (0);
}

static const char *
state_desc(const struct hctx *h)
{
	switch (h->state) {
	case S_TEXT:
		return ("text");
	case S_RAW:
		if (h->kind == K_SCRIPT)
			return ("<script>");
		if (strcmp(rawtags[h->kind].name, "style") == 0)
			return ("<style>");
		return ("a raw text element (<title>, <textarea>, "
		    "<iframe>, ...)");
	case S_TAG_OPEN:
	case S_END_OPEN:
	case S_TAG_NAME:
		return ("a tag name");
	case S_IN_TAG:
	case S_ATTR_NAME:
	case S_AFTER_ATTR:
	case S_SELF_CLOSE:
		return ("a tag, in attribute name position");
	case S_BEFORE_VAL:
	case S_VAL_UQ:
		return ("an unquoted attribute value");
	case S_VAL_DQ:
	case S_VAL_SQ:
		return ("a quoted attribute value");
	case S_MARKUP:
	case S_COMMENT:
	case S_BOGUS:
		return ("an HTML comment");
	case S_DECL:
		return ("<!DOCTYPE>");
	}
	return ("an unknown context");
}

/*
 * HTML tokenizer: one step per literal character of the template.
 */

static int
html_step(struct parser *p, int c)
{
	struct hctx	*h;

	h = &p->h;
	if (h->sep) {
		if (!is_space(c) && c != '/' && c != '>')
			return (perr(p, p->line, "a section tag must not "
			    "split a tag name"));
		h->sep = 0;
	}
	if (h->noeq && !is_space(c)) {
		if (c == '=')
			return (perr(p, p->line, "'=' must not follow a "
			    "section tag after an attribute name"));
		h->noeq = 0;
	}

	switch (h->state) {
	case S_TEXT:
		if (c == '<')
			h->state = S_TAG_OPEN;
		return (0);
	case S_RAW:
		return (step_raw(p, c));
	case S_COMMENT:
		step_comment(h, c);
		return (0);
	case S_MARKUP:
		return (step_markup(p, c));
	case S_DECL:
	case S_BOGUS:
		if (c == '>')
			h->state = S_TEXT;
		return (0);
	case S_TAG_OPEN:
	case S_END_OPEN:
	case S_TAG_NAME:
		step_tagname(h, c);
		return (0);
	case S_VAL_DQ:
	case S_VAL_SQ:
	case S_VAL_UQ:
		return (step_value(p, c));
	default:
		step_tag(h, c);
		return (0);
	}
}

static void
step_tagname(struct hctx *h, int c)
{
	switch (h->state) {
	case S_TAG_OPEN:
		if (is_alpha(c)) {
			h->state = S_TAG_NAME;
			h->endtag = 0;
			name_reset(h);
			name_add(h, c);
		} else if (c == '/')
			h->state = S_END_OPEN;
		else if (c == '!') {
			h->state = S_MARKUP;
			name_reset(h);
		} else if (c == '?')
			h->state = S_BOGUS;
		else if (c != '<')
			h->state = S_TEXT;
		break;
	case S_END_OPEN:
		if (is_alpha(c)) {
			h->state = S_TAG_NAME;
			h->endtag = 1;
			name_reset(h);
			name_add(h, c);
		} else if (c == '>')
			h->state = S_TEXT;
		else
			h->state = S_BOGUS;
		break;
	default:
		if (is_space(c) || c == '/' || c == '>') {
			tag_name_done(h);
			h->state = S_IN_TAG;
			step_tag(h, c);
		} else
			name_add(h, c);
		break;
	}
}

/* States between attributes: in tag, attribute name, before value. */
static void
step_tag(struct hctx *h, int c)
{
	switch (h->state) {
	case S_IN_TAG:
	case S_AFTER_ATTR:
		if (is_space(c))
			break;
		if (c == '/') {
			name_reset(h);
			h->state = S_SELF_CLOSE;
		} else if (c == '>')
			tag_close(h);
		else if (c == '=' && h->state == S_AFTER_ATTR)
			attr_begin(h);
		else {
			h->state = S_ATTR_NAME;
			name_reset(h);
			name_add(h, c);
		}
		break;
	case S_ATTR_NAME:
		if (is_space(c))
			h->state = S_AFTER_ATTR;
		else if (c == '/') {
			name_reset(h);
			h->state = S_SELF_CLOSE;
		} else if (c == '>')
			tag_close(h);
		else if (c == '=')
			attr_begin(h);
		else
			name_add(h, c);
		break;
	case S_BEFORE_VAL:
		if (is_space(c))
			break;
		if (c == '"')
			value_begin(h, S_VAL_DQ);
		else if (c == '\'')
			value_begin(h, S_VAL_SQ);
		else if (c == '>')
			tag_close(h);
		else
			value_begin(h, S_VAL_UQ);
		break;
	case S_SELF_CLOSE:
		if (c == '>')
			tag_close(h);
		else {
			h->state = S_IN_TAG;
			step_tag(h, c);
		}
		break;
	}
}

static int
step_value(struct parser *p, int c)
{
	struct hctx	*h;

	h = &p->h;
	if ((h->state == S_VAL_DQ && c == '"') ||
	    (h->state == S_VAL_SQ && c == '\'')) {
		value_end(h);
		h->state = S_IN_TAG;
		return (0);
	}
	if (h->state == S_VAL_UQ) {
		if (is_space(c)) {
			value_end(h);
			h->state = S_IN_TAG;
		} else if (c == '>') {
			value_end(h);
			tag_close(h);
		}
		return (0);
	}
	if (h->upart != U_NONE)
		return (url_lit(p, c));
	return (0);
}

/* Raw text / RCDATA: look for "</name" followed by space, '/' or '>'. */
static int
step_raw(struct parser *p, int c)
{
	struct hctx	*h;

	h = &p->h;
	const char	*rn;
	size_t		 n;

	if (h->kind == K_SCRIPT) {
		if (c == "<!--"[h->sub2])
			h->sub2++;
		else
			h->sub2 = (c == '<');
		if (h->sub2 == 4)
			return (perr(p, p->line, "'<!--' inside <script> is "
			    "refused"));
	}

	rn = rawtags[h->kind].name;
	n = strlen(rn);
	if (h->sub >= 2 && (size_t)h->sub - 2 == n) {
		if (is_space(c) || c == '/' || c == '>') {
			h->kind = K_NONE;
			h->sub = 0;
			h->sub2 = 0;
			h->endtag = 1;
			h->state = S_IN_TAG;
			step_tag(h, c);
			return (0);
		}
		h->sub = (c == '<');
	} else if (h->sub >= 2 && lower(c) == rn[h->sub - 2])
		h->sub++;
	else if (h->sub == 1 && c == '/')
		h->sub = 2;
	else
		h->sub = (c == '<');

	return (0);
}

/* After "<!": only comments and <!DOCTYPE> are accepted. */
static int
step_markup(struct parser *p, int c)
{
	struct hctx	*h;

	h = &p->h;
	name_add(h, c);
	if (name_is(h, "--")) {
		name_reset(h);
		h->state = S_COMMENT;
		h->sub = CM_START;
		return (0);
	}
	if (name_is(h, "doctype")) {
		name_reset(h);
		h->state = S_DECL;
		return (0);
	}
	if (strncmp(h->name, "--", h->nlen) != 0 &&
	    strncmp(h->name, "doctype", h->nlen) != 0)
		return (perr(p, p->line, "'<!' must start a comment or "
		    "<!DOCTYPE>"));
	return (0);
}

/* The comment states of the HTML tokenizer, including "--!>". */
static void
step_comment(struct hctx *h, int c)
{
	switch (h->sub) {
	case CM_START:
	case CM_START_DASH:
		if (c == '>') {
			h->state = S_TEXT;
			h->sub = 0;
		} else if (c == '-')
			h->sub = h->sub == CM_START ? CM_START_DASH : CM_END;
		else
			h->sub = CM_BODY;
		break;
	case CM_BODY:
		if (c == '-')
			h->sub = CM_END_DASH;
		break;
	case CM_END_DASH:
		h->sub = c == '-' ? CM_END : CM_BODY;
		break;
	case CM_END:
	case CM_END_BANG:
		if (c == '>') {
			h->state = S_TEXT;
			h->sub = 0;
		} else if (c == '!' && h->sub == CM_END)
			h->sub = CM_END_BANG;
		else if (c == '-')
			h->sub = h->sub == CM_END ? CM_END : CM_END_DASH;
		else
			h->sub = CM_BODY;
		break;
	}
}

/* Track a literal character of a quoted URL attribute value. */
static int
url_lit(struct parser *p, int c)
{
	struct hctx	*h;

	h = &p->h;
	if (c == '&' && h->upart != U_REST && h->upart != U_BAD)
		return (perr(p, p->line, "'&' is refused at the start of a "
		    "URL attribute, before its scheme is settled"));

	switch (h->upart) {
	case U_START:
		if (c <= 0x20)
			break;
		if (is_slash(c))
			h->upart = U_SLASH;
		else if (is_alpha(c)) {
			h->upart = U_SCHEME;
			name_add(h, c);
		} else
			h->upart = U_REST;
		break;
	case U_AFTERVAR:
		if (c == ':')
			return (perr(p, p->line, "':' right after a variable "
			    "at the start of a URL is refused"));
		if (!is_alnum(c) && c != '+' && c != '-' && c != '.' &&
		    !is_tabnl(c))
			h->upart = U_REST;
		break;
	case U_SCHEME:
		if (is_tabnl(c))
			break;
		if (is_alnum(c) || c == '+' || c == '-' || c == '.')
			name_add(h, c);
		else if (c == ':')
			h->upart = scheme_literal_ok(h) ? U_REST : U_BAD;
		else
			h->upart = U_REST;
		if (h->upart != U_SCHEME)
			name_reset(h);
		break;
	case U_SLASH:
		if (!is_tabnl(c))
			h->upart = U_REST;
		break;
	}
	return (0);
}

static void
name_reset(struct hctx *h)
{
	h->nlen = 0;
	h->name[0] = '\0';
}

/* Keep the first HNAME - 1 characters, lower-cased; count them all. */
static void
name_add(struct hctx *h, int c)
{
	if (h->nlen < HNAME - 1) {
		h->name[h->nlen] = (char)lower(c);
		h->name[h->nlen + 1] = '\0';
	}
	h->nlen++;
}

static int
name_is(const struct hctx *h, const char *s)
{
	return (h->nlen == strlen(s) && strcmp(h->name, s) == 0);
}

static void
tag_name_done(struct hctx *h)
{
	size_t		i;

	h->kind = K_NONE;
	if (!h->endtag) {
		for (i = 1; i < sizeof(rawtags) / sizeof(rawtags[0]); i++) {
			if (name_is(h, rawtags[i].name))
				h->kind = (int)i;
		}
	}
	name_reset(h);
}

static void
tag_close(struct hctx *h)
{
	name_reset(h);
	h->attr = A_NONE;
	h->aname[0] = '\0';
	h->upart = U_NONE;
	if (!h->endtag && h->kind != K_NONE) {
		h->state = S_RAW;
		h->sub = 0;
		h->sub2 = 0;
	} else {
		h->state = S_TEXT;
		h->kind = K_NONE;
	}
	h->endtag = 0;
}

static void
attr_begin(struct hctx *h)
{
	h->attr = attr_class(h);
	memcpy(h->aname, h->name, sizeof(h->aname));
	name_reset(h);
	h->state = S_BEFORE_VAL;
}

static void
value_begin(struct hctx *h, int state)
{
	h->state = state;
	name_reset(h);
	if (h->attr == A_URL && state != S_VAL_UQ)
		h->upart = U_START;
}

static void
value_end(struct hctx *h)
{
	name_reset(h);
	h->attr = A_NONE;
	h->aname[0] = '\0';
	h->upart = U_NONE;
}

static int
attr_class(const struct hctx *h)
{
	size_t		i;

	if (h->nlen >= 2 && h->name[0] == 'o' && h->name[1] == 'n')
		return (A_DENY);
	if (name_is(h, "style") || name_is(h, "srcdoc"))
		return (A_DENY);
	if (h->nlen >= 6 && h->nlen < HNAME &&
	    strcmp(h->name + h->nlen - 6, "srcset") == 0)
		return (A_DENY);
	for (i = 0; urlattrs[i] != NULL; i++) {
		if (name_is(h, urlattrs[i]))
			return (A_URL);
	}
	return (A_PLAIN);
}

static int
scheme_literal_ok(const struct hctx *h)
{
	return (name_is(h, "http") || name_is(h, "https") ||
	    name_is(h, "mailto") || name_is(h, "tel"));
}

/*
 * At a section tag: a tag or attribute name being read ends here, and
 * the next character must show that it did (sep); an attribute that
 * ended here gets no value (noeq).  This lets <li{{#a}} class="on"{{/a}}>
 * and <option{{#s}} selected{{/s}}> through without letting the data
 * decide where names end.
 */
static void
ctx_boundary(struct hctx *h)
{
	switch (h->state) {
	case S_TAG_NAME:
		tag_name_done(h);
		h->sep = 1;
		break;
	case S_ATTR_NAME:
		name_reset(h);
		h->sep = 1;
		h->noeq = 1;
		break;
	case S_AFTER_ATTR:
		name_reset(h);
		h->noeq = 1;
		break;
	default:
		return;
	}
	h->state = S_IN_TAG;
}

static int
ctx_same(const struct hctx *a, const struct hctx *b)
{
	return (a->state == b->state && a->sub == b->sub &&
	    a->sub2 == b->sub2 && a->kind == b->kind &&
	    a->endtag == b->endtag && a->attr == b->attr &&
	    a->upart == b->upart && a->nlen == b->nlen &&
	    strcmp(a->name, b->name) == 0 &&
	    strcmp(a->aname, b->aname) == 0);
}

/*
 * Linker.
 */

static int
lerr(struct linker *l, const struct tmpl *t, unsigned int line,
    const char *fmt, ...)
{
	va_list		ap;
	int		n;

	if (l->err == NULL || l->errlen == 0)
		return (-1);
	n = snprintf(l->err, l->errlen, "%s:%u: ", t->name, line);
	if (n < 0 || (size_t)n >= l->errlen)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);

	return (-1);
}

static int
resolve_block(struct linker *l, const struct tmpl *t, struct tblock *b)
{
	size_t		 i;
	struct tnode	*n;

	for (i = 0; i < b->n; i++) {
		n = &b->v[i];
		if (n->type == T_SECTION || n->type == T_INVERTED) {
			if (resolve_block(l, t, &n->body) == -1)
				return (-1);
		} else if (n->type == T_PARTIAL) {
			n->partial = find_tmpl(l->set, n->pname);
			if (n->partial == NULL)
				return (lerr(l, t, n->line,
				    "unknown partial '%s'", n->pname));
		}
	}
	return (0);
}

/*
 * Depth-first walk over the partials of t, which is included level
 * partials deep.  Sets t->pdepth, the longest chain of partials below t.
 */
static int
visit(struct linker *l, struct tmpl *t, int level)
{
	t->mark = MARK_ACTIVE;
	t->pdepth = 0;
	if (visit_block(l, t, &t->body, level) == -1)
		return (-1);
	t->mark = MARK_DONE;

	return (0);
}

static int
visit_block(struct linker *l, struct tmpl *t, const struct tblock *b,
    int level)
{
	size_t			 i;
	const struct tnode	*n;
	struct tmpl		*c;

	for (i = 0; i < b->n; i++) {
		n = &b->v[i];
		if (n->type == T_SECTION || n->type == T_INVERTED) {
			if (visit_block(l, t, &n->body, level) == -1)
				return (-1);
			continue;
		}
		if (n->type != T_PARTIAL)
			continue;

		c = n->partial;
		if (c->mark == MARK_ACTIVE)
			return (lerr(l, t, n->line, "partial '%s' makes a "
			    "cycle", c->name));
		if (level + 1 > TMPL_MAX_DEPTH)
			return (lerr(l, t, n->line, "partials nested deeper "
			    "than %d", TMPL_MAX_DEPTH));
		if (c->mark == MARK_NONE && visit(l, c, level + 1) == -1)
			return (-1);
		if (level + 1 + c->pdepth > TMPL_MAX_DEPTH)
			return (lerr(l, t, n->line, "partials nested deeper "
			    "than %d", TMPL_MAX_DEPTH));
		if (c->pdepth + 1 > t->pdepth)
			t->pdepth = c->pdepth + 1;
	}
	return (0);
}

static void
names_block(const struct tmpl *t, const struct tblock *b,
    void (*cb)(const char *, const char *, void *), void *arg)
{
	size_t			 i;
	const struct tnode	*n;

	for (i = 0; i < b->n; i++) {
		n = &b->v[i];
		if (n->type == T_TEXT || n->type == T_PARTIAL)
			continue;
		if (n->name.nseg > 0)
			cb(n->name.full, t->name, arg);
		names_block(t, &n->body, cb, arg);
	}
}

/*
 * Renderer.  Section values are pushed as frames on the C stack; nothing
 * is allocated except by buf growth.
 */

static void
render_block(const struct rstate *rs, const struct tblock *b,
    const struct frame *f)
{
	size_t			 i;
	const struct tnode	*n;

	for (i = 0; i < b->n; i++) {
		n = &b->v[i];
		switch (n->type) {
		case T_TEXT:
			buf_append(rs->out, n->text, n->len);
			break;
		case T_VAR:
		case T_RAW:
			put_value(rs->out, lookup(rs, f, &n->name), n);
			break;
		case T_SECTION:
			render_section(rs, n, f);
			break;
		case T_INVERTED:
			if (!truthy(lookup(rs, f, &n->name)))
				render_block(rs, &n->body, f);
			break;
		case T_PARTIAL:
			render_block(rs, &n->partial->body, f);
			break;
		}
	}
}

static void
render_section(const struct rstate *rs, const struct tnode *n,
    const struct frame *f)
{
	struct frame	 fr;
	json_t		*v;
	size_t		 i;

	v = lookup(rs, f, &n->name);
	if (!truthy(v))
		return;

	fr.up = f;
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			fr.v = json_array_get(v, i);
			render_block(rs, &n->body, &fr);
		}
	} else if (json_is_object(v)) {
		render_block(rs, &n->body, f);
	} else {
		fr.v = v;
		render_block(rs, &n->body, &fr);
	}
}

static json_t *
lookup(const struct rstate *rs, const struct frame *f, const struct tname *n)
{
	json_t		*v;
	size_t		 i;

	if (n->nseg == 0) {
		if (f != NULL)
			return (f->v);
		return (rs->nctx > 0 ? rs->ctx[rs->nctx - 1] : NULL);
	}

	v = lookup_first(rs, f, n->seg[0]);
	for (i = 1; v != NULL && i < n->nseg; i++)
		v = lookup_child(v, n->seg[i]);

	return (v);
}

/*
 * A member of an object, or an element of an array by its decimal index:
 * {{#items.0}}<ul>...{{/items.0}} shows a list only when it has items.
 */
static json_t *
lookup_child(json_t *v, const char *seg)
{
	size_t		idx;
	const char	*p;

	if (!json_is_array(v))
		return (json_object_get(v, seg));
	idx = 0;
	for (p = seg; *p >= '0' && *p <= '9' && idx < 100000; p++)
		idx = idx * 10 + (size_t)(*p - '0');
	if (p == seg || *p != '\0')
		return (NULL);
	return (json_array_get(v, idx));
}

/* json_object_get() returns NULL for non-objects, including NULL. */
static json_t *
lookup_first(const struct rstate *rs, const struct frame *f, const char *key)
{
	json_t		*v;
	size_t		 i;

	for (; f != NULL; f = f->up) {
		if ((v = json_object_get(f->v, key)) != NULL)
			return (v);
	}
	for (i = rs->nctx; i > 0; i--) {
		if ((v = json_object_get(rs->ctx[i - 1], key)) != NULL)
			return (v);
	}
	return (NULL);
}

static int
truthy(const json_t *v)
{
	if (v == NULL)
		return (0);

	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return (1);
	case JSON_ARRAY:
		return (json_array_size(v) > 0);
	case JSON_STRING:
		return (json_string_length(v) > 0);
	case JSON_INTEGER:
		return (json_integer_value(v) != 0);
	case JSON_REAL:
		return (json_real_value(v) != 0.0);
	default:
		return (0);
	}
}

static void
put_value(struct buf *out, const json_t *v, const struct tnode *n)
{
	const char	*s;
	size_t		 len;

	if (v == NULL)
		return;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		if (n->check != CHK_NONE && url_filter(&s, &len, n->check)) {
			buf_appendc(out, '#');
			break;
		}
		if (n->type == T_RAW)
			buf_append(out, s, len);
		else
			buf_append_html(out, s, len);
		break;
	case JSON_INTEGER:
		put_int(out, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(out, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_append(out, "true", 4);
		break;
	default:
		break;
	}
}

static void
put_int(struct buf *out, json_int_t v)
{
	char			 tmp[24];
	size_t			 i;
	unsigned long long	 u;

	u = (unsigned long long)v;
	if (v < 0)
		u = -u;
	i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--i] = '-';
	buf_append(out, tmp + i, sizeof(tmp) - i);
}

/* Shortest of %.15g and %.17g that reads back as the same double. */
static void
put_real(struct buf *out, double d)
{
	char		tmp[32];

	(void)snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		(void)snprintf(tmp, sizeof(tmp), "%.17g", d);
	buf_appends(out, tmp);
}

/*
 * Check a string value about to be output in a URL attribute; it may be
 * moved past leading whitespace.  Returns -1 if it must be replaced.
 */
static int
url_filter(const char **sp, size_t *lenp, int check)
{
	const char	*s;
	size_t		 len, i;

	s = *sp;
	len = *lenp;
	switch (check) {
	case CHK_START:
		while (len > 0 && (unsigned char)*s <= 0x20) {
			s++;
			len--;
		}
		*sp = s;
		*lenp = len;
		if (len > 0 && is_slash(s[0])) {
			for (i = 1; i < len && is_tabnl(s[i]); i++)
				;
			if (i < len && is_slash(s[i]))
				return (-1);
		}
		return (scheme_check(s, len, 1));
	case CHK_SCHEME:
		return (scheme_check(s, len, 0));
	case CHK_SLASH:
		for (i = 0; i < len && is_tabnl(s[i]); i++)
			;
		return (i < len && is_slash(s[i]) ? -1 : 0);
	}
	return (0);
}

/* -1 if s has a scheme that is not allowed (none is, unless allow). */
static int
scheme_check(const char *s, size_t len, int allow)
{
	size_t		i;

	for (i = 0; i < len; i++) {
		if (s[i] == ':')
			break;
		if (is_slash(s[i]) || s[i] == '?' || s[i] == '#')
			return (0);
	}
	if (i == len)
		return (0);
	if (allow && scheme_allowed(s, i))
		return (0);
	return (-1);
}

static int
scheme_allowed(const char *s, size_t len)
{
	char		scheme[8];
	size_t		i, n;

	for (i = 0, n = 0; i < len; i++) {
		if (is_tabnl(s[i]))
			continue;
		if (n == sizeof(scheme) - 1)
			return (0);
		scheme[n++] = (char)lower((unsigned char)s[i]);
	}
	scheme[n] = '\0';

	return (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	    strcmp(scheme, "mailto") == 0);
}

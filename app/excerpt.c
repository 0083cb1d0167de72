/*
 * excerpt.c: plain text of Markdown, and the part of it a search result
 * shows, cut into hit and non-hit segments (contract in excerpt.h).
 *
 * This replaces four regular expressions per result in PostgreSQL (the
 * plain text) and a fifth that cut it: work on a bounded text in C,
 * linear in its length.  Links are the only construct that looks ahead;
 * the next ']' and ')' are remembered, so "[[[[" costs one pass too.
 */
#include <string.h>

#include "excerpt.h"
#include "search.h"

#define ELLIPSIS	"\xe2\x80\xa6"		/* U+2026 */
#define END_NEAR	20	/* characters an excerpt may give up to end
				   at a space rather than inside a word */

/* excerpt_plain()'s output state. */
struct plain {
	struct buf	*out;
	size_t		 base;	/* where this call's text starts */
	int		 space;	/* a space is due before the next text */
	const char	*s;
	size_t		 len;
	size_t		 rb;	/* the next ']' at or after rb_from */
	size_t		 rb_from;
	size_t		 rp;	/* the next ')' at or after rp_from */
	size_t		 rp_from;
};

static int	plain_blank(char);
static size_t	plain_marks(const char *, size_t, size_t);
static size_t	plain_inline(struct plain *, size_t, size_t, int);
static int	plain_link(struct plain *, size_t, size_t *, size_t *,
		    size_t *);
static size_t	plain_next(const char *, size_t, size_t, char, size_t *,
		    size_t *);
static size_t	utf8_chars(const char *, size_t);
static size_t	utf8_back(const char *, size_t, size_t);
static size_t	utf8_fwd(const char *, size_t, size_t, size_t);
static void	seg_add(struct excerpt *, size_t, size_t, int);

void
excerpt_plain(const char *md, size_t len, struct buf *out)
{
	struct plain	p;

	if (len > EXCERPT_MAX_INPUT) {
		len = EXCERPT_MAX_INPUT;
		while (len > 0 && ((unsigned char)md[len] & 0xc0) == 0x80)
			len--;
	}
	memset(&p, 0, sizeof(p));
	p.out = out;
	p.base = out->len;
	p.s = md;
	p.len = len;
	(void)plain_inline(&p, 0, len, 1);
	buf_appends(out, "");
}

static int
plain_blank(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v');
}

/*
 * At a line start s[i]: past its block marks (each: up to three spaces
 * or tabs, the mark, at least one space or tab), or i itself.
 */
static size_t
plain_marks(const char *s, size_t i, size_t len)
{
	size_t	j, k, n;

	for (n = 0; n < 4; n++) {
		for (j = i, k = 0; j < len && k < 3 &&
		    (s[j] == ' ' || s[j] == '\t'); j++, k++)
			;
		if (j >= len)
			return (i);
		if (s[j] == '#') {
			for (k = 0; j < len && s[j] == '#' && k < 7; j++, k++)
				;
			if (k > 6)
				return (i);
		} else if (s[j] == '>' || s[j] == '-' || s[j] == '*' ||
		    s[j] == '+')
			j++;
		else if (s[j] >= '0' && s[j] <= '9') {
			while (j < len && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j >= len || (s[j] != '.' && s[j] != ')'))
				return (i);
			j++;
		} else
			return (i);
		if (j >= len || (s[j] != ' ' && s[j] != '\t'))
			return (i);
		while (j < len && (s[j] == ' ' || s[j] == '\t'))
			j++;
		i = j;
	}
	return (i);
}

/*
 * The first c in s[from..len), using *at and *at_from as a memory of the last
 * answer (valid while from stays at or before it); len when there is
 * none.
 */
static size_t
plain_next(const char *s, size_t from, size_t len, char c, size_t *at,
    size_t *at_from)
{
	const char	*hit;

	if (*at_from != 0 && *at_from <= from + 1 && from <= *at)
		return (*at);
	hit = memchr(s + from, c, len - from);
	*at = hit != NULL ? (size_t)(hit - s) : len;
	*at_from = from + 1;
	return (*at);
}

/*
 * s[i] is '[' (or "![" at i - 1): a link or image [text](url) whose text
 * is s[*ts..*te); *next is past its ')'.
 */
static int
plain_link(struct plain *p, size_t i, size_t *ts, size_t *te, size_t *next)
{
	size_t	rb, rp;

	rb = plain_next(p->s, i + 1, p->len, ']', &p->rb, &p->rb_from);
	if (rb + 1 >= p->len || p->s[rb + 1] != '(')
		return (0);
	rp = plain_next(p->s, rb + 2, p->len, ')', &p->rp, &p->rp_from);
	if (rp >= p->len)
		return (0);
	*ts = i + 1;
	*te = rb;
	*next = rp + 1;
	return (1);
}

/*
 * Copy s[i..end) as plain text; block marks at line starts and links
 * only when top (link text is copied with the inline rules alone).
 */
static size_t
plain_inline(struct plain *p, size_t i, size_t end, int top)
{
	const char	*s = p->s;
	size_t		 ts, te, next, b;
	char		 c;

	if (top)
		i = plain_marks(s, i, end);
	while (i < end) {
		c = s[i];
		if (plain_blank(c)) {
			p->space = 1;
			i++;
			if (top && c == '\n')
				i = plain_marks(s, i, end);
			continue;
		}
		if (c == '*' || c == '`') {
			i++;
			continue;
		}
		if (c == '~' && i + 1 < end && s[i + 1] == '~') {
			i += 2;
			continue;
		}
		if (top && (c == '[' || (c == '!' && i + 1 < end &&
		    s[i + 1] == '['))) {
			b = c == '!' ? i + 1 : i;
			if (plain_link(p, b, &ts, &te, &next)) {
				(void)plain_inline(p, ts, te, 0);
				i = next;
				continue;
			}
		}
		if (p->space && p->out->len > p->base)
			buf_appendc(p->out, ' ');
		p->space = 0;
		buf_appendc(p->out, c);
		i++;
	}
	return (i);
}

/* Characters of s[0..len): bytes that do not continue a sequence. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t	i, n;

	for (i = n = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/* The offset n characters before pos (0 at the start). */
static size_t
utf8_back(const char *s, size_t pos, size_t n)
{
	while (n > 0 && pos > 0) {
		pos--;
		while (pos > 0 && ((unsigned char)s[pos] & 0xc0) == 0x80)
			pos--;
		n--;
	}
	return (pos);
}

/* The offset n characters after pos (len at the end). */
static size_t
utf8_fwd(const char *s, size_t pos, size_t len, size_t n)
{
	while (n > 0 && pos < len) {
		pos++;
		while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
			pos++;
		n--;
	}
	return (pos);
}

/*
 * The next segment of ex->text (they come in order, each where the last
 * ended); one of the same kind as the last extends it.  The last slot is
 * kept for text: hits past it are shown as text.
 */
static void
seg_add(struct excerpt *ex, size_t off, size_t len, int hit)
{
	struct excerpt_seg	*last;

	if (len == 0)
		return;
	if (ex->nseg >= EXCERPT_MAX_SEGS - 1)
		hit = 0;
	if (ex->nseg > 0) {
		last = &ex->seg[ex->nseg - 1];
		if (last->hit == hit) {
			last->len = off + len - last->off;
			return;
		}
	}
	ex->seg[ex->nseg].off = off;
	ex->seg[ex->nseg].len = len;
	ex->seg[ex->nseg].hit = hit;
	ex->nseg++;
	if (hit)
		ex->hits = 1;
}

void
excerpt_make(struct excerpt *ex, const char *text, size_t len,
    const char *qtokens, size_t chars)
{
	struct search_span	 hits[EXCERPT_MAX_SEGS];
	const char		*sp;
	size_t			 nh, i, start, end, first, latest, avail;
	size_t			 a, b, at;
	int			 lead, trail;

	memset(ex, 0, sizeof(*ex));
	buf_init(&ex->text);
	if (len > EXCERPT_MAX_INPUT) {
		len = EXCERPT_MAX_INPUT;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	nh = search_hits(text, len, qtokens, hits, EXCERPT_MAX_SEGS);

	start = 0;
	end = len;
	lead = trail = 0;
	if (chars > 1 && utf8_chars(text, len) > chars) {
		first = nh > 0 ? hits[0].start : 0;
		if (utf8_chars(text, first) > EXCERPT_BEFORE) {
			start = utf8_back(text, first, EXCERPT_BEFORE);
			/* Near the end: what is left still fills it. */
			latest = utf8_back(text, len, chars - 1);
			if (latest < start)
				start = latest;
			sp = memchr(text + start, ' ', first - start);
			if (sp != NULL)
				start = (size_t)(sp - text) + 1;
			lead = start > 0;
		}
		avail = chars - lead;
		if (utf8_chars(text + start, len - start) > avail) {
			end = utf8_fwd(text, start, len, avail - 1);
			for (i = end; i > start && text[i - 1] != ' '; i--)
				;
			if (i > start && (nh == 0 || i > hits[0].end) &&
			    utf8_chars(text + i, end - i) <= END_NEAR)
				end = i;
			trail = 1;
		}
	}
	while (start < end && text[start] == ' ')
		start++;
	while (end > start && text[end - 1] == ' ')
		end--;

	if (lead)
		buf_appends(&ex->text, ELLIPSIS);
	seg_add(ex, 0, ex->text.len, 0);
	at = start;
	for (i = 0; i < nh; i++) {
		a = hits[i].start > at ? hits[i].start : at;
		b = hits[i].end < end ? hits[i].end : end;
		if (a >= b)
			continue;
		seg_add(ex, ex->text.len, a - at, 0);
		buf_append(&ex->text, text + at, a - at);
		seg_add(ex, ex->text.len, b - a, 1);
		buf_append(&ex->text, text + a, b - a);
		at = b;
	}
	if (end > at) {
		seg_add(ex, ex->text.len, end - at, 0);
		buf_append(&ex->text, text + at, end - at);
	}
	if (trail) {
		seg_add(ex, ex->text.len, strlen(ELLIPSIS), 0);
		buf_appends(&ex->text, ELLIPSIS);
	}
	buf_appends(&ex->text, "");
}

void
excerpt_free(struct excerpt *ex)
{
	buf_free(&ex->text);
	memset(ex, 0, sizeof(*ex));
}

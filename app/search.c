/*
 * search.c: the search tokenizer (Chinese + English, no dictionary).
 *
 * Contract
 *   The input is UTF-8 plain text (markup already stripped by the caller).
 *   It is decoded strictly; an invalid byte is a separator, so is every
 *   character that is neither a word character nor CJK (punctuation, full-
 *   width punctuation, symbols, emoji, controls, white space, and scripts
 *   such as Greek or Cyrillic that are not indexed).  Combining marks,
 *   soft hyphen, ZWJ/ZWNJ, word joiner, BOM and variation selectors are
 *   ignored without separating, so "cafe\u0301" and Han + IVS stay whole.
 *
 *   Latin words: runs of ASCII letters and digits, full-width A-Z a-z 0-9
 *   (U+FF10..U+FF5A) and Latin-1/Latin Extended-A letters, all spelled in
 *   [a-z0-9]: lower case, accents removed (é -> e, ß -> ss, Æ -> ae).
 *   Folding here rather than in PostgreSQL keeps the result independent
 *   of the database's LC_CTYPE (lower('É') is 'É' under LC_CTYPE C).
 *   Words are cut to their first SEARCH_MAX_WORD bytes, identically for
 *   index and query, so a long identifier still matches itself.  "c++"
 *   and "c#" become "c"; "don't" becomes "don t"; no prefix matching.
 *
 *   CJK runs (Han U+3400..4DBF, U+4E00..9FFF, U+F900..FAFF,
 *   U+20000..2FA1F, plus 々 〇, hiragana, katakana, Hangul syllables): an
 *   index gets every character and every adjacent pair, "智能花盆" ->
 *   "智 能 花 盆 智能 能花 花盆".  A query gets the pairs only, "智能花盆"
 *   -> "智能 能花 花盆" (all required: an approximation of a phrase), and
 *   a lone character its unigram.  Every query token of a text that
 *   occurs inside an indexed CJK run is therefore one of its index tokens.
 *   A script change ends a token: "ESP32智能" -> "esp32 智 能 智能".
 *
 *   Output: tokens separated by one space, each only [a-z0-9] or CJK.
 *   Query tokens are distinct, at most SEARCH_MAX_QTOKENS, taken from the
 *   first SEARCH_MAX_QUERY characters (an invalid byte counts as one).
 *   Index input is cut at SEARCH_MAX_INPUT bytes, and the index output
 *   stops before the token that would pass SEARCH_MAX_TSV (each token
 *   costing its bytes + 5, see TSV_OVERHEAD), so to_tsvector() of it
 *   never fails on the 1 MB limit (256 KB of varied Han text would need
 *   1.13 MB).  English text never reaches the budget; CJK text
 *   costs 19 bytes per character, so about 48,000 characters of a
 *   single text are indexed.  The other 124 KB of the 1 MB are for a
 *   title or tags appended to the same string by another call (the
 *   budget is per call).  Time is linear in the input.
 *
 * PostgreSQL usage (the 'simple' configuration: default parser, no stop
 * words, lower-casing only; checked on PostgreSQL 15, UTF8, C.UTF-8):
 *   schema   search_tokens text NOT NULL DEFAULT '',
 *            search_tsv tsvector GENERATED ALWAYS AS
 *                (to_tsvector('simple', search_tokens)) STORED
 *            CREATE INDEX ... ON t USING gin (search_tsv);
 *   store    UPDATE t SET search_tokens = $1 ...   ($1: index tokens)
 *   query    ... WHERE search_tsv @@ plainto_tsquery('simple', $1)
 *            ORDER BY ts_rank(search_tsv, plainto_tsquery('simple', $1))
 *                DESC                              ($1: query tokens)
 * plainto_tsquery, not to_tsquery: it ANDs the words and never parses
 * operators, so no input can be a tsquery syntax error (to_tsquery rejects
 * "a b").  The default parser keeps each token here as one lexeme: a CJK
 * pair is one "word", esp32/3d are "numword", 2024 is "int".  Given 0
 * query tokens, answer an empty result without querying.
 */
#include <stdint.h>
#include <string.h>

#include "search.h"

#define BAD_CP		0xffffffffU	/* an invalid UTF-8 byte */

/*
 * What one token can add to the string part of a tsvector, which
 * PostgreSQL caps at 1 MB ("string is too long for tsvector"): its bytes,
 * then at most 1 byte of alignment, a uint16 position count and a uint16
 * position for each occurrence.  Charging every token (repeats too)
 * len + 5 bounds the real size from above.
 */
#define TSV_OVERHEAD	5

enum cls {
	CLS_SEP,	/* ends the current token */
	CLS_WORD,	/* part of a Latin word */
	CLS_CJK,	/* part of a CJK run */
	CLS_IGNORE	/* dropped, the token goes on */
};

struct tok {
	struct buf	*out;
	size_t		 base;	/* where this call's output starts */
	size_t		 mark;	/* where the current token starts */
	size_t		 n;	/* tokens emitted */
	size_t		 max;	/* token cap, 0 for none */
	int		 query;	/* bigrams only, distinct tokens */
	int		 cut;	/* current word reached SEARCH_MAX_WORD */
	size_t		 cost;	/* tsvector bytes the tokens may take */
	size_t		 budget; /* cap on cost, 0 for none */
	int		 stop;	/* budget spent: no more tokens */
};

static size_t		 utf8_next(const unsigned char *, size_t, uint32_t *);
static enum cls		 classify(uint32_t, const char **, char *);
static const char	*latin_fold(uint32_t, char *);
static int		 is_cjk(uint32_t);
static int		 is_ignorable(uint32_t);
static size_t		 tokenize(struct tok *, const char *, size_t);
static void		 tok_begin(struct tok *);
static void		 tok_end(struct tok *);
static int		 tok_full(const struct tok *);
static int		 tok_is_dup(const struct tok *);
static void		 word_add(struct tok *, const char *);
static void		 cjk_run(struct tok *, const unsigned char *, size_t);
static void		 cjk_unigrams(struct tok *, const unsigned char *,
			    size_t);
static void		 cjk_bigrams(struct tok *, const unsigned char *,
			    size_t);
static size_t		 query_bytes(const char *, size_t);

/* search_hits(): the query's tokens, and the spans found so far. */
struct hits {
	const char		*tok[SEARCH_MAX_QTOKENS];
	size_t			 tlen[SEARCH_MAX_QTOKENS];
	size_t			 ntok;
	struct search_span	*spans;
	size_t			 max;
	size_t			 n;
};

static int		 hits_is_token(const struct hits *, const void *,
			    size_t);
static void		 hits_add(struct hits *, size_t, size_t);
static void		 hits_cjk(struct hits *, const unsigned char *,
			    size_t, size_t);

/*
 * ASCII spelling of U+00C0..U+017F; NULL for × and ÷, which separate.
 * The accents go: people type "cafe" for "café", "Zurich" for "Zürich".
 */
static const char *const latin_tab[] = {
	/* U+00C0 */
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 */
	"a", "a", "a", "a", "a", "a", "c", "c",
	"c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e",
	"e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h",
	"i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k",
	"k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n",
	"n", "n", "n", "n", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r",
	"r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t",
	"u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y",
	"y", "z", "z", "z", "z", "z", "z", "s"
};
_Static_assert(sizeof(latin_tab) / sizeof(latin_tab[0]) == 0x180 - 0xc0,
    "latin_tab covers U+00C0..U+017F");

size_t
search_index_tokens(const char *text, size_t len, struct buf *out)
{
	struct tok	t;

	memset(&t, 0, sizeof(t));
	t.out = out;
	t.budget = SEARCH_MAX_TSV;
	if (len > SEARCH_MAX_INPUT)
		len = SEARCH_MAX_INPUT;
	return (tokenize(&t, text, len));
}

size_t
search_query_tokens(const char *query, size_t len, struct buf *out)
{
	struct tok	t;

	memset(&t, 0, sizeof(t));
	t.out = out;
	t.query = 1;
	t.max = SEARCH_MAX_QTOKENS;
	return (tokenize(&t, query, query_bytes(query, len)));
}

/* Bytes of the first SEARCH_MAX_QUERY characters, decoded as tokenize does. */
static size_t
query_bytes(const char *s, size_t len)
{
	size_t		i, chars;
	uint32_t	cp;

	i = 0;
	for (chars = 0; chars < SEARCH_MAX_QUERY && i < len; chars++)
		i += utf8_next((const unsigned char *)s + i, len - i, &cp);
	return (i);
}

/*
 * One pass over the characters.  A Latin word is written straight to
 * out; a CJK run is only delimited here, then emitted by cjk_run(),
 * which reads it again (twice at most, so still linear).
 */
static size_t
tokenize(struct tok *t, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*fold;
	char			 one[2];
	size_t			 i, n, run;
	uint32_t		 cp;
	enum cls		 c, state;
	int			 sep;

	sep = 0;
	if (t->out->len > 0 && t->out->data[t->out->len - 1] != ' ') {
		buf_appendc(t->out, ' ');
		sep = 1;
	}
	t->base = t->out->len;
	state = CLS_SEP;
	run = 0;
	for (i = 0; i < len && !tok_full(t); i += n) {
		n = utf8_next(p + i, len - i, &cp);
		c = classify(cp, &fold, one);
		if (c == CLS_IGNORE || c == state) {
			if (c == CLS_WORD)
				word_add(t, fold);
			continue;
		}
		if (state == CLS_WORD)
			tok_end(t);
		else if (state == CLS_CJK)
			cjk_run(t, p + run, i - run);
		state = c;
		if (tok_full(t)) {
			state = CLS_SEP;
			break;
		}
		if (c == CLS_WORD) {
			tok_begin(t);
			word_add(t, fold);
		} else if (c == CLS_CJK)
			run = i;
	}
	if (state == CLS_WORD)
		tok_end(t);
	else if (state == CLS_CJK)
		cjk_run(t, p + run, i - run);

	/* Take back the space put before a first token that never came. */
	if (t->n == 0 && sep) {
		t->out->len--;
		t->out->data[t->out->len] = '\0';
	}
	return (t->n);
}

/*
 * Strict UTF-8 (no overlongs, surrogates or values above U+10FFFF).
 * Returns the bytes used, at least 1; *cp is BAD_CP for an invalid byte,
 * which is then skipped alone so the next byte gets its own chance.
 */
static size_t
utf8_next(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n, k;

	*cp = BAD_CP;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (1);
	if (n > len)
		return (1);
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return (1);
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (1);
	*cp = c;
	return (n);
}

static enum cls
classify(uint32_t cp, const char **fold, char *one)
{
	*fold = NULL;
	if (cp == BAD_CP)
		return (CLS_SEP);
	if ((*fold = latin_fold(cp, one)) != NULL)
		return (CLS_WORD);
	if (is_cjk(cp))
		return (CLS_CJK);
	if (is_ignorable(cp))
		return (CLS_IGNORE);
	return (CLS_SEP);
}

/* The [a-z0-9] spelling of a word character, or NULL. */
static const char *
latin_fold(uint32_t cp, char *one)
{
	/* Full-width ASCII: Ａ (U+FF21) is A (U+0041) plus 0xfee0. */
	if (cp >= 0xff10 && cp <= 0xff5a)
		cp -= 0xfee0;
	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
		one[0] = (char)cp;
		one[1] = '\0';
		return (one);
	}
	if (cp >= 0xc0 && cp <= 0x17f)
		return (latin_tab[cp - 0xc0]);
	return (NULL);
}

static int
is_cjk(uint32_t cp)
{
	return ((cp >= 0x3400 && cp <= 0x4dbf) ||	/* Han ext A */
	    (cp >= 0x4e00 && cp <= 0x9fff) ||		/* Han */
	    (cp >= 0xf900 && cp <= 0xfaff) ||		/* Han compat */
	    (cp >= 0x20000 && cp <= 0x2fa1f) ||	/* Han ext B.. */
	    cp == 0x3005 || cp == 0x3007 ||		/* 々 〇 */
	    (cp >= 0x3041 && cp <= 0x3096) ||		/* hiragana */
	    (cp >= 0x309d && cp <= 0x309f) ||
	    (cp >= 0x30a1 && cp <= 0x30fa) ||		/* katakana */
	    (cp >= 0x30fc && cp <= 0x30ff) ||
	    (cp >= 0x31f0 && cp <= 0x31ff) ||
	    (cp >= 0xac00 && cp <= 0xd7a3));		/* Hangul */
}

/* Marks that belong to the character before them, or join it. */
static int
is_ignorable(uint32_t cp)
{
	return ((cp >= 0x300 && cp <= 0x36f) ||	/* combining marks */
	    cp == 0xad ||				/* soft hyphen */
	    cp == 0x200c || cp == 0x200d ||		/* ZWNJ, ZWJ */
	    cp == 0x2060 || cp == 0xfeff ||		/* WJ, BOM */
	    cp == 0x3099 || cp == 0x309a ||		/* kana voicing */
	    (cp >= 0xfe00 && cp <= 0xfe0f) ||		/* variation sel. */
	    (cp >= 0xe0100 && cp <= 0xe01ef));		/* ideographic VS */
}

static int
tok_full(const struct tok *t)
{
	return (t->stop || (t->max != 0 && t->n >= t->max));
}

/* Start a token at the end of out; the caller checks the cap first. */
static void
tok_begin(struct tok *t)
{
	if (t->n > 0)
		buf_appendc(t->out, ' ');
	t->mark = t->out->len;
	t->cut = 0;
}

/*
 * Keep the token just written, or take it back if it is empty, repeated
 * in a query, or over the budget (which then ends the output).
 */
static void
tok_end(struct tok *t)
{
	size_t	len, keep;

	len = t->out->len - t->mark;
	if (len > 0 && t->budget != 0 &&
	    t->cost + len + TSV_OVERHEAD > t->budget)
		t->stop = 1;
	else if (len > 0 && !(t->query && tok_is_dup(t))) {
		t->cost += len + TSV_OVERHEAD;
		t->n++;
		return;
	}
	keep = t->mark;
	if (t->n > 0)
		keep--;		/* the separating space */
	t->out->len = keep;
	if (t->out->data != NULL)
		t->out->data[keep] = '\0';
}

/*
 * Whether the current token equals an earlier one of this call.  Only
 * for queries: at most SEARCH_MAX_QTOKENS tokens of a short text.
 */
static int
tok_is_dup(const struct tok *t)
{
	const char	*d = t->out->data;
	size_t		 i, j, tlen;

	tlen = t->out->len - t->mark;
	for (i = t->base; i < t->mark; i = j + 1) {
		for (j = i; j < t->mark && d[j] != ' '; j++)
			;
		if (j - i == tlen && memcmp(d + i, d + t->mark, tlen) == 0)
			return (1);
	}
	return (0);
}

/* Append folded letters; past SEARCH_MAX_WORD bytes the word is cut. */
static void
word_add(struct tok *t, const char *fold)
{
	size_t	flen;

	flen = strlen(fold);
	if (t->cut || t->out->len - t->mark + flen > SEARCH_MAX_WORD) {
		t->cut = 1;
		return;
	}
	buf_append(t->out, fold, flen);
}

/*
 * Emit the tokens of one CJK run: bytes of CJK characters, possibly with
 * ignorable marks among them (those are skipped, not part of tokens).
 */
static void
cjk_run(struct tok *t, const unsigned char *p, size_t len)
{
	size_t		i, n, chars;
	uint32_t	cp;

	chars = 0;
	for (i = 0; i < len && chars < 2; i += n) {
		n = utf8_next(p + i, len - i, &cp);
		if (is_cjk(cp))
			chars++;
	}
	if (!t->query || chars == 1)
		cjk_unigrams(t, p, len);
	cjk_bigrams(t, p, len);
}

static void
cjk_unigrams(struct tok *t, const unsigned char *p, size_t len)
{
	size_t		i, n;
	uint32_t	cp;

	for (i = 0; i < len && !tok_full(t); i += n) {
		n = utf8_next(p + i, len - i, &cp);
		if (!is_cjk(cp))
			continue;
		tok_begin(t);
		buf_append(t->out, p + i, n);
		tok_end(t);
	}
}

static void
cjk_bigrams(struct tok *t, const unsigned char *p, size_t len)
{
	size_t		i, n, prev, prevn;
	uint32_t	cp;

	prevn = 0;
	prev = 0;
	for (i = 0; i < len && !tok_full(t); i += n) {
		n = utf8_next(p + i, len - i, &cp);
		if (!is_cjk(cp))
			continue;
		if (prevn > 0) {
			tok_begin(t);
			buf_append(t->out, p + prev, prevn);
			buf_append(t->out, p + i, n);
			tok_end(t);
		}
		prev = i;
		prevn = n;
	}
}

/*
 * The same walk as tokenize(), comparing instead of emitting: a Latin
 * word is folded into word[] (cut like word_add()) while its bytes are
 * remembered; a CJK run is delimited and handed to hits_cjk().
 */
size_t
search_hits(const char *text, size_t len, const char *qtokens,
    struct search_span *spans, size_t max)
{
	const unsigned char	*p = (const unsigned char *)text;
	struct hits		 h;
	const char		*fold, *q;
	char			 word[SEARCH_MAX_WORD], one[2];
	size_t			 i, n, run, wlen, wstart, wend, flen;
	uint32_t		 cp;
	enum cls		 c, state;
	int			 cut;

	memset(&h, 0, sizeof(h));
	h.spans = spans;
	h.max = max;
	for (q = qtokens; *q != '\0' && h.ntok < SEARCH_MAX_QTOKENS; ) {
		n = strcspn(q, " ");
		if (n > 0) {
			h.tok[h.ntok] = q;
			h.tlen[h.ntok++] = n;
		}
		q += n;
		q += strspn(q, " ");
	}
	if (h.ntok == 0 || max == 0)
		return (0);
	if (len > SEARCH_MAX_INPUT)
		len = SEARCH_MAX_INPUT;

	state = CLS_SEP;
	run = wlen = wstart = wend = 0;
	cut = 0;
	for (i = 0; i <= len; i += n) {
		if (i == len) {
			c = CLS_SEP;
			n = 1;
			fold = NULL;
		} else {
			n = utf8_next(p + i, len - i, &cp);
			c = classify(cp, &fold, one);
		}
		if (i < len && (c == CLS_IGNORE || c == state)) {
			if (state == CLS_WORD)
				wend = i + n;
			if (c == CLS_WORD && !cut) {
				flen = strlen(fold);
				if (wlen + flen > SEARCH_MAX_WORD)
					cut = 1;
				else {
					memcpy(word + wlen, fold, flen);
					wlen += flen;
				}
			}
			continue;
		}
		if (state == CLS_WORD && hits_is_token(&h, word, wlen))
			hits_add(&h, wstart, wend);
		else if (state == CLS_CJK)
			hits_cjk(&h, p, run, i - run);
		state = c;
		if (c == CLS_WORD) {
			flen = strlen(fold);	/* 1 or 2 bytes: fits */
			memcpy(word, fold, flen);
			wlen = flen;
			cut = 0;
			wstart = i;
			wend = i + n;
		} else if (c == CLS_CJK)
			run = i;
	}
	return (h.n);
}

/* Whether s[0..len) is one of the query's tokens. */
static int
hits_is_token(const struct hits *h, const void *s, size_t len)
{
	size_t	i;

	for (i = 0; i < h->ntok; i++) {
		if (h->tlen[i] == len && memcmp(h->tok[i], s, len) == 0)
			return (1);
	}
	return (0);
}

/* Add [start, end); starts come in order, so only the last may merge. */
static void
hits_add(struct hits *h, size_t start, size_t end)
{
	struct search_span	*last;

	if (h->n > 0) {
		last = &h->spans[h->n - 1];
		if (start <= last->end) {
			if (end > last->end)
				last->end = end;
			return;
		}
	}
	if (h->n == h->max)
		return;
	h->spans[h->n].start = start;
	h->spans[h->n].end = end;
	h->n++;
}

/*
 * The CJK run at p[off..off+len): each pair of neighbouring characters
 * (marks between them skipped, as cjk_bigrams() does) and each single
 * character that is a query token.  The pair is added first: it starts
 * earlier.
 */
static void
hits_cjk(struct hits *h, const unsigned char *p, size_t off, size_t len)
{
	unsigned char	pair[8];
	size_t		i, n, prev, prevn;
	uint32_t	cp;

	prev = prevn = 0;
	for (i = off; i < off + len; i += n) {
		n = utf8_next(p + i, off + len - i, &cp);
		if (!is_cjk(cp))
			continue;
		if (prevn > 0) {
			memcpy(pair, p + prev, prevn);
			memcpy(pair + prevn, p + i, n);
			if (hits_is_token(h, pair, prevn + n))
				hits_add(h, prev, i + n);
		}
		if (hits_is_token(h, p + i, n))
			hits_add(h, i, i + n);
		prev = i;
		prevn = n;
	}
}

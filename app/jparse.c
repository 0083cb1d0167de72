/*
 * jparse.c: a fast JSON parser that builds jansson's json_t tree.
 *
 * Why
 *   Every HTML page parses the JSON document PostgreSQL returned (5-50
 *   KB) and the template engine walks it as a json_t tree.  jansson's
 *   json_loadb reads the input one byte at a time through a stream with
 *   a function call per byte: it measured 65 MB/s here (231 us for a 15
 *   KB page), 60% of a worker's CPU on the project page.  jparse builds
 *   the same tree several times faster: string bodies are scanned eight
 *   bytes at a time, UTF-8 is validated in the same pass, and the values
 *   are made with jansson's *_nocheck constructors, which then neither
 *   validate nor scan again.
 *
 * Contract
 *   jparse(data, len) parses exactly len bytes (no NUL terminator needed,
 *   never a byte past len): one JSON value of any kind, with optional
 *   white space (space, tab, CR, LF) around it.  The result is a new
 *   reference the caller json_decref()s, or NULL on a syntax error,
 *   invalid UTF-8, "\u0000" or a raw control character (< 0x20) in a
 *   string, a lone UTF-16 surrogate escape, an integer outside
 *   json_int_t, a real that overflows to infinity, containers nested
 *   deeper than JPARSE_MAX_DEPTH, or an allocation failure.  Duplicate
 *   object keys are allowed and the last one wins; integers (no '.', no
 *   exponent) become json_integer, other numbers json_real.
 *
 *   For every input the result is json_equal() to that of
 *   json_loadb(data, len, JSON_DECODE_ANY, NULL), NULL when it is NULL,
 *   except for these two differences, which PostgreSQL's json and jsonb
 *   output never exercise:
 *   - Depth: jansson allows 2048 levels, jparse JPARSE_MAX_DEPTH (64)
 *     nested arrays or objects, which bounds the recursion here.
 *   - NUL bytes: jansson silently drops a NUL byte that directly follows
 *     a number or true/false/null ("1\0" parses as 1, a quirk of its
 *     stream's unget); jparse rejects every raw NUL byte.
 *   tests/unit/test_jparse.c checks the equivalence on tables of valid
 *   and invalid documents and on a generated 200 KB one, and
 *   tests/fuzz/fuzz_jparse.c fuzzes it differentially against jansson.
 *
 *   Reals are converted with strtod() on a NUL-terminated copy, as
 *   jansson does; strtod() reads the locale's decimal point, so this
 *   needs LC_NUMERIC "C", which the application keeps (it never calls
 *   setlocale()).  jansson converts '.' to the locale's point first.
 *
 * Memory
 *   Strings without escapes are copied by jansson straight from the
 *   input.  Strings with escapes are decoded into a buffer in struct jp,
 *   on jparse()'s stack for short strings and malloc'ed (freed before
 *   jparse returns) for longer ones.  On any error the partly built tree
 *   is released with json_decref().
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jparse.h"

/* Escaped strings up to this size are decoded without a malloc. */
#define JP_STACKBUF	512

/* Reals up to this many characters are copied to the stack for strtod. */
#define JP_NUMBUF	64

/* The integer code below assumes json_int_t is long long. */
_Static_assert(sizeof(json_int_t) == sizeof(long long),
    "json_int_t is not long long");

#define JP_ONES		0x0101010101010101ULL
#define JP_HIGH		0x8080808080808080ULL

/* Parser state, on jparse()'s stack. */
struct jp {
	const unsigned char	*p;	/* next byte */
	const unsigned char	*end;	/* one past the last byte */
	char			*buf;	/* decoded string: stack or heap */
	size_t			 len;	/* bytes used in buf */
	size_t			 cap;	/* size of buf */
	char			 stack[JP_STACKBUF];
};

static json_t			*parse_value(struct jp *, int);
static json_t			*parse_object(struct jp *, int);
static json_t			*parse_array(struct jp *, int);
static json_t			*parse_number(struct jp *);
static json_t			*parse_real(const unsigned char *, size_t);
static json_t			*parse_literal(struct jp *);
static int			 scan_string(struct jp *, const char **,
				    size_t *);
static int			 decode_string(struct jp *,
				    const unsigned char *);
static int			 decode_escape(struct jp *);
static int			 hex4(const unsigned char *);
static int			 skip_plain(struct jp *);
static const unsigned char	*skip_utf8(const unsigned char *,
				    const unsigned char *);
static int			 buf_add(struct jp *, const void *, size_t);
static int			 buf_grow(struct jp *, size_t);
static void			 skip_ws(struct jp *);
static uint64_t			 special_bytes(uint64_t);

json_t *
jparse(const char *data, size_t len)
{
	struct jp	 jp;
	json_t		*json;

	if (data == NULL)
		return (NULL);

	jp.p = (const unsigned char *)data;
	jp.end = jp.p + len;
	jp.buf = jp.stack;
	jp.len = 0;
	jp.cap = sizeof(jp.stack);

	skip_ws(&jp);
	json = parse_value(&jp, 0);
	if (json != NULL) {
		skip_ws(&jp);
		if (jp.p != jp.end) {
			json_decref(json);
			json = NULL;
		}
	}

	if (jp.buf != jp.stack)
		free(jp.buf);

	return (json);
}

/* JSON white space: the only bytes allowed between tokens. */
static inline void
skip_ws(struct jp *jp)
{
	const unsigned char	*p, *end;

	p = jp->p;
	end = jp->end;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' ||
	    *p == '\t'))
		p++;
	jp->p = p;
}

/*
 * One value at jp->p (white space already skipped).  depth is the count
 * of containers around it.  Returns a new reference or NULL.
 */
static json_t *
parse_value(struct jp *jp, int depth)
{
	const char	*s;
	size_t		 len;

	if (jp->p == jp->end)
		return (NULL);

	switch (*jp->p) {
	case '"':
		jp->p++;
		if (scan_string(jp, &s, &len) == -1)
			return (NULL);
		return (json_stringn_nocheck(s, len));
	case '{':
		return (parse_object(jp, depth));
	case '[':
		return (parse_array(jp, depth));
	case 't':
	case 'f':
	case 'n':
		return (parse_literal(jp));
	default:
		return (parse_number(jp));
	}
}

static json_t *
parse_object(struct jp *jp, int depth)
{
	json_t		*obj, *value;
	const char	*key;
	char		*copy;
	size_t		 klen;

	if (depth >= JPARSE_MAX_DEPTH)
		return (NULL);
	if ((obj = json_object()) == NULL)
		return (NULL);

	copy = NULL;
	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == '}') {
		jp->p++;
		return (obj);
	}

	for (;;) {
		if (jp->p == jp->end || *jp->p != '"')
			goto fail;
		jp->p++;
		if (scan_string(jp, &key, &klen) == -1)
			goto fail;

		/*
		 * A decoded key lives in jp->buf, which the value may
		 * reuse: keep a copy (escapes in keys are rare; plain keys
		 * point into the input and need none).  Freed below.
		 */
		if (key == jp->buf) {
			if ((copy = malloc(klen + 1)) == NULL)
				goto fail;
			memcpy(copy, key, klen);
			key = copy;
		}

		skip_ws(jp);
		if (jp->p == jp->end || *jp->p != ':')
			goto fail;
		jp->p++;
		skip_ws(jp);
		if ((value = parse_value(jp, depth + 1)) == NULL)
			goto fail;

		/* Takes the value reference even when it fails. */
		if (json_object_setn_new_nocheck(obj, key, klen, value) == -1)
			goto fail;
		free(copy);
		copy = NULL;

		skip_ws(jp);
		if (jp->p == jp->end)
			goto fail;
		if (*jp->p == '}') {
			jp->p++;
			return (obj);
		}
		if (*jp->p != ',')
			goto fail;
		jp->p++;
		skip_ws(jp);
	}

fail:
	free(copy);
	json_decref(obj);
	return (NULL);
}

static json_t *
parse_array(struct jp *jp, int depth)
{
	json_t		*arr, *value;

	if (depth >= JPARSE_MAX_DEPTH)
		return (NULL);
	if ((arr = json_array()) == NULL)
		return (NULL);

	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == ']') {
		jp->p++;
		return (arr);
	}

	for (;;) {
		if ((value = parse_value(jp, depth + 1)) == NULL)
			goto fail;
		/* Takes the value reference even when it fails. */
		if (json_array_append_new(arr, value) == -1)
			goto fail;

		skip_ws(jp);
		if (jp->p == jp->end)
			goto fail;
		if (*jp->p == ']') {
			jp->p++;
			return (arr);
		}
		if (*jp->p != ',')
			goto fail;
		jp->p++;
		skip_ws(jp);
	}

fail:
	json_decref(arr);
	return (NULL);
}

static json_t *
parse_literal(struct jp *jp)
{
	size_t		 left;

	left = (size_t)(jp->end - jp->p);
	if (left >= 4 && memcmp(jp->p, "true", 4) == 0) {
		jp->p += 4;
		return (json_true());
	}
	if (left >= 5 && memcmp(jp->p, "false", 5) == 0) {
		jp->p += 5;
		return (json_false());
	}
	if (left >= 4 && memcmp(jp->p, "null", 4) == 0) {
		jp->p += 4;
		return (json_null());
	}

	/* "truex" and the like fail on the byte after the literal. */
	return (NULL);
}

/*
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  Without fraction and
 * exponent it is an integer: up to 19 digits are summed here without
 * overflow (10^19 - 1 < 2^64) and must then fit json_int_t, like
 * jansson's strtoll() ERANGE check ("too big integer").
 */
static json_t *
parse_number(struct jp *jp)
{
	const unsigned char	*p, *end, *start, *digits;
	unsigned long long	 u;
	int			 neg, real;

	p = start = jp->p;
	end = jp->end;
	neg = real = 0;
	u = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	digits = p;
	if (p == end || *p < '0' || *p > '9')
		return (NULL);
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return (NULL);
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			u = u * 10 + (unsigned)(*p++ - '0');
	}

	if (p < end && *p == '.') {
		real = 1;
		if (++p == end || *p < '0' || *p > '9')
			return (NULL);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			return (NULL);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	jp->p = p;

	if (real)
		return (parse_real(start, (size_t)(p - start)));

	if (p - digits > 19)
		return (NULL);
	if (neg) {
		if (u > (unsigned long long)LLONG_MAX + 1)
			return (NULL);
		/* -(LLONG_MAX + 1) without signed overflow. */
		if (u == (unsigned long long)LLONG_MAX + 1)
			return (json_integer(LLONG_MIN));
		return (json_integer(-(json_int_t)u));
	}
	if (u > (unsigned long long)LLONG_MAX)
		return (NULL);
	return (json_integer((json_int_t)u));
}

/*
 * A real already checked against the grammar: strtod() on a
 * NUL-terminated copy (the input need not be terminated), on the stack
 * for the usual short ones.  Overflow to +-inf fails like jansson's
 * "real number overflow"; underflow to 0 or a denormal is accepted.
 */
static json_t *
parse_real(const unsigned char *s, size_t len)
{
	char		 tmp[JP_NUMBUF], *copy, *ep;
	double		 d;

	copy = tmp;
	if (len >= sizeof(tmp) && (copy = malloc(len + 1)) == NULL)
		return (NULL);
	memcpy(copy, s, len);
	copy[len] = '\0';

	errno = 0;
	d = strtod(copy, &ep);
	if (copy != tmp)
		free(copy);

	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
		return (NULL);
	return (json_real(d));
}

/*
 * The body of a string, jp->p just past the opening quote.  On success
 * *s and *len are the UTF-8 contents: a pointer into the input when the
 * string has no escapes, else jp->buf (valid until the next string), and
 * jp->p is past the closing quote.  Returns 0 or -1.
 */
static int
scan_string(struct jp *jp, const char **s, size_t *len)
{
	const unsigned char	*start;

	start = jp->p;
	if (skip_plain(jp) == -1 || jp->p == jp->end)
		return (-1);

	if (*jp->p == '"') {
		*s = (const char *)start;
		*len = (size_t)(jp->p - start);
		jp->p++;
		return (0);
	}
	if (*jp->p != '\\')
		return (-1);		/* a control character */

	if (decode_string(jp, start) == -1)
		return (-1);
	*s = jp->buf;
	*len = jp->len;
	return (0);
}

/*
 * Slow path of scan_string: jp->p is at the first backslash, start at
 * the first byte of the string.  Decodes the whole string into jp->buf.
 */
static int
decode_string(struct jp *jp, const unsigned char *start)
{
	jp->len = 0;
	for (;;) {
		if (buf_add(jp, start, (size_t)(jp->p - start)) == -1)
			return (-1);
		if (jp->p == jp->end)
			return (-1);
		if (*jp->p == '"') {
			jp->p++;
			return (0);
		}
		if (*jp->p != '\\')
			return (-1);
		if (decode_escape(jp) == -1)
			return (-1);
		start = jp->p;
		if (skip_plain(jp) == -1)
			return (-1);
	}
}

/*
 * One escape at jp->p (a backslash), appended to jp->buf in UTF-8.
 * \u0000 is refused (jansson's default without JSON_ALLOW_NUL), so is a
 * surrogate escape that is not a high one followed by a low one.
 */
static int
decode_escape(struct jp *jp)
{
	const unsigned char	*p;
	unsigned char		 out[4];
	long			 cp, lo;
	size_t			 n;

	p = jp->p;
	if (jp->end - p < 2)
		return (-1);

	switch (p[1]) {
	case '"':
	case '\\':
	case '/':
		out[0] = p[1];
		break;
	case 'b':
		out[0] = '\b';
		break;
	case 'f':
		out[0] = '\f';
		break;
	case 'n':
		out[0] = '\n';
		break;
	case 'r':
		out[0] = '\r';
		break;
	case 't':
		out[0] = '\t';
		break;
	case 'u':
		if (jp->end - p < 6 || (cp = hex4(p + 2)) == -1 || cp == 0)
			return (-1);
		p += 6;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return (-1);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (jp->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    (lo = hex4(p + 2)) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return (-1);
			p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		jp->p = p;

		if (cp < 0x80) {
			out[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			out[0] = (unsigned char)(0xc0 | (cp >> 6));
			out[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			out[0] = (unsigned char)(0xe0 | (cp >> 12));
			out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			out[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			out[0] = (unsigned char)(0xf0 | (cp >> 18));
			out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			out[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		return (buf_add(jp, out, n));
	default:
		return (-1);
	}

	jp->p += 2;
	return (buf_add(jp, out, 1));
}

/* Four hex digits (the caller checked they are in bounds), or -1. */
static int
hex4(const unsigned char *p)
{
	int		 i, v, c;

	v = 0;
	for (i = 0; i < 4; i++) {
		c = p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		v = (v << 4) | c;
	}

	return (v);
}

/*
 * The high bit of each byte of w that is '"', '\\', < 0x20 or >= 0x80.
 * The borrow tricks can also flag a byte above (more significant than)
 * a flagged one, never one below it: the first flagged byte in memory
 * order (the lowest, w being loaded little-endian) is exact.
 */
static inline uint64_t
special_bytes(uint64_t w)
{
	uint64_t	 q, b, m;

	q = w ^ (JP_ONES * '"');
	b = w ^ (JP_ONES * '\\');
	m = w;
	m |= (w - JP_ONES * 0x20) & ~w;
	m |= (q - JP_ONES) & ~q;
	m |= (b - JP_ONES) & ~b;

	return (m & JP_HIGH);
}

/*
 * Advance jp->p over string bytes that need no work: printable ASCII
 * other than '"' and '\\', and valid UTF-8 sequences.  Stops at the end
 * or at '"', '\\' or a control character.  -1 on invalid UTF-8.
 */
static int
skip_plain(struct jp *jp)
{
	const unsigned char	*p, *end;
	uint64_t		 w, m;

	p = jp->p;
	end = jp->end;
	for (;;) {
		while (end - p >= 8) {
			memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap64(w);
#endif
			if ((m = special_bytes(w)) != 0) {
				p += __builtin_ctzll(m) >> 3;
				break;
			}
			p += 8;
		}
		/* The tail, fewer than 8 bytes. */
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
		if (p == end || *p < 0x80)
			break;
		if ((p = skip_utf8(p, end)) == NULL)
			return (-1);
	}

	jp->p = p;
	return (0);
}

/*
 * A run of multi-byte UTF-8 sequences at p: returns the first byte
 * after it (ASCII or end), or NULL if a sequence is invalid: a stray
 * continuation byte, C0/C1 and F5..FF, an overlong form, a surrogate
 * (ED A0..BF), above U+10FFFF (F4 90..), or cut short by end.
 */
static const unsigned char *
skip_utf8(const unsigned char *p, const unsigned char *end)
{
	unsigned char	 c, lo, hi;

	while (p < end && *p >= 0x80) {
		c = *p;
		if (c < 0xc2 || c > 0xf4)
			return (NULL);
		if (c < 0xe0) {
			if (end - p < 2 || (p[1] & 0xc0) != 0x80)
				return (NULL);
			p += 2;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (c < 0xf0) {
			if (end - p < 3 || p[1] < lo || p[1] > hi ||
			    (p[2] & 0xc0) != 0x80)
				return (NULL);
			p += 3;
		} else {
			if (end - p < 4 || p[1] < lo || p[1] > hi ||
			    (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
				return (NULL);
			p += 4;
		}
	}

	return (p);
}

/* Append to the decode buffer, growing it. */
static int
buf_add(struct jp *jp, const void *data, size_t len)
{
	if (len > jp->cap - jp->len && buf_grow(jp, len) == -1)
		return (-1);
	memcpy(jp->buf + jp->len, data, len);
	jp->len += len;
	return (0);
}

/* Room for more bytes: double until they fit; the stack buffer is copied. */
static int
buf_grow(struct jp *jp, size_t more)
{
	char		*nbuf;
	size_t		 cap;

	cap = jp->cap;
	while (more > cap - jp->len) {
		if (cap > SIZE_MAX / 2)
			return (-1);
		cap *= 2;
	}

	if (jp->buf == jp->stack) {
		if ((nbuf = malloc(cap)) == NULL)
			return (-1);
		memcpy(nbuf, jp->buf, jp->len);
	} else if ((nbuf = realloc(jp->buf, cap)) == NULL)
		return (-1);

	jp->buf = nbuf;
	jp->cap = cap;
	return (0);
}

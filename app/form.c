/*
 * form: request body / query-string parser.  See form.h for the contract.
 *
 * Ownership: the form owns every string in its fields (malloc); form_free()
 * releases them.  form_push() takes ownership of the strings in the field
 * it is given, also when it refuses it.  The jansson tree built by
 * form_parse_json() is released with json_decref() before it returns.
 *
 * Multipart parsing is linear: every memmem() starts where the previous
 * match ended, and header lines are searched in at most
 * FORM_MAX_HEADER_LINE + 2 bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem, strncasecmp without -D_GNU_SOURCE */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "form.h"
#include "text.h"

/* Multipart part being parsed. */
struct mp_part {
	struct form_field	 fld;
	size_t			 namelen;
	int			 seen_disp;
};

static void		*form_malloc(size_t);
static char		*form_memdup(const void *, size_t);
static void		 field_free(struct form_field *);
static int		 form_push(struct form *, struct form_field *,
			    size_t);
static int		 hexval(unsigned char);
static char		*url_decode(const char *, size_t, size_t *);
static int		 urlencoded_pair(struct form *, const char *, size_t);
static int		 json_shape_ok(const char *, size_t);
static int		 json_member(struct form *, const char *, size_t,
			    json_t *);
static int		 json_scalar(struct form *, const char *, size_t,
			    json_t *);
static int		 json_flat(struct form *, const char *, size_t,
			    const char *, json_t *);
static void		 real_format(double, char *, size_t);
static int		 is_ows(char);
static const char	*skip_ows(const char *);
static void		 trim_ows(char *);
static const char	*media_type(const char *, const char *);
static int		 param_get(const char *, const char *, char *,
			    size_t);
static int		 boundary_valid(const char *);
static const char	*mp_delim_tail(const char *, const char *, int *);
static int		 mp_part(struct form *, const char **, const char *,
			    const char *, size_t);
static int		 mp_header(struct mp_part *, char *);
static int		 mp_disposition(struct mp_part *, const char *);

void
form_init(struct form *f)
{
	f->fields = NULL;
	f->n = 0;
	f->cap = 0;
}

void
form_free(struct form *f)
{
	size_t		i;

	for (i = 0; i < f->n; i++)
		field_free(&f->fields[i]);
	free(f->fields);
	form_init(f);
}

int
form_parse_urlencoded(struct form *f, const char *data, size_t len)
{
	const char	*p, *end, *amp;

	if (len == 0)
		return (0);

	p = data;
	end = data + len;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		/* Empty segments ("a=1&&b=2", trailing '&') are skipped. */
		if (amp > p && urlencoded_pair(f, p, (size_t)(amp - p)) == -1)
			return (-1);
		p = amp + 1;
	}

	return (0);
}

int
form_parse_json(struct form *f, const char *data, size_t len)
{
	json_t		*root, *val;
	json_error_t	 jerr;
	const char	*key;
	size_t		 keylen;
	int		 rc;

	/*
	 * Duplicate keys are ambiguous: refuse them.  Without JSON_ALLOW_NUL
	 * "\u0000" is refused; without JSON_DISABLE_EOF_CHECK trailing
	 * garbage is refused; without JSON_DECODE_ANY the root must be an
	 * array or an object.
	 */
	if (data == NULL)
		return (-1);
	if (len > FORM_MAX_JSON)
		return (FORM_TOO_LARGE);
	if (!json_shape_ok(data, len))
		return (-1);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return (-1);

	rc = -1;
	if (!json_is_object(root))
		goto out;
	json_object_keylen_foreach(root, key, keylen, val) {
		if (json_member(f, key, keylen, val) == -1)
			goto out;
	}
	rc = 0;

out:
	json_decref(root);
	return (rc);
}

int
form_parse_multipart(struct form *f, const char *ctype, const char *body,
    size_t len)
{
	const char	*params, *p, *end, *hit;
	char		 bnd[FORM_MAX_BOUNDARY + 1];
	char		 delim[FORM_MAX_BOUNDARY + 5];
	size_t		 dlen;
	int		 last;

	if (ctype == NULL || body == NULL || len == 0)
		return (-1);
	if ((params = media_type(ctype, "multipart/form-data")) == NULL)
		return (-1);
	if (param_get(params, "boundary", bnd, sizeof(bnd)) != 1 ||
	    !boundary_valid(bnd))
		return (-1);

	/* delim is "\r\n--boundary"; the first one may lack its CRLF. */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", bnd);
	end = body + len;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((hit = memmem(body, len, delim, dlen)) != NULL)
		p = hit + dlen;
	else
		return (-1);

	for (;;) {
		if ((p = mp_delim_tail(p, end, &last)) == NULL)
			return (-1);
		if (last)
			return (0);
		if (mp_part(f, &p, end, delim, dlen) == -1)
			return (-1);
	}
}

int
form_parse_body(struct form *f, const char *ctype, const char *body,
    size_t len)
{
	if (ctype == NULL || *skip_ows(ctype) == '\0')
		return (len == 0 ? 0 : -1);
	if (media_type(ctype, "application/json") != NULL)
		return (form_parse_json(f, body, len));
	if (media_type(ctype, "multipart/form-data") != NULL)
		return (form_parse_multipart(f, ctype, body, len));
	if (media_type(ctype, "application/x-www-form-urlencoded") != NULL)
		return (form_parse_urlencoded(f, body, len));

	return (FORM_UNSUPPORTED);
}

int
form_is_json(const char *ctype)
{
	return (ctype != NULL && media_type(ctype, "application/json") != NULL);
}

const struct form_field *
form_get(const struct form *f, const char *name)
{
	return (form_get_nth(f, name, 0));
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t		i, c;

	c = 0;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, name) == 0)
			c++;
	}

	return (c);
}

const struct form_field *
form_get_nth(const struct form *f, const char *name, size_t n)
{
	size_t		i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, name) != 0)
			continue;
		if (n-- == 0)
			return (&f->fields[i]);
	}

	return (NULL);
}

const char *
form_value(const struct form *f, const char *name)
{
	const struct form_field	*fld;

	if ((fld = form_get(f, name)) == NULL)
		return (NULL);

	return (fld->value);
}

/*
 * The first field whose name or value is not request-safe text
 * (text_request_safe: valid UTF-8 without NUL, U+FFFE, U+FFFF or C0
 * controls other than tab, LF, CR), or NULL when all are.  File parts
 * (filename set) are bytes and are not checked.
 */
const struct form_field *
form_first_unsafe(const struct form *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (!text_request_safe(f->fields[i].name,
		    strlen(f->fields[i].name)))
			return (&f->fields[i]);
		if (f->fields[i].filename != NULL)
			continue;
		if (!text_request_safe(f->fields[i].value, f->fields[i].len))
			return (&f->fields[i]);
	}
	return (NULL);
}

static void *
form_malloc(size_t len)
{
	void	*p;

	if ((p = malloc(len)) == NULL) {
		fputs("form: out of memory\n", stderr);
		abort();
	}

	return (p);
}

/* Copy len bytes and NUL-terminate; the caller frees. */
static char *
form_memdup(const void *d, size_t len)
{
	char	*p;

	p = form_malloc(len + 1);
	if (len > 0)
		memcpy(p, d, len);
	p[len] = '\0';

	return (p);
}

static void
field_free(struct form_field *fld)
{
	free(fld->name);
	free(fld->value);
	free(fld->filename);
	free(fld->content_type);
	memset(fld, 0, sizeof(*fld));
}

/*
 * Append fld (name of namelen bytes).  Takes ownership of fld's strings:
 * on refusal (bad name, too many fields) they are freed and -1 returned.
 */
static int
form_push(struct form *f, struct form_field *fld, size_t namelen)
{
	struct form_field	*nf;
	size_t			 ncap;

	if (namelen > FORM_MAX_NAME || f->n >= FORM_MAX_FIELDS ||
	    memchr(fld->name, '\0', namelen) != NULL) {
		field_free(fld);
		return (-1);
	}

	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 8;
		if ((nf = realloc(f->fields, ncap * sizeof(*nf))) == NULL) {
			fputs("form: out of memory\n", stderr);
			abort();
		}
		f->fields = nf;
		f->cap = ncap;
	}
	f->fields[f->n++] = *fld;
	memset(fld, 0, sizeof(*fld));

	return (0);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);

	return (-1);
}

/*
 * Decode '+' and %XX in s[0..n).  Returns a malloc'd NUL-terminated string
 * (caller frees) and its length in *outlen, or NULL on a bad escape.
 */
static char *
url_decode(const char *s, size_t n, size_t *outlen)
{
	char		*out;
	size_t		 i, o;
	int		 hi, lo;

	out = form_malloc(n + 1);
	o = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (n - i < 3 ||
			    (hi = hexval((unsigned char)s[i + 1])) == -1 ||
			    (lo = hexval((unsigned char)s[i + 2])) == -1) {
				free(out);
				return (NULL);
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	*outlen = o;

	return (out);
}

/* One "name=value" or "name" segment. */
static int
urlencoded_pair(struct form *f, const char *s, size_t n)
{
	struct form_field	 fld;
	const char		*eq;
	size_t			 nlen, namelen;

	memset(&fld, 0, sizeof(fld));
	if ((eq = memchr(s, '=', n)) != NULL)
		nlen = (size_t)(eq - s);
	else
		nlen = n;

	/* Check the raw length first: decoding only shrinks. */
	if (nlen > 3 * FORM_MAX_NAME)
		return (-1);
	if ((fld.name = url_decode(s, nlen, &namelen)) == NULL)
		return (-1);
	if (eq != NULL)
		fld.value = url_decode(eq + 1, n - nlen - 1, &fld.len);
	else
		fld.value = form_memdup("", 0);
	if (fld.value == NULL) {
		field_free(&fld);
		return (-1);
	}

	return (form_push(f, &fld, namelen));
}

/*
 * Before jansson builds anything: could this be a form at all?  jansson
 * allocates a node per value and nests 2048 deep, so 256 KiB of "[1,1,
 * ..." cost it megabytes, all to be refused by form_push().  A form is
 * an object of scalars, arrays and objects of scalars, and arrays of such
 * objects (depth FORM_JSON_DEPTH), and
 * n fields take fewer than 2n commas (members plus array elements).
 * Brackets and commas inside strings do not count; anything else
 * malformed is left to jansson.  Allocates nothing, reads len bytes once.
 */
static int
json_shape_ok(const char *data, size_t len)
{
	size_t		i, commas;
	int		depth, in_str;

	depth = 0;
	in_str = 0;
	commas = 0;
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_str = 0;
			continue;
		}
		switch (data[i]) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (++depth > FORM_JSON_DEPTH)
				return (0);
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ',':
			if (++commas >= 2 * FORM_MAX_FIELDS)
				return (0);
			break;
		default:
			break;
		}
	}
	return (1);
}

/*
 * One member of the root object: a scalar, an array of scalars, or one
 * level of objects, flattened into the names an HTML form sends for the
 * same data: {"scores": {"12": 7.5}} is the field scores[12] = 7.5, and
 * {"criteria": [{"name": "x"}]} is criteria[0][name] = x.  Deeper
 * nesting, arrays in arrays and objects in objects are refused.
 */
static int
json_member(struct form *f, const char *key, size_t keylen, json_t *val)
{
	json_t		*el, *v;
	const char	*k;
	char		 name[FORM_MAX_NAME + 1], idx[24];
	size_t		 i;
	int		 n;

	if (json_is_object(val)) {
		json_object_foreach(val, k, v) {
			if (json_flat(f, key, keylen, k, v) == -1)
				return (-1);
		}
		return (0);
	}
	if (!json_is_array(val))
		return (json_scalar(f, key, keylen, val));

	/*
	 * An empty array is one empty field, so "tags": [] can clear a list
	 * (a form does the same by sending one empty value); pages drop
	 * empty list items.
	 */
	if (json_array_size(val) == 0)
		return (json_scalar(f, key, keylen, json_null()));

	json_array_foreach(val, i, el) {
		if (json_is_array(el))
			return (-1);
		if (json_is_object(el)) {
			(void)snprintf(idx, sizeof(idx), "%zu", i);
			n = snprintf(name, sizeof(name), "%.*s[%s]",
			    (int)keylen, key, idx);
			if (n < 0 || (size_t)n >= sizeof(name) ||
			    keylen > FORM_MAX_NAME)
				return (-1);
			json_object_foreach(el, k, v) {
				if (json_flat(f, name, (size_t)n, k, v) == -1)
					return (-1);
			}
			continue;
		}
		if (json_scalar(f, key, keylen, el) == -1)
			return (-1);
	}

	return (0);
}

/* The scalar member sub of an object under key, as key[sub]. */
static int
json_flat(struct form *f, const char *key, size_t keylen, const char *sub,
    json_t *v)
{
	char	name[FORM_MAX_NAME + 1];
	int	n;

	if (json_is_object(v) || json_is_array(v) || keylen > FORM_MAX_NAME)
		return (-1);
	n = snprintf(name, sizeof(name), "%.*s[%s]", (int)keylen, key, sub);
	if (n < 0 || (size_t)n >= sizeof(name))
		return (-1);
	return (json_scalar(f, name, (size_t)n, v));
}

static int
json_scalar(struct form *f, const char *key, size_t keylen, json_t *v)
{
	struct form_field	 fld;
	char			 num[64];
	const char		*s;
	size_t			 len;

	memset(&fld, 0, sizeof(fld));
	s = num;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		(void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		len = strlen(num);
		break;
	case JSON_REAL:
		real_format(json_real_value(v), num, sizeof(num));
		len = strlen(num);
		break;
	case JSON_TRUE:
		s = "true";
		len = 4;
		break;
	case JSON_FALSE:
		s = "false";
		len = 5;
		break;
	case JSON_NULL:
		s = "";
		len = 0;
		break;
	default:
		return (-1);
	}

	fld.name = form_memdup(key, keylen);
	fld.value = form_memdup(s, len);
	fld.len = len;

	return (form_push(f, &fld, keylen));
}

/* Shortest of %.15g..%.17g that reads back as d ("0.1", not 0.1000...1). */
static void
real_format(double d, char *out, size_t outlen)
{
	int		prec;

	for (prec = 15; prec <= 17; prec++) {
		(void)snprintf(out, outlen, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
}

static int
is_ows(char c)
{
	return (c == ' ' || c == '\t');
}

static const char *
skip_ows(const char *p)
{
	while (is_ows(*p))
		p++;

	return (p);
}

static void
trim_ows(char *s)
{
	size_t		n;

	n = strlen(s);
	while (n > 0 && is_ows(s[n - 1]))
		s[--n] = '\0';
}

/*
 * If header value s has media (or disposition) type `type`
 * (case-insensitive), return a pointer just after it (the parameters),
 * else NULL.
 */
static const char *
media_type(const char *s, const char *type)
{
	size_t		n;

	s = skip_ows(s);
	n = strlen(type);
	if (strncasecmp(s, type, n) != 0)
		return (NULL);
	s += n;
	if (*s != '\0' && *s != ';' && !is_ows(*s))
		return (NULL);

	return (s);
}

/*
 * Find parameter `name` (case-insensitive) in a "; a=b; c=\"d\"" list and
 * copy its value, unquoted and unescaped, into out.  Returns 1 if found,
 * 0 if absent, -1 if the list is malformed, the parameter is repeated or
 * its value does not fit in out.
 */
static int
param_get(const char *p, const char *name, char *out, size_t outlen)
{
	const char	*pname;
	size_t		 pnlen, o;
	int		 found, match;

	found = 0;
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			return (found);
		if (*p != ';')
			return (-1);
		p = skip_ows(p + 1);
		if (*p == '\0' || *p == ';')
			continue;

		pname = p;
		while (*p != '\0' && *p != '=' && *p != ';' && !is_ows(*p))
			p++;
		pnlen = (size_t)(p - pname);
		p = skip_ows(p);
		if (*p != '=')
			return (-1);
		p = skip_ows(p + 1);

		match = pnlen == strlen(name) &&
		    strncasecmp(pname, name, pnlen) == 0;
		if (match && found)
			return (-1);

		o = 0;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\')
					p++;
				if (*p == '\0')
					return (-1);
				if (match && o + 1 >= outlen)
					return (-1);
				if (match)
					out[o++] = *p;
			}
			p++;
		} else {
			if (*p == '\0' || *p == ';' || is_ows(*p))
				return (-1);
			for (; *p != '\0' && *p != ';' && !is_ows(*p); p++) {
				if (match && o + 1 >= outlen)
					return (-1);
				if (match)
					out[o++] = *p;
			}
		}
		if (match) {
			out[o] = '\0';
			found = 1;
		}
	}
}

/* RFC 2046: 1..70 of DIGIT / ALPHA / '()+_,-./:=? and space, not last. */
static int
boundary_valid(const char *b)
{
	size_t		i, n;
	unsigned char	c;

	n = strlen(b);
	if (n == 0 || n > FORM_MAX_BOUNDARY || b[n - 1] == ' ')
		return (0);
	for (i = 0; i < n; i++) {
		c = (unsigned char)b[i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'))
			continue;
		if (strchr("'()+_,-./:=? ", c) == NULL)
			return (0);
	}

	return (1);
}

/*
 * What follows a delimiter: "--" closes the body (*last = 1; the epilogue
 * is ignored), else optional padding and CRLF open a part.  Returns the
 * position after it, or NULL if malformed.
 */
static const char *
mp_delim_tail(const char *p, const char *end, int *last)
{
	*last = 0;
	if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
		*last = 1;
		return (p + 2);
	}
	while (p < end && is_ows(*p))
		p++;
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return (NULL);

	return (p + 2);
}

/*
 * Parse one part starting at *pp (its header lines) and leave *pp just
 * after the delimiter that ends it.  Parts without a name are skipped.
 */
static int
mp_part(struct form *f, const char **pp, const char *end, const char *delim,
    size_t dlen)
{
	struct mp_part	 part;
	const char	*p, *eol, *hit;
	char		 line[FORM_MAX_HEADER_LINE + 1];
	size_t		 avail, n;

	memset(&part, 0, sizeof(part));
	p = *pp;
	for (;;) {
		avail = (size_t)(end - p);
		if (avail > FORM_MAX_HEADER_LINE + 2)
			avail = FORM_MAX_HEADER_LINE + 2;
		if ((eol = memmem(p, avail, "\r\n", 2)) == NULL)
			goto fail;
		if (eol == p) {
			p += 2;
			break;
		}
		n = (size_t)(eol - p);
		if (memchr(p, '\0', n) != NULL)
			goto fail;
		memcpy(line, p, n);
		line[n] = '\0';
		if (mp_header(&part, line) == -1)
			goto fail;
		p = eol + 2;
	}

	if ((hit = memmem(p, (size_t)(end - p), delim, dlen)) == NULL)
		goto fail;
	*pp = hit + dlen;
	if (part.fld.name == NULL) {
		field_free(&part.fld);
		return (0);
	}
	part.fld.value = form_memdup(p, (size_t)(hit - p));
	part.fld.len = (size_t)(hit - p);

	return (form_push(f, &part.fld, part.namelen));

fail:
	field_free(&part.fld);
	return (-1);
}

/* One part header line (NUL-terminated copy, CRLF removed). */
static int
mp_header(struct mp_part *part, char *line)
{
	char		*colon;
	const char	*val;

	if ((colon = strchr(line, ':')) == NULL)
		return (-1);
	*colon = '\0';
	trim_ows(line);
	val = skip_ows(colon + 1);
	trim_ows(colon + 1);

	if (strcasecmp(line, "content-disposition") == 0)
		return (mp_disposition(part, val));
	if (strcasecmp(line, "content-type") == 0) {
		/* A repeated header is ambiguous. */
		if (part->fld.content_type != NULL)
			return (-1);
		part->fld.content_type = form_memdup(val, strlen(val));
	}

	return (0);
}

static int
mp_disposition(struct mp_part *part, const char *val)
{
	const char	*params;
	char		 tmp[FORM_MAX_HEADER_LINE + 1];
	int		 rc;

	if (part->seen_disp)
		return (-1);
	part->seen_disp = 1;

	/* Not form-data: no name, the part is skipped. */
	if ((params = media_type(val, "form-data")) == NULL)
		return (0);

	if ((rc = param_get(params, "name", tmp, sizeof(tmp))) == -1)
		return (-1);
	if (rc == 1) {
		part->namelen = strlen(tmp);
		part->fld.name = form_memdup(tmp, part->namelen);
	}
	if ((rc = param_get(params, "filename", tmp, sizeof(tmp))) == -1)
		return (-1);
	if (rc == 1)
		part->fld.filename = form_memdup(tmp, strlen(tmp));

	return (0);
}

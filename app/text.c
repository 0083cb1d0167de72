/*
 * text.c: validating and shaping user text.  Pure (libc only).
 */
#include <string.h>

#include "text.h"

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no NUL byte (a NUL inside a field would truncate it later),
 * and neither U+FFFE nor U+FFFF: XML forbids them, and one title holding
 * U+FFFF made every RSS feed that listed it malformed.
 */
int
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n, k;
	unsigned int		 c;

	for (i = 0; i < len; i += n) {
		c = p[i];
		if (c == 0)
			return (0);
		if (c < 0x80) {
			n = 1;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			return (0);
		if (i + n > len)
			return (0);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
		}
		if (n == 3) {
			c = ((c & 0x0f) << 12) | ((p[i + 1] & 0x3f) << 6) |
			    (p[i + 2] & 0x3f);
			if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ||
			    c == 0xfffe || c == 0xffff)
				return (0);
		} else if (n == 4) {
			c = ((c & 0x07) << 18) | ((p[i + 1] & 0x3f) << 12) |
			    ((p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
			if (c < 0x10000 || c > 0x10ffff)
				return (0);
		}
	}
	return (1);
}

/* Code points in valid UTF-8 (what people call characters, near enough). */
size_t
text_utf8_chars(const char *s, size_t len)
{
	size_t	i, n;

	n = 0;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/*
 * Control characters (C0 and DEL; C1 as U+0080..U+009F).  Multi-line
 * text may hold tab, CR and LF.
 */
int
text_has_controls(const char *s, size_t len, int multiline)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (p[i] == 0x7f)
			return (1);
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return (1);
		if (p[i] >= 0x20)
			continue;
		if (multiline && (p[i] == '\t' || p[i] == '\n' ||
		    p[i] == '\r'))
			continue;
		return (1);
	}
	return (0);
}

/*
 * What every text field and query parameter of a request must be, before
 * any feature sees it: text_utf8_valid(), and no C0 control character
 * other than tab, LF and CR (XML 1.0 allows no others, and nothing a
 * person types needs them).  Single-line fields are checked more
 * strictly by their validator (text_has_controls).
 */
int
text_request_safe(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	if (!text_utf8_valid(s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r')
			return (0);
	}
	return (1);
}

/* Trim ASCII white space and U+3000 (ideographic space) in place. */
size_t
text_trim(char *s, size_t len)
{
	size_t	start, end;

	start = 0;
	end = len;
	for (;;) {
		if (start < end && (s[start] == ' ' || s[start] == '\t' ||
		    s[start] == '\n' || s[start] == '\r'))
			start++;
		else if (end - start >= 3 && !memcmp(s + start,
		    "\xe3\x80\x80", 3))
			start += 3;
		else
			break;
	}
	for (;;) {
		if (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
		    s[end - 1] == '\n' || s[end - 1] == '\r'))
			end--;
		else if (end - start >= 3 && !memcmp(s + end - 3,
		    "\xe3\x80\x80", 3))
			end -= 3;
		else
			break;
	}
	if (start > 0)
		memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return (end - start);
}

void
text_lower_ascii(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

/* Append tmpl to out with every "{name}" replaced by value. */
void
text_subst(struct buf *out, const char *tmpl, const char *name,
    const char *value)
{
	const char	*p, *hit;
	size_t		 nlen;

	nlen = strlen(name);
	p = tmpl;
	while ((hit = strchr(p, '{')) != NULL) {
		if (!strncmp(hit + 1, name, nlen) && hit[1 + nlen] == '}') {
			buf_append(out, p, (size_t)(hit - p));
			buf_appends(out, value);
			p = hit + nlen + 2;
		} else {
			buf_append(out, p, (size_t)(hit - p) + 1);
			p = hit + 1;
		}
	}
	buf_appends(out, p);
}

/*
 * Copy the C string src into dst (dstlen bytes) and NUL-terminate it,
 * cut when it does not fit at a character boundary, never inside a UTF-8
 * sequence: what is kept is still valid UTF-8 if src was.  Every
 * fixed-size copy of user text goes through here.  Returns the bytes
 * copied (less than strlen(src) when cut).  NULL src copies "".
 */
size_t
text_copy_utf8(char *dst, size_t dstlen, const char *src)
{
	size_t	len, back;

	if (dstlen == 0)
		return (0);
	len = src != NULL ? strlen(src) : 0;
	if (len >= dstlen) {
		len = dstlen - 1;
		/* src[len] is the first byte left out: back off to a lead. */
		for (back = 0; len > 0 && back < 4 &&
		    ((unsigned char)src[len] & 0xc0) == 0x80; back++)
			len--;
	}
	if (len > 0)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return (len);
}

/*
 * Whether s may be sent as a redirect target (Location): a site-relative
 * path of at most TEXT_LOCAL_URL_MAX bytes, each a visible ASCII
 * character.  Refused: anything that is not a path ("http:", "evil.com",
 * ""), a network-path reference ("//host"), any backslash (browsers read
 * "/\host" as "//host"), control characters, spaces and raw non-ASCII
 * bytes (which browsers strip or rewrite).
 */
int
text_local_url_ok(const char *s)
{
	size_t	i;

	if (s == NULL || s[0] != '/' || s[1] == '/')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= TEXT_LOCAL_URL_MAX)
			return (0);
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '\\')
			return (0);
	}
	return (1);
}

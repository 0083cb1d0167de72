/*
 * avatar.c: initials for a user's avatar.  Pure (libc only).
 *
 * A Chinese, Japanese or Korean name gives its first character ("林小满"
 * -> "林"); other names give the first letter of their first and last
 * words, ASCII letters in upper case ("Alex Chen" -> "AC", "maker" ->
 * "M").  Spaces and ASCII punctuation before a word are skipped; a name
 * of nothing else gives its first character, an empty one "?".  The
 * result is whole UTF-8 characters (never a cut sequence), at most two.
 */
#include <string.h>

#include "avatar.h"

static int	avatar_char(const unsigned char *, size_t, unsigned int *);
static int	avatar_cjk(unsigned int);
static int	avatar_skip(unsigned int);

/*
 * The character at p (len bytes left): its length in bytes and, in *cp,
 * its code point; 0 at the end or at bytes that are not UTF-8.
 */
static int
avatar_char(const unsigned char *p, size_t len, unsigned int *cp)
{
	unsigned int	c;
	size_t		n, i;

	if (len == 0 || p[0] == '\0')
		return (0);
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return (0);
	}
	if (n > len)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return ((int)n);
}

/* Scripts written without spaces between a name's parts. */
static int
avatar_cjk(unsigned int c)
{
	return ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef) ||
	    (c >= 0x20000 && c <= 0x3ffff));
}

/* Spaces (also the ideographic one) and ASCII punctuation. */
static int
avatar_skip(unsigned int c)
{
	return (c <= 0x20 || c == 0x7f || c == 0x3000 || c == 0xa0 ||
	    (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z'))));
}

/*
 * Write the initials of name into out (outlen bytes, AVATAR_INITIALS_MAX
 * always do) and return their length in bytes.  NULL is an empty name.
 */
size_t
avatar_initials(const char *name, char *out, size_t outlen)
{
	const unsigned char	*p, *first, *last;
	size_t			 len, o;
	unsigned int		 c;
	int			 n, nfirst, nlast, inword;

	if (outlen == 0)
		return (0);
	out[0] = '\0';
	p = (const unsigned char *)(name != NULL ? name : "");
	len = strlen((const char *)p);

	/* The first letter of the first and of the last word. */
	first = last = NULL;
	nfirst = nlast = 0;
	inword = 0;
	while ((n = avatar_char(p, len, &c)) > 0) {
		if (avatar_skip(c)) {
			inword = 0;
		} else if (!inword) {
			if (first == NULL) {
				first = p;
				nfirst = n;
				if (avatar_cjk(c))
					break;
			} else {
				last = p;
				nlast = n;
			}
			inword = 1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (first == NULL) {
		/* Nothing but spaces and punctuation: its first character. */
		p = (const unsigned char *)(name != NULL ? name : "");
		n = avatar_char(p, strlen((const char *)p), &c);
		while (n > 0 && c <= 0x20) {
			p += n;
			n = avatar_char(p, strlen((const char *)p), &c);
		}
		if (n == 0) {
			first = (const unsigned char *)"?";
			nfirst = 1;
		} else {
			first = p;
			nfirst = n;
		}
	}

	o = 0;
	if ((size_t)nfirst < outlen) {
		memcpy(out, first, (size_t)nfirst);
		o = (size_t)nfirst;
	}
	if (last != NULL && o > 0 && o + (size_t)nlast < outlen) {
		(void)avatar_char(last, (size_t)nlast, &c);
		if (!avatar_cjk(c)) {
			memcpy(out + o, last, (size_t)nlast);
			o += (size_t)nlast;
		}
	}
	out[o] = '\0';
	for (len = 0; len < o; len++) {
		if (out[len] >= 'a' && out[len] <= 'z')
			out[len] = (char)(out[len] - 'a' + 'A');
	}
	return (o);
}

/* The colour class of user id: the same for a user everywhere. */
int
avatar_tone(int64_t id)
{
	int64_t	t;

	t = id % AVATAR_TONES;
	return ((int)(t < 0 ? t + AVATAR_TONES : t));
}

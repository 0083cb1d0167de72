/*
 * pwcheck.c: the password rules of NIST SP 800-63B and the list of
 * common passwords they check against.  Pure (libc and text.c); see
 * pwcheck.h for the contract.
 *
 * The set is open addressing with linear probing over FNV-1a hashes,
 * kept at most half full.  The entries come from our own file, not from
 * users, so no keyed hash is needed against crafted collisions.
 * Allocation failure aborts, as in buf.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwcheck.h"
#include "text.h"

#define PWCHECK_ENTRY_MAX	1024	/* bytes; longer entries are refused */

struct pwcheck_entry {
	size_t		off;		/* into strs */
	size_t		len;
	uint64_t	hash;
};

struct pwcheck_list {
	char			*strs;	/* the entries, lower-cased, back to back */
	size_t			 strs_len;
	size_t			 strs_cap;
	struct pwcheck_entry	*entries;
	size_t			 n;
	size_t			 cap;
	uint32_t		*slots;	/* 0: empty, else entry index + 1 */
	size_t			 nslots;	/* a power of two */
};

static void	*pwcheck_alloc(void *, size_t);
static uint64_t	 pwcheck_hash(const char *, size_t);
static void	 pwcheck_lower(char *, const char *, size_t);
static void	 pwcheck_grow(struct pwcheck_list *);
static int	 pwcheck_find(const struct pwcheck_list *, const char *,
		    size_t, uint64_t);

static void *
pwcheck_alloc(void *p, size_t len)
{
	if ((p = realloc(p, len)) == NULL)
		abort();
	return (p);
}

static uint64_t
pwcheck_hash(const char *s, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* ASCII letters lower-cased; every other byte (UTF-8 too) as it is. */
static void
pwcheck_lower(char *out, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + ('a' - 'A') :
		    s[i];
}

struct pwcheck_list *
pwcheck_list_new(void)
{
	struct pwcheck_list	*l;

	l = pwcheck_alloc(NULL, sizeof(*l));
	memset(l, 0, sizeof(*l));
	l->nslots = 64;
	l->slots = pwcheck_alloc(NULL, l->nslots * sizeof(*l->slots));
	memset(l->slots, 0, l->nslots * sizeof(*l->slots));
	return (l);
}

void
pwcheck_list_free(struct pwcheck_list *l)
{
	if (l == NULL)
		return;
	free(l->strs);
	free(l->entries);
	free(l->slots);
	free(l);
}

size_t
pwcheck_list_size(const struct pwcheck_list *l)
{
	return (l == NULL ? 0 : l->n);
}

/* Entry index + 1 of s (already lower-cased), or 0. */
static int
pwcheck_find(const struct pwcheck_list *l, const char *s, size_t len,
    uint64_t h)
{
	const struct pwcheck_entry	*e;
	size_t				 i;

	for (i = h & (l->nslots - 1); l->slots[i] != 0;
	    i = (i + 1) & (l->nslots - 1)) {
		e = &l->entries[l->slots[i] - 1];
		if (e->hash == h && e->len == len &&
		    memcmp(l->strs + e->off, s, len) == 0)
			return ((int)l->slots[i]);
	}
	return (0);
}

/* Double the slots and place every entry again. */
static void
pwcheck_grow(struct pwcheck_list *l)
{
	size_t	i, k;

	free(l->slots);
	l->nslots *= 2;
	l->slots = pwcheck_alloc(NULL, l->nslots * sizeof(*l->slots));
	memset(l->slots, 0, l->nslots * sizeof(*l->slots));
	for (k = 0; k < l->n; k++) {
		for (i = l->entries[k].hash & (l->nslots - 1); l->slots[i] != 0;
		    i = (i + 1) & (l->nslots - 1))
			;
		l->slots[i] = (uint32_t)(k + 1);
	}
}

int
pwcheck_list_add(struct pwcheck_list *l, const char *s, size_t len)
{
	char		 low[PWCHECK_ENTRY_MAX];
	uint64_t	 h;
	size_t		 i;

	if (len == 0 || len > sizeof(low))
		return (-1);
	pwcheck_lower(low, s, len);
	h = pwcheck_hash(low, len);
	if (pwcheck_find(l, low, len, h))
		return (0);

	if ((l->n + 1) * 2 > l->nslots)
		pwcheck_grow(l);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->entries = pwcheck_alloc(l->entries,
		    l->cap * sizeof(*l->entries));
	}
	if (l->strs_len + len > l->strs_cap) {
		while (l->strs_len + len > l->strs_cap)
			l->strs_cap = l->strs_cap ? l->strs_cap * 2 : 4096;
		l->strs = pwcheck_alloc(l->strs, l->strs_cap);
	}
	memcpy(l->strs + l->strs_len, low, len);
	l->entries[l->n].off = l->strs_len;
	l->entries[l->n].len = len;
	l->entries[l->n].hash = h;
	l->strs_len += len;
	for (i = h & (l->nslots - 1); l->slots[i] != 0;
	    i = (i + 1) & (l->nslots - 1))
		;
	l->slots[i] = (uint32_t)(l->n + 1);
	l->n++;
	return (0);
}

size_t
pwcheck_list_parse(struct pwcheck_list *l, const char *text, size_t len)
{
	const char	*p, *end, *nl;
	size_t		 n, before;

	before = l->n;
	for (p = text, end = text + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && p[0] != '#')
			(void)pwcheck_list_add(l, p, n);
	}
	return (l->n - before);
}

long
pwcheck_list_load(struct pwcheck_list *l, const char *path, char *err,
    size_t errlen)
{
	FILE	*fp;
	char	*data;
	long	 size, r;

	r = -1;
	data = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "cannot open %s", path);
		return (-1);
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		(void)snprintf(err, errlen, "cannot read %s", path);
		goto out;
	}
	data = pwcheck_alloc(NULL, (size_t)size + 1);
	if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
		(void)snprintf(err, errlen, "cannot read %s", path);
		goto out;
	}
	r = (long)pwcheck_list_parse(l, data, (size_t)size);

out:
	free(data);
	fclose(fp);
	return (r);
}

int
pwcheck_list_has(const struct pwcheck_list *l, const char *s, size_t len)
{
	char	low[PWCHECK_ENTRY_MAX];

	if (l == NULL || len == 0 || len > sizeof(low))
		return (0);
	pwcheck_lower(low, s, len);
	return (pwcheck_find(l, low, len, pwcheck_hash(low, len)) != 0);
}

int
pwcheck(const struct pwcheck_list *l, const char *pw, size_t len,
    const char *username)
{
	char	low[PWCHECK_MAX_CHARS * 4], user[PWCHECK_ENTRY_MAX];
	size_t	n, ulen;

	if (!text_utf8_valid(pw, len) || text_has_controls(pw, len, 0))
		return (PWCHECK_BAD_TEXT);
	n = text_utf8_chars(pw, len);
	if (n < PWCHECK_MIN_CHARS || n > PWCHECK_MAX_CHARS)
		return (PWCHECK_LENGTH);
	if (pwcheck_list_has(l, pw, len))
		return (PWCHECK_COMMON);

	/* 128 characters of valid UTF-8 fit in 512 bytes. */
	pwcheck_lower(low, pw, len);
	ulen = username != NULL ? strlen(username) : 0;
	if (ulen > 0 && ulen <= sizeof(user) && ulen <= len) {
		pwcheck_lower(user, username, ulen);
		if (memmem(low, len, user, ulen) != NULL)
			return (PWCHECK_USERNAME);
	}
	return (PWCHECK_OK);
}

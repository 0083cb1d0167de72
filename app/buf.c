/*
 * buf: growable byte buffer.  See buf.h for the ownership rules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void	buf_oom(void) __attribute__((noreturn));

static void
buf_oom(void)
{
	fputs("buf: out of memory\n", stderr);
	abort();
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Hand the data to the caller, who must free() it.  Never returns NULL:
 * an empty buffer yields an empty string.
 */
char *
buf_release(struct buf *b, size_t *len)
{
	char	*p;

	buf_reserve(b, 1);
	/* A buffer nothing was appended to holds no NUL yet. */
	b->data[b->len] = '\0';
	p = b->data;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return (p);
}

/* Make room for at least n more bytes plus the terminating NUL. */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t	need, ncap;
	char	*p;

	if (n > ((size_t)-1) / 2 - b->len)
		buf_oom();
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		buf_oom();
	b->data = p;
	b->cap = ncap;
}

void
buf_append(struct buf *b, const void *d, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, d, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_appends(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_appendc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;

	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_append_html(struct buf *b, const char *s, size_t len)
{
	size_t		i, start;
	const char	*rep;

	buf_reserve(b, len);
	start = 0;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(b, s + start, i - start);
		buf_appends(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, len - start);
}

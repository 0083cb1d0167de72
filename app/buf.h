/*
 * buf: a growable byte buffer for the pure modules (tmpl, md, form, i18n).
 *
 * Pure: plain malloc/free, no Kore, so the modules that use it can be
 * unit-tested and fuzzed outside the server.  Allocation failure aborts
 * (like kore_malloc): a web worker cannot do anything useful without memory.
 *
 * The data is always NUL-terminated after buf_* calls, so b->data can be
 * used as a C string when it holds text.  The buffer owns b->data; release
 * it with buf_free(), or take it with buf_release() (caller then free()s).
 */
#ifndef MAKERSPACE_BUF_H
#define MAKERSPACE_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
char	*buf_release(struct buf *, size_t *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_appends(struct buf *, const char *);
void	 buf_appendc(struct buf *, char);
void	 buf_appendf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3), nonnull(2)));

/*
 * Bytes that hold a SHA-256 in lower-case hex and its NUL: session and
 * token hashes, image addresses.
 */
#define SHA256_HEX_BUF	65

/* Append text escaped for HTML text and quoted attributes: & < > " ' */
void	 buf_append_html(struct buf *, const char *, size_t);

#endif

/*
 * md: the one Markdown -> safe HTML function used by every feature.
 *
 * Pure: libc + cmark + buf, no Kore.  See the rules at the top of md.c.
 */
#ifndef MAKERSPACE_MD_H
#define MAKERSPACE_MD_H

#include <stddef.h>

#define MD_MAX_INPUT	(64 * 1024)	/* bytes; larger input is refused */
#define MD_MAX_MENTIONS	20

struct md_result {
	char	*html;		/* safe HTML, NUL-terminated, malloc()ed: free with md_result_free */
	size_t	 html_len;
	char	*mentions[MD_MAX_MENTIONS];	/* lower-cased usernames mentioned, deduplicated, in order */
	size_t	 nmentions;
};

/*
 * Returns 0 on success, -1 if len > MD_MAX_INPUT (result untouched).
 * Invalid UTF-8 is replaced, not refused.  src need not be NUL-terminated
 * (it may be NULL when len is 0).  On success the caller owns *out and
 * must call md_result_free(out).  Allocation failure aborts.
 */
int	md_render(const char *src, size_t len, struct md_result *out);

/* Free what md_render() put in *r and zero it; safe on a zeroed result. */
void	md_result_free(struct md_result *r);

#endif

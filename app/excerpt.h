/*
 * excerpt: what a search result shows of a text (pure: no Kore).
 *
 * The Markdown source of a post or project as plain text, and the part
 * of it around the first place a query token occurs (search_hits() of
 * search.c, so Chinese pairs and Latin words match as the index does),
 * cut into segments that are or are not such a place.  The segments are
 * plain text: whoever shows them escapes them (the template engine
 * does), and the highlighting is markup the template adds around the
 * segments marked as hits, so no text can become HTML.
 */
#ifndef MAKERSPACE_EXCERPT_H
#define MAKERSPACE_EXCERPT_H

#include <stddef.h>

#include "buf.h"

#define EXCERPT_CHARS		160	/* characters of an excerpt, the
					   "…" marks included */
#define EXCERPT_BEFORE		40	/* characters kept before the first
					   hit, when the text is cut there */
#define EXCERPT_MAX_SEGS	64
#define EXCERPT_MAX_INPUT	(64 * 1024)	/* bytes of text read */

struct excerpt_seg {
	size_t	off;		/* into text.data */
	size_t	len;
	int	hit;
};

struct excerpt {
	struct buf		text;	/* the excerpt, NUL-terminated */
	struct excerpt_seg	seg[EXCERPT_MAX_SEGS];
	size_t			nseg;	/* they cover text, in order */
	int			hits;	/* some segment is a hit */
};

/*
 * Append the plain text of Markdown source md (len bytes, valid UTF-8;
 * at most EXCERPT_MAX_INPUT read) to out: a link or image becomes its
 * text, a line's block marks (up to three spaces, then #..######, >,
 * -, *, + or 1. / 1) and the blanks after them, repeated) go, and so do
 * '*', '`' and "~~"; every run of white space becomes one space, none
 * at the ends.  Raw HTML stays text.  Never cuts a UTF-8 sequence.
 */
void	excerpt_plain(const char *md, size_t len, struct buf *out);

/*
 * Fill ex from plain text (len bytes, valid UTF-8) and the query tokens
 * qtokens (search_query_tokens() output; "" for none).  chars 0: all of
 * the text.  Otherwise at most chars characters: when the text is longer,
 * a window that starts EXCERPT_BEFORE characters before the first hit
 * (at a word start when there is a space to start at; at the beginning
 * when the hit is near it or there is none), with "…" where it was cut.
 * Release with excerpt_free().
 */
void	excerpt_make(struct excerpt *ex, const char *text, size_t len,
	    const char *qtokens, size_t chars);
void	excerpt_free(struct excerpt *ex);

#endif

/*
 * search: the search tokenizer (docs/architecture.md#search); contract and
 * SQL in search.c.  Latin words become [a-z0-9] (lower case, accents dropped,
 * cut at 40 bytes); CJK runs become characters and bigrams.  Pure.
 */
#ifndef MAKERSPACE_SEARCH_H
#define MAKERSPACE_SEARCH_H

#include <stddef.h>

#include "buf.h"

#define SEARCH_MAX_INPUT	(256 * 1024)	/* bytes of text indexed */
#define SEARCH_MAX_QUERY	200		/* characters of a query */
#define SEARCH_MAX_QTOKENS	32		/* distinct tokens of a query */
#define SEARCH_MAX_WORD		40		/* bytes of a Latin token */
#define SEARCH_MAX_TSV		(900 * 1024)	/* tsvector bytes, of 1 MB */

/*
 * Index tokens, appended to out one space apart (a space first if out
 * holds text, so title and body can share it).  Reads SEARCH_MAX_INPUT
 * bytes at most; stops at the SEARCH_MAX_TSV budget.  Returns the count.
 */
size_t	search_index_tokens(const char *text, size_t len, struct buf *out);

/*
 * Query tokens, the same but CJK runs give bigrams only (a lone
 * character its unigram); at most SEARCH_MAX_QTOKENS distinct tokens of
 * the first SEARCH_MAX_QUERY characters, each [a-z0-9] or CJK only: safe
 * as $1 of plainto_tsquery('simple', $1).  0: answer "no results".
 */
size_t	search_query_tokens(const char *query, size_t len, struct buf *out);

/* Where a query token occurs in a text: bytes [start, end). */
struct search_span {
	size_t	start;
	size_t	end;
};

/*
 * Where the query tokens qtokens (search_query_tokens() output, a C
 * string) occur in text, read exactly as search_index_tokens() reads it:
 * a Latin word equal to a query word (both folded and cut alike), a CJK
 * pair or single character equal to a query token.  A span covers the
 * original bytes (accents, full-width letters, marks inside the word).
 * Spans are stored in text order, overlapping or touching ones merged,
 * at most max of them (later ones are dropped).  Reads SEARCH_MAX_INPUT
 * bytes at most.  Returns the count stored.  For highlighting: the
 * caller escapes the text around and inside the spans.
 */
size_t	search_hits(const char *text, size_t len, const char *qtokens,
	    struct search_span *spans, size_t max);

#endif

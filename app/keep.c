/*
 * keep.c: what a worker keeps rendered per language under the version it
 * was made at: every page's kept lists, pages and parts (project cards
 * and pages, topic pages, the board's and categories' lists, search
 * results, the home page's lists) are struct kept in tables of their own.
 *
 * Direct-mapped tables of struct kept: a slot is chosen by a key (a
 * page's path and query, or a name the page makes, such as a project's
 * id) and the language; a collision simply replaces.  Whether what a
 * slot holds is still current is the page's business (it compares the
 * version its check statement reads).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* Empties e (frees what it holds). */
void
kept_clear(struct kept *e)
{
	free(e->key);
	free(e->html);
	free(e->ids);
	json_decref(e->doc);
	memset(e, 0, sizeof(*e));
	e->version = -1;
}

/*
 * The slot of this request's address in language loc, from table (n
 * slots): kept_slot_key() with the path and query as the key.
 */
struct kept *
kept_slot(struct kept *table, size_t n, struct rq *rq, int loc, int *hit)
{
	char		 key[2048];

	(void)snprintf(key, sizeof(key), "%s?%s", rq->req->path,
	    rq->req->query_string ? rq->req->query_string : "");
	return (kept_slot_key(table, n, key, loc, hit));
}

/*
 * The slot of key in language loc, from table (n slots).  *hit when the
 * slot holds something (html or doc) made for this key and language;
 * otherwise the slot is emptied and claimed for them.
 */
struct kept *
kept_slot_key(struct kept *table, size_t n, const char *key, int loc,
    int *hit)
{
	struct kept	*e;
	u_int64_t	 h;
	size_t		 i;

	h = 1469598103934665603ULL;
	for (i = 0; key[i] != '\0'; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	e = &table[(h + (u_int64_t)loc) % n];
	*hit = e->key != NULL && (e->html != NULL || e->doc != NULL) &&
	    !strcmp(e->key, key) && e->locale == loc;
	if (!*hit) {
		kept_clear(e);
		e->key = strdup(key);
		e->locale = loc;
	}
	return (e);
}

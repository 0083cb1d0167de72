/*
 * tmpl: a safe-by-construction Mustache-subset HTML template engine.
 *
 * Pure: libc, jansson and buf only, so it can be unit-tested and fuzzed
 * outside the server.  Templates are parsed and checked once at start-up
 * (see the rules at the top of tmpl.c); rendering never re-parses.
 *
 * Ownership: a tmpl_set owns copies of every name and source given to it;
 * release everything with tmpl_set_free().  The json_t values given to
 * tmpl_render() are only borrowed for the call and are not modified.
 */
#ifndef MAKERSPACE_TMPL_H
#define MAKERSPACE_TMPL_H

#include <stddef.h>

#include <jansson.h>

/* Deepest chain of partials a template may include (a -> b -> ...). */
#define TMPL_MAX_DEPTH		8

struct buf;
struct tmpl_set;

struct tmpl_set	*tmpl_set_new(void);
void		 tmpl_set_free(struct tmpl_set *);
/* Parse one template; on error return -1 and write "name:line: message" into err. */
int		 tmpl_set_add(struct tmpl_set *, const char *name, const char *src, size_t len, char *err, size_t errlen);
/* After all adds: resolve partials, refuse unknown partials, cycles, and nesting deeper than TMPL_MAX_DEPTH (8). -1 + err on failure. */
int		 tmpl_set_link(struct tmpl_set *, char *err, size_t errlen);
/* Render template `name`. ctx is a stack of roots, ctx[nctx-1] searched first. Returns 0, or -1 if name unknown / set not linked. Appends to out. */
int		 tmpl_render(const struct tmpl_set *, const char *name, json_t *const *ctx, size_t nctx, struct buf *out);
int		 tmpl_exists(const struct tmpl_set *, const char *name);
/* Call cb for every variable/section name used in any template (e.g. "t.nav.home"), so the app can check at start-up that every t.* key exists in the i18n catalog. */
void		 tmpl_set_foreach_name(const struct tmpl_set *, void (*cb)(const char *name, const char *tmpl, void *arg), void *arg);

#endif

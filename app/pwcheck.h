/*
 * pwcheck: is a new password acceptable?  NIST SP 800-63B 5.1.1.2:
 * 8-128 characters (counted as characters, not bytes), and refused only
 * when it is on a list of common or breached passwords or is, or
 * contains, the username.  No composition rules ("a digit and a symbol"):
 * they refuse strong random passwords and do not stop weak ones.
 *
 * Pure (libc and text.c), unit-tested in tests/unit/test_pwcheck.c.
 *
 * The list is a hash set of lower-cased entries, filled once at start-up
 * (assets/common-passwords.txt, made by conf/passwords.sh) and only read
 * afterwards, so any number of threads may call pwcheck() at once.
 */
#ifndef MAKERSPACE_PWCHECK_H
#define MAKERSPACE_PWCHECK_H

#include <stddef.h>

#define PWCHECK_MIN_CHARS	8
#define PWCHECK_MAX_CHARS	128

/* pwcheck() results. */
#define PWCHECK_OK		0
#define PWCHECK_BAD_TEXT	1	/* not UTF-8, or control characters */
#define PWCHECK_LENGTH		2	/* outside 8-128 characters */
#define PWCHECK_COMMON		3	/* on the list (ignoring case) */
#define PWCHECK_USERNAME	4	/* is or contains the username */

struct pwcheck_list;

struct pwcheck_list	*pwcheck_list_new(void);
void			 pwcheck_list_free(struct pwcheck_list *);

/* Add one entry (stored lower-cased); 0 on success, -1 if empty. */
int			 pwcheck_list_add(struct pwcheck_list *, const char *,
			    size_t);

/*
 * Add every line of text (LF or CRLF): empty lines and lines starting
 * with '#' are skipped.  Returns how many entries were added.
 */
size_t			 pwcheck_list_parse(struct pwcheck_list *,
			    const char *, size_t);

/*
 * The same for a file; -1 (and a message in err) if it cannot be read,
 * else the number of entries added.
 */
long			 pwcheck_list_load(struct pwcheck_list *, const char *,
			    char *, size_t);

size_t			 pwcheck_list_size(const struct pwcheck_list *);

/* Whether the list holds s[0..len), ignoring ASCII case. */
int			 pwcheck_list_has(const struct pwcheck_list *,
			    const char *, size_t);

/*
 * Check password pw[0..len) for the account username (NULL or "" when
 * unknown); list may be NULL (no list).  Returns a PWCHECK_* value.
 */
int			 pwcheck(const struct pwcheck_list *, const char *,
			    size_t, const char *);

#endif

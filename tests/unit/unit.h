/*
 * unit.h: the smallest test harness that does the job.
 *
 * Each test program prints TAP-like lines ("ok - what", "not ok - what")
 * and ends with a line "# <program>: N passed, M failed" that tests/run
 * adds up.  It exits non-zero when anything failed.  Programs are built
 * with -fsanitize=address,undefined, so a memory error also fails the run.
 */
#ifndef MAKERSPACE_UNIT_H
#define MAKERSPACE_UNIT_H

#include <stdio.h>
#include <string.h>

static int	unit_passed;
static int	unit_failed;

#define CHECK(cond, what)						\
	do {								\
		if (cond) {						\
			unit_passed++;					\
			printf("ok - %s\n", (what));			\
		} else {						\
			unit_failed++;					\
			printf("not ok - %s (%s:%d: %s)\n", (what),	\
			    __FILE__, __LINE__, #cond);			\
		}							\
	} while (0)

/* Compare two strings; on failure print both. */
#define CHECK_STR(got, want, what)					\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) {	\
			unit_passed++;					\
			printf("ok - %s\n", (what));			\
		} else {						\
			unit_failed++;					\
			printf("not ok - %s (%s:%d)\n#   got:  %s\n"	\
			    "#   want: %s\n", (what), __FILE__, __LINE__,	\
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
		}							\
	} while (0)

#define UNIT_DONE(name)							\
	do {								\
		printf("# %s: %d passed, %d failed\n", (name),		\
		    unit_passed, unit_failed);				\
		return (unit_failed ? 1 : 0);				\
	} while (0)

#endif

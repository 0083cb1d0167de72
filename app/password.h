/*
 * password.h: see password.c.
 */
#ifndef MAKERSPACE_PASSWORD_H
#define MAKERSPACE_PASSWORD_H

#include <sodium.h>

#define PW_MIN_CHARS	8
#define PW_MAX_CHARS	128
#define PW_SECRET_LEN	44	/* 43 characters and the NUL */

/*
 * One hashing or checking job, owned by the request (rq->extra or part
 * of it) and handed to a task thread; the thread wipes the password.
 */
struct pw_job {
	char	password[PW_MAX_CHARS * 4 + 1];
	char	hash[crypto_pwhash_STRBYTES];	/* in: verify; out: hash */
	int	ok;				/* out: verify matched */
};

void		 pw_load_list(const char *);
const char	*pw_refusal(const char *, const char *);
int		 pw_task_hash(void *);
int		 pw_task_verify(void *);
int		 pw_job_set(struct pw_job *, const char *, const char *);
void		 pw_new_secret(char *, size_t, char *);

#endif

/*
 * password.c: password strength, hashing and checking, and the random
 * secrets of sessions and API tokens.
 *
 * Hashing is Argon2id (libsodium) with t=2 and 19 MiB, as OWASP advises;
 * about 20-80 ms of CPU, so it always runs in the job thread (jobs.c)
 * (pw_task_hash / pw_task_verify, started with rq_task_start), never on
 * the event loop.  The job thread runs at nice 19 so that page serving
 * keeps the CPU when many people log in at once.
 *
 * Strength: 8-128 characters (checked by the caller) and not a common or
 * dictionary password: Debian's cracklib, with the username and display
 * name given so it never looks the user up in /etc/passwd.  cracklib is
 * not thread-safe, hence the mutex.
 */
#include <sys/types.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <crack.h>
#include <sodium.h>

#include "app.h"
#include "password.h"
#include "text.h"

#define PW_OPSLIMIT	2
#define PW_MEMLIMIT	(19 * 1024 * 1024)

/*
 * A hash of a random, forgotten password: logins for unknown users are
 * checked against it, so they take as long as real ones.
 */
static const char	pw_dummy_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "IsrgN+reQjkMSRguOmeu2w$K2cnu1DB7tQ6uaBs5V+O7lC7UWfGwXr4UwGrqJenkEg";

static pthread_mutex_t	crack_lock = PTHREAD_MUTEX_INITIALIZER;

/* Job thread: check strength (when asked), then hash.  arg: pw_job. */
int
pw_task_hash(void *arg)
{
	struct pw_job	*job = arg;
	const char	*why;

	job->weak = 0;
	if (job->check_strength) {
		pthread_mutex_lock(&crack_lock);
		why = FascistCheckUser(job->password, NULL, job->username,
		    job->gecos);
		pthread_mutex_unlock(&crack_lock);
		if (why != NULL) {
			job->weak = 1;
			(void)snprintf(job->weak_reason,
			    sizeof(job->weak_reason), "%s", why);
			goto out;
		}
	}
	if (crypto_pwhash_argon2id_str(job->hash, job->password,
	    strlen(job->password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
		job->hash[0] = '\0';

out:
	sodium_memzero(job->password, sizeof(job->password));
	return (job->hash[0] != '\0' || job->weak);
}

/* Job thread: does job->password match job->hash? */
int
pw_task_verify(void *arg)
{
	struct pw_job	*job = arg;
	const char	*hash;

	hash = job->hash[0] != '\0' ? job->hash : pw_dummy_hash;
	job->ok = crypto_pwhash_argon2id_str_verify(hash, job->password,
	    strlen(job->password)) == 0 && job->hash[0] != '\0';
	sodium_memzero(job->password, sizeof(job->password));
	return (job->ok);
}

/* Fill a job; 0 if a value does not fit (the caller validated lengths). */
int
pw_job_set(struct pw_job *job, const char *password, const char *hash,
    const char *username, const char *gecos)
{
	memset(job, 0, sizeof(*job));
	if ((size_t)snprintf(job->password, sizeof(job->password), "%s",
	    password) >= sizeof(job->password))
		return (0);
	if (hash != NULL && (size_t)snprintf(job->hash, sizeof(job->hash),
	    "%s", hash) >= sizeof(job->hash))
		job->hash[0] = '\0';
	(void)text_copy_utf8(job->username, sizeof(job->username), username);
	(void)text_copy_utf8(job->gecos, sizeof(job->gecos), gecos);
	return (1);
}

/*
 * A new secret: 32 random bytes as unpadded base64url (43 characters)
 * in out, and the hex SHA-256 that is stored in hash_hex (65 bytes).
 */
void
pw_new_secret(char *out, size_t outlen, char *hash_hex)
{
	unsigned char	raw[32], h[crypto_hash_sha256_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (hash_hex != NULL) {
		crypto_hash_sha256(h, (const unsigned char *)out, strlen(out));
		sodium_bin2hex(hash_hex, 65, h, sizeof(h));
	}
	sodium_memzero(raw, sizeof(raw));
}

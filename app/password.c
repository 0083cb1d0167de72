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
 * Rules (NIST SP 800-63B, pwcheck.c): 8-128 characters, not on the list
 * of common and breached passwords (assets/common-passwords.txt, loaded
 * once in the parent and shared read-only by every worker and thread),
 * not the username.  Checking is a hash lookup, so callers do it on the
 * event loop before any hashing starts.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "password.h"
#include "pwcheck.h"

#define PW_OPSLIMIT	2
#define PW_MEMLIMIT	(19 * 1024 * 1024)

/*
 * A hash of a random, forgotten password: logins for unknown users are
 * checked against it, so they take as long as real ones.
 */
static const char	pw_dummy_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "IsrgN+reQjkMSRguOmeu2w$K2cnu1DB7tQ6uaBs5V+O7lC7UWfGwXr4UwGrqJenkEg";

/* The common passwords; filled by pw_load_list() before the fork. */
static struct pwcheck_list	*pw_common;

/* Start-up: load the list from the assets, or refuse to start. */
void
pw_load_list(const char *assets)
{
	char	path[1024], err[256];
	long	n;

	(void)snprintf(path, sizeof(path), "%s/common-passwords.txt", assets);
	pw_common = pwcheck_list_new();
	if ((n = pwcheck_list_load(pw_common, path, err, sizeof(err))) < 1)
		fatal("common passwords: %s", n == 0 ? "the list is empty" :
		    err);
}

/*
 * May password (NUL-terminated) be the new password of username?  NULL
 * if so, else the catalog key of the reason, for the password field.
 */
const char *
pw_refusal(const char *password, const char *username)
{
	switch (pwcheck(pw_common, password, strlen(password), username)) {
	case PWCHECK_OK:
		return (NULL);
	case PWCHECK_BAD_TEXT:
		return ("errors.field.bad_text");
	case PWCHECK_LENGTH:
		return ("errors.password_length");
	case PWCHECK_USERNAME:
		return ("errors.password_username");
	default:
		return ("errors.password_weak");
	}
}

/* Job thread: hash job->password into job->hash.  arg: pw_job. */
int
pw_task_hash(void *arg)
{
	struct pw_job	*job = arg;

	if (crypto_pwhash_argon2id_str(job->hash, job->password,
	    strlen(job->password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
		job->hash[0] = '\0';
	sodium_memzero(job->password, sizeof(job->password));
	return (job->hash[0] != '\0');
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
pw_job_set(struct pw_job *job, const char *password, const char *hash)
{
	memset(job, 0, sizeof(*job));
	if ((size_t)snprintf(job->password, sizeof(job->password), "%s",
	    password) >= sizeof(job->password))
		return (0);
	if (hash != NULL && (size_t)snprintf(job->hash, sizeof(job->hash),
	    "%s", hash) >= sizeof(job->hash))
		job->hash[0] = '\0';
	return (1);
}

/*
 * A new secret: 32 random bytes as unpadded base64url (43 characters)
 * in out, and the hex SHA-256 that is stored in hash_hex
 * (SHA256_HEX_BUF bytes).
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
		sodium_bin2hex(hash_hex, SHA256_HEX_BUF, h, sizeof(h));
	}
	sodium_memzero(raw, sizeof(raw));
}

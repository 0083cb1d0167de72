/*
 * migrate: apply migrations/NNNN_name.sql in order, each once, each in
 * its own transaction, under an advisory lock, recorded in
 * schema_migrations.
 *
 *	migrate <conninfo> <migrations-dir>
 *
 * Several app nodes may start at once: the advisory lock makes the
 * second wait for the first and then find nothing left to do.  A failing
 * migration rolls back whole and stops the run (exit 1) naming the file;
 * the ones before it stay applied.  Migrations are forward-only and never
 * edited once landed (fix forward with a new file); the recorded name
 * lets us notice a renamed file.
 *
 * This is a separate program, not part of app.so, so that production can
 * run it as a deployment step with its own (more privileged) role.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define MIGRATE_LOCK_KEY	"7263001"	/* arbitrary, fixed */
#define MIGRATE_MAX		1000

struct migration {
	int	 version;
	char	*name;		/* file name, malloc()ed */
};

static int	 list_migrations(const char *, struct migration *, int *);
static int	 cmp_migration(const void *, const void *);
static char	*read_file(const char *, const char *);
static int	 exec_ok(PGconn *, const char *, const char *);
static int	 applied(PGconn *, int, int *);
static int	 apply_one(PGconn *, const char *, const struct migration *);

int
main(int argc, char **argv)
{
	struct migration	 m[MIGRATE_MAX];
	PGconn			*db;
	int			 i, n, done, ret, count;

	if (argc != 3) {
		fprintf(stderr, "usage: migrate <conninfo> <dir>\n");
		return (2);
	}

	ret = 1;
	n = 0;
	count = 0;
	db = PQconnectdb(argv[1]);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "migrate: %s", PQerrorMessage(db));
		goto out;
	}
	if (!list_migrations(argv[2], m, &n))
		goto out;

	if (!exec_ok(db, "SET client_min_messages = warning", NULL) ||
	    !exec_ok(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	    NULL) ||
	    !exec_ok(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", NULL))
		goto out;

	for (i = 0; i < n; i++) {
		if (!applied(db, m[i].version, &done))
			goto out;
		if (done)
			continue;
		if (!apply_one(db, argv[2], &m[i]))
			goto out;
		count++;
	}

	(void)exec_ok(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
	    NULL);
	printf("migrate: %d applied, schema at version %d\n", count,
	    n > 0 ? m[n - 1].version : 0);
	ret = 0;

out:
	for (i = 0; i < n; i++)
		free(m[i].name);
	PQfinish(db);
	return (ret);
}

/* Fill m with the NNNN_*.sql files of dir, sorted; refuse duplicates. */
static int
list_migrations(const char *dir, struct migration *m, int *n)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	int		 i, ok;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "migrate: %s: %s\n", dir, strerror(errno));
		return (0);
	}

	ok = 1;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 10 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		if (!isdigit((unsigned char)e->d_name[0]) ||
		    !isdigit((unsigned char)e->d_name[1]) ||
		    !isdigit((unsigned char)e->d_name[2]) ||
		    !isdigit((unsigned char)e->d_name[3]) ||
		    e->d_name[4] != '_')
			continue;
		if (*n >= MIGRATE_MAX) {
			fprintf(stderr, "migrate: too many migrations\n");
			ok = 0;
			break;
		}
		m[*n].version = atoi(e->d_name);
		if ((m[*n].name = strdup(e->d_name)) == NULL)
			abort();
		(*n)++;
	}
	closedir(d);

	qsort(m, *n, sizeof(*m), cmp_migration);
	for (i = 1; ok && i < *n; i++) {
		if (m[i].version == m[i - 1].version) {
			fprintf(stderr, "migrate: %s and %s share a number\n",
			    m[i - 1].name, m[i].name);
			ok = 0;
		}
	}

	return (ok);
}

static int
cmp_migration(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return ((x->version > y->version) - (x->version < y->version));
}

/* Return the file's contents (caller frees), or NULL. */
static char *
read_file(const char *dir, const char *name)
{
	FILE		*fp;
	char		 path[1024], *data;
	long		 len;

	data = NULL;
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "migrate: %s: %s\n", path, strerror(errno));
		return (NULL);
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		goto out;
	if ((data = malloc((size_t)len + 1)) == NULL)
		abort();
	if (fread(data, 1, (size_t)len, fp) != (size_t)len) {
		free(data);
		data = NULL;
		goto out;
	}
	data[len] = '\0';

out:
	fclose(fp);
	return (data);
}

/* Run sql; on failure print the error, naming file when given. */
static int
exec_ok(PGconn *db, const char *sql, const char *file)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(db, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		fprintf(stderr, "migrate: %s%s%s", file ? file : "",
		    file ? ": " : "", PQresultErrorMessage(res));
	}
	PQclear(res);
	return (ok);
}

static int
applied(PGconn *db, int version, int *done)
{
	PGresult	*res;
	char		 v[16];
	const char	*params[1];
	int		 ok;

	(void)snprintf(v, sizeof(v), "%d", version);
	params[0] = v;
	res = PQexecParams(db,
	    "SELECT 1 FROM schema_migrations WHERE version = $1",
	    1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "migrate: %s", PQresultErrorMessage(res));
	else
		*done = PQntuples(res) > 0;
	PQclear(res);
	return (ok);
}

static int
apply_one(PGconn *db, const char *dir, const struct migration *m)
{
	PGresult	*res;
	char		*sql, v[16];
	const char	*params[2];
	int		 ok;

	if ((sql = read_file(dir, m->name)) == NULL)
		return (0);

	ok = 0;
	if (!exec_ok(db, "BEGIN", NULL))
		goto out;
	if (!exec_ok(db, sql, m->name)) {
		(void)exec_ok(db, "ROLLBACK", NULL);
		goto out;
	}

	(void)snprintf(v, sizeof(v), "%d", m->version);
	params[0] = v;
	params[1] = m->name;
	res = PQexecParams(db, "INSERT INTO schema_migrations (version, name)"
	    " VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "migrate: %s", PQresultErrorMessage(res));
	PQclear(res);

	if (!ok || !exec_ok(db, "COMMIT", m->name)) {
		(void)exec_ok(db, "ROLLBACK", NULL);
		ok = 0;
		goto out;
	}
	printf("migrate: applied %s\n", m->name);

out:
	free(sql);
	return (ok);
}

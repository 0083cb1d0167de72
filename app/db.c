/*
 * db.c: the statements of every feature, prepared once per pooled
 * connection, and the mapping from SQLSTATE to HTTP.
 *
 * Statements live in assets/sql/<feature>.sql, each introduced by a line
 * "-- name: <name>".  They are loaded in the parent at start-up and
 * prepared there once against the database, so a typo in SQL stops the
 * start instead of failing a request.
 *
 * Kore 4.1 sends every query unprepared (PQsendQueryParams), and planning
 * a page statement costs about twice its execution (docs/kore.md#postgresql).
 * So the first time a worker sees a pooled connection (identified by its
 * PGconn and backend pid: a reconnected pool slot may reuse the address)
 * it sets the session up and prepares every statement on it,
 * synchronously: a one-off cost of a few milliseconds per connection.
 * Queries are then sent with PQsendQueryPrepared, and the request is
 * scheduled exactly as Kore's own static pgsql_schedule() does, so Kore's
 * state machine (WAIT/RESULT/ERROR/COMPLETE) works unchanged.
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define DB_MAX_STMTS		256
#define DB_MAX_CONNS		256
#define DB_WARM_MAX		64

struct db_stmt {
	char	*name;
	char	*sql;
	int	 nparams;
};

/*
 * A statement whose parameters did not fit the socket at once (a photo's
 * bytes): the connection is nonblocking, so libpq keeps the rest and the
 * event loop flushes it when the socket drains, instead of waiting in
 * libpq's poll() while every other request of the worker waits too
 * (measured: 30-55 ms stalls per upload).
 */
struct db_flush {
	struct kore_event	 evt;	/* first: what epoll hands back */
	PGconn			*conn;
	struct kore_pgsql	*sql;
};

struct db_conn_seen {
	PGconn		*conn;
	int		 pid;
	struct db_flush	 flush;
};

static void	db_load_file(const char *, const char *);
static void	db_add_stmt(const char *, size_t, const char *, size_t,
		    const char *);
static int	db_conn_setup(PGconn *, char *, size_t);
static int	db_conn_known(PGconn *);
static void	db_pool_warm(void);
static void	db_flush_event(void *, int);
static void	db_send_failed(struct kore_pgsql *, const char *);
static int	db_exec(PGconn *, const char *, char *, size_t);

static struct db_stmt		stmts[DB_MAX_STMTS];
static int			nstmts;
static struct db_conn_seen	seen[DB_MAX_CONNS];
static int			nseen;

/* Parent: read every .sql file of dir.  Errors are fatal. */
void
db_load_statements(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	char		*names[DB_MAX_STMTS];
	int		 i, n;

	if ((d = opendir(dir)) == NULL)
		fatal("cannot open %s: %s", dir, errno_s);
	n = 0;
	while ((e = readdir(d)) != NULL && n < DB_MAX_STMTS) {
		len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".sql"))
			names[n++] = kore_strdup(e->d_name);
	}
	closedir(d);

	for (i = 0; i < n; i++) {
		db_load_file(dir, names[i]);
		kore_free(names[i]);
	}
}

static void
db_load_file(const char *dir, const char *file)
{
	struct kore_buf	*b;
	FILE		*fp;
	char		 path[1024], line[4096];
	const char	*name, *sql, *p, *next;
	size_t		 namelen;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    sizeof(path))
		fatal("path too long: %s", file);
	if ((fp = fopen(path, "r")) == NULL)
		fatal("cannot open %s: %s", path, errno_s);
	b = kore_buf_alloc(4096);
	while (fgets(line, sizeof(line), fp) != NULL)
		kore_buf_appendf(b, "%s", line);
	fclose(fp);
	(void)kore_buf_stringify(b, NULL);

	/* Split on lines "-- name: x"; text before the first is ignored. */
	p = (const char *)b->data;
	if (strncmp(p, "-- name:", 8) != 0 &&
	    (p = strstr(p, "\n-- name:")) != NULL)
		p++;
	while (p != NULL) {
		name = p + 8;
		while (*name == ' ')
			name++;
		namelen = strcspn(name, " \r\n");
		sql = name + namelen;
		next = strstr(sql, "\n-- name:");
		db_add_stmt(name, namelen, sql,
		    next ? (size_t)(next - sql) : strlen(sql), path);
		p = next ? next + 1 : NULL;
	}
	kore_buf_free(b);
}

static void
db_add_stmt(const char *name, size_t namelen, const char *sql, size_t len,
    const char *path)
{
	size_t		i;

	if (namelen == 0 || namelen > 60)
		fatal("%s: bad statement name", path);
	for (i = 0; i < namelen; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' ||
		    (name[i] >= '0' && name[i] <= '9')))
			fatal("%s: bad statement name '%.*s'", path,
			    (int)namelen, name);
	}
	if (nstmts >= DB_MAX_STMTS)
		fatal("too many statements");
	stmts[nstmts].name = kore_malloc(namelen + 1);
	memcpy(stmts[nstmts].name, name, namelen);
	stmts[nstmts].name[namelen] = '\0';
	if (db_stmt_lookup(stmts[nstmts].name) != -1)
		fatal("%s: statement %s defined twice", path,
		    stmts[nstmts].name);
	stmts[nstmts].sql = kore_malloc(len + 1);
	memcpy(stmts[nstmts].sql, sql, len);
	stmts[nstmts].sql[len] = '\0';
	stmts[nstmts].nparams = -1;
	nstmts++;
}

int
db_stmt_lookup(const char *name)
{
	int		i;

	for (i = 0; i < nstmts; i++) {
		if (stmts[i].name != NULL && !strcmp(stmts[i].name, name))
			return (i);
	}
	return (-1);
}

const char *
db_stmt_name(int id)
{
	if (id < 0 || id >= nstmts)
		return ("?");
	return (stmts[id].name);
}

/*
 * Parent: refuse to start against a database whose schema is behind the
 * code, then prepare every statement once so SQL errors stop the start.
 */
void
db_startup_check(const char *conninfo, int want)
{
	PGconn		*db;
	PGresult	*res;
	char		 err[512];
	int		 have;

	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		fatal("cannot connect to the database: %s",
		    PQerrorMessage(db));

	res = PQexec(db, "SELECT coalesce(max(version), 0) "
	    "FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fatal("the database has no schema_migrations table: "
		    "run build/migrate (make db) first");
	}
	have = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (have < want) {
		fatal("the database schema is at version %d but this build "
		    "needs %d: apply the migrations (build/migrate) before "
		    "starting the server", have, want);
	}

	if (!db_conn_setup(db, err, sizeof(err)))
		fatal("%s", err);
	PQfinish(db);
	kore_log(LOG_NOTICE, "database schema at version %d, %d statements "
	    "prepared", have, nstmts);
}

/* Worker start: forget connections the parent may have described. */
void
db_worker_init(void)
{
	nseen = 0;
	db_pool_warm();
}

/*
 * Open and set up the worker's whole pool before it takes requests.
 * Kore opens pooled connections on first use, with a blocking
 * PQconnectdb(), and db_conn_setup() prepares every statement on them,
 * also blocking: each cost its worker's event loop tens of milliseconds,
 * which showed as p99 tails of 50-130 ms in the first seconds after a
 * start under load.  When the database is down this stops at the first
 * failure and the pool fills on demand, as before.
 */
static void
db_pool_warm(void)
{
	struct kore_pgsql	sql[DB_WARM_MAX];
	int			i, n;

	for (n = 0; n < DB_WARM_MAX && (u_int32_t)n < pgsql_conn_max; n++) {
		kore_pgsql_init(&sql[n]);
		if (!kore_pgsql_setup(&sql[n], APP_DB, KORE_PGSQL_SYNC) ||
		    db_conn_known(sql[n].conn->db) == -1) {
			n++;
			break;
		}
	}
	for (i = 0; i < n; i++)
		kore_pgsql_cleanup(&sql[i]);
}

/*
 * Set up a connection and prepare every statement on it.  Synchronous:
 * runs once per pooled connection.  Records each statement's parameter
 * count so a handler passing the wrong number fails loudly.
 */
static int
db_conn_setup(PGconn *conn, char *err, size_t errlen)
{
	PGresult	*res;
	char		 sql[256];
	int		 i, ok;

	(void)snprintf(sql, sizeof(sql), "SET TimeZone TO '%s'",
	    app_config.time_zone);
	/*
	 * force_generic_plan: plan each statement once per connection.  With
	 * the default (auto) PostgreSQL kept choosing custom plans for page
	 * statements, re-planning (and re-parsing inlined SQL functions) on
	 * every call: measured 8k against 30k+ home pages/s.
	 */
	if (!db_exec(conn, sql, err, errlen) ||
	    !db_exec(conn, "SET statement_timeout TO '10s'", err, errlen) ||
	    !db_exec(conn, "SET plan_cache_mode TO force_generic_plan", err,
	    errlen))
		return (0);

	for (i = 0; i < nstmts; i++) {
		res = PQprepare(conn, stmts[i].name, stmts[i].sql, 0, NULL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok) {
			(void)snprintf(err, errlen, "statement %s: %s",
			    stmts[i].name, PQresultErrorMessage(res));
		}
		PQclear(res);
		if (!ok)
			return (0);

		res = PQdescribePrepared(conn, stmts[i].name);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			stmts[i].nparams = PQnparams(res);
		PQclear(res);
	}

	/* From here on sending never waits (struct db_flush). */
	if (PQsetnonblocking(conn, 1) == -1) {
		(void)snprintf(err, errlen, "nonblocking: %s",
		    PQerrorMessage(conn));
		return (0);
	}
	return (1);
}

static int
db_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		(void)snprintf(err, errlen, "%s: %s", sql,
		    PQresultErrorMessage(res));
	PQclear(res);
	return (ok);
}

/*
 * Is this pooled connection already set up?  If not, set it up.  Returns
 * its slot in seen[], or -1 when the set-up failed.
 */
static int
db_conn_known(PGconn *conn)
{
	char		err[512];
	int		i, pid;

	pid = PQbackendPID(conn);
	for (i = 0; i < nseen; i++) {
		if (seen[i].conn == conn && seen[i].pid == pid)
			return (i);
	}

	if (!db_conn_setup(conn, err, sizeof(err))) {
		kore_log(LOG_ERR, "db_conn_known: %s", err);
		return (-1);
	}

	/* Reuse the slot of a connection Kore has since dropped. */
	for (i = 0; i < nseen; i++) {
		if (seen[i].conn == conn)
			break;
	}
	if (i == nseen) {
		if (nseen == DB_MAX_CONNS)
			i = 0;
		else
			nseen++;
	}
	seen[i].conn = conn;
	seen[i].pid = pid;
	return (i);
}

/*
 * Send a prepared statement on the connection kore_pgsql_setup() gave
 * sql, then schedule it as Kore's pgsql_schedule() does.  Values are
 * text unless formats[i] is 1 (bytea); binary asks for a binary result.
 * prepared = 0 sends the statement's text the way Kore does (planned on
 * every call); only `make bench` uses it, to measure the difference.
 * Returns KORE_RESULT_ERROR with sql->state ERROR on failure.
 */
int
db_send_prepared(struct kore_pgsql *sql, struct http_request *req, int id,
    int n, const char *const *values, const int *lengths, const int *formats,
    int binary, int prepared)
{
	PGconn		*conn;
	struct db_flush	*f;
	int		 fd, slot, left;

	conn = sql->conn->db;
	if (id < 0 || id >= nstmts) {
		db_send_failed(sql, "unknown statement");
		return (KORE_RESULT_ERROR);
	}
	if ((slot = db_conn_known(conn)) == -1) {
		db_send_failed(sql, "connection setup failed");
		return (KORE_RESULT_ERROR);
	}
	if (stmts[id].nparams != n) {
		kore_log(LOG_ERR, "statement %s takes %d parameters, got %d",
		    stmts[id].name, stmts[id].nparams, n);
		db_send_failed(sql, "wrong parameter count");
		return (KORE_RESULT_ERROR);
	}

	if (!(prepared ? PQsendQueryPrepared(conn, stmts[id].name, n, values,
	    lengths, formats, binary) : PQsendQueryParams(conn, stmts[id].sql,
	    n, NULL, values, lengths, formats, binary)) ||
	    (left = PQflush(conn)) == -1 || (fd = PQsocket(conn)) < 0) {
		db_send_failed(sql, PQerrorMessage(conn));
		return (KORE_RESULT_ERROR);
	}

	if (left) {
		f = &seen[slot].flush;
		f->evt.type = KORE_TYPE_PGSQL_CONN;
		f->evt.flags = 0;
		f->evt.handle = db_flush_event;
		f->conn = conn;
		f->sql = sql;
		kore_platform_event_all(fd, f);
	} else {
		kore_platform_schedule_read(fd, sql->conn);
	}
	/* Kore's release takes the socket out of epoll either way. */
	sql->state = KORE_PGSQL_STATE_WAIT;
	sql->flags |= KORE_PGSQL_SCHEDULED;
	if (req != NULL)
		http_request_sleep(req);

	return (KORE_RESULT_OK);
}

/* The socket can take more (or has something to say): flush again. */
static void
db_flush_event(void *arg, int error)
{
	struct db_flush	*f = arg;
	int		 left;

	left = -1;
	if (!error && (!(f->evt.flags & KORE_EVENT_READ) ||
	    PQconsumeInput(f->conn)))
		left = PQflush(f->conn);
	f->evt.flags = 0;
	if (left == 1)
		return;
	if (left == -1) {
		/* As Kore does for a dead socket: drop it, wake the owner. */
		kore_pgsql_handle(f->sql->conn, 1);
		return;
	}
	/* All sent: Kore reads the result (re-arming reports it if in). */
	kore_platform_schedule_read(PQsocket(f->conn), f->sql->conn);
}

static void
db_send_failed(struct kore_pgsql *sql, const char *why)
{
	sql->error = kore_strdup(why);
	sql->state = KORE_PGSQL_STATE_ERROR;
}

/*
 * Map a SQLSTATE to an HTTP status and an error code (docs/api.md#errors).
 * Features raise their own refusals with SQLSTATEs of class "MS" whose
 * last three characters are the HTTP status: RAISE ... USING ERRCODE =
 * 'MS409', MESSAGE = '<catalog key>', DETAIL = '<field>'.
 */
int
db_status_for_sqlstate(const char *s, const char **code)
{
	if (s[0] == 'M' && s[1] == 'S') {
		switch (atoi(s + 2)) {
		case 400:
			*code = "bad_request";
			return (400);
		case 401:
			*code = "login_required";
			return (401);
		case 403:
			*code = "forbidden";
			return (403);
		case 404:
			*code = "not_found";
			return (404);
		case 409:
			*code = "conflict";
			return (409);
		case 422:
			*code = "invalid";
			return (422);
		case 429:
			*code = "rate_limited";
			return (429);
		}
	}
	if (!strcmp(s, "23505") || !strcmp(s, "23P01")) {
		*code = "conflict";
		return (409);
	}
	if (!strcmp(s, "23503") || !strcmp(s, "23514") ||
	    !strcmp(s, "23502") || !strcmp(s, "22001")) {
		*code = "invalid";
		return (422);
	}
	if (!strcmp(s, "P0002")) {
		*code = "not_found";
		return (404);
	}
	if (!strcmp(s, "42501")) {
		*code = "forbidden";
		return (403);
	}
	if (s[0] == '2' && s[1] == '2') {
		*code = "bad_request";
		return (400);
	}
	if (!strcmp(s, "40001") || !strcmp(s, "40P01") ||
	    !strcmp(s, "57014") || (s[0] == '0' && s[1] == '8') ||
	    (s[0] == '5' && s[1] == '3') || !strcmp(s, "57P01")) {
		*code = "unavailable";
		return (503);
	}
	*code = "internal";
	return (500);
}

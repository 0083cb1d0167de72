/*
 * init.c: module load.  The parent reads the configuration from the
 * environment, checks the database schema, prepares every statement once,
 * and loads templates, catalogs and static files; the workers inherit all
 * of it when they fork.  Then every feature's pages (init_page_tables)
 * are checked against what was loaded: a page that names a statement not
 * in assets/sql or a template not in assets/templates stops the start,
 * instead of answering 500 when it is first asked for.  Anything wrong
 * stops the start with a message.
 *
 * Environment (see README.md, "Configuration"):
 *	DATABASE_URL		libpq connection string or URI (required)
 *	MAKERSPACE_ASSETS	the assets directory (default: assets)
 *	MAKERSPACE_TZ		site time zone (default: Asia/Shanghai)
 *	MAKERSPACE_TLS		1 when served over TLS (Secure cookies)
 *	MAKERSPACE_PUBLIC_URL	the site's address as readers reach it, for
 *				absolute links (default: the first bind
 *				address, http://127.0.0.1:<port>)
 *	MAKERSPACE_TRUSTED_PROXIES
 *				addresses/CIDRs whose X-Forwarded-For is
 *				believed (default: none; app/proxy.c)
 *	MAKERSPACE_METRICS_TOKEN
 *				bearer token that may read /metrics
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <kore/seccomp.h>

#include "app.h"
#include "img.h"
#include "password.h"

#if !defined(SCHEMA_VERSION)
#error "build with -DSCHEMA_VERSION=<newest migration number>"
#endif

/*
 * Kore's worker sandbox predates Debian 12's glibc (docs/kore.md#seccomp):
 * these are the calls glibc, libpq and our start-up need beyond Kore's list.
 *	newfstatat, statx	libpq checks ~/.pgpass; stdio
 *	getdents64		opendir (none at run time today, kept for
 *				libpq's service files)
 *	faccessat(2)		libpq
 *	uname			glibc's localtime and libsodium
 *	mremap			glibc's realloc of large blocks (images)
 *	mkdir, rename, fsync, fdatasync, ftruncate, unlinkat
 *				Kore spooling large request bodies to disk
 *				(http_body_disk_offload) and removing them
 *	rseq			glibc registers it for every new thread
 *	setpriority		the job thread lowers its own priority, so
 *				password hashing yields to page serving
 *				(a thread that breaks the filter is
 *				killed alone, silently: its request hangs)
 *	eventfd2		the job thread's wake-ups (app/jobs.c)
 *	clone3 -> ENOSYS	glibc then falls back to clone, which Kore's
 *				task filter allows (the job thread)
 * and, in the sanitizer build of the tests only (MAKERSPACE_SAN):
 *	gettid, sched_getaffinity
 *				AddressSanitizer's runtime asks for them when
 *				a thread starts (the job thread)
 */
#ifdef MAKERSPACE_SAN
#define SAN_SYSCALLS	KORE_SYSCALL_ALLOW(gettid), \
			KORE_SYSCALL_ALLOW(sched_getaffinity),
#else
#define SAN_SYSCALLS
#endif

KORE_SECCOMP_FILTER("app",
	SAN_SYSCALLS
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(statx),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(faccessat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(mremap),
	KORE_SYSCALL_ALLOW(mkdir),
	KORE_SYSCALL_ALLOW(rename),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(fdatasync),
	KORE_SYSCALL_ALLOW(ftruncate),
	KORE_SYSCALL_ALLOW(unlinkat),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(setpriority),
	KORE_SYSCALL_ALLOW(eventfd2),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
);

struct app_config	app_config;

/* Every feature file's table of pages (app/app.h). */
static const struct page *const *const init_page_tables[] = {
	account_pages, admin_pages, board_pages, comp_pages,
	comp_judge_pages, comp_results_pages, feed_pages, home_pages,
	live_pages, mod_pages, notify_pages, oh_pages, oh_cal_pages,
	oh_read_pages, ops_pages, photo_pages, preview_pages, project_pages,
	reset_pages, search_pages,
	NULL
};

void	kore_parent_configure(int, char **);
void	kore_worker_configure(void);

static void	config_from_env(void);
static int	tz_name_ok(const char *);
static int	config_seconds(const char *, int, int, int);
static void	config_public_url(void);
static char	*public_url_default(void);
static int	public_url_ok(const char *);
static void	init_check_pages(void);

/*
 * In the foreground Kore logs with printf; when stdout is a pipe its
 * buffer would be copied into every forked worker and lines repeat.
 */
static void __attribute__((constructor))
app_line_buffer(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void
kore_parent_configure(int argc, char **argv)
{
	json_t	*urls;
	char	 path[1024];

	if (sodium_init() == -1)
		fatal("libsodium failed to initialise");
	img_init();
	config_from_env();
	config_public_url();

	(void)snprintf(path, sizeof(path), "%s/sql", app_config.assets);
	db_load_statements(path);
	db_startup_check(app_config.database_url, SCHEMA_VERSION);
	if (!kore_pgsql_register(APP_DB, app_config.database_url))
		fatal("cannot register the database");

	static_load(app_config.assets);
	urls = static_urls();
	render_load(app_config.assets, urls);
	json_decref(urls);
	init_check_pages();
	pw_load_list(app_config.assets);
	metrics_init();
}

void
kore_worker_configure(void)
{
	metrics_add(METRIC_WORKER_STARTS, 1);
	db_worker_init();
	jobs_worker_init();
	oh_cal_worker_init();
}

/*
 * Each page's statement and template exist (db_load_statements and
 * render_load have run).  Every broken page is logged, then the start
 * stops before any worker serves.
 */
static void
init_check_pages(void)
{
	const struct page	*p;
	size_t			 t, i;
	int			 bad;

	bad = 0;
	for (t = 0; init_page_tables[t] != NULL; t++) {
		for (i = 0; (p = init_page_tables[t][i]) != NULL; i++) {
			if (p->stmt != NULL && db_stmt_lookup(p->stmt) == -1) {
				kore_log(LOG_ERR, "page %s: statement %s is "
				    "not in %s/sql", p->name, p->stmt,
				    app_config.assets);
				bad++;
			}
			if (p->tmpl != NULL &&
			    !render_template_exists(p->tmpl)) {
				kore_log(LOG_ERR, "page %s: template %s.html "
				    "is not in %s/templates", p->name, p->tmpl,
				    app_config.assets);
				bad++;
			}
		}
	}
	if (bad > 0)
		fatal("%d page statement(s) or template(s) missing: "
		    "refusing to start", bad);
}

static void
config_from_env(void)
{
	const char	*v;

	if ((v = getenv("DATABASE_URL")) == NULL || *v == '\0')
		fatal("DATABASE_URL is not set (a libpq connection string)");
	app_config.database_url = kore_strdup(v);

	v = getenv("MAKERSPACE_ASSETS");
	app_config.assets = kore_strdup(v != NULL && *v ? v : "assets");

	v = getenv("MAKERSPACE_TZ");
	app_config.time_zone = kore_strdup(v != NULL && *v ? v :
	    "Asia/Shanghai");
	if (!tz_name_ok(app_config.time_zone))
		fatal("MAKERSPACE_TZ '%s' is not a time zone name",
		    app_config.time_zone);

	v = getenv("MAKERSPACE_TLS");
	app_config.tls = v != NULL && !strcmp(v, "1");

	app_config.reminder_seconds = config_seconds(
	    "MAKERSPACE_REMINDER_SECONDS", 60, 1, 3600);

	proxy_configure(getenv("MAKERSPACE_TRUSTED_PROXIES"),
	    getenv("MAKERSPACE_METRICS_TOKEN"));
}

/* A whole number of seconds from the environment, def when unset. */
static int
config_seconds(const char *name, int def, int min, int max)
{
	const char	*v;
	char		*end;
	long		 n;

	if ((v = getenv(name)) == NULL || *v == '\0')
		return (def);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		fatal("%s '%s' is not a number of seconds from %d to %d",
		    name, v, min, max);
	return ((int)n);
}

/*
 * MAKERSPACE_PUBLIC_URL, without the slashes it may end with.  Called
 * once Kore has read its configuration: the bind address is known.
 */
static void
config_public_url(void)
{
	const char	*v;
	size_t		 len;

	v = getenv("MAKERSPACE_PUBLIC_URL");
	app_config.public_url = v != NULL && *v ? kore_strdup(v) :
	    public_url_default();
	len = strlen(app_config.public_url);
	while (len > 0 && app_config.public_url[len - 1] == '/')
		app_config.public_url[--len] = '\0';
	if (!public_url_ok(app_config.public_url))
		fatal("MAKERSPACE_PUBLIC_URL '%s' is not http(s)://host[:port]",
		    app_config.public_url);
}

/*
 * Without MAKERSPACE_PUBLIC_URL: the first address Kore binds, which is
 * right for `make run` and tests; behind a proxy the setting is needed.
 */
static char *
public_url_default(void)
{
	struct kore_server	*srv;
	struct listener		*l;
	char			*url;
	const char		*host;
	int			 v6;

	host = "127.0.0.1";
	url = NULL;
	LIST_FOREACH(srv, &kore_servers, list) {
		LIST_FOREACH(l, &srv->listeners, list) {
			if (l->host == NULL || l->port == NULL)
				continue;
			host = l->host;
			v6 = strchr(host, ':') != NULL;
			if (asprintf(&url, "%s://%s%s%s:%s", app_config.tls ||
			    srv->tls ? "https" : "http", v6 ? "[" : "", host,
			    v6 ? "]" : "", l->port) == -1)
				fatal("public_url_default: out of memory");
			return (url);
		}
	}
	if (asprintf(&url, "%s://%s", app_config.tls ? "https" : "http",
	    host) == -1)
		fatal("public_url_default: out of memory");
	return (url);
}

/*
 * The base URL goes into every feed: scheme, then a host (name, IPv4 or
 * [IPv6]) and an optional port, nothing else (no path, query, user,
 * space or control character).
 */
static int
public_url_ok(const char *s)
{
	size_t	i;

	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	else
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == ':' || s[i] == '[' || s[i] == ']'))
			return (0);
	}
	return (i > 0 && i < 256 && s[0] != ':');
}

/* The name goes into a SET statement: letters, digits, / _ + - only. */
static int
tz_name_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '/' || s[i] == '_' || s[i] == '+' || s[i] == '-'))
			return (0);
	}
	return (i > 0 && i < 64);
}

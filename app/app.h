/*
 * app.h: what the server's files share.
 *
 * Every dynamic route is a `struct page` (what it needs, which statement
 * it runs, which template shows it) driven by one generic runner
 * (rq.c) through Kore's http_state_run:
 *
 *	begin -> guard (session, role, CSRF) -> prepare (C-only work)
 *	      -> one prepared statement -> respond (JSON or template)
 *
 * The statement returns one JSON document; it is sent as is to JSON
 * clients and rendered through the page's template for browsers, so the
 * HTML and the API cannot disagree (docs/architecture.md#the-request-path).
 */
#ifndef MAKERSPACE_APP_H
#define MAKERSPACE_APP_H

#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include <jansson.h>

#include "buf.h"
#include "form.h"

#define APP_DB			"db"
#define RQ_MAX_PARAMS		24

/*
 * Request bodies (struct page body_max): every POST gets RQ_BODY_SMALL
 * unless its page says more; only photo uploads do.  A 64 KiB Markdown
 * body takes at most 192 KiB URL-encoded (3 bytes per byte).
 */
#define RQ_BODY_SMALL		(256 * 1024)
#define RQ_BODY_UPLOAD		(12 * 1024 * 1024)	/* http_body_max */

/* ACCESS_* and PAGE_* (struct page) are the guard's rule's words. */
#include "guard_rule.h"

/*
 * What prepare() and respond() tell the runner.  RQ_NEXT is prepare()'s
 * only: from respond() it is a broken rule (500 when nothing was sent).
 */
#define RQ_NEXT			1	/* prepare(): on to the statement */
#define RQ_DONE			2	/* a reply was sent */
#define RQ_RETRY		3	/* sleeping on a task; call again */
#define RQ_AGAIN		4	/* respond(): run rq->stmt again */

struct rq;

/*
 * One piece of CPU-heavy work for the job thread (jobs.c), held by its
 * owner (struct rq) until done() has run.  The job thread reads fn, arg,
 * held and flags and writes result and us; nobody else touches the job
 * while it is in flight.  done() runs on the event loop afterwards.
 */
struct job {
	int		(*fn)(void *);	/* run in the job thread */
	void		*arg;		/* owned by the job's owner */
	int		 result;	/* fn's */
	size_t		 held;		/* bytes it keeps while queued */
	int		 flags;		/* JOB_* */
	u_int64_t	 us;		/* the time fn took */
	void		(*done)(struct job *);
};

#define JOB_BIG			0x0001	/* allocates megabytes (decoding):
					   the heap is trimmed after */

struct page {
	const char	*name;		/* for logs */
	int		 access;	/* ACCESS_* */
	int		 flags;		/* PAGE_* */
	const char	*stmt;		/* statement name (assets/sql) */
	const char	*tmpl;		/* HTML template; for writes the form
					   shown again with the errors */
	int		(*prepare)(struct rq *);
	int		(*respond)(struct rq *);
	size_t		 body_max;	/* POST body bytes; 0: RQ_BODY_SMALL */
};

/*
 * Limits of user text in characters, as the schema's CHECKs count them
 * (char_length), and the bytes a fixed buffer needs for them: up to 4
 * bytes a character and the NUL.  Copies into fixed buffers go through
 * text_copy_utf8(), which never cuts a character.
 */
#define DISPLAY_NAME_MAX	50
#define SUSPEND_REASON_MAX	500
#define UTF8_BUF(chars)		((chars) * 4 + 1)

/* The logged-in user, as the guard resolved it (id 0: anonymous). */
struct viewer {
	int64_t		 id;
	char		 username[40];	/* [a-z0-9_]{3,32} */
	char		 display_name[UTF8_BUF(DISPLAY_NAME_MAX)];
	char		 role[12];
	int		 staff;		/* staff or admin, resolved once */
	int		 verified;
	char		 locale[8];
	char		 csrf[48];
	char		 suspended_until[40];	/* "" when not suspended */
	char		 suspend_reason[UTF8_BUF(SUSPEND_REASON_MAX)];
	int		 verification_required;	/* the site setting */
	int		 retry_after;	/* over the POST rate limit */
	int64_t		 unread;	/* notifications */
};

/* Per-request state: created on the first call, freed with the request. */
struct rq {
	struct http_request	*req;
	const struct page	*page;
	u_int64_t		 t0_us;		/* first entry, for metrics */
	int			 json;		/* the client wants JSON */
	const char		*locale;	/* negotiated (one of i18n's) */
	int			 status;	/* status sent, for metrics */

	struct form		 qs;		/* query string */
	struct form		 body;		/* POST body, any encoding */
	char			 session_hash[SHA256_HEX_BUF];	/* "" = none */
	char			 pre_csrf[48];	/* the visitor's token from the
						   ms_pre cookie; "" = none */
	int			 bearer;	/* API token, not a cookie */
	struct viewer		 me;

	/* The statement in flight and its result. */
	struct kore_pgsql	 sql;
	int			 sql_active;
	int			 stmt;
	int			 nparams;
	const char		*pv[RQ_MAX_PARAMS];
	int			 pl[RQ_MAX_PARAMS];
	int			 pf[RQ_MAX_PARAMS];	/* 1: binary */
	char			*owned[RQ_MAX_PARAMS];	/* freed at the end */
	int			 nowned;
	int			 binary_result;
	int			 unprepared;	/* make bench only */
	char			*res;		/* row 0 col 0, malloc()ed */
	size_t			 res_len;
	char			*res_col2;	/* row 0 col 1 as text, or NULL:
						   what it means is the
						   statement's (its comment) */
	int			 res_null;	/* no row or SQL NULL */
	char			 sqlstate[6];	/* "" when the statement ran */
	char			*sqlerr;	/* message, malloc()ed */
	char			*sqlfield;	/* constraint / column hint */

	/* CPU-heavy work in the job thread (rq_task_start, jobs.c). */
	int			 task_active;
	int			 task_done;
	struct job		 job;		/* what the job thread sees */

	json_t			*fields;	/* field errors being built */
	json_t			*error_extra;	/* merged into "error" */
	void			*extra;		/* the page's own state */
	void			(*extra_free)(void *);
	int			 step;		/* the page's own progress */
	const char		*failed;	/* a broken rule of ours (a
						   literal): answered 500 */
};

/*
 * Each feature file's pages, one NULL-terminated table per file: init.c
 * walks them at start-up and refuses to run when a page names a
 * statement or a template that does not exist.  A new feature adds its
 * table here and to init.c's list.
 */
extern const struct page *const account_pages[];
extern const struct page *const admin_pages[];
extern const struct page *const board_pages[];
extern const struct page *const comp_pages[];
extern const struct page *const comp_judge_pages[];
extern const struct page *const comp_results_pages[];
extern const struct page *const feed_pages[];
extern const struct page *const home_pages[];
extern const struct page *const live_pages[];
extern const struct page *const mod_pages[];
extern const struct page *const notify_pages[];
extern const struct page *const oh_pages[];
extern const struct page *const oh_cal_pages[];
extern const struct page *const oh_read_pages[];
extern const struct page *const ops_pages[];
extern const struct page *const photo_pages[];
extern const struct page *const preview_pages[];
extern const struct page *const project_pages[];
extern const struct page *const reset_pages[];
extern const struct page *const search_pages[];

/* rq.c: the runner */
int		 rq_run(struct http_request *, const struct page *);
void		 rq_param(struct rq *, const char *, size_t);
void		 rq_param_str(struct rq *, const char *);
void		 rq_param_own(struct rq *, char *);
void		 rq_param_null(struct rq *);
void		 rq_param_int(struct rq *, int64_t);
void		 rq_param_bin(struct rq *, const void *, size_t);
const char	*rq_field(struct rq *, const char *, size_t *);
const char	*rq_query(struct rq *, const char *);
int64_t		 rq_path_id(struct rq *, const char *);
int		 rq_use_stmt(struct rq *, const char *);
void		 rq_params_reset(struct rq *);
int		 rq_task_start(struct rq *, int (*)(void *), void *, size_t,
		    int);
int		 rq_task_done(struct rq *);
int		 rq_db_take(void);
void		 rq_db_give(void);

/* rq_task_start() flags: JOB_* */
#define RQ_TASK_BIG		JOB_BIG

/* jobs.c */
void		 jobs_worker_init(void);
int		 jobs_submit(struct job *);
int		 jobs_retry_after(void);
const char	*rq_text(struct rq *, const char *, int, size_t, size_t,
		    int);
int		 rq_has_errors(struct rq *);
void		 rq_field_problem(struct rq *, const char *, const char *,
		    size_t);
int		 rq_reply_invalid(struct rq *);
const char	*rq_client_ip(struct rq *, char *, size_t);
const char	*rq_user_agent(struct rq *);
int		 rq_extra_init(struct rq *, size_t, void (*)(void *));
/*
 * The page's own state in rq->extra: len zeroed bytes held inside the
 * request (len <= RQ_EXTRA_MAX, checked when compiled).  release, called
 * when the request ends, frees what the state points to, never the state
 * itself (a new name on purpose: code written for the older function,
 * which also allocated the state, fails to compile instead of freeing it
 * twice).
 */
#define RQ_EXTRA_MAX		2048
#define rq_state_new(rq, len, freefn)					\
	(sizeof(char[(len) <= RQ_EXTRA_MAX ? 1 : -1]) ?			\
	rq_extra_init((rq), (len), (freefn)) : 0)
json_t		*rq_page_doc(struct rq *);
json_t		*rq_stmt_doc(struct rq *);
int		 rq_viewer(struct rq *, json_t *);

/* db.c: statements, prepared once per pooled connection */
void		 db_load_statements(const char *);
int		 db_stmt_lookup(const char *);
const char	*db_stmt_name(int);
void		 db_startup_check(const char *, int);
int		 db_send_prepared(struct kore_pgsql *, struct http_request *,
		    int, int, const char *const *, const int *, const int *,
		    int, int);
int		 db_status_for_sqlstate(const char *, const char **);
void		 db_worker_init(void);

/* reply.c: every response leaves through here */
void		 reply_security_headers(struct http_request *);
void		 reply_send(struct rq *, int, const char *, const void *,
		    size_t);
void		 reply_json_text(struct rq *, int, const char *, size_t);
void		 reply_json(struct rq *, int, json_t *);
int		 reply_page(struct rq *, int, const char *, json_t *);
void		 reply_error(struct rq *, int, const char *, const char *);
void		 reply_internal(struct rq *, const char *);
void		 reply_redirect(struct rq *, const char *);
int		 reply_result(struct rq *, int, const char *);
int		 reply_result_at(struct rq *, int, const char *const *,
		    const char *);
void		 reply_field_error(struct rq *, const char *, const char *);
int		 reply_wants_json(struct http_request *);
void		 reply_raw_error(struct http_request *, int, const char *);
void		 reply_rate_limited(struct rq *, int);
void		 reply_created(struct rq *, const char *, size_t,
		    const char *);
void		 reply_form_choice(json_t *, const char *, const char *);

/* render.c: templates, catalogs and the site context */
void		 render_load(const char *, json_t *);
int		 render_template_exists(const char *);
int		 render_html(struct rq *, const char *, json_t *,
		    struct buf *);
const char	*render_text(const char *, const char *);
const char	*render_label(const char *, const char *, const char *);
int		 render_locale_index(const char *);

/* static.c: self-hosted assets with validators */
void		 static_load(const char *);
json_t		*static_urls(void);

/* metrics.c */
void		 metrics_init(void);
void		 metrics_record(struct http_request *, int, u_int64_t);
enum metrics_figure {
	METRIC_DB_ERRORS,
	METRIC_WS_OPEN,
	METRIC_READ_YIELDS,
	METRIC_JOBS_ORPHANED,
	METRIC_INTERNAL_ERRORS,
	METRIC_WORKER_STARTS,
	METRIC_JOBS_REFUSED,
	METRIC_WS_OVERFLOWS,
	METRIC_MAX
};
void		 metrics_add(enum metrics_figure, int);
void		 metrics_write(struct buf *);
u_int64_t	 metrics_now_us(void);

/*
 * conn.c.  A WebSocket whose send queue holds more than this (bytes and
 * Kore's bookkeeping per message) is not reading what it asks for: it
 * is closed (conn.c when it sends more, live.c when we would).
 */
#define CONN_WS_QUEUE_MAX	(256 * 1024)
size_t		 conn_queued(struct connection *, size_t);

/* guard.c */
int		 guard_origin_ok(struct http_request *);
void		 guard_session_hash(struct rq *);
void		 guard_negotiate_locale(struct rq *, const char *);
void		 guard_page_locale(struct rq *, json_t *);
void		 guard_remember_locale(struct rq *, const char *);
int		 guard_needs_session(struct rq *);
int		 guard_session_stmt(void);
int		 guard_check(struct rq *, struct guard_verdict *);
int		 guard_own_session(struct rq *);
int		 guard_check_viewer(struct rq *, json_t *,
		    struct guard_verdict *);
const char	*guard_pre_csrf(struct rq *);
void		 guard_set_session_cookie(struct rq *, const char *, int);
void		 guard_clear_session_cookie(struct rq *);

/* content.c: Markdown fields and search tokens, for every feature */
int		 content_markdown(struct rq *, const char *, int, char **,
		    char **);
char		*content_tokens(const char *);

/* keep.c: rendered pages and parts a worker keeps per key and language */
struct kept {
	char		*key;		/* path and query, or the page's
					   own name, malloc()ed */
	int		 locale;
	int64_t		 version;	/* what it was made at; -1: none */
	char		*html;		/* malloc()ed */
	char		*ids;		/* the page's own use, malloc()ed */
	json_t		*doc;		/* the page's own use */
};

struct kept	*kept_slot(struct kept *, size_t, struct rq *, int, int *);
struct kept	*kept_slot_key(struct kept *, size_t, const char *, int,
		    int *);
void		 kept_clear(struct kept *);

/* proxy.c: the client behind trusted proxies; who may read /metrics */
struct netaddr;
void		 proxy_configure(const char *, const char *);
int		 proxy_client_addr(struct http_request *, struct netaddr *);
int		 proxy_request_is_local(struct http_request *);
int		 proxy_metrics_token_ok(struct http_request *);

/* config (init.c) */
struct app_config {
	char		*database_url;
	char		*assets;
	char		*time_zone;
	int		 tls;
	char		*public_url;	/* "http(s)://host[:port]", no slash at
					   the end: absolute links (feeds) */
	int		 reminder_seconds;	/* oh_cal.c: how often each
						   worker looks for due
						   reminders */
};
extern struct app_config	app_config;

/* oh_cal.c: office hours reminders and iCalendar */
void		 oh_cal_worker_init(void);

/* oh.c: a "YYYY-MM-DD" that names a day that exists */
int		 oh_date_ok(const char *);

#endif

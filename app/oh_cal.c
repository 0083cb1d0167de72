/*
 * oh_cal.c: office hours in people's calendars, and the reminders
 * (docs/api.md#office-hours-in-calendars).
 *
 *	GET  /bookings/{id}.ics		one booking, for its maker, its
 *					mentor and staff (else 404)
 *	POST /settings/calendar		a secret feed URL, shown once; only
 *					its hash is stored, a new one
 *					replaces (revokes) the old
 *	POST /settings/calendar/delete	revoke it
 *	GET  /calendar/{token}.ics	the holder's bookings as maker and
 *					sessions as mentor
 *
 * The statements (assets/sql/oh_cal.sql) return the bookings as JSON;
 * the iCalendar text is written here by the pure writer app/ical.c, in
 * the reader's language (a feed in its owner's).  A booking's UID is
 * "booking-<id>@<host of MAKERSPACE_PUBLIC_URL>" and its SEQUENCE the
 * booking's own counter, which every change raises (0014 and 0015), so
 * calendar programs update the event instead of adding another.
 *
 * Reminders, 24 hours and 1 hour before: migration 0015 plans a row per
 * booking and kind (oh_reminders) and oh_reminders_send() claims the due
 * rows with FOR UPDATE SKIP LOCKED, writes the notifications and marks
 * the rows sent in one transaction.  Every worker of every node runs it
 * from a timer (MAKERSPACE_REMINDER_SECONDS, default 60): a row is
 * claimed by one of them, and a committed row is never claimed again,
 * so each reminder is sent exactly once however many run.  The timer
 * takes a place in the pool from rq.c (rq_db_take), never waits for one,
 * and runs one statement at a time.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "ical.h"
#include "jparse.h"
#include "password.h"
#include "text.h"

#define OH_CAL_TOKEN_CHARS	43	/* pw_new_secret(): base64url */

int	page_oh_cal_booking(struct http_request *);
int	page_oh_cal_feed(struct http_request *);
int	page_oh_cal_token(struct http_request *);
int	page_oh_cal_token_delete(struct http_request *);

struct oh_cal_state {
	char	token[PW_SECRET_LEN];
	char	hash[SHA256_HEX_BUF];
};

static int	oh_cal_booking_prepare(struct rq *);
static int	oh_cal_feed_prepare(struct rq *);
static int	oh_cal_ics_respond(struct rq *);
static int	oh_cal_token_prepare(struct rq *);
static int	oh_cal_token_respond(struct rq *);
static int	oh_cal_delete_prepare(struct rq *);
static int	oh_cal_delete_respond(struct rq *);
static void	oh_cal_state_free(void *);
static void	oh_cal_write(struct buf *, json_t *, const char *, int);
static void	oh_cal_event(struct buf *, json_t *, const char *);
static const char *oh_cal_str(json_t *, const char *);
static const char *oh_cal_host(void);

static void	oh_cal_tick_run(void *, u_int64_t);
static void	oh_cal_tick_send(void);
static void	oh_cal_tick_result(struct kore_pgsql *, void *);
static void	oh_cal_tick_finish(void);

static const struct page oh_cal_booking_page = {
	.name = "oh_cal_booking", .access = ACCESS_USER,
	.flags = PAGE_SUSPENDED_OK,
	.stmt = "oh_cal_booking",
	.prepare = oh_cal_booking_prepare, .respond = oh_cal_ics_respond,
};
/* The token is the credential: no session (calendar programs have none). */
static const struct page oh_cal_feed_page = {
	.name = "oh_cal_feed", .access = ACCESS_ANYONE,
	.stmt = "oh_cal_feed",
	.prepare = oh_cal_feed_prepare, .respond = oh_cal_ics_respond,
};
static const struct page oh_cal_token_post = {
	.name = "oh_cal_token", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.tmpl = "oh_cal_created", .stmt = "oh_cal_token_set",
	.prepare = oh_cal_token_prepare, .respond = oh_cal_token_respond,
};
static const struct page oh_cal_token_delete_post = {
	.name = "oh_cal_token_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK,
	.stmt = "oh_cal_token_delete",
	.prepare = oh_cal_delete_prepare, .respond = oh_cal_delete_respond,
};

const struct page *const oh_cal_pages[] = {
	&oh_cal_booking_page, &oh_cal_feed_page, &oh_cal_token_post,
	&oh_cal_token_delete_post, NULL
};

/* The timer's one statement at a time (one per worker). */
static struct {
	struct kore_pgsql	sql;
	int			stmt;		/* -1: no timer */
	int			active;
	int			failing;	/* logged once per outage */
} oh_cal_tick = { .stmt = -1 };

int
page_oh_cal_booking(struct http_request *req)
{
	return (rq_run(req, &oh_cal_booking_page));
}

int
page_oh_cal_feed(struct http_request *req)
{
	return (rq_run(req, &oh_cal_feed_page));
}

int
page_oh_cal_token(struct http_request *req)
{
	return (rq_run(req, &oh_cal_token_post));
}

int
page_oh_cal_token_delete(struct http_request *req)
{
	return (rq_run(req, &oh_cal_token_delete_post));
}

/* ------------------------------------------------------------------ */
/* iCalendar                                                           */

static int
oh_cal_booking_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	return (RQ_NEXT);
}

/* The route made the path "/calendar/<43 base64url>.ics". */
static int
oh_cal_feed_prepare(struct rq *rq)
{
	const char	*token;
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 hex[SHA256_HEX_BUF];

	token = rq->req->path + strlen("/calendar/");
	if (strlen(token) != OH_CAL_TOKEN_CHARS + 4) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	crypto_hash_sha256(h, (const unsigned char *)token,
	    OH_CAL_TOKEN_CHARS);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	rq_param_own(rq, strdup(hex));
	return (RQ_NEXT);
}

/*
 * {locale?, events: [...]} as text/calendar whatever the client accepts
 * (a feed in its owner's language, a booking in the reader's); no row:
 * 404 (not the reader's booking, or a wrong or revoked token).
 */
static int
oh_cal_ics_respond(struct rq *rq)
{
	struct buf	 out;
	json_t		*doc;
	const char	*locale;
	char		 cd[64];
	int		 feed;

	if (rq->res_null) {
		reply_error(rq, 404, "not_found", "errors.not_found");
		return (RQ_DONE);
	}
	if ((doc = jparse(rq->res, rq->res_len)) == NULL) {
		reply_internal(rq, "oh_cal_ics_respond: bad document");
		return (RQ_DONE);
	}
	feed = rq->page == &oh_cal_feed_page;
	locale = oh_cal_str(doc, "locale");
	if (!feed || locale[0] == '\0')
		locale = rq->locale;

	buf_init(&out);
	oh_cal_write(&out, doc, locale, feed);
	http_response_header(rq->req, "cache-control", "private, no-cache");
	if (!feed) {
		(void)snprintf(cd, sizeof(cd),
		    "attachment; filename=\"booking-%lld.ics\"",
		    (long long)rq_path_id(rq, "/bookings/"));
		http_response_header(rq->req, "content-disposition", cd);
	}
	reply_send(rq, 200, "text/calendar; charset=utf-8", out.data, out.len);
	buf_free(&out);
	json_decref(doc);
	return (RQ_DONE);
}

static void
oh_cal_write(struct buf *out, json_t *doc, const char *locale, int feed)
{
	struct ical_calendar	 cal;
	json_t			*ev;
	size_t			 i;

	memset(&cal, 0, sizeof(cal));
	cal.prodid = "-//Makerspace//Office hours//EN";
	cal.method = "PUBLISH";
	cal.name = render_text(locale, "oh_cal.calendar_name");
	cal.refresh_minutes = feed ? 60 : 0;
	ical_begin(out, &cal);
	json_array_foreach(json_object_get(doc, "events"), i, ev)
		oh_cal_event(out, ev, locale);
	ical_end(out);
}

/*
 * One booking as a VEVENT, seen by its maker ("role": "maker": the
 * mentor's name in the summary) or its mentor (the maker's).  An event
 * the writer refuses (it never should: the times come from the
 * database) is left out and logged.
 */
static void
oh_cal_event(struct buf *out, json_t *b, const char *locale)
{
	struct ical_event	 ev;
	struct buf		 uid, summary, desc, url;
	const char		*role, *status, *tmpl, *place, *online;
	const char		*question;
	json_int_t		 id;

	id = json_integer_value(json_object_get(b, "id"));
	role = oh_cal_str(b, "role");
	status = oh_cal_str(b, "status");
	place = oh_cal_str(b, "place");
	online = oh_cal_str(b, "online_url");
	question = oh_cal_str(b, "question");
	if (question[0] == '\0')
		question = oh_cal_str(b, "topic_title");

	buf_init(&uid);
	buf_init(&summary);
	buf_init(&desc);
	buf_init(&url);
	buf_appendf(&uid, "booking-%lld@%s", (long long)id, oh_cal_host());
	buf_appendf(&url, "%s/bookings/%lld", app_config.public_url,
	    (long long)id);
	tmpl = render_text(locale, strcmp(role, "mentor") == 0 ?
	    "oh_cal.summary_mentor" : "oh_cal.summary_maker");
	text_subst(&summary, tmpl != NULL ? tmpl : "{name}", "name",
	    oh_cal_str(b, strcmp(role, "mentor") == 0 ? "maker" : "mentor"));
	buf_appends(&desc, question);
	if (online[0] != '\0' && place[0] != '\0')
		buf_appendf(&desc, "\n\n%s", online);
	buf_appendf(&desc, "\n\n%s", url.data);

	memset(&ev, 0, sizeof(ev));
	ev.uid = uid.data;
	ev.sequence = json_integer_value(json_object_get(b, "sequence"));
	if (strcmp(status, "cancelled") == 0 ||
	    json_is_true(json_object_get(b, "slot_cancelled")))
		ev.status = "CANCELLED";
	else if (strcmp(status, "waitlisted") == 0)
		ev.status = "TENTATIVE";
	else
		ev.status = "CONFIRMED";
	ev.stamp = oh_cal_str(b, "stamp");
	ev.starts_at = oh_cal_str(b, "starts_at");
	ev.ends_at = oh_cal_str(b, "ends_at");
	ev.created = oh_cal_str(b, "created_at");
	ev.modified = oh_cal_str(b, "updated_at");
	ev.summary = summary.data;
	ev.description = desc.data;
	ev.location = place[0] != '\0' ? place : online;
	ev.url = url.data;
	if (!ical_event(out, &ev))
		kore_log(LOG_ERR, "oh_cal_event: booking %lld left out",
		    (long long)id);
	buf_free(&uid);
	buf_free(&summary);
	buf_free(&desc);
	buf_free(&url);
}

/* A string member, "" when missing or not a string (borrowed). */
static const char *
oh_cal_str(json_t *o, const char *key)
{
	const char	*s;

	s = json_string_value(json_object_get(o, key));
	return (s != NULL ? s : "");
}

/* The host (and port) of MAKERSPACE_PUBLIC_URL: the UIDs' right side. */
static const char *
oh_cal_host(void)
{
	const char	*p;

	if ((p = strstr(app_config.public_url, "://")) != NULL)
		return (p + 3);
	return (app_config.public_url);
}

/* ------------------------------------------------------------------ */
/* The feed's secret                                                   */

static void
oh_cal_state_free(void *p)
{
	struct oh_cal_state	*st = p;

	sodium_memzero(st->token, sizeof(st->token));
}

static int
oh_cal_token_prepare(struct rq *rq)
{
	struct oh_cal_state	*st;

	if (!rq_state_new(rq, sizeof(*st), oh_cal_state_free)) {
		reply_internal(rq, "oh_cal_token_prepare: state");
		return (RQ_DONE);
	}
	st = rq->extra;
	pw_new_secret(st->token, sizeof(st->token), st->hash);
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, st->hash);
	return (RQ_NEXT);
}

/* 201 {calendar: {url, created_at}}: the URL is shown this once. */
static int
oh_cal_token_respond(struct rq *rq)
{
	struct oh_cal_state	*st = rq->extra;
	struct buf		 url, webcal;
	json_t			*doc, *cal;
	const char		*host;

	if ((doc = jparse(rq->res, rq->res_len)) == NULL ||
	    !json_is_object(cal = json_object_get(doc, "calendar"))) {
		json_decref(doc);
		reply_internal(rq, "oh_cal_token_respond: bad document");
		return (RQ_DONE);
	}
	buf_init(&url);
	buf_init(&webcal);
	buf_appendf(&url, "%s/calendar/%s.ics", app_config.public_url,
	    st->token);
	host = oh_cal_host();
	buf_appendf(&webcal, "webcal://%s/calendar/%s.ics", host, st->token);
	json_object_set_new(cal, "url", json_string(url.data));
	json_object_set_new(cal, "webcal_url", json_string(webcal.data));
	http_response_header(rq->req, "cache-control", "no-store");
	if (rq->json)
		reply_json(rq, 201, doc);
	else
		(void)reply_page(rq, 201, "oh_cal_created", doc);
	buf_free(&url);
	buf_free(&webcal);
	json_decref(doc);
	return (RQ_DONE);
}

static int
oh_cal_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	return (RQ_NEXT);
}

/* {ok, revoked}; browsers go back to the settings. */
static int
oh_cal_delete_respond(struct rq *rq)
{
	return (reply_result(rq, 200, "/settings#calendar"));
}

/* ------------------------------------------------------------------ */
/* Reminders                                                           */

/* Each worker, once: the timer that sends due reminders. */
void
oh_cal_worker_init(void)
{
	if ((oh_cal_tick.stmt = db_stmt_lookup("oh_cal_reminders_send")) ==
	    -1) {
		kore_log(LOG_ERR, "oh_cal: no statement oh_cal_reminders_send: "
		    "no reminders from this worker");
		return;
	}
	(void)kore_timer_add(oh_cal_tick_run,
	    (u_int64_t)app_config.reminder_seconds * 1000, NULL, 0);
}

/*
 * The previous run still going, or no free place in the pool: next
 * time.  A connection that died under the statement is dropped by Kore
 * without a call back (pgsql_conn_cleanup only wakes requests): it is
 * noticed here, by its state, and the place given back.
 */
static void
oh_cal_tick_run(void *arg, u_int64_t now)
{
	if (oh_cal_tick.active && oh_cal_tick.sql.conn == NULL &&
	    oh_cal_tick.sql.state == KORE_PGSQL_STATE_ERROR) {
		if (!oh_cal_tick.failing)
			kore_log(LOG_NOTICE, "oh_cal: reminders: %s",
			    oh_cal_tick.sql.error ? oh_cal_tick.sql.error :
			    "connection lost");
		oh_cal_tick.failing = 1;
		oh_cal_tick_finish();
	}
	if (oh_cal_tick.active || !rq_db_take())
		return;
	oh_cal_tick.active = 1;
	kore_pgsql_init(&oh_cal_tick.sql);
	kore_pgsql_bind_callback(&oh_cal_tick.sql, oh_cal_tick_result, NULL);
	oh_cal_tick_send();
}

static void
oh_cal_tick_send(void)
{
	struct kore_pgsql	*sql = &oh_cal_tick.sql;

	if (!kore_pgsql_setup(sql, APP_DB, KORE_PGSQL_ASYNC)) {
		/* Still INIT: queued by Kore, which calls back. */
		if (sql->state == KORE_PGSQL_STATE_INIT)
			return;
		if (!oh_cal_tick.failing)
			kore_log(LOG_NOTICE, "oh_cal: reminders: %s",
			    sql->error ? sql->error : "no connection");
		oh_cal_tick.failing = 1;
		oh_cal_tick_finish();
		return;
	}
	if (!db_send_prepared(sql, NULL, oh_cal_tick.stmt, 0, NULL, NULL,
	    NULL, 0, 1)) {
		kore_log(LOG_NOTICE, "oh_cal: reminders: %s",
		    sql->error ? sql->error : "send");
		oh_cal_tick_finish();
	}
}

/*
 * Kore calls this on every change of the statement's state, also from
 * inside kore_pgsql_continue() and kore_pgsql_cleanup(): once finished,
 * the calls that follow are ignored.
 */
static void
oh_cal_tick_result(struct kore_pgsql *sql, void *arg)
{
	const char	*v;

	if (!oh_cal_tick.active)
		return;
	switch (sql->state) {
	case KORE_PGSQL_STATE_INIT:
		oh_cal_tick_send();		/* Kore had a connection */
		return;
	case KORE_PGSQL_STATE_WAIT:
		return;
	case KORE_PGSQL_STATE_COMPLETE:
		oh_cal_tick_finish();
		return;
	case KORE_PGSQL_STATE_RESULT:
		oh_cal_tick.failing = 0;
		if (kore_pgsql_ntuples(sql) == 1 &&
		    (v = kore_pgsql_getvalue(sql, 0, 0)) != NULL &&
		    strcmp(v, "0") != 0)
			kore_log(LOG_NOTICE, "oh_cal: %s reminders sent", v);
		break;
	case KORE_PGSQL_STATE_ERROR:
		if (!oh_cal_tick.failing)
			kore_log(LOG_NOTICE, "oh_cal: reminders: %s",
			    sql->error ? sql->error : "error");
		oh_cal_tick.failing = 1;
		if (sql->conn == NULL) {
			oh_cal_tick_finish();
			return;
		}
		break;
	default:
		break;
	}
	kore_pgsql_continue(sql);
}

static void
oh_cal_tick_finish(void)
{
	oh_cal_tick.active = 0;
	kore_pgsql_cleanup(&oh_cal_tick.sql);
	rq_db_give();
}

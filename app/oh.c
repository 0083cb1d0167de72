/*
 * oh.c: mentor office hours (docs/api.md#mentor-office-hours): mentor
 * profiles and the directory, weekly rules and one-off slots, booking
 * with a question, the waitlist, cancelling, attendance, notes and
 * sharing them as a solved help topic, "my bookings" and the staff list
 * of booking suspensions.
 *
 * C checks the shape of what is sent (numbers in range, dates that
 * exist, https links), renders Markdown and makes search tokens; every
 * rule that depends on the data (overlaps, capacity and the seat, the
 * waitlist, the weekly limit, notice, window and cutoff by the
 * database's clock, no-show suspensions, notifications) is a function
 * of migrations/0014_office_hours.sql.  The directory of slots and a
 * mentor's page, read by everyone, are app/oh_read.c.  Its refusals carry the API's
 * code in the catalog key 'oh.err.<code>' and what the message names
 * in a JSON DETAIL (oh_refused).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "jparse.h"
#include "text.h"

#define OH_TAGS_MAX		10
#define OH_TAG_MAX		24
#define OH_BIO_MAX		8000
#define OH_PLACE_MAX		120
#define OH_URL_MAX		500
#define OH_QUESTION_MIN		10
#define OH_QUESTION_MAX		4000
#define OH_NOTES_MAX		8000
#define OH_MESSAGE_MAX		1000
#define OH_TITLE_MAX		80
#define OH_ERR_PREFIX		"oh.err."

int	page_oh_mentors(struct http_request *);
int	page_oh_mentor_me(struct http_request *);
int	page_oh_rules(struct http_request *);
int	page_oh_rule_delete(struct http_request *);
int	page_oh_slots(struct http_request *);
int	page_oh_slot(struct http_request *);
int	page_oh_book(struct http_request *);
int	page_oh_booking(struct http_request *);
int	page_oh_cancel(struct http_request *);
int	page_oh_attendance(struct http_request *);
int	page_oh_notes(struct http_request *);
int	page_oh_share(struct http_request *);
int	page_oh_my_bookings(struct http_request *);
int	page_oh_suspensions(struct http_request *);

/* Markdown being saved: its HTML, kept until the request ends. */
struct oh_text {
	char	*html;
	char	*title;
};

static void	oh_session_param(struct rq *);
static int	oh_hash_prepare(struct rq *);
static int	oh_mentors_prepare(struct rq *);
static int	oh_slot_prepare(struct rq *);
static int	oh_booking_prepare(struct rq *);
static int	oh_profile_prepare(struct rq *);
static int	oh_rule_prepare(struct rq *);
static int	oh_rule_delete_prepare(struct rq *);
static int	oh_slot_create_prepare(struct rq *);
static int	oh_book_prepare(struct rq *);
static int	oh_cancel_prepare(struct rq *);
static int	oh_attendance_prepare(struct rq *);
static int	oh_notes_prepare(struct rq *);
static int	oh_share_prepare(struct rq *);
static int	oh_write_respond(struct rq *);
static int	oh_refused(struct rq *);
static void	oh_refusal_message(struct rq *, const char *, json_t *);
static int	oh_int(struct rq *, const char *, int, int, int, int *);
static int	oh_time_ok(const char *);
static const char *oh_date(struct rq *, const char *);
static const char *oh_time(struct rq *, const char *);
static const char *oh_starts_at(struct rq *, const char *);
static const char *oh_place(struct rq *);
static const char *oh_url(struct rq *);
static char	*oh_tags(struct rq *);
static int	oh_markdown(struct rq *, const char *, size_t, size_t,
		    int, struct oh_text **);
static char	*oh_title(const char *);
static void	oh_text_free(void *);
static int	oh_has_ci(const char *, const char *);
static int	oh_digits(const char *, size_t);
static int	oh_all_digits(const char *, size_t);

static const struct page oh_mentors_page = {
	.name = "oh_mentors", .access = ACCESS_ANYONE, .stmt = "oh_mentors",
	.tmpl = "oh_mentors", .prepare = oh_mentors_prepare,
};
static const struct page oh_profile_page = {
	.name = "oh_profile_form", .access = ACCESS_USER,
	.stmt = "oh_profile_form", .tmpl = "oh_profile",
	.prepare = oh_hash_prepare,
};
static const struct page oh_profile_post = {
	.name = "oh_profile_save", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_profile_save",
	.tmpl = "oh_profile", .prepare = oh_profile_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_rule_post = {
	.name = "oh_rule_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_rule_create",
	.tmpl = "oh_profile", .prepare = oh_rule_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_rule_delete_post = {
	.name = "oh_rule_delete", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_OWN_ERRORS,
	.stmt = "oh_rule_delete", .prepare = oh_rule_delete_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_slot_post = {
	.name = "oh_slot_create", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_slot_create",
	.tmpl = "oh_profile", .prepare = oh_slot_create_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_slot_page = {
	.name = "oh_slot", .access = ACCESS_ANYONE, .stmt = "oh_slot_page",
	.tmpl = "oh_slot", .prepare = oh_slot_prepare,
};
static const struct page oh_book_post = {
	.name = "oh_book", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_book",
	.tmpl = "oh_book", .prepare = oh_book_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_booking_page = {
	.name = "oh_booking", .access = ACCESS_USER,
	.stmt = "oh_booking_page", .tmpl = "oh_booking",
	.prepare = oh_booking_prepare,
};
static const struct page oh_cancel_post = {
	.name = "oh_cancel", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_OWN_ERRORS,
	.stmt = "oh_cancel", .tmpl = "oh_action", .prepare = oh_cancel_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_attendance_post = {
	.name = "oh_attendance", .access = ACCESS_USER,
	.flags = PAGE_WRITE | PAGE_NO_CONTENT | PAGE_OWN_ERRORS,
	.stmt = "oh_attendance", .tmpl = "oh_action",
	.prepare = oh_attendance_prepare, .respond = oh_write_respond,
};
static const struct page oh_notes_post = {
	.name = "oh_notes", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_notes",
	.tmpl = "oh_action", .prepare = oh_notes_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_share_post = {
	.name = "oh_share", .access = ACCESS_VERIFIED,
	.flags = PAGE_WRITE | PAGE_OWN_ERRORS, .stmt = "oh_share",
	.tmpl = "oh_action", .prepare = oh_share_prepare,
	.respond = oh_write_respond,
};
static const struct page oh_my_page = {
	.name = "oh_my_bookings", .access = ACCESS_USER,
	.stmt = "oh_my_bookings", .tmpl = "oh_my",
	.prepare = oh_hash_prepare,
};
static const struct page oh_suspensions_page = {
	.name = "oh_suspensions", .access = ACCESS_STAFF,
	.stmt = "oh_suspensions", .tmpl = "oh_suspensions",
	.prepare = oh_hash_prepare,
};

/* Every page of the feature (app.h). */
const struct page *const oh_pages[] = {
	&oh_mentors_page, &oh_profile_page, &oh_profile_post,
	&oh_rule_post, &oh_rule_delete_post,
	&oh_slot_post, &oh_slot_page, &oh_book_post, &oh_booking_page,
	&oh_cancel_post, &oh_attendance_post, &oh_notes_post, &oh_share_post,
	&oh_my_page, &oh_suspensions_page, NULL
};

int
page_oh_mentors(struct http_request *req)
{
	return (rq_run(req, &oh_mentors_page));
}

int
page_oh_mentor_me(struct http_request *req)
{
	return (rq_run(req, req->method == HTTP_METHOD_POST ?
	    &oh_profile_post : &oh_profile_page));
}

int
page_oh_rules(struct http_request *req)
{
	return (rq_run(req, &oh_rule_post));
}

int
page_oh_rule_delete(struct http_request *req)
{
	return (rq_run(req, &oh_rule_delete_post));
}

int
page_oh_slots(struct http_request *req)
{
	return (rq_run(req, &oh_slot_post));
}

int
page_oh_slot(struct http_request *req)
{
	return (rq_run(req, &oh_slot_page));
}

int
page_oh_book(struct http_request *req)
{
	return (rq_run(req, &oh_book_post));
}

int
page_oh_booking(struct http_request *req)
{
	return (rq_run(req, &oh_booking_page));
}

int
page_oh_cancel(struct http_request *req)
{
	return (rq_run(req, &oh_cancel_post));
}

int
page_oh_attendance(struct http_request *req)
{
	return (rq_run(req, &oh_attendance_post));
}

int
page_oh_notes(struct http_request *req)
{
	return (rq_run(req, &oh_notes_post));
}

int
page_oh_share(struct http_request *req)
{
	return (rq_run(req, &oh_share_post));
}

int
page_oh_my_bookings(struct http_request *req)
{
	return (rq_run(req, &oh_my_page));
}

int
page_oh_suspensions(struct http_request *req)
{
	return (rq_run(req, &oh_suspensions_page));
}

/* ------------------------------------------------------------------ */
/* Reads.                                                              */

static void
oh_session_param(struct rq *rq)
{
	rq_param_str(rq, rq->session_hash[0] ? rq->session_hash : NULL);
}

static int
oh_hash_prepare(struct rq *rq)
{
	oh_session_param(rq);
	return (RQ_NEXT);
}

/* ?tag=: one expertise tag; anything longer matches nobody. */
static int
oh_mentors_prepare(struct rq *rq)
{
	const char	*tag;

	oh_session_param(rq);
	tag = rq_query(rq, "tag");
	rq_param_str(rq, tag != NULL && *tag != '\0' ? tag : NULL);
	return (RQ_NEXT);
}

static int
oh_slot_prepare(struct rq *rq)
{
	oh_session_param(rq);
	rq_param_int(rq, rq_path_id(rq, "/office-hours/slots/"));
	return (RQ_NEXT);
}

static int
oh_booking_prepare(struct rq *rq)
{
	oh_session_param(rq);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	return (RQ_NEXT);
}

/* ------------------------------------------------------------------ */
/* Writes.                                                             */

/*
 * POST /mentors/me: expertise (tags), bio, place, notice_hours,
 * window_days, cancel_hours.
 */
static int
oh_profile_prepare(struct rq *rq)
{
	struct oh_text	*bio;
	const char	*place;
	char		*tags;
	int		 notice, window, cancel;

	tags = oh_tags(rq);
	(void)oh_markdown(rq, "bio", 0, OH_BIO_MAX, 0, &bio);
	place = oh_place(rq);
	(void)oh_int(rq, "notice_hours", 0, 168, 12, &notice);
	(void)oh_int(rq, "window_days", 1, 90, 28, &window);
	(void)oh_int(rq, "cancel_hours", 0, 168, 24, &cancel);
	if (rq_has_errors(rq) || tags == NULL) {
		free(tags);
		return (rq_reply_invalid(rq));
	}
	rq_param_int(rq, rq->me.id);
	rq_param_own(rq, tags);
	rq_param_str(rq, rq_field(rq, "bio", NULL) ? rq_field(rq, "bio",
	    NULL) : "");
	rq_param_str(rq, bio->html ? bio->html : "");
	rq_param_str(rq, place ? place : "");
	rq_param_int(rq, notice);
	rq_param_int(rq, window);
	rq_param_int(rq, cancel);
	return (RQ_NEXT);
}

/*
 * POST /office-hours/rules: weekday, start, end, slot_minutes,
 * buffer_minutes, capacity, place, online_url, from, until.
 */
static int
oh_rule_prepare(struct rq *rq)
{
	const char	*start, *end, *place, *url, *from, *until;
	int		 weekday, slot, buffer, cap;

	if (!oh_int(rq, "weekday", 1, 7, -1, &weekday))
		weekday = 0;
	start = oh_time(rq, "start");
	end = oh_time(rq, "end");
	(void)oh_int(rq, "slot_minutes", 10, 300, -1, &slot);
	(void)oh_int(rq, "buffer_minutes", 0, 120, 0, &buffer);
	(void)oh_int(rq, "capacity", 1, 50, 1, &cap);
	place = oh_place(rq);
	url = oh_url(rq);
	from = oh_date(rq, "from");
	until = oh_date(rq, "until");
	if (start != NULL && end != NULL && strcmp(end, start) <= 0)
		reply_field_error(rq, "end", "oh.err.end_before_start");
	if (from != NULL && until != NULL && strcmp(until, from) < 0)
		reply_field_error(rq, "until", "oh.err.until_before_from");
	if (!rq_has_errors(rq) && start != NULL && end != NULL) {
		/* One slot must fit between start and end. */
		if ((atoi(end) * 60 + atoi(end + 3)) - (atoi(start) * 60 +
		    atoi(start + 3)) < slot)
			reply_field_error(rq, "slot_minutes",
			    "oh.err.slot_too_long");
	}
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, weekday);
	rq_param_str(rq, start);
	rq_param_str(rq, end);
	rq_param_int(rq, slot);
	rq_param_int(rq, buffer);
	rq_param_int(rq, cap);
	rq_param_str(rq, place);
	rq_param_str(rq, url);
	rq_param_str(rq, from);
	rq_param_str(rq, until);
	return (RQ_NEXT);
}

static int
oh_rule_delete_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/office-hours/rules/"));
	return (RQ_NEXT);
}

/* POST /office-hours/slots: starts_at, minutes, capacity, place, url. */
static int
oh_slot_create_prepare(struct rq *rq)
{
	const char	*start, *place, *url;
	int		 minutes, cap;

	start = oh_starts_at(rq, "starts_at");
	(void)oh_int(rq, "minutes", 10, 300, -1, &minutes);
	(void)oh_int(rq, "capacity", 1, 50, 1, &cap);
	place = oh_place(rq);
	url = oh_url(rq);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_str(rq, start);
	rq_param_int(rq, minutes);
	rq_param_int(rq, cap);
	rq_param_str(rq, place);
	rq_param_str(rq, url);
	return (RQ_NEXT);
}

/*
 * POST /office-hours/slots/{id}/book: question (Markdown, 10-4000) or
 * topic_id (a board topic).
 */
static int
oh_book_prepare(struct rq *rq)
{
	struct oh_text	*q;
	const char	*topic, *question;
	int		 has_q;

	topic = rq_text(rq, "topic_id", 0, 0, 18, 0);
	question = rq_field(rq, "question", NULL);
	has_q = question != NULL && !(topic != NULL && *topic != '\0' &&
	    *question == '\0');
	if (topic != NULL && *topic != '\0' && !oh_all_digits(topic, 18))
		reply_field_error(rq, "topic_id", "oh.err.bad_topic");
	if (!has_q && (topic == NULL || *topic == '\0'))
		reply_field_error(rq, "question", "oh.err.question_required");
	q = NULL;
	if (has_q)
		(void)oh_markdown(rq, "question", OH_QUESTION_MIN,
		    OH_QUESTION_MAX, 1, &q);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/office-hours/slots/"));
	if (q != NULL) {
		rq_param_str(rq, question);
		rq_param_str(rq, q->html);
		rq_param_own(rq, content_tokens(question));
		rq_param_str(rq, q->title);
		rq_param_own(rq, content_tokens(q->title));
	} else {
		rq_param_null(rq);
		rq_param_null(rq);
		rq_param_null(rq);
		rq_param_null(rq);
		rq_param_null(rq);
	}
	rq_param_str(rq, topic != NULL && *topic != '\0' ? topic : NULL);
	return (RQ_NEXT);
}

/* POST /bookings/{id}/cancel: message (required of the mentor/staff). */
static int
oh_cancel_prepare(struct rq *rq)
{
	const char	*msg;

	msg = rq_text(rq, "message", 0, 0, OH_MESSAGE_MAX, 1);
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	rq_param_str(rq, msg != NULL && *msg != '\0' ? msg : NULL);
	return (RQ_NEXT);
}

/* POST /bookings/{id}/attendance: attendance (attended, no_show). */
static int
oh_attendance_prepare(struct rq *rq)
{
	const char	*a;

	a = rq_text(rq, "attendance", 1, 1, 16, 0);
	if (a != NULL && strcmp(a, "attended") && strcmp(a, "no_show"))
		reply_field_error(rq, "attendance", "oh.err.bad_attendance");
	if (rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	rq_param_str(rq, a);
	return (RQ_NEXT);
}

/* POST /bookings/{id}/notes: notes (Markdown). */
static int
oh_notes_prepare(struct rq *rq)
{
	struct oh_text	*n;

	if (!oh_markdown(rq, "notes", 1, OH_NOTES_MAX, 1, &n) ||
	    rq_has_errors(rq))
		return (rq_reply_invalid(rq));
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	rq_param_str(rq, rq_field(rq, "notes", NULL));
	rq_param_str(rq, n->html);
	rq_param_own(rq, content_tokens(rq_field(rq, "notes", NULL)));
	return (RQ_NEXT);
}

static int
oh_share_prepare(struct rq *rq)
{
	rq_param_int(rq, rq->me.id);
	rq_param_int(rq, rq_path_id(rq, "/bookings/"));
	return (RQ_NEXT);
}

/*
 * Every write: a refusal in the API's words, else 201 for what was
 * created (programs) and 200 with the changed thing; browsers go to the
 * thing's page (the mentor's own page for their availability).
 */
static int
oh_write_respond(struct rq *rq)
{
	static const char *const	 things[] = { "booking", "topic",
					    NULL };
	static const char *const	 none[] = { NULL };
	const char			*name;
	int				 created;

	if (rq->sqlstate[0] != '\0')
		return (oh_refused(rq));
	name = rq->page->name;
	created = !strcmp(name, "oh_book") || !strcmp(name, "oh_share") ||
	    !strcmp(name, "oh_rule_create") || !strcmp(name, "oh_slot_create");
	return (reply_result_at(rq, created ? 201 : 200,
	    strcmp(name, "oh_slot_create") ? things : none, "/mentors/me"));
}

/*
 * A failed statement.  The functions of migrations/0014 raise MS<status>
 * with 'oh.err.<code>' and a JSON DETAIL: "field" names the field, the
 * other members fill the message's {names} and are added to the error
 * (e.g. "until" of booking_suspended).  Anything else as rq.c would.
 */
static int
oh_refused(struct rq *rq)
{
	const char	*code, *key, *field;
	json_t		*detail, *v;
	const char	*k;
	char		 fallback[64];
	int		 status;

	status = db_status_for_sqlstate(rq->sqlstate, &code);
	if (status >= 500) {
		metrics_add(METRIC_DB_ERRORS, 1);
		kore_log(LOG_ERR, "%s: statement failed: %s %s",
		    rq->page->name, rq->sqlstate, rq->sqlerr ? rq->sqlerr : "");
		reply_error(rq, status, code, "errors.internal");
		return (RQ_DONE);
	}
	if (rq->sqlstate[0] == 'M' && rq->sqlerr != NULL &&
	    !strncmp(rq->sqlerr, OH_ERR_PREFIX, strlen(OH_ERR_PREFIX))) {
		key = rq->sqlerr;
		code = key + strlen(OH_ERR_PREFIX);
		detail = rq->sqlfield != NULL ? json_loads(rq->sqlfield, 0,
		    NULL) : NULL;
		field = json_string_value(json_object_get(detail, "field"));
		if (rq->error_extra == NULL)
			rq->error_extra = json_object();
		json_object_foreach(detail, k, v) {
			if (strcmp(k, "field"))
				json_object_set(rq->error_extra, k, v);
		}
		oh_refusal_message(rq, key, detail);
		if (field != NULL)
			reply_field_error(rq, field, json_string_value(
			    json_object_get(rq->error_extra, "message")));
		json_decref(detail);
		reply_error(rq, status, code, key);
		return (RQ_DONE);
	}
	/* The board's refusals (a share) and constraints, as rq.c does. */
	key = NULL;
	if (rq->sqlstate[0] == 'M' && rq->sqlerr != NULL &&
	    render_text(rq->locale, rq->sqlerr) != NULL)
		key = rq->sqlerr;
	if (key == NULL) {
		(void)snprintf(fallback, sizeof(fallback), "errors.%s", code);
		key = fallback;
	}
	if (status == 429) {
		reply_rate_limited(rq, rq->sqlfield ? atoi(rq->sqlfield) : 60);
		return (RQ_DONE);
	}
	if (rq->sqlstate[0] == 'M' && rq->sqlfield != NULL &&
	    (status == 422 || status == 409))
		reply_field_error(rq, rq->sqlfield, key);
	reply_error(rq, status, code, key);
	return (RQ_DONE);
}

/* The message of key with {name} filled from detail, into error_extra. */
static void
oh_refusal_message(struct rq *rq, const char *key, json_t *detail)
{
	struct buf	 b;
	const char	*tmpl, *k;
	char		*cur, num[32];
	json_t		*v;

	if ((tmpl = render_text(rq->locale, key)) == NULL)
		tmpl = render_text(rq->locale, "errors.invalid");
	if ((cur = strdup(tmpl != NULL ? tmpl : "")) == NULL)
		return;
	json_object_foreach(detail, k, v) {
		if (json_is_integer(v)) {
			(void)snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
		} else if (json_is_string(v)) {
			(void)snprintf(num, sizeof(num), "%s",
			    json_string_value(v));
		} else {
			continue;
		}
		buf_init(&b);
		text_subst(&b, cur, k, num);
		free(cur);
		cur = buf_release(&b, NULL);
	}
	json_object_set_new(rq->error_extra, "message", json_string(cur));
	free(cur);
}

/* ------------------------------------------------------------------ */
/* Fields.                                                             */

/*
 * An integer field within [min, max]; dflt when absent (-1: required).
 * 0 with a field error when it is not.
 */
static int
oh_int(struct rq *rq, const char *name, int min, int max, int dflt, int *out)
{
	const char	*v;
	long		 n;

	*out = dflt;
	if ((v = rq_text(rq, name, dflt == -1, 0, 12, 0)) == NULL)
		return (dflt != -1);
	if (*v == '\0')
		return (dflt != -1);
	if (!oh_all_digits(v, 6)) {
		reply_field_error(rq, name, "oh.err.bad_number");
		return (0);
	}
	n = strtol(v, NULL, 10);
	if (n < min || n > max) {
		reply_field_error(rq, name, "oh.err.out_of_range");
		return (0);
	}
	*out = (int)n;
	return (1);
}

/* "YYYY-MM-DD" naming a day that exists (app.h: oh_read.c too). */
int
oh_date_ok(const char *s)
{
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			 y, m, d, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !oh_digits(s, 4) || !oh_digits(s + 5, 2) || !oh_digits(s + 8, 2))
		return (0);
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1)
		return (0);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return (d <= mdays[m - 1] + (m == 2 && leap));
}

/* "HH:MM", 00:00-23:59. */
static int
oh_time_ok(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || !oh_digits(s, 2) ||
	    !oh_digits(s + 3, 2))
		return (0);
	return (atoi(s) <= 23 && atoi(s + 3) <= 59);
}

/* An optional date field; NULL when absent or empty (or wrong: noted). */
static const char *
oh_date(struct rq *rq, const char *name)
{
	const char	*v;

	if ((v = rq_text(rq, name, 0, 0, 10, 0)) == NULL || *v == '\0')
		return (NULL);
	if (!oh_date_ok(v)) {
		reply_field_error(rq, name, "oh.err.bad_date");
		return (NULL);
	}
	return (v);
}

static const char *
oh_time(struct rq *rq, const char *name)
{
	const char	*v;

	if ((v = rq_text(rq, name, 1, 1, 5, 0)) == NULL)
		return (NULL);
	if (!oh_time_ok(v)) {
		reply_field_error(rq, name, "oh.err.bad_time");
		return (NULL);
	}
	return (v);
}

/*
 * "YYYY-MM-DDTHH:MM" (local, site zone; a space for the T, ":SS" with
 * an optional fraction of up to 9 digits, and an offset "Z" or "+HH:MM"
 * may follow: RFC 3339 as JavaScript's toISOString() writes it).  The
 * day must exist.
 */
static const char *
oh_starts_at(struct rq *rq, const char *name)
{
	const char	*v, *p;
	char		 day[11], hm[6];
	size_t		 len;

	if ((v = rq_text(rq, name, 1, 1, 32, 0)) == NULL)
		return (NULL);
	len = strlen(v);
	if (len < 16 || (v[10] != 'T' && v[10] != 't' && v[10] != ' '))
		goto bad;
	memcpy(day, v, 10);
	day[10] = '\0';
	memcpy(hm, v + 11, 5);
	hm[5] = '\0';
	if (!oh_date_ok(day) || !oh_time_ok(hm))
		goto bad;
	p = v + 16;
	if (p[0] == ':' && oh_digits(p + 1, 2) && p[1] <= '5') {
		p += 3;
		if (*p == '.' && oh_digits(p + 1, 1)) {
			for (len = 1; len <= 9 && oh_digits(p + len, 1); len++)
				;
			if (len > 9 && oh_digits(p + len, 1))
				goto bad;
			p += len;
		}
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return (v);
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    oh_digits(p + 1, 2) && oh_digits(p + 4, 2))
		return (v);
	if (*p == '\0')
		return (v);
bad:
	reply_field_error(rq, name, "oh.err.bad_datetime");
	return (NULL);
}

/* place: optional plain text, at most 120 characters. */
static const char *
oh_place(struct rq *rq)
{
	const char	*v;

	v = rq_text(rq, "place", 0, 0, OH_PLACE_MAX, 0);
	if (v != NULL && oh_has_ci(v, "javascript:")) {
		reply_field_error(rq, "place", "oh.err.bad_place");
		return (NULL);
	}
	return (v != NULL && *v != '\0' ? v : NULL);
}

/* online_url: optional, https:// with a host, no spaces or quotes. */
static const char *
oh_url(struct rq *rq)
{
	const char	*v;
	size_t		 i;

	v = rq_text(rq, "online_url", 0, 0, OH_URL_MAX, 0);
	if (v == NULL || *v == '\0')
		return (NULL);
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/' ||
	    oh_has_ci(v, "javascript:"))
		goto bad;
	for (i = 0; v[i] != '\0'; i++) {
		if ((unsigned char)v[i] <= ' ' || v[i] == '"' || v[i] == '<' ||
		    v[i] == '>' || v[i] == '\\' || (unsigned char)v[i] >= 0x7f)
			goto bad;
	}
	return (v);
bad:
	reply_field_error(rq, "online_url", "oh.err.bad_url");
	return (NULL);
}

/*
 * expertise: tags as repeated fields or a JSON array, each may also be
 * a comma-separated list; lower-cased (ASCII), at most 10 of at most 24
 * characters, duplicates dropped.  A JSON array (malloc()ed), or NULL
 * with a field error.
 */
static char *
oh_tags(struct rq *rq)
{
	json_t		*list;
	char		*one, *save, *tok, *out;
	size_t		 i, j, len;
	int		 bad;

	list = json_array();
	bad = 0;
	for (i = 0; i < rq->body.n && !bad; i++) {
		if (strcmp(rq->body.fields[i].name, "expertise"))
			continue;
		if (!text_utf8_valid(rq->body.fields[i].value,
		    rq->body.fields[i].len) || (one =
		    strdup(rq->body.fields[i].value)) == NULL) {
			bad = 1;
			break;
		}
		for (tok = strtok_r(one, ",;\n", &save); tok != NULL;
		    tok = strtok_r(NULL, ",;\n", &save)) {
			len = text_trim(tok, strlen(tok));
			tok[len] = '\0';
			if (len == 0)
				continue;
			text_lower_ascii(tok);
			if (text_has_controls(tok, len, 0) ||
			    text_utf8_chars(tok, len) > OH_TAG_MAX ||
			    oh_has_ci(tok, "javascript:")) {
				bad = 1;
				break;
			}
			for (j = 0; j < json_array_size(list); j++) {
				if (!strcmp(json_string_value(
				    json_array_get(list, j)), tok))
					break;
			}
			if (j == json_array_size(list))
				json_array_append_new(list, json_string(tok));
		}
		free(one);
	}
	if (!bad && json_array_size(list) > OH_TAGS_MAX)
		bad = 1;
	if (bad) {
		rq_field_problem(rq, "expertise", "oh.err.bad_tags", OH_TAG_MAX);
		json_decref(list);
		return (NULL);
	}
	out = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return (out);
}

static void
oh_text_free(void *p)
{
	struct oh_text	*t = p;

	free(t->html);
	free(t->title);
}

/*
 * A Markdown field of min..max characters, rendered; its first line also
 * becomes a topic title (a share).  0 with a field error.
 */
static int
oh_markdown(struct rq *rq, const char *name, size_t min, size_t max,
    int required, struct oh_text **out)
{
	struct oh_text	*t;
	const char	*v;

	(void)rq_state_new(rq, sizeof(*t), oh_text_free);
	t = rq->extra;
	*out = t;
	if ((v = rq_text(rq, name, required, min, max, 1)) == NULL)
		return (!required && !rq_has_errors(rq));
	if (!content_markdown(rq, name, required, &t->html, NULL))
		return (0);
	if ((t->title = oh_title(v)) == NULL) {
		rq->failed = "no memory for a title";
		return (0);
	}
	return (1);
}

/*
 * A topic title from a question: its first line with content, without
 * Markdown's leading marks, at most 80 characters (never cutting one).
 */
static char *
oh_title(const char *q)
{
	const char	*p, *e;
	char		*line, *cut;
	size_t		 len, i, n;

	p = q;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == '#' || *p == '>' || *p == '*' || *p == '-')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, "\r\n");
		if (e > p)
			break;
		p = e;
	}
	e = p + strcspn(p, "\r\n");
	if ((line = strndup(p, (size_t)(e - p))) == NULL)
		return (NULL);
	len = text_trim(line, strlen(line));
	line[len] = '\0';
	if (text_utf8_chars(line, len) > OH_TITLE_MAX) {
		/* Cut before the 80th character, then add the ellipsis. */
		for (i = 0, n = 0; line[i] != '\0'; i++) {
			if (((unsigned char)line[i] & 0xc0) != 0x80 &&
			    ++n == OH_TITLE_MAX)
				break;
		}
		line[i] = '\0';
		if (asprintf(&cut, "%s\xe2\x80\xa6", line) == -1)
			cut = NULL;
		free(line);
		line = cut;
	} else if (len < 3) {
		free(line);
		line = strdup("Office hours question");
	}
	return (line);
}

static int
oh_has_ci(const char *s, const char *needle)
{
	return (strcasestr(s, needle) != NULL);
}

/* The first n characters of s are ASCII digits. */
static int
oh_digits(const char *s, size_t n)
{
	return (strspn(s, "0123456789") >= n);
}

/* s is 1..max ASCII digits and nothing else. */
static int
oh_all_digits(const char *s, size_t max)
{
	size_t	n;

	n = strspn(s, "0123456789");
	return (n >= 1 && n <= max && s[n] == '\0');
}

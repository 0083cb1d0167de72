/*
 * test_guard: the guard's table of who may do what (app/guard_rule.c),
 * without a server.  Each row is a page (access level and flags), who
 * asks, what their request carries, and the verdict: 0 for allowed, or
 * the status and code the runner answers.  Built with ASan/UBSan; see
 * tests/unit/unit.h.
 */
#include <stdio.h>
#include <string.h>

#include "guard_rule.h"
#include "unit.h"

/* Who asks. */
enum who { ANON, UNVERIFIED, MEMBER, MENTOR, STAFF, ADMIN };

/* What the request carries, beyond a good token (the defaults). */
#define BAD_CSRF	0x01	/* not the session's CSRF token */
#define BEARER		0x02	/* an API token (and no CSRF token) */
#define BAD_PRE		0x04	/* not the visitor's pre-session token */
#define RATE		0x08	/* over the POST rate limit */
#define SUSPENDED	0x10
#define NO_VERIFY	0x20	/* the site does not require verification */

struct row {
	int		 access;
	int		 flags;
	enum who	 who;
	int		 carries;
	int		 status;	/* 0: allowed */
	const char	*code;
	enum guard_outcome outcome;
};

#define W	PAGE_WRITE
#define OK	0, NULL, GUARD_ALLOW

static const struct row rows[] = {
	/* Open reads: everyone, even with bad tokens or suspended. */
	{ ACCESS_ANYONE, 0, ANON, 0, OK },
	{ ACCESS_ANYONE, 0, MEMBER, BAD_CSRF | SUSPENDED | RATE, OK },
	{ ACCESS_ANYONE, PAGE_SESSION, UNVERIFIED, 0, OK },

	/* Reads for users: login first (browsers are sent to it). */
	{ ACCESS_USER, 0, ANON, 0, 401, "login_required", GUARD_LOGIN },
	{ ACCESS_USER, 0, UNVERIFIED, 0, OK },
	{ ACCESS_USER, 0, UNVERIFIED, SUSPENDED, OK },
	{ ACCESS_VERIFIED, 0, ANON, 0, 401, "login_required", GUARD_LOGIN },
	{ ACCESS_VERIFIED, 0, UNVERIFIED, 0, 403, "verification_required",
	    GUARD_REFUSE },
	{ ACCESS_VERIFIED, 0, UNVERIFIED, NO_VERIFY, OK },
	{ ACCESS_VERIFIED, 0, MEMBER, 0, OK },
	{ ACCESS_VERIFIED, 0, MENTOR, 0, OK },	/* mentors need no card */
	{ ACCESS_VERIFIED, 0, STAFF, 0, OK },
	{ ACCESS_STAFF, 0, ANON, 0, 401, "login_required", GUARD_LOGIN },
	{ ACCESS_STAFF, 0, MEMBER, 0, 403, "forbidden", GUARD_REFUSE },
	{ ACCESS_STAFF, 0, MENTOR, 0, 403, "forbidden", GUARD_REFUSE },
	{ ACCESS_STAFF, 0, STAFF, 0, OK },
	{ ACCESS_STAFF, 0, ADMIN, 0, OK },
	{ ACCESS_ADMIN, 0, STAFF, 0, 403, "forbidden", GUARD_REFUSE },
	{ ACCESS_ADMIN, 0, ADMIN, 0, OK },

	/* Writes: CSRF (not for API tokens), rate, suspension, level. */
	{ ACCESS_VERIFIED, W, ANON, 0, 401, "login_required", GUARD_LOGIN },
	{ ACCESS_VERIFIED, W, MEMBER, 0, OK },
	{ ACCESS_VERIFIED, W, MEMBER, BAD_CSRF, 403, "csrf_failed",
	    GUARD_REFUSE },
	{ ACCESS_VERIFIED, W, MEMBER, BAD_CSRF | BEARER, OK },
	{ ACCESS_VERIFIED, W, MEMBER, RATE, 429, "rate_limited",
	    GUARD_RATE_LIMITED },
	/* CSRF before the rate limit: a forged POST counts for nothing. */
	{ ACCESS_VERIFIED, W, MEMBER, RATE | BAD_CSRF, 403, "csrf_failed",
	    GUARD_REFUSE },
	{ ACCESS_VERIFIED, W, MEMBER, SUSPENDED, 403, "suspended",
	    GUARD_SUSPENDED },
	{ ACCESS_STAFF, W, STAFF, SUSPENDED, 403, "suspended",
	    GUARD_SUSPENDED },
	{ ACCESS_VERIFIED, W, UNVERIFIED, 0, 403, "verification_required",
	    GUARD_REFUSE },
	{ ACCESS_VERIFIED, W, UNVERIFIED, SUSPENDED, 403, "suspended",
	    GUARD_SUSPENDED },
	{ ACCESS_STAFF, W, MEMBER, 0, 403, "forbidden", GUARD_REFUSE },
	{ ACCESS_ADMIN, W, STAFF, 0, 403, "forbidden", GUARD_REFUSE },
	{ ACCESS_ADMIN, W, ADMIN, BEARER | BAD_CSRF, OK },

	/* A write open to any user makes content unless it says not. */
	{ ACCESS_USER, W, UNVERIFIED, 0, 403, "verification_required",
	    GUARD_REFUSE },
	{ ACCESS_USER, W, MENTOR, 0, OK },
	{ ACCESS_USER, W | PAGE_NO_CONTENT, UNVERIFIED, 0, OK },
	{ ACCESS_USER, W | PAGE_NO_CONTENT, UNVERIFIED, BAD_CSRF, 403,
	    "csrf_failed", GUARD_REFUSE },
	{ ACCESS_USER, W | PAGE_NO_CONTENT, ANON, 0, 401, "login_required",
	    GUARD_LOGIN },

	/* Logout and settings stay open to the suspended. */
	{ ACCESS_USER, W | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK, MEMBER,
	    SUSPENDED, OK },
	{ ACCESS_USER, W | PAGE_NO_CONTENT | PAGE_SUSPENDED_OK, MEMBER,
	    SUSPENDED | RATE, 429, "rate_limited", GUARD_RATE_LIMITED },

	/* Login, sign-up, reset: the visitor's token, first of all. */
	{ ACCESS_ANYONE, W | PAGE_PRE_CSRF, ANON, 0, OK },
	{ ACCESS_ANYONE, W | PAGE_PRE_CSRF, ANON, BAD_PRE, 403,
	    "csrf_failed", GUARD_PRE_CSRF },
	{ ACCESS_ANYONE, W | PAGE_PRE_CSRF, MEMBER, BAD_PRE, 403,
	    "csrf_failed", GUARD_PRE_CSRF },
	/* ...and the session's token is not asked for on top. */
	{ ACCESS_ANYONE, W | PAGE_PRE_CSRF, MEMBER, BAD_CSRF, OK },
	{ ACCESS_ANYONE, PAGE_PRE_CSRF, ANON, BAD_PRE, 403, "csrf_failed",
	    GUARD_PRE_CSRF },

	/* An open write with a session is checked as any write. */
	{ ACCESS_ANYONE, W, ANON, 0, OK },
	{ ACCESS_ANYONE, W, MEMBER, BAD_CSRF, 403, "csrf_failed",
	    GUARD_REFUSE },
};

static const char *const who_names[] = { "anonymous", "unverified",
    "member", "mentor", "staff", "admin" };

static void
facts_of(const struct row *r, struct guard_facts *f)
{
	static const char *const roles[] = { "", "member", "member",
	    "mentor", "staff", "admin" };

	memset(f, 0, sizeof(*f));
	f->access = r->access;
	f->flags = r->flags;
	f->logged_in = r->who != ANON;
	f->role = roles[r->who];
	f->verified = r->who == MEMBER || r->who == STAFF || r->who == ADMIN;
	f->verification_required = !(r->carries & NO_VERIFY);
	f->suspended = (r->carries & SUSPENDED) != 0;
	f->retry_after = (r->carries & RATE) ? 30 : 0;
	f->bearer = (r->carries & BEARER) != 0;
	f->csrf_ok = f->logged_in && !(r->carries & (BAD_CSRF | BEARER));
	f->pre_csrf_ok = !(r->carries & BAD_PRE);
}

static void
test_table(void)
{
	struct guard_facts	f;
	struct guard_verdict	v;
	char			what[160];
	size_t			i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		facts_of(&rows[i], &f);
		guard_rule_decide(&f, &v);
		(void)snprintf(what, sizeof(what), "row %zu: access %d flags "
		    "0x%x, %s carrying 0x%x -> %d %s", i, rows[i].access,
		    rows[i].flags, who_names[rows[i].who], rows[i].carries,
		    rows[i].status, rows[i].code ? rows[i].code : "allowed");
		CHECK(v.status == rows[i].status &&
		    v.outcome == rows[i].outcome &&
		    (rows[i].code == NULL ? v.code == NULL && v.key == NULL :
		    v.code != NULL && !strcmp(v.code, rows[i].code) &&
		    v.key != NULL && !strncmp(v.key, "errors.", 7) &&
		    !strcmp(v.key + 7, rows[i].code)), what);
	}
}

/*
 * Failing closed: for every level, flag set and person, an allowed
 * request never has a worse standing than the page asks for.
 */
static void
test_closed(void)
{
	struct row		r;
	struct guard_facts	f;
	struct guard_verdict	v;
	int			access, flags, who, carries, bad;

	bad = 0;
	for (access = ACCESS_ANYONE; access <= ACCESS_ADMIN; access++)
	for (flags = 0; flags < 0x40; flags++)
	for (who = ANON; who <= ADMIN; who++)
	for (carries = 0; carries < 0x40; carries++) {
		memset(&r, 0, sizeof(r));
		r.access = access;
		r.flags = flags | ((flags & 0x20) ? PAGE_NO_CONTENT : 0);
		r.who = who;
		r.carries = carries;
		facts_of(&r, &f);
		guard_rule_decide(&f, &v);
		if (v.outcome != GUARD_ALLOW)
			continue;
		if ((access > ACCESS_ANYONE && who == ANON) ||
		    (access == ACCESS_STAFF && who < STAFF) ||
		    (access == ACCESS_ADMIN && who != ADMIN) ||
		    ((r.flags & PAGE_WRITE) && !(r.flags & PAGE_PRE_CSRF) &&
		    who != ANON && !f.csrf_ok && !f.bearer) ||
		    ((r.flags & PAGE_PRE_CSRF) && !f.pre_csrf_ok) ||
		    ((r.flags & PAGE_WRITE) && who != ANON && f.retry_after) ||
		    ((r.flags & PAGE_WRITE) && who != ANON && f.suspended &&
		    !(r.flags & PAGE_SUSPENDED_OK)))
			bad++;
	}
	CHECK(bad == 0, "no allowed request breaks a rule of its page");
}

static void
test_staff(void)
{
	CHECK(guard_rule_staff("staff") && guard_rule_staff("admin"),
	    "staff and admins are staff");
	CHECK(!guard_rule_staff("mentor") && !guard_rule_staff("member") &&
	    !guard_rule_staff("") && !guard_rule_staff(NULL) &&
	    !guard_rule_staff("Staff"), "nobody else is");
}

int
main(void)
{
	test_table();
	test_closed();
	test_staff();
	UNIT_DONE("test_guard");
}

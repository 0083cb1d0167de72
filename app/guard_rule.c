/*
 * guard_rule.c: who may do what (app/guard_rule.h), failing closed.
 * Pure: libc only.
 */
#include <string.h>

#include "guard_rule.h"

static void	guard_rule_set(struct guard_verdict *, enum guard_outcome, int,
		    const char *, const char *);

/* Staff and admins are staff. */
int
guard_rule_staff(const char *role)
{
	return (role != NULL && (!strcmp(role, "staff") ||
	    !strcmp(role, "admin")));
}

static void
guard_rule_set(struct guard_verdict *v, enum guard_outcome outcome,
    int status, const char *code, const char *key)
{
	v->outcome = outcome;
	v->status = status;
	v->code = code;
	v->key = key;
}

/*
 * In this order: the visitor's CSRF token (login, sign-up, reset), open
 * reads, login, the session's CSRF token on writes (not for API tokens),
 * the POST rate limit, suspension (every write but logout and settings,
 * for staff too: an admin can suspend a staff account), then the page's
 * access level.  Verification applies to every write that creates or
 * publishes content: a write open to any user must say it makes none
 * (PAGE_NO_CONTENT), else it needs ACCESS_VERIFIED.
 */
void
guard_rule_decide(const struct guard_facts *f, struct guard_verdict *v)
{
	const char	*role;
	int		 write, staff, access;

	guard_rule_set(v, GUARD_ALLOW, 0, NULL, NULL);
	write = (f->flags & PAGE_WRITE) != 0;
	role = f->role != NULL ? f->role : "";
	staff = guard_rule_staff(role);

	if ((f->flags & PAGE_PRE_CSRF) && !f->pre_csrf_ok) {
		guard_rule_set(v, GUARD_PRE_CSRF, 403, "csrf_failed",
		    "errors.csrf_failed");
		return;
	}
	if (f->access == ACCESS_ANYONE && !write)
		return;
	if (!f->logged_in) {
		if (f->access != ACCESS_ANYONE)
			guard_rule_set(v, GUARD_LOGIN, 401, "login_required",
			    "errors.login_required");
		return;
	}
	if (write && !(f->flags & PAGE_PRE_CSRF) && !f->bearer &&
	    !f->csrf_ok) {
		guard_rule_set(v, GUARD_REFUSE, 403, "csrf_failed",
		    "errors.csrf_failed");
		return;
	}
	if (write && f->retry_after > 0) {
		guard_rule_set(v, GUARD_RATE_LIMITED, 429, "rate_limited",
		    "errors.rate_limited");
		return;
	}
	if (f->suspended && write && !(f->flags & PAGE_SUSPENDED_OK)) {
		guard_rule_set(v, GUARD_SUSPENDED, 403, "suspended",
		    "errors.suspended");
		return;
	}

	access = f->access;
	if (access == ACCESS_USER && write && !(f->flags & PAGE_NO_CONTENT))
		access = ACCESS_VERIFIED;
	switch (access) {
	case ACCESS_VERIFIED:
		if (f->verification_required && !f->verified && !staff &&
		    strcmp(role, "mentor"))
			guard_rule_set(v, GUARD_REFUSE, 403,
			    "verification_required",
			    "errors.verification_required");
		break;
	case ACCESS_STAFF:
		if (!staff)
			guard_rule_set(v, GUARD_REFUSE, 403, "forbidden",
			    "errors.forbidden");
		break;
	case ACCESS_ADMIN:
		if (strcmp(role, "admin"))
			guard_rule_set(v, GUARD_REFUSE, 403, "forbidden",
			    "errors.forbidden");
		break;
	}
}

/*
 * guard_rule.h: who may do what, as a decision without Kore.
 *
 * app/guard.c gathers the facts of a request (the page, the viewer the
 * session statement resolved, whether its tokens matched) and
 * guard_rule_decide() says whether the request goes on, or the status,
 * code and catalog key of the refusal; app/rq.c sends the reply.  Pure:
 * tests/unit/test_guard.c checks the whole table without a server.
 */
#ifndef MAKERSPACE_GUARD_RULE_H
#define MAKERSPACE_GUARD_RULE_H

/* Who may use a page (checked by the guard, in this order). */
#define ACCESS_ANYONE		0
#define ACCESS_USER		1	/* logged in (even unverified) */
#define ACCESS_VERIFIED		2	/* verified member or any staff role */
#define ACCESS_STAFF		3
#define ACCESS_ADMIN		4

/* struct page flags */
#define PAGE_WRITE		0x0001	/* state-changing POST: CSRF etc. */
#define PAGE_NO_STMT		0x0002	/* respond() without a statement */
#define PAGE_SESSION		0x0004	/* resolve the session in the guard
					   even for ACCESS_ANYONE */
#define PAGE_ANY_METHOD		0x0008	/* no 405: the catch-all 404 */
#define PAGE_PRE_CSRF		0x0010	/* login, signup, reset: the
					   visitor's pre-session token
					   instead of the session's */
#define PAGE_SUSPENDED_OK	0x0020	/* logout, settings: allowed while
					   suspended */
#define PAGE_OWN_ERRORS		0x0040	/* respond() sees failed statements */
#define PAGE_OWN_SESSION	0x0400	/* a GET whose first statement
					   resolves a browser's session
					   (guard_own_session) */
#define PAGE_NO_CONTENT		0x0200	/* an ACCESS_USER write that creates
					   or publishes no content (logout,
					   likes, deletions): no verification;
					   without it the guard asks for
					   ACCESS_VERIFIED (fails closed) */

/* What the guard knows of a request when it decides. */
struct guard_facts {
	int		 access;	/* the page's ACCESS_* */
	int		 flags;		/* the page's PAGE_* */
	int		 logged_in;	/* a session or API token resolved */
	const char	*role;		/* "member", "mentor", "staff",
					   "admin"; "" for nobody */
	int		 verified;
	int		 verification_required;	/* the site setting */
	int		 suspended;
	int		 retry_after;	/* > 0: over the POST rate limit */
	int		 bearer;	/* an API token: no CSRF token */
	int		 csrf_ok;	/* the request carries the session's
					   CSRF token */
	int		 pre_csrf_ok;	/* PAGE_PRE_CSRF: the visitor's token
					   (or its exceptions) passed */
};

enum guard_outcome {
	GUARD_ALLOW = 0,
	GUARD_REFUSE,		/* status, code, key as they are */
	GUARD_LOGIN,		/* 401: browsers' GETs go to the login page */
	GUARD_PRE_CSRF,		/* 403: the form shown again needs a visitor
				   token that works */
	GUARD_RATE_LIMITED,	/* 429 after the facts' retry_after */
	GUARD_SUSPENDED,	/* 403, saying until when and why */
};

struct guard_verdict {
	enum guard_outcome	 outcome;
	int			 status;	/* 0 when allowed */
	const char		*code;		/* the API's error code */
	const char		*key;		/* catalog key of the message */
};

void	guard_rule_decide(const struct guard_facts *, struct guard_verdict *);
int	guard_rule_staff(const char *);

#endif

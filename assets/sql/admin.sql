-- Statements of admin.c: the staff's user list, changes to one user,
-- verifying a list of members at once, and the audit log.  The rules are
-- in admin_user_update() (migrations/0010_hardening.sql) and
-- admin_verify_bulk() (migrations/0012_staff.sql).

-- name: admin_users
-- GET /admin/users?q=&role=&verified=&suspended=&cursor=: staff search
-- by username, display name, real name or card (the text goes to LIKE
-- escaped), with filters, newest first, 50 a page.  $1 the search text
-- ('' for everyone), $2 role or NULL, $3 verified or NULL, $4 suspended
-- now or NULL, $5 cursor (the last id shown) or NULL.  Keyset on the id:
-- users who sign up meanwhile are newer than any page, so walking the
-- pages never shows one twice nor skips one.  count is every user that
-- matches.
WITH m AS (
	SELECT u.* FROM users u
	WHERE ($1::text = '' OR
	    u.username ILIKE '%' || like_escape($1::text) || '%' OR
	    u.display_name ILIKE '%' || like_escape($1::text) || '%' OR
	    u.real_name ILIKE '%' || like_escape($1::text) || '%' OR
	    u.reader_card ILIKE '%' || like_escape($1::text) || '%')
	    AND ($2::text IS NULL OR u.role = $2::text)
	    AND ($3::boolean IS NULL OR
	        (u.verified_at IS NOT NULL) = $3::boolean)
	    AND ($4::boolean IS NULL OR
	        coalesce(u.suspended_until > now(), false) = $4::boolean)
), page AS (
	SELECT * FROM m
	WHERE $5::bigint IS NULL OR m.id < $5::bigint
	ORDER BY m.id DESC
	LIMIT 51
), shown AS (
	SELECT * FROM page ORDER BY id DESC LIMIT 50
)
SELECT json_build_object('q', $1::text, 'role', $2::text,
    'verified', $3::boolean, 'suspended', $4::boolean,
    'count', (SELECT count(*) FROM m),
    'users', coalesce((SELECT json_agg(user_admin_json(s) ORDER BY s.id DESC)
        FROM (SELECT * FROM users u WHERE u.id IN (SELECT id FROM shown)) s),
        '[]'),
    'next_cursor', CASE WHEN (SELECT count(*) FROM page) > 50
        THEN (SELECT min(id) FROM shown)::text END)

-- name: admin_user_update
-- $1 staff user, $2 username, $3 verified, $4 role, $5 suspended_until,
-- $6 reason, $7 booking_suspended_until: '' lifts a no-show suspension of
-- booking (audited, migrations/0014_office_hours.sql), NULL leaves it.
SELECT admin_user_update($1, $2, $3, $4, $5, $6)
FROM (SELECT CASE WHEN $7::text = '' THEN oh_suspension_lift($1::bigint,
    $2::text, $6::text) END AS lifted OFFSET 0) l

-- name: admin_verify_bulk
-- POST /admin/verify: $1 staff user id, $2 the lines (newline-separated,
-- usernames or reader cards), $3 reason or NULL.  One transaction.
SELECT admin_verify_bulk($1::bigint, string_to_array($2::text, E'\n'),
    $3::text)

-- name: admin_audit
-- GET /admin/audit?cursor=: every staff action, newest first.
WITH page AS (
	SELECT a.*, actor.username AS actor_name
	FROM audit_log a LEFT JOIN users actor ON actor.id = a.actor_id
	WHERE $1::bigint IS NULL OR a.id < $1::bigint
	ORDER BY a.id DESC
	LIMIT 101
)
SELECT json_build_object('entries', coalesce((SELECT json_agg(
    json_build_object('id', id, 'actor', actor_name, 'action', action,
    'target', target, 'reason', reason, 'details', details,
    'at', rfc3339(at)) ORDER BY id DESC)
    FROM (SELECT * FROM page ORDER BY id DESC LIMIT 100) p), '[]'),
    'next_cursor', (SELECT CASE WHEN count(*) > 100
        THEN (SELECT min(id) FROM (SELECT id FROM page ORDER BY id DESC
        LIMIT 100) x)::text END FROM page))

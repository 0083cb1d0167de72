-- Statements of guard.c and account.c (admin.c's are in admin.sql).

-- name: session_lookup
-- The guard: who carries this session or API token?  $1 token hash,
-- $2 'session' or 'token', $3 'write' counts one POST against the
-- user's rate limit (posts_per_minute; staff_posts_per_minute for staff
-- and admins, whose desk work is many quick POSTs, migrations/0012).
-- Touches last_seen_at at most once a minute.
-- Settings are read inline (no setting_int() calls): this statement
-- runs on every restricted page and every POST.
WITH cfg AS (
	SELECT coalesce(max((value #>> '{}')::integer) FILTER
	        (WHERE key = 'session_idle_days'), 30) AS idle_days,
	    coalesce(max((value #>> '{}')::integer) FILTER
	        (WHERE key = 'posts_per_minute'), 60) AS posts_per_minute,
	    coalesce(max((value #>> '{}')::integer) FILTER
	        (WHERE key = 'staff_posts_per_minute'), 300)
	        AS staff_posts_per_minute,
	    coalesce(bool_or((value #>> '{}')::boolean) FILTER
	        (WHERE key = 'require_verification'), true) AS require_verified
	FROM site_settings
	WHERE key IN ('session_idle_days', 'posts_per_minute',
	    'staff_posts_per_minute', 'require_verification')
), s AS (
	SELECT s.id, s.user_id, s.csrf, s.last_seen_at
	FROM sessions s, cfg
	WHERE s.token_hash = $1::text AND s.kind = $2::text
	    AND (s.expires_at IS NULL OR s.expires_at > now())
	    AND (s.kind = 'token' OR s.last_seen_at > now() -
	        make_interval(days => cfg.idle_days))
), touch AS (
	UPDATE sessions SET last_seen_at = now()
	FROM s
	WHERE sessions.id = s.id AND s.last_seen_at < now() - interval '1 minute'
), rl AS (
	SELECT CASE WHEN $3::text = 'write'
	    THEN rate_hit('post:' || s.user_id, 60,
	        CASE WHEN ru.role IN ('staff', 'admin')
	        THEN cfg.staff_posts_per_minute ELSE cfg.posts_per_minute END)
	    ELSE 0 END AS retry
	FROM s JOIN users ru ON ru.id = s.user_id, cfg
)
SELECT json_build_object('id', u.id, 'username', u.username,
    'display_name', u.display_name, 'role', u.role,
    'verified', u.verified_at IS NOT NULL,
    'verification_required', cfg.require_verified,
    'locale', u.locale, 'csrf', s.csrf,
    'suspended_until', CASE WHEN u.suspended_until > now()
        THEN rfc3339(u.suspended_until) END,
    'suspend_reason', CASE WHEN u.suspended_until > now()
        THEN u.suspend_reason END,
    'retry_after', rl.retry,
    'unread', (SELECT count(*) FROM notifications n
        WHERE n.user_id = u.id AND n.read_at IS NULL))
FROM s JOIN users u ON u.id = s.user_id CROSS JOIN rl CROSS JOIN cfg

-- name: account_signup
-- Column 2, as for every statement that makes a session: the cookie's
-- lifetime in days, the session_max_days setting the session's own
-- expiry was computed from (app/account.c account_session_days).
SELECT account_signup($1, $2, $3, $4, $5, $6, $7, $8, $9),
    setting_int('session_max_days', 180)

-- name: account_login_begin
SELECT account_login_begin($1, $2)

-- name: account_login_failed
SELECT account_login_failed($1, $2)

-- name: account_login_ok
SELECT account_login_ok($1, $2, $3, $4, $5),
    setting_int('session_max_days', 180)

-- name: account_logout
-- $1 the session's hash.
WITH gone AS (
	DELETE FROM sessions WHERE token_hash = $1::text AND kind = 'session'
	RETURNING 1
)
SELECT json_build_object('ok', true, 'ended', (SELECT count(*) FROM gone))

-- name: account_profile
-- GET /u/{username}: a maker's page, what anyone may see of a user and
-- the same whoever asks: never email, real name or card.  Published
-- projects they are on the team of (the listing cards, newest first,
-- 24), their 10 newest posts that everybody can read (published posts
-- of published topics in categories anyone may read: nothing held,
-- hidden, rejected or deleted, nothing from the staff room, even for
-- staff) and the counts of the same; the awards of competitions whose
-- results are published (certificates exist only then) and the office
-- hours sessions given as a mentor and attended as a maker (attendance
-- marked `attended`).  $1 username, $2 session hash, $3 ?lang or NULL,
-- $4 negotiated language (category and competition names).
SELECT json_build_object('user', json_build_object(
    'username', u.username, 'display_name', u.display_name,
    'bio_html', u.bio_html, 'role', u.role,
    'verified', u.verified_at IS NOT NULL,
    'joined_at', rfc3339(u.created_at),
    'url', '/u/' || u.username,
    'projects', coalesce((SELECT json_agg(p.card::json
	ORDER BY p.published_at DESC, p.id DESC)
	FROM (SELECT p.card, p.published_at, p.id
	    FROM project_members m JOIN projects p ON p.id = m.project_id
	    WHERE m.user_id = u.id AND p.status = 'published'
	        AND p.card IS NOT NULL
	    ORDER BY p.published_at DESC, p.id DESC LIMIT 24) p), '[]'),
    'recent_posts', coalesce((SELECT json_agg(json_build_object(
	'id', x.id, 'number', x.number, 'is_topic', x.number = 1,
	'url', '/t/' || x.topic_id || CASE WHEN x.number > 1
	    THEN '?cursor=' || (x.number - 1) ELSE '' END ||
	    '#post-' || x.number,
	'title', x.title,
	'excerpt', left(regexp_replace(left(x.body, 400), '\s+', ' ', 'g'),
	    160),
	'created_at', rfc3339(x.created_at),
	'topic', json_build_object('id', x.topic_id, 'title', x.title,
	    'url', '/t/' || x.topic_id),
	'category', json_build_object('slug', x.slug, 'url', '/c/' || x.slug,
	    'name', CASE WHEN l.en THEN x.name_en ELSE x.name_zh END))
	ORDER BY x.created_at DESC, x.id DESC)
	FROM (SELECT po.id, po.number, po.topic_id, po.body, po.created_at,
	        t.title, c.slug, c.name_en, c.name_zh
	    FROM posts po JOIN topics t ON t.id = po.topic_id
	    JOIN categories c ON c.id = t.category_id
	    WHERE po.author_id = u.id AND po.status = 'published'
	        AND t.status = 'published' AND c.read_access = 'anyone'
	    ORDER BY po.created_at DESC, po.id DESC LIMIT 10) x), '[]'),
    'awards', coalesce((SELECT json_agg(json_build_object(
	'award', ce.award, 'rank', ce.rank,
	'issued_at', rfc3339(ce.issued_at),
	'verify_url', '/verify/' || ce.code,
	'entry_url', '/entries/' || e.id,
	'competition', json_build_object('id', k.id, 'url',
	    '/competitions/' || k.id, 'title', CASE WHEN l.en
	    THEN coalesce(nullif(k.title_en, ''), k.title) ELSE k.title END))
	ORDER BY ce.issued_at DESC, ce.rank)
	FROM comp_entry_members em
	JOIN comp_entries e ON e.id = em.entry_id AND e.status <> 'withdrawn'
	JOIN comp_certificates ce ON ce.entry_id = e.id
	JOIN competitions k ON k.id = e.competition_id
	WHERE em.user_id = u.id), '[]'),
    'counts', json_build_object(
	'sessions_given', (SELECT count(*) FROM oh_bookings b
	    JOIN oh_slots s ON s.id = b.slot_id
	    WHERE s.mentor_id = u.id AND b.attendance = 'attended'),
	'sessions_attended', (SELECT count(*) FROM oh_bookings b
	    WHERE b.maker_id = u.id AND b.attendance = 'attended'),
	'projects', (SELECT count(*) FROM project_members m
	    JOIN projects p ON p.id = m.project_id
	    WHERE m.user_id = u.id AND p.status = 'published'),
	'likes', (SELECT coalesce(sum(p.like_count), 0) FROM project_members m
	    JOIN projects p ON p.id = m.project_id
	    WHERE m.user_id = u.id AND p.status = 'published'),
	'topics', (SELECT count(*) FROM topics t
	    JOIN categories c ON c.id = t.category_id
	    WHERE t.author_id = u.id AND t.status = 'published'
	        AND c.read_access = 'anyone'),
	'posts', (SELECT count(*) FROM posts po
	    JOIN topics t ON t.id = po.topic_id
	    JOIN categories c ON c.id = t.category_id
	    WHERE po.author_id = u.id AND po.status = 'published'
	        AND t.status = 'published' AND c.read_access = 'anyone'),
	'solutions', (SELECT count(*) FROM topics t
	    JOIN posts po ON po.id = t.solved_post_id
	    JOIN categories c ON c.id = t.category_id
	    WHERE po.author_id = u.id AND po.status = 'published'
	        AND t.status = 'published' AND c.read_access = 'anyone'))),
    'me', v.me)
FROM users u
LEFT JOIN LATERAL viewer($2::text) v ON true
CROSS JOIN LATERAL (SELECT coalesce($3::text, v.me ->> 'locale', $4::text)
    = 'en' AS en) l
WHERE lower(u.username) = lower($1::text)

-- name: account_settings
-- GET /settings: the user's own details, sessions, API tokens and
-- whether a calendar feed URL exists (app/oh_cal.c; never the URL).
-- $1 user id, $2 this request's session hash.
SELECT json_build_object(
    'user', user_admin_json(u)::jsonb || jsonb_build_object('bio', u.bio,
        'bio_html', u.bio_html, 'locale', u.locale),
    'form', json_build_object('display_name', u.display_name,
        'bio', u.bio, 'real_name', u.real_name,
        'reader_card', u.reader_card, 'email', u.email),
    'sessions', (SELECT coalesce(json_agg(json_build_object('id', s.id,
        'created_at', rfc3339(s.created_at),
        'last_seen_at', rfc3339(s.last_seen_at),
        'user_agent', s.user_agent, 'ip', s.ip,
        'current', s.token_hash = $2::text,
        'url', '/settings/sessions/' || s.id || '/delete')
        ORDER BY s.last_seen_at DESC), '[]')
        FROM sessions s WHERE s.user_id = u.id AND s.kind = 'session'),
    'tokens', (SELECT coalesce(json_agg(json_build_object('id', s.id,
        'name', s.name, 'created_at', rfc3339(s.created_at),
        'last_used_at', rfc3339(s.last_seen_at),
        'url', '/settings/tokens/' || s.id || '/delete')
        ORDER BY s.id DESC), '[]')
        FROM sessions s WHERE s.user_id = u.id AND s.kind = 'token'),
    'calendar', (SELECT json_build_object('created_at', rfc3339(c.created_at))
        FROM calendar_tokens c WHERE c.user_id = u.id))
FROM users u WHERE u.id = $1::bigint

-- name: account_settings_update
SELECT account_settings_update($1, $2, $3, $4, $5, $6, $7, $8)

-- name: account_password_hash
SELECT json_build_object('password_hash', password_hash)
FROM users WHERE id = $1::bigint

-- name: account_password_set
SELECT account_password_set($1, $2, $3, $4, $5, $6),
    setting_int('session_max_days', 180)

-- name: account_session_delete
-- Revoke one of the user's own sessions.  $1 user, $2 session id.
WITH gone AS (
	DELETE FROM sessions
	WHERE id = $2::bigint AND user_id = $1::bigint AND kind = 'session'
	RETURNING id
)
SELECT json_build_object('ok', true, 'id', id) FROM gone

-- name: account_sessions_end_others
-- "Sign out all other devices": end every login session of user $1 but
-- the one asking ($2, its hash; NULL for a program with an API token,
-- which ends them all).  API tokens stay (revoked one by one, as after a
-- password change).  Audited with the count and the address it came
-- from ($3).  Always one row.
WITH gone AS (
	DELETE FROM sessions
	WHERE user_id = $1::bigint AND kind = 'session'
	    AND token_hash IS DISTINCT FROM $2::text
	RETURNING id
), logged AS (
	INSERT INTO audit_log (actor_id, action, target_user_id, target,
	    details)
	SELECT u.id, 'sessions.end_others', u.id, u.username,
	    jsonb_build_object('sessions_ended', (SELECT count(*) FROM gone),
	    'ip', $3::text)
	FROM users u WHERE u.id = $1::bigint
	RETURNING id
)
SELECT json_build_object('ok', true,
    'ended', (SELECT count(*) FROM gone),
    'audit_id', (SELECT id FROM logged))

-- name: account_token_create
-- $1 user, $2 name, $3 hash of the secret, $4 csrf placeholder.
WITH t AS (
	INSERT INTO sessions (token_hash, user_id, kind, name, csrf)
	VALUES ($3::text, $1::bigint, 'token', $2::text, $4::text)
	RETURNING id, name, created_at
)
SELECT json_build_object('id', id, 'name', name,
    'created_at', rfc3339(created_at))
FROM t

-- name: account_token_delete
WITH gone AS (
	DELETE FROM sessions
	WHERE id = $2::bigint AND user_id = $1::bigint AND kind = 'token'
	RETURNING id
)
SELECT json_build_object('ok', true, 'id', id) FROM gone

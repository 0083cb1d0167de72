-- Statements of oh.c: mentor office hours (docs/api.md#mentor-office-hours).
-- Writes call the functions of migrations/0014_office_hours.sql, which
-- hold every rule; reads resolve the viewer in the same statement.
-- $lang parameters are the explicit ?lang (or NULL) and the negotiated
-- language, as in board.sql.

-- name: oh_mentors
-- $1 session hash, $2 tag or NULL.  Mentors (role mentor, and staff who
-- wrote a profile), by name; next_slot_at their next open slot.
SELECT json_build_object('mentors', coalesce((SELECT json_agg(
    json_build_object('username', u.username, 'display_name', u.display_name,
	'url', '/mentors/' || u.username,
	'expertise', coalesce(p.expertise, '{}'),
	'bio_html', coalesce(p.bio_html, ''),
	'next_slot_at', (SELECT rfc3339(min(s.starts_at)) FROM oh_slots s
	    WHERE s.mentor_id = u.id AND s.cancelled_at IS NULL
	    AND s.starts_at > now() + make_interval(hours =>
		coalesce(p.notice_hours, 12))))
    ORDER BY u.display_name, u.id)
    FROM users u LEFT JOIN mentor_profiles p ON p.user_id = u.id
    WHERE (u.role = 'mentor' OR (p.user_id IS NOT NULL
	AND u.role IN ('staff', 'admin')))
    AND ($2::text IS NULL OR lower($2::text) = ANY (p.expertise))), '[]'),
    'tag', $2::text,
    'tags', coalesce((SELECT json_agg(DISTINCT e ORDER BY e)
	FROM mentor_profiles p, unnest(p.expertise) e), '[]'),
    'me', v.me)
FROM (SELECT $1::text AS h) a
LEFT JOIN LATERAL viewer(a.h) v ON true

-- name: oh_read_check
-- $1 session hash, $2 mentor username or NULL.  What GET /office-hours
-- and a mentor's page (app/oh_read.c) read before their page statement:
-- the viewer, the version the kept parts must have been made at (the
-- office_hours listing version, bumped by every change of a slot or
-- booking and by profile saves; for a mentor's page also their row's
-- state), the database's clock and the site's date (slots are generated
-- again when it moved).  Keep 'version' as oh_slots and oh_mentor make it.
SELECT json_build_object('me', v.me,
    'version', lv.version || CASE WHEN $2::text IS NULL THEN '' ELSE '.' ||
	coalesce((SELECT md5(u.id || u.role || u.display_name ||
	coalesce(p.updated_at::text, '')) FROM users u
	LEFT JOIN mentor_profiles p ON p.user_id = u.id
	WHERE lower(u.username) = lower($2::text)), '-') END,
    'own', $2::text IS NOT NULL AND EXISTS (SELECT 1 FROM users u
	WHERE lower(u.username) = lower($2::text) AND u.id = v.id),
    'now_ms', floor(extract(epoch FROM now()) * 1000)::bigint,
    'today', current_date::text)
FROM listing_versions lv
LEFT JOIN LATERAL viewer($1::text) v ON true
WHERE lv.name = 'office_hours'

-- name: oh_mentor
-- $1 session hash, $2 ?lang or NULL, $3 negotiated language, $4 username,
-- $5 true: generate the window's slots first (oh_extend of every mentor;
-- app/oh_read.c asks once a day per worker).  A mentor's page: profile
-- and the upcoming slots of the booking window, grouped by day; the
-- mentor's own rules when they look.  'version' (as oh_read_check makes
-- it), 'today' and 'expires_ms' (the first slot's start, at most a
-- minute ahead) say how long a worker may keep what it renders.
WITH g AS MATERIALIZED (SELECT CASE WHEN $5::boolean
    THEN oh_extend(NULL) END AS n),
m AS (
	SELECT u.*, oh_profile(u.id) AS p FROM users u, g
	WHERE lower(u.username) = lower($4::text)
	    AND oh_is_mentor(u.role)
), sl AS (
	SELECT coalesce(json_agg(oh_slot_json(s) ORDER BY s.starts_at),
	    '[]') AS slots, min(s.starts_at) AS first
	FROM m JOIN oh_slots s ON s.mentor_id = m.id
	WHERE s.cancelled_at IS NULL AND s.starts_at > now()
	    AND s.starts_at <= now() + make_interval(days =>
		(m.p).window_days)
)
SELECT json_build_object('mentor', json_build_object(
    'username', m.username, 'display_name', m.display_name,
    'url', '/mentors/' || m.username, 'profile_url', '/u/' || m.username,
    'expertise', (m.p).expertise, 'bio_html', (m.p).bio_html,
    'place', (m.p).place, 'notice_hours', (m.p).notice_hours,
    'window_days', (m.p).window_days, 'cancel_hours', (m.p).cancel_hours,
    'slots', sl.slots,
    'days', oh_days(sl.slots, coalesce($2::text, v.me ->> 'locale',
	$3::text) = 'en')),
    'days', oh_days(sl.slots, coalesce($2::text, v.me ->> 'locale',
	$3::text) = 'en'),
    'own', v.id = m.id,
    'me', v.me,
    'version', (SELECT version FROM listing_versions
	WHERE name = 'office_hours') || '.' || md5(m.id || m.role ||
	m.display_name || coalesce((SELECT p.updated_at::text
	FROM mentor_profiles p WHERE p.user_id = m.id), '')),
    'today', current_date::text,
    'expires_ms', floor(extract(epoch FROM least(sl.first,
	now() + interval '1 minute')) * 1000)::bigint)
FROM m CROSS JOIN sl
LEFT JOIN LATERAL viewer($1::text) v ON true

-- name: oh_profile_form
-- $1 session hash: GET /mentors/me, the viewer's profile, rules and
-- upcoming slots to edit (no row for non-mentors: 404).
SELECT json_build_object('profile', json_build_object(
    'expertise', array_to_string((p).expertise, ', '),
    'tags', (p).expertise, 'bio', (p).bio,
    'place', (p).place, 'notice_hours', (p).notice_hours,
    'window_days', (p).window_days, 'cancel_hours', (p).cancel_hours,
    'url', '/mentors/' || x.username),
    'rules', coalesce((SELECT json_agg(oh_rule_json(r) ORDER BY r.weekday,
	r.start_local) FROM oh_rules r WHERE r.mentor_id = x.id
	AND r.deleted_at IS NULL), '[]'),
    'slots', coalesce((SELECT json_agg(oh_slot_json(s) ORDER BY s.starts_at)
	FROM (SELECT * FROM oh_slots s WHERE s.mentor_id = x.id
	AND s.cancelled_at IS NULL AND s.starts_at > now()
	ORDER BY s.starts_at LIMIT 20) s), '[]'),
    'me', x.me)
FROM (SELECT v.*, u.username, oh_profile(v.id) AS p
    FROM viewer($1::text) v JOIN users u ON u.id = v.id
    WHERE oh_is_mentor(v.role)) x

-- name: oh_profile_save
-- $1 user, $2 expertise (JSON array of lower-case tags), $3 bio,
-- $4 bio HTML, $5 place, $6 notice hours, $7 window days, $8 cancel hours.
-- Raises the office_hours listing version in the same transaction: the
-- lists kept by app/oh_read.c filter by expertise.
WITH bump AS (UPDATE listing_versions SET version = version + 1
    WHERE name = 'office_hours')
SELECT oh_profile_save($1, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)),
    $3, $4, $5, $6, $7, $8)

-- name: oh_rule_create
-- $1 user, $2 weekday, $3 start, $4 end, $5 slot minutes, $6 buffer,
-- $7 capacity, $8 place or NULL, $9 online URL or NULL, $10 from, $11 until.
SELECT oh_rule_create($1, $2, $3::time, $4::time, $5, $6, $7, $8, $9,
    $10::date, $11::date)

-- name: oh_rule_delete
-- $1 user, $2 rule.
SELECT oh_rule_delete($1, $2)

-- name: oh_slot_create
-- $1 user, $2 local start "YYYY-MM-DDTHH:MM" (site zone) or with an
-- offset, $3 minutes, $4 capacity, $5 place or NULL, $6 URL or NULL.
SELECT oh_slot_create($1, $2::timestamptz, $3, $4, $5, $6)

-- name: oh_slots
-- $1 session hash, $2 ?lang, $3 language, $4 tag, $5 mentor username,
-- $6 from (local date), $7 to (local date, inclusive), $8 true: generate
-- the window's slots first (as oh_mentor).  Upcoming open slots across
-- mentors, soonest first (at most 200), grouped by day too; 'version',
-- 'today' and 'expires_ms' as in oh_mentor.
WITH g AS MATERIALIZED (SELECT CASE WHEN $8::boolean
    THEN oh_extend(NULL) END AS n),
sl AS (
	SELECT coalesce(json_agg(oh_slot_json(s) ORDER BY s.starts_at, s.id),
	    '[]') AS slots, min(s.starts_at) AS first
	FROM (SELECT s.* FROM oh_slots s JOIN users u ON u.id = s.mentor_id
	    LEFT JOIN mentor_profiles p ON p.user_id = s.mentor_id, g
	    WHERE s.cancelled_at IS NULL AND s.starts_at > now()
	    AND s.starts_at <= now() + make_interval(days =>
		coalesce(p.window_days, 28))
	    AND ($4::text IS NULL OR lower($4::text) = ANY (p.expertise))
	    AND ($5::text IS NULL OR lower(u.username) = lower($5::text))
	    AND ($6::date IS NULL OR s.starts_at >= oh_local($6::date,
		'00:00'))
	    AND ($7::date IS NULL OR s.starts_at < oh_local($7::date + 1,
		'00:00'))
	    ORDER BY s.starts_at, s.id LIMIT 200) s
)
SELECT json_build_object('slots', sl.slots,
    'days', oh_days(sl.slots, coalesce($2::text, v.me ->> 'locale',
	$3::text) = 'en'),
    'filter', json_build_object('tag', $4::text, 'mentor', $5::text,
	'from', $6::text, 'to', $7::text),
    'me', v.me,
    'version', (SELECT version FROM listing_versions
	WHERE name = 'office_hours')::text,
    'today', current_date::text,
    'expires_ms', floor(extract(epoch FROM least(sl.first,
	now() + interval '1 minute')) * 1000)::bigint)
FROM sl LEFT JOIN LATERAL viewer($1::text) v ON true

-- name: oh_slot_page
-- $1 session hash, $2 slot.  The slot; its mentor and staff also see the
-- bookings; the viewer's own booking of it, if any.
SELECT json_build_object('slot', oh_slot_json(s)::jsonb ||
    jsonb_build_object('past', s.starts_at <= now(),
	'mentor_url', '/mentors/' || m.username,
	'online_url', CASE WHEN EXISTS (SELECT 1 FROM oh_bookings b
	    WHERE b.slot_id = s.id AND b.maker_id = v.id
	    AND b.status = 'confirmed') OR s.mentor_id = v.id
	    OR is_staff_role(v.role) THEN s.online_url END,
	'bookings', CASE WHEN s.mentor_id = v.id OR is_staff_role(v.role)
	    THEN coalesce((SELECT json_agg(oh_booking_json(b, v.id, v.role)
	    ORDER BY b.status = 'cancelled', b.id) FROM oh_bookings b
	    WHERE b.slot_id = s.id), '[]') END),
    'mine', (SELECT json_build_object('id', b.id, 'url', '/bookings/' || b.id,
	'status', b.status, 'position', oh_position(b)) FROM oh_bookings b
	WHERE b.slot_id = s.id AND b.maker_id = v.id
	AND b.status <> 'cancelled'),
    'own', s.mentor_id = v.id,
    'can_book', s.cancelled_at IS NULL AND s.starts_at > now()
	AND v.id IS NOT NULL AND s.mentor_id <> v.id,
    'me', v.me)
FROM oh_slots s JOIN users m ON m.id = s.mentor_id
LEFT JOIN LATERAL viewer($1::text) v ON true
WHERE s.id = $2::bigint

-- name: oh_book
-- $1 user, $2 slot, $3 question or NULL, $4 its HTML, $5 its tokens,
-- $6 title for a share, $7 its tokens, $8 topic id or NULL.
SELECT oh_book($1, $2, $3, $4, $5, $6, $7, $8)

-- name: oh_booking_page
-- $1 session hash, $2 booking: its maker, its mentor and staff (no row
-- for anyone else: 404).
SELECT json_build_object('booking', oh_booking_json(b, v.id, v.role),
    'me', v.me)
FROM oh_bookings b JOIN oh_slots s ON s.id = b.slot_id
JOIN viewer($1::text) v ON v.id IN (b.maker_id, s.mentor_id)
    OR is_staff_role(v.role)
WHERE b.id = $2::bigint

-- name: oh_cancel
-- $1 user, $2 booking, $3 message or NULL.
SELECT oh_cancel($1, $2, $3)

-- name: oh_attendance
-- $1 user, $2 booking, $3 'attended' or 'no_show'.
SELECT oh_attendance($1, $2, $3)

-- name: oh_notes
-- $1 user, $2 booking, $3 notes, $4 HTML, $5 tokens.
SELECT oh_notes($1, $2, $3, $4, $5)

-- name: oh_share
-- $1 user, $2 booking.
SELECT oh_share($1, $2)

-- name: oh_my_bookings
-- $1 session hash.  The viewer's bookings as maker and sessions as
-- mentor: upcoming first (soonest first), then the last 30 days' past
-- ones (latest first).
SELECT json_build_object(
    'bookings', coalesce((SELECT json_agg(oh_booking_json(b, v.id, v.role)
	ORDER BY s.starts_at <= now(), CASE WHEN s.starts_at > now()
	THEN s.starts_at END, s.starts_at DESC, b.id)
	FROM oh_bookings b JOIN oh_slots s ON s.id = b.slot_id
	WHERE b.maker_id = v.id
	AND s.starts_at > now() - interval '30 days'), '[]'),
    'sessions', coalesce((SELECT json_agg(oh_booking_json(b, v.id, v.role)
	ORDER BY s.starts_at <= now() - interval '12 hours',
	CASE WHEN s.starts_at > now() - interval '12 hours'
	THEN s.starts_at END, s.starts_at DESC, b.id)
	FROM oh_bookings b JOIN oh_slots s ON s.id = b.slot_id
	WHERE s.mentor_id = v.id AND b.status <> 'cancelled'
	AND s.starts_at > now() - interval '30 days'), '[]'),
    'mentor', oh_is_mentor(v.role),
    'suspended_until', (SELECT rfc3339(u.booking_suspended_until)
	FROM users u WHERE u.id = v.id AND u.booking_suspended_until > now()),
    'me', v.me)
FROM viewer($1::text) v

-- name: oh_suspensions
-- $1 session hash (staff; the guard checked): makers whose booking is
-- suspended for no-shows, soonest lifted first.
SELECT json_build_object('suspended', coalesce((SELECT json_agg(
    json_build_object('username', u.username, 'display_name', u.display_name,
	'url', '/u/' || u.username,
	'action', '/admin/users/' || u.username,
	'until', rfc3339(u.booking_suspended_until),
	'no_shows', (SELECT count(*) FROM oh_bookings b JOIN oh_slots s
	    ON s.id = b.slot_id WHERE b.maker_id = u.id
	    AND b.attendance = 'no_show' AND s.starts_at > now() -
	    make_interval(days => setting_int('no_show_days', 30))))
    ORDER BY u.booking_suspended_until, u.id)
    FROM users u WHERE u.booking_suspended_until > now()), '[]'),
    'me', v.me)
FROM viewer($1::text) v

-- Statements of oh_cal.c: bookings as iCalendar, the secret feed URL,
-- and the reminders' timer.

-- name: oh_cal_reminders_send
-- The timer of every worker: send the due reminders (0015), return how
-- many went out.
SELECT oh_reminders_send()

-- name: oh_cal_booking
-- GET /bookings/{id}.ics: $1 viewer, $2 booking.  Its maker, its mentor
-- and staff see it; anyone else gets no row (404, as for no booking).
SELECT json_build_object('events', json_build_array(oh_cal_event(b, s,
    CASE WHEN s.mentor_id = $1::bigint THEN 'mentor' ELSE 'maker' END)))
FROM oh_bookings b
JOIN oh_slots s ON s.id = b.slot_id
WHERE b.id = $2::bigint
    AND (b.maker_id = $1::bigint OR s.mentor_id = $1::bigint
    OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1::bigint
        AND u.role IN ('staff', 'admin')))

-- name: oh_cal_feed
-- GET /calendar/{token}.ics: $1 the SHA-256 (hex) of the token.  The
-- owner's bookings as maker (waitlisted ones as tentative) and sessions
-- as mentor (confirmed or cancelled bookings of their slots), from 60
-- days back, at most 1000; cancelled ones stay so that calendars drop
-- them.  No row for a wrong or revoked token.
SELECT json_build_object('locale', u.locale,
    'events', coalesce((SELECT json_agg(e.ev ORDER BY e.starts_at, e.id)
    FROM (
	SELECT oh_cal_event(b, s, 'maker') AS ev, s.starts_at, b.id
	FROM oh_bookings b JOIN oh_slots s ON s.id = b.slot_id
	WHERE b.maker_id = u.id AND s.ends_at > now() - interval '60 days'
	UNION ALL
	SELECT oh_cal_event(b, s, 'mentor'), s.starts_at, b.id
	FROM oh_bookings b JOIN oh_slots s ON s.id = b.slot_id
	WHERE s.mentor_id = u.id AND b.status <> 'waitlisted'
	    AND s.ends_at > now() - interval '60 days'
	ORDER BY 2 DESC, 3 DESC
	LIMIT 1000) e), '[]'))
FROM calendar_tokens c
JOIN users u ON u.id = c.user_id
WHERE c.token_hash = $1::text

-- name: oh_cal_token_set
-- POST /settings/calendar: $1 user, $2 hash of the new token; the old
-- one (if any) stops working in the same statement.
INSERT INTO calendar_tokens (user_id, token_hash)
VALUES ($1::bigint, $2::text)
ON CONFLICT (user_id) DO UPDATE
SET token_hash = EXCLUDED.token_hash, created_at = now()
RETURNING json_build_object('calendar',
    json_build_object('created_at', rfc3339(created_at)))

-- name: oh_cal_token_delete
-- POST /settings/calendar/delete: $1 user.  Always one row: revoked is
-- false when there was no URL (revoking twice is no error).
WITH gone AS (
	DELETE FROM calendar_tokens WHERE user_id = $1::bigint
	RETURNING user_id
)
SELECT json_build_object('ok', true,
    'revoked', EXISTS (SELECT 1 FROM gone))

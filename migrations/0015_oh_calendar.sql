-- 0015: office hours reminders (24 hours and 1 hour before) and the
-- secret calendar feed URLs (app/oh_cal.c).

-- One row per booking and kind, planned when the booking is made: only
-- for a kind still ahead then (a booking made 3 hours before the start
-- gets the 1-hour reminder only).  sent_at is set, in the transaction
-- that claimed the row, whether a notification went out ('sent') or the
-- booking no longer wanted one ('skipped': cancelled, still waitlisted,
-- its slot cancelled or already started).
CREATE TABLE oh_reminders (
	booking_id	bigint NOT NULL REFERENCES oh_bookings (id)
	    ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('24h', '1h')),
	due_at		timestamptz NOT NULL,
	sent_at		timestamptz,
	outcome		text CHECK (outcome IN ('sent', 'skipped')),
	PRIMARY KEY (booking_id, kind),
	CHECK ((sent_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX oh_reminders_due ON oh_reminders (due_at)
    WHERE sent_at IS NULL;

CREATE FUNCTION oh_reminder_lead(kind text) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE kind WHEN '24h' THEN interval '24 hours'
    ELSE interval '1 hour' END;

CREATE FUNCTION oh_reminders_plan() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO oh_reminders (booking_id, kind, due_at)
	SELECT NEW.id, k.kind, s.starts_at - oh_reminder_lead(k.kind)
	FROM oh_slots s, (VALUES ('24h'), ('1h')) k (kind)
	WHERE s.id = NEW.slot_id
	    AND s.starts_at - oh_reminder_lead(k.kind) > now()
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE TRIGGER oh_bookings_reminders AFTER INSERT ON oh_bookings
    FOR EACH ROW EXECUTE FUNCTION oh_reminders_plan();

-- A slot that moves takes its reminders not yet sent along.
CREATE FUNCTION oh_reminders_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE oh_reminders r
	SET due_at = NEW.starts_at - oh_reminder_lead(r.kind)
	FROM oh_bookings b
	WHERE b.slot_id = NEW.id AND r.booking_id = b.id
	    AND r.sent_at IS NULL;
	RETURN NULL;
END
$$;

CREATE TRIGGER oh_slots_reminders AFTER UPDATE OF starts_at ON oh_slots
    FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at)
    EXECUTE FUNCTION oh_reminders_move();

-- Send what is due, at most lim reminders (the site setting
-- reminder_batch, default 100), and return how many went out.  Called by a timer in every worker of every node at once: a row
-- is claimed with FOR UPDATE SKIP LOCKED (another caller skips it
-- instead of waiting), marked sent in the same transaction as its
-- notification, and a caller that reaches it after that commit finds
-- sent_at set when PostgreSQL re-checks the locked row: so each reminder
-- is sent exactly once.  The booking is locked too (FOR SHARE): a cancel
-- in flight either commits first (and the reminder is skipped) or waits
-- for this one; a booking locked by its own writer is skipped for now
-- and its reminder taken at the next call.
CREATE FUNCTION oh_reminders_send(
    lim int DEFAULT setting_int('reminder_batch', 100)) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	r	record;
	ok	boolean;
	n	int := 0;
BEGIN
	FOR r IN
		SELECT rm.booking_id, rm.kind, b.maker_id, b.status,
		    s.mentor_id, s.starts_at, s.cancelled_at
		FROM oh_reminders rm
		JOIN oh_bookings b ON b.id = rm.booking_id
		JOIN oh_slots s ON s.id = b.slot_id
		WHERE rm.sent_at IS NULL AND rm.due_at <= now()
		ORDER BY rm.due_at
		LIMIT lim
		FOR UPDATE OF rm SKIP LOCKED
		FOR SHARE OF b SKIP LOCKED
	LOOP
		-- A 24-hour reminder that comes so late the 1-hour one is due
		-- too is skipped: one reminder, not two at once.
		ok := r.status = 'confirmed' AND r.cancelled_at IS NULL
		    AND now() < r.starts_at
		    AND (r.kind = '1h' OR now() < r.starts_at - interval '1 hour');
		IF ok THEN
			INSERT INTO notifications (user_id, type, actor_id, url,
			    data)
			VALUES (r.maker_id, 'oh_reminder_' || r.kind, r.mentor_id,
			    '/bookings/' || r.booking_id,
			    jsonb_build_object('title',
			        to_char(r.starts_at, 'YYYY-MM-DD HH24:MI'),
			        'starts_at', rfc3339(r.starts_at),
			        'booking_id', r.booking_id));
			n := n + 1;
		END IF;
		UPDATE oh_reminders
		SET sent_at = now(),
		    outcome = CASE WHEN ok THEN 'sent' ELSE 'skipped' END
		WHERE booking_id = r.booking_id AND kind = r.kind;
	END LOOP;
	RETURN n;
END
$$;

-- Bookings made before this migration get their reminders too.
INSERT INTO oh_reminders (booking_id, kind, due_at)
SELECT b.id, k.kind, s.starts_at - oh_reminder_lead(k.kind)
FROM oh_bookings b
JOIN oh_slots s ON s.id = b.slot_id,
    (VALUES ('24h'), ('1h')) k (kind)
WHERE s.starts_at - oh_reminder_lead(k.kind) > now()
ON CONFLICT DO NOTHING;

-- A user's secret calendar feed (GET /calendar/{token}.ics): only the
-- SHA-256 of the token is kept; making a new one replaces the old.
CREATE TABLE calendar_tokens (
	user_id		bigint PRIMARY KEY REFERENCES users (id)
	    ON DELETE CASCADE,
	token_hash	text NOT NULL UNIQUE
	    CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- One booking as the calendar writer wants it (app/oh_cal.c), seen as
-- role ('maker': with the mentor; 'mentor': with the maker).  Times in
-- RFC 3339 with the offset of the connection's zone; app/ical.c writes
-- them in UTC.
CREATE FUNCTION oh_cal_event(b oh_bookings, s oh_slots, role text)
RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', b.id, 'role', role,
    'sequence', b.sequence, 'status', b.status,
    'slot_cancelled', s.cancelled_at IS NOT NULL,
    'stamp', rfc3339(now()), 'starts_at', rfc3339(s.starts_at),
    'ends_at', rfc3339(s.ends_at), 'created_at', rfc3339(b.created_at),
    'updated_at', rfc3339(b.updated_at),
    'mentor', (SELECT u.display_name FROM users u WHERE u.id = s.mentor_id),
    'maker', (SELECT u.display_name FROM users u WHERE u.id = b.maker_id),
    'question', b.question,
    'topic_title', (SELECT t.title FROM topics t WHERE t.id = b.topic_id),
    'place', s.place, 'online_url', s.online_url);

-- 0014: mentor office hours (issue 13): mentor profiles, weekly rules,
-- slots as real rows, bookings with a waitlist, no-show suspensions.
--
-- Every rule that must hold under concurrency is here:
-- - a mentor is never in two live slots at once: an exclusion
--   constraint over (mentor as a one-point range, the slot's time);
--   ranges have GiST support of their own, so no extension is needed;
-- - a seat is never given twice: a confirmed booking holds a seat
--   number, unique per slot; oh_book() takes the slot's row lock and
--   the maker's advisory lock, so the count, the weekly limit and the
--   overlap check see every booking committed before them;
-- - slots are generated for the booking window idempotently (UNIQUE
--   (rule_id, starts_at), INSERT ... ON CONFLICT DO NOTHING), rules
--   claimed with FOR UPDATE SKIP LOCKED, whoever asks first;
-- - sequence is raised and updated_at set on EVERY change of a booking
--   (a trigger): the iCalendar SEQUENCE.
--
-- Times: the connection's TimeZone is the site zone (app/db.c), so a
-- local date plus a local time AT TIME ZONE current_setting('TimeZone')
-- is that wall-clock time in the site zone, DST changes included.
--
-- Refusals are raised by oh_error(): SQLSTATE MS<status>, MESSAGE
-- 'oh.err.<code>' (a catalog key whose last part is the API's code),
-- DETAIL a JSON object: "field" and values the message names (app/oh.c).

ALTER TABLE users ADD COLUMN booking_suspended_until timestamptz;

CREATE TABLE mentor_profiles (
	user_id		bigint PRIMARY KEY REFERENCES users (id)
	    ON DELETE CASCADE,
	expertise	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(expertise) <= 10),
	bio		text NOT NULL DEFAULT ''
	    CHECK (char_length(bio) <= 8000),
	bio_html	text NOT NULL DEFAULT '',
	place		text NOT NULL DEFAULT ''
	    CHECK (char_length(place) <= 120),
	notice_hours	integer NOT NULL DEFAULT 12
	    CHECK (notice_hours BETWEEN 0 AND 168),
	window_days	integer NOT NULL DEFAULT 28
	    CHECK (window_days BETWEEN 1 AND 90),
	cancel_hours	integer NOT NULL DEFAULT 24
	    CHECK (cancel_hours BETWEEN 0 AND 168),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mentor_profiles_expertise ON mentor_profiles
    USING gin (expertise);

CREATE TABLE oh_rules (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mentor_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	weekday		integer NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_local	time NOT NULL,
	end_local	time NOT NULL CHECK (end_local > start_local),
	slot_minutes	integer NOT NULL CHECK (slot_minutes BETWEEN 10 AND 300),
	buffer_minutes	integer NOT NULL DEFAULT 0
	    CHECK (buffer_minutes BETWEEN 0 AND 120),
	capacity	integer NOT NULL DEFAULT 1
	    CHECK (capacity BETWEEN 1 AND 50),
	place		text NOT NULL DEFAULT ''
	    CHECK (char_length(place) <= 120),
	online_url	text CHECK (online_url ~ '^https://'
	    AND char_length(online_url) <= 500),
	valid_from	date NOT NULL DEFAULT current_date,
	valid_until	date CHECK (valid_until >= valid_from),
	-- The site zone the rule was made in: its times are wall-clock
	-- times there, whatever zone a session that extends it runs in.
	zone		text NOT NULL DEFAULT current_setting('TimeZone'),
	-- Slots exist up to this local date (inclusive).
	generated_until	date NOT NULL DEFAULT current_date - 1,
	deleted_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (start_local + make_interval(mins => slot_minutes) <= end_local)
);
CREATE INDEX oh_rules_mentor ON oh_rules (mentor_id)
    WHERE deleted_at IS NULL;

CREATE TABLE oh_slots (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mentor_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rule_id		bigint REFERENCES oh_rules (id),
	starts_at	timestamptz NOT NULL,
	ends_at		timestamptz NOT NULL,
	capacity	integer NOT NULL CHECK (capacity BETWEEN 1 AND 50),
	place		text NOT NULL DEFAULT ''
	    CHECK (char_length(place) <= 120),
	online_url	text CHECK (online_url ~ '^https://'
	    AND char_length(online_url) <= 500),
	cancelled_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '5 hours'),
	UNIQUE (rule_id, starts_at),
	CONSTRAINT oh_slots_no_overlap EXCLUDE USING gist (
	    int8range(mentor_id, mentor_id, '[]') WITH &&,
	    tstzrange(starts_at, ends_at) WITH &&)
	    WHERE (cancelled_at IS NULL)
);
CREATE INDEX oh_slots_upcoming ON oh_slots (starts_at)
    WHERE cancelled_at IS NULL;
CREATE INDEX oh_slots_mentor ON oh_slots (mentor_id, starts_at);

CREATE TABLE oh_bookings (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slot_id		bigint NOT NULL REFERENCES oh_slots (id),
	maker_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	question	text CHECK (char_length(question) BETWEEN 10 AND 4000),
	question_html	text,
	question_tokens	text,
	-- The topic title a share would use, and its search tokens.
	title		text CHECK (char_length(title) <= 120),
	title_tokens	text,
	topic_id	bigint REFERENCES topics (id) ON DELETE SET NULL,
	status		text NOT NULL CHECK (status IN ('confirmed',
	    'waitlisted', 'cancelled')),
	-- A confirmed booking holds a seat of its slot (unique below).
	seat		integer CHECK (seat BETWEEN 1 AND 50),
	attendance	text CHECK (attendance IN ('attended', 'no_show')),
	notes		text CHECK (char_length(notes) BETWEEN 1 AND 8000),
	notes_html	text,
	notes_tokens	text,
	cancel_message	text CHECK (char_length(cancel_message) <= 1000),
	cancelled_by	bigint REFERENCES users (id),
	cancelled_at	timestamptz,
	shared_topic_id	bigint REFERENCES topics (id) ON DELETE SET NULL,
	sequence	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'confirmed') = (seat IS NOT NULL)),
	CHECK (question IS NOT NULL OR topic_id IS NOT NULL)
);
CREATE UNIQUE INDEX oh_bookings_seat ON oh_bookings (slot_id, seat)
    WHERE status = 'confirmed';
-- One active booking per maker and slot.
CREATE UNIQUE INDEX oh_bookings_once ON oh_bookings (slot_id, maker_id)
    WHERE status <> 'cancelled';
CREATE INDEX oh_bookings_slot ON oh_bookings (slot_id, id);
CREATE INDEX oh_bookings_maker ON oh_bookings (maker_id, id DESC);

-- sequence and updated_at follow every change of a booking.
CREATE FUNCTION oh_bookings_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.sequence := OLD.sequence + 1;
	NEW.updated_at := now();
	RETURN NEW;
END $$;
CREATE TRIGGER oh_bookings_touch BEFORE UPDATE ON oh_bookings
FOR EACH ROW EXECUTE FUNCTION oh_bookings_touch();

-- The home page's "next office hours" and the kept lists: a version
-- every change of a slot or booking raises.
INSERT INTO listing_versions (name) VALUES ('office_hours');
CREATE FUNCTION oh_listing_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE listing_versions SET version = version + 1
	WHERE name = 'office_hours';
	RETURN NULL;
END $$;
CREATE TRIGGER oh_slots_bump AFTER INSERT OR UPDATE OR DELETE ON oh_slots
FOR EACH STATEMENT EXECUTE FUNCTION oh_listing_bump();
CREATE TRIGGER oh_bookings_bump AFTER INSERT OR UPDATE ON oh_bookings
FOR EACH STATEMENT EXECUTE FUNCTION oh_listing_bump();

INSERT INTO site_settings (key, value) VALUES
	('bookings_per_week', '2'),
	('no_show_limit', '3'),
	('no_show_days', '30'),
	('no_show_suspend_days', '7'),
	('oh_waitlist_max', '50')
ON CONFLICT (key) DO NOTHING;

-- ------------------------------------------------------------------
-- Helpers.

-- A refusal (see the head of this file).
CREATE FUNCTION oh_error(status integer, code text, detail jsonb
    DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'MS' || status,
	    MESSAGE = 'oh.err.' || code, DETAIL = detail::text;
END $$;

CREATE FUNCTION oh_is_mentor(r text) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN r IN ('mentor', 'staff', 'admin');

-- A mentor's profile, or the defaults when they have none yet.
CREATE FUNCTION oh_profile(uid bigint) RETURNS mentor_profiles
LANGUAGE sql STABLE
RETURN coalesce((SELECT p FROM mentor_profiles p WHERE p.user_id = uid),
    ROW(uid, '{}', '', '', '', 12, 28, 24, now())::mentor_profiles);

-- Local wall-clock time d + t in the site zone.
CREATE FUNCTION oh_local(d date, t time) RETURNS timestamptz
LANGUAGE sql STABLE
RETURN (d + t) AT TIME ZONE current_setting('TimeZone');

-- The slots rule r makes on the local dates d_from..d_to, in the rule's
-- zone (its DST rules: 19:00 stays 19:00 local).
CREATE FUNCTION oh_rule_times(r oh_rules, d_from date, d_to date)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT ((d::date + r.start_local) +
	    make_interval(mins => k * (r.slot_minutes + r.buffer_minutes)))
	    AT TIME ZONE r.zone,
	    ((d::date + r.start_local) +
	    make_interval(mins => k * (r.slot_minutes + r.buffer_minutes) +
	    r.slot_minutes)) AT TIME ZONE r.zone
	FROM generate_series(greatest(d_from, r.valid_from)::timestamp,
	    least(d_to, coalesce(r.valid_until, d_to))::timestamp,
	    interval '1 day') d,
	    generate_series(0, (((extract(epoch FROM r.end_local -
	    r.start_local) / 60)::integer + r.buffer_minutes) /
	    (r.slot_minutes + r.buffer_minutes)) - 1) k
	WHERE extract(isodow FROM d) = r.weekday
$$;

-- Generate the slots of the live rules (of mentor mid, or all when
-- NULL) up to each mentor's booking window.  Idempotent and safe to run
-- anywhere at once: a rule being extended elsewhere is skipped, a slot
-- that exists (or would overlap one) is not inserted again.
CREATE FUNCTION oh_extend(mid bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r	oh_rules;
	target	date;
	n	integer := 0;
	c	integer;
BEGIN
	FOR r IN SELECT x.* FROM oh_rules x
	    WHERE x.deleted_at IS NULL AND (mid IS NULL OR x.mentor_id = mid)
	    AND x.generated_until < current_date +
		(oh_profile(x.mentor_id)).window_days
	    AND (x.valid_until IS NULL OR x.generated_until < x.valid_until)
	    FOR UPDATE SKIP LOCKED
	LOOP
		target := current_date + (oh_profile(r.mentor_id)).window_days;
		INSERT INTO oh_slots (mentor_id, rule_id, starts_at, ends_at,
		    capacity, place, online_url)
		SELECT r.mentor_id, r.id, s.starts_at, s.ends_at, r.capacity,
		    r.place, r.online_url
		FROM oh_rule_times(r, greatest(r.generated_until + 1,
		    current_date), target) s
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		n := n + c;
		UPDATE oh_rules SET generated_until = target WHERE id = r.id;
	END LOOP;
	RETURN n;
END $$;

-- A slot as lists and pages show it.
CREATE FUNCTION oh_slot_json(s oh_slots) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', s.id, 'url', '/office-hours/slots/' || s.id,
    'mentor', (SELECT user_brief(u) FROM users u WHERE u.id = s.mentor_id),
    'starts_at', rfc3339(s.starts_at), 'ends_at', rfc3339(s.ends_at),
    'date', to_char(s.starts_at, 'YYYY-MM-DD'),
    'weekday', extract(isodow FROM s.starts_at)::integer,
    'time', to_char(s.starts_at, 'HH24:MI'),
    'end_time', to_char(s.ends_at, 'HH24:MI'),
    'place', s.place, 'online', s.online_url IS NOT NULL,
    'capacity', s.capacity,
    'seats_left', greatest(0, s.capacity - (SELECT count(*) FROM oh_bookings b
	WHERE b.slot_id = s.id AND b.status = 'confirmed')),
    'waitlist', (SELECT count(*) FROM oh_bookings b
	WHERE b.slot_id = s.id AND b.status = 'waitlisted'),
    'cancelled', s.cancelled_at IS NOT NULL,
    'rule_id', s.rule_id);

-- Its place on the waitlist (1 = next), NULL when not waiting.
CREATE FUNCTION oh_position(b oh_bookings) RETURNS integer
LANGUAGE sql STABLE
RETURN CASE WHEN b.status = 'waitlisted' THEN (SELECT count(*)::integer
    FROM oh_bookings w WHERE w.slot_id = b.slot_id
    AND w.status = 'waitlisted' AND w.id <= b.id) END;

-- The lowest free seat of slot s, NULL when it is full.
CREATE FUNCTION oh_free_seat(s oh_slots) RETURNS integer
LANGUAGE sql STABLE
RETURN (SELECT min(k) FROM generate_series(1, s.capacity) k
    WHERE NOT EXISTS (SELECT 1 FROM oh_bookings b WHERE b.slot_id = s.id
    AND b.status = 'confirmed' AND b.seat = k));

-- Local "YYYY-MM-DD HH24:MI" for notifications.
CREATE FUNCTION oh_when(t timestamptz) RETURNS text
LANGUAGE sql STABLE
RETURN to_char(t, 'YYYY-MM-DD HH24:MI');

-- ------------------------------------------------------------------
-- Writes.

-- POST /mentors/me.
CREATE FUNCTION oh_profile_save(uid bigint, p_expertise text[], p_bio text,
    p_bio_html text, p_place text, p_notice integer, p_window integer,
    p_cancel integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	IF NOT oh_is_mentor(u.role) THEN
		PERFORM oh_error(403, 'not_mentor');
	END IF;
	INSERT INTO mentor_profiles AS p (user_id, expertise, bio, bio_html,
	    place, notice_hours, window_days, cancel_hours)
	VALUES (uid, p_expertise, p_bio, p_bio_html, p_place, p_notice,
	    p_window, p_cancel)
	ON CONFLICT (user_id) DO UPDATE SET expertise = EXCLUDED.expertise,
	    bio = EXCLUDED.bio, bio_html = EXCLUDED.bio_html,
	    place = EXCLUDED.place, notice_hours = EXCLUDED.notice_hours,
	    window_days = EXCLUDED.window_days,
	    cancel_hours = EXCLUDED.cancel_hours, updated_at = now();
	PERFORM oh_extend(uid);
	RETURN json_build_object('mentor', json_build_object(
	    'username', u.username, 'url', '/mentors/' || u.username));
END $$;

CREATE FUNCTION oh_rule_json(r oh_rules) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', r.id, 'weekday', r.weekday,
    'start', to_char(r.start_local, 'HH24:MI'),
    'end', to_char(r.end_local, 'HH24:MI'),
    'slot_minutes', r.slot_minutes, 'buffer_minutes', r.buffer_minutes,
    'capacity', r.capacity, 'place', r.place, 'online_url', r.online_url,
    'from', r.valid_from, 'until', r.valid_until,
    'delete_url', '/office-hours/rules/' || r.id || '/delete');

-- POST /office-hours/rules: the rule and its slots for the window; a
-- slot that would overlap one of the mentor's is 409 (nothing saved).
CREATE FUNCTION oh_rule_create(uid bigint, p_weekday integer,
    p_start time, p_end time, p_slot integer, p_buffer integer,
    p_capacity integer, p_place text, p_url text, p_from date,
    p_until date) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	r	oh_rules;
	target	date;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	IF NOT oh_is_mentor(u.role) THEN
		PERFORM oh_error(403, 'not_mentor');
	END IF;
	INSERT INTO mentor_profiles (user_id) VALUES (uid)
	ON CONFLICT DO NOTHING;
	INSERT INTO oh_rules (mentor_id, weekday, start_local, end_local,
	    slot_minutes, buffer_minutes, capacity, place, online_url,
	    valid_from, valid_until)
	VALUES (uid, p_weekday, p_start, p_end, p_slot, p_buffer, p_capacity,
	    coalesce(p_place, (oh_profile(uid)).place), p_url,
	    coalesce(p_from, current_date), p_until)
	RETURNING * INTO r;
	-- Another live rule on the same weekday and hours, dates crossing.
	IF EXISTS (SELECT 1 FROM oh_rules o WHERE o.mentor_id = uid
	    AND o.id <> r.id AND o.deleted_at IS NULL
	    AND o.weekday = r.weekday AND o.start_local < r.end_local
	    AND r.start_local < o.end_local
	    AND daterange(o.valid_from, o.valid_until, '[]') &&
		daterange(r.valid_from, r.valid_until, '[]')) THEN
		PERFORM oh_error(409, 'overlap', '{"field": "start"}');
	END IF;
	target := current_date + (oh_profile(uid)).window_days;
	BEGIN
		INSERT INTO oh_slots (mentor_id, rule_id, starts_at, ends_at,
		    capacity, place, online_url)
		SELECT uid, r.id, s.starts_at, s.ends_at, r.capacity, r.place,
		    r.online_url
		FROM oh_rule_times(r, greatest(r.valid_from, current_date),
		    target) s
		WHERE s.starts_at > now();
	EXCEPTION WHEN exclusion_violation THEN
		PERFORM oh_error(409, 'overlap', '{"field": "start"}');
	END;
	UPDATE oh_rules SET generated_until = target WHERE id = r.id
	RETURNING * INTO r;
	RETURN json_build_object('rule', oh_rule_json(r),
	    'slots', (SELECT count(*) FROM oh_slots WHERE rule_id = r.id));
END $$;

-- POST /office-hours/rules/{id}/delete: the rule stops; its future
-- slots without an active booking go (deleted, or cancelled when a
-- cancelled booking still points at them); booked ones stay.
CREATE FUNCTION oh_rule_delete(uid bigint, rid bigint) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r	oh_rules;
	kept	integer;
BEGIN
	SELECT * INTO r FROM oh_rules WHERE id = rid AND mentor_id = uid
	    AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM oh_error(404, 'not_found');
	END IF;
	UPDATE oh_rules SET deleted_at = now() WHERE id = rid;
	-- Lock the slots first: a booking arriving now waits, then sees
	-- the slot gone or cancelled (oh_book locks the slot too).
	PERFORM 1 FROM oh_slots WHERE rule_id = rid AND starts_at > now()
	    FOR UPDATE;
	DELETE FROM oh_slots s WHERE s.rule_id = rid AND s.starts_at > now()
	    AND NOT EXISTS (SELECT 1 FROM oh_bookings b
		WHERE b.slot_id = s.id);
	UPDATE oh_slots s SET cancelled_at = now()
	WHERE s.rule_id = rid AND s.starts_at > now()
	    AND s.cancelled_at IS NULL
	    AND NOT EXISTS (SELECT 1 FROM oh_bookings b
		WHERE b.slot_id = s.id AND b.status <> 'cancelled');
	SELECT count(*) INTO kept FROM oh_slots s WHERE s.rule_id = rid
	    AND s.starts_at > now() AND s.cancelled_at IS NULL;
	RETURN json_build_object('rule', json_build_object('id', rid,
	    'deleted', true), 'booked_slots_kept', kept);
END $$;

-- POST /office-hours/slots: a one-off slot.
CREATE FUNCTION oh_slot_create(uid bigint, p_start timestamptz,
    p_minutes integer, p_capacity integer, p_place text, p_url text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	s	oh_slots;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	IF NOT oh_is_mentor(u.role) THEN
		PERFORM oh_error(403, 'not_mentor');
	END IF;
	IF p_start <= now() THEN
		PERFORM oh_error(422, 'past', '{"field": "starts_at"}');
	END IF;
	INSERT INTO mentor_profiles (user_id) VALUES (uid)
	ON CONFLICT DO NOTHING;
	BEGIN
		INSERT INTO oh_slots (mentor_id, starts_at, ends_at, capacity,
		    place, online_url)
		VALUES (uid, p_start, p_start + make_interval(mins =>
		    p_minutes), p_capacity, coalesce(p_place,
		    (oh_profile(uid)).place), p_url)
		RETURNING * INTO s;
	EXCEPTION WHEN exclusion_violation THEN
		PERFORM oh_error(409, 'overlap', '{"field": "starts_at"}');
	END;
	RETURN json_build_object('slot', oh_slot_json(s));
END $$;

-- POST /office-hours/slots/{id}/book.  The slot's row lock and the
-- maker's advisory lock make the checks and the seat one step: of any
-- number of simultaneous requests for the last seat one gets it and the
-- rest wait in line (oh_bookings_seat would refuse a second holder).
CREATE FUNCTION oh_book(uid bigint, sid bigint, p_question text,
    p_html text, p_tokens text, p_title text, p_title_tokens text,
    p_topic bigint) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	s	oh_slots;
	p	mentor_profiles;
	b	oh_bookings;
	v_seat	integer;
	n	integer;
	lim	integer;
	wk	timestamptz;
	t	topics;
BEGIN
	-- Key 7263140 + maker: one booking of a maker at a time.
	PERFORM pg_advisory_xact_lock(7263140, uid::integer);
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO s FROM oh_slots WHERE id = sid FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM oh_error(404, 'not_found');
	END IF;
	IF s.cancelled_at IS NOT NULL THEN
		PERFORM oh_error(409, 'slot_cancelled');
	END IF;
	IF u.booking_suspended_until > now() THEN
		PERFORM oh_error(403, 'booking_suspended', jsonb_build_object(
		    'until', rfc3339(u.booking_suspended_until),
		    'until_local', oh_when(u.booking_suspended_until)));
	END IF;
	IF s.mentor_id = uid THEN
		PERFORM oh_error(422, 'own_slot');
	END IF;
	p := oh_profile(s.mentor_id);
	IF s.starts_at <= now() THEN
		PERFORM oh_error(422, 'past');
	END IF;
	IF s.starts_at < now() + make_interval(hours => p.notice_hours) THEN
		PERFORM oh_error(422, 'too_soon', jsonb_build_object(
		    'hours', p.notice_hours));
	END IF;
	IF s.starts_at > now() + make_interval(days => p.window_days) THEN
		PERFORM oh_error(422, 'too_far', jsonb_build_object(
		    'days', p.window_days, 'from', oh_when(s.starts_at -
		    make_interval(days => p.window_days))));
	END IF;
	IF p_topic IS NOT NULL THEN
		SELECT * INTO t FROM topics WHERE id = p_topic;
		IF NOT coalesce(board_topic_visible(t, u), false) THEN
			PERFORM oh_error(422, 'bad_topic',
			    '{"field": "topic_id"}');
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM oh_bookings WHERE slot_id = sid
	    AND maker_id = uid AND status <> 'cancelled') THEN
		PERFORM oh_error(409, 'already_booked');
	END IF;
	IF EXISTS (SELECT 1 FROM oh_bookings o JOIN oh_slots os
	    ON os.id = o.slot_id WHERE o.maker_id = uid
	    AND o.status <> 'cancelled' AND os.cancelled_at IS NULL
	    AND tstzrange(os.starts_at, os.ends_at) &&
		tstzrange(s.starts_at, s.ends_at)) THEN
		PERFORM oh_error(409, 'overlapping_booking');
	END IF;
	lim := setting_int('bookings_per_week', 2);
	wk := date_trunc('week', s.starts_at);
	SELECT count(*) INTO n FROM oh_bookings o JOIN oh_slots os
	    ON os.id = o.slot_id WHERE o.maker_id = uid
	    AND o.status <> 'cancelled'
	    AND os.starts_at >= wk AND os.starts_at < wk + interval '1 week';
	IF n >= lim THEN
		PERFORM oh_error(429, 'limit_reached', jsonb_build_object(
		    'limit', lim, 'week', to_char(wk, 'YYYY-MM-DD'),
		    'frees_at', rfc3339(wk + interval '1 week'),
		    'next_week', to_char(wk + interval '1 week',
		    'YYYY-MM-DD')));
	END IF;
	v_seat := oh_free_seat(s);
	IF v_seat IS NULL AND (SELECT count(*) FROM oh_bookings
	    WHERE slot_id = sid AND status = 'waitlisted') >=
	    setting_int('oh_waitlist_max', 50) THEN
		PERFORM oh_error(409, 'slot_full');
	END IF;
	INSERT INTO oh_bookings (slot_id, maker_id, question, question_html,
	    question_tokens, title, title_tokens, topic_id, status, seat)
	VALUES (sid, uid, p_question, p_html, p_tokens, p_title,
	    p_title_tokens, p_topic, CASE WHEN v_seat IS NULL
	    THEN 'waitlisted' ELSE 'confirmed' END, v_seat)
	RETURNING * INTO b;
	INSERT INTO notifications (user_id, type, actor_id, url, data)
	VALUES (s.mentor_id, CASE WHEN v_seat IS NULL THEN 'oh_waitlisted'
	    ELSE 'oh_booked' END, uid, '/bookings/' || b.id,
	    jsonb_build_object('title', oh_when(s.starts_at)));
	RETURN json_build_object('booking', json_build_object('id', b.id,
	    'url', '/bookings/' || b.id, 'status', b.status,
	    'position', oh_position(b)));
END $$;

-- Give the free seats of slot s (locked by the caller) to the first in
-- line, and tell them.
CREATE FUNCTION oh_promote(s oh_slots) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	v_seat	integer;
	n	integer := 0;
BEGIN
	LOOP
		v_seat := oh_free_seat(s);
		EXIT WHEN v_seat IS NULL;
		SELECT * INTO b FROM oh_bookings WHERE slot_id = s.id
		    AND status = 'waitlisted' ORDER BY id LIMIT 1;
		EXIT WHEN NOT FOUND;
		UPDATE oh_bookings SET status = 'confirmed', seat = v_seat
		WHERE id = b.id;
		INSERT INTO notifications (user_id, type, actor_id, url, data)
		VALUES (b.maker_id, 'oh_promoted', s.mentor_id,
		    '/bookings/' || b.id,
		    jsonb_build_object('title', oh_when(s.starts_at)));
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

-- The booking bid as uid may act on it: 404 when they may not see it.
-- Locks the slot, then the booking (the order oh_book locks in).
CREATE FUNCTION oh_booking_for(uid bigint, bid bigint) RETURNS oh_bookings
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	s	oh_slots;
	u	users;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO s FROM oh_slots WHERE id =
	    (SELECT slot_id FROM oh_bookings WHERE id = bid) FOR UPDATE;
	SELECT * INTO b FROM oh_bookings WHERE id = bid FOR UPDATE;
	IF b.id IS NULL OR NOT (b.maker_id = uid OR s.mentor_id = uid OR
	    is_staff_role(u.role)) THEN
		PERFORM oh_error(404, 'not_found');
	END IF;
	RETURN b;
END $$;

-- POST /bookings/{id}/cancel.
CREATE FUNCTION oh_cancel(uid bigint, bid bigint, p_message text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	s	oh_slots;
	u	users;
	cutoff	timestamptz;
	side	boolean;	-- the mentor or staff cancel
BEGIN
	b := oh_booking_for(uid, bid);
	SELECT * INTO s FROM oh_slots WHERE id = b.slot_id;
	SELECT * INTO u FROM users WHERE id = uid;
	IF b.status = 'cancelled' THEN
		PERFORM oh_error(409, 'already_cancelled');
	END IF;
	side := b.maker_id <> uid;
	IF side AND coalesce(p_message, '') = '' THEN
		PERFORM oh_error(422, 'message_required',
		    '{"field": "message"}');
	END IF;
	cutoff := s.starts_at - make_interval(hours =>
	    (oh_profile(s.mentor_id)).cancel_hours);
	IF NOT side AND now() >= cutoff AND b.status = 'confirmed' THEN
		PERFORM oh_error(409, 'cutoff_passed', jsonb_build_object(
		    'cutoff', oh_when(cutoff)));
	END IF;
	UPDATE oh_bookings SET status = 'cancelled', seat = NULL,
	    cancelled_by = uid, cancelled_at = now(),
	    cancel_message = nullif(p_message, '')
	WHERE id = bid;
	INSERT INTO notifications (user_id, type, actor_id, url, data)
	VALUES (CASE WHEN side THEN b.maker_id ELSE s.mentor_id END,
	    'oh_cancelled', uid, '/bookings/' || bid,
	    jsonb_build_object('title', oh_when(s.starts_at),
	    'topic', coalesce(nullif(p_message, ''), '-')));
	IF s.starts_at > now() THEN
		PERFORM oh_promote(s);
	END IF;
	RETURN json_build_object('booking', json_build_object('id', bid,
	    'url', '/bookings/' || bid, 'status', 'cancelled'));
END $$;

-- POST /bookings/{id}/attendance: its mentor or staff, from the start.
-- A no-show that makes no_show_limit within no_show_days suspends the
-- maker's booking for no_show_suspend_days.
CREATE FUNCTION oh_attendance(uid bigint, bid bigint, p_att text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	s	oh_slots;
	u	users;
	n	integer;
	until	timestamptz;
BEGIN
	b := oh_booking_for(uid, bid);
	SELECT * INTO s FROM oh_slots WHERE id = b.slot_id;
	SELECT * INTO u FROM users WHERE id = uid;
	IF b.maker_id = uid AND s.mentor_id <> uid AND
	    NOT is_staff_role(u.role) THEN
		PERFORM oh_error(403, 'mentor_only');
	END IF;
	IF b.status <> 'confirmed' THEN
		PERFORM oh_error(409, 'not_confirmed');
	END IF;
	IF now() < s.starts_at THEN
		PERFORM oh_error(409, 'not_started', jsonb_build_object(
		    'at', oh_when(s.starts_at)));
	END IF;
	UPDATE oh_bookings SET attendance = p_att WHERE id = bid;
	IF p_att = 'no_show' THEN
		SELECT count(*) INTO n FROM oh_bookings o JOIN oh_slots os
		    ON os.id = o.slot_id WHERE o.maker_id = b.maker_id
		    AND o.attendance = 'no_show' AND os.starts_at > now() -
		    make_interval(days => setting_int('no_show_days', 30));
		IF n >= setting_int('no_show_limit', 3) THEN
			until := now() + make_interval(days =>
			    setting_int('no_show_suspend_days', 7));
			UPDATE users SET booking_suspended_until =
			    greatest(booking_suspended_until, until)
			WHERE id = b.maker_id;
			INSERT INTO notifications (user_id, type, actor_id,
			    url, data)
			VALUES (b.maker_id, 'oh_suspended', NULL,
			    '/me/bookings', jsonb_build_object('title',
			    oh_when(until)));
		END IF;
	END IF;
	RETURN json_build_object('booking', json_build_object('id', bid,
	    'url', '/bookings/' || bid, 'attendance', p_att));
END $$;

-- POST /bookings/{id}/notes: its mentor, once the session has begun.
CREATE FUNCTION oh_notes(uid bigint, bid bigint, p_notes text,
    p_html text, p_tokens text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	s	oh_slots;
	u	users;
BEGIN
	b := oh_booking_for(uid, bid);
	SELECT * INTO s FROM oh_slots WHERE id = b.slot_id;
	SELECT * INTO u FROM users WHERE id = uid;
	IF s.mentor_id <> uid THEN
		PERFORM oh_error(403, 'mentor_only');
	END IF;
	IF b.status <> 'confirmed' THEN
		PERFORM oh_error(409, 'not_confirmed');
	END IF;
	IF now() < s.starts_at THEN
		PERFORM oh_error(409, 'not_started', jsonb_build_object(
		    'at', oh_when(s.starts_at)));
	END IF;
	UPDATE oh_bookings SET notes = p_notes, notes_html = p_html,
	    notes_tokens = p_tokens WHERE id = bid;
	RETURN json_build_object('booking', json_build_object('id', bid,
	    'url', '/bookings/' || bid, 'notes_html', p_html));
END $$;

-- POST /bookings/{id}/share: the maker publishes the question and the
-- notes through the board's own functions: a topic in the help category
-- by the maker, the notes a reply by the mentor, marked as the answer.
-- A booking made for a board topic gets the notes as the answer there.
CREATE FUNCTION oh_share(uid bigint, bid bigint) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b	oh_bookings;
	s	oh_slots;
	u	users;
	mentor	users;
	t	topics;
	p	posts;
	res	json;
	tid	bigint;
BEGIN
	b := oh_booking_for(uid, bid);
	SELECT * INTO s FROM oh_slots WHERE id = b.slot_id;
	SELECT * INTO u FROM users WHERE id = uid;
	IF b.maker_id <> uid THEN
		PERFORM oh_error(403, 'maker_only');
	END IF;
	IF b.notes IS NULL THEN
		PERFORM oh_error(409, 'no_notes');
	END IF;
	IF b.shared_topic_id IS NOT NULL THEN
		PERFORM oh_error(409, 'already_shared', jsonb_build_object(
		    'url', '/t/' || b.shared_topic_id));
	END IF;
	SELECT * INTO mentor FROM users WHERE id = s.mentor_id;
	IF b.question IS NOT NULL THEN
		res := board_topic_create(uid, 'help', b.title,
		    coalesce(b.title_tokens, ''), b.question, b.question_html,
		    coalesce(b.question_tokens, ''), '{}');
		tid := (res -> 'topic' ->> 'id')::bigint;
	ELSE
		tid := b.topic_id;
	END IF;
	SELECT * INTO t FROM topics WHERE id = tid FOR UPDATE;
	p := board_post_insert(mentor, t, b.notes, b.notes_html,
	    coalesce(b.notes_tokens, ''), NULL, '{}');
	IF (SELECT solvable FROM categories WHERE id = t.category_id) AND
	    (t.author_id = uid) THEN
		UPDATE topics SET solved_post_id = p.id WHERE id = tid
		RETURNING * INTO t;
		PERFORM board_touch(tid);
	END IF;
	UPDATE oh_bookings SET shared_topic_id = tid WHERE id = bid;
	RETURN json_build_object('topic', json_build_object('id', t.id,
	    'url', '/t/' || t.id, 'title', t.title, 'status', t.status,
	    'solved_post_id', t.solved_post_id));
END $$;

-- Staff lift a booking suspension (POST /admin/users/{username} with
-- booking_suspended_until empty), audited.
CREATE FUNCTION oh_suspension_lift(actor bigint, p_username text,
    p_reason text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
BEGIN
	SELECT * INTO u FROM users WHERE lower(username) = lower(p_username)
	    FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	IF u.booking_suspended_until > now() THEN
		UPDATE users SET booking_suspended_until = NULL
		WHERE id = u.id;
		INSERT INTO audit_log (actor_id, action, target_user_id,
		    target, reason, details)
		VALUES (actor, 'booking_unsuspend', u.id, u.username,
		    p_reason, jsonb_build_object('was',
		    rfc3339(u.booking_suspended_until)));
	END IF;
END $$;

-- ------------------------------------------------------------------
-- Reads.

-- A weekday's short name in the page's language (en or zh-CN).
CREATE FUNCTION oh_weekday_name(d timestamptz, en boolean) RETURNS text
LANGUAGE sql STABLE
RETURN CASE WHEN en THEN to_char(d, 'Dy') ELSE '周' ||
    (ARRAY['一', '二', '三', '四', '五', '六', '日'])
    [extract(isodow FROM d)::integer] END;

-- A booking as GET /bookings/{id} shows it to someone who may see it
-- (vid: the viewer; the mentor and staff also see the cancel message
-- and the notes, as the maker does).
CREATE FUNCTION oh_booking_json(b oh_bookings, vid bigint, vrole text)
RETURNS json
LANGUAGE sql STABLE
RETURN (SELECT json_build_object('id', b.id, 'url', '/bookings/' || b.id,
    'slot', oh_slot_json(s),
    'mentor', (SELECT user_brief(m) FROM users m WHERE m.id = s.mentor_id),
    'maker', (SELECT user_brief(k) FROM users k WHERE k.id = b.maker_id),
    'question', b.question, 'question_html', b.question_html,
    'topic', (SELECT json_build_object('id', t.id, 'url', '/t/' || t.id,
	'title', t.title) FROM topics t WHERE t.id = b.topic_id),
    'status', b.status, 'position', oh_position(b),
    'confirmed', b.status = 'confirmed',
    'waitlisted', b.status = 'waitlisted',
    'cancelled', b.status = 'cancelled',
    'attendance', b.attendance, 'notes', b.notes, 'notes_html', b.notes_html,
    'cancel_message', b.cancel_message,
    'cancelled_at', rfc3339(b.cancelled_at),
    'cancel_before', rfc3339(s.starts_at - make_interval(hours =>
	(oh_profile(s.mentor_id)).cancel_hours)),
    'shared_topic', CASE WHEN b.shared_topic_id IS NOT NULL THEN
	json_build_object('id', b.shared_topic_id,
	'url', '/t/' || b.shared_topic_id) END,
    'sequence', b.sequence,
    'started', s.starts_at <= now(),
    'is_maker', b.maker_id = vid,
    'is_mentor', s.mentor_id = vid,
    'can_cancel', b.status <> 'cancelled' AND (b.maker_id <> vid OR
	b.status = 'waitlisted' OR now() < s.starts_at - make_interval(hours
	=> (oh_profile(s.mentor_id)).cancel_hours)),
    'can_attend', b.status = 'confirmed' AND s.starts_at <= now() AND
	(s.mentor_id = vid OR is_staff_role(vrole)),
    'can_note', b.status = 'confirmed' AND s.starts_at <= now() AND
	s.mentor_id = vid,
    'can_share', b.maker_id = vid AND b.notes IS NOT NULL AND
	b.shared_topic_id IS NULL,
    'created_at', rfc3339(b.created_at), 'updated_at', rfc3339(b.updated_at))
    FROM oh_slots s WHERE s.id = b.slot_id);

-- The upcoming slots of a mentor's booking window, grouped by local
-- day for the week view.
CREATE FUNCTION oh_days(slots json, en boolean) RETURNS json
LANGUAGE sql STABLE
RETURN (SELECT coalesce(json_agg(json_build_object('date', d.date,
    'weekday', oh_weekday_name((d.date || 'T12:00')::timestamptz, en),
    'slots', d.slots) ORDER BY d.date), '[]')
    FROM (SELECT x ->> 'date' AS date, json_agg(x ORDER BY
	x ->> 'starts_at') AS slots FROM json_array_elements(slots) x
	GROUP BY x ->> 'date') d);

-- What staff see of a user (as in 0002), and the booking suspension.
CREATE OR REPLACE FUNCTION user_admin_json(u users) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
RETURN json_build_object('id', u.id, 'username', u.username,
    'display_name', u.display_name, 'email', u.email, 'role', u.role,
    'real_name', u.real_name, 'reader_card', u.reader_card,
    'verified', u.verified_at IS NOT NULL,
    'verified_at', rfc3339(u.verified_at),
    'suspended_until', CASE WHEN u.suspended_until > now()
        THEN rfc3339(u.suspended_until) END,
    'suspend_reason', CASE WHEN u.suspended_until > now()
        THEN u.suspend_reason END,
    'booking_suspended_until', CASE WHEN u.booking_suspended_until > now()
        THEN rfc3339(u.booking_suspended_until) END,
    'created_at', rfc3339(u.created_at),
    'url', '/u/' || u.username);

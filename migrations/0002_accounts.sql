-- 0002: accounts, sessions and API tokens, roles and verification,
-- rate-limit counters, the audit log, notifications.

-- Site settings with defaults: a missing row means the default.
CREATE FUNCTION setting_int(k text, dflt integer) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((SELECT (value #>> '{}')::integer FROM site_settings
    WHERE key = k), dflt);

CREATE FUNCTION setting_bool(k text, dflt boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((SELECT (value #>> '{}')::boolean FROM site_settings
    WHERE key = k), dflt);

CREATE TABLE users (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username	text NOT NULL CHECK (username ~ '^[a-z0-9_]{3,32}$'),
	display_name	text NOT NULL
	    CHECK (char_length(display_name) BETWEEN 1 AND 50),
	email		text CHECK (char_length(email) <= 254),
	password_hash	text NOT NULL,
	role		text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('member', 'mentor', 'staff', 'admin')),
	-- Real-name verification: staff confirmed real_name / reader_card.
	real_name	text CHECK (char_length(real_name) <= 50),
	reader_card	text CHECK (char_length(reader_card) <= 32),
	verified_at	timestamptz,
	verified_by	bigint REFERENCES users (id),
	bio		text NOT NULL DEFAULT ''
	    CHECK (octet_length(bio) <= 65536),
	bio_html	text NOT NULL DEFAULT '',
	locale		text CHECK (locale IN ('zh-CN', 'en')),
	suspended_until	timestamptz,
	suspend_reason	text CHECK (char_length(suspend_reason) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now()
);
-- Usernames are unique ignoring case, whatever a client sends.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- Cookie sessions and API tokens.  Only the SHA-256 of the secret is
-- stored; the secret itself is shown once.
CREATE TABLE sessions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind		text NOT NULL DEFAULT 'session'
	    CHECK (kind IN ('session', 'token')),
	name		text CHECK (char_length(name) BETWEEN 1 AND 60),
	csrf		text NOT NULL,
	user_agent	text CHECK (char_length(user_agent) <= 300),
	ip		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz,
	CHECK (kind = 'session' OR name IS NOT NULL)
);
CREATE INDEX sessions_user ON sessions (user_id, kind);

-- Fixed-window counters for rate limits; they live in PostgreSQL so
-- they hold across workers and nodes.  Old windows are swept as new
-- ones are written.
CREATE TABLE rate_counters (
	key		text NOT NULL,
	window_start	timestamptz NOT NULL,
	n		integer NOT NULL DEFAULT 0,
	PRIMARY KEY (key, window_start)
);

-- Count one hit on key in a window of secs seconds; returns 0 while the
-- count is within lim, else the seconds until the window ends.
CREATE FUNCTION rate_hit(k text, secs integer, lim integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	ws	timestamptz := to_timestamp(floor(extract(epoch FROM now()) /
	    secs) * secs);
	cnt	integer;
BEGIN
	INSERT INTO rate_counters AS r (key, window_start, n)
	VALUES (k, ws, 1)
	ON CONFLICT (key, window_start) DO UPDATE SET n = r.n + 1
	RETURNING n INTO cnt;
	IF random() < 0.01 THEN
		DELETE FROM rate_counters
		WHERE window_start < now() - interval '1 day';
	END IF;
	IF cnt > lim THEN
		RETURN greatest(1, ceil(extract(epoch FROM
		    ws + make_interval(secs => secs) - now()))::integer);
	END IF;
	RETURN 0;
END $$;

-- The current count of key's window, without counting a hit.
CREATE FUNCTION rate_peek(k text, secs integer) RETURNS integer
LANGUAGE sql STABLE
RETURN coalesce((SELECT n FROM rate_counters WHERE key = k AND
    window_start = to_timestamp(floor(extract(epoch FROM now()) / secs) *
    secs)), 0);

-- Failed logins per account: after a burst of failures the account is
-- locked for a growing time (30 s, 1 min, 2 min, ... at most 15 min).
CREATE TABLE login_throttle (
	username	text PRIMARY KEY,
	failures	integer NOT NULL DEFAULT 0,
	last_failure_at	timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz
);

-- Every staff action: who, what, whom, why, when.
CREATE TABLE audit_log (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_id	bigint REFERENCES users (id),
	action		text NOT NULL,
	target_user_id	bigint REFERENCES users (id),
	target		text NOT NULL,
	reason		text,
	details		jsonb NOT NULL DEFAULT '{}',
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

-- Notifications for every feature; text is rendered from type + data.
CREATE TABLE notifications (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	type		text NOT NULL,
	actor_id	bigint REFERENCES users (id),
	url		text NOT NULL,
	data		jsonb NOT NULL DEFAULT '{}',
	read_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id)
    WHERE read_at IS NULL;

-- What pages show of the viewer (never email, real name or card), as a
-- set-returning SQL function: PostgreSQL inlines it into the calling
-- statement, so a prepared page statement plans it once.  (A scalar SQL
-- function with a sub-select is not inlined and is planned again on
-- every call: measured 10k against 120k statements/s.)
CREATE FUNCTION viewer(hash text)
RETURNS TABLE (id bigint, role text, me json)
LANGUAGE sql STABLE AS $$
	SELECT u.id, u.role, json_build_object('id', u.id,
	    'username', u.username, 'display_name', u.display_name,
	    'role', u.role, 'verified', u.verified_at IS NOT NULL,
	    'staff', u.role IN ('staff', 'admin'),
	    'locale', u.locale, 'csrf_token', s.csrf,
	    'unread', (SELECT count(*) FROM notifications n
	        WHERE n.user_id = u.id AND n.read_at IS NULL))
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = hash AND s.kind = 'session'
	    AND (s.expires_at IS NULL OR s.expires_at > now())
	    AND s.last_seen_at > now() - make_interval(days => coalesce(
	        (SELECT (value #>> '{}')::integer FROM site_settings
	        WHERE key = 'session_idle_days'), 30))
$$;

-- Defaults, written down so staff can see and change them.
INSERT INTO site_settings (key, value) VALUES
	('require_verification', 'true'),
	('session_idle_days', '30'),
	('session_max_days', '180'),
	('posts_per_minute', '60'),
	('signups_per_address_hour', '1000'),
	('login_failures_per_account_hour', '100'),
	('login_failures_per_address_hour', '2000'),
	('login_burst_failures', '10');

-- The public face of a user, as sessions and lists show it.
CREATE FUNCTION user_json(uid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT json_build_object('id', u.id, 'username', u.username,
    'display_name', u.display_name, 'role', u.role,
    'verified', u.verified_at IS NOT NULL)
    FROM users u WHERE u.id = uid);

-- What staff see of a user: everything.
CREATE FUNCTION user_admin_json(u users) RETURNS json
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
    'created_at', rfc3339(u.created_at),
    'url', '/u/' || u.username);

CREATE FUNCTION session_create(uid bigint, p_token text, p_csrf text,
    p_ip text, p_ua text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO sessions (token_hash, user_id, csrf, ip, user_agent,
	    expires_at)
	VALUES (p_token, uid, p_csrf, p_ip, left(p_ua, 300), now() +
	    make_interval(days => setting_int('session_max_days', 180)));
$$;

CREATE FUNCTION account_signup(p_username text, p_display text,
    p_email text, p_locale text, p_hash text, p_token text, p_csrf text,
    p_ip text, p_ua text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	uid	bigint;
	retry	integer;
BEGIN
	retry := rate_hit('signup:' || coalesce(p_ip, '?'), 3600,
	    setting_int('signups_per_address_hour', 1000));
	IF retry > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'MS429',
		    MESSAGE = 'errors.rate_limited', DETAIL = retry::text;
	END IF;
	BEGIN
		INSERT INTO users (username, display_name, email, locale,
		    password_hash)
		VALUES (p_username, p_display, nullif(p_email, ''),
		    nullif(p_locale, ''), p_hash)
		RETURNING id INTO uid;
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION USING ERRCODE = 'MS409',
		    MESSAGE = 'errors.username_taken', DETAIL = 'username';
	END;
	PERFORM session_create(uid, p_token, p_csrf, p_ip, p_ua);
	RETURN json_build_object('user', user_json(uid), 'csrf_token', p_csrf);
END $$;

-- Before checking a password: is this account or address locked out?
-- Returns {retry_after} or {user_id, password_hash} (user_id null when
-- there is no such user: the caller still spends the time of a check).
CREATE FUNCTION account_login_begin(p_username text, p_ip text)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	name	text := lower(p_username);
	locked	timestamptz;
	u	users;
BEGIN
	SELECT locked_until INTO locked FROM login_throttle
	WHERE username = name;
	IF locked > now() THEN
		RETURN json_build_object('retry_after', greatest(1,
		    ceil(extract(epoch FROM locked - now()))::integer));
	END IF;
	IF rate_peek('login_fail:u:' || name, 3600) >=
	    setting_int('login_failures_per_account_hour', 100) OR
	    rate_peek('login_fail:ip:' || coalesce(p_ip, '?'), 3600) >=
	    setting_int('login_failures_per_address_hour', 2000) THEN
		RETURN json_build_object('retry_after', greatest(1,
		    3600 - (extract(epoch FROM now())::integer % 3600)));
	END IF;
	SELECT * INTO u FROM users WHERE lower(username) = name;
	RETURN json_build_object('user_id', u.id, 'password_hash',
	    u.password_hash);
END $$;

-- A wrong password: count it; after a burst, lock for a growing time.
CREATE FUNCTION account_login_failed(p_username text, p_ip text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	name	text := lower(p_username);
	burst	integer := setting_int('login_burst_failures', 10);
	t	login_throttle;
BEGIN
	PERFORM rate_hit('login_fail:u:' || name, 3600, 2147483647);
	PERFORM rate_hit('login_fail:ip:' || coalesce(p_ip, '?'), 3600,
	    2147483647);
	INSERT INTO login_throttle AS l (username, failures)
	VALUES (name, 1)
	ON CONFLICT (username) DO UPDATE SET
	    failures = CASE WHEN l.last_failure_at <
	        now() - interval '15 minutes' THEN 1 ELSE l.failures + 1 END,
	    last_failure_at = now()
	RETURNING * INTO t;
	IF t.failures >= burst THEN
		UPDATE login_throttle SET locked_until = now() +
		    least(interval '15 minutes', interval '30 seconds' *
		    power(2, t.failures - burst))
		WHERE username = name;
	END IF;
	RETURN json_build_object('failures', t.failures);
END $$;

CREATE FUNCTION account_login_ok(uid bigint, p_token text, p_csrf text,
    p_ip text, p_ua text) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM login_throttle WHERE username =
	    (SELECT lower(username) FROM users WHERE id = uid);
	PERFORM session_create(uid, p_token, p_csrf, p_ip, p_ua);
	RETURN json_build_object('user', user_json(uid), 'csrf_token', p_csrf);
END $$;

-- Settings: a NULL argument leaves the field as it is; '' clears it.
-- Changing the real name or reader card of a verified member asks staff
-- to verify again: the verification was of the old details.
CREATE FUNCTION account_settings_update(uid bigint, p_display text,
    p_bio text, p_bio_html text, p_locale text, p_card text, p_real text,
    p_email text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	card	text;
	realn	text;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid FOR UPDATE;
	card := CASE WHEN p_card IS NULL THEN u.reader_card
	    ELSE nullif(p_card, '') END;
	realn := CASE WHEN p_real IS NULL THEN u.real_name
	    ELSE nullif(p_real, '') END;
	UPDATE users SET
	    display_name = coalesce(p_display, display_name),
	    bio = coalesce(p_bio, bio),
	    bio_html = coalesce(p_bio_html, bio_html),
	    locale = CASE WHEN p_locale IS NULL THEN locale
	        ELSE nullif(p_locale, '') END,
	    email = CASE WHEN p_email IS NULL THEN email
	        ELSE nullif(p_email, '') END,
	    reader_card = card,
	    real_name = realn,
	    verified_at = CASE WHEN role = 'member' AND
	        (card IS DISTINCT FROM u.reader_card OR
	        realn IS DISTINCT FROM u.real_name) THEN NULL
	        ELSE verified_at END
	WHERE id = uid
	RETURNING * INTO u;
	RETURN json_build_object('user', user_admin_json(u)::jsonb ||
	    jsonb_build_object('bio', u.bio, 'bio_html', u.bio_html,
	    'locale', u.locale));
END $$;

-- A new password ends every cookie session of the user (API tokens stay:
-- they are revoked one by one) and starts a new one for this client.
CREATE FUNCTION account_password_set(uid bigint, p_hash text, p_token text,
    p_csrf text, p_ip text, p_ua text) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE users SET password_hash = p_hash WHERE id = uid;
	DELETE FROM sessions WHERE user_id = uid AND kind = 'session';
	PERFORM session_create(uid, p_token, p_csrf, p_ip, p_ua);
	RETURN json_build_object('user', user_json(uid), 'csrf_token', p_csrf);
END $$;

-- Staff change a user: verification, role, suspension.  Only admins
-- grant or take away staff/admin, or act on staff and admins at all.
-- Every change is written to the audit log with the reason.
CREATE FUNCTION admin_user_update(actor bigint, p_username text,
    p_verified boolean, p_role text, p_suspend text, p_reason text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a	users;
	u	users;
	until	timestamptz;
	changed	boolean := false;
BEGIN
	SELECT * INTO a FROM users WHERE id = actor;
	SELECT * INTO u FROM users WHERE lower(username) = lower(p_username)
	    FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	IF a.role <> 'admin' AND (u.role IN ('staff', 'admin') OR
	    p_role IN ('staff', 'admin')) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.admin_only';
	END IF;

	IF p_verified IS NOT NULL AND
	    p_verified IS DISTINCT FROM (u.verified_at IS NOT NULL) THEN
		UPDATE users SET verified_at = CASE WHEN p_verified
		    THEN now() END, verified_by = actor
		WHERE id = u.id;
		INSERT INTO audit_log (actor_id, action, target_user_id,
		    target, reason)
		VALUES (actor, CASE WHEN p_verified THEN 'verify'
		    ELSE 'unverify' END, u.id, u.username, p_reason);
		changed := true;
	END IF;

	IF p_role IS NOT NULL AND p_role <> u.role THEN
		IF u.role = 'admin' AND (SELECT count(*) FROM users
		    WHERE role = 'admin') = 1 THEN
			RAISE EXCEPTION USING ERRCODE = 'MS409',
			    MESSAGE = 'errors.last_admin', DETAIL = 'role';
		END IF;
		UPDATE users SET role = p_role WHERE id = u.id;
		INSERT INTO audit_log (actor_id, action, target_user_id,
		    target, reason, details)
		VALUES (actor, 'role', u.id, u.username, p_reason,
		    jsonb_build_object('from', u.role, 'to', p_role));
		changed := true;
	END IF;

	IF p_suspend IS NOT NULL THEN
		IF p_suspend = '' THEN
			IF u.suspended_until > now() THEN
				UPDATE users SET suspended_until = NULL,
				    suspend_reason = NULL WHERE id = u.id;
				INSERT INTO audit_log (actor_id, action,
				    target_user_id, target, reason)
				VALUES (actor, 'unsuspend', u.id, u.username,
				    p_reason);
				changed := true;
			END IF;
		ELSE
			BEGIN
				until := p_suspend::timestamptz;
			EXCEPTION WHEN others THEN
				RAISE EXCEPTION USING ERRCODE = 'MS422',
				    MESSAGE = 'errors.bad_date',
				    DETAIL = 'suspended_until';
			END;
			IF until <= now() THEN
				RAISE EXCEPTION USING ERRCODE = 'MS422',
				    MESSAGE = 'errors.date_past',
				    DETAIL = 'suspended_until';
			END IF;
			IF coalesce(p_reason, '') = '' THEN
				RAISE EXCEPTION USING ERRCODE = 'MS422',
				    MESSAGE = 'errors.reason_required',
				    DETAIL = 'reason';
			END IF;
			IF u.id = actor THEN
				RAISE EXCEPTION USING ERRCODE = 'MS403',
				    MESSAGE = 'errors.forbidden';
			END IF;
			UPDATE users SET suspended_until = until,
			    suspend_reason = p_reason WHERE id = u.id;
			INSERT INTO audit_log (actor_id, action,
			    target_user_id, target, reason, details)
			VALUES (actor, 'suspend', u.id, u.username, p_reason,
			    jsonb_build_object('until', rfc3339(until)));
			changed := true;
		END IF;
	END IF;

	SELECT * INTO u FROM users WHERE id = u.id;
	RETURN json_build_object('user', user_admin_json(u),
	    'changed', changed);
END $$;

-- Escape a user's text for use inside a LIKE pattern (backslash is the
-- default escape character).
CREATE FUNCTION like_escape(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_');

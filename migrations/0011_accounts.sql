-- 0011: one-time password reset links (issue 12).  Email may not be
-- configured at a library, so staff issue the link at the desk
-- (POST /admin/users/{username}/reset, app/reset.c) and hand it over;
-- it works once, for 24 hours.  Only the SHA-256 of its secret is
-- stored, as for sessions; issuing and using it are in the audit log.

CREATE TABLE password_resets (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id)
    WHERE used_at IS NULL;

-- Staff (actor) issue a link for p_username; p_token is the hash of its
-- secret.  The rule of admin_user_update(): only admins act on staff
-- and admins.  A user has one working link at a time: a new one ends
-- the earlier ones.
CREATE FUNCTION account_reset_issue(actor bigint, p_username text,
    p_token text, p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a	users;
	u	users;
	r	password_resets;
BEGIN
	SELECT * INTO a FROM users WHERE id = actor;
	IF NOT is_staff_role(a.role) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.forbidden';
	END IF;
	SELECT * INTO u FROM users WHERE lower(username) = lower(p_username)
	    FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	IF a.role <> 'admin' AND is_staff_role(u.role) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.admin_only';
	END IF;

	UPDATE password_resets SET expires_at = now()
	WHERE user_id = u.id AND used_at IS NULL AND expires_at > now();
	INSERT INTO password_resets (user_id, token_hash, created_by,
	    expires_at)
	VALUES (u.id, p_token, actor, now() + interval '24 hours')
	RETURNING * INTO r;
	INSERT INTO audit_log (actor_id, action, target_user_id, target,
	    reason, details)
	VALUES (actor, 'password_reset.issue', u.id, u.username,
	    nullif(p_reason, ''), jsonb_build_object('reset_id', r.id,
	    'expires_at', rfc3339(r.expires_at)));
	RETURN json_build_object('reset', json_build_object(
	    'username', u.username, 'display_name', u.display_name,
	    'expires_at', rfc3339(r.expires_at)));
END $$;

-- The member sets a new password (p_hash, Argon2id) with the link whose
-- secret hashes to p_token: once, before it expires (else 404).  Every
-- login session of theirs ends (API tokens stay, as with a password
-- change: they are revoked one by one), a lockout from failed logins is
-- lifted, and their other links stop working.
CREATE FUNCTION account_reset_use(p_token text, p_hash text, p_ip text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r	password_resets;
	u	users;
	ended	integer;
BEGIN
	UPDATE password_resets SET used_at = now()
	WHERE token_hash = p_token AND used_at IS NULL AND expires_at > now()
	RETURNING * INTO r;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'reset.invalid';
	END IF;
	UPDATE users SET password_hash = p_hash WHERE id = r.user_id
	RETURNING * INTO u;
	DELETE FROM sessions WHERE user_id = u.id AND kind = 'session';
	GET DIAGNOSTICS ended = ROW_COUNT;
	DELETE FROM login_throttle WHERE username = lower(u.username);
	UPDATE password_resets SET expires_at = now()
	WHERE user_id = u.id AND used_at IS NULL AND expires_at > now();
	INSERT INTO audit_log (actor_id, action, target_user_id, target,
	    details)
	VALUES (u.id, 'password_reset.use', u.id, u.username,
	    jsonb_build_object('reset_id', r.id, 'sessions_ended', ended,
	    'ip', p_ip));
	RETURN json_build_object('ok', true, 'user', user_json(u.id),
	    'sessions_ended', ended);
END $$;

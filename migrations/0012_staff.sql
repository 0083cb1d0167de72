-- 0012: staff at the desk (issue 12, items 6 and 7): verifying a class
-- at once, a POST rate limit of their own, and an index for looking
-- members up by their reader card.

-- Staff and admins count their POSTs against this limit instead of
-- posts_per_minute (the session_lookup statement, assets/sql/account.sql):
-- a desk verifies, approves and answers far faster than a member posts.
INSERT INTO site_settings (key, value) VALUES
	('staff_posts_per_minute', '300')
ON CONFLICT (key) DO NOTHING;

-- Cards are typed or scanned at the desk in any case.
CREATE INDEX users_reader_card ON users (lower(reader_card))
    WHERE reader_card IS NOT NULL;

-- What a line of the bulk list is compared with: trimmed (spaces, tabs,
-- ideographic spaces), lower-cased, without a leading '@'.
CREATE FUNCTION verify_key(line text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(regexp_replace(btrim(coalesce(line, ''), E' \t\u3000'),
    '^@', ''));

-- Verify the members that p_lines name, one per line: a username (an
-- '@' before it is allowed) or a reader card, either in any case.  One
-- call is one transaction; every line gets a result, in order, with its
-- line number (empty lines are skipped but counted):
--   verified          done, and audited as a single verification is
--                     ('verify', with the reason), details {bulk, line}
--   unknown           no user has that username or card
--   ambiguous         it is one user's username and another's card, or
--                     the card of several users
--   duplicate         the user was named on an earlier line
--   not_member        mentors, staff and admins count as verified
--   already_verified
--   incomplete        the member has not entered their real name and
--                     card in settings, so there is nothing to confirm
-- The users named are locked first, in id order, so two desks verifying
-- overlapping lists wait for each other (the second sees "already
-- verified") and never deadlock.  FOR NO KEY UPDATE, as the UPDATE
-- itself takes: it does not block the audit log's foreign key checks on
-- other staff actions' actors.
CREATE FUNCTION admin_verify_bulk(actor bigint, p_lines text[],
    p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a	users;
	u	users;
	keys	text[];
	seen	bigint[] := '{}';
	results	jsonb := '[]';
	ids	bigint[];
	ln	text;
	k	text;
	err	text;
	n	integer := 0;
	nver	integer := 0;
	nerr	integer := 0;
BEGIN
	SELECT * INTO a FROM users WHERE id = actor;
	IF NOT FOUND OR NOT is_staff_role(a.role) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.forbidden';
	END IF;
	SELECT coalesce(array_agg(verify_key(l)), '{}') INTO keys
	FROM unnest(p_lines) l;
	PERFORM 1 FROM users
	WHERE lower(username) = ANY (keys) OR lower(reader_card) = ANY (keys)
	ORDER BY id
	FOR NO KEY UPDATE;

	FOREACH ln IN ARRAY coalesce(p_lines, '{}') LOOP
		n := n + 1;
		CONTINUE WHEN btrim(coalesce(ln, ''), E' \t\u3000') = '';
		k := verify_key(ln);
		err := NULL;
		u := NULL;
		SELECT array_agg(id ORDER BY id) INTO ids FROM users
		WHERE lower(username) = k OR lower(reader_card) = k;
		IF ids IS NULL THEN
			err := 'unknown';
		ELSIF cardinality(ids) > 1 THEN
			err := 'ambiguous';
		ELSE
			SELECT * INTO u FROM users WHERE id = ids[1];
			IF u.id = ANY (seen) THEN
				err := 'duplicate';
			ELSIF u.role <> 'member' THEN
				err := 'not_member';
			ELSIF u.verified_at IS NOT NULL THEN
				err := 'already_verified';
			ELSIF coalesce(u.real_name, '') = '' OR
			    coalesce(u.reader_card, '') = '' THEN
				err := 'incomplete';
			END IF;
			seen := seen || u.id;
		END IF;

		IF err IS NULL THEN
			UPDATE users SET verified_at = now(), verified_by = actor
			WHERE id = u.id;
			INSERT INTO audit_log (actor_id, action, target_user_id,
			    target, reason, details)
			VALUES (actor, 'verify', u.id, u.username,
			    nullif(p_reason, ''),
			    jsonb_build_object('bulk', true, 'line', n));
			nver := nver + 1;
		ELSE
			nerr := nerr + 1;
		END IF;
		results := results || jsonb_build_array(jsonb_build_object(
		    'line', n, 'input', btrim(ln, E' \t\u3000'),
		    'status', CASE WHEN err IS NULL THEN 'verified'
		        ELSE 'error' END,
		    'error', err,
		    'user', CASE WHEN u.id IS NOT NULL THEN jsonb_build_object(
		        'username', u.username,
		        'display_name', u.display_name,
		        'url', '/u/' || u.username) END));
	END LOOP;
	RETURN json_build_object('results', results, 'verified', nver,
	    'failed', nerr, 'reason', nullif(p_reason, ''));
END $$;

-- 0010: rules that did not hold under attack (issue 10, items 5-10).
-- Functions of 0002 and 0005 are replaced whole (CREATE OR REPLACE, same
-- signatures); what changed in each is said above it.
--
--   5  only published topics take replies from non-staff
--   6  a blocked word in a topic's title holds its opening post
--   7  edits pass the new-member link and image limits
--   9  the last admin stays an admin under concurrent demotions
--  10  failed logins lock an account per address, and the hourly cap
--      per account spares the addresses the account logs in from
-- (Item 8, verification for every content write, is the guard's:
-- ACCESS_VERIFIED pages, and PAGE_NO_CONTENT in app/app.h, app/guard.c.)

-- ------------------------------------------------------------------
-- 7: the new-member limits on what one post may contain, in one place
-- for new posts (board_check_limits) and edits (board_post_edit).

-- 422 for too many links or images in p_html, when u is a new member.
CREATE FUNCTION board_check_content_limits(u users, p_html text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	IF NOT board_user_is_new(u) THEN
		RETURN;
	END IF;
	n := (length(p_html) - length(replace(p_html, '<a href=', ''))) / 8;
	IF n > setting_int('board_new_links_per_post', 2) THEN
		PERFORM board_error('MS422', 'errors.too_many_links', 'body');
	END IF;
	n := (length(p_html) - length(replace(p_html, '<img ', ''))) / 5;
	IF n > setting_int('board_new_images_per_post', 1) THEN
		PERFORM board_error('MS422', 'errors.too_many_images', 'body');
	END IF;
END $$;

-- As in 0005, with the content limits in board_check_content_limits.
CREATE OR REPLACE FUNCTION board_check_limits(u users, tid bigint,
    p_html text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	last	timestamptz;
	wait	integer;
	slow	integer;
	n	integer;
BEGIN
	IF tid IS NOT NULL AND NOT is_staff_role(u.role) THEN
		SELECT slow_mode_seconds INTO slow FROM topics WHERE id = tid;
		IF slow > 0 THEN
			SELECT max(created_at) INTO last FROM posts
			WHERE topic_id = tid AND author_id = u.id;
			wait := ceil(extract(epoch FROM last +
			    make_interval(secs => slow) - now()));
			IF wait > 0 THEN
				RAISE EXCEPTION USING ERRCODE = 'MS429',
				    MESSAGE = 'errors.slow_mode',
				    DETAIL = wait::text;
			END IF;
		END IF;
	END IF;
	IF NOT board_user_is_new(u) THEN
		RETURN;
	END IF;
	PERFORM board_check_content_limits(u, p_html);
	SELECT max(created_at) INTO last FROM posts WHERE author_id = u.id;
	wait := ceil(extract(epoch FROM last + make_interval(secs =>
	    setting_int('board_new_seconds_between', 30)) - now()));
	IF wait > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'MS429',
		    MESSAGE = 'errors.post_too_soon', DETAIL = wait::text;
	END IF;
	SELECT count(*), min(created_at) INTO n, last FROM posts
	WHERE author_id = u.id AND created_at > now() - interval '1 day';
	IF n >= setting_int('board_new_posts_per_day', 10) THEN
		wait := greatest(1, ceil(extract(epoch FROM last +
		    interval '1 day' - now())));
		RAISE EXCEPTION USING ERRCODE = 'MS429',
		    MESSAGE = 'errors.posts_per_day', DETAIL = wait::text;
	END IF;
END $$;

-- As in 0005, and: a non-staff edit passes the content limits (7).
CREATE OR REPLACE FUNCTION board_post_edit(uid bigint, pid bigint,
    p_body text, p_html text, p_tokens text, mentions text[]) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	p	posts;
	t	topics;
	held	text[];
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO p FROM posts WHERE id = pid FOR UPDATE;
	SELECT * INTO t FROM topics WHERE id = p.topic_id;
	IF p.id IS NULL OR p.status = 'deleted' OR
	    NOT coalesce(board_topic_visible(t, u), false) OR
	    (p.author_id <> uid AND NOT is_staff_role(u.role) AND
	    p.status <> 'published') THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;
	IF NOT is_staff_role(u.role) THEN
		IF p.author_id <> uid THEN
			PERFORM board_error('MS403', 'errors.forbidden');
		END IF;
		IF p.created_at < now() - make_interval(mins =>
		    setting_int('board_edit_window_minutes', 60)) THEN
			PERFORM board_error('MS403', 'errors.edit_window');
		END IF;
		IF t.locked THEN
			PERFORM board_error('MS403', 'errors.topic_locked');
		END IF;
	END IF;
	IF p.body = p_body THEN
		RETURN json_build_object('post', board_post_brief(p));
	END IF;
	IF NOT is_staff_role(u.role) THEN
		PERFORM board_check_content_limits(u, p_html);
	END IF;
	INSERT INTO post_revisions (post_id, editor_id, body, written_at)
	VALUES (pid, uid, p.body, coalesce(p.edited_at, p.created_at));
	-- An edit that brings in a blocked word is held like a new post.
	held := CASE WHEN is_staff_role(u.role) THEN '{}'::text[]
	    ELSE sensitive_matches(p_body) END;
	UPDATE posts SET body = p_body, body_html = p_html,
	    search_tokens = p_tokens, edited_at = now(),
	    status = CASE WHEN cardinality(held) > 0 AND status = 'published'
	        THEN 'pending' ELSE status END,
	    held_reasons = CASE WHEN cardinality(held) > 0
	        AND status = 'published' THEN '{sensitive}' ELSE held_reasons
	        END
	WHERE id = pid RETURNING * INTO p;
	IF p.status = 'published' THEN
		INSERT INTO notifications (user_id, type, actor_id, url, data)
		SELECT u2.id, 'mention', p.author_id,
		    '/t/' || t.id || '#post-' || p.number,
		    jsonb_build_object('topic', t.title, 'post_id', p.id)
		FROM users u2 JOIN categories c ON c.id = t.category_id
		WHERE lower(u2.username) = ANY (mentions)
		    AND u2.id <> p.author_id AND category_readable(c, u2.role)
		    AND NOT EXISTS (SELECT 1 FROM notifications n
		        WHERE n.user_id = u2.id AND n.type = 'mention'
		        AND n.data ->> 'post_id' = p.id::text);
	ELSIF p.status = 'pending' THEN
		INSERT INTO post_pending_mentions (post_id, mentions)
		VALUES (p.id, mentions) ON CONFLICT (post_id)
		DO UPDATE SET mentions = EXCLUDED.mentions;
	END IF;
	PERFORM board_touch(t.id);
	PERFORM board_notify('edit', t, p.id);
	RETURN json_build_object('post', board_post_brief(p));
END $$;

-- ------------------------------------------------------------------
-- 6: the opening post carries its topic's title, so a blocked word in
-- the title holds it exactly as one in its body would (reason
-- 'sensitive'; staff are never held).  Topic titles are not edited
-- after creation, so creation is the only place to check.

-- As in 0005, and: the title of the topic counts for its opening post.
CREATE OR REPLACE FUNCTION board_post_insert(u users, t topics,
    p_body text, p_html text, p_tokens text, p_reply_to bigint,
    mentions text[])
RETURNS posts
LANGUAGE plpgsql AS $$
DECLARE
	p	posts;
	n	integer;
	held	text[];
BEGIN
	UPDATE topics SET next_number = next_number + 1 WHERE id = t.id
	RETURNING next_number - 1 INTO n;
	held := board_hold_reasons(u, p_body);
	IF n = 1 AND NOT is_staff_role(u.role) AND
	    NOT 'sensitive' = ANY (held) AND
	    cardinality(sensitive_matches(t.title)) > 0 THEN
		held := held || 'sensitive'::text;
	END IF;
	INSERT INTO posts (topic_id, number, author_id, reply_to, body,
	    body_html, status, held_reasons, search_tokens)
	VALUES (t.id, n, u.id, p_reply_to, p_body, p_html,
	    CASE WHEN cardinality(held) > 0 THEN 'pending'
	    ELSE 'published' END, held, p_tokens)
	RETURNING * INTO p;
	IF p.status = 'published' THEN
		PERFORM board_post_published(p.id, mentions);
	ELSE
		-- Mentions wait with the post: kept for approval.
		INSERT INTO post_pending_mentions (post_id, mentions)
		VALUES (p.id, mentions);
		PERFORM board_touch(t.id);
	END IF;
	RETURN p;
END $$;

-- The blocked words of a post as the review queue shows them: its body
-- and, for an opening post, its topic's title.
CREATE FUNCTION board_post_sensitive(p posts, t topics) RETURNS text[]
LANGUAGE sql STABLE
RETURN ARRAY(SELECT DISTINCT w FROM unnest(sensitive_matches(p.body) ||
    CASE WHEN p.number = 1 THEN sensitive_matches(t.title)
    ELSE '{}'::text[] END) w ORDER BY w);

-- ------------------------------------------------------------------
-- 5: a topic that is held, rejected or hidden is still shown to its
-- author (board_topic_visible), but takes no replies from anyone but
-- staff: a reply there would be published at once, counted, notified
-- and sent live about a topic nobody else may see.

-- As in 0005, and: non-staff reply only to published topics.
CREATE OR REPLACE FUNCTION board_reply(uid bigint, tid bigint,
    p_body text, p_html text, p_tokens text, p_reply_to bigint,
    mentions text[])
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	t	topics;
	p	posts;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO t FROM topics WHERE id = tid FOR UPDATE;
	IF NOT coalesce(board_topic_visible(t, u), false) THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;
	IF t.status <> 'published' AND NOT is_staff_role(u.role) THEN
		PERFORM board_error('MS403', 'errors.topic_not_published');
	END IF;
	IF t.locked AND NOT is_staff_role(u.role) THEN
		PERFORM board_error('MS403', 'errors.topic_locked');
	END IF;
	IF p_reply_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts
	    WHERE id = p_reply_to AND topic_id = tid
	    AND status IN ('published', 'hidden')) THEN
		PERFORM board_error('MS422', 'errors.bad_reply_to',
		    'reply_to');
	END IF;
	PERFORM board_check_limits(u, tid, p_html);
	p := board_post_insert(u, t, p_body, p_html, p_tokens, p_reply_to,
	    mentions);
	RETURN json_build_object('post', board_post_brief(p));
END $$;

-- ------------------------------------------------------------------
-- 9: the site always keeps an admin.  admin_user_update counts the
-- admins before demoting one, but locks only the row it changes: two
-- admins demoting themselves at once each counted two and both went
-- (demoting each other, they deadlocked).  Role changes now take one
-- lock, held to the end of the transaction, so they happen one after
-- the other; in READ COMMITTED what runs after the lock sees every
-- change committed before it.  The trigger holds the rule for every
-- change that takes an admin away, however it is made.
-- Key 7263002: next to the migration tool's 7263001 (app/migrate.c).
CREATE FUNCTION users_keep_an_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7263002);
	IF NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin') THEN
		RAISE EXCEPTION USING ERRCODE = 'MS409',
		    MESSAGE = 'errors.last_admin', DETAIL = 'role';
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER users_keep_an_admin AFTER UPDATE OF role ON users
FOR EACH ROW WHEN (OLD.role = 'admin' AND NEW.role <> 'admin')
EXECUTE FUNCTION users_keep_an_admin();

CREATE TRIGGER users_keep_an_admin_delete AFTER DELETE ON users
FOR EACH ROW WHEN (OLD.role = 'admin')
EXECUTE FUNCTION users_keep_an_admin();

-- As in 0002, and: a role change first waits for the others (the same
-- lock as the trigger's), before it reads or locks any user.  Taken
-- only in the trigger, after the rows, two admins demoting each other
-- deadlocked: each held the other's row, which the audit log's foreign
-- key on the actor needs.  After the wait the actor's own role is read
-- afresh: an admin demoted meanwhile acts no more as one.
CREATE OR REPLACE FUNCTION admin_user_update(actor bigint, p_username text,
    p_verified boolean, p_role text, p_suspend text, p_reason text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a	users;
	u	users;
	until	timestamptz;
	changed	boolean := false;
BEGIN
	IF p_role IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(7263002);
	END IF;
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

-- ------------------------------------------------------------------
-- 10: failed logins.  The burst lock of 0002 was per user name, so ten
-- wrong passwords every 15 minutes from anywhere kept the owner out.
-- Now:
--   - a burst locks the account for the address it came from only
--     (login_throttle per user name and address);
--   - the hourly cap per account (login_failures_per_account_hour)
--     refuses only addresses the account has not logged in from within
--     login_known_address_days (login_addresses), so the owner gets in
--     from their usual address while guessers elsewhere are refused;
--   - the hourly cap per address is as before (a class of 150 behind
--     one address logs in: failures, not logins, are counted).

DELETE FROM login_throttle;
ALTER TABLE login_throttle ADD COLUMN ip text NOT NULL;
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_pkey;
ALTER TABLE login_throttle ADD PRIMARY KEY (username, ip);

-- Where each account has logged in successfully.
CREATE TABLE login_addresses (
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	ip		text NOT NULL,
	last_login_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, ip)
);
INSERT INTO login_addresses (user_id, ip, last_login_at)
SELECT user_id, ip, max(created_at) FROM sessions
WHERE kind = 'session' AND ip IS NOT NULL
GROUP BY user_id, ip;

INSERT INTO site_settings (key, value) VALUES
	('login_known_address_days', '90')
ON CONFLICT (key) DO NOTHING;

-- As in 0002, with the lock per address and the known addresses.
CREATE OR REPLACE FUNCTION account_login_begin(p_username text, p_ip text)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	name	text := lower(p_username);
	addr	text := coalesce(p_ip, '?');
	locked	timestamptz;
	u	users;
BEGIN
	SELECT locked_until INTO locked FROM login_throttle
	WHERE username = name AND ip = addr;
	IF locked > now() THEN
		RETURN json_build_object('retry_after', greatest(1,
		    ceil(extract(epoch FROM locked - now()))::integer));
	END IF;
	SELECT * INTO u FROM users WHERE lower(username) = name;
	IF rate_peek('login_fail:ip:' || addr, 3600) >=
	    setting_int('login_failures_per_address_hour', 2000) OR
	    (rate_peek('login_fail:u:' || name, 3600) >=
	    setting_int('login_failures_per_account_hour', 100) AND
	    NOT EXISTS (SELECT 1 FROM login_addresses a
	    WHERE a.user_id = u.id AND a.ip = addr AND a.last_login_at >
	    now() - make_interval(days =>
	    setting_int('login_known_address_days', 90)))) THEN
		RETURN json_build_object('retry_after', greatest(1,
		    3600 - (extract(epoch FROM now())::integer % 3600)));
	END IF;
	RETURN json_build_object('user_id', u.id, 'password_hash',
	    u.password_hash);
END $$;

-- As in 0002, with the burst counted per user name and address.  Old
-- rows are swept as new ones are written.
CREATE OR REPLACE FUNCTION account_login_failed(p_username text,
    p_ip text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	name	text := lower(p_username);
	addr	text := coalesce(p_ip, '?');
	burst	integer := setting_int('login_burst_failures', 10);
	t	login_throttle;
BEGIN
	PERFORM rate_hit('login_fail:u:' || name, 3600, 2147483647);
	PERFORM rate_hit('login_fail:ip:' || addr, 3600, 2147483647);
	INSERT INTO login_throttle AS l (username, ip, failures)
	VALUES (name, addr, 1)
	ON CONFLICT (username, ip) DO UPDATE SET
	    failures = CASE WHEN l.last_failure_at <
	        now() - interval '15 minutes' THEN 1 ELSE l.failures + 1 END,
	    last_failure_at = now()
	RETURNING * INTO t;
	IF t.failures >= burst THEN
		UPDATE login_throttle SET locked_until = now() +
		    least(interval '15 minutes', interval '30 seconds' *
		    power(2, t.failures - burst))
		WHERE username = name AND ip = addr;
	END IF;
	IF random() < 0.01 THEN
		DELETE FROM login_throttle
		WHERE last_failure_at < now() - interval '1 day'
		    AND (locked_until IS NULL OR locked_until < now());
	END IF;
	RETURN json_build_object('failures', t.failures);
END $$;

-- As in 0002: a success clears the burst of this address only (a
-- guesser elsewhere stays locked) and remembers the address.
CREATE OR REPLACE FUNCTION account_login_ok(uid bigint, p_token text,
    p_csrf text, p_ip text, p_ua text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	addr	text := coalesce(p_ip, '?');
BEGIN
	DELETE FROM login_throttle WHERE ip = addr AND username =
	    (SELECT lower(username) FROM users WHERE id = uid);
	INSERT INTO login_addresses AS a (user_id, ip)
	VALUES (uid, addr)
	ON CONFLICT (user_id, ip) DO UPDATE SET last_login_at = now();
	IF random() < 0.01 THEN
		DELETE FROM login_addresses WHERE last_login_at < now() -
		    make_interval(days =>
		    setting_int('login_known_address_days', 90));
	END IF;
	PERFORM session_create(uid, p_token, p_csrf, p_ip, p_ua);
	RETURN json_build_object('user', user_json(uid), 'csrf_token', p_csrf);
END $$;

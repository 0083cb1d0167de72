-- Moderation (API.md "Discussion board", /mod/*): what staff do with
-- the review queue, with topics and with the sensitive-word lists.
-- Holding, limits, flag counting and auto-hiding are in 0005; here each
-- staff action is one function that checks the post's state, changes
-- it, keeps the counters of 0005 right, tells the workers (board_touch)
-- and writes the audit log, all in one transaction.
--
-- Counters, as 0005 keeps them:
--   topics.reply_count	replies that have been published, also while
--			hidden or held again after an edit (placeholders)
--   categories.topic_count	topics whose status is 'published'
-- so a reply leaves reply_count only when rejected or deleted after it
-- was published, and a topic leaves topic_count when it stops being
-- published.

-- When a post was first published.  A post held when it was written
-- has never been published: approving it runs everything publication
-- causes (board_post_published).  A post held again because an edit
-- brought in a blocked word (board_post_edit) was published already:
-- approving it must not count it or notify its readers a second time.
-- Nothing in 0005 tells the two apart, so a trigger records it.
ALTER TABLE posts ADD COLUMN first_published_at timestamptz;
UPDATE posts SET first_published_at = created_at
WHERE status IN ('published', 'hidden', 'deleted');

CREATE FUNCTION mod_posts_first_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.first_published_at := now();
	RETURN NEW;
END $$;

CREATE TRIGGER mod_posts_first_published BEFORE INSERT OR UPDATE OF status
ON posts FOR EACH ROW WHEN (NEW.status = 'published' AND
    NEW.first_published_at IS NULL)
EXECUTE FUNCTION mod_posts_first_published();

-- The queue's second view lists every hidden post (app/mod.c).
CREATE INDEX posts_hidden ON posts (id) WHERE status = 'hidden';

-- The answer of a moderated post or topic: their state as staff and
-- the author see it.
CREATE FUNCTION mod_post_json(p posts) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', p.id, 'number', p.number,
    'topic_id', p.topic_id, 'url', '/t/' || p.topic_id || '#post-' ||
    p.number, 'status', p.status, 'mod_reason', p.mod_reason,
    'held_reasons', p.held_reasons, 'flag_count', p.flag_count);

CREATE FUNCTION mod_topic_json(t topics) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', t.id, 'url', '/t/' || t.id,
    'title', t.title, 'status', t.status,
    'category', (SELECT slug FROM categories WHERE id = t.category_id),
    'locked', t.locked, 'pinned', t.pinned,
    'slow_mode_seconds', t.slow_mode_seconds);

-- Staff have dealt with post pid: its open flags are resolved, so it
-- leaves the queue, and a new round of flags starts from zero.
-- Returns how many flags were open.
CREATE FUNCTION mod_resolve_flags(pid bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	UPDATE post_flags SET resolved_at = now()
	WHERE post_id = pid AND resolved_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE posts SET flag_count = 0,
	    held_reasons = array_remove(held_reasons, 'flags')
	WHERE id = pid AND (flag_count <> 0 OR 'flags' = ANY (held_reasons));
	RETURN n;
END $$;

-- The mentions of an approved edit (as board_post_edit sends them for
-- an edit that is published at once): once per post and user.
CREATE FUNCTION mod_edit_mentions(p posts, t topics, mentions text[])
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO notifications (user_id, type, actor_id, url, data)
	SELECT u.id, 'mention', p.author_id,
	    '/t/' || t.id || '#post-' || p.number,
	    jsonb_build_object('topic', t.title, 'post_id', p.id)
	FROM users u JOIN categories c ON c.id = t.category_id
	WHERE lower(u.username) = ANY (mentions) AND u.id <> p.author_id
	    AND category_readable(c, u.role)
	    AND NOT EXISTS (SELECT 1 FROM notifications n
	        WHERE n.user_id = u.id AND n.type = 'mention'
	        AND n.data ->> 'post_id' = p.id::text);
$$;

CREATE FUNCTION mod_require_staff(actor bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT coalesce(is_staff_role((SELECT role FROM users
	    WHERE id = actor)), false) THEN
		PERFORM board_error('MS403', 'errors.forbidden');
	END IF;
END $$;

-- Approve a post: a held post is published (with everything that
-- causes, or, held after an edit, with its new mentions); a flagged or
-- hidden one is restored.  p and t are locked by the caller.
CREATE FUNCTION mod_approve(p posts, t topics) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m	text[];
BEGIN
	IF p.status <> 'pending' THEN
		UPDATE posts SET status = 'published', mod_reason = NULL
		WHERE id = p.id;
		PERFORM board_notify('edit', t, p.id);
		RETURN;
	END IF;
	IF p.number = 1 AND t.status NOT IN ('pending', 'published') OR
	    p.number > 1 AND t.status <> 'published' THEN
		PERFORM board_error('MS409', 'mod.errors.topic_state', 'action');
	END IF;
	SELECT mentions INTO m FROM post_pending_mentions WHERE post_id = p.id;
	DELETE FROM post_pending_mentions WHERE post_id = p.id;
	IF p.first_published_at IS NOT NULL THEN
		UPDATE posts SET status = 'published', mod_reason = NULL
		WHERE id = p.id RETURNING * INTO p;
		PERFORM mod_edit_mentions(p, t, coalesce(m, '{}'));
		PERFORM board_notify('edit', t, p.id);
		RETURN;
	END IF;
	-- Published before board_post_published() runs, so that the
	-- NOTIFY it sends is about a topic readers may see.
	IF p.number = 1 THEN
		UPDATE topics SET status = 'published' WHERE id = t.id;
	END IF;
	UPDATE posts SET status = 'published', mod_reason = NULL
	WHERE id = p.id;
	PERFORM board_post_published(p.id, coalesce(m, '{}'));
END $$;

-- A post leaves what readers see for good (rejected, deleted): the
-- counters it was in drop it, and an opening post takes its topic
-- along (to status s).
CREATE FUNCTION mod_withdraw(p posts, t topics, s text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM post_pending_mentions WHERE post_id = p.id;
	UPDATE topics SET solved_post_id = NULL
	WHERE id = t.id AND solved_post_id = p.id;
	IF p.number > 1 AND p.first_published_at IS NOT NULL AND
	    p.status <> 'rejected' THEN
		UPDATE topics SET reply_count = greatest(reply_count - 1, 0)
		WHERE id = t.id;
	END IF;
	IF p.number = 1 AND t.status <> 'deleted' THEN
		UPDATE topics SET status = s WHERE id = t.id;
		IF t.status = 'published' THEN
			UPDATE categories SET topic_count =
			    greatest(topic_count - 1, 0)
			WHERE id = t.category_id;
		END IF;
	END IF;
END $$;

-- POST /mod/posts/{id}: approve, reject, hide, unhide or delete post
-- pid as staff member actor; reason is required to reject and to hide
-- (the author sees it).  Every action resolves the post's open flags,
-- so what staff dealt with leaves the queue.
CREATE FUNCTION mod_post_action(actor bigint, pid bigint, p_action text,
    p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	p	posts;
	t	topics;
	was	text;
	flags	integer;
BEGIN
	PERFORM mod_require_staff(actor);
	IF p_action IS NULL OR p_action NOT IN ('approve', 'reject', 'hide',
	    'unhide', 'delete') THEN
		PERFORM board_error('MS422', 'mod.errors.bad_action', 'action');
	END IF;
	p_reason := nullif(btrim(p_reason), '');
	IF p_reason IS NULL AND p_action IN ('reject', 'hide') THEN
		PERFORM board_error('MS422', 'errors.reason_required',
		    'reason');
	END IF;
	IF char_length(p_reason) > 500 THEN
		PERFORM board_error('MS422', 'mod.errors.reason_long', 'reason');
	END IF;
	-- Rows in the order board_post_flag and board_post_edit lock them.
	SELECT * INTO p FROM posts WHERE id = pid FOR UPDATE;
	IF p.id IS NULL THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;
	SELECT * INTO t FROM topics WHERE id = p.topic_id FOR UPDATE;
	was := p.status;
	IF NOT (CASE p_action
	    WHEN 'approve' THEN was IN ('pending', 'hidden') OR
		(was = 'published' AND p.flag_count > 0)
	    WHEN 'reject' THEN was = 'pending'
	    WHEN 'hide' THEN was IN ('published', 'hidden')
	    WHEN 'unhide' THEN was = 'hidden'
	    ELSE was <> 'deleted' END) THEN
		PERFORM board_error('MS409', 'mod.errors.post_state', 'action');
	END IF;

	flags := mod_resolve_flags(pid);
	CASE p_action
	WHEN 'approve', 'unhide' THEN
		PERFORM mod_approve(p, t);
	WHEN 'reject' THEN
		PERFORM mod_withdraw(p, t, 'rejected');
		UPDATE posts SET status = 'rejected', mod_reason = p_reason
		WHERE id = pid;
		-- The author learns why; no staff name (actor_id NULL).
		INSERT INTO notifications (user_id, type, actor_id, url, data)
		VALUES (p.author_id, 'post_rejected', NULL, '/t/' || t.id ||
		    CASE WHEN p.number > 1 THEN '#post-' || p.number
		    ELSE '' END, jsonb_build_object('topic', t.title,
		    'title', t.title, 'post_id', p.id, 'reason', p_reason));
	WHEN 'hide' THEN
		UPDATE posts SET status = 'hidden', mod_reason = p_reason
		WHERE id = pid;
		PERFORM board_notify('edit', t, pid);
	ELSE
		PERFORM mod_withdraw(p, t, 'deleted');
		UPDATE posts SET status = 'deleted',
		    mod_reason = coalesce(p_reason, mod_reason)
		WHERE id = pid;
		PERFORM board_notify('edit', t, pid);
	END CASE;

	PERFORM board_touch(t.id);
	SELECT * INTO p FROM posts WHERE id = pid;
	SELECT * INTO t FROM topics WHERE id = p.topic_id;
	INSERT INTO audit_log (actor_id, action, target_user_id, target,
	    reason, details)
	VALUES (actor, 'post.' || p_action, p.author_id, 'post:' || pid,
	    p_reason, jsonb_build_object('topic_id', t.id,
	    'number', p.number, 'from', was, 'to', p.status,
	    'topic_status', t.status, 'flags_resolved', flags,
	    'held_reasons', p.held_reasons));
	RETURN json_build_object('post', mod_post_json(p),
	    'topic', mod_topic_json(t));
END $$;

-- POST /mod/topics/{id}: lock, unlock, pin, unpin, move (to category
-- slug p_category) or slow (p_seconds between one user's posts).
CREATE FUNCTION mod_topic_action(actor bigint, tid bigint, p_action text,
    p_category text, p_seconds integer, p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	t	topics;
	c	categories;
	from_c	text;
	details	jsonb := '{}';
BEGIN
	PERFORM mod_require_staff(actor);
	IF p_action IS NULL OR p_action NOT IN ('lock', 'unlock', 'pin',
	    'unpin', 'move', 'slow') THEN
		PERFORM board_error('MS422', 'mod.errors.bad_action', 'action');
	END IF;
	p_reason := nullif(btrim(p_reason), '');
	IF char_length(p_reason) > 500 THEN
		PERFORM board_error('MS422', 'mod.errors.reason_long', 'reason');
	END IF;
	SELECT * INTO t FROM topics WHERE id = tid FOR UPDATE;
	IF t.id IS NULL THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;

	CASE p_action
	WHEN 'lock', 'unlock' THEN
		UPDATE topics SET locked = (p_action = 'lock') WHERE id = tid;
	WHEN 'pin', 'unpin' THEN
		UPDATE topics SET pinned = (p_action = 'pin') WHERE id = tid;
	WHEN 'slow' THEN
		IF p_seconds IS NULL OR p_seconds NOT BETWEEN 0 AND 86400 THEN
			PERFORM board_error('MS422', 'mod.errors.seconds',
			    'seconds');
		END IF;
		UPDATE topics SET slow_mode_seconds = p_seconds WHERE id = tid;
		details := jsonb_build_object('from', t.slow_mode_seconds,
		    'to', p_seconds);
	ELSE
		SELECT * INTO c FROM categories WHERE slug = p_category;
		IF c.id IS NULL THEN
			PERFORM board_error('MS422', 'mod.errors.category',
			    'category');
		END IF;
		SELECT slug INTO from_c FROM categories
		WHERE id = t.category_id;
		details := jsonb_build_object('from', from_c, 'to', c.slug);
		IF c.id <> t.category_id THEN
			UPDATE topics SET category_id = c.id WHERE id = tid;
			IF t.status = 'published' THEN
				UPDATE categories SET topic_count =
				    greatest(topic_count - 1, 0)
				WHERE id = t.category_id;
				UPDATE categories SET topic_count =
				    topic_count + 1
				WHERE id = c.id;
			END IF;
		END IF;
	END CASE;

	PERFORM board_touch(tid);
	SELECT * INTO t FROM topics WHERE id = tid;
	INSERT INTO audit_log (actor_id, action, target_user_id, target,
	    reason, details)
	VALUES (actor, 'topic.' || p_action, t.author_id, 'topic:' || tid,
	    p_reason, details);
	RETURN json_build_object('topic', mod_topic_json(t));
END $$;

-- The word lists, each sorted.
CREATE FUNCTION mod_words_json() RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object(
    'block', (SELECT coalesce(json_agg(phrase ORDER BY phrase), '[]')
	FROM moderation_words WHERE kind = 'block'),
    'allow', (SELECT coalesce(json_agg(phrase ORDER BY phrase), '[]')
	FROM moderation_words WHERE kind = 'allow'));

-- Replace the list of one kind with the phrases of p (a JSON array of
-- trimmed, non-empty strings; C checked them).  Matching ignores case,
-- so entries differing only in case are one: the first is kept.
-- Returns what changed, for the audit log.
CREATE FUNCTION mod_words_replace(p_kind text, p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	want	text[];
	added	text[];
	removed	text[];
BEGIN
	SELECT coalesce(array_agg(e ORDER BY n), '{}') INTO want
	FROM (SELECT DISTINCT ON (lower(e)) e, n
	    FROM jsonb_array_elements_text(p) WITH ORDINALITY x (e, n)
	    ORDER BY lower(e), n) d;
	IF cardinality(want) > 2000 THEN
		PERFORM board_error('MS422', 'mod.errors.too_many_words',
		    p_kind);
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(want) w
	    WHERE char_length(w) NOT BETWEEN 1 AND 100) THEN
		PERFORM board_error('MS422', 'mod.errors.word_long', p_kind);
	END IF;
	WITH gone AS (
		DELETE FROM moderation_words
		WHERE kind = p_kind AND NOT (phrase = ANY (want))
		RETURNING phrase
	)
	SELECT coalesce(array_agg(phrase ORDER BY phrase), '{}') INTO removed
	FROM gone;
	WITH put AS (
		INSERT INTO moderation_words (kind, phrase)
		SELECT p_kind, w FROM unnest(want) w
		ON CONFLICT DO NOTHING
		RETURNING phrase
	)
	SELECT coalesce(array_agg(phrase ORDER BY phrase), '{}') INTO added
	FROM put;
	RETURN jsonb_build_object('count', cardinality(want),
	    'added', to_jsonb(added[1:100]),
	    'removed', to_jsonb(removed[1:100]));
END $$;

-- POST /mod/words: replace the block and/or the allow list (NULL keeps
-- a list as it is).  The audit log gets a row when a list changed.
CREATE FUNCTION mod_words_set(actor bigint, p_block jsonb, p_allow jsonb)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	details	jsonb := '{}';
	d	jsonb;
	changed	boolean := false;
	k	text;
BEGIN
	PERFORM mod_require_staff(actor);
	FOREACH k IN ARRAY ARRAY['block', 'allow'] LOOP
		IF (CASE k WHEN 'block' THEN p_block ELSE p_allow END)
		    IS NULL THEN
			CONTINUE;
		END IF;
		d := mod_words_replace(k, CASE k WHEN 'block' THEN p_block
		    ELSE p_allow END);
		details := details || jsonb_build_object(k, d);
		changed := changed OR d -> 'added' <> '[]' OR
		    d -> 'removed' <> '[]';
	END LOOP;
	IF changed THEN
		INSERT INTO audit_log (actor_id, action, target, details)
		VALUES (actor, 'words.update', 'moderation_words', details);
	END IF;
	RETURN mod_words_json();
END $$;

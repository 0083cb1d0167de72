-- The 24-hour discussion board (API.md "Discussion board", DESIGN.md
-- sections 7 and 8): categories, topics, posts with revisions, flags,
-- read positions, the sensitive-word list and the rules that keep the
-- board civil while no staff are awake.  C renders Markdown and makes
-- search tokens; everything that decides who may do or see what is here.
--
-- States of a post (and of a topic, which follows its opening post):
--   published  everyone who may read the category sees it
--   pending    held for review: only its author (marked "awaiting
--              approval") and staff
--   rejected   refused by staff: only its author, with the reason
--   hidden     hidden by flags or staff: a placeholder for others; its
--              author sees it with the reason
--   deleted    nobody but staff
-- Nothing held or hidden produces a notification, a counter or a feed
-- entry: those are made by board_post_published() only.

CREATE TABLE categories (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug		text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,40}$'),
	name_zh		text NOT NULL,
	name_en		text NOT NULL,
	description_zh	text NOT NULL DEFAULT '',
	description_en	text NOT NULL DEFAULT '',
	-- Who may start topics; everyone who may read may reply.
	post_access	text NOT NULL DEFAULT 'verified'
	    CHECK (post_access IN ('verified', 'staff')),
	read_access	text NOT NULL DEFAULT 'anyone'
	    CHECK (read_access IN ('anyone', 'staff')),
	solvable	boolean NOT NULL DEFAULT false,
	position	integer NOT NULL DEFAULT 0,
	topic_count	integer NOT NULL DEFAULT 0
);

INSERT INTO categories (slug, name_zh, name_en, description_zh,
    description_en, post_access, read_access, solvable, position) VALUES
	('announcements', '公告', 'Announcements',
	 '馆员发布的通知：开放时间、设备、活动。', 'News from the staff: hours, equipment, events.',
	 'staff', 'anyone', false, 1),
	('general', '综合讨论', 'General',
	 '关于创客空间的一切。', 'Anything about the makerspace.',
	 'verified', 'anyone', false, 2),
	('help', '求助与问答', 'Help & Questions',
	 '遇到问题？提问并把最好的回答标记为已解决。', 'Stuck? Ask, and mark the answer that solved it.',
	 'verified', 'anyone', true, 3),
	('show-and-tell', '作品展示', 'Show & Tell',
	 '分享你做的东西。', 'Share what you made.',
	 'verified', 'anyone', false, 4),
	('equipment', '设备', 'Equipment',
	 '3D 打印机、激光切割机、电子工作台。', '3D printers, laser cutters, electronics benches.',
	 'verified', 'anyone', false, 5),
	('staff', '馆员室', 'Staff room',
	 '仅馆员可见。', 'Staff only.',
	 'staff', 'staff', false, 6);

CREATE TABLE topics (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	category_id	bigint NOT NULL REFERENCES categories (id),
	author_id	bigint NOT NULL REFERENCES users (id),
	title		text NOT NULL
	    CHECK (char_length(title) BETWEEN 3 AND 200),
	status		text NOT NULL DEFAULT 'published' CHECK (status IN
	    ('published', 'pending', 'rejected', 'hidden', 'deleted')),
	pinned		boolean NOT NULL DEFAULT false,
	locked		boolean NOT NULL DEFAULT false,
	solved_post_id	bigint,
	slow_mode_seconds integer NOT NULL DEFAULT 0
	    CHECK (slow_mode_seconds BETWEEN 0 AND 86400),
	next_number	integer NOT NULL DEFAULT 1,
	-- Published posts after the first, and the newest one's number.
	reply_count	integer NOT NULL DEFAULT 0,
	last_number	integer NOT NULL DEFAULT 0,
	last_post_at	timestamptz NOT NULL DEFAULT now(),
	-- Bumped whenever anything the topic page shows changes: workers
	-- keep rendered posts under it (app/board.c).
	version		bigint NOT NULL DEFAULT 1,
	search_tokens	text NOT NULL DEFAULT '',
	search_tsv	tsvector GENERATED ALWAYS AS
	    (to_tsvector('simple', search_tokens)) STORED,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX topics_latest ON topics (last_post_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX topics_category ON topics (category_id, pinned DESC,
    last_post_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX topics_search ON topics USING gin (search_tsv)
    WHERE status = 'published';
CREATE INDEX topics_author ON topics (author_id);

CREATE TABLE posts (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	topic_id	bigint NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
	number		integer NOT NULL,
	author_id	bigint NOT NULL REFERENCES users (id),
	reply_to	bigint REFERENCES posts (id) ON DELETE SET NULL,
	body		text NOT NULL CHECK (char_length(body) >= 1
	    AND octet_length(body) <= 65536),
	body_html	text NOT NULL,
	status		text NOT NULL DEFAULT 'published' CHECK (status IN
	    ('published', 'pending', 'rejected', 'hidden', 'deleted')),
	-- Why it was held: 'new_user', 'sensitive', 'flags'.
	held_reasons	text[] NOT NULL DEFAULT '{}',
	-- What staff told the author (reject, hide).
	mod_reason	text,
	flag_count	integer NOT NULL DEFAULT 0,
	search_tokens	text NOT NULL DEFAULT '',
	search_tsv	tsvector GENERATED ALWAYS AS
	    (to_tsvector('simple', search_tokens)) STORED,
	created_at	timestamptz NOT NULL DEFAULT now(),
	edited_at	timestamptz,
	UNIQUE (topic_id, number)
);
CREATE INDEX posts_search ON posts USING gin (search_tsv)
    WHERE status = 'published';
CREATE INDEX posts_author ON posts (author_id, created_at DESC);
-- "Has this reader anything held or hidden in this topic?" (topic pages
-- are kept per topic for readers who have not).
CREATE INDEX posts_unseen ON posts (author_id, topic_id)
    WHERE status IN ('pending', 'rejected', 'hidden');
-- The review queue: held posts and flagged ones.
CREATE INDEX posts_review ON posts (id)
    WHERE status = 'pending' OR (flag_count > 0 AND status <> 'deleted');

-- Earlier versions of a post, kept on every edit.
CREATE TABLE post_revisions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	editor_id	bigint REFERENCES users (id),
	body		text NOT NULL,
	-- When this version was written.
	written_at	timestamptz NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE post_flags (
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	reason		text NOT NULL CHECK (reason IN
	    ('spam', 'offensive', 'off_topic', 'other')),
	note		text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	-- Staff dealt with it (approve after flags clears them).
	resolved_at	timestamptz,
	PRIMARY KEY (post_id, user_id)
);

-- Mentions of held posts, sent when staff approve them.
CREATE TABLE post_pending_mentions (
	post_id		bigint PRIMARY KEY REFERENCES posts (id)
	    ON DELETE CASCADE,
	mentions	text[] NOT NULL
);

-- How far each reader has read each topic (unread counts in lists).
CREATE TABLE topic_reads (
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	topic_id	bigint NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
	last_number	integer NOT NULL,
	PRIMARY KEY (user_id, topic_id)
);

-- The staff-maintained word lists: 'block' entries hold a post for
-- review; 'allow' phrases are removed before matching, so that a
-- blocked word inside an innocent phrase does not hold it.
CREATE TABLE moderation_words (
	kind		text NOT NULL CHECK (kind IN ('block', 'allow')),
	phrase		text NOT NULL CHECK (char_length(phrase) BETWEEN 1 AND 100),
	PRIMARY KEY (kind, phrase)
);

INSERT INTO site_settings (key, value) VALUES
	-- A user is "new" until both are passed.
	('board_new_user_days', '3'),
	('board_new_user_posts', '5'),
	-- A new user's first posts wait for a moderator.
	('board_hold_first_posts', '1'),
	('board_new_posts_per_day', '10'),
	('board_new_links_per_post', '2'),
	('board_new_images_per_post', '1'),
	('board_new_seconds_between', '30'),
	-- Flags from this many users hide a post pending review.
	('board_flag_threshold', '3'),
	-- Authors may edit their posts for this long; staff always.
	('board_edit_window_minutes', '60')
ON CONFLICT (key) DO NOTHING;

INSERT INTO listing_versions (name) VALUES ('board');

-- ------------------------------------------------------------------
-- Who may see what.

CREATE FUNCTION is_staff_role(r text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(r IN ('staff', 'admin'), false);

-- May a viewer (role r) read category c?
CREATE FUNCTION category_readable(c categories, r text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN c.read_access = 'anyone' OR is_staff_role(r);

-- The blocked words found in text once the allowed phrases are removed.
CREATE FUNCTION sensitive_matches(t text) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	s	text := lower(t);
	a	text;
	found	text[] := '{}';
BEGIN
	FOR a IN SELECT lower(phrase) FROM moderation_words
	    WHERE kind = 'allow' ORDER BY char_length(phrase) DESC LOOP
		s := replace(s, a, ' ');
	END LOOP;
	SELECT coalesce(array_agg(phrase ORDER BY phrase), '{}') INTO found
	FROM moderation_words
	WHERE kind = 'block' AND position(lower(phrase) IN s) > 0;
	RETURN found;
END $$;

-- A user is new while their account is young or they have few
-- published posts.
CREATE FUNCTION board_user_is_new(u users) RETURNS boolean
LANGUAGE sql STABLE
RETURN NOT is_staff_role(u.role) AND (
    u.created_at > now() - make_interval(days =>
        setting_int('board_new_user_days', 3))
    OR (SELECT count(*) FROM posts p WHERE p.author_id = u.id
        AND p.status = 'published') <
        setting_int('board_new_user_posts', 5));

CREATE FUNCTION board_error(code text, msg text, field text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg;
	END IF;
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg, DETAIL = field;
END $$;

-- The limits on a new post by u (p_html its rendered body, tid its
-- topic or NULL for a new topic): 429 with the seconds to wait in
-- DETAIL, or 422 for too many links or images.
CREATE FUNCTION board_check_limits(u users, tid bigint, p_html text)
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
	n := (length(p_html) - length(replace(p_html, '<a href=', ''))) / 8;
	IF n > setting_int('board_new_links_per_post', 2) THEN
		PERFORM board_error('MS422', 'errors.too_many_links', 'body');
	END IF;
	n := (length(p_html) - length(replace(p_html, '<img ', ''))) / 5;
	IF n > setting_int('board_new_images_per_post', 1) THEN
		PERFORM board_error('MS422', 'errors.too_many_images', 'body');
	END IF;
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

-- Why a new post by u should be held (empty: publish it).
CREATE FUNCTION board_hold_reasons(u users, p_text text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	r	text[] := '{}';
BEGIN
	IF is_staff_role(u.role) THEN
		RETURN r;
	END IF;
	IF (SELECT count(*) FROM posts WHERE author_id = u.id
	    AND status IN ('published', 'hidden')) <
	    setting_int('board_hold_first_posts', 1) THEN
		r := r || 'new_user'::text;
	END IF;
	IF cardinality(sensitive_matches(p_text)) > 0 THEN
		r := r || 'sensitive'::text;
	END IF;
	RETURN r;
END $$;

-- Tell the workers (DESIGN.md section 7): ids only, plus what they need
-- to decide who may receive it without asking again.
CREATE FUNCTION board_notify(kind text, t topics, pid bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_notify('board', json_build_object('type', kind,
	    'topic_id', t.id, 'post_id', pid, 'category_id', t.category_id,
	    'staff_only', c.read_access = 'staff')::text)
	FROM categories c WHERE c.id = t.category_id;
$$;

-- The page of topic tid changed: workers render it again.
CREATE FUNCTION board_touch(tid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE topics SET version = version + 1 WHERE id = tid;
	UPDATE listing_versions SET version = version + 1 WHERE name = 'board';
$$;

-- Everything a post's publication causes, whenever it happens (at once
-- or when staff approve it): counters, the topic's place in lists,
-- notifications (mentions, replies), the live update.
CREATE FUNCTION board_post_published(pid bigint, mentions text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	p	posts;
	t	topics;
	url	text;
BEGIN
	SELECT * INTO p FROM posts WHERE id = pid;
	UPDATE topics SET
	    reply_count = reply_count + CASE WHEN p.number > 1 THEN 1
	        ELSE 0 END,
	    last_number = greatest(last_number, p.number),
	    last_post_at = greatest(last_post_at, p.created_at)
	WHERE id = p.topic_id RETURNING * INTO t;
	IF p.number = 1 THEN
		UPDATE categories SET topic_count = topic_count + 1
		WHERE id = t.category_id;
	END IF;
	PERFORM board_touch(t.id);
	url := '/t/' || t.id || '#post-' || p.number;
	-- Mentions: once per post and user, never oneself, only readers
	-- who may see the category.
	INSERT INTO notifications (user_id, type, actor_id, url, data)
	SELECT u.id, 'mention', p.author_id, url,
	    jsonb_build_object('topic', t.title, 'post_id', p.id)
	FROM users u JOIN categories c ON c.id = t.category_id
	WHERE lower(u.username) = ANY (mentions) AND u.id <> p.author_id
	    AND category_readable(c, u.role)
	    AND NOT EXISTS (SELECT 1 FROM notifications n
	        WHERE n.user_id = u.id AND n.type = 'mention'
	        AND n.data ->> 'post_id' = p.id::text);
	-- Replies: the topic's author, and the author of the post replied
	-- to, unless mentioned already or the replier themselves.
	IF p.number > 1 THEN
		INSERT INTO notifications (user_id, type, actor_id, url, data)
		SELECT DISTINCT x.uid, 'reply', p.author_id, url,
		    jsonb_build_object('topic', t.title, 'post_id', p.id)
		FROM (SELECT t.author_id AS uid
		    UNION SELECT author_id FROM posts WHERE id = p.reply_to) x
		JOIN users u ON u.id = x.uid
		WHERE x.uid <> p.author_id
		    AND NOT (lower(u.username) = ANY (mentions));
	END IF;
	PERFORM board_notify(CASE WHEN p.number = 1 THEN 'topic'
	    ELSE 'post' END, t, p.id);
END $$;

-- The JSON answer of a created or edited post.
CREATE FUNCTION board_post_brief(p posts) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object('id', p.id, 'number', p.number,
    'topic_id', p.topic_id, 'url', '/t/' || p.topic_id || '#post-' ||
    p.number, 'status', p.status, 'body_html', p.body_html,
    'held_reasons', p.held_reasons, 'created_at', rfc3339(p.created_at),
    'edited_at', rfc3339(p.edited_at));

-- A new post (the opening post when number is 1) by u in topic t.
CREATE FUNCTION board_post_insert(u users, t topics, p_body text,
    p_html text, p_tokens text, p_reply_to bigint, mentions text[])
RETURNS posts
LANGUAGE plpgsql AS $$
DECLARE
	p	posts;
	n	integer;
	held	text[];
BEGIN
	held := board_hold_reasons(u, p_body);
	UPDATE topics SET next_number = next_number + 1 WHERE id = t.id
	RETURNING next_number - 1 INTO n;
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

-- POST /topics.
CREATE FUNCTION board_topic_create(uid bigint, p_category text,
    p_title text, p_title_tokens text, p_body text, p_html text,
    p_tokens text, mentions text[]) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	c	categories;
	t	topics;
	p	posts;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO c FROM categories WHERE slug = p_category;
	IF c.id IS NULL OR NOT category_readable(c, u.role) THEN
		PERFORM board_error('MS422', 'errors.unknown_category',
		    'category');
	END IF;
	IF c.post_access = 'staff' AND NOT is_staff_role(u.role) THEN
		PERFORM board_error('MS403', 'errors.staff_category');
	END IF;
	PERFORM board_check_limits(u, NULL, p_html);
	INSERT INTO topics (category_id, author_id, title, search_tokens)
	VALUES (c.id, uid, p_title, p_title_tokens) RETURNING * INTO t;
	p := board_post_insert(u, t, p_body, p_html, p_tokens, NULL,
	    mentions);
	IF p.status <> 'published' THEN
		UPDATE topics SET status = 'pending' WHERE id = t.id
		RETURNING * INTO t;
	END IF;
	RETURN json_build_object('topic', json_build_object('id', t.id,
	    'url', '/t/' || t.id, 'title', t.title, 'status', t.status,
	    'category', c.slug, 'held_reasons', p.held_reasons),
	    'post', board_post_brief(p));
END $$;

-- May u see topic t (and so reply, flag, read it)?
CREATE FUNCTION board_topic_visible(t topics, u users) RETURNS boolean
LANGUAGE sql STABLE
RETURN t.id IS NOT NULL AND category_readable((SELECT c FROM categories c
    WHERE c.id = t.category_id), u.role) AND (t.status = 'published'
    OR is_staff_role(u.role) OR (t.author_id = u.id
    AND t.status IN ('pending', 'rejected', 'hidden')));

-- POST /t/{id}/posts.
CREATE FUNCTION board_reply(uid bigint, tid bigint, p_body text,
    p_html text, p_tokens text, p_reply_to bigint, mentions text[])
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

-- POST /posts/{id}: authors within the edit window, staff any time.
-- The earlier body is kept as a revision.
CREATE FUNCTION board_post_edit(uid bigint, pid bigint, p_body text,
    p_html text, p_tokens text, mentions text[]) RETURNS json
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

-- POST /posts/{id}/flag: one flag per user and post; enough flags hide
-- the post pending review.
CREATE FUNCTION board_post_flag(uid bigint, pid bigint, p_reason text,
    p_note text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	p	posts;
	t	topics;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO p FROM posts WHERE id = pid FOR UPDATE;
	SELECT * INTO t FROM topics WHERE id = p.topic_id;
	IF p.id IS NULL OR p.status NOT IN ('published', 'hidden') OR
	    NOT coalesce(board_topic_visible(t, u), false) THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;
	IF p.author_id = uid THEN
		PERFORM board_error('MS422', 'errors.flag_own', 'reason');
	END IF;
	INSERT INTO post_flags (post_id, user_id, reason, note)
	VALUES (pid, uid, p_reason, coalesce(p_note, ''))
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		PERFORM board_error('MS409', 'errors.already_flagged');
	END IF;
	UPDATE posts SET flag_count = flag_count + 1,
	    status = CASE WHEN status = 'published' AND flag_count + 1 >=
	        setting_int('board_flag_threshold', 3) AND
	        NOT is_staff_role((SELECT role FROM users
	        WHERE id = author_id)) THEN 'hidden' ELSE status END,
	    held_reasons = CASE WHEN status = 'published' AND
	        flag_count + 1 >= setting_int('board_flag_threshold', 3)
	        THEN held_reasons || '{flags}'::text[] ELSE held_reasons END
	WHERE id = pid RETURNING * INTO p;
	IF p.status = 'hidden' THEN
		PERFORM board_touch(t.id);
	END IF;
	RETURN json_build_object('flag', json_build_object('post_id', pid,
	    'reason', p_reason), 'post', json_build_object('id', p.id,
	    'url', '/t/' || p.topic_id || '#post-' || p.number,
	    'hidden', p.status = 'hidden'));
END $$;

-- POST /t/{id}/solve: the topic's author or staff mark a reply as the
-- answer (NULL clears it), in categories that allow it.
CREATE FUNCTION board_topic_solve(uid bigint, tid bigint, pid bigint)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	u	users;
	t	topics;
BEGIN
	SELECT * INTO u FROM users WHERE id = uid;
	SELECT * INTO t FROM topics WHERE id = tid FOR UPDATE;
	IF NOT coalesce(board_topic_visible(t, u), false) THEN
		PERFORM board_error('MS404', 'errors.not_found');
	END IF;
	IF t.author_id <> uid AND NOT is_staff_role(u.role) THEN
		PERFORM board_error('MS403', 'errors.forbidden');
	END IF;
	IF NOT (SELECT solvable FROM categories WHERE id = t.category_id) THEN
		PERFORM board_error('MS422', 'errors.not_solvable', 'post_id');
	END IF;
	IF pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts
	    WHERE id = pid AND topic_id = tid AND number > 1
	    AND status = 'published') THEN
		PERFORM board_error('MS422', 'errors.bad_solution', 'post_id');
	END IF;
	UPDATE topics SET solved_post_id = pid WHERE id = tid
	RETURNING * INTO t;
	PERFORM board_touch(tid);
	RETURN json_build_object('topic', json_build_object('id', t.id,
	    'url', '/t/' || t.id, 'solved_post_id', t.solved_post_id));
END $$;

-- A user's new display name shows on their posts.
CREATE FUNCTION board_users_name_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE topics SET version = version + 1 WHERE id IN
	    (SELECT DISTINCT topic_id FROM posts WHERE author_id = NEW.id);
	UPDATE listing_versions SET version = version + 1
	WHERE name = 'board';
	RETURN NULL;
END $$;

CREATE TRIGGER board_users_name_changed AFTER UPDATE OF display_name
ON users FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM
    NEW.display_name)
EXECUTE FUNCTION board_users_name_changed();

-- ------------------------------------------------------------------
-- Photos for posts (POST /uploads): the same pipeline as project photos
-- (app/photo.c); the post quotes them as Markdown.  Board images are
-- public: posts are read by anyone who may read the category, and the
-- name is an unguessable content hash.
CREATE TABLE board_uploads (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	thumb_id	bigint NOT NULL REFERENCES media (id),
	display_id	bigint NOT NULL REFERENCES media (id),
	width		integer NOT NULL,
	height		integer NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX board_uploads_user ON board_uploads (user_id, created_at);

CREATE OR REPLACE FUNCTION media_public_refresh(mid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE media m SET public = EXISTS (SELECT 1 FROM project_photos ph
	    JOIN projects p ON p.id = ph.project_id
	    WHERE (ph.thumb_id = mid OR ph.display_id = mid)
	    AND p.status = 'published') OR EXISTS (SELECT 1 FROM board_uploads b
	    WHERE b.thumb_id = mid OR b.display_id = mid)
	WHERE m.id = mid;
$$;

-- 60 uploads an hour per user at most: 429 with the seconds to wait.
CREATE FUNCTION board_upload_add(uid bigint,
    t_sha text, t_mime text, t_w integer, t_h integer, t_bytes bytea,
    d_sha text, d_mime text, d_w integer, d_h integer, d_bytes bytea,
    p_w integer, p_h integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b	board_uploads;
	wait	integer;
	turl	text;
	durl	text;
BEGIN
	wait := rate_hit('upload:' || uid, 3600, 60);
	IF wait > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'MS429',
		    MESSAGE = 'errors.rate_limited', DETAIL = wait::text;
	END IF;
	INSERT INTO board_uploads (user_id, thumb_id, display_id, width,
	    height)
	VALUES (uid, media_put(t_sha, t_mime, t_w, t_h, t_bytes),
	    media_put(d_sha, d_mime, d_w, d_h, d_bytes), p_w, p_h)
	RETURNING * INTO b;
	PERFORM media_public_refresh(b.thumb_id);
	PERFORM media_public_refresh(b.display_id);
	SELECT media_url(m) INTO turl FROM media m WHERE m.id = b.thumb_id;
	SELECT media_url(m) INTO durl FROM media m WHERE m.id = b.display_id;
	RETURN json_build_object('upload', json_build_object('id', b.id,
	    'url', durl, 'thumb_url', turl, 'width', d_w, 'height', d_h,
	    'markdown', '![](' || durl || ')'));
END $$;

-- Statements of board.c (docs/api.md#discussion-board).  Writes call the
-- functions of migrations/0005_board.sql.  Reads resolve the viewer in
-- the same statement; $lang parameters are the explicit ?lang (or NULL)
-- and the negotiated language, so that a user's own setting sits between
-- them as everywhere else.

-- name: board_check
-- $1 session hash, $2 the ids of the latest topics the worker holds (an
-- array).  The viewer, the board's listing version and how far the viewer
-- has read those topics; the worker answers from what it holds when the
-- version matches and the viewer is not staff (who see the staff room),
-- else runs board_page.
SELECT json_build_object('me', v.me,
    'staff', coalesce(is_staff_role(v.role), false),
    'version', lv.version,
    'reads', CASE WHEN v.id IS NOT NULL THEN coalesce((SELECT
	json_object_agg(r.topic_id, r.last_number) FROM topic_reads r
	WHERE r.user_id = v.id AND r.topic_id = ANY ($2::bigint[])), '{}')
	END)
FROM listing_versions lv
LEFT JOIN LATERAL viewer($1::text) v ON true
WHERE lv.name = 'board'

-- name: board_page
-- $1 session hash, $2 ?lang or NULL, $3 negotiated language.
-- Categories the viewer may read, and the 20 latest topics in them.
SELECT json_build_object(
    'categories', coalesce((SELECT json_agg(json_build_object(
	'slug', c.slug, 'url', '/c/' || c.slug,
	'name', CASE WHEN l.en THEN c.name_en ELSE c.name_zh END,
	'description', CASE WHEN l.en THEN c.description_en
	    ELSE c.description_zh END,
	'topic_count', c.topic_count, 'staff_only', c.read_access = 'staff',
	'staff_post', c.post_access = 'staff', 'solvable', c.solvable)
	ORDER BY c.position, c.id)
	FROM categories c WHERE category_readable(c, v.role)), '[]'),
    'topics', coalesce((SELECT json_agg(json_build_object('id', t.id,
	'url', '/t/' || t.id, 'title', t.title,
	'author', (SELECT user_brief(u) FROM users u WHERE u.id = t.author_id),
	'category', json_build_object('slug', c.slug, 'url', '/c/' || c.slug,
	    'name', CASE WHEN l.en THEN c.name_en ELSE c.name_zh END),
	'reply_count', t.reply_count, 'last_post_at', rfc3339(t.last_post_at),
	'pinned', t.pinned, 'locked', t.locked,
	'solved', t.solved_post_id IS NOT NULL,
	'last_number', t.last_number,
	'unread', CASE WHEN v.id IS NULL THEN NULL
	    ELSE greatest(0, t.last_number - coalesce(r.last_number, 0)) END,
	'new', v.id IS NOT NULL AND r.last_number IS NULL)
	ORDER BY t.last_post_at DESC, t.id DESC)
	FROM (SELECT t.* FROM topics t JOIN categories c2
	    ON c2.id = t.category_id
	    WHERE t.status = 'published' AND category_readable(c2, v.role)
	    ORDER BY t.last_post_at DESC, t.id DESC LIMIT 20) t
	JOIN categories c ON c.id = t.category_id
	LEFT JOIN topic_reads r ON r.user_id = v.id AND r.topic_id = t.id),
	'[]'),
    'version', (SELECT version FROM listing_versions WHERE name = 'board'),
    'staff', coalesce(is_staff_role(v.role), false),
    'me', v.me)
FROM (SELECT $1::text AS h) a
LEFT JOIN LATERAL viewer(a.h) v ON true
CROSS JOIN LATERAL (SELECT coalesce($2::text, v.me ->> 'locale', $3::text)
    = 'en' AS en) l

-- name: category_check
-- $1 session hash, $2 ?lang or NULL, $3 negotiated language, $4 slug,
-- $5 the ids of the topics on the page the worker holds (an array).
-- The category, the board's listing version, the viewer and how far they
-- have read those topics; the worker answers from what it holds when
-- the version matches, else runs category_page.  No row: category_page
-- decides (404).
WITH c AS (
	SELECT c.*, v.id AS vid, v.role AS vrole, v.me,
	    coalesce($2::text, v.me ->> 'locale', $3::text) = 'en' AS en
	FROM categories c
	LEFT JOIN LATERAL viewer($1::text) v ON true
	WHERE c.slug = $4::text AND category_readable(c, v.role)
)
SELECT json_build_object(
    'category', json_build_object('slug', c.slug, 'url', '/c/' || c.slug,
	'name', CASE WHEN c.en THEN c.name_en ELSE c.name_zh END,
	'description', CASE WHEN c.en THEN c.description_en
	    ELSE c.description_zh END,
	'topic_count', c.topic_count, 'staff_only', c.read_access = 'staff',
	'solvable', c.solvable,
	'can_post', c.vid IS NOT NULL AND (c.post_access = 'verified'
	    OR is_staff_role(c.vrole))),
    'version', (SELECT version FROM listing_versions WHERE name = 'board'),
    -- How far the viewer has read those topics (worker: unread counts).
    'reads', CASE WHEN c.vid IS NOT NULL THEN coalesce((SELECT
	json_object_agg(r.topic_id, r.last_number) FROM topic_reads r
	WHERE r.user_id = c.vid AND r.topic_id = ANY ($5::bigint[])), '{}')
	END,
    'me', c.me)
FROM c

-- name: category_page
-- $1 session hash, $2 ?lang or NULL, $3 negotiated language, $4 slug,
-- $5..$7 cursor (pinned 0/1, last post time in epoch microseconds, id)
-- or NULLs.  Pinned topics first, then by latest activity; 30 a page.
-- What is the viewer's own (unread counts) is also apart from the
-- topics, in "unread", so that workers may keep the rest
-- (category_check).
WITH c AS (
	SELECT c.*, v.id AS vid, v.role AS vrole, v.me,
	    coalesce($2::text, v.me ->> 'locale', $3::text) = 'en' AS en
	FROM categories c
	LEFT JOIN LATERAL viewer($1::text) v ON true
	WHERE c.slug = $4::text AND category_readable(c, v.role)
), x0 AS (
	-- First page, or after the cursor: two branches, each a range scan
	-- of topics_category in a generic plan (see topic_page); LATERAL,
	-- so that the category's id reaches the index scans.
	SELECT l.* FROM c CROSS JOIN LATERAL (
		(SELECT t.* FROM topics t
		WHERE t.category_id = c.id AND t.status = 'published'
		    AND $5::integer IS NULL
		ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC
		LIMIT 31)
		UNION ALL
		(SELECT t.* FROM topics t
		WHERE t.category_id = c.id AND t.status = 'published'
		    AND (t.pinned, t.last_post_at, t.id) < ($5::integer = 1,
		    timestamptz 'epoch' + $6::bigint *
		    interval '1 microsecond', $7::bigint)
		ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC
		LIMIT 31)
	) l
), x AS (
	SELECT x0.*, row_number() OVER (ORDER BY x0.pinned DESC,
	    x0.last_post_at DESC, x0.id DESC) AS n
	FROM x0
)
SELECT json_build_object(
    'category', json_build_object('slug', c.slug, 'url', '/c/' || c.slug,
	'name', CASE WHEN c.en THEN c.name_en ELSE c.name_zh END,
	'description', CASE WHEN c.en THEN c.description_en
	    ELSE c.description_zh END,
	'topic_count', c.topic_count, 'staff_only', c.read_access = 'staff',
	'solvable', c.solvable,
	'can_post', c.vid IS NOT NULL AND (c.post_access = 'verified'
	    OR is_staff_role(c.vrole))),
    'version', lv.version,
    -- Topic id -> unread posts (-1: never opened), for a logged-in viewer.
    'unread', CASE WHEN c.vid IS NOT NULL THEN (SELECT json_object_agg(x.id,
	CASE WHEN r.last_number IS NULL THEN -1
	ELSE greatest(0, x.last_number - r.last_number) END)
	FROM x LEFT JOIN topic_reads r ON r.user_id = c.vid
	    AND r.topic_id = x.id WHERE x.n <= 30) END,
    'topics', coalesce((SELECT json_agg(json_build_object('id', x.id,
	'url', '/t/' || x.id, 'title', x.title,
	'author', (SELECT user_brief(u) FROM users u WHERE u.id = x.author_id),
	'reply_count', x.reply_count, 'last_post_at', rfc3339(x.last_post_at),
	'pinned', x.pinned, 'locked', x.locked,
	'solved', x.solved_post_id IS NOT NULL,
	'last_number', x.last_number,
	'unread', CASE WHEN c.vid IS NULL THEN NULL
	    ELSE greatest(0, x.last_number - coalesce(r.last_number, 0)) END,
	'new', c.vid IS NOT NULL AND r.last_number IS NULL) ORDER BY x.n)
	FROM x LEFT JOIN topic_reads r ON r.user_id = c.vid
	    AND r.topic_id = x.id
	WHERE x.n <= 30), '[]'),
    'next_cursor', (SELECT x.pinned::integer || '.' ||
	(extract(epoch FROM x.last_post_at) * 1000000)::bigint || '.' || x.id
	FROM x WHERE x.n = 30 AND EXISTS (SELECT 1 FROM x x2
	WHERE x2.n = 31)),
    'me', c.me)
FROM c, listing_versions lv
WHERE lv.name = 'board'

-- name: topic_check
-- $1 session hash, $2 topic id, $3 the last post number of the page the
-- worker holds.  For a viewer who sees what everybody sees ("plain"), of
-- a published topic in a category they may read: the topic's version
-- and the viewer, nothing else; the worker answers from what it holds
-- when the version matches, else runs topic_page.  No row: topic_page
-- decides (404, or the viewer's own view).  Records how far the viewer
-- has read, as topic_page does.  "topic": what of the topic depends on
-- who reads (mine, can_reply, can_solve), written as topic_page writes
-- it (keep the two the same); app/board.c copies it into the kept page.
WITH t AS (
	SELECT t.id, t.version, t.author_id, t.locked, t.status, c.solvable,
	    v.id AS vid, v.me, is_staff_role(v.role) AS vstaff
	FROM topics t JOIN categories c ON c.id = t.category_id
	LEFT JOIN LATERAL viewer($1::text) v ON true
	WHERE t.id = $2::bigint AND t.status = 'published'
	    AND category_readable(c, v.role)
	    AND NOT coalesce(is_staff_role(v.role), false)
	    AND NOT EXISTS (SELECT 1 FROM posts o WHERE o.topic_id = t.id
	    AND o.author_id = v.id
	    AND o.status IN ('pending', 'rejected', 'hidden'))
), rd AS (
	INSERT INTO topic_reads AS r (user_id, topic_id, last_number)
	SELECT t.vid, t.id, $3::integer FROM t
	WHERE t.vid IS NOT NULL AND $3::integer IS NOT NULL AND NOT EXISTS (
	    SELECT 1 FROM topic_reads r2 WHERE r2.user_id = t.vid
	    AND r2.topic_id = t.id AND r2.last_number >= $3::integer)
	ON CONFLICT (user_id, topic_id) DO UPDATE
	SET last_number = EXCLUDED.last_number
	WHERE r.last_number < EXCLUDED.last_number
	RETURNING 1
)
SELECT json_build_object('version', t.version, 'me', t.me,
    'read', (SELECT count(*) FROM rd),
    'topic', json_build_object('mine', t.author_id = t.vid,
	'can_reply', t.vid IS NOT NULL AND (NOT t.locked OR t.vstaff)
	    AND t.status = 'published',
	'can_solve', t.solvable AND (t.author_id = t.vid OR t.vstaff),
	'staff', coalesce(t.vstaff, false)))
FROM t

-- name: topic_page
-- $1 session hash, $2 ?lang or NULL, $3 negotiated language, $4 topic
-- id, $5 cursor: the post number after which to start (NULL: from the
-- first), $6 the post number before which to end (NULL: none; then 20
-- posts before it, still shown oldest first).  Keyset on (topic_id,
-- number), so page 1000 costs what page 1 costs.  "plain": the viewer
-- sees exactly what everybody sees (not staff, nothing of theirs held or
-- hidden here), so workers may keep the page (topic_check).  Records how
-- far the viewer has read.
WITH t AS (
	SELECT t.*, c.slug, c.solvable, v.id AS vid, v.role AS vrole, v.me,
	    is_staff_role(v.role) AS vstaff,
	    CASE WHEN coalesce($2::text, v.me ->> 'locale', $3::text) = 'en'
	    THEN c.name_en ELSE c.name_zh END AS cname,
	    NOT coalesce(is_staff_role(v.role), false) AND NOT EXISTS (
	        SELECT 1 FROM posts o WHERE o.topic_id = t.id
	        AND o.author_id = v.id
	        AND o.status IN ('pending', 'rejected', 'hidden')) AS plain
	FROM topics t JOIN categories c ON c.id = t.category_id
	LEFT JOIN LATERAL viewer($1::text) v ON true
	WHERE t.id = $4::bigint AND category_readable(c, v.role)
	    AND (t.status = 'published' OR is_staff_role(v.role)
	    OR (t.author_id = v.id AND t.status <> 'deleted'))
), pg AS (
	-- Two branches so that each is a plain range scan of the
	-- (topic_id, number) index in a generic plan: forward from $5, or
	-- backward from $6 (then the first branch is switched off by its
	-- one-time filter).  "$5 IS NULL OR ..." would scan the whole topic.
	(SELECT p.id, p.number FROM posts p, t
	WHERE p.topic_id = $4::bigint AND $6::integer IS NULL
	    AND p.number > coalesce($5::integer, 0)
	    AND (p.status IN ('published', 'hidden') OR t.vstaff
	    OR (p.author_id = t.vid AND p.status <> 'deleted'))
	ORDER BY p.number
	LIMIT 21)
	UNION ALL
	(SELECT p.id, p.number FROM posts p, t
	WHERE p.topic_id = $4::bigint AND p.number < $6::integer
	    AND (p.status IN ('published', 'hidden') OR t.vstaff
	    OR (p.author_id = t.vid AND p.status <> 'deleted'))
	ORDER BY p.number DESC
	LIMIT 21)
), shown AS (
	SELECT * FROM pg ORDER BY CASE WHEN $6::integer IS NULL THEN number
	    ELSE -number END LIMIT 20
), rd AS (
	INSERT INTO topic_reads AS r (user_id, topic_id, last_number)
	SELECT t.vid, t.id, m.mx FROM t, (SELECT max(number) AS mx
	    FROM shown) m
	WHERE t.vid IS NOT NULL AND m.mx IS NOT NULL AND NOT EXISTS (
	    SELECT 1 FROM topic_reads r2 WHERE r2.user_id = t.vid
	    AND r2.topic_id = t.id AND r2.last_number >= m.mx)
	ON CONFLICT (user_id, topic_id) DO UPDATE
	SET last_number = EXCLUDED.last_number
	WHERE r.last_number < EXCLUDED.last_number
	RETURNING 1
)
SELECT json_build_object(
    'topic', json_build_object('id', t.id, 'url', '/t/' || t.id,
	'title', t.title, 'status', t.status, 'version', t.version,
	'category', json_build_object('slug', t.slug, 'url', '/c/' || t.slug,
	    'name', t.cname),
	'author', (SELECT user_brief(u) FROM users u WHERE u.id = t.author_id),
	'locked', t.locked, 'pinned', t.pinned, 'solvable', t.solvable,
	'solved_post_id', t.solved_post_id, 'reply_count', t.reply_count,
	'slow_mode_seconds', t.slow_mode_seconds,
	'created_at', rfc3339(t.created_at),
	'solution', (SELECT json_build_object('id', s.id, 'number', s.number,
	    'url', '/t/' || t.id || '#post-' || s.number,
	    'author', (SELECT user_brief(u) FROM users u
	        WHERE u.id = s.author_id), 'body_html', s.body_html)
	    FROM posts s WHERE s.id = t.solved_post_id
	    AND s.status = 'published'),
	-- Who reads: the same in topic_check (kept pages).
	'mine', t.author_id = t.vid,
	'can_reply', t.vid IS NOT NULL AND (NOT t.locked OR t.vstaff)
	    AND t.status = 'published',
	'can_solve', t.solvable AND (t.author_id = t.vid OR t.vstaff),
	'staff', coalesce(t.vstaff, false)),
    'plain', t.plain,
    'last_number', (SELECT max(number) FROM shown),
    'posts', coalesce((SELECT json_agg(json_build_object('id', p.id,
	'number', p.number, 'url', '/t/' || t.id || '#post-' || p.number,
	'author', user_brief(u),
	'body_html', CASE WHEN p.status = 'hidden' AND NOT t.vstaff
	    AND p.author_id IS DISTINCT FROM t.vid THEN ''
	    ELSE p.body_html END,
	'created_at', rfc3339(p.created_at),
	'edited_at', rfc3339(p.edited_at),
	'hidden', p.status = 'hidden', 'status', p.status,
	'reply_to', p.reply_to,
	'reply_to_number', (SELECT r.number FROM posts r
	    WHERE r.id = p.reply_to),
	'solution', p.id = t.solved_post_id,
	'mine', p.author_id = t.vid,
	'mod_reason', CASE WHEN p.author_id = t.vid OR t.vstaff
	    THEN p.mod_reason END,
	'held_reasons', CASE WHEN p.author_id = t.vid OR t.vstaff
	    THEN p.held_reasons END,
	'pending', p.status = 'pending', 'rejected', p.status = 'rejected',
	'can_edit', p.status <> 'deleted' AND (coalesce(t.vstaff, false)
	    OR (p.author_id = t.vid AND NOT t.locked
	    AND p.created_at > now() - make_interval(mins =>
	    setting_int('board_edit_window_minutes', 60)))),
	'can_solve', t.solvable AND p.number > 1 AND p.status = 'published'
	    AND (t.author_id = t.vid OR coalesce(t.vstaff, false)),
	'answer', t.solvable AND p.number > 1 AND p.status = 'published',
	'topic_id', t.id)
	ORDER BY p.number)
	FROM shown sh JOIN posts p ON p.id = sh.id
	JOIN users u ON u.id = p.author_id), '[]'),
    -- Forward: more after when a 21st post was found.  Backward: the
    -- page ends before a post that exists, so there is more after it.
    'next_cursor', CASE WHEN $6::integer IS NOT NULL OR
	(SELECT count(*) FROM pg) > 20 THEN (SELECT max(number) FROM shown)
	END,
    'prev_cursor', CASE WHEN ($6::integer IS NOT NULL AND
	(SELECT count(*) FROM pg) > 20) OR ($6::integer IS NULL AND
	$5::integer > 0) THEN (SELECT min(number) FROM shown) END,
    'read', (SELECT count(*) FROM rd),
    'me', t.me)
FROM t

-- name: topic_create
-- $1 user, $2 category slug, $3 title, $4 title tokens, $5 body,
-- $6 body HTML, $7 body tokens, $8 mentions (JSON array).
SELECT board_topic_create($1, $2, $3, $4, $5, $6, $7,
    ARRAY(SELECT jsonb_array_elements_text($8::jsonb)))

-- name: post_create
-- $1 user, $2 topic, $3 body, $4 HTML, $5 tokens, $6 reply_to or NULL,
-- $7 mentions (JSON array).
SELECT board_reply($1, $2, $3, $4, $5, $6,
    ARRAY(SELECT jsonb_array_elements_text($7::jsonb)))

-- name: post_edit
-- $1 user, $2 post, $3 body, $4 HTML, $5 tokens, $6 mentions.
SELECT board_post_edit($1, $2, $3, $4, $5,
    ARRAY(SELECT jsonb_array_elements_text($6::jsonb)))

-- name: post_edit_form
-- $1 user, $2 post: the post as its editor sees it (404 otherwise).
SELECT json_build_object('post', json_build_object('id', p.id,
    'number', p.number, 'url', '/t/' || p.topic_id || '#post-' || p.number,
    'topic', json_build_object('id', t.id, 'title', t.title,
	'url', '/t/' || t.id)),
    'form', json_build_object('body', p.body))
FROM posts p JOIN topics t ON t.id = p.topic_id
JOIN users u ON u.id = $1::bigint
WHERE p.id = $2::bigint AND p.status <> 'deleted'
    AND (p.author_id = u.id OR is_staff_role(u.role))

-- name: post_revisions
-- $1 user, $2 post: earlier versions, oldest first, for its author and
-- staff (nothing otherwise: 404).
SELECT json_build_object('post', json_build_object('id', p.id,
    'url', '/t/' || p.topic_id || '#post-' || p.number,
    'body', p.body, 'edited_at', rfc3339(p.edited_at)),
    'revisions', coalesce((SELECT json_agg(json_build_object('body', r.body,
	'at', rfc3339(r.written_at), 'editor', (SELECT user_brief(e)
	FROM users e WHERE e.id = r.editor_id)) ORDER BY r.id)
	FROM post_revisions r WHERE r.post_id = p.id), '[]'))
FROM posts p JOIN users u ON u.id = $1::bigint
WHERE p.id = $2::bigint AND (p.author_id = u.id OR is_staff_role(u.role))

-- name: post_flag
-- $1 user, $2 post, $3 reason, $4 note.
SELECT board_post_flag($1, $2, $3, $4)

-- name: topic_solve
-- $1 user, $2 topic, $3 post or NULL.
SELECT board_topic_solve($1, $2, $3)

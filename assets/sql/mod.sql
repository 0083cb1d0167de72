-- Statements of mod.c (docs/api.md#moderation).  The rules
-- are in the functions of migrations/0006_moderation.sql.

-- name: mod_queue
-- $1 language, $2 view: 'hidden' lists the hidden posts, anything else
-- the posts that need review (held, or with open flags), oldest first
-- (by when they entered the queue), 20 a page.  $3 a reason (new_user,
-- sensitive, flags, staff) or NULL, $4 a post status (pending,
-- published, hidden) or NULL; $5, $6 the cursor: the queued_at (epoch
-- microseconds) and id of the last item shown, or NULL.  count is what
-- waits in the view, matching what the filters let through.  Keyset on
-- (queued_at, id): what enters the queue meanwhile is queued later than
-- any page shown, so it comes on a later page, never twice.
-- Each branch has a constant predicate, so each uses its partial index
-- (posts_review of 0005, posts_hidden of 0006); the other one is cut by
-- a one-time filter.
WITH l AS (
	SELECT $1::text = 'en' AS en, $2::text = 'hidden' AS hidden
), q AS (
	SELECT p.id, CASE WHEN p.status = 'pending'
	    THEN coalesce(p.edited_at, p.created_at)
	    ELSE coalesce((SELECT min(f.created_at) FROM post_flags f
		WHERE f.post_id = p.id AND f.resolved_at IS NULL),
		p.created_at) END AS queued_at
	FROM posts p
	WHERE NOT (SELECT hidden FROM l) AND (p.status = 'pending' OR
	    (p.flag_count > 0 AND p.status <> 'deleted'))
	UNION ALL
	SELECT p.id, p.created_at
	FROM posts p
	WHERE (SELECT hidden FROM l) AND p.status = 'hidden'
), r AS (
	-- Why it is here: why it was held, open flags, or hidden by staff.
	SELECT q.id, q.queued_at, p.status, ARRAY(SELECT x.r FROM unnest(
	    CASE WHEN p.status = 'pending' THEN p.held_reasons
		ELSE '{}' END ||
	    CASE WHEN p.flag_count > 0 THEN '{flags}'::text[]
		WHEN p.status = 'hidden' THEN '{staff}'::text[]
		ELSE '{}' END) WITH ORDINALITY x (r, n)
	    GROUP BY x.r ORDER BY min(x.n)) AS reasons
	FROM q JOIN posts p ON p.id = q.id
), f AS (
	SELECT * FROM r
	WHERE ($3::text IS NULL OR $3::text = ANY (r.reasons))
	    AND ($4::text IS NULL OR r.status = $4::text)
), page AS (
	SELECT * FROM f
	WHERE $5::bigint IS NULL OR (f.queued_at, f.id) >
	    (timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
	    $6::bigint)
	ORDER BY f.queued_at, f.id
	LIMIT 21
), shown AS (
	SELECT * FROM page ORDER BY queued_at, id LIMIT 20
)
SELECT json_build_object(
    'view', CASE WHEN l.hidden THEN 'hidden' ELSE 'review' END,
    'reason', $3::text, 'status', $4::text,
    'count', (SELECT count(*) FROM q),
    'matching', (SELECT count(*) FROM f),
    'more', (SELECT count(*) FROM page) > 20,
    'next_cursor', CASE WHEN (SELECT count(*) FROM page) > 20 THEN
	(SELECT project_cursor(s.queued_at, s.id) FROM shown s
	ORDER BY s.queued_at DESC, s.id DESC LIMIT 1) END,
    'items', coalesce((SELECT json_agg(json_build_object(
	'post', json_build_object('id', p.id, 'number', p.number,
	    'author', user_brief(a), 'body_html', p.body_html,
	    'created_at', rfc3339(p.created_at),
	    'edited_at', rfc3339(p.edited_at),
	    'url', '/t/' || t.id || '#post-' || p.number,
	    'status', p.status, 'mod_reason', p.mod_reason,
	    'flag_count', p.flag_count),
	'topic', json_build_object('id', t.id, 'title', t.title,
	    'url', '/t/' || t.id, 'status', t.status, 'locked', t.locked,
	    'category', json_build_object('slug', c.slug,
		'url', '/c/' || c.slug,
		'name', CASE WHEN l.en THEN c.name_en ELSE c.name_zh END)),
	'reasons', q.reasons,
	-- Blocked words of the body and, for an opening post, the title.
	'words', board_post_sensitive(p, t),
	'flags', coalesce((SELECT json_agg(json_build_object(
	    'reason', f.reason, 'note', f.note, 'user', user_brief(u),
	    'created_at', rfc3339(f.created_at)) ORDER BY f.created_at)
	    FROM post_flags f JOIN users u ON u.id = f.user_id
	    WHERE f.post_id = p.id AND f.resolved_at IS NULL), '[]'),
	'status', p.status,
	'queued_at', rfc3339(q.queued_at),
	'actions', json_build_object(
	    'approve', p.status IN ('pending', 'hidden') OR
		(p.status = 'published' AND p.flag_count > 0),
	    'reject', p.status = 'pending',
	    'hide', p.status IN ('published', 'hidden'),
	    'unhide', p.status = 'hidden',
	    'delete', true))
	ORDER BY q.queued_at, q.id)
	FROM shown q
	JOIN posts p ON p.id = q.id
	JOIN topics t ON t.id = p.topic_id
	JOIN categories c ON c.id = t.category_id
	JOIN users a ON a.id = p.author_id), '[]'))
FROM l

-- name: mod_post
-- $1 staff user id, $2 post id, $3 action, $4 reason or NULL.
SELECT mod_post_action($1::bigint, $2::bigint, $3::text, $4::text)

-- name: mod_topic
-- $1 staff user id, $2 topic id, $3 action, $4 category slug or NULL,
-- $5 seconds or NULL, $6 reason or NULL.
SELECT mod_topic_action($1::bigint, $2::bigint, $3::text, $4::text,
    $5::integer, $6::text)

-- name: mod_words
-- The sensitive-word lists.
SELECT mod_words_json()

-- name: mod_words_set
-- $1 staff user id, $2 and $3 JSON arrays of block and allow phrases
-- (NULL keeps that list).
SELECT mod_words_set($1::bigint, $2::jsonb, $3::jsonb)

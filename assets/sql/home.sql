-- Statements of home.c.

-- name: home_check
-- $1 session hash: the viewer, the listing versions and the database's
-- clock (epoch seconds), nothing else: the kept lists expire at the
-- instant home_page gave them (migrations/0023_home_check.sql).
-- A worker that holds the lists at these versions answers from this
-- alone.  A separate statement rather than a CASE in home_page: the
-- executor initialises every node of a plan on every call, used or not,
-- and home_page's plan is large (measured: home 24k/s with this,
-- 15k/s with the CASE).
SELECT json_build_object('me', v.me, 'lists_version', lv.s,
    'now', extract(epoch FROM now()))
FROM (SELECT string_agg(l.version::text, '.' ORDER BY l.name) AS s
    FROM listing_versions l
    WHERE l.name IN ('board', 'competitions', 'office_hours', 'projects')) lv
LEFT JOIN LATERAL viewer($1::text) v ON true

-- name: home_page
-- $1 session token hash (hex) or NULL, $2 ?lang or NULL, $3 negotiated
-- language.  The viewer is resolved here, in the same round trip as the
-- page; the lists (6 newest projects, 10 latest public topics) are the
-- same for every reader.
SELECT json_build_object(
    'me', v.me,
    'lists_version', lv.s,
    'lists_expire', extract(epoch FROM home_lists_expiry()),
    'projects', coalesce((SELECT json_agg(x.card::json ORDER BY x.published_at
	DESC, x.id DESC) FROM (SELECT p.card, p.published_at, p.id
	FROM projects p WHERE p.status = 'published'
	ORDER BY p.published_at DESC, p.id DESC LIMIT 6) x), '[]'),
    'topics', coalesce((SELECT json_agg(json_build_object('id', t.id,
	'url', '/t/' || t.id, 'title', t.title,
	'author', (SELECT user_brief(u) FROM users u WHERE u.id = t.author_id),
	'category', json_build_object('slug', c.slug, 'url', '/c/' || c.slug,
	    'name', CASE WHEN coalesce($2::text, v.me ->> 'locale', $3::text)
	    = 'en' THEN c.name_en ELSE c.name_zh END),
	'reply_count', t.reply_count, 'last_post_at', rfc3339(t.last_post_at))
	ORDER BY t.last_post_at DESC, t.id DESC)
	FROM (SELECT t.* FROM topics t JOIN categories c2
	    ON c2.id = t.category_id WHERE t.status = 'published'
	    AND c2.read_access = 'anyone'
	    ORDER BY t.last_post_at DESC, t.id DESC LIMIT 10) t
	JOIN categories c ON c.id = t.category_id), '[]'),
    -- The next open office hours (migrations/0014): the soonest
    -- upcoming slots with a seat left.
    'office_hours', coalesce((SELECT json_agg(oh_slot_json(os)
	ORDER BY os.starts_at, os.id) FROM (SELECT os.* FROM oh_slots os
	WHERE os.cancelled_at IS NULL AND os.starts_at > now()
	AND oh_free_seat(os) IS NOT NULL
	ORDER BY os.starts_at, os.id LIMIT 5) os), '[]'),
    -- Open and upcoming competitions, title_local in the page's language.
    'competitions', (SELECT coalesce(json_agg((x.c || jsonb_build_object(
	'title_local', CASE WHEN coalesce($2::text, v.me ->> 'locale',
	$3::text) = 'en' AND coalesce(x.c ->> 'title_en', '') <> ''
	THEN x.c ->> 'title_en' ELSE x.c ->> 'title' END))::json
	ORDER BY x.i), '[]')
	FROM jsonb_array_elements(comp_home_list()::jsonb) WITH ORDINALITY
	x(c, i))
)
FROM (SELECT string_agg(l.version::text, '.' ORDER BY l.name) AS s
    FROM listing_versions l
    WHERE l.name IN ('board', 'competitions', 'office_hours', 'projects')) lv
LEFT JOIN LATERAL viewer($1::text) v ON true

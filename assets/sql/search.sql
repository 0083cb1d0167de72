-- Statements of search_page.c (GET /search).  Only what the viewer may
-- see: published posts in published topics of categories the viewer may
-- read, published topics likewise, published projects.  Held, hidden,
-- rejected and deleted content is never found, whoever asks.

-- name: search_check
-- $1 session hash.  The viewer, and the version of everything search
-- shows: the sum of the board's and the projects' listing versions (both
-- only grow, so any write that changes a result changes the sum).  The
-- worker answers from the results it keeps while it matches and the
-- viewer is not staff (who find the staff room too), else search_page.
SELECT json_build_object('me', v.me,
    'staff', coalesce(is_staff_role(v.role), false),
    'version', (SELECT sum(version) FROM listing_versions
	WHERE name IN ('board', 'projects')))
FROM (SELECT $1::text AS h) a
LEFT JOIN LATERAL viewer(a.h) v ON true

-- name: search_page
-- $1 session hash, $2 query tokens (app/search.c; NULL: nothing
-- searchable), $3 type ('' for all, 'topic', 'post', 'project'), $4..$6
-- the cursor (time in epoch microseconds, kind, id) or NULLs, $7 the
-- query as typed (shown back).
--
-- One result per topic: its title matching, or some of its published
-- posts, or both; the topic's place is its newest match (the title
-- counting at the topic's creation), and it links to that newest
-- matching post (the topic itself when that is the opening post or only
-- the title matches).  Projects are results of their own.  Newest first,
-- 30 a page, ordered by (time, kind, id) descending, kind 1 a topic
-- (id: the topic), 2 a project; the cursor is the last result's key.
--
-- Finding a word's newest posts.  The GIN index posts_search
-- (migrations/0013_search_groups.sql) holds, beside the tokens, each
-- post's id bucket (id / 4096) and its topic, so one index scan can
-- answer "this word, in these buckets" or "this word, in this topic"
-- without visiting any post that does not match.  Ids grow with time, so
--   g1  the window: matches among the two newest buckets at or below
--       the cursor (4,096 to 8,192 posts).  A common word is answered
--       here: a word in 1% of the posts costs ~60 posts read, where
--       filtering the newest posts one by one read 3,000 tsvectors.
--   g2  only when the window gave fewer than 31 topics: every older
--       match, from the same index.  A word that rare has few rows.
-- The fences (OFFSET 0) keep each step's plan; "p.id + 0" keeps the
-- older step from asking the index for 240 buckets.  Topics' titles
-- (gt, a hundredth of the posts) and projects use their GIN index alone.
-- Topics the viewer may not see (hid: held, hidden, deleted, the staff
-- room for others) are few, so they are left out by a hashed list.
--
-- Pages after the first: a topic with a match newer than the cursor was
-- on an earlier page and is left out (per topic, from the index, only
-- for the topics the page looks at: in gx as they are taken, and already
-- in g1 so that the window's count of topics is right).
--
-- Counts.  matches: a topic's matching posts, up to 101 ("more than 100"):
-- from the scan when every match was read (e.all_seen, first page),
-- else one index scan per topic shown.  total: the results, exact when
-- every match was read; else those found (total_more: "at least").
-- Later pages get none (search_page.c carries the first page's).
--
-- version and staff: for the results the worker keeps (search_check).
--
-- text: what the excerpt is made of in C (app/excerpt.c): the start of
-- the newest matching post's Markdown (the opening post's when only the
-- title matches; a project's summary and write-up), at most 4,000
-- characters.
--
-- The query is "(SELECT plainto_tsquery(...))": in a generic plan the
-- bare call is evaluated again for every row it is matched against; as a
-- sub-select it is an InitPlan, run once.
WITH m AS (
	SELECT v.role, v.me
	FROM (SELECT $1::text AS h) a
	LEFT JOIN LATERAL viewer(a.h) v ON true
), c AS (
	SELECT coalesce(timestamptz 'epoch' + $4::bigint *
	    interval '1 microsecond', 'infinity') AS at,
	    coalesce($5::integer, 3) AS kind, coalesce($6::bigint, 0) AS id
), hid AS (
	SELECT t.id FROM topics t WHERE t.status <> 'published'
	UNION ALL
	SELECT t.id FROM topics t
	WHERE t.status = 'published' AND t.category_id IN (SELECT k.id
	    FROM categories k CROSS JOIN m
	    WHERE NOT category_readable(k, m.role))
), wb AS (
	SELECT p.id / 4096 - 1 AS b
	FROM posts p
	WHERE $2::text IS NOT NULL AND $3::text IN ('', 'post')
	    AND p.status = 'published' AND p.created_at <= (SELECT at FROM c)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT 1
), g1 AS (
	SELECT w.tid, max(w.at) AS at,
	    (array_agg(w.id ORDER BY w.at DESC, w.id DESC))[1] AS pid,
	    count(*) AS mn
	FROM (SELECT p.id, p.topic_id AS tid, p.created_at AS at
	    FROM posts p
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'post')
		AND p.status = 'published'
		AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND p.id / 4096 >= (SELECT b FROM wb)
		AND p.created_at <= (SELECT at FROM c)
	    OFFSET 0) w
	WHERE w.tid NOT IN (SELECT id FROM hid)
	GROUP BY w.tid
	HAVING $4::bigint IS NULL OR NOT EXISTS (SELECT 1 FROM posts p2
	    WHERE p2.topic_id = w.tid AND p2.status = 'published'
		AND p2.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (p2.created_at, 1, p2.topic_id) >= ((SELECT at FROM c),
		    (SELECT kind FROM c), (SELECT id FROM c))
	    LIMIT 1)
), e AS (
	SELECT (SELECT count(*) FROM g1) < 31 OR (SELECT b FROM wb) <= 0
	    OR $3::text NOT IN ('', 'post') AS all_seen
), g2 AS (
	SELECT o.tid, max(o.at) AS at,
	    (array_agg(o.id ORDER BY o.at DESC, o.id DESC))[1] AS pid,
	    count(*) AS mn
	FROM (SELECT p.id, p.topic_id AS tid, p.created_at AS at
	    FROM posts p
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'post')
		AND (SELECT count(*) FROM g1) < 31 AND (SELECT b FROM wb) > 0
		AND p.status = 'published'
		AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND p.id + 0 < (SELECT b FROM wb) * 4096
		AND p.created_at <= (SELECT at FROM c)
	    OFFSET 0) o
	WHERE o.tid NOT IN (SELECT id FROM hid)
	GROUP BY o.tid
), gt AS (
	SELECT t.id AS tid, t.created_at AS at, NULL::bigint AS pid,
	    0::bigint AS mn
	FROM topics t
	WHERE $2::text IS NOT NULL AND $3::text IN ('', 'topic')
	    AND t.status = 'published'
	    AND t.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
	    AND t.created_at <= (SELECT at FROM c)
	    AND t.id NOT IN (SELECT id FROM hid)
	OFFSET 0
), g AS (
	SELECT x.tid, max(x.at) AS at,
	    (array_agg(x.pid ORDER BY x.at DESC, x.pid DESC NULLS LAST))[1]
	    AS pid, sum(x.mn) AS mn
	FROM (SELECT * FROM g1 UNION ALL SELECT * FROM g2
	    UNION ALL SELECT * FROM gt) x
	GROUP BY x.tid
), gx AS (
	SELECT g.* FROM g
	WHERE $4::bigint IS NULL OR (NOT EXISTS (SELECT 1 FROM posts p2
	    WHERE p2.topic_id = g.tid AND p2.status = 'published'
		AND $3::text IN ('', 'post')
		AND p2.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (p2.created_at, 1, p2.topic_id) >= ((SELECT at FROM c),
		    (SELECT kind FROM c), (SELECT id FROM c))
	    LIMIT 1)
	    AND NOT EXISTS (SELECT 1 FROM topics t2
	    WHERE t2.id = g.tid AND $3::text IN ('', 'topic')
		AND t2.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (t2.created_at, 1, t2.id) >= ((SELECT at FROM c),
		    (SELECT kind FROM c), (SELECT id FROM c))))
	ORDER BY g.at DESC, g.tid DESC
	LIMIT 31
), pj AS (
	SELECT o.id, o.at
	FROM (SELECT p.id, p.published_at AS at
	    FROM projects p
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'project')
		AND p.status = 'published'
		AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
	    OFFSET 0) o
	WHERE (o.at, 2, o.id) < ((SELECT at FROM c), (SELECT kind FROM c),
	    (SELECT id FROM c))
	ORDER BY o.at DESC, o.id DESC
	LIMIT 31
), x AS (
	SELECT r.*, row_number() OVER (ORDER BY r.at DESC, r.kind DESC,
	    r.id DESC) AS n
	FROM (SELECT 1 AS kind, gx.tid AS id, gx.at, gx.pid, gx.mn FROM gx
	    UNION ALL SELECT 2, pj.id, pj.at, NULL, NULL FROM pj
	    ORDER BY at DESC, kind DESC, id DESC LIMIT 31) r
)
SELECT json_build_object(
    'results', coalesce((SELECT json_agg(json_build_object(
	'type', CASE WHEN x.kind = 2 THEN 'project'
	    WHEN bp.number > 1 THEN 'post' ELSE 'topic' END,
	'id', CASE WHEN x.kind = 1 AND bp.number > 1 THEN bp.id
	    ELSE x.id END,
	'title', coalesce(pj.title, t.title),
	'url', CASE WHEN x.kind = 2 THEN '/projects/' || x.id
	    WHEN bp.number > 1 THEN '/t/' || x.id || '#post-' || bp.number
	    ELSE '/t/' || x.id END,
	'at', rfc3339(x.at),
	'topic_id', t.id,
	'matches', CASE WHEN x.kind <> 1 THEN NULL
	    WHEN $4::bigint IS NULL AND (SELECT all_seen FROM e)
		AND $3::text IN ('', 'post') THEN least(x.mn, 101)
	    ELSE (SELECT count(*) FROM (SELECT 1 FROM posts p3
		WHERE $3::text IN ('', 'post') AND p3.topic_id = x.id
		    AND p3.status = 'published'
		    AND p3.search_tsv @@ (SELECT plainto_tsquery('simple',
		    $2::text))
		LIMIT 101) z) END,
	'text', CASE WHEN x.kind = 2 THEN pj.summary || E'\n\n' ||
	    left(pj.body, 4000) ELSE left(coalesce(bp.body, op.body), 4000)
	    END) ORDER BY x.n)
	FROM x
	LEFT JOIN topics t ON x.kind = 1 AND t.id = x.id
	LEFT JOIN posts bp ON bp.id = x.pid
	LEFT JOIN posts op ON x.kind = 1 AND x.pid IS NULL
	    AND op.topic_id = x.id AND op.number = 1
	    AND op.status = 'published'
	LEFT JOIN projects pj ON x.kind = 2 AND pj.id = x.id
	WHERE x.n <= 30), '[]'),
    'next_cursor', (SELECT (extract(epoch FROM x.at) * 1000000)::bigint ||
	'.' || x.kind || '.' || x.id
	FROM x WHERE x.n = 30 AND EXISTS (SELECT 1 FROM x x2
	WHERE x2.n = 31)),
    'total', CASE WHEN $4::bigint IS NULL THEN (SELECT count(*) FROM g) +
	(SELECT count(*) FROM projects p
	WHERE $2::text IS NOT NULL AND $3::text IN ('', 'project')
	    AND p.status = 'published'
	    AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text)))
	END,
    'total_more', $4::bigint IS NULL AND NOT (SELECT all_seen FROM e),
    'q', $7::text,
    'type', nullif($3::text, ''),
    'version', (SELECT sum(version) FROM listing_versions
	WHERE name IN ('board', 'projects')),
    'staff', coalesce(is_staff_role(m.role), false),
    'me', m.me)
FROM m

-- Statements of search_page.c (GET /search).  Only what the viewer may
-- see: published posts in published topics of categories the viewer may
-- read, published topics likewise, published projects.  Held, hidden,
-- rejected and deleted content is never found, whoever asks.

-- name: search_page
-- $1 session hash, $2 query tokens (app/search.c; NULL: nothing
-- searchable), $3 type ('' for all, 'topic', 'post', 'project'), $4..$6
-- the cursor (time in epoch microseconds, kind, id) or NULLs, $7 the
-- query as typed (shown back).
--
-- Newest first, 30 a page.  Results are ordered by (time, kind, id)
-- descending, kind 0 post, 1 topic, 2 project (a topic and its opening
-- post have the same time); the cursor is the last result's key.  In
-- each part, "after the cursor" is a (time, id) bound an index can use:
-- at the cursor's time, ids below the cursor's in its own kind, all ids
-- in a lower kind, none in a higher one.
--
-- Posts are found in two steps, so that a common word costs no more
-- than a rare one:
--   window  the newest 5,000 published posts after the cursor, read in
--           order from a b-tree and filtered by the query: a common
--           word is answered here (from the GIN index every one of its
--           rows would be read to find the newest);
--   older   only when the window gave fewer than 31 results: the GIN
--           index for posts older than the window, sorted.  A rare word
--           has few rows there.
-- "ORDER BY created_at LIMIT 31" alone lets the planner read the whole
-- table in order for a word it thinks common and is not; the fences
-- (LIMIT in the window, OFFSET 0 in the older step) fix each step's
-- plan.  Topics (a hundredth of the posts) and projects use the GIN
-- index alone.  Prepared with a generic plan like every statement.
--
-- The query is "(SELECT plainto_tsquery(...))": in a generic plan the
-- bare call is evaluated again for every row it is matched against (the
-- window's 5,000); as a sub-select it is an InitPlan, run once.
-- Measured: a rare word 14-21 -> 8-9 ms, a common one 5.3 -> 3.2 ms.
WITH m AS (
	SELECT v.role, v.me
	FROM (SELECT $1::text AS h) a
	LEFT JOIN LATERAL viewer(a.h) v ON true
), pw AS (
	SELECT 0 AS kind, w.id, w.at
	FROM (SELECT p.id, p.created_at AS at, p.topic_id, p.search_tsv
	    FROM posts p
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'post')
		AND p.status = 'published'
		AND (p.created_at, p.id) < (coalesce(timestamptz 'epoch' +
		    $4::bigint * interval '1 microsecond', 'infinity'),
		    CASE coalesce($5::integer, 3) WHEN 0 THEN $6::bigint
		    ELSE 9223372036854775807 END)
	    ORDER BY p.created_at DESC, p.id DESC
	    LIMIT 5000) w
	JOIN topics t ON t.id = w.topic_id
	JOIN categories c ON c.id = t.category_id
	CROSS JOIN m
	WHERE w.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
	    AND t.status = 'published' AND category_readable(c, m.role)
	ORDER BY w.at DESC, w.id DESC
	LIMIT 31
), pb AS (
	-- The window's oldest post, when the window was full.
	SELECT p.created_at AS at, p.id
	FROM posts p
	WHERE $2::text IS NOT NULL AND $3::text IN ('', 'post')
	    AND p.status = 'published'
	    AND (p.created_at, p.id) < (coalesce(timestamptz 'epoch' +
		$4::bigint * interval '1 microsecond', 'infinity'),
		CASE coalesce($5::integer, 3) WHEN 0 THEN $6::bigint
		ELSE 9223372036854775807 END)
	ORDER BY p.created_at DESC, p.id DESC
	OFFSET 4999 LIMIT 1
), po AS (
	SELECT 0 AS kind, o.id, o.at
	FROM (SELECT p.id, p.created_at AS at, p.topic_id
	    FROM posts p
	    WHERE p.status = 'published'
		AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (p.created_at, p.id) <
		    ((SELECT at FROM pb), (SELECT id FROM pb))
	    ORDER BY p.created_at DESC, p.id DESC
	    OFFSET 0) o
	JOIN topics t ON t.id = o.topic_id
	JOIN categories c ON c.id = t.category_id
	CROSS JOIN m
	WHERE (SELECT count(*) FROM pw) < 31
	    AND (SELECT at FROM pb) IS NOT NULL
	    AND t.status = 'published' AND category_readable(c, m.role)
	ORDER BY o.at DESC, o.id DESC
	LIMIT 31
), tp AS (
	SELECT 1 AS kind, o.id, o.at
	FROM (SELECT t.id, t.created_at AS at, t.category_id
	    FROM topics t
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'topic')
		AND t.status = 'published'
		AND t.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (t.created_at, t.id) < (coalesce(timestamptz 'epoch' +
		    $4::bigint * interval '1 microsecond', 'infinity'),
		    CASE coalesce($5::integer, 3) WHEN 0 THEN 0
		    WHEN 1 THEN $6::bigint ELSE 9223372036854775807 END)
	    ORDER BY t.created_at DESC, t.id DESC
	    OFFSET 0) o
	JOIN categories c ON c.id = o.category_id
	CROSS JOIN m
	WHERE category_readable(c, m.role)
	ORDER BY o.at DESC, o.id DESC
	LIMIT 31
), pj AS (
	SELECT 2 AS kind, o.id, o.at
	FROM (SELECT p.id, p.published_at AS at
	    FROM projects p
	    WHERE $2::text IS NOT NULL AND $3::text IN ('', 'project')
		AND p.status = 'published'
		AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $2::text))
		AND (p.published_at, p.id) < (coalesce(timestamptz 'epoch' +
		    $4::bigint * interval '1 microsecond', 'infinity'),
		    CASE coalesce($5::integer, 3) WHEN 2 THEN $6::bigint
		    WHEN 3 THEN 9223372036854775807 ELSE 0 END)
	    ORDER BY p.published_at DESC, p.id DESC
	    OFFSET 0) o
	ORDER BY o.at DESC, o.id DESC
	LIMIT 31
), x AS (
	SELECT a.*, row_number() OVER (ORDER BY a.at DESC, a.kind DESC,
	    a.id DESC) AS n
	FROM (SELECT * FROM pw UNION ALL SELECT * FROM po
	    UNION ALL SELECT * FROM tp UNION ALL SELECT * FROM pj
	    ORDER BY at DESC, kind DESC, id DESC LIMIT 31) a
)
SELECT json_build_object(
    'results', coalesce((SELECT json_agg(json_build_object(
	'type', CASE x.kind WHEN 0 THEN 'post' WHEN 1 THEN 'topic'
	    ELSE 'project' END,
	'id', x.id,
	'title', coalesce(pj.title, t.title),
	'excerpt', search_excerpt(CASE x.kind WHEN 0 THEN p.body
	    WHEN 1 THEN op.body ELSE pj.summary END, 160),
	'url', CASE x.kind WHEN 0 THEN '/t/' || p.topic_id || '#post-' ||
	    p.number WHEN 1 THEN '/t/' || x.id
	    ELSE '/projects/' || x.id END,
	'at', rfc3339(x.at)) ORDER BY x.n)
	FROM x
	LEFT JOIN posts p ON x.kind = 0 AND p.id = x.id
	LEFT JOIN topics t ON t.id = CASE x.kind WHEN 0 THEN p.topic_id
	    WHEN 1 THEN x.id END
	LEFT JOIN posts op ON x.kind = 1 AND op.topic_id = x.id
	    AND op.number = 1 AND op.status = 'published'
	LEFT JOIN projects pj ON x.kind = 2 AND pj.id = x.id
	WHERE x.n <= 30), '[]'),
    'next_cursor', (SELECT (extract(epoch FROM x.at) * 1000000)::bigint ||
	'.' || x.kind || '.' || x.id
	FROM x WHERE x.n = 30 AND EXISTS (SELECT 1 FROM x x2
	WHERE x2.n = 31)),
    'q', $7::text,
    'type', nullif($3::text, ''),
    'me', m.me)
FROM m

-- Statements of search_page.c (GET /search) and board_rss.c (the board's
-- RSS feeds).  Only what the viewer may see: published posts in
-- published topics of categories the viewer may read, published topics
-- likewise, published projects.  Held, hidden, rejected and deleted
-- content is never found, whoever asks.

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

-- name: rss_board
-- GET /board.rss: RSS 2.0 of the 30 newest published topics in the
-- categories anyone may read.  $1 site base URL, $2 channel title, $3
-- channel description, $4 language.  The description of an item is the
-- plain-text start of its opening post (relative image links would not
-- work in a feed reader); PostgreSQL's XML functions do the escaping.
SELECT '<?xml version="1.0" encoding="UTF-8"?>' || xmlelement(name rss,
    xmlattributes('2.0' AS version), xmlelement(name channel,
    xmlforest($2::text AS title, $1::text || '/board' AS link,
	$3::text AS description, lower($4::text) AS language),
    (SELECT xmlagg(xmlelement(name item, xmlforest(t.title AS title,
	$1::text || '/t/' || t.id AS link, $1::text || '/t/' || t.id AS guid,
	search_excerpt(op.body, 255) AS description,
	u.display_name AS author,
	CASE WHEN $4::text = 'en' THEN c.name_en ELSE c.name_zh END
	    AS category,
	to_char(t.created_at AT TIME ZONE 'UTC',
	    'Dy, DD Mon YYYY HH24:MI:SS "GMT"') AS "pubDate"))
	ORDER BY t.created_at DESC, t.id DESC)
    FROM (SELECT t.* FROM topics t
	JOIN categories c ON c.id = t.category_id
	WHERE t.status = 'published' AND category_readable(c, NULL::text)
	ORDER BY t.created_at DESC, t.id DESC LIMIT 30) t
    JOIN categories c ON c.id = t.category_id
    JOIN users u ON u.id = t.author_id
    LEFT JOIN posts op ON op.topic_id = t.id AND op.number = 1
	AND op.status = 'published')))::text

-- name: rss_category
-- GET /c/{slug}.rss: the same for one category; no row (404) for an
-- unknown slug or a category not everyone may read.  $1 site base URL,
-- $2 site name, $3 slug, $4 language.
SELECT '<?xml version="1.0" encoding="UTF-8"?>' || xmlelement(name rss,
    xmlattributes('2.0' AS version), xmlelement(name channel,
    xmlforest(CASE WHEN $4::text = 'en' THEN c.name_en ELSE c.name_zh END
	|| ' · ' || $2::text AS title, $1::text || '/c/' || c.slug AS link,
	CASE WHEN $4::text = 'en' THEN c.description_en
	    ELSE c.description_zh END AS description,
	lower($4::text) AS language),
    (SELECT xmlagg(xmlelement(name item, xmlforest(t.title AS title,
	$1::text || '/t/' || t.id AS link, $1::text || '/t/' || t.id AS guid,
	search_excerpt(op.body, 255) AS description,
	u.display_name AS author,
	to_char(t.created_at AT TIME ZONE 'UTC',
	    'Dy, DD Mon YYYY HH24:MI:SS "GMT"') AS "pubDate"))
	ORDER BY t.created_at DESC, t.id DESC)
    FROM (SELECT t.* FROM topics t
	WHERE t.category_id = c.id AND t.status = 'published'
	ORDER BY t.created_at DESC, t.id DESC LIMIT 30) t
    JOIN users u ON u.id = t.author_id
    LEFT JOIN posts op ON op.topic_id = t.id AND op.number = 1
	AND op.status = 'published')))::text
FROM categories c
WHERE c.slug = $3::text AND category_readable(c, NULL::text)

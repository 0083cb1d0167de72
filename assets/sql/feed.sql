-- Statements of feed.c: the RSS 2.0 feeds GET /projects.rss, GET
-- /board.rss and GET /c/{slug}.rss.  Public content only, whoever asks:
-- feed readers share and cache feeds.  PostgreSQL's XML functions do the
-- escaping.  Each statement returns what goes inside the channel element
-- (its title, link, description and language, then the items); feed.c
-- wraps it in the one envelope (the XML declaration, rss and channel),
-- which holds no data.  Every statement takes the same first parameters:
--	$1 the site's public base URL (MAKERSPACE_PUBLIC_URL, never the
--	   request's Host header), without a trailing slash
--	$2 the channel title (for a category: the site name, after the
--	   category's own name)
--	$3 the channel description (for a category: when it has none)
--	$4 the channel language (a catalog locale: zh-CN, en)

-- name: feed_projects
-- The 30 newest published projects.
SELECT xmlconcat(xmlforest($2::text AS title,
	$1::text || '/projects' AS link, $3::text AS description,
	lower($4::text) AS language),
    (SELECT xmlagg(xmlelement(name item, xmlforest(p.title AS title,
	$1::text || '/projects/' || p.id AS link,
	$1::text || '/projects/' || p.id AS guid,
	p.summary AS description, u.display_name AS author,
	to_char(p.published_at AT TIME ZONE 'UTC',
	    'Dy, DD Mon YYYY HH24:MI:SS "GMT"') AS "pubDate"))
	ORDER BY p.published_at DESC, p.id DESC)
    FROM (SELECT * FROM projects WHERE status = 'published'
	ORDER BY published_at DESC, id DESC LIMIT 30) p
    JOIN users u ON u.id = p.owner_id))::text

-- name: feed_board
-- The 30 newest published topics in the categories anyone may read.  The
-- description of an item is the plain-text start of its opening post
-- (relative image links would not work in a feed reader).
SELECT xmlconcat(xmlforest($2::text AS title,
	$1::text || '/board' AS link, $3::text AS description,
	lower($4::text) AS language),
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
	AND op.status = 'published'))::text

-- name: feed_category
-- The same for one category, $5 its slug; no row (404) for an unknown
-- slug or a category not everyone may read.
SELECT xmlconcat(xmlforest(
	CASE WHEN $4::text = 'en' THEN c.name_en ELSE c.name_zh END
	|| ' · ' || $2::text AS title, $1::text || '/c/' || c.slug AS link,
	coalesce(nullif(CASE WHEN $4::text = 'en' THEN c.description_en
	    ELSE c.description_zh END, ''), $3::text) AS description,
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
	AND op.status = 'published'))::text
FROM categories c
WHERE c.slug = $5::text AND category_readable(c, NULL::text)

-- Search and the board's feeds (API.md "Discussion board": GET /search,
-- /board.rss, /c/{slug}.rss; DESIGN.md section 8).  The GIN indexes on
-- search_tsv come with the tables (0003, 0005); this adds what "newest
-- first" needs, and the excerpt shown under each result.

-- Search reads the newest published posts and topics in order first
-- (assets/sql/search.sql: a common word is answered from them without
-- the GIN index); the feeds list the newest topics.
CREATE INDEX posts_published_created ON posts (created_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX topics_published_created ON topics (created_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX topics_category_created ON topics (category_id,
    created_at DESC, id DESC) WHERE status = 'published';

-- Plain text for a result's excerpt, from the Markdown source (never
-- the HTML): images and links become their text, block and emphasis
-- marks go, white space collapses; at most n (2..255) characters, the
-- last one "…" when cut.  Raw HTML in the source stays text for the
-- template to escape.  One expression, no sub-select: inlined into the
-- statements that call it.
CREATE FUNCTION search_excerpt(body text, n integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN regexp_replace(btrim(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(left(body, n * 4),
    '!?\[([^]]*)\]\([^)]*\)', '\1', 'g'),
    '(^|\n)[ \t]{0,3}(#{1,6}|>|[-*+]|[0-9]+[.)])[ \t]+', '\1', 'g'),
    '[*`]+|~~', '', 'g'),
    '\s+', ' ', 'g')), '^(.{' || n - 1 || '})..+$', '\1…');

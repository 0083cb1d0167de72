-- `make bench` data for the board (never loaded elsewhere): 10,000
-- published topics and 1,000,000 posts over the five public categories,
-- by 200 bench users, over the last year.
--
--   'bench long topic'  20,000 posts (equipment): page 1 against page 1000
--   'bench showcase'    60 posts (general): the topic page
--   the other 9,998     98 or 99 posts each, written round-robin (a
--                       topic's posts are spread over the table, as on
--                       a busy board: no flattering heap locality)
--   烙铁 (soldering iron) is in exactly 1% of the posts (10,000), and
--                       游标卡尺 (vernier caliper) in 0.1%: the search
--                       bench's common and rare words
--
-- Bodies are two paragraphs from tests/bench/board_phrases.txt.  Their
-- search tokens come from the real tokenizer: build/bench/board_tokens
-- (tests/bench/board_tokens.c, linked with app/search.c) prints each
-- phrase's tokens, and the tokens of two phrases joined by a blank line
-- are theirs joined by a space.  Every row is published and consistent
-- with what board_post_published() would have counted.
--
-- Loads in about a minute on 2 cores: foreign keys unchecked and
-- triggers off (session_replication_role: the data is made consistent
-- here, first_published_at included), the secondary indexes of posts and
-- topics dropped during the load and rebuilt from their own definitions
-- after it, ANALYZE at the end.

CREATE TEMP TABLE bench_phrase (kind text, n integer, text text,
    tokens text);
\copy bench_phrase FROM PROGRAM 'build/bench/board_tokens tests/bench/board_phrases.txt'

BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL maintenance_work_mem = '512MB';
SET LOCAL work_mem = '256MB';
SET LOCAL jit = off;

INSERT INTO users (username, display_name, password_hash, verified_at,
    created_at)
SELECT 'bench_' || i, '创客 ' || i || ' Maker',
    (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '400 days', now() - interval '400 days'
FROM generate_series(1, 200) i;

CREATE TEMP TABLE bench_author AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id
FROM users WHERE username LIKE 'bench\_%';

-- The indexes rebuilt after the load (constraints' indexes stay).
CREATE TEMP TABLE bench_index AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid)
    AS def
FROM pg_index i
WHERE i.indrelid IN ('posts'::regclass, 'topics'::regclass)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c
    WHERE c.conindid = i.indexrelid);
DO $$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT name FROM bench_index LOOP
		EXECUTE 'DROP INDEX ' || r.name;
	END LOOP;
END $$;

-- The shape: R regular topics sharing G posts round-robin, then the
-- showcase and the long topic.  Ids are chosen here (and the identity
-- sequences moved past them) so posts can name their topics.
CREATE TEMP TABLE bench_shape AS
SELECT 9998 AS r, 979940 AS g,
    coalesce((SELECT max(id) FROM topics), 0) AS tbase,
    coalesce((SELECT max(id) FROM posts), 0) AS pbase,
    (SELECT count(*) FROM bench_phrase WHERE kind = 'title') AS ntitle,
    (SELECT count(*) FROM bench_phrase WHERE kind = 'body') AS nbody;

INSERT INTO topics (id, category_id, author_id, title, status,
    search_tokens)
OVERRIDING SYSTEM VALUE
SELECT s.tbase + t.k + 1, c.id, a.id, x.title, 'published', x.tokens
FROM bench_shape s
CROSS JOIN LATERAL generate_series(0, s.r + 1) t(k)
CROSS JOIN LATERAL (SELECT CASE
	WHEN t.k = s.r THEN 'general'
	WHEN t.k = s.r + 1 THEN 'equipment'
	ELSE (ARRAY['announcements', 'general', 'help', 'show-and-tell',
	    'equipment'])[1 + t.k % 5] END AS slug) cs
JOIN categories c ON c.slug = cs.slug
JOIN bench_author a ON a.k = t.k % 200
JOIN bench_phrase ph ON ph.kind = 'title' AND ph.n = t.k % s.ntitle
CROSS JOIN LATERAL (SELECT CASE
	WHEN t.k = s.r THEN 'bench showcase'
	WHEN t.k = s.r + 1 THEN 'bench long topic'
	ELSE ph.text || ' ' || (t.k + 1) END AS title, CASE
	WHEN t.k = s.r THEN 'bench showcase'
	WHEN t.k = s.r + 1 THEN 'bench long topic'
	ELSE ph.tokens || ' ' || (t.k + 1) END AS tokens) x;

-- Every post: (topic k, number, time); ids in time order.  Regular post
-- j (0-based) is number j / R + 1 of topic j % R, one every 30 seconds;
-- the long topic's posts come every 25 minutes over the same year; the
-- showcase's in the last hour.
CREATE TEMP TABLE bench_post AS
SELECT s.pbase + row_number() OVER (ORDER BY x.at, x.k, x.number) AS id,
    x.k, x.number, x.at
FROM bench_shape s, LATERAL (
	SELECT j % s.r AS k, j / s.r + 1 AS number,
	    now() - interval '1 hour' - (s.g - j) * interval '30 seconds' AS at
	FROM generate_series(0, s.g - 1) j
	UNION ALL
	SELECT s.r + 1, n, now() - interval '1 hour' -
	    (20000 - n) * interval '25 minutes'
	FROM generate_series(1, 20000) n
	UNION ALL
	SELECT s.r, n, now() - (60 - n) * interval '1 minute'
	FROM generate_series(1, 60) n) x;

-- Two paragraphs; in every hundredth post the second is the first
-- probe (element nbody + 1 of the arrays, after the others), in one post
-- of a thousand the second probe.  The phrases come from arrays held in
-- psql variables, so they are constants of the plan (from a table the
-- arrays were detoasted for every row: 20 s), and the plan is one scan
-- of bench_post, which was written in id order: posts reach the table
-- in time order, as on a real board (a join on the phrase could group
-- them by phrase, the probe's posts on a few hundred pages).
SELECT array_agg(text ORDER BY kind, n) AS ptext,
    array_agg(tokens ORDER BY kind, n) AS ptokens,
    (SELECT array_agg(id ORDER BY k) FROM bench_author) AS pauthor,
    (SELECT pbase FROM bench_shape) AS pbase,
    (SELECT tbase FROM bench_shape) AS tbase,
    (SELECT nbody FROM bench_shape) AS nbody
FROM bench_phrase WHERE kind IN ('body', 'probe') \gset

INSERT INTO posts (id, topic_id, number, author_id, body, body_html,
    status, search_tokens, created_at, first_published_at)
OVERRIDING SYSTEM VALUE
SELECT p.id, :tbase + p.k + 1, p.number,
    (:'pauthor'::bigint[])[1 + (q.i * 31) % 200],
    (:'ptext'::text[])[q.a] || E'\n\n' || (:'ptext'::text[])[q.b],
    '<p>' || (:'ptext'::text[])[q.a] || E'</p>\n<p>' ||
    (:'ptext'::text[])[q.b] || E'</p>\n', 'published',
    (:'ptokens'::text[])[q.a] || ' ' || (:'ptokens'::text[])[q.b], p.at,
    p.at
FROM bench_post p
CROSS JOIN LATERAL (SELECT p.id - :pbase AS i) i
CROSS JOIN LATERAL (SELECT i.i, 1 + (i.i * 7 + p.k) % :nbody AS a,
    CASE WHEN i.i % 100 = 0 THEN :nbody + 1
    WHEN i.i % 1000 = 555 THEN :nbody + 2
    ELSE 1 + (i.i * 13 + 11) % :nbody END AS b) q;

SELECT setval(pg_get_serial_sequence('topics', 'id'),
    (SELECT max(id) FROM topics));
SELECT setval(pg_get_serial_sequence('posts', 'id'),
    (SELECT max(id) FROM posts));

-- The counters board_post_published() keeps.
UPDATE topics t SET reply_count = x.n - 1, last_number = x.n,
    next_number = x.n + 1, last_post_at = x.last, created_at = x.first
FROM (SELECT topic_id, count(*) AS n, max(created_at) AS last,
    min(created_at) AS first FROM posts GROUP BY topic_id) x
WHERE x.topic_id = t.id;
UPDATE categories c SET topic_count = (SELECT count(*) FROM topics t
    WHERE t.category_id = c.id AND t.status = 'published');
UPDATE listing_versions SET version = version + 1 WHERE name = 'board';

DO $$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT def FROM bench_index LOOP
		EXECUTE r.def;
	END LOOP;
END $$;
COMMIT;

VACUUM ANALYZE topics;
VACUUM ANALYZE posts;
ANALYZE users;
ANALYZE categories;

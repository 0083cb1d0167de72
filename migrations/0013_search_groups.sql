-- 0013: search results grouped by topic (issue 12, item 13).
--
-- assets/sql/search.sql finds a word's newest posts and counts a topic's
-- matching posts from one GIN index that holds, beside each published
-- post's tokens, its id bucket (id / 4096: ids grow with time, so the
-- newest buckets are the newest posts) and its topic.  btree_gin gives
-- GIN those two integer columns; it is a trusted extension, so the
-- database's owner may create it.  The index replaces posts_search of
-- 0005 (a search on the tokens alone uses the first column the same way).
--
-- Building it reads every published post once; on a million posts
-- about a minute and a half on two cores, during which posts cannot be
-- written.
CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX posts_search;
CREATE INDEX posts_search ON posts USING gin (search_tsv, (id / 4096),
    topic_id) WHERE status = 'published';

-- The topics a search leaves out for everyone (held, hidden, rejected,
-- deleted): few, read as a list.
CREATE INDEX topics_unlisted ON topics (id) WHERE status <> 'published';

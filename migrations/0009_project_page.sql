-- The project page statement (assets/sql/project.sql, project_page) sends
-- the stored document only when the worker's copy is older.  Measured
-- with perf under make bench: 20% of PostgreSQL's time on that page went
-- to left(p.doc, -1) (pg_utf_mblen, pglz_decompress) on every call,
-- cached or not, because the inlined function is a subquery whose
-- columns are all computed before the outer CASE looks at them.  So
-- project_parts() now hands out the document untouched (a TOAST pointer
-- costs nothing to pass on) and its callers cut the closing brace only
-- when they use it.
--
-- The team and like tests were EXISTS sub-selects that PostgreSQL turned
-- into hashed sub-plans: a sequential scan of every project_members row
-- on each call.  Left joins on the primary keys are index lookups.
CREATE OR REPLACE FUNCTION project_parts(pid bigint, uid bigint, urole text)
RETURNS TABLE (body text, version bigint, viewer text)
LANGUAGE sql STABLE AS $$
	SELECT p.doc, p.doc_version,
	    ',"version":' || p.doc_version ||
	    ',"likes":' || p.like_count ||
	    ',"liked":' || (l.user_id IS NOT NULL)::text ||
	    ',"can_edit":' || (urole IN ('staff', 'admin') OR
	        m.user_id IS NOT NULL)::text ||
	    ',"is_owner":' || (p.owner_id = uid)::text
	FROM projects p
	LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = uid
	LEFT JOIN project_likes l ON l.project_id = p.id AND l.user_id = uid
	-- project_visible(), written out: a function with a sub-select
	-- would not be inlined.
	WHERE p.id = pid AND (p.status = 'published' OR
	    urole IN ('staff', 'admin') OR m.user_id IS NOT NULL)
$$;

CREATE OR REPLACE FUNCTION project_view(pid bigint, uid bigint, urole text)
RETURNS TABLE (doc text)
LANGUAGE sql STABLE AS $$
	SELECT left(body, -1) || viewer || '}'
	FROM project_parts(pid, uid, urole)
$$;

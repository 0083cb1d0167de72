-- Statements of project.c (docs/api.md#projects).  Writes call the
-- functions of migrations/0003_projects.sql, which check the rules and
-- answer with the same project document the page shows.

-- name: project_page
-- $1 project id, $2 session hash, $3 the version of the document this
-- worker has rendered already (NULL: none, and always for the API): then
-- only the parts that depend on the viewer are sent.  The stored
-- document is copied out as text, not rebuilt, and only when sent
-- (migrations/0009).
SELECT '{"project":' || CASE WHEN pp.version = $3::bigint
        THEN '{"id":' || $1::bigint || ',"cached":true'
        ELSE left(pp.body, -1) END || pp.viewer ||
    '},"me":' || coalesce(v.me::text, 'null') || '}'
FROM (SELECT $2::text AS h) a
LEFT JOIN LATERAL viewer(a.h) v ON true
JOIN LATERAL project_parts($1::bigint, coalesce(v.id, 0),
    coalesce(v.role, '')) pp ON true

-- name: project_edit_page
-- $1 project id, $2 viewer id, $3 viewer role: the form, for its team.
-- license_<licence> marks the licence chosen, as the form's own echo
-- does (reply_form_choice in app/reply.c: "CC-BY-4.0" is cc_by_4_0).
SELECT json_build_object('project', pv.doc::json,
    'form', json_build_object('title', p.title, 'summary', p.summary,
        'body', p.body, 'tags', array_to_string(p.tags, ', '),
        'license', p.license, 'status', p.status,
        'status_published', p.status = 'published',
        'license_' || translate(lower(p.license), '-.', '__'), true))
FROM projects p
JOIN LATERAL project_view(p.id, $2::bigint, $3::text) pv ON true
WHERE p.id = $1::bigint AND (pv.doc::json ->> 'can_edit')::boolean

-- name: project_list_check
-- $1 session hash: the listing version and the viewer, as the first
-- column of the list statements.  A worker that holds the list at this
-- version answers from it (migrations/0004); a separate statement
-- because a big plan costs its initialisation on every call, used or
-- not.
SELECT '{"version":' || v.version || ',"me":' ||
    coalesce((SELECT me FROM viewer($1::text))::text, 'null') || '}'
FROM listing_versions v
WHERE v.name = 'projects'

-- name: project_list
-- $1 session hash, $2 cursor time (epoch microseconds) or NULL, $3 cursor
-- id.  Published projects, newest first, 24 a page, keyset pagination.
-- Two columns: the listing version with the viewer (what
-- project_list_check answers), and the whole document (the stored cards
-- joined as text).
WITH v AS (
	SELECT version FROM listing_versions WHERE name = 'projects'
), m AS (
	SELECT coalesce((SELECT me FROM viewer($1::text))::text, 'null') AS me
), x AS (
	SELECT p.id, p.published_at, p.card, row_number()
	    OVER (ORDER BY p.published_at DESC, p.id DESC) AS n
	FROM projects p
	WHERE p.status = 'published'
	    AND ($2::bigint IS NULL OR (p.published_at, p.id) <
	    (timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
	    $3::bigint))
	ORDER BY p.published_at DESC, p.id DESC
	LIMIT 25
)
SELECT '{"version":' || v.version || ',"me":' || m.me || '}',
    (
	SELECT '{"projects":[' || coalesce(string_agg(x.card, ',' ORDER BY
	    x.n) FILTER (WHERE x.n <= 24), '') || '],"next_cursor":' ||
	    CASE WHEN max(x.n) > 24 THEN to_json(max(project_cursor(
	    x.published_at, x.id)) FILTER (WHERE x.n = 24))::text
	    ELSE 'null' END || ',"tag":' || 'null' || ',"q":' || 'null' ||
	    ',"me":' || m.me || '}'
	FROM x)
FROM v, m

-- name: project_list_tag
-- The same, for one tag ($4).  Three statements rather than one with
-- optional filters: each gets a generic plan that can use its own index
-- (GIN on tags, GIN on search_tsv); "$4 IS NULL OR ..." could not.
WITH v AS (
	SELECT version FROM listing_versions WHERE name = 'projects'
), m AS (
	SELECT coalesce((SELECT me FROM viewer($1::text))::text, 'null') AS me
), x AS (
	SELECT p.id, p.published_at, p.card, row_number()
	    OVER (ORDER BY p.published_at DESC, p.id DESC) AS n
	FROM projects p
	WHERE p.status = 'published' AND p.tags @> ARRAY[$4::text]
	    AND ($2::bigint IS NULL OR (p.published_at, p.id) <
	    (timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
	    $3::bigint))
	ORDER BY p.published_at DESC, p.id DESC
	LIMIT 25
)
SELECT '{"version":' || v.version || ',"me":' || m.me || '}',
    (
	SELECT '{"projects":[' || coalesce(string_agg(x.card, ',' ORDER BY
	    x.n) FILTER (WHERE x.n <= 24), '') || '],"next_cursor":' ||
	    CASE WHEN max(x.n) > 24 THEN to_json(max(project_cursor(
	    x.published_at, x.id)) FILTER (WHERE x.n = 24))::text
	    ELSE 'null' END || ',"tag":' || to_json($4::text)::text || ',"q":' || 'null' ||
	    ',"me":' || m.me || '}'
	FROM x)
FROM v, m

-- name: project_list_search
-- The same, for search tokens ($4, made by app/search.c) and the query
-- as typed ($5, shown back).  The tsquery is a sub-select so that it is
-- built once, not per row (assets/sql/search.sql says more).
WITH v AS (
	SELECT version FROM listing_versions WHERE name = 'projects'
), m AS (
	SELECT coalesce((SELECT me FROM viewer($1::text))::text, 'null') AS me
), x AS (
	SELECT p.id, p.published_at, p.card, row_number()
	    OVER (ORDER BY p.published_at DESC, p.id DESC) AS n
	FROM projects p
	WHERE p.status = 'published'
	    AND p.search_tsv @@ (SELECT plainto_tsquery('simple', $4::text))
	    AND ($2::bigint IS NULL OR (p.published_at, p.id) <
	    (timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
	    $3::bigint))
	ORDER BY p.published_at DESC, p.id DESC
	LIMIT 25
)
SELECT '{"version":' || v.version || ',"me":' || m.me || '}',
    (
	SELECT '{"projects":[' || coalesce(string_agg(x.card, ',' ORDER BY
	    x.n) FILTER (WHERE x.n <= 24), '') || '],"next_cursor":' ||
	    CASE WHEN max(x.n) > 24 THEN to_json(max(project_cursor(
	    x.published_at, x.id)) FILTER (WHERE x.n = 24))::text
	    ELSE 'null' END || ',"tag":' || 'null' || ',"q":' || to_json($5::text)::text ||
	    ',"me":' || m.me || '}'
	FROM x)
FROM v, m

-- name: project_create
SELECT project_create($1, $2, $3, $4, $5,
    ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7, $8, $9)

-- name: project_update
SELECT project_update($1, $2, $3, $4, $5, $6,
    CASE WHEN $7::jsonb IS NULL THEN NULL
    ELSE ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) END,
    $8, $9, $10)

-- name: project_delete
SELECT project_delete($1, $2)

-- name: project_like
SELECT project_like($1, $2, $3)

-- name: project_comment
SELECT project_comment($1, $2, $3, $4)

-- name: project_member_add
SELECT project_member_add($1, $2, $3)

-- name: project_member_remove
SELECT project_member_remove($1, $2, $3)

-- name: project_log_add
SELECT project_log_add($1, $2, $3, $4, $5)

-- name: project_tokens
-- The text a project is found by, for recomputing search tokens after
-- a partial edit.  $1 project id.
SELECT json_build_object('title', title, 'summary', summary, 'body', body,
    'tags', tags)
FROM projects WHERE id = $1::bigint

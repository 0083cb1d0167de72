-- Statements of home.c.

-- name: home_page
-- $1: session token hash (hex) or NULL.
SELECT json_build_object(
	'me', NULL::json,
	'projects', '[]'::json,
	'topics', '[]'::json,
	'events', '[]'::json,
	'_viewer', $1::text IS NOT NULL
)

-- Statements of home.c.

-- name: home_page
-- $1: session token hash (hex) or NULL.  The viewer is resolved here, in
-- the same round trip as the page.
SELECT json_build_object(
	'me', (SELECT me FROM viewer($1::text)),
	'projects', '[]'::json,
	'topics', '[]'::json,
	'events', '[]'::json
)

-- Statements of comp_results.c: results, the CSV export, publishing,
-- votes, certificates and their verification.  The arithmetic and the
-- rules are in migrations/0017_comp_results.sql.

-- name: comp_results_check
-- GET /competitions/{id}/results for a browser (app/comp_results.c), in
-- one round trip: $1 session hash (NULL: none), $2 competition.  The
-- viewer ("me", and whether they are staff, who never get the kept page)
-- and the version of the competition's published results
-- (migrations/0018_comp_speed.sql), NULL before they are published
-- (comp_results_page then decides).  Always one row.
SELECT json_build_object('me', v.me,
    'staff', coalesce(is_staff_role(v.role), false),
    'version', (SELECT c.results_version FROM competitions c
	WHERE c.id = $2::bigint AND c.announced_at IS NOT NULL
	AND c.published_at IS NOT NULL))
FROM (SELECT 1) one
LEFT JOIN LATERAL viewer($1::text) v ON true

-- name: comp_results_page
-- GET /competitions/{id}/results.  $1 competition, $2 session hash
-- (NULL: none), $3 whether the viewer is staff when the guard resolved
-- them (an API token), else NULL: the session's.  Staff see it from
-- judging on (with the progress of the judging and the flagged
-- entries), everyone once the results are published; otherwise no row
-- (404).  Scores are also given rounded for the page (score_text).
WITH v AS (
	SELECT v.me, v.role FROM viewer($2::text) v
), st AS (
	SELECT coalesce($3::boolean, (SELECT is_staff_role(v.role) FROM v),
	    false) AS staff
)
SELECT json_build_object(
    'competition', json_build_object('id', c.id,
	'url', '/competitions/' || c.id, 'title', c.title,
	'title_en', c.title_en, 'phase', ph, 'method', c.method,
	'discrepancy', c.discrepancy, 'public_vote', c.public_vote,
	'published_at', rfc3339(c.published_at),
	'publish_reason', CASE WHEN st.staff THEN c.publish_reason END,
	'results_url', '/competitions/' || c.id || '/results',
	'csv_url', CASE WHEN st.staff
	    THEN '/competitions/' || c.id || '/results.csv' END),
    'method', c.method,
    'method_' || c.method, true,
    'version', c.results_version,
    'criteria', (SELECT coalesce(json_agg(json_build_object('id', cr.id,
	'name', cr.name, 'weight', cr.weight, 'max_score', cr.max_score)
	ORDER BY cr.position, cr.id), '[]')
	FROM comp_criteria cr WHERE cr.competition_id = c.id),
    'results', coalesce((SELECT json_agg(json_build_object(
	'rank', r.rank,
	'entry', json_build_object('id', e.id, 'url', '/entries/' || e.id,
	    'title', comp_entry_title(e), 'team', comp_entry_team(e)),
	'score', r.score, 'raw_score', r.raw_score,
	'score_text', to_char(r.score, 'FM9990.00'),
	'raw_score_text', to_char(r.raw_score, 'FM9990.00'),
	'judges', r.judges,
	'criteria', (SELECT json_agg(json_build_object('id', x.value -> 'id',
	    'mean', x.value -> 'mean', 'mean_text',
	    to_char((x.value ->> 'mean')::float8, 'FM9990.00')))
	    FROM jsonb_array_elements(r.criteria) x),
	'flagged', r.flagged, 'award', r.award, 'votes', r.votes)
	ORDER BY r.rank NULLS LAST, r.entry_id)
	FROM competition_results(c.id) r
	JOIN comp_entries e ON e.id = r.entry_id), '[]'),
    'progress', (SELECT json_build_object(
	'scored', count(s.submitted_at), 'expected', count(*))
	FROM comp_assignments a
	JOIN comp_entries e ON e.id = a.entry_id AND e.status = 'submitted'
	LEFT JOIN comp_scores s ON s.entry_id = a.entry_id
	    AND s.judge_id = a.judge_id
	WHERE a.competition_id = c.id AND a.recused_at IS NULL),
    'staff', st.staff,
    'can_publish', st.staff AND ph IN ('judging', 'review'),
    'publish_forced', ph = 'judging',
    'me', (SELECT v.me FROM v))
FROM competitions c
CROSS JOIN st
CROSS JOIN LATERAL competition_phase(c) ph
WHERE c.id = $1::bigint
    AND (ph = 'results' OR (st.staff AND ph IN ('judging', 'review')))

-- name: comp_results_csv
-- GET /competitions/{id}/results.csv (staff, from judging on): one row
-- per counted score (entry and judge) with the judge's scores per
-- criterion in the criteria's order, the judge's total and normalised
-- total, and the entry's figures; an entry without a counted score has
-- one row with the judge's columns empty.  $1 competition.
WITH c AS (
	SELECT c.*, competition_phase(c) AS phase FROM competitions c
	WHERE c.id = $1::bigint
), cr AS (
	SELECT cr.* FROM comp_criteria cr JOIN c ON cr.competition_id = c.id
), r AS (
	SELECT r.*, e.*, comp_entry_title(e) AS title,
	    (SELECT string_agg(x ->> 'display_name' || ' (@' ||
		(x ->> 'username') || ')', ', ')
		FROM jsonb_array_elements(comp_entry_team(e)) x) AS team
	FROM c, competition_results(c.id) r
	JOIN comp_entries e ON e.id = r.entry_id
), n AS (
	SELECT n.* FROM c, comp_result_normalised(c.id) n
)
SELECT json_build_object(
    'competition', json_build_object('id', c.id, 'title', c.title,
	'method', c.method),
    'criteria', (SELECT coalesce(json_agg(json_build_object('id', cr.id,
	'name', cr.name, 'weight', cr.weight, 'max_score', cr.max_score)
	ORDER BY cr.position, cr.id), '[]') FROM cr),
    'rows', coalesce((SELECT json_agg(json_build_object(
	'rank', r.rank, 'entry_id', r.entry_id, 'title', r.title,
	'team', r.team, 'judge', u.username,
	'scores', CASE WHEN n.judge_id IS NOT NULL THEN (SELECT
	    json_agg(i.score ORDER BY cr.position, cr.id) FROM cr
	    LEFT JOIN comp_score_items i ON i.criterion_id = cr.id
	    AND i.entry_id = n.entry_id AND i.judge_id = n.judge_id) END,
	'total', n.total, 'normalised', n.normalised,
	'score', r.score, 'raw_score', r.raw_score, 'judges', r.judges,
	'flagged', r.flagged, 'award', r.award, 'votes', r.votes)
	ORDER BY r.rank NULLS LAST, r.entry_id, u.username)
	FROM r LEFT JOIN n ON n.entry_id = r.entry_id
	LEFT JOIN users u ON u.id = n.judge_id), '[]'))
FROM c
WHERE c.phase IN ('judging', 'review', 'results')

-- name: comp_publish
-- POST /competitions/{id}/publish.  $1 competition, $2 staff member,
-- $3 force, $4 reason ('' for none).
SELECT comp_publish($1::bigint, $2::bigint, $3::boolean, $4::text)

-- name: comp_vote
-- POST /entries/{id}/vote ($3 true) and /unvote ($3 false).  $1 entry,
-- $2 voter.
SELECT comp_vote($1::bigint, $2::bigint, $3::boolean)

-- name: comp_certificate
-- GET /entries/{id}/certificate: its team (or staff) once the results
-- are published and the entry won an award; otherwise no row (404).
-- $1 entry, $2 viewer, $3 viewer is staff.  The page adds the absolute
-- address of verify_path and its QR code (app/comp_results.c).
SELECT json_build_object('certificate', json_build_object(
    'code', k.code, 'award', k.award, 'rank', k.rank,
    'issued_at', rfc3339(k.issued_at),
    'issued_date', to_char(k.issued_at, 'YYYY-MM-DD'),
    'competition', json_build_object('id', c.id,
	'url', '/competitions/' || c.id, 'title', c.title,
	'title_en', c.title_en),
    'entry', json_build_object('id', e.id, 'url', '/entries/' || e.id,
	'title', comp_entry_title(e)),
    'team', comp_entry_team(e),
    'verify_path', '/verify/' || k.code))
FROM comp_certificates k
JOIN comp_entries e ON e.id = k.entry_id
JOIN competitions c ON c.id = e.competition_id
WHERE k.entry_id = $1::bigint AND c.published_at IS NOT NULL
    AND ($3::boolean OR EXISTS (SELECT 1 FROM comp_entry_members m
	WHERE m.entry_id = e.id AND m.user_id = $2::bigint))

-- name: comp_verify
-- GET /verify/{code}: who won what (anyone; the code in any case).
-- $1 the code, $2 session hash (the page's header).  No row: 404.
SELECT json_build_object('certificate', json_build_object(
    'code', k.code, 'award', k.award, 'rank', k.rank,
    'issued_at', rfc3339(k.issued_at),
    'competition', json_build_object('id', c.id,
	'url', '/competitions/' || c.id, 'title', c.title,
	'title_en', c.title_en),
    'entry', json_build_object('id', e.id, 'url', '/entries/' || e.id,
	'title', comp_entry_title(e)),
    'team', comp_entry_team(e)),
    'me', (SELECT me FROM viewer($2::text)))
FROM comp_certificates k
JOIN comp_entries e ON e.id = k.entry_id
JOIN competitions c ON c.id = e.competition_id
WHERE k.code = upper($1::text)

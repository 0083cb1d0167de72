-- Statements of comp.c and comp_judge.c (docs/api.md#competitions).
-- Writes call the functions of migrations/0016_competitions.sql, which
-- check the rules; reads that show an entry after its competition closed
-- take the entries' snapshots first (comp_freeze(), idempotent).

-- name: comp_list
-- GET /competitions: $1 viewer id (0: nobody), $2 role.  Drafts only for
-- staff; open ones first, then upcoming, then the rest, newest first.
SELECT json_build_object('competitions', coalesce(json_agg(json_build_object(
	'id', c.id, 'url', '/competitions/' || c.id, 'title', c.title,
	'title_en', c.title_en, 'summary', c.summary,
	'phase', competition_phase(c),
	'opens_at', rfc3339(c.opens_at), 'closes_at', rfc3339(c.closes_at),
	'judging_ends_at', rfc3339(c.judging_ends_at),
	'next_at', rfc3339(competition_next_at(c)),
	'entry_count', (SELECT count(*) FROM comp_entries e
	    WHERE e.competition_id = c.id AND e.status = 'submitted'))
	ORDER BY array_position(ARRAY['open', 'upcoming', 'judging', 'review',
	    'results', 'draft'], competition_phase(c)), c.opens_at DESC, c.id DESC),
	'[]'), 'can_create', is_staff_role($2::text))
FROM competitions c
WHERE comp_visible(c, $2::text) AND $1::bigint IS NOT NULL

-- name: comp_page
-- GET /competitions/{id}: $1 id, $2 viewer, $3 role; next_in: seconds to
-- the next date by the database clock (the countdown).
SELECT json_build_object('competition', (j.c || jsonb_build_object(
	'next_in', floor(extract(epoch FROM competition_next_at(x) - now()))))
	::json)
FROM competitions x
CROSS JOIN LATERAL (SELECT comp_json(x.id, $2::bigint, $3::text)::jsonb
    AS c) j
WHERE x.id = $1::bigint AND j.c IS NOT NULL

-- name: comp_save
-- POST /competitions and /competitions/{id}: $1 actor, $2 id or NULL, $3
-- the fields (app/comp.c comp_save_prepare).
SELECT comp_save($1::bigint, $2::bigint, $3::jsonb)

-- name: comp_edit_page
-- GET /competitions/{id}/edit: the form with what is stored, dates as the
-- form's datetime-local values in the site zone.  $1 id, $2 viewer, $3
-- role.
SELECT json_build_object('competition', comp_json(c.id, $2::bigint,
	$3::text),
    'form', json_build_object('title', c.title, 'title_en', c.title_en,
	'summary', c.summary, 'brief', c.brief, 'rules', c.rules,
	'opens_at', to_char(c.opens_at, 'YYYY-MM-DD"T"HH24:MI'),
	'closes_at', to_char(c.closes_at, 'YYYY-MM-DD"T"HH24:MI'),
	'judging_ends_at', to_char(c.judging_ends_at, 'YYYY-MM-DD"T"HH24:MI'),
	'max_team_size', c.max_team_size,
	'entries_per_person', c.entries_per_person,
	'judges_per_entry', c.judges_per_entry,
	'votes_per_user', c.votes_per_user, 'discrepancy', c.discrepancy,
	'blind', c.blind, 'public_vote', c.public_vote, 'method', c.method,
	'method_' || c.method, true),
    'rows', json_build_object(
	'criteria', (SELECT json_agg(json_build_object('i', g.i - 1,
	    'c', (SELECT json_build_object('name', k.name,
	        'description', k.description, 'weight', k.weight,
	        'max_score', k.max_score) FROM comp_criteria k
	        WHERE k.competition_id = c.id AND k.position = g.i)) ORDER BY g.i)
	    FROM generate_series(1, 10) g(i)),
	'awards', (SELECT json_agg(json_build_object('i', g.i - 1,
	    'a', c.awards -> (g.i - 1)) ORDER BY g.i)
	    FROM generate_series(1, 5) g(i))))
FROM competitions c
WHERE c.id = $1::bigint AND is_staff_role($3::text)

-- name: comp_announce
-- POST /competitions/{id}/announce: $1 actor, $2 id.
SELECT comp_announce($1::bigint, $2::bigint)

-- name: comp_entry_form
-- GET /competitions/{id}/entries?project_id=&team=: the entry form with
-- the viewer's own published projects to pick from and, for the team
-- typed, who is eligible (exists, verified, an entry left) and whether
-- the team fits.  $1 competition, $2 viewer, $3 role, $4 project id or
-- NULL, $5 the team as typed (names split on commas and spaces).
SELECT json_build_object('competition', comp_json(c.id, $2::bigint,
	$3::text),
    'projects', (SELECT coalesce(json_agg(json_build_object('id', p.id,
	'title', p.title, 'selected', p.id = $4::bigint,
	'entered', EXISTS (SELECT 1 FROM comp_entries e
	    WHERE e.competition_id = c.id AND e.project_id = p.id
	    AND e.status = 'submitted')) ORDER BY p.updated_at DESC), '[]')
	FROM projects p JOIN project_members m ON m.project_id = p.id
	WHERE m.user_id = $2::bigint AND p.status = 'published'),
    'eligibility', comp_eligibility(c.id, $2::bigint,
	regexp_split_to_array(coalesce($5::text, ''), '[,，\s]+')),
    'checked', $5::text IS NOT NULL,
    'form', json_build_object('project_id', $4::bigint, 'team', $5::text))
FROM competitions c
WHERE c.id = $1::bigint AND comp_visible(c, $3::text)

-- name: comp_entry_create
-- POST /competitions/{id}/entries: $1 user, $2 competition, $3 project,
-- $4 team (names split on commas and spaces), $5 statement, $6 its HTML.
SELECT comp_entry_create($1::bigint, $2::bigint, $3::bigint,
    regexp_split_to_array(coalesce($4::text, ''), '[,，\s]+'),
    $5::text, $6::text)

-- name: comp_entry_page
-- GET /entries/{id}: $1 entry, $2 viewer, $3 role.  No row when the
-- viewer may not see it (404).  Where the document hides the team (a
-- blind competition's judge, comp_entry_doc in
-- migrations/0016_competitions.sql) comp_entry_view() masks the team's
-- @mentions and names in every text field (migrations/0021_comp_blind.sql).
SELECT json_build_object('entry', d.doc)
FROM (SELECT comp_entry_view(comp_entry_doc($1::bigint, $2::bigint,
    $3::text)) AS doc) d
WHERE d.doc IS NOT NULL

-- name: comp_entry_update
-- POST /entries/{id}: $1 user, $2 entry, $3 team or NULL (unchanged), $4
-- statement or NULL, $5 its HTML.
SELECT comp_entry_update($1::bigint, $2::bigint,
    CASE WHEN $3::text IS NOT NULL THEN
    regexp_split_to_array($3::text, '[,，\s]+') END, $4::text, $5::text)

-- name: comp_entry_edit_page
-- GET /entries/{id}/edit: the form, for the team while entries are open.
SELECT json_build_object('entry', d.doc,
    'competition', comp_json(e.competition_id, $2::bigint, $3::text),
    'form', json_build_object('statement', e.statement,
	'team', (SELECT string_agg(u.username, ', ' ORDER BY u.username)
	    FROM comp_entry_members m JOIN users u ON u.id = m.user_id
	    WHERE m.entry_id = e.id AND u.id <> $2::bigint)))
FROM comp_entries e
CROSS JOIN LATERAL (SELECT comp_entry_doc(e.id, $2::bigint, $3::text)
    AS doc) d
WHERE e.id = $1::bigint AND (d.doc ->> 'can_edit')::boolean

-- name: comp_entry_withdraw
-- POST /entries/{id}/withdraw: $1 user, $2 entry.
SELECT comp_entry_withdraw($1::bigint, $2::bigint)

-- name: comp_judges_page
-- GET /competitions/{id}/judges (staff): the judges with their load and
-- progress, every live entry with its judges (status, recusal reason),
-- the progress of the whole competition.  Takes the snapshots if due.
-- $1 competition, $2 viewer, $3 role.
WITH f AS (
	SELECT comp_freeze($1::bigint)
)
SELECT json_build_object('competition', comp_json(c.id, $2::bigint, $3::text),
    'judges', (SELECT coalesce(json_agg(json_build_object(
	'username', u.username, 'display_name', u.display_name,
	'url', '/u/' || u.username,
	'assigned', (SELECT count(*) FROM comp_assignments a
	    WHERE a.competition_id = c.id AND a.judge_id = u.id
	    AND a.recused_at IS NULL),
	'submitted', (SELECT count(*) FROM comp_assignments a
	    JOIN comp_scores s ON s.entry_id = a.entry_id
	    AND s.judge_id = a.judge_id
	    WHERE a.competition_id = c.id AND a.judge_id = u.id
	    AND a.recused_at IS NULL AND s.submitted_at IS NOT NULL))
	ORDER BY u.username), '[]')
	FROM comp_judges j JOIN users u ON u.id = j.user_id
	WHERE j.competition_id = c.id),
    'entries', (SELECT coalesce(json_agg(json_build_object('id', e.id,
	'url', '/entries/' || e.id,
	'title', coalesce(e.snapshot ->> 'title', p.title),
	'team', (SELECT string_agg(u.username, ', ' ORDER BY u.username)
	    FROM comp_entry_members m JOIN users u ON u.id = m.user_id
	    WHERE m.entry_id = e.id),
	'judges', (SELECT coalesce(json_agg(json_build_object(
	    'username', u.username,
	    'status', CASE WHEN a.recused_at IS NOT NULL THEN 'recused'
	        WHEN s.submitted_at IS NOT NULL THEN 'submitted'
	        WHEN s.entry_id IS NOT NULL THEN 'draft' ELSE 'todo' END,
	    'recuse_reason', a.recuse_reason) ORDER BY u.username), '[]')
	    FROM comp_assignments a JOIN users u ON u.id = a.judge_id
	    LEFT JOIN comp_scores s ON s.entry_id = a.entry_id
	        AND s.judge_id = a.judge_id
	    WHERE a.entry_id = e.id),
	'short', (SELECT count(*) FROM comp_assignments a
	    WHERE a.entry_id = e.id AND a.recused_at IS NULL)
	    < c.judges_per_entry) ORDER BY e.id), '[]')
	FROM comp_entries e LEFT JOIN projects p ON p.id = e.project_id
	WHERE e.competition_id = c.id AND e.status = 'submitted'),
    'progress', json_build_object(
	'scored', (SELECT count(*) FROM comp_scores s
	    JOIN comp_assignments a ON a.entry_id = s.entry_id
	    AND a.judge_id = s.judge_id
	    JOIN comp_entries e ON e.id = s.entry_id
	    WHERE a.competition_id = c.id AND a.recused_at IS NULL
	    AND e.status = 'submitted' AND s.submitted_at IS NOT NULL),
	'expected', (SELECT count(*) FROM comp_assignments a
	    JOIN comp_entries e ON e.id = a.entry_id
	    WHERE a.competition_id = c.id AND a.recused_at IS NULL
	    AND e.status = 'submitted')))
FROM competitions c, f
WHERE c.id = $1::bigint AND is_staff_role($3::text)

-- name: comp_judge_set
-- POST /competitions/{id}/judges: $1 actor, $2 competition, $3 username,
-- $4 'add' or 'remove'.
SELECT comp_judge_set($1::bigint, $2::bigint, $3::text, $4::text)

-- name: comp_assign
-- POST /competitions/{id}/assign: $1 actor, $2 competition, $3 entry or
-- NULL (auto), $4 username.
SELECT comp_assign($1::bigint, $2::bigint, $3::bigint, $4::text)

-- name: comp_judging
-- GET /judging: $1 the judge.  Every assignment in an announced
-- competition that has not published its results, the ones to score now
-- first; the entry's title (from its snapshot once frozen, the team's
-- names masked in a blind competition: migrations/0021_comp_blind.sql)
-- and nothing about its team.
WITH f AS (
	SELECT comp_freeze(c.id)
	FROM competitions c
	WHERE c.id IN (SELECT a.competition_id FROM comp_assignments a
	    WHERE a.judge_id = $1::bigint)
	    AND c.closes_at <= now() AND c.published_at IS NULL
), x AS MATERIALIZED (
	-- The entry and the judge's score are read per assignment by key
	-- (sub-selects): a generic plan estimates a judge's queue at the
	-- average of all judges and would read every entry otherwise.
	SELECT a.entry_id, a.competition_id, a.recused_at, c.title AS ctitle,
	    c.title_en AS ctitle_en, c.blind,
	    competition_phase(c) AS phase, c.judging_ends_at,
	    (SELECT ARRAY[e.status, coalesce(e.snapshot ->> 'title', p.title)]
		FROM comp_entries e LEFT JOIN projects p ON p.id = e.project_id
		WHERE e.id = a.entry_id) AS e,
	    (SELECT s.submitted_at IS NOT NULL FROM comp_scores s
		WHERE s.entry_id = a.entry_id AND s.judge_id = a.judge_id)
		AS submitted
	FROM comp_assignments a
	JOIN competitions c ON c.id = a.competition_id
	WHERE a.judge_id = $1::bigint
	    AND c.announced_at IS NOT NULL AND c.published_at IS NULL
	    AND (SELECT count(*) FROM f) >= 0
), a AS (
	SELECT x.entry_id, x.competition_id, x.ctitle, x.ctitle_en, x.phase,
	    x.judging_ends_at,
	    CASE WHEN x.blind THEN comp_mask_text(x.e[2],
		comp_mask_names(x.entry_id)) ELSE x.e[2] END AS title,
	    CASE WHEN x.recused_at IS NOT NULL THEN 'recused'
		WHEN x.submitted THEN 'submitted'
		WHEN x.submitted IS NOT NULL THEN 'draft' ELSE 'todo' END
		AS status
	FROM x
	WHERE x.e[1] = 'submitted'
)
SELECT json_build_object('assignments', coalesce(json_agg(json_build_object(
	'entry', json_build_object('id', a.entry_id,
	    'url', '/entries/' || a.entry_id, 'title', a.title,
	    'score_url', '/entries/' || a.entry_id || '/score'),
	'competition', json_build_object('id', a.competition_id,
	    'title', a.ctitle, 'title_en', a.ctitle_en, 'phase', a.phase,
	    'judging_ends_at', rfc3339(a.judging_ends_at)),
	'status', a.status, 'can_score', a.phase = 'judging' AND
	    a.status <> 'recused')
	ORDER BY a.phase = 'judging' DESC, a.status = 'submitted',
	a.judging_ends_at, a.entry_id), '[]'),
    'progress', json_build_object(
	'submitted', count(*) FILTER (WHERE a.status = 'submitted'),
	'total', count(*) FILTER (WHERE a.status <> 'recused')))
FROM a

-- name: comp_score_page
-- GET /entries/{id}/score: the scoring form for its judge: the entry as
-- the judge may see it (blind: nobody named), the criteria with their
-- descriptions, the judge's score so far.  $1 entry, $2 judge, $3 role.
-- A blind judge's entry is masked as on the entry page (comp_entry_view).
SELECT json_build_object('entry', d.doc,
    'criteria', (SELECT coalesce(json_agg(json_build_object('id', k.id,
	'name', k.name, 'description', k.description, 'weight', k.weight,
	'max_score', k.max_score,
	'value', (SELECT i.score FROM comp_score_items i
	    WHERE i.entry_id = e.id AND i.judge_id = $2::bigint
	    AND i.criterion_id = k.id)) ORDER BY k.position), '[]')
	FROM comp_criteria k WHERE k.competition_id = e.competition_id),
    'score', comp_score_json(e.id, $2::bigint),
    'phase', competition_phase(c),
    'judging_ends_at', rfc3339(c.judging_ends_at),
    'can_score', competition_phase(c) = 'judging' AND a.recused_at IS NULL)
FROM comp_entries e
JOIN competitions c ON c.id = e.competition_id
JOIN comp_assignments a ON a.entry_id = e.id AND a.judge_id = $2::bigint
CROSS JOIN LATERAL (SELECT comp_entry_view(comp_entry_doc(e.id, $2::bigint,
    'member')) AS doc) d
WHERE e.id = $1::bigint AND e.status = 'submitted'
    AND c.announced_at IS NOT NULL AND $3::text IS NOT NULL

-- name: comp_score_save
-- POST /entries/{id}/score: $1 judge, $2 entry, $3 scores {criterion id:
-- value} or NULL, $4 comment, $5 its HTML, $6 note, $7 submit.
SELECT comp_score_save($1::bigint, $2::bigint, $3::jsonb, $4::text,
    $5::text, $6::text, $7::boolean)

-- name: comp_recuse
-- POST /entries/{id}/recuse: $1 judge, $2 entry, $3 reason.
SELECT comp_recuse($1::bigint, $2::bigint, $3::text)

-- The kept pages of app/comp_pages.c (browsers with a session cookie, or
-- none): a check statement each, which resolves the session too
-- (comp_session(), migrations/0020_comp_pages.sql), and reads the version
-- the kept page must have been made at, the database clock and when what
-- is kept expires (the next date of the competition, in milliseconds;
-- NULL: not by the clock).  The page statement runs only when the
-- version moved or the kept page expired.

-- name: comp_page_check
-- GET /competitions/{id}: $1 session hash or NULL, $2 competition.  One
-- row always ("me" NULL: nobody; "found" false: no such competition or a
-- draft the viewer may not see), with the viewer's own parts of the page
-- (comp_json's my_entries, i_judge, can_manage, can_enter).
SELECT json_build_object('me', v.me, 'found', c.id IS NOT NULL,
    'version', c.page_version::text,
    'now_ms', floor(extract(epoch FROM now()) * 1000)::bigint,
    'expires_ms', floor(extract(epoch FROM competition_next_at(c))
	* 1000)::bigint,
    'my_entries', CASE WHEN v.id IS NULL OR c.id IS NULL THEN '[]'::json
	ELSE (SELECT coalesce(json_agg(json_build_object(
	'id', e.id, 'url', '/entries/' || e.id,
	'title', coalesce(e.snapshot ->> 'title', p.title),
	'status', e.status) ORDER BY e.id), '[]')
	FROM comp_entry_members m
	JOIN comp_entries e ON e.id = m.entry_id
	LEFT JOIN projects p ON p.id = e.project_id
	WHERE m.user_id = v.id AND e.competition_id = c.id) END,
    'i_judge', EXISTS (SELECT 1 FROM comp_judges j
	WHERE j.competition_id = c.id AND j.user_id = v.id),
    'can_manage', is_staff_role(v.role),
    'can_enter', competition_phase(c) = 'open' AND v.id IS NOT NULL)
FROM (SELECT 1) one
LEFT JOIN LATERAL comp_session($1::text) v ON true
LEFT JOIN competitions c ON c.id = $2::bigint AND comp_visible(c, v.role)

-- name: comp_page_kept
-- GET /competitions/{id} after comp_page_check: what every reader of the
-- page gets alike ($1 competition), the viewer's parts left to the check;
-- next_at_ms for the countdown.
SELECT json_build_object('competition', comp_json(c.id, 0, 'staff'),
    'next_at_ms', floor(extract(epoch FROM competition_next_at(c))
	* 1000)::bigint)
FROM competitions c
WHERE c.id = $1::bigint

-- name: comp_judging_check
-- GET /judging: $1 session hash or NULL.  The judge's version ("me" NULL:
-- nobody): their own (comp_judge_versions) and each competition's they
-- judge, and the first next date of those still judged.
SELECT json_build_object('me', v.me,
    'version', coalesce((SELECT jv.version FROM comp_judge_versions jv
	WHERE jv.judge_id = v.id), 0) || ':' || coalesce((SELECT
	string_agg(c.id || '.' || c.page_version, ',' ORDER BY c.id)
	FROM comp_judges j JOIN competitions c ON c.id = j.competition_id
	WHERE j.user_id = v.id), ''),
    'now_ms', floor(extract(epoch FROM now()) * 1000)::bigint,
    'expires_ms', (SELECT floor(extract(epoch FROM
	min(competition_next_at(c))) * 1000)::bigint
	FROM comp_judges j JOIN competitions c ON c.id = j.competition_id
	WHERE j.user_id = v.id AND c.announced_at IS NOT NULL
	AND c.published_at IS NULL))
FROM (SELECT 1) one
LEFT JOIN LATERAL comp_session($1::text) v ON true

-- name: comp_score_check
-- GET /entries/{id}/score: $1 session hash or NULL, $2 entry.  The
-- version of the judge's form ("me" NULL: nobody; "version" NULL: no
-- such entry): the competition's pages and results and the judge's own.
SELECT json_build_object('me', v.me,
    'version', c.page_version || '.' || c.results_version || '.' ||
	coalesce((SELECT jv.version FROM comp_judge_versions jv
	WHERE jv.judge_id = v.id), 0),
    'now_ms', floor(extract(epoch FROM now()) * 1000)::bigint,
    'expires_ms', floor(extract(epoch FROM competition_next_at(c))
	* 1000)::bigint)
FROM (SELECT 1) one
LEFT JOIN LATERAL comp_session($1::text) v ON true
LEFT JOIN comp_entries e ON e.id = $2::bigint
LEFT JOIN competitions c ON c.id = e.competition_id

-- 0018: competition results, fast (issue 14, Speed): the same results as
-- competition_results() of migrations/0017_comp_results.sql, whose
-- contract (columns, formulas, ranks, flags, awards) is unchanged and
-- documented there and in docs/competitions.md, computed set-based with
-- one pass per aggregate (docs/performance.md#competition-results):
--
--   the counted scores' items are read once, and one grouping-sets
--   aggregate gives both each judge's total per entry and each
--   criterion's mean per entry (0017 read the items twice);
--   the judges' and the overall mean and spread (z-score) come from one
--   grouping-sets pass over those totals;
--   the award of a rank is a join with the awards' rank ranges (award n
--   takes the ranks above every earlier award's top, up to its own top:
--   exactly "the first award whose top is at least the rank"), not a
--   sub-select per entry.
--
-- A set-returning SQL function of one statement, so PostgreSQL inlines it
-- into the statements that call it (app/comp_results.c, comp_publish()).
CREATE OR REPLACE FUNCTION competition_results(cid bigint)
RETURNS TABLE (entry_id bigint, rank integer, score double precision,
    raw_score double precision, judges integer, criteria jsonb,
    flagged boolean, award text, votes integer)
LANGUAGE sql STABLE AS $$
	WITH c AS (
		SELECT x.method, x.discrepancy::float8 AS discrepancy,
		    x.awards
		FROM competitions x WHERE x.id = cid
	), e AS (
		SELECT x.id FROM comp_entries x
		WHERE x.competition_id = cid AND x.status = 'submitted'
	), k AS (
		-- The counted scores: submitted, assignment standing, entry
		-- submitted.
		SELECT s.entry_id, s.judge_id
		FROM comp_entries x
		JOIN comp_scores s ON s.entry_id = x.id
		    AND s.submitted_at IS NOT NULL
		JOIN comp_assignments a ON a.entry_id = s.entry_id
		    AND a.judge_id = s.judge_id AND a.recused_at IS NULL
		WHERE x.competition_id = cid AND x.status = 'submitted'
	), items AS (
		-- The items of the competition's entries, read once.
		SELECT i.entry_id, i.judge_id, i.criterion_id, i.score
		FROM comp_entries x
		JOIN comp_score_items i ON i.entry_id = x.id
		WHERE x.competition_id = cid AND x.status = 'submitted'
	), g AS (
		-- gs 1: (entry, judge) with the judge's total; gs 2: (entry,
		-- criterion) with the criterion's mean; one pass over the
		-- counted scores' items.
		SELECT k.entry_id, k.judge_id, i.criterion_id,
		    GROUPING(k.judge_id, i.criterion_id) AS gs,
		    coalesce(sum(cr.weight::float8 * i.score::float8 /
		    cr.max_score::float8), 0) AS total,
		    avg(i.score::float8) AS m
		FROM k
		LEFT JOIN items i ON i.entry_id = k.entry_id
		    AND i.judge_id = k.judge_id
		LEFT JOIN comp_criteria cr ON cr.id = i.criterion_id
		    AND cr.competition_id = cid
		GROUP BY GROUPING SETS ((k.entry_id, k.judge_id),
		    (k.entry_id, i.criterion_id))
	), t AS (
		SELECT g.entry_id, g.judge_id, g.total FROM g WHERE g.gs = 1
	), js AS (
		-- Each judge's totals (all = false) and all of them (true).
		SELECT t.judge_id, GROUPING(t.judge_id) = 1 AS "all",
		    count(*) AS n, avg(t.total) AS m,
		    coalesce(stddev_pop(t.total), 0) AS s
		FROM t GROUP BY GROUPING SETS ((t.judge_id), ())
	), per_entry AS (
		SELECT t.entry_id, count(*) AS judges, avg(t.total) AS raw,
		    sum(t.total) AS tsum, max(t.total) AS tmax,
		    min(t.total) AS tmin,
		    avg(CASE WHEN c.method <> 'zscore' OR pj.n < 2 OR
			pj.s < 1e-9 THEN t.total
			ELSE o.m + o.s * (t.total - pj.m) / pj.s END) AS zmean
		FROM t
		JOIN js pj ON pj.judge_id = t.judge_id AND NOT pj."all"
		JOIN js o ON o."all"
		CROSS JOIN c
		GROUP BY t.entry_id
	), scored AS (
		SELECT e.id AS entry_id, pe.judges, pe.raw,
		    CASE c.method
		    WHEN 'zscore' THEN pe.zmean
		    WHEN 'trimmed' THEN CASE WHEN pe.judges >= 5
			THEN (pe.tsum - pe.tmax - pe.tmin) / (pe.judges - 2)
			ELSE pe.raw END
		    ELSE pe.raw END AS score,
		    coalesce(pe.tmax - pe.tmin > c.discrepancy + 1e-9,
			false) AS flagged
		FROM e CROSS JOIN c
		LEFT JOIN per_entry pe ON pe.entry_id = e.id
	), ranked AS (
		SELECT s.*, CASE WHEN s.score IS NOT NULL THEN
		    (rank() OVER (ORDER BY round(s.score::numeric, 2)
		    DESC NULLS LAST))::integer END AS rank
		FROM scored s
	), aw AS (
		-- Award n covers the ranks (lo, top]: lo the highest top of
		-- the awards before it.
		SELECT a.value ->> 'label' AS label,
		    (a.value ->> 'top')::integer AS top,
		    coalesce(max((a.value ->> 'top')::integer) OVER (ORDER BY
			a.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
			0) AS lo
		FROM c, jsonb_array_elements(coalesce(c.awards::jsonb, '[]'))
		    WITH ORDINALITY a(value, n)
	), crit AS (
		SELECT e.id AS entry_id, jsonb_agg(jsonb_build_object('id',
		    cr.id, 'mean', g.m) ORDER BY cr.position, cr.id) AS criteria
		FROM e JOIN comp_criteria cr ON cr.competition_id = cid
		LEFT JOIN g ON g.gs = 2 AND g.entry_id = e.id
		    AND g.criterion_id = cr.id
		GROUP BY e.id
	), vote_counts AS (
		SELECT v.entry_id, count(*)::integer AS n
		FROM e JOIN comp_votes v ON v.entry_id = e.id
		GROUP BY v.entry_id
	)
	SELECT r.entry_id, r.rank, r.score, r.raw,
	    coalesce(r.judges, 0)::integer, coalesce(cr.criteria, '[]'),
	    r.flagged, aw.label, coalesce(vc.n, 0)
	FROM ranked r
	LEFT JOIN aw ON r.rank > aw.lo AND r.rank <= aw.top
	LEFT JOIN crit cr ON cr.entry_id = r.entry_id
	LEFT JOIN vote_counts vc ON vc.entry_id = r.entry_id
	ORDER BY r.rank NULLS LAST, r.entry_id
$$;

-- The version of what a published competition's results page shows
-- (app/comp_results.c keeps the rendered results per worker under it):
-- bumped in the writing transaction by every change to the
-- competition's row and, once published, to anything its results read
-- (entries and their teams, criteria, assignments, scores, votes, the
-- team's names).  A number in the row rather than a sequence: a reader
-- sees it move only together with the rows that moved it, so a page can
-- never be kept under a version newer than its content, and every node
-- reads the same number.
ALTER TABLE competitions ADD COLUMN results_version bigint NOT NULL
    DEFAULT 1;

CREATE FUNCTION competitions_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.results_version = OLD.results_version THEN
		NEW.results_version := OLD.results_version + 1;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER competitions_version_bump BEFORE UPDATE ON competitions
FOR EACH ROW EXECUTE FUNCTION competitions_version_bump();

-- Bump competition cid's results version when its results are
-- published (before that the page is never kept, and the row is left
-- alone, so judging never queues on it).
CREATE FUNCTION comp_results_bump(cid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE competitions SET results_version = results_version + 1
	WHERE id = cid AND published_at IS NOT NULL
$$;

-- A row of a table the results read changed: its competition (its own
-- competition_id, else its entry's).
CREATE FUNCTION comp_results_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	j	jsonb;
BEGIN
	IF TG_OP = 'DELETE' THEN
		j := to_jsonb(OLD);
	ELSE
		j := to_jsonb(NEW);
	END IF;
	PERFORM comp_results_bump(coalesce((j ->> 'competition_id')::bigint,
	    (SELECT e.competition_id FROM comp_entries e
	    WHERE e.id = (j ->> 'entry_id')::bigint)));
	RETURN NULL;
END $$;

CREATE TRIGGER comp_entries_results AFTER INSERT OR UPDATE OR DELETE
ON comp_entries FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_entry_members_results AFTER INSERT OR UPDATE OR DELETE
ON comp_entry_members FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_criteria_results AFTER INSERT OR UPDATE OR DELETE
ON comp_criteria FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_assignments_results AFTER INSERT OR UPDATE OR DELETE
ON comp_assignments FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_scores_results AFTER INSERT OR UPDATE OR DELETE
ON comp_scores FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_score_items_results AFTER INSERT OR UPDATE OR DELETE
ON comp_score_items FOR EACH ROW EXECUTE FUNCTION comp_results_changed();
CREATE TRIGGER comp_votes_results AFTER INSERT OR UPDATE OR DELETE
ON comp_votes FOR EACH ROW EXECUTE FUNCTION comp_results_changed();

-- A team member's name shows on the results.
CREATE FUNCTION comp_results_user_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_results_bump(x.competition_id)
	FROM (SELECT DISTINCT e.competition_id FROM comp_entry_members m
	    JOIN comp_entries e ON e.id = m.entry_id
	    WHERE m.user_id = NEW.id) x;
	RETURN NULL;
END $$;

CREATE TRIGGER users_comp_results AFTER UPDATE OF username, display_name
ON users FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username OR
    OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION comp_results_user_changed();

-- The functions the competition pages call on every request, as PL/pgSQL
-- with the same bodies: a SQL function that is not inlined (a scalar one
-- with a FROM, or one called per row) is planned again on every call,
-- while PL/pgSQL keeps its plans per connection
-- (docs/performance.md#competition-pages).  comp_entry_title and
-- comp_entry_team run once per entry of a results page.
CREATE OR REPLACE FUNCTION comp_json(cid bigint, uid bigint, urole text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('id', c.id, 'url', '/competitions/' || c.id,
		    'title', c.title, 'title_en', c.title_en, 'summary', c.summary,
		    'brief_html', c.brief_html, 'rules_html', c.rules_html,
		    'phase', competition_phase(c),
		    'opens_at', rfc3339(c.opens_at), 'closes_at', rfc3339(c.closes_at),
		    'judging_ends_at', rfc3339(c.judging_ends_at),
		    'next_at', rfc3339(competition_next_at(c)),
		    'max_team_size', c.max_team_size,
		    'entries_per_person', c.entries_per_person,
		    'judges_per_entry', c.judges_per_entry,
		    'criteria', (SELECT coalesce(json_agg(json_build_object('id', k.id,
		        'name', k.name, 'description', k.description,
		        'weight', k.weight, 'max_score', k.max_score)
		        ORDER BY k.position), '[]')
		        FROM comp_criteria k WHERE k.competition_id = c.id),
		    'blind', c.blind, 'public_vote', c.public_vote,
		    'votes_per_user', c.votes_per_user, 'method', c.method,
		    'discrepancy', c.discrepancy, 'awards', c.awards,
		    'entry_count', (SELECT count(*) FROM comp_entries e
		        WHERE e.competition_id = c.id AND e.status = 'submitted'),
		    'announced_at', rfc3339(c.announced_at),
		    'published_at', rfc3339(c.published_at),
		    'my_entries', (SELECT coalesce(json_agg(json_build_object(
		        'id', e.id, 'url', '/entries/' || e.id,
		        'title', coalesce(e.snapshot ->> 'title', p.title),
		        'status', e.status) ORDER BY e.id), '[]')
		        FROM comp_entries e
		        JOIN comp_entry_members m ON m.entry_id = e.id
		        LEFT JOIN projects p ON p.id = e.project_id
		        WHERE e.competition_id = c.id AND m.user_id = uid),
		    'i_judge', EXISTS (SELECT 1 FROM comp_judges j
		        WHERE j.competition_id = c.id AND j.user_id = uid),
		    'can_manage', is_staff_role(urole),
		    'can_enter', competition_phase(c) = 'open' AND uid <> 0)
		FROM competitions c
		WHERE c.id = cid AND comp_visible(c, urole));
END $$;

CREATE OR REPLACE FUNCTION comp_entry_access(eid bigint, uid bigint, urole text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE
		    WHEN EXISTS (SELECT 1 FROM comp_entry_members m
		        WHERE m.entry_id = e.id AND m.user_id = uid) THEN 'team'
		    WHEN is_staff_role(urole) THEN 'staff'
		    WHEN e.status <> 'submitted' THEN NULL
		    WHEN competition_phase(c) IN ('judging', 'review', 'results') AND
		        EXISTS (SELECT 1 FROM comp_assignments a WHERE a.entry_id = e.id
		        AND a.judge_id = uid AND a.recused_at IS NULL) THEN 'judge'
		    WHEN competition_phase(c) = 'results' OR (c.public_vote AND
		        competition_phase(c) IN ('judging', 'review')) THEN 'public'
		    END
		FROM comp_entries e JOIN competitions c ON c.id = e.competition_id
		WHERE e.id = eid AND comp_visible(c, urole));
END $$;

CREATE OR REPLACE FUNCTION comp_score_json(eid bigint, jid bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('entry', json_build_object('id', eid,
		        'url', '/entries/' || eid),
		    'status', CASE WHEN a.recused_at IS NOT NULL THEN 'recused'
		        WHEN s.submitted_at IS NOT NULL THEN 'submitted'
		        WHEN s.entry_id IS NOT NULL THEN 'draft' ELSE 'todo' END,
		    'scores', (SELECT coalesce(json_object_agg(i.criterion_id::text,
		        i.score), '{}') FROM comp_score_items i
		        WHERE i.entry_id = eid AND i.judge_id = jid),
		    'total', (SELECT round(sum(k.weight * i.score / k.max_score), 2)
		        FROM comp_score_items i JOIN comp_criteria k
		        ON k.id = i.criterion_id
		        WHERE i.entry_id = eid AND i.judge_id = jid),
		    'comment', coalesce(s.comment, ''),
		    'comment_html', coalesce(s.comment_html, ''),
		    'note', coalesce(s.note, ''),
		    'submitted_at', rfc3339(s.submitted_at),
		    'updated_at', rfc3339(s.updated_at))
		FROM comp_assignments a
		LEFT JOIN comp_scores s ON s.entry_id = a.entry_id
		    AND s.judge_id = a.judge_id
		WHERE a.entry_id = eid AND a.judge_id = jid);
END $$;

CREATE OR REPLACE FUNCTION comp_entry_outcome(eid bigint, uid bigint, urole text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	-- Before the results and outside a public vote only the
	-- certificate's address can be set: the rest is NULL, without
	-- planning the results.
	IF NOT EXISTS (SELECT 1 FROM comp_entries e
	    JOIN competitions c ON c.id = e.competition_id
	    WHERE e.id = eid AND (competition_phase(c) = 'results' OR
	    (c.public_vote AND competition_phase(c) = 'judging' AND
	    e.status = 'submitted'))) THEN
		RETURN jsonb_build_object('rank', NULL, 'award', NULL,
		    'score', NULL, 'score_text', NULL, 'feedback', NULL,
		    'certificate_url', CASE WHEN (is_staff_role(urole) OR
			EXISTS (SELECT 1 FROM comp_entry_members m
			WHERE m.entry_id = eid AND m.user_id = uid)) AND
			EXISTS (SELECT 1 FROM comp_certificates k
			WHERE k.entry_id = eid)
			THEN '/entries/' || eid || '/certificate' END,
		    'vote', NULL);
	END IF;
	RETURN (
		WITH e AS (
			SELECT * FROM comp_entries WHERE id = eid
		), c AS (
			SELECT c.*, competition_phase(c) AS phase
			FROM competitions c JOIN e ON e.competition_id = c.id
		), r AS (
			SELECT r.* FROM c, competition_results(c.id) r
			WHERE c.phase = 'results' AND r.entry_id = eid
		), mine AS (
			SELECT is_staff_role(urole) OR EXISTS (SELECT 1
			    FROM comp_entry_members m WHERE m.entry_id = eid
			    AND m.user_id = uid) AS yes
		)
		SELECT jsonb_build_object(
		    'rank', (SELECT rank FROM r),
		    'award', (SELECT award FROM r),
		    'score', (SELECT score FROM r),
		    'score_text', (SELECT to_char(score, 'FM9990.00') FROM r),
		    'feedback', CASE WHEN (SELECT yes FROM mine) AND EXISTS (SELECT
			1 FROM r) THEN jsonb_build_object(
			'criteria', (SELECT jsonb_agg(jsonb_build_object('id', cr.id,
			    'name', cr.name, 'weight', cr.weight,
			    'max_score', cr.max_score,
			    'mean', (x.value ->> 'mean')::float8,
			    'mean_text', to_char((x.value ->> 'mean')::float8,
				'FM9990.00'))
			    ORDER BY cr.position, cr.id)
			    FROM r, jsonb_array_elements(r.criteria) x
			    JOIN comp_criteria cr ON cr.id = (x.value ->> 'id')::bigint),
			'reviews', (SELECT coalesce(jsonb_agg(jsonb_build_object(
			    'total', n.total,
			    'total_text', to_char(n.total, 'FM9990.00'),
			    'scores', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'criterion_id', cr.id, 'name', cr.name,
				'score', i.score, 'max_score', cr.max_score)
				ORDER BY cr.position, cr.id), '[]')
				FROM comp_criteria cr JOIN comp_score_items i
				ON i.criterion_id = cr.id AND i.entry_id = eid
				AND i.judge_id = n.judge_id),
			    'comment_html', s.comment_html)
			    ORDER BY n.total DESC, s.comment_html), '[]')
			    FROM c, comp_result_normalised(c.id) n
			    JOIN comp_scores s ON s.entry_id = n.entry_id
			    AND s.judge_id = n.judge_id
			    WHERE n.entry_id = eid))
			END,
		    'certificate_url', CASE WHEN (SELECT yes FROM mine) AND EXISTS
			(SELECT 1 FROM comp_certificates k WHERE k.entry_id = eid)
			THEN '/entries/' || eid || '/certificate' END,
		    'vote', (SELECT jsonb_build_object('voted', EXISTS (SELECT 1
			FROM comp_votes v WHERE v.entry_id = eid AND v.user_id = uid),
			'own', EXISTS (SELECT 1 FROM comp_entry_members m
			    WHERE m.entry_id = eid AND m.user_id = uid),
			'votes_per_user', c.votes_per_user,
			'votes_used', (SELECT count(*) FROM comp_votes v
			    JOIN comp_entries x ON x.id = v.entry_id
			    WHERE x.competition_id = c.id AND v.user_id = uid))
			FROM c, e WHERE c.public_vote AND c.phase = 'judging'
			AND e.status = 'submitted')));
END $$;

CREATE OR REPLACE FUNCTION comp_entry_title(e comp_entries) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(e.snapshot ->> 'title',
		    (SELECT p.title FROM projects p WHERE p.id = e.project_id), ''));
END $$;

CREATE OR REPLACE FUNCTION comp_entry_team(e comp_entries) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(jsonb_build_object('username', u.username,
		    'display_name', u.display_name, 'url', '/u/' || u.username)
		    ORDER BY u.id = e.submitted_by DESC, u.username), '[]')
		FROM comp_entry_members m JOIN users u ON u.id = m.user_id
		WHERE m.entry_id = e.id);
END $$;

-- The entries still to freeze: comp_freeze() finds none by this index
-- on every read after they were frozen, instead of reading each entry.
CREATE INDEX comp_entries_unfrozen ON comp_entries (competition_id)
    WHERE status = 'submitted' AND snapshot IS NULL;

-- Called by every read of a closed competition's entries (the judge's
-- queue, the scoring form, the entry page): the same UPDATE as
-- migrations/0016_competitions.sql, its plan kept.
CREATE OR REPLACE FUNCTION comp_freeze(cid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE comp_entries e
	SET snapshot = coalesce(comp_project_json(e.project_id), '{}'),
	    snapshot_at = now()
	FROM competitions c
	WHERE c.id = cid AND e.competition_id = c.id
	    AND e.status = 'submitted' AND e.snapshot IS NULL
	    AND c.closes_at <= now();
END $$;

-- The home page's competitions (home_check on every home page, home_page
-- when its lists moved): planned on every call as SQL functions.
CREATE OR REPLACE FUNCTION comp_home_version() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT left(md5(count(*) || '/' || coalesce(max(updated_at)::text, '')
		    || '/' || coalesce(sum((opens_at <= now())::integer +
		    (closes_at <= now())::integer), 0)), 8)
		FROM competitions
		WHERE announced_at IS NOT NULL AND published_at IS NULL);
END $$;

CREATE OR REPLACE FUNCTION comp_home_list() RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(json_agg(json_build_object('id', c.id,
		    'url', '/competitions/' || c.id, 'title', c.title,
		    'title_en', c.title_en, 'summary', c.summary,
		    'phase', competition_phase(c),
		    'opens_at', rfc3339(c.opens_at),
		    'closes_at', rfc3339(c.closes_at),
		    'open', competition_phase(c) = 'open')
		    ORDER BY competition_phase(c) = 'open' DESC, c.closes_at, c.id),
		    '[]')
		FROM competitions c
		WHERE c.announced_at IS NOT NULL AND c.published_at IS NULL
		    AND now() < c.closes_at);
END $$;

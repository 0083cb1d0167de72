-- 0017: competition results (issue 14, items 4 and 5): the scores of a
-- competition computed by the database in one function, publishing,
-- certificates and public votes.  The tables it reads are those of
-- migrations/0016_competitions.sql; docs/competitions.md has every
-- formula with a worked example.

-- The totals that count: one row per submitted score of a judge whose
-- assignment stands (not recused) for an entry still submitted (not
-- withdrawn), with the judge's total Σ weight × score / max_score
-- (0-100) over the competition's criteria.  A criterion the judge left
-- without a score adds nothing.
CREATE FUNCTION comp_result_totals(cid bigint)
RETURNS TABLE (entry_id bigint, judge_id bigint, total double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.entry_id, s.judge_id,
	    coalesce(sum(cr.weight::float8 * i.score::float8 /
	    cr.max_score::float8), 0)
	FROM comp_entries e
	JOIN comp_scores s ON s.entry_id = e.id AND s.submitted_at IS NOT NULL
	JOIN comp_assignments a ON a.entry_id = s.entry_id
	    AND a.judge_id = s.judge_id AND a.recused_at IS NULL
	LEFT JOIN comp_score_items i ON i.entry_id = s.entry_id
	    AND i.judge_id = s.judge_id
	LEFT JOIN comp_criteria cr ON cr.id = i.criterion_id
	    AND cr.competition_id = cid
	WHERE e.competition_id = cid AND e.status = 'submitted'
	GROUP BY s.entry_id, s.judge_id
$$;

-- The totals that count with their normalised value: for the zscore
-- method M + S × (t - m_j) / s_j (see competition_results below), for
-- the others the total itself.
CREATE FUNCTION comp_result_normalised(cid bigint)
RETURNS TABLE (entry_id bigint, judge_id bigint, total double precision,
    normalised double precision)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT * FROM comp_result_totals(cid)
	), overall AS (
		SELECT avg(total) AS m, coalesce(stddev_pop(total), 0) AS s
		FROM t
	), per_judge AS (
		SELECT judge_id, count(*) AS n, avg(total) AS m,
		    coalesce(stddev_pop(total), 0) AS s
		FROM t GROUP BY judge_id
	)
	SELECT t.entry_id, t.judge_id, t.total,
	    CASE WHEN c.method <> 'zscore' OR pj.n < 2 OR pj.s < 1e-9
	    THEN t.total ELSE o.m + o.s * (t.total - pj.m) / pj.s END
	FROM t JOIN per_judge pj ON pj.judge_id = t.judge_id
	CROSS JOIN overall o
	JOIN competitions c ON c.id = cid
$$;

-- One row per submitted entry of competition cid (withdrawn entries
-- never appear):
--   judges     the judges whose totals count (comp_result_totals)
--   raw_score  the plain mean of those totals
--   score      by the competition's method:
--              mean     the mean of the totals;
--              trimmed  with 5 or more judges the highest and the lowest
--                       total are dropped, then the mean;
--              zscore   each judge's totals are standardised over every
--                       entry that judge scored here, (t - m_j) / s_j
--                       with the population standard deviation s_j, and
--                       rescaled to the mean M and population standard
--                       deviation S of all totals that count:
--                       M + S × (t - m_j) / s_j; a judge with one entry
--                       or no spread (s_j < 1e-9) keeps raw totals;
--                       then the mean.
--              NULL while no judge's total counts.
--   criteria   [{id, mean}] in the criteria's order: the mean score of
--              the criterion on its own scale (NULL without scores)
--   flagged    the highest and lowest total differ by more than the
--              competition's discrepancy (by more than 1e-9: sums of doubles
--              in another order must not flip it)
--   rank       1 + the number of entries whose score, rounded to 0.01,
--              is higher: equal scores share a rank and the next rank
--              skips (1, 2, 2, 4); NULL without a score
--   award      the label of the first award whose `top` is at least the
--              rank ([{label, top}] in order), or NULL
--   votes      public votes
-- Every figure in double precision, so the JSON of a result carries
-- exactly what was computed.
CREATE FUNCTION competition_results(cid bigint)
RETURNS TABLE (entry_id bigint, rank integer, score double precision,
    raw_score double precision, judges integer, criteria jsonb,
    flagged boolean, award text, votes integer)
LANGUAGE sql STABLE AS $$
	WITH c AS (
		SELECT * FROM competitions WHERE id = cid
	), normal AS (
		SELECT n.entry_id, n.judge_id, n.total, n.normalised AS z
		FROM comp_result_normalised(cid) n
	), per_entry AS (
		SELECT n.entry_id, count(*) AS judges, avg(n.total) AS raw,
		    sum(n.total) AS tsum, max(n.total) AS tmax,
		    min(n.total) AS tmin, avg(n.z) AS zmean
		FROM normal n GROUP BY n.entry_id
	), scored AS (
		SELECT e.id AS entry_id, pe.judges, pe.raw,
		    CASE c.method
		    WHEN 'zscore' THEN pe.zmean
		    WHEN 'trimmed' THEN CASE WHEN pe.judges >= 5
			THEN (pe.tsum - pe.tmax - pe.tmin) / (pe.judges - 2)
			ELSE pe.raw END
		    ELSE pe.raw END AS score,
		    coalesce(pe.tmax - pe.tmin > c.discrepancy::float8 + 1e-9,
			false) AS flagged
		FROM comp_entries e CROSS JOIN c
		LEFT JOIN per_entry pe ON pe.entry_id = e.id
		WHERE e.competition_id = cid AND e.status = 'submitted'
	), ranked AS (
		SELECT s.*, CASE WHEN s.score IS NOT NULL THEN
		    (rank() OVER (ORDER BY round(s.score::numeric, 2)
		    DESC NULLS LAST))::integer END AS rank
		FROM scored s
	), crit_means AS (
		SELECT i.entry_id, i.criterion_id, avg(i.score::float8) AS m
		FROM normal t JOIN comp_score_items i
		    ON i.entry_id = t.entry_id AND i.judge_id = t.judge_id
		GROUP BY i.entry_id, i.criterion_id
	), crit AS (
		SELECT s.entry_id, jsonb_agg(jsonb_build_object('id', cr.id,
		    'mean', cm.m) ORDER BY cr.position, cr.id) AS criteria
		FROM scored s JOIN comp_criteria cr ON cr.competition_id = cid
		LEFT JOIN crit_means cm ON cm.entry_id = s.entry_id
		    AND cm.criterion_id = cr.id
		GROUP BY s.entry_id
	), vote_counts AS (
		SELECT v.entry_id, count(*)::integer AS n
		FROM comp_votes v JOIN scored s ON s.entry_id = v.entry_id
		GROUP BY v.entry_id
	)
	SELECT r.entry_id, r.rank, r.score, r.raw,
	    coalesce(r.judges, 0)::integer, coalesce(cr.criteria, '[]'),
	    r.flagged,
	    (SELECT a.value ->> 'label'
		FROM c, jsonb_array_elements(coalesce(c.awards::jsonb, '[]'))
		WITH ORDINALITY a(value, n)
		WHERE r.rank IS NOT NULL
		AND (a.value ->> 'top')::integer >= r.rank
		ORDER BY a.n LIMIT 1),
	    coalesce(vc.n, 0)
	FROM ranked r
	LEFT JOIN crit cr ON cr.entry_id = r.entry_id
	LEFT JOIN vote_counts vc ON vc.entry_id = r.entry_id
	ORDER BY r.rank NULLS LAST, r.entry_id
$$;

-- Certificates: one per awarded entry, issued when the results are
-- published, with the rank and award as they were then.  The code is
-- what /verify/{code} looks up: 12 hexadecimal digits from the server's
-- strong random source (gen_random_uuid), in three groups of four.
CREATE TABLE comp_certificates (
	code		text PRIMARY KEY
			CHECK (code ~ '^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$'),
	entry_id	bigint NOT NULL UNIQUE
			REFERENCES comp_entries (id) ON DELETE CASCADE,
	award		text NOT NULL,
	rank		integer NOT NULL CHECK (rank >= 1),
	issued_at	timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION comp_certificate_code() RETURNS text
LANGUAGE sql VOLATILE
RETURN (SELECT upper(substr(h, 1, 4) || '-' || substr(h, 5, 4) || '-' ||
    substr(h, 9, 4)) FROM (SELECT replace(gen_random_uuid()::text, '-', '')
    AS h) x);

-- Refusals go through board_error (migrations/0005_board.sql): SQLSTATE
-- MSnnn (the HTTP status, app/db.c), a catalog key as message, and the
-- field as detail; a request in the wrong phase names the field 'phase'
-- (app/rq.c answers it 409 wrong_phase).

-- Publish the results of competition cid: staff, in phase review, or in
-- judging with force and a reason (judging then ends: scoring needs
-- phase judging).  Audited ('comp_publish', with the reason and whether
-- it was forced).  The certificates of the awarded entries are issued
-- in the same transaction.  Publishing twice: 409 (DETAIL 'phase').
-- The competition's row is locked, so two staff publishing at once get
-- one success and one refusal.
CREATE FUNCTION comp_publish(cid bigint, actor bigint, force boolean,
    p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	ph	text;
	n	integer;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM users WHERE id = actor
	    AND is_staff_role(role)) THEN
		PERFORM board_error('MS403', 'errors.forbidden', NULL);
	END IF;
	SELECT * INTO c FROM competitions WHERE id = cid FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM board_error('MS404', 'errors.not_found', NULL);
	END IF;
	ph := competition_phase(c);
	IF ph = 'judging' AND NOT force THEN
		PERFORM board_error('MS409',
		    'comp_results.publish_needs_force', 'phase');
	ELSIF ph = 'judging' AND btrim(coalesce(p_reason, '')) = '' THEN
		PERFORM board_error('MS422', 'errors.field.required',
		    'reason');
	ELSIF ph NOT IN ('judging', 'review') THEN
		PERFORM board_error('MS409',
		    CASE WHEN ph = 'results' THEN 'comp_results.published_already'
		    ELSE 'comp_results.publish_too_early' END, 'phase');
	END IF;

	UPDATE competitions SET published_at = now(),
	    publish_reason = nullif(btrim(coalesce(p_reason, '')), ''),
	    updated_at = now()
	WHERE id = cid;
	INSERT INTO comp_certificates (code, entry_id, award, rank)
	SELECT comp_certificate_code(), r.entry_id, r.award, r.rank
	FROM competition_results(cid) r WHERE r.award IS NOT NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO audit_log (actor_id, action, target, reason, details)
	VALUES (actor, 'comp_publish', 'competition ' || cid,
	    nullif(btrim(coalesce(p_reason, '')), ''),
	    jsonb_build_object('competition_id', cid, 'forced', ph = 'judging',
	    'phase', ph, 'certificates', n));
	RETURN json_build_object('competition', json_build_object('id', cid,
	    'url', '/competitions/' || cid, 'phase', 'results',
	    'published_at', rfc3339(now()), 'forced', ph = 'judging',
	    'certificates', n));
END $$;

-- A public vote (yes) or taking it back (not yes) by user uid for entry
-- eid: verified members, phase judging, public_vote on, entries still
-- submitted, never one's own team's entry, at most votes_per_user per
-- competition.  Votes of one user in one competition are serialised by
-- an advisory lock, so the limit holds under concurrent requests.
-- Idempotent: voting twice is one vote; unvoting what was not voted is
-- no change.
CREATE FUNCTION comp_vote(eid bigint, uid bigint, yes boolean)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	e	comp_entries;
	c	competitions;
	n	integer;
BEGIN
	SELECT * INTO e FROM comp_entries WHERE id = eid;
	IF NOT FOUND THEN
		PERFORM board_error('MS404', 'errors.not_found', NULL);
	END IF;
	SELECT * INTO c FROM competitions WHERE id = e.competition_id;
	IF c.announced_at IS NULL OR NOT c.public_vote
	    OR e.status <> 'submitted' THEN
		PERFORM board_error('MS404', 'errors.not_found', NULL);
	END IF;
	IF competition_phase(c) <> 'judging' THEN
		PERFORM board_error('MS409',
		    'comp_results.vote_closed', 'phase');
	END IF;
	IF EXISTS (SELECT 1 FROM comp_entry_members m
	    WHERE m.entry_id = eid AND m.user_id = uid) THEN
		PERFORM board_error('MS403', 'comp_results.vote_own',
		    NULL);
	END IF;
	PERFORM pg_advisory_xact_lock(hashtextextended('comp_vote ' ||
	    c.id || ' ' || uid, 0));
	IF yes THEN
		IF NOT EXISTS (SELECT 1 FROM comp_votes
		    WHERE entry_id = eid AND user_id = uid) THEN
			SELECT count(*) INTO n FROM comp_votes v
			JOIN comp_entries x ON x.id = v.entry_id
			WHERE x.competition_id = c.id AND v.user_id = uid;
			IF n >= c.votes_per_user THEN
				PERFORM board_error('MS409',
				    'comp_results.vote_limit', 'entry');
			END IF;
			INSERT INTO comp_votes (entry_id, user_id)
			VALUES (eid, uid) ON CONFLICT DO NOTHING;
		END IF;
	ELSE
		DELETE FROM comp_votes WHERE entry_id = eid AND user_id = uid;
	END IF;
	SELECT count(*) INTO n FROM comp_votes v
	JOIN comp_entries x ON x.id = v.entry_id
	WHERE x.competition_id = c.id AND v.user_id = uid;
	RETURN json_build_object('vote', json_build_object('entry_id', eid,
	    'url', '/entries/' || eid, 'voted', yes,
	    'votes_used', n, 'votes_left', greatest(c.votes_per_user - n, 0)));
END $$;

-- The entry's title as results show it: the snapshot taken at the close
-- (migrations/0016_competitions.sql), else the project as it is.
CREATE FUNCTION comp_entry_title(e comp_entries) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(e.snapshot ->> 'title',
	    (SELECT p.title FROM projects p WHERE p.id = e.project_id), '')
$$;

-- The team as a list of {username, display_name, url}, submitter first.
CREATE FUNCTION comp_entry_team(e comp_entries) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('username', u.username,
	    'display_name', u.display_name, 'url', '/u/' || u.username)
	    ORDER BY u.id = e.submitted_by DESC, u.username), '[]')
	FROM comp_entry_members m JOIN users u ON u.id = m.user_id
	WHERE m.entry_id = e.id
$$;

-- What GET /entries/{id} adds once results are published (replacing the
-- placeholder of 0016): rank, award and score for everyone who sees the
-- entry; for its team and staff also the feedback: each criterion's
-- mean and every counted review (the judge's total, scores per
-- criterion and comment to the team), never who wrote it, in order of
-- their totals; and the certificate's address when the entry won an
-- award.  During public voting: the viewer's vote.  Before the results
-- everything is NULL (staff follow the results page meanwhile).
CREATE OR REPLACE FUNCTION comp_entry_outcome(eid bigint, uid bigint,
    urole text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
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
		AND e.status = 'submitted'))
$$;

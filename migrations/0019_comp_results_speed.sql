-- 0019: competition results read the scores, not their items (issue 14,
-- Speed; docs/performance.md#competition-results).  The contract of
-- competition_results() (migrations/0017_comp_results.sql, columns,
-- formulas, ranks, flags, awards) is unchanged; 0018 computed it
-- set-based from the 7 items of each of 3,500 scores (21,000 rows read,
-- joined with the criteria and grouped twice).
--
-- Each score row now keeps what the formulas need of its items,
-- maintained by the database in the transaction that writes them (the
-- triggers below: items saved, edited or cleared, a criterion's weight,
-- scale or place changed, a criterion added or removed), so a read can
-- never see figures that disagree with the items:
--
--   total	Σ weight × score / max_score over the score's items whose
--		criterion belongs to the entry's competition (0 without
--		items), summed in the criteria's order (position, id): the
--		judge's total of comp_result_totals()
--   items	the item scores in the criteria's order (position, id), NULL
--		for a criterion not scored: what the per-criterion means are
--		taken from
--
-- A score that never had an item keeps 0 and '{}' (no criterion scored).
--
-- competition_results() then reads one row per counted score (3,500 for
-- 500 entries x 7 judges), still one SQL statement computed by the
-- database.

ALTER TABLE comp_scores
    ADD COLUMN total double precision NOT NULL DEFAULT 0,
    ADD COLUMN items double precision[] NOT NULL DEFAULT '{}';

-- The kept figures of the scores (eids[n], jids[n]) computed again from
-- their items; rows already right are left alone (no new row version, no
-- results version bump).  PL/pgSQL: its plan is kept per connection,
-- and the triggers call it on every write of items.
CREATE FUNCTION comp_score_figures(eids bigint[], jids bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	WITH k AS (
		SELECT DISTINCT x.entry_id, x.judge_id
		FROM unnest(eids, jids) x(entry_id, judge_id)
	), f AS (
		SELECT k.entry_id, k.judge_id,
		    coalesce((SELECT sum(cr.weight::float8 * i.score::float8 /
			cr.max_score::float8 ORDER BY cr.position, cr.id)
			FROM comp_score_items i
			JOIN comp_criteria cr ON cr.id = i.criterion_id
			    AND cr.competition_id = e.competition_id
			WHERE i.entry_id = k.entry_id
			    AND i.judge_id = k.judge_id), 0) AS total,
		    coalesce((SELECT array_agg(i.score::float8
			ORDER BY cr.position, cr.id)
			FROM comp_criteria cr
			LEFT JOIN comp_score_items i ON i.criterion_id = cr.id
			    AND i.entry_id = k.entry_id
			    AND i.judge_id = k.judge_id
			WHERE cr.competition_id = e.competition_id),
			'{}') AS items
		FROM k JOIN comp_entries e ON e.id = k.entry_id
	)
	UPDATE comp_scores s SET total = f.total, items = f.items
	FROM f
	WHERE s.entry_id = f.entry_id AND s.judge_id = f.judge_id
	    AND (s.total IS DISTINCT FROM f.total OR
		s.items IS DISTINCT FROM f.items);
END $$;

-- Items written (any statement, however many rows): their scores'
-- figures again.  Statement triggers with the changed rows, so loading
-- thousands of items updates each score once.
CREATE FUNCTION comp_score_items_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM comp_score_figures(array_agg(n.entry_id),
		    array_agg(n.judge_id)) FROM new_items n;
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM comp_score_figures(array_agg(x.entry_id),
		    array_agg(x.judge_id))
		FROM (SELECT entry_id, judge_id FROM new_items
		    UNION SELECT entry_id, judge_id FROM old_items) x;
	ELSE
		PERFORM comp_score_figures(array_agg(o.entry_id),
		    array_agg(o.judge_id)) FROM old_items o;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER comp_score_items_figures_ins AFTER INSERT ON comp_score_items
REFERENCING NEW TABLE AS new_items
FOR EACH STATEMENT EXECUTE FUNCTION comp_score_items_figures();
CREATE TRIGGER comp_score_items_figures_upd AFTER UPDATE ON comp_score_items
REFERENCING NEW TABLE AS new_items OLD TABLE AS old_items
FOR EACH STATEMENT EXECUTE FUNCTION comp_score_items_figures();
CREATE TRIGGER comp_score_items_figures_del AFTER DELETE ON comp_score_items
REFERENCING OLD TABLE AS old_items
FOR EACH STATEMENT EXECUTE FUNCTION comp_score_items_figures();

-- Criteria changed (weight, scale, order, added or removed: replaced
-- wholesale by comp_criteria_set before judging, or edited by hand): the
-- figures of every score of their competitions.  A removed criterion's
-- items go with it (ON DELETE CASCADE), which the items' trigger sees;
-- this covers the scores whose items did not change.
CREATE FUNCTION comp_criteria_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_score_figures(array_agg(s.entry_id),
	    array_agg(s.judge_id))
	FROM comp_scores s JOIN comp_entries e ON e.id = s.entry_id
	WHERE e.competition_id IN (SELECT competition_id FROM changed);
	RETURN NULL;
END $$;

CREATE TRIGGER comp_criteria_figures_ins AFTER INSERT ON comp_criteria
REFERENCING NEW TABLE AS changed
FOR EACH STATEMENT EXECUTE FUNCTION comp_criteria_figures();
CREATE TRIGGER comp_criteria_figures_upd AFTER UPDATE ON comp_criteria
REFERENCING NEW TABLE AS changed
FOR EACH STATEMENT EXECUTE FUNCTION comp_criteria_figures();
CREATE TRIGGER comp_criteria_figures_del AFTER DELETE ON comp_criteria
REFERENCING OLD TABLE AS changed
FOR EACH STATEMENT EXECUTE FUNCTION comp_criteria_figures();

-- The scores there are.
SELECT comp_score_figures(array_agg(entry_id), array_agg(judge_id))
FROM comp_scores;

-- At most 10 criteria a competition (docs/api.md: criteria 1-10, which
-- comp_criteria_set() enforces): positions 1-10, unique per competition
-- (0016), so competition_results() below can take the criteria's means
-- as ten fixed aggregates over the kept items.
ALTER TABLE comp_criteria ADD CONSTRAINT comp_criteria_position
    CHECK (position BETWEEN 1 AND 10);

-- The judges' totals that count, as in 0017, from the kept totals: the
-- CSV export and an entry's feedback show the same totals the results
-- were computed from.
CREATE OR REPLACE FUNCTION comp_result_totals(cid bigint)
RETURNS TABLE (entry_id bigint, judge_id bigint, total double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.entry_id, s.judge_id, s.total
	FROM comp_entries e
	JOIN comp_scores s ON s.entry_id = e.id AND s.submitted_at IS NOT NULL
	JOIN comp_assignments a ON a.entry_id = s.entry_id
	    AND a.judge_id = s.judge_id AND a.recused_at IS NULL
	WHERE e.competition_id = cid AND e.status = 'submitted'
$$;

-- competition_results() with the contract of 0017 (one row per submitted
-- entry: rank, score, raw_score, judges, criteria, flagged, award,
-- votes), from the counted scores' kept figures:
--
--   k	the counted scores (submitted, assignment standing, entry
--	submitted) with their total and items, one row each;
--   js	each judge's and the overall mean and spread of the totals (one
--	grouping-sets pass, as in 0018);
--   per_entry  one pass over k by entry: the totals' count, mean, sum,
--	extremes, the z-score mean (the overall mean and spread as
--	one-time sub-selects, not a join that copied every row of k), and
--	the mean of each of the (at most 10, see comp_criteria_position)
--	criteria's items;
--   the rank, flags and awards as in 0018, and each entry's criteria
--	[{id, mean}] in the criteria's order (position, id) from those
--	means (the entry's array read once, through a one-row subquery
--	that OFFSET 0 keeps apart: subscripted in place per criterion it
--	cost a fifth of the whole call; the criteria numbered once,
--	MATERIALIZED, not per entry).
--
-- Still one SQL statement, inlined into its callers
-- (app/comp_results.c, comp_publish()).  Sums of doubles are taken in
-- the order the plan reads the rows, as in 0018, whose order was
-- another: on the bench data the z-score scores of 197 of 500 entries
-- differ from 0018's in the last bits (at most 2e-14), far below the
-- 0.01 that ranks are rounded to; every other column is the same, bit
-- for bit (EXCEPT ALL), for every method.
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
		SELECT s.entry_id, s.judge_id, s.total, s.items
		FROM comp_entries x
		JOIN comp_scores s ON s.entry_id = x.id
		    AND s.submitted_at IS NOT NULL
		JOIN comp_assignments a ON a.entry_id = s.entry_id
		    AND a.judge_id = s.judge_id AND a.recused_at IS NULL
		WHERE x.competition_id = cid AND x.status = 'submitted'
	), js AS (
		SELECT k.judge_id, GROUPING(k.judge_id) = 1 AS "all",
		    count(*) AS n, avg(k.total) AS m,
		    coalesce(stddev_pop(k.total), 0) AS s
		FROM k GROUP BY GROUPING SETS ((k.judge_id), ())
	), per_entry AS (
		SELECT k.entry_id, count(*) AS judges, avg(k.total) AS raw,
		    sum(k.total) AS tsum, max(k.total) AS tmax,
		    min(k.total) AS tmin,
		    avg(CASE WHEN c.method <> 'zscore' OR pj.n < 2 OR
			pj.s < 1e-9 THEN k.total
			ELSE (SELECT o.m FROM js o WHERE o."all") +
			(SELECT o.s FROM js o WHERE o."all") *
			(k.total - pj.m) / pj.s END) AS zmean,
		    ARRAY[avg(k.items[1]), avg(k.items[2]), avg(k.items[3]),
			avg(k.items[4]), avg(k.items[5]), avg(k.items[6]),
			avg(k.items[7]), avg(k.items[8]), avg(k.items[9]),
			avg(k.items[10])] AS m
		FROM k
		JOIN js pj ON pj.judge_id = k.judge_id AND NOT pj."all"
		CROSS JOIN c
		GROUP BY k.entry_id
	), scored AS (
		SELECT e.id AS entry_id, pe.judges, pe.raw, pe.m,
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
		SELECT a.value ->> 'label' AS label,
		    (a.value ->> 'top')::integer AS top,
		    coalesce(max((a.value ->> 'top')::integer) OVER (ORDER BY
			a.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
			0) AS lo
		FROM c, jsonb_array_elements(coalesce(c.awards::jsonb, '[]'))
		    WITH ORDINALITY a(value, n)
	), cr AS MATERIALIZED (
		SELECT x.id, row_number() OVER (ORDER BY x.position, x.id) AS n
		FROM comp_criteria x WHERE x.competition_id = cid
	), vote_counts AS (
		SELECT v.entry_id, count(*)::integer AS n
		FROM e JOIN comp_votes v ON v.entry_id = e.id
		GROUP BY v.entry_id
	)
	SELECT r.entry_id, r.rank, r.score, r.raw,
	    coalesce(r.judges, 0)::integer,
	    coalesce((SELECT jsonb_agg(jsonb_build_object('id', cr.id,
		'mean', x.m[cr.n]) ORDER BY cr.n)
		FROM (SELECT r.m OFFSET 0) x, cr), '[]'),
	    r.flagged, aw.label, coalesce(vc.n, 0)
	FROM ranked r
	LEFT JOIN aw ON r.rank > aw.lo AND r.rank <= aw.top
	LEFT JOIN vote_counts vc ON vc.entry_id = r.entry_id
	ORDER BY r.rank NULLS LAST, r.entry_id
$$;

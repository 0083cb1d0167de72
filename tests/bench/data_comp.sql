-- `make bench` data for competitions (issue 14, Speed; never loaded
-- elsewhere), set-based so it loads in seconds:
--
--   'bench published'   results published: 300 entries, 6 judges, 3
--                       judges per entry, 4 criteria, every score
--                       submitted, certificates issued by comp_publish()
--                       (the competition page and the results page)
--   'bench results mean', 'bench results trimmed', 'bench results
--   zscore'             in review (judging over, not published): 500
--                       entries x 7 judges x 6 criteria, every score
--                       submitted (competition_results() by method)
--   'bench judging'     judging now: 40 entries, maker1 assigned to all
--                       of them with 2 other judges each; maker1 has
--                       submitted 15, drafted 5, and 20 to do (/judging
--                       and the scoring form)
--
-- 500 makers cbench_1..500 with a published project each (the entries'
-- projects, one per competition), 7 judges cjudge_1..7.  Entries carry
-- their snapshot as comp_freeze() would have taken it, so no page read
-- has to take it.  Scores are halves in 0..max_score, spread by a
-- per-judge bias so that the z-score method has something to do.
SET TimeZone TO 'Asia/Shanghai';

INSERT INTO users (username, display_name, password_hash, verified_at,
    created_at)
SELECT 'cbench_' || i, '参赛者 ' || i || ' Entrant',
    (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '200 days', now() - interval '200 days'
FROM generate_series(1, 500) i
UNION ALL
SELECT 'cjudge_' || i, '评委 ' || i || ' Judge',
    (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '200 days', now() - interval '200 days'
FROM generate_series(1, 7) i;

INSERT INTO projects (owner_id, title, summary, body, body_html, tags,
    status, published_at, search_tokens)
SELECT u.id, '参赛作品 ' || substr(u.username, 8) || ' Entry',
    '一个用于比赛测速的项目', repeat('正文 text ', 50),
    '<p>' || repeat('正文 text ', 50) || '</p>', ARRAY['bench'],
    'published', now() - interval '100 days', '参 赛 参赛'
FROM users u WHERE u.username LIKE 'cbench\_%';
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, p.owner_id, 'owner'
FROM projects p JOIN users u ON u.id = p.owner_id
WHERE u.username LIKE 'cbench\_%';

-- The competitions: (title, entries, judges per entry, criteria, method,
-- dates relative to now).
CREATE TEMP TABLE bench_comp (title text, n integer, per_entry integer,
    ncrit integer, method text, opens interval, closes interval,
    ends interval);
INSERT INTO bench_comp VALUES
    ('bench published', 300, 3, 4, 'mean', '-60 days', '-30 days',
	'-10 days'),
    ('bench results mean', 500, 7, 6, 'mean', '-40 days', '-20 days',
	'-1 day'),
    ('bench results trimmed', 500, 7, 6, 'trimmed', '-40 days',
	'-20 days', '-1 day'),
    ('bench results zscore', 500, 7, 6, 'zscore', '-40 days', '-20 days',
	'-1 day'),
    ('bench judging', 40, 3, 4, 'mean', '-30 days', '-5 days', '10 days');

INSERT INTO competitions (title, title_en, summary, brief, brief_html,
    opens_at, closes_at, judging_ends_at, judges_per_entry, method,
    discrepancy, awards, announced_at, created_by, created_at, updated_at)
SELECT b.title, b.title || ' (en)', '测速用的比赛 A competition to measure',
    '用于测速。', '<p>用于测速。</p>' || chr(10), now() + b.opens,
    now() + b.closes, now() + b.ends, b.per_entry, b.method, 30,
    '[{"label": "一等奖", "top": 1}, {"label": "二等奖", "top": 3},
	{"label": "优秀奖", "top": 20}]',
    now() + b.opens - interval '10 days',
    (SELECT id FROM users WHERE username = 'staff1'),
    now() + b.opens - interval '10 days', now() + b.opens - interval '10 days'
FROM bench_comp b;

-- Criteria: 6 weighing 20, 20, 15, 15, 15, 15 (max 10, 10, 5, 10, 10,
-- 20), or the first 4 weighing 25 each.
INSERT INTO comp_criteria (competition_id, position, name, description,
    weight, max_score)
SELECT c.id, k, '标准 ' || k || ' Criterion', '第 ' || k || ' 项的说明',
    CASE WHEN b.ncrit = 4 THEN 25 WHEN k <= 2 THEN 20 ELSE 15 END,
    (ARRAY[10, 10, 5, 10, 10, 20])[k]
FROM bench_comp b JOIN competitions c ON c.title = b.title
CROSS JOIN generate_series(1, b.ncrit) k;

-- Entries: the i-th maker's project, for i in 1..n.
INSERT INTO comp_entries (competition_id, project_id, submitted_by,
    statement, statement_html, submitted_at, updated_at, snapshot,
    snapshot_at)
SELECT c.id, p.id, p.owner_id, '我们的作品。', '<p>我们的作品。</p>',
    c.opens_at + interval '1 day', c.opens_at + interval '1 day',
    jsonb_build_object('title', p.title, 'summary', p.summary,
	'body_html', p.body_html, 'photos', '[]'::jsonb), c.closes_at
FROM bench_comp b JOIN competitions c ON c.title = b.title
JOIN users u ON u.username LIKE 'cbench\_%'
    AND substr(u.username, 8)::integer <= b.n
JOIN projects p ON p.owner_id = u.id;
INSERT INTO comp_entry_members (entry_id, user_id)
SELECT e.id, e.submitted_by
FROM comp_entries e JOIN competitions c ON c.id = e.competition_id
WHERE c.title LIKE 'bench %';

-- Judges: cjudge_1..7, and maker1 in 'bench judging'.
INSERT INTO comp_judges (competition_id, user_id)
SELECT c.id, u.id
FROM competitions c JOIN users u ON u.username LIKE 'cjudge\_%'
WHERE c.title LIKE 'bench %' AND (c.title LIKE 'bench results %'
    OR substr(u.username, 8)::integer <= 6)
UNION ALL
SELECT c.id, u.id FROM competitions c, users u
WHERE c.title = 'bench judging' AND u.username = 'maker1';

-- Assignments: every judge for 'bench results *'; judges (k, k+1, k+2)
-- mod 6 for entry k of 'bench published'; maker1 and two of the first
-- six for 'bench judging'.
CREATE TEMP TABLE bench_pair AS
SELECT e.id AS entry_id, j.user_id AS judge_id, c.id AS competition_id,
    c.title, dense_rank() OVER (PARTITION BY c.id ORDER BY e.id) AS en,
    CASE WHEN u.username = 'maker1' THEN 0
	ELSE substr(u.username, 8)::integer END AS jn
FROM competitions c
JOIN comp_entries e ON e.competition_id = c.id
JOIN comp_judges j ON j.competition_id = c.id
JOIN users u ON u.id = j.user_id
WHERE c.title LIKE 'bench %';
DELETE FROM bench_pair WHERE title IN ('bench published', 'bench judging')
    AND NOT (jn = 0 OR ((jn - 1 - en) % 6 + 6) % 6 < CASE
	WHEN title = 'bench judging' THEN 2 ELSE 3 END);
DELETE FROM bench_pair WHERE title = 'bench published' AND jn = 0;

INSERT INTO comp_assignments (entry_id, judge_id, competition_id,
    created_at)
SELECT entry_id, judge_id, competition_id, now() - interval '20 days'
FROM bench_pair;

-- Scores: all submitted, except maker1's in 'bench judging' (15
-- submitted, 5 drafts, 20 to do) and the other judges' there (one in
-- two submitted).
DELETE FROM bench_pair WHERE title = 'bench judging' AND ((jn = 0 AND
    en > 20) OR (jn > 0 AND en % 2 = 0));
INSERT INTO comp_scores (entry_id, judge_id, comment, comment_html,
    submitted_at, updated_at)
SELECT entry_id, judge_id, '做得不错。', '<p>做得不错。</p>' || chr(10),
    CASE WHEN title = 'bench judging' AND jn = 0 AND en > 15 THEN NULL
	ELSE now() - interval '2 days' END, now() - interval '2 days'
FROM bench_pair;
INSERT INTO comp_score_items (entry_id, judge_id, criterion_id, score)
SELECT p.entry_id, p.judge_id, k.id,
    least(k.max_score * 2, greatest(0, floor(((p.entry_id * 7919 +
    k.position * 104729 + p.judge_id * 31) % (k.max_score * 2 + 1))
    * (0.6 + (p.jn % 4) * 0.1)))) / 2.0
FROM bench_pair p JOIN comp_criteria k ON k.competition_id = p.competition_id;

-- Publish the first: through comp_publish(), which issues the
-- certificates; it refuses before the review phase, and 'bench
-- published' is in it.
SELECT comp_publish(c.id, (SELECT id FROM users WHERE username = 'staff1'),
    false, '')
FROM competitions c WHERE c.title = 'bench published';

ANALYZE;

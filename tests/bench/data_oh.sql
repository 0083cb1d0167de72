-- `make bench` data for mentor office hours (issue 13, "Speed and
-- load"; never loaded elsewhere), made by the schema's own functions
-- where they exist (migrations/0014_office_hours.sql):
--
--   ohb_mentor_1..40   mentors, a profile each (window 56 days: 8 weeks),
--                      two weekly rules of 18:00-21:00 in 30-minute
--                      slots (capacity 4 for every fourth mentor, else
--                      1): 3,840 slots made by oh_rule_create
--   ohb_maker_1..1000  makers holding the 5,000 bookings: the soonest
--                      slots full, each with one on its waitlist
--   ohb_race           a mentor with 20 one-off slots of 3 seats, 2 of
--                      them taken: tests/bench/oh_load.mjs has 50 makers
--                      book each last seat at once
--   ohb_racer_1..1000  those makers (50 a round, 20 rounds)
--   ohb_load           a mentor with 12 one-off slots of 50 seats, for
--                      the booking latency figure: ohb_booker_1..600
--                      book one seat each
--
-- Racers and bookers use API tokens (sessions of kind 'token'): the
-- token of racer n is ms_ohbenchr<n, 33 digits>, of booker n
-- ms_ohbenchb<n, 33 digits> (43 characters after ms_); only their
-- SHA-256 is stored, as the server stores them.  Every password is
-- maker1's.  Times are the site zone's (MAKERSPACE_TZ, Asia/Shanghai in
-- the bench).

BEGIN;
SET LOCAL TimeZone = 'Asia/Shanghai';
SET LOCAL jit = off;

INSERT INTO users (username, display_name, password_hash, verified_at,
    role, created_at)
SELECT 'ohb_mentor_' || i, '导师 ' || i || ' Mentor',
    (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '400 days', 'mentor', now() - interval '400 days'
FROM generate_series(1, 40) i
UNION ALL
SELECT x, x, (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '400 days', 'mentor', now() - interval '400 days'
FROM unnest(ARRAY['ohb_race', 'ohb_load']) x
UNION ALL
SELECT 'ohb_' || k || '_' || i, '创客 ' || k || ' ' || i,
    (SELECT password_hash FROM users WHERE username = 'maker1'),
    now() - interval '400 days', 'member', now() - interval '400 days'
FROM (VALUES ('maker', 1000), ('racer', 1000), ('booker', 600)) AS m(k, n),
    generate_series(1, m.n) i;

INSERT INTO sessions (token_hash, user_id, kind, name, csrf)
SELECT encode(sha256(convert_to('ohbench' || left(k, 1) ||
    lpad(substr(u.username, length(k) + 6), 35, '0'), 'UTF8')), 'hex'),
    u.id, 'token', 'bench', 'bench'
FROM users u, (VALUES ('racer'), ('booker')) AS m(k)
WHERE u.username LIKE 'ohb\_' || k || '\_%';

INSERT INTO mentor_profiles (user_id, expertise, bio, bio_html, place,
    notice_hours, window_days, cancel_hours)
SELECT u.id, ARRAY[t[1 + i % 8], t[1 + (i + 3) % 8]],
    '导师 ' || i || '：电子、3D 打印与编程。Electronics and **making**.',
    '<p>导师 ' || i || '：电子、3D 打印与编程。Electronics and ' ||
    '<strong>making</strong>.</p>' || chr(10),
    '创客空间 ' || (i % 4 + 1) || ' 区', 2, 56, 12
FROM generate_series(1, 40) i
JOIN users u ON u.username = 'ohb_mentor_' || i,
    (SELECT ARRAY['arduino', '3d printing', 'electronics', '焊接',
    'python', 'laser cutting', 'sewing', 'robotics'] AS t) tags;

INSERT INTO mentor_profiles (user_id, notice_hours, window_days)
SELECT id, 0, 90 FROM users WHERE username IN ('ohb_race', 'ohb_load');

SELECT count(oh_rule_create(u.id, wd, '18:00', '21:00', 30, 0,
    CASE WHEN i % 4 = 0 THEN 4 ELSE 1 END, NULL, NULL, NULL, NULL))
FROM generate_series(1, 40) i
JOIN users u ON u.username = 'ohb_mentor_' || i,
    LATERAL (VALUES (1 + i % 7), (1 + (i + 3) % 7)) AS w(wd);

-- The race's slots: days 30..49 at 10:00; the load's: days 60..71.
INSERT INTO oh_slots (mentor_id, starts_at, ends_at, capacity, place)
SELECT u.id, oh_local(current_date + d, '10:00'),
    oh_local(current_date + d, '10:30'),
    CASE WHEN u.username = 'ohb_race' THEN 3 ELSE 50 END, 'bench'
FROM users u, LATERAL generate_series(
    CASE WHEN u.username = 'ohb_race' THEN 30 ELSE 60 END,
    CASE WHEN u.username = 'ohb_race' THEN 49 ELSE 71 END) d
WHERE u.username IN ('ohb_race', 'ohb_load');

-- 5,000 bookings: each seat of the soonest slots, then one on its
-- waitlist; makers in turn (never twice in one slot).  Plus the race
-- slots' first two seats.
CREATE TEMP TABLE ohb_maker AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id
FROM users WHERE username LIKE 'ohb\_maker\_%';

INSERT INTO oh_bookings (slot_id, maker_id, question, question_html,
    question_tokens, title, title_tokens, status, seat, created_at)
SELECT c.slot_id, m.id, c.q, '<p>' || c.q || '</p>' || chr(10), '',
    left(c.q, 60), '', CASE WHEN c.seat IS NULL THEN 'waitlisted'
    ELSE 'confirmed' END, c.seat, now() - interval '1 day'
FROM (SELECT s.id AS slot_id, CASE WHEN k <= s.capacity THEN k END AS seat,
	'第 ' || k || ' 个问题：我的项目卡住了，How do I go on? #' || s.id AS q,
	row_number() OVER (ORDER BY s.starts_at, s.id, k) - 1 AS n
    FROM oh_slots s JOIN users u ON u.id = s.mentor_id,
	LATERAL generate_series(1, s.capacity + 1) k
    WHERE u.username LIKE 'ohb\_mentor\_%'
    ORDER BY s.starts_at, s.id, k LIMIT 5000) c
JOIN ohb_maker m ON m.k = c.n % 1000;

INSERT INTO oh_bookings (slot_id, maker_id, question, question_html,
    question_tokens, title, title_tokens, status, seat)
SELECT s.id, m.id, 'A question held for the race.',
    '<p>A question held for the race.</p>' || chr(10), '',
    'A question held for the race.', '', 'confirmed', g.seat
FROM oh_slots s JOIN users u ON u.id = s.mentor_id
    AND u.username = 'ohb_race',
    generate_series(1, 2) g(seat)
JOIN ohb_maker m ON m.k = 999 - g.seat;
COMMIT;

ANALYZE users;
ANALYZE sessions;
ANALYZE mentor_profiles;
ANALYZE oh_rules;
ANALYZE oh_slots;
ANALYZE oh_bookings;

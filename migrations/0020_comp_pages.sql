-- 0020: the competition page, a judge's queue and the scoring form kept
-- per worker (issue 14, Speed; docs/performance.md#competition-pages).
-- app/comp_pages.c keeps what these pages show, rendered from their page
-- statements, under versions that the writing transaction bumps here, and
-- asks a small check statement first that resolves the session too
-- (comp_session), so a page read costs one round trip while nothing
-- moved:
--
--   competitions.page_version: the competition's row, its criteria, its
--   entries (count, titles, statements, snapshots, withdrawals), their
--   teams and the team members' names, and the titles of the projects
--   entered while they are not frozen yet;
--   comp_judge_versions: one judge's own parts, their assignments and
--   recusals, scores and drafts, and their votes (a public vote shows
--   on their scoring form).
--
-- Numbers in rows rather than sequences: a reader sees one move only
-- together with the rows that moved it, so nothing is ever kept under a
-- version newer than its content, and every node reads the same number.
-- What depends on the clock (the phase, the countdown) is kept only until
-- the competition's next date (competition_next_at), which the checks
-- return.

ALTER TABLE competitions ADD COLUMN page_version bigint NOT NULL
    DEFAULT 1;

-- Every change of the row moves its page version (as results_version in
-- migrations/0018_comp_speed.sql).
CREATE FUNCTION competitions_page_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.page_version = OLD.page_version THEN
		NEW.page_version := OLD.page_version + 1;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER competitions_page_bump BEFORE UPDATE ON competitions
FOR EACH ROW EXECUTE FUNCTION competitions_page_bump();

-- Bump competition cid's pages.  The actions that get here (entering,
-- editing an entry, saving criteria) hold the row already (comp_lock);
-- scoring never does, so judges never queue on it.
CREATE FUNCTION comp_pages_bump(cid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE competitions SET page_version = page_version + 1
	WHERE id = cid
$$;

-- The competition of a row of comp_entries, comp_entry_members,
-- comp_criteria, comp_assignments, comp_scores, comp_score_items or
-- comp_votes, as jsonb: its own competition_id, else its entry's.  The
-- one rule of every competition trigger that bumps a version (these
-- pages' and the results', 0018's comp_results_changed).
CREATE FUNCTION comp_row_competition(j jsonb) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce((j ->> 'competition_id')::bigint,
	    (SELECT e.competition_id FROM comp_entries e
	    WHERE e.id = (j ->> 'entry_id')::bigint))
$$;

-- The competitions user uid is on a team of: their name shows there.
CREATE FUNCTION comp_user_competitions(uid bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
	SELECT DISTINCT e.competition_id FROM comp_entry_members m
	JOIN comp_entries e ON e.id = m.entry_id
	WHERE m.user_id = uid
$$;

-- A row of comp_entries, comp_entry_members or comp_criteria changed.
CREATE FUNCTION comp_pages_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_pages_bump(comp_row_competition(CASE
	    WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END));
	RETURN NULL;
END $$;

-- 0018's trigger function for the results, on the same rule.
CREATE OR REPLACE FUNCTION comp_results_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_results_bump(comp_row_competition(CASE
	    WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END));
	RETURN NULL;
END $$;

CREATE TRIGGER comp_entries_pages AFTER INSERT OR UPDATE OR DELETE
ON comp_entries FOR EACH ROW EXECUTE FUNCTION comp_pages_changed();
CREATE TRIGGER comp_entry_members_pages AFTER INSERT OR UPDATE OR DELETE
ON comp_entry_members FOR EACH ROW EXECUTE FUNCTION comp_pages_changed();
CREATE TRIGGER comp_criteria_pages AFTER INSERT OR UPDATE OR DELETE
ON comp_criteria FOR EACH ROW EXECUTE FUNCTION comp_pages_changed();

-- A team member's name shows on the scoring form (not blind).
CREATE FUNCTION comp_pages_user_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_pages_bump(x) FROM comp_user_competitions(NEW.id) x;
	RETURN NULL;
END $$;

-- 0018's, on the same rule.
CREATE OR REPLACE FUNCTION comp_results_user_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_results_bump(x) FROM comp_user_competitions(NEW.id) x;
	RETURN NULL;
END $$;

CREATE TRIGGER users_comp_pages AFTER UPDATE OF username, display_name
ON users FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username OR
    OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION comp_pages_user_changed();

-- An entered project's title shows in the queue until the entry is
-- frozen (then its snapshot's does, and freezing is an entry's UPDATE).
CREATE FUNCTION comp_pages_project_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_pages_bump(x.competition_id)
	FROM (SELECT DISTINCT e.competition_id FROM comp_entries e
	    WHERE e.project_id = NEW.id AND e.status = 'submitted'
	    AND e.snapshot IS NULL) x;
	RETURN NULL;
END $$;

CREATE TRIGGER projects_comp_pages AFTER UPDATE OF title ON projects
FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
EXECUTE FUNCTION comp_pages_project_changed();

-- A judge's own version: their queue and their scoring forms.  A row is
-- made by the first change; no row reads as 0.
CREATE TABLE comp_judge_versions (
	judge_id	bigint PRIMARY KEY REFERENCES users (id)
	    ON DELETE CASCADE,
	version		bigint NOT NULL DEFAULT 1
);

CREATE FUNCTION comp_judge_bump(uid bigint) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO comp_judge_versions AS v (judge_id) VALUES (uid)
	ON CONFLICT (judge_id) DO UPDATE SET version = v.version + 1
$$;

-- A row of comp_assignments, comp_scores, comp_score_items (judge_id)
-- or comp_votes (user_id: the voter's form shows their votes) changed.
CREATE FUNCTION comp_judge_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	j	jsonb;
BEGIN
	IF TG_OP = 'DELETE' THEN
		j := to_jsonb(OLD);
	ELSE
		j := to_jsonb(NEW);
	END IF;
	PERFORM comp_judge_bump(coalesce((j ->> 'judge_id')::bigint,
	    (j ->> 'user_id')::bigint));
	IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> 'judge_id') IS DISTINCT
	    FROM (j ->> 'judge_id') THEN
		PERFORM comp_judge_bump((to_jsonb(OLD) ->> 'judge_id')::bigint);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER comp_assignments_judge AFTER INSERT OR UPDATE OR DELETE
ON comp_assignments FOR EACH ROW EXECUTE FUNCTION comp_judge_changed();
CREATE TRIGGER comp_scores_judge AFTER INSERT OR UPDATE OR DELETE
ON comp_scores FOR EACH ROW EXECUTE FUNCTION comp_judge_changed();
CREATE TRIGGER comp_score_items_judge AFTER INSERT OR UPDATE OR DELETE
ON comp_score_items FOR EACH ROW EXECUTE FUNCTION comp_judge_changed();
CREATE TRIGGER comp_votes_judge AFTER INSERT OR UPDATE OR DELETE
ON comp_votes FOR EACH ROW EXECUTE FUNCTION comp_judge_changed();

-- The viewer of a browser's session cookie (hash: its token's hash), as
-- the guard's session_lookup (assets/sql/account.sql) resolves it for a
-- read: the same fields, the same idle rule, last_seen_at touched at most
-- once a minute; no row for no session.  The competition pages' checks
-- call it so that the session costs no round trip of its own
-- (app/comp_pages.c; API tokens and JSON clients still go through the
-- guard).  PL/pgSQL: its plans are kept per connection.
CREATE FUNCTION comp_session(hash text)
RETURNS TABLE (id bigint, role text, me json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	sid	bigint;
	uid	bigint;
	seen	timestamptz;
	idle	integer;
	req	boolean;
BEGIN
	IF hash IS NULL OR hash = '' THEN
		RETURN;
	END IF;
	SELECT coalesce(max((value #>> '{}')::integer) FILTER
	        (WHERE key = 'session_idle_days'), 30),
	    coalesce(bool_or((value #>> '{}')::boolean) FILTER
	        (WHERE key = 'require_verification'), true)
	INTO idle, req
	FROM site_settings
	WHERE key IN ('session_idle_days', 'require_verification');
	SELECT s.id, s.user_id, s.last_seen_at INTO sid, uid, seen
	FROM sessions s
	WHERE s.token_hash = hash AND s.kind = 'session'
	    AND (s.expires_at IS NULL OR s.expires_at > now())
	    AND s.last_seen_at > now() - make_interval(days => idle);
	IF sid IS NULL THEN
		RETURN;
	END IF;
	IF seen < now() - interval '1 minute' THEN
		UPDATE sessions SET last_seen_at = now() WHERE sessions.id = sid;
	END IF;
	RETURN QUERY
	SELECT u.id, u.role, json_build_object('id', u.id,
	    'username', u.username, 'display_name', u.display_name,
	    'role', u.role, 'verified', u.verified_at IS NOT NULL,
	    'verification_required', req, 'locale', u.locale,
	    'csrf', (SELECT s.csrf FROM sessions s WHERE s.id = sid),
	    'suspended_until', CASE WHEN u.suspended_until > now()
	        THEN rfc3339(u.suspended_until) END,
	    'suspend_reason', CASE WHEN u.suspended_until > now()
	        THEN u.suspend_reason END,
	    'retry_after', 0,
	    'unread', (SELECT count(*) FROM notifications n
	        WHERE n.user_id = u.id AND n.read_at IS NULL))
	FROM users u
	WHERE u.id = uid;
END $$;

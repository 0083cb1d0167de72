-- 0016: creative competitions, the core (issue 14; docs/api.md#competitions):
-- competitions with weighted criteria, entries made from projects and
-- frozen at the close, judges, assignments with conflicts of interest,
-- scores.  The results, votes and certificates build on these tables
-- (0017).  C renders Markdown; every rule that must hold under
-- concurrency is here, one function per action, raising MS4xx errors
-- whose message is a catalog key and whose detail names the field.
--
-- The phase of a competition is never stored: competition_phase()
-- computes it from the dates, announced_at, published_at and the
-- database clock, each date exclusive at its end (an entry made at
-- exactly closes_at is refused).

CREATE TABLE competitions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title		text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
	-- The English title, when it differs (pages in English show it).
	title_en	text CHECK (char_length(title_en) <= 120),
	summary		text NOT NULL DEFAULT ''
	    CHECK (char_length(summary) <= 300),
	brief		text NOT NULL DEFAULT ''
	    CHECK (octet_length(brief) <= 65536),
	brief_html	text NOT NULL DEFAULT '',
	rules		text NOT NULL DEFAULT ''
	    CHECK (octet_length(rules) <= 65536),
	rules_html	text NOT NULL DEFAULT '',
	opens_at	timestamptz NOT NULL,
	closes_at	timestamptz NOT NULL,
	judging_ends_at	timestamptz NOT NULL,
	max_team_size	integer NOT NULL DEFAULT 5
	    CHECK (max_team_size BETWEEN 1 AND 20),
	entries_per_person integer NOT NULL DEFAULT 1
	    CHECK (entries_per_person BETWEEN 1 AND 100),
	judges_per_entry integer NOT NULL DEFAULT 3
	    CHECK (judges_per_entry BETWEEN 1 AND 15),
	blind		boolean NOT NULL DEFAULT false,
	public_vote	boolean NOT NULL DEFAULT false,
	votes_per_user	integer NOT NULL DEFAULT 3
	    CHECK (votes_per_user BETWEEN 1 AND 100),
	method		text NOT NULL DEFAULT 'mean'
	    CHECK (method IN ('mean', 'zscore', 'trimmed')),
	discrepancy	numeric NOT NULL DEFAULT 30
	    CHECK (discrepancy BETWEEN 0 AND 100),
	-- [{label, top}] in order: an entry gets the first whose top is at
	-- least its rank.
	awards		jsonb NOT NULL DEFAULT '[]'
	    CHECK (jsonb_typeof(awards) = 'array'),
	announced_at	timestamptz,		-- NULL: a draft
	published_at	timestamptz,		-- results published
	publish_reason	text,
	created_by	bigint NOT NULL REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (opens_at < closes_at AND closes_at < judging_ends_at)
);
CREATE INDEX competitions_dates ON competitions (opens_at DESC, id DESC);

CREATE TABLE comp_criteria (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	competition_id	bigint NOT NULL REFERENCES competitions (id)
	    ON DELETE CASCADE,
	position	integer NOT NULL,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
	description	text NOT NULL DEFAULT ''
	    CHECK (char_length(description) <= 1000),
	weight		integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
	max_score	integer NOT NULL CHECK (max_score BETWEEN 1 AND 100),
	UNIQUE (competition_id, position)
);

CREATE TABLE comp_entries (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	competition_id	bigint NOT NULL REFERENCES competitions (id)
	    ON DELETE CASCADE,
	-- NULL once the project is deleted (the snapshot, if taken, stays).
	project_id	bigint REFERENCES projects (id) ON DELETE SET NULL,
	submitted_by	bigint NOT NULL REFERENCES users (id),
	statement	text NOT NULL DEFAULT ''
	    CHECK (octet_length(statement) <= 8192),
	statement_html	text NOT NULL DEFAULT '',
	status		text NOT NULL DEFAULT 'submitted'
	    CHECK (status IN ('submitted', 'withdrawn')),
	submitted_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	-- The project as it was at closes_at (comp_freeze()); NULL while
	-- the competition is open, and again when staff move closes_at
	-- later (the entry reopens).
	snapshot	jsonb,
	snapshot_at	timestamptz,
	UNIQUE (id, competition_id)
);
-- One live entry per project and competition: of two simultaneous
-- identical entries exactly one is made.
CREATE UNIQUE INDEX comp_entries_one ON comp_entries (competition_id,
    project_id) WHERE status = 'submitted';
CREATE INDEX comp_entries_project ON comp_entries (project_id)
    WHERE status = 'submitted';

-- The team, the submitter included.
CREATE TABLE comp_entry_members (
	entry_id	bigint NOT NULL REFERENCES comp_entries (id)
	    ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX comp_entry_members_user ON comp_entry_members (user_id);

CREATE TABLE comp_judges (
	competition_id	bigint NOT NULL REFERENCES competitions (id)
	    ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	added_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (competition_id, user_id)
);
CREATE INDEX comp_judges_user ON comp_judges (user_id);

-- A judge assigned to an entry.  Removing the judge removes their
-- assignments and with them their scores.
CREATE TABLE comp_assignments (
	entry_id	bigint NOT NULL,
	judge_id	bigint NOT NULL,
	competition_id	bigint NOT NULL,
	recused_at	timestamptz,
	recuse_reason	text CHECK (char_length(recuse_reason) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (entry_id, judge_id),
	FOREIGN KEY (entry_id, competition_id)
	    REFERENCES comp_entries (id, competition_id) ON DELETE CASCADE,
	FOREIGN KEY (competition_id, judge_id)
	    REFERENCES comp_judges (competition_id, user_id) ON DELETE CASCADE,
	CHECK ((recused_at IS NULL) = (recuse_reason IS NULL))
);
CREATE INDEX comp_assignments_judge ON comp_assignments (judge_id);
CREATE INDEX comp_assignments_competition ON comp_assignments
    (competition_id, judge_id);

-- A judge's scores for an entry: a draft until submitted_at.
CREATE TABLE comp_scores (
	entry_id	bigint NOT NULL,
	judge_id	bigint NOT NULL,
	comment		text NOT NULL DEFAULT ''
	    CHECK (octet_length(comment) <= 8192),
	comment_html	text NOT NULL DEFAULT '',
	note		text NOT NULL DEFAULT ''
	    CHECK (char_length(note) <= 2000),
	submitted_at	timestamptz,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (entry_id, judge_id),
	FOREIGN KEY (entry_id, judge_id)
	    REFERENCES comp_assignments (entry_id, judge_id) ON DELETE CASCADE
);

CREATE TABLE comp_score_items (
	entry_id	bigint NOT NULL,
	judge_id	bigint NOT NULL,
	criterion_id	bigint NOT NULL REFERENCES comp_criteria (id)
	    ON DELETE CASCADE,
	-- Halves only; the range 0..max_score is checked by
	-- comp_score_save() (a CHECK cannot see the criterion).
	score		numeric(5,1) NOT NULL
	    CHECK (score >= 0 AND score * 2 = trunc(score * 2)),
	PRIMARY KEY (entry_id, judge_id, criterion_id),
	FOREIGN KEY (entry_id, judge_id)
	    REFERENCES comp_scores (entry_id, judge_id) ON DELETE CASCADE
);

CREATE TABLE comp_votes (
	entry_id	bigint NOT NULL REFERENCES comp_entries (id)
	    ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX comp_votes_user ON comp_votes (user_id);

-- ------------------------------------------------------------------
-- The phase.

-- The phase of c at time t: draft (not announced), upcoming, open,
-- judging, review (judging over, results not published), results.
-- Each date is exclusive at its end.
CREATE FUNCTION competition_phase_at(c competitions, t timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN c.announced_at IS NULL THEN 'draft'
	WHEN c.published_at IS NOT NULL THEN 'results'
	WHEN t < c.opens_at THEN 'upcoming'
	WHEN t < c.closes_at THEN 'open'
	WHEN t < c.judging_ends_at THEN 'judging'
	ELSE 'review' END;

-- The phase now, by the database clock (the transaction's start).
CREATE FUNCTION competition_phase(c competitions) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN competition_phase_at(c, now());

-- The next date a competition's page counts down to, or NULL.
CREATE FUNCTION competition_next_at(c competitions) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE competition_phase(c)
	WHEN 'upcoming' THEN c.opens_at
	WHEN 'open' THEN c.closes_at
	WHEN 'judging' THEN c.judging_ends_at END;

-- May viewer (uid, role urole) see competition c at all?
CREATE FUNCTION comp_visible(c competitions, urole text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN c.announced_at IS NOT NULL OR coalesce(urole IN ('staff', 'admin'),
    false);

-- A time typed into a form ("2026-11-26T00:00", in the site zone, which
-- is the connection's TimeZone) or sent by a program (RFC 3339 with an
-- offset).  NULL for NULL or ''; MS422 naming field otherwise.
CREATE FUNCTION comp_time(v text, field text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF v IS NULL OR btrim(v) = '' THEN
		RETURN NULL;
	END IF;
	IF v !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$' THEN
		RAISE EXCEPTION USING ERRCODE = 'MS422',
		    MESSAGE = 'comp.errors.bad_time', DETAIL = field;
	END IF;
	RETURN v::timestamptz;
EXCEPTION
	WHEN datetime_field_overflow OR invalid_datetime_format THEN
		RAISE EXCEPTION USING ERRCODE = 'MS422',
		    MESSAGE = 'comp.errors.bad_time', DETAIL = field;
END $$;

-- ------------------------------------------------------------------
-- Entries frozen at the close.

-- The project as an entry shows it: title, summary, write-up and
-- photos.  Nothing in it names the team (the photos are addressed by the
-- hash of their bytes), so a blind competition can show it to judges.
CREATE FUNCTION comp_project_json(pid bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('title', p.title, 'summary', p.summary,
	    'body_html', p.body_html,
	    'photos', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'url', media_url(d), 'thumb_url', media_url(t),
	        'width', ph.width, 'height', ph.height,
	        'caption', ph.caption) ORDER BY ph.id = p.cover_photo_id DESC,
	        ph.position, ph.id), '[]')
	        FROM project_photos ph JOIN media t ON t.id = ph.thumb_id
	        JOIN media d ON d.id = ph.display_id
	        WHERE ph.project_id = p.id))
	FROM projects p
	WHERE p.id = pid
$$;

-- Take the snapshot of every live entry of competition cid whose close
-- has passed and that has none.  Idempotent and safe to race: the
-- UPDATE re-checks "snapshot IS NULL" on the row it waited for, so of
-- two callers one writes and the other skips.  Called by whichever
-- statement first reads an entry after closes_at (the entry page, the
-- judge's queue and form, the staff pages) and by the triggers below
-- before anything changes a project that is in such an entry, so the
-- snapshot is the project as it was at closes_at even when nobody looked
-- in between.  No timer is involved: nothing can miss it.
CREATE FUNCTION comp_freeze(cid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE comp_entries e
	SET snapshot = coalesce(comp_project_json(e.project_id), '{}'),
	    snapshot_at = now()
	FROM competitions c
	WHERE c.id = cid AND e.competition_id = c.id
	    AND e.status = 'submitted' AND e.snapshot IS NULL
	    AND c.closes_at <= now();
$$;

-- The same for the entries of one project (its writes, below).
CREATE FUNCTION comp_freeze_project(pid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE comp_entries e
	SET snapshot = coalesce(comp_project_json(e.project_id), '{}'),
	    snapshot_at = now()
	FROM competitions c
	WHERE e.project_id = pid AND c.id = e.competition_id
	    AND e.status = 'submitted' AND e.snapshot IS NULL
	    AND c.closes_at <= now();
$$;

CREATE FUNCTION comp_project_changing() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	pid	bigint;
BEGIN
	IF TG_TABLE_NAME = 'projects' THEN
		pid := OLD.id;
	ELSIF TG_OP = 'INSERT' THEN
		pid := NEW.project_id;
	ELSE
		pid := OLD.project_id;
	END IF;
	IF EXISTS (SELECT 1 FROM comp_entries e WHERE e.project_id = pid
	    AND e.status = 'submitted' AND e.snapshot IS NULL) THEN
		PERFORM comp_freeze_project(pid);
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER comp_project_changing BEFORE UPDATE OR DELETE ON projects
FOR EACH ROW EXECUTE FUNCTION comp_project_changing();
CREATE TRIGGER comp_project_photos_changing
BEFORE INSERT OR UPDATE OR DELETE ON project_photos
FOR EACH ROW EXECUTE FUNCTION comp_project_changing();

-- ------------------------------------------------------------------
-- Conflicts of interest.

-- Has judge jid a conflict with entry eid?  On its team, a member of its
-- project, or an office-hours booking between the judge and a team
-- member, either way round, in the 180 days before closes_at.  A booking
-- counts when it was confirmed and not marked a no-show, in a slot that
-- was not cancelled: a cancelled or waitlisted booking never met, and
-- counting it would let a team knock out a judge by booking a seat.
CREATE FUNCTION comp_conflict(eid bigint, jid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM comp_entry_members m
	        WHERE m.entry_id = e.id AND m.user_id = jid)
	    OR EXISTS (SELECT 1 FROM project_members pm
	        WHERE pm.project_id = e.project_id AND pm.user_id = jid)
	    OR EXISTS (SELECT 1 FROM comp_entry_members m
	        JOIN oh_bookings b ON true
	        JOIN oh_slots s ON s.id = b.slot_id
	        WHERE m.entry_id = e.id
	        AND ((s.mentor_id = jid AND b.maker_id = m.user_id) OR
	            (s.mentor_id = m.user_id AND b.maker_id = jid))
	        AND b.status = 'confirmed'
	        AND b.attendance IS DISTINCT FROM 'no_show'
	        AND s.cancelled_at IS NULL
	        AND s.starts_at >= c.closes_at - interval '180 days'
	        AND s.starts_at < c.closes_at)
	FROM comp_entries e JOIN competitions c ON c.id = e.competition_id
	WHERE e.id = eid
$$;

-- ------------------------------------------------------------------
-- Rules shared by the actions.

CREATE FUNCTION comp_refuse(code text, key text, field text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = code, MESSAGE = key;
	END IF;
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = key, DETAIL = field;
END $$;

-- The competition for an action, locked; 404 when the actor may not see
-- it, 403 when need = 'staff' and the actor is not.
CREATE FUNCTION comp_lock(cid bigint, uid bigint, need text)
RETURNS competitions
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	r	text;
BEGIN
	SELECT role INTO r FROM users WHERE id = uid;
	SELECT * INTO c FROM competitions WHERE id = cid FOR UPDATE;
	IF c.id IS NULL OR NOT comp_visible(c, r) THEN
		PERFORM comp_refuse('MS404', 'errors.not_found');
	END IF;
	IF need = 'staff' AND NOT is_staff_role(r) THEN
		PERFORM comp_refuse('MS403', 'errors.forbidden');
	END IF;
	RETURN c;
END $$;

-- ------------------------------------------------------------------
-- Competitions: the document, create and edit.

-- The competition as its page and the API show it to viewer uid (0:
-- nobody) with role urole.
CREATE FUNCTION comp_json(cid bigint, uid bigint, urole text) RETURNS json
LANGUAGE sql STABLE AS $$
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
	WHERE c.id = cid AND comp_visible(c, urole)
$$;

-- Check and store the criteria f->'criteria' of competition c (replacing
-- them), unless they are the ones it has.  Fixed once judging started.
CREATE FUNCTION comp_criteria_set(c competitions, crit jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	cur	jsonb;
	k	jsonb;
	n	integer := 0;
	total	integer := 0;
BEGIN
	IF crit IS NULL THEN
		RETURN;
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object('name', name,
	    'description', description, 'weight', weight,
	    'max_score', max_score) ORDER BY position), '[]') INTO cur
	FROM comp_criteria WHERE competition_id = c.id;
	IF cur = crit THEN
		RETURN;
	END IF;
	IF competition_phase(c) IN ('judging', 'review', 'results') THEN
		PERFORM comp_refuse('MS409', 'comp.err.criteria_fixed',
		    'criteria');
	END IF;
	IF jsonb_typeof(crit) <> 'array' OR jsonb_array_length(crit) < 1 OR
	    jsonb_array_length(crit) > 10 THEN
		PERFORM comp_refuse('MS422', 'comp.err.criteria_count',
		    'criteria');
	END IF;
	FOR k IN SELECT * FROM jsonb_array_elements(crit) LOOP
		IF coalesce(char_length(k ->> 'name'), 0) NOT BETWEEN 1 AND 80
		    OR coalesce(char_length(k ->> 'description'), 0) > 1000 THEN
			PERFORM comp_refuse('MS422', 'comp.err.criterion_name',
			    'criteria');
		END IF;
		IF jsonb_typeof(k -> 'weight') <> 'number' OR
		    (k ->> 'weight')::numeric <> trunc((k ->> 'weight')::numeric)
		    OR (k ->> 'weight')::numeric NOT BETWEEN 1 AND 100 THEN
			PERFORM comp_refuse('MS422', 'comp.err.weight',
			    'criteria');
		END IF;
		IF jsonb_typeof(k -> 'max_score') <> 'number' OR
		    (k ->> 'max_score')::numeric <>
		    trunc((k ->> 'max_score')::numeric) OR
		    (k ->> 'max_score')::numeric NOT BETWEEN 1 AND 100 THEN
			PERFORM comp_refuse('MS422', 'comp.err.max_score',
			    'criteria');
		END IF;
		total := total + (k ->> 'weight')::integer;
	END LOOP;
	IF total <> 100 THEN
		PERFORM comp_refuse('MS422', 'comp.err.weights_sum',
		    'criteria');
	END IF;
	DELETE FROM comp_criteria WHERE competition_id = c.id;
	FOR k IN SELECT * FROM jsonb_array_elements(crit) LOOP
		n := n + 1;
		INSERT INTO comp_criteria (competition_id, position, name,
		    description, weight, max_score)
		VALUES (c.id, n, k ->> 'name', coalesce(k ->> 'description', ''),
		    (k ->> 'weight')::integer, (k ->> 'max_score')::integer);
	END LOOP;
END $$;

-- Awards: [{label 1-40 characters, top >= 1}], at most 10, tops rising.
CREATE FUNCTION comp_awards_ok(a jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	x	jsonb;
	prev	numeric := 0;
BEGIN
	IF jsonb_typeof(a) <> 'array' OR jsonb_array_length(a) > 10 THEN
		RETURN false;
	END IF;
	FOR x IN SELECT * FROM jsonb_array_elements(a) LOOP
		IF jsonb_typeof(x) <> 'object' OR
		    coalesce(char_length(x ->> 'label'), 0) NOT BETWEEN 1 AND 40
		    OR jsonb_typeof(x -> 'top') <> 'number' OR
		    (x ->> 'top')::numeric <> trunc((x ->> 'top')::numeric) OR
		    (x ->> 'top')::numeric <= prev OR
		    (x ->> 'top')::numeric > 100000 THEN
			RETURN false;
		END IF;
		prev := (x ->> 'top')::numeric;
	END LOOP;
	RETURN true;
END $$;

-- Create (cid NULL) or edit a competition.  f holds the fields that were
-- sent, as checked by app/comp.c (absent: unchanged; a create needs
-- title, the three dates and criteria): title, title_en, summary, brief,
-- brief_html, rules, rules_html, opens_at, closes_at, judging_ends_at
-- (text, comp_time()), max_team_size, entries_per_person,
-- judges_per_entry, votes_per_user (integers), blind, public_vote
-- (booleans), method, discrepancy (number), awards, criteria (arrays).
-- A move of any date is audited; moving closes_at into the future
-- reopens the entries (their snapshots go, to be taken at the new
-- close).  Criteria and method are fixed once judging started (409).
CREATE FUNCTION comp_save(actor bigint, cid bigint, f jsonb) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	old	competitions;
	o	timestamptz;
	cl	timestamptz;
	j	timestamptz;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM users WHERE id = actor
	    AND is_staff_role(role)) THEN
		PERFORM comp_refuse('MS403', 'errors.forbidden');
	END IF;
	o := comp_time(f ->> 'opens_at', 'opens_at');
	cl := comp_time(f ->> 'closes_at', 'closes_at');
	j := comp_time(f ->> 'judging_ends_at', 'judging_ends_at');
	IF f ? 'awards' AND NOT comp_awards_ok(f -> 'awards') THEN
		PERFORM comp_refuse('MS422', 'comp.err.awards', 'awards');
	END IF;
	IF cid IS NULL THEN
		IF o IS NULL OR cl IS NULL OR j IS NULL THEN
			PERFORM comp_refuse('MS422', 'comp.err.dates_required',
			    CASE WHEN o IS NULL THEN 'opens_at'
			    WHEN cl IS NULL THEN 'closes_at'
			    ELSE 'judging_ends_at' END);
		END IF;
		IF f -> 'criteria' IS NULL THEN
			PERFORM comp_refuse('MS422', 'comp.err.criteria_count',
			    'criteria');
		END IF;
		IF NOT (o < cl AND cl < j) THEN
			PERFORM comp_refuse('MS422', 'comp.err.dates_order',
			    CASE WHEN o >= cl THEN 'closes_at'
			    ELSE 'judging_ends_at' END);
		END IF;
		INSERT INTO competitions (title, title_en, summary, brief,
		    brief_html, rules, rules_html, opens_at, closes_at,
		    judging_ends_at, created_by)
		VALUES (f ->> 'title', nullif(f ->> 'title_en', ''),
		    coalesce(f ->> 'summary', ''), coalesce(f ->> 'brief', ''),
		    coalesce(f ->> 'brief_html', ''),
		    coalesce(f ->> 'rules', ''), coalesce(f ->> 'rules_html', ''),
		    o, cl, j, actor)
		RETURNING * INTO c;
	ELSE
		c := comp_lock(cid, actor, 'staff');
	END IF;
	old := c;
	IF f ? 'method' AND f ->> 'method' <> c.method AND cid IS NOT NULL AND
	    competition_phase(c) IN ('judging', 'review', 'results') THEN
		PERFORM comp_refuse('MS409', 'comp.err.criteria_fixed',
		    'method');
	END IF;
	o := coalesce(o, c.opens_at);
	cl := coalesce(cl, c.closes_at);
	j := coalesce(j, c.judging_ends_at);
	IF NOT (o < cl AND cl < j) THEN
		PERFORM comp_refuse('MS422', 'comp.err.dates_order',
		    CASE WHEN o >= cl THEN 'closes_at'
		    ELSE 'judging_ends_at' END);
	END IF;
	UPDATE competitions SET
	    title = coalesce(f ->> 'title', title),
	    title_en = CASE WHEN f ? 'title_en'
	        THEN nullif(f ->> 'title_en', '') ELSE title_en END,
	    summary = coalesce(f ->> 'summary', summary),
	    brief = coalesce(f ->> 'brief', brief),
	    brief_html = coalesce(f ->> 'brief_html', brief_html),
	    rules = coalesce(f ->> 'rules', rules),
	    rules_html = coalesce(f ->> 'rules_html', rules_html),
	    opens_at = o, closes_at = cl, judging_ends_at = j,
	    max_team_size = coalesce((f ->> 'max_team_size')::integer,
	        max_team_size),
	    entries_per_person = coalesce(
	        (f ->> 'entries_per_person')::integer, entries_per_person),
	    judges_per_entry = coalesce((f ->> 'judges_per_entry')::integer,
	        judges_per_entry),
	    votes_per_user = coalesce((f ->> 'votes_per_user')::integer,
	        votes_per_user),
	    blind = coalesce((f ->> 'blind')::boolean, blind),
	    public_vote = coalesce((f ->> 'public_vote')::boolean, public_vote),
	    method = coalesce(f ->> 'method', method),
	    discrepancy = coalesce((f ->> 'discrepancy')::numeric, discrepancy),
	    awards = coalesce(f -> 'awards', awards),
	    updated_at = now()
	WHERE id = c.id
	RETURNING * INTO c;
	PERFORM comp_criteria_set(c, f -> 'criteria');

	IF cid IS NOT NULL AND (old.opens_at, old.closes_at,
	    old.judging_ends_at) IS DISTINCT FROM (c.opens_at, c.closes_at,
	    c.judging_ends_at) THEN
		INSERT INTO audit_log (actor_id, action, target, details)
		VALUES (actor, 'competition_dates', c.title,
		    jsonb_build_object('competition_id', c.id,
		    'before', jsonb_build_object('opens_at', old.opens_at,
		        'closes_at', old.closes_at,
		        'judging_ends_at', old.judging_ends_at),
		    'after', jsonb_build_object('opens_at', c.opens_at,
		        'closes_at', c.closes_at,
		        'judging_ends_at', c.judging_ends_at)));
		IF c.closes_at > now() THEN
			UPDATE comp_entries SET snapshot = NULL,
			    snapshot_at = NULL
			WHERE competition_id = c.id AND snapshot IS NOT NULL;
		END IF;
	END IF;
	RETURN json_build_object('competition', comp_json(c.id, actor,
	    'staff'));
EXCEPTION
	WHEN check_violation THEN
		RAISE EXCEPTION USING ERRCODE = 'MS422',
		    MESSAGE = 'comp.err.bad_value', DETAIL = 'form';
END $$;

CREATE FUNCTION comp_announce(actor bigint, cid bigint) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
BEGIN
	c := comp_lock(cid, actor, 'staff');
	IF c.announced_at IS NULL THEN
		UPDATE competitions SET announced_at = now(), updated_at = now()
		WHERE id = cid;
		INSERT INTO audit_log (actor_id, action, target, details)
		VALUES (actor, 'competition_announce', c.title,
		    jsonb_build_object('competition_id', c.id));
	END IF;
	RETURN json_build_object('competition', comp_json(cid, actor,
	    'staff'));
END $$;

-- ------------------------------------------------------------------
-- Entries.

-- Check the team (usernames besides the submitter uid) for competition
-- c, leaving out entry eid (an edit) from the counts; the user ids, the
-- submitter first.  Every name must exist and be verified (mentors and
-- staff count as verified), the team fit max_team_size, and nobody be on
-- entries_per_person live entries already.
CREATE FUNCTION comp_team_ids(c competitions, uid bigint, team text[],
    eid bigint) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
	ids	bigint[] := ARRAY[uid];
	u	users;
	n	text;
BEGIN
	FOREACH n IN ARRAY coalesce(team, '{}') LOOP
		n := lower(btrim(regexp_replace(n, '^@', '')));
		CONTINUE WHEN n = '';
		SELECT * INTO u FROM users WHERE lower(username) = n;
		IF u.id IS NULL THEN
			PERFORM comp_refuse('MS422', 'comp.err.team_unknown',
			    'team');
		END IF;
		IF u.verified_at IS NULL AND u.role = 'member' THEN
			PERFORM comp_refuse('MS422', 'comp.err.team_unverified',
			    'team');
		END IF;
		CONTINUE WHEN u.id = ANY (ids);
		ids := ids || u.id;
	END LOOP;
	IF cardinality(ids) > c.max_team_size THEN
		PERFORM comp_refuse('MS422', 'comp.err.team_too_large', 'team');
	END IF;
	IF EXISTS (SELECT 1 FROM comp_entry_members m
	    JOIN comp_entries e ON e.id = m.entry_id
	    WHERE e.competition_id = c.id AND e.status = 'submitted'
	    AND e.id IS DISTINCT FROM eid AND m.user_id = ANY (ids)
	    GROUP BY m.user_id HAVING count(*) >= c.entries_per_person) THEN
		PERFORM comp_refuse('MS409', 'comp.err.entries_limit', 'team');
	END IF;
	RETURN ids;
END $$;

-- Eligibility before submitting (the entry form): for each name, whether
-- it exists, is verified and has an entry left; and the team's size.
CREATE FUNCTION comp_eligibility(cid bigint, uid bigint, team text[])
RETURNS json
LANGUAGE sql STABLE AS $$
	WITH names AS (
		SELECT DISTINCT lower(btrim(regexp_replace(n, '^@', ''))) AS n
		FROM unnest(coalesce(team, '{}')) n
		WHERE btrim(n) <> ''
	), people AS (
		SELECT x.n, u.id, u.username, u.display_name,
		    u.id IS NOT NULL AS exists,
		    u.id IS NOT NULL AND (u.verified_at IS NOT NULL OR
		        u.role <> 'member') AS verified,
		    (SELECT count(*) FROM comp_entry_members m
		        JOIN comp_entries e ON e.id = m.entry_id
		        WHERE e.competition_id = cid AND e.status = 'submitted'
		        AND m.user_id = u.id) AS entries
		FROM (SELECT n FROM names UNION SELECT lower(username)
		    FROM users WHERE id = uid) x
		LEFT JOIN users u ON lower(u.username) = x.n
	)
	SELECT json_build_object(
	    'members', coalesce(json_agg(json_build_object('username',
	        coalesce(p.username, p.n), 'display_name', p.display_name,
	        'exists', p.exists, 'verified', p.verified,
	        'entries_left', greatest(c.entries_per_person - p.entries, 0),
	        'ok', p.exists AND p.verified
	            AND p.entries < c.entries_per_person)
	        ORDER BY coalesce(p.id = uid, false) DESC, p.n), '[]'),
	    'size', count(*), 'max_team_size', c.max_team_size,
	    'size_ok', count(*) <= c.max_team_size,
	    'ok', count(*) <= c.max_team_size AND bool_and(p.exists AND
	        p.verified AND p.entries < c.entries_per_person))
	FROM competitions c, people p
	WHERE c.id = cid
	GROUP BY c.id
$$;

CREATE FUNCTION comp_entry_create(uid bigint, cid bigint, pid bigint,
    team text[], p_statement text, p_html text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	p	projects;
	ids	bigint[];
	eid	bigint;
BEGIN
	c := comp_lock(cid, uid, 'any');
	IF competition_phase(c) <> 'open' THEN
		PERFORM comp_refuse('MS409', 'comp.err.wrong_phase');
	END IF;
	SELECT * INTO p FROM projects WHERE id = pid;
	IF p.id IS NULL OR NOT EXISTS (SELECT 1 FROM project_members m
	    WHERE m.project_id = pid AND m.user_id = uid) THEN
		PERFORM comp_refuse('MS422', 'comp.err.not_your_project',
		    'project_id');
	END IF;
	IF p.status <> 'published' THEN
		PERFORM comp_refuse('MS422', 'comp.err.project_draft',
		    'project_id');
	END IF;
	IF EXISTS (SELECT 1 FROM comp_entries WHERE competition_id = cid
	    AND project_id = pid AND status = 'submitted') THEN
		PERFORM comp_refuse('MS409', 'comp.err.already_entered',
		    'project_id');
	END IF;
	ids := comp_team_ids(c, uid, team, NULL);
	INSERT INTO comp_entries (competition_id, project_id, submitted_by,
	    statement, statement_html)
	VALUES (cid, pid, uid, coalesce(p_statement, ''), coalesce(p_html, ''))
	RETURNING id INTO eid;
	INSERT INTO comp_entry_members (entry_id, user_id)
	SELECT eid, unnest(ids);
	RETURN json_build_object('entry', json_build_object('id', eid,
	    'url', '/entries/' || eid, 'status', 'submitted'));
EXCEPTION
	WHEN unique_violation THEN
		RAISE EXCEPTION USING ERRCODE = 'MS409',
		    MESSAGE = 'comp.err.already_entered', DETAIL = 'project_id';
END $$;

-- The entry eid for a change by its team member uid while it is open.
CREATE FUNCTION comp_entry_lock(uid bigint, eid bigint)
RETURNS competitions
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	cid	bigint;
	r	text;
BEGIN
	SELECT competition_id INTO cid FROM comp_entries WHERE id = eid;
	SELECT role INTO r FROM users WHERE id = uid;
	SELECT * INTO c FROM competitions WHERE id = cid FOR UPDATE;
	IF c.id IS NULL OR NOT EXISTS (SELECT 1 FROM comp_entry_members m
	    WHERE m.entry_id = eid AND m.user_id = uid) THEN
		IF c.id IS NOT NULL AND is_staff_role(r) THEN
			PERFORM comp_refuse('MS403', 'comp.err.team_only');
		END IF;
		PERFORM comp_refuse('MS404', 'errors.not_found');
	END IF;
	IF competition_phase(c) <> 'open' THEN
		PERFORM comp_refuse('MS409', 'comp.err.wrong_phase');
	END IF;
	IF EXISTS (SELECT 1 FROM comp_entries WHERE id = eid
	    AND status <> 'submitted') THEN
		PERFORM comp_refuse('MS409', 'comp.err.withdrawn');
	END IF;
	RETURN c;
END $$;

-- Edit: team (NULL: unchanged) and statement (NULL: unchanged).  The
-- submitter stays on the team.
CREATE FUNCTION comp_entry_update(uid bigint, eid bigint, team text[],
    p_statement text, p_html text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	e	comp_entries;
	ids	bigint[];
BEGIN
	c := comp_entry_lock(uid, eid);
	SELECT * INTO e FROM comp_entries WHERE id = eid;
	IF team IS NOT NULL THEN
		ids := comp_team_ids(c, e.submitted_by, array_append(team,
		    (SELECT username FROM users WHERE id = uid)), eid);
		DELETE FROM comp_entry_members WHERE entry_id = eid
		    AND user_id <> ALL (ids);
		INSERT INTO comp_entry_members (entry_id, user_id)
		SELECT eid, unnest(ids) ON CONFLICT DO NOTHING;
	END IF;
	UPDATE comp_entries SET
	    statement = coalesce(p_statement, statement),
	    statement_html = coalesce(p_html, statement_html),
	    updated_at = now()
	WHERE id = eid;
	RETURN json_build_object('entry', json_build_object('id', eid,
	    'url', '/entries/' || eid, 'status', 'submitted'));
END $$;

CREATE FUNCTION comp_entry_withdraw(uid bigint, eid bigint) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM comp_entry_lock(uid, eid);
	UPDATE comp_entries SET status = 'withdrawn', updated_at = now()
	WHERE id = eid;
	RETURN json_build_object('entry', json_build_object('id', eid,
	    'url', '/entries/' || eid, 'status', 'withdrawn'));
END $$;

-- Rank, award, score and feedback of an entry for viewer uid: all NULL
-- here; migration 0017 (results) replaces this function.
CREATE FUNCTION comp_entry_outcome(eid bigint, uid bigint, urole text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('rank', NULL, 'award', NULL,
	    'score', NULL, 'feedback', NULL)
$$;

-- How viewer uid sees entry eid: 'team', 'staff', 'judge' (assigned and
-- not recused, from judging), 'public' (from judging with public_vote,
-- or once results are published), or NULL (not at all: 404).
CREATE FUNCTION comp_entry_access(eid bigint, uid bigint, urole text)
RETURNS text
LANGUAGE sql STABLE AS $$
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
	WHERE e.id = eid AND comp_visible(c, urole)
$$;

-- The entry document for viewer uid, or NULL when they may not see it.
-- After the close everyone sees the snapshot; a judge of a blind
-- competition sees no team, no submitter and no link to the project.
-- The results (0017) fill rank, award, score and feedback through
-- comp_entry_outcome().  Volatile: it takes the snapshot if due.
CREATE FUNCTION comp_entry_doc(eid bigint, uid bigint, urole text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	e	comp_entries;
	c	competitions;
	acc	text;
	proj	jsonb;
	hide	boolean;
BEGIN
	SELECT * INTO e FROM comp_entries WHERE id = eid;
	IF e.id IS NULL THEN
		RETURN NULL;
	END IF;
	acc := comp_entry_access(eid, uid, urole);
	IF acc IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM comp_freeze(e.competition_id);
	SELECT * INTO e FROM comp_entries WHERE id = eid;
	SELECT * INTO c FROM competitions WHERE id = e.competition_id;
	proj := coalesce(e.snapshot, comp_project_json(e.project_id), '{}');
	hide := c.blind AND acc IN ('judge', 'public')
	    AND competition_phase(c) <> 'results';
	RETURN (jsonb_build_object('id', e.id, 'url', '/entries/' || e.id,
	    'competition', jsonb_build_object('id', c.id,
	        'url', '/competitions/' || c.id, 'title', c.title,
	        'phase', competition_phase(c), 'blind', c.blind,
	        'closes_at', rfc3339(c.closes_at)),
	    'title', proj ->> 'title', 'summary', proj ->> 'summary',
	    'body_html', proj ->> 'body_html',
	    'photos', coalesce(proj -> 'photos', '[]'),
	    'statement_html', e.statement_html,
	    'team', CASE WHEN hide THEN NULL ELSE (SELECT
	        coalesce(jsonb_agg(jsonb_build_object('username', u.username,
	        'display_name', u.display_name, 'url', '/u/' || u.username)
	        ORDER BY u.id = e.submitted_by DESC, u.username), '[]')
	        FROM comp_entry_members m JOIN users u ON u.id = m.user_id
	        WHERE m.entry_id = e.id) END,
	    'project', CASE WHEN hide OR e.project_id IS NULL THEN NULL
	        ELSE jsonb_build_object('id', e.project_id,
	        'url', '/projects/' || e.project_id) END,
	    'status', e.status, 'submitted_at', rfc3339(e.submitted_at),
	    'frozen', e.snapshot IS NOT NULL,
	    'snapshot_at', rfc3339(e.snapshot_at),
	    'access', acc,
	    'can_edit', acc = 'team' AND e.status = 'submitted' AND
	        competition_phase(c) = 'open',
	    'can_score', acc = 'judge' AND competition_phase(c) = 'judging')
	    || comp_entry_outcome(eid, uid, urole))::json;
END $$;

-- ------------------------------------------------------------------
-- Judges and assignments.

-- Add or remove judge p_username ('add', 'remove').  Removing a judge
-- removes their assignments and scores.  Idempotent.
CREATE FUNCTION comp_judge_set(actor bigint, cid bigint, p_username text,
    p_action text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	u	users;
BEGIN
	c := comp_lock(cid, actor, 'staff');
	SELECT * INTO u FROM users
	WHERE lower(username) = lower(btrim(regexp_replace(p_username, '^@',
	    '')));
	IF u.id IS NULL THEN
		PERFORM comp_refuse('MS422', 'comp.err.no_such_user',
		    'username');
	END IF;
	IF competition_phase(c) = 'results' THEN
		PERFORM comp_refuse('MS409', 'comp.err.wrong_phase');
	END IF;
	IF p_action = 'add' THEN
		IF u.verified_at IS NULL AND u.role = 'member' THEN
			PERFORM comp_refuse('MS422', 'comp.err.judge_unverified',
			    'username');
		END IF;
		INSERT INTO comp_judges (competition_id, user_id)
		VALUES (cid, u.id) ON CONFLICT DO NOTHING;
	ELSE
		DELETE FROM comp_judges WHERE competition_id = cid
		    AND user_id = u.id;
	END IF;
	RETURN json_build_object('judge', json_build_object('username',
	    u.username, 'display_name', u.display_name,
	    'judging', p_action = 'add'));
END $$;

-- Assign: with eid and p_username one judge to one entry; else (auto)
-- every live entry gets judges_per_entry judges who are not recused,
-- each time the judge with the fewest assignments in this competition
-- that has no conflict with the entry and is not assigned to it yet
-- (entries with the fewest possible judges first, ties by id).  Entries
-- that cannot get enough judges are named in "short".
CREATE FUNCTION comp_assign(actor bigint, cid bigint, eid bigint,
    p_username text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	competitions;
	u	users;
	e	record;
	jid	bigint;
	need	integer;
	made	integer := 0;
	short	bigint[] := '{}';
BEGIN
	c := comp_lock(cid, actor, 'staff');
	IF competition_phase(c) IN ('draft', 'results') THEN
		PERFORM comp_refuse('MS409', 'comp.err.wrong_phase');
	END IF;
	IF eid IS NOT NULL THEN
		SELECT * INTO u FROM users WHERE lower(username) =
		    lower(btrim(regexp_replace(coalesce(p_username, ''), '^@',
		    '')));
		IF u.id IS NULL OR NOT EXISTS (SELECT 1 FROM comp_judges
		    WHERE competition_id = cid AND user_id = u.id) THEN
			PERFORM comp_refuse('MS422', 'comp.err.not_a_judge',
			    'username');
		END IF;
		IF NOT EXISTS (SELECT 1 FROM comp_entries WHERE id = eid
		    AND competition_id = cid AND status = 'submitted') THEN
			PERFORM comp_refuse('MS422', 'comp.err.no_such_entry',
			    'entry_id');
		END IF;
		IF comp_conflict(eid, u.id) THEN
			PERFORM comp_refuse('MS409', 'comp.err.conflict',
			    'username');
		END IF;
		INSERT INTO comp_assignments (entry_id, judge_id,
		    competition_id)
		VALUES (eid, u.id, cid) ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS made = ROW_COUNT;
		RETURN json_build_object('assigned', made, 'short', '[]'::json);
	END IF;

	CREATE TEMPORARY TABLE IF NOT EXISTS comp_pairs (entry_id bigint,
	    judge_id bigint) ON COMMIT DROP;
	DELETE FROM comp_pairs;
	INSERT INTO comp_pairs
	SELECT x.id, j.user_id
	FROM comp_entries x JOIN comp_judges j ON j.competition_id = cid
	WHERE x.competition_id = cid AND x.status = 'submitted'
	    AND NOT EXISTS (SELECT 1 FROM comp_assignments a
	        WHERE a.entry_id = x.id AND a.judge_id = j.user_id)
	    AND NOT comp_conflict(x.id, j.user_id);

	FOR e IN SELECT x.id, c.judges_per_entry - (SELECT count(*)
	        FROM comp_assignments a WHERE a.entry_id = x.id
	        AND a.recused_at IS NULL) AS need,
	        (SELECT count(*) FROM comp_pairs p WHERE p.entry_id = x.id)
	        AS free
	    FROM comp_entries x
	    WHERE x.competition_id = cid AND x.status = 'submitted'
	    ORDER BY 3, x.id LOOP
		need := e.need;
		WHILE need > 0 LOOP
			SELECT p.judge_id INTO jid FROM comp_pairs p
			WHERE p.entry_id = e.id
			ORDER BY (SELECT count(*) FROM comp_assignments a
			    WHERE a.competition_id = cid
			    AND a.judge_id = p.judge_id
			    AND a.recused_at IS NULL), p.judge_id
			LIMIT 1;
			IF NOT FOUND THEN
				short := short || e.id;
				EXIT;
			END IF;
			INSERT INTO comp_assignments (entry_id, judge_id,
			    competition_id)
			VALUES (e.id, jid, cid);
			DELETE FROM comp_pairs WHERE entry_id = e.id
			    AND judge_id = jid;
			made := made + 1;
			need := need - 1;
		END LOOP;
	END LOOP;
	RETURN json_build_object('assigned', made, 'short', to_json(short));
END $$;

-- A judge steps back from an entry, with a reason staff see.
CREATE FUNCTION comp_recuse(uid bigint, eid bigint, p_reason text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a	comp_assignments;
BEGIN
	SELECT * INTO a FROM comp_assignments
	WHERE entry_id = eid AND judge_id = uid FOR UPDATE;
	IF a.entry_id IS NULL THEN
		PERFORM comp_refuse('MS404', 'errors.not_found');
	END IF;
	IF a.recused_at IS NULL THEN
		UPDATE comp_assignments SET recused_at = now(),
		    recuse_reason = p_reason
		WHERE entry_id = eid AND judge_id = uid;
	END IF;
	RETURN json_build_object('assignment', json_build_object(
	    'entry', json_build_object('id', eid, 'url', '/entries/' || eid),
	    'status', 'recused'));
END $$;

-- A judge's scores for an entry: p_scores {criterion_id: score}, each
-- 0..max_score in halves; with submit every criterion scored.  Only
-- during judging (409 wrong_phase), only its assigned, not recused
-- judge (403), never with a conflict of interest (403).  A save without
-- submit leaves (or makes) a draft.
CREATE FUNCTION comp_score_save(uid bigint, eid bigint, p_scores jsonb,
    p_comment text, p_comment_html text, p_note text, p_submit boolean)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	e	comp_entries;
	c	competitions;
	a	comp_assignments;
	k	record;
	v	text;
	s	numeric;
BEGIN
	SELECT * INTO e FROM comp_entries WHERE id = eid;
	SELECT * INTO c FROM competitions WHERE id = e.competition_id;
	SELECT * INTO a FROM comp_assignments
	WHERE entry_id = eid AND judge_id = uid FOR UPDATE;
	IF e.id IS NULL OR c.announced_at IS NULL OR
	    (a.entry_id IS NULL AND NOT EXISTS (SELECT 1 FROM comp_judges j
	    WHERE j.competition_id = c.id AND j.user_id = uid) AND
	    comp_entry_access(eid, uid,
	    (SELECT role FROM users WHERE id = uid)) IS NULL) THEN
		PERFORM comp_refuse('MS404', 'errors.not_found');
	END IF;
	IF a.entry_id IS NULL OR a.recused_at IS NOT NULL OR
	    e.status <> 'submitted' THEN
		PERFORM comp_refuse('MS403', 'comp.err.not_assigned');
	END IF;
	IF comp_conflict(eid, uid) THEN
		PERFORM comp_refuse('MS403', 'comp.err.conflict');
	END IF;
	IF competition_phase(c) <> 'judging' THEN
		PERFORM comp_refuse('MS409', 'comp.err.wrong_phase');
	END IF;
	IF p_scores IS NOT NULL AND jsonb_typeof(p_scores) <> 'object' THEN
		PERFORM comp_refuse('MS422', 'comp.err.scores', 'scores');
	END IF;
	FOR v IN SELECT jsonb_object_keys(coalesce(p_scores, '{}')) LOOP
		IF v !~ '^[0-9]{1,18}$' OR NOT EXISTS (SELECT 1
		    FROM comp_criteria WHERE id = v::bigint
		    AND competition_id = c.id) THEN
			PERFORM comp_refuse('MS422', 'comp.err.unknown_criterion',
			    'scores');
		END IF;
	END LOOP;
	PERFORM comp_freeze(c.id);
	INSERT INTO comp_scores (entry_id, judge_id)
	VALUES (eid, uid) ON CONFLICT DO NOTHING;
	FOR k IN SELECT * FROM comp_criteria WHERE competition_id = c.id
	    ORDER BY position LOOP
		v := p_scores ->> k.id::text;
		IF v IS NULL OR btrim(v) = '' THEN
			-- Sent empty: cleared; not sent: kept.
			IF p_scores ? k.id::text THEN
				DELETE FROM comp_score_items WHERE entry_id = eid
				    AND judge_id = uid AND criterion_id = k.id;
			END IF;
			CONTINUE;
		END IF;
		IF v !~ '^\s*[0-9]{1,3}(\.[0-9]+)?\s*$' THEN
			PERFORM comp_refuse('MS422', 'comp.err.score_range',
			    'scores[' || k.id || ']');
		END IF;
		s := v::numeric;
		IF s < 0 OR s > k.max_score THEN
			PERFORM comp_refuse('MS422', 'comp.err.score_range',
			    'scores[' || k.id || ']');
		END IF;
		IF s * 2 <> trunc(s * 2) THEN
			PERFORM comp_refuse('MS422', 'comp.err.score_step',
			    'scores[' || k.id || ']');
		END IF;
		INSERT INTO comp_score_items (entry_id, judge_id, criterion_id,
		    score)
		VALUES (eid, uid, k.id, s)
		ON CONFLICT (entry_id, judge_id, criterion_id)
		DO UPDATE SET score = EXCLUDED.score;
	END LOOP;
	IF p_submit AND (SELECT count(*) FROM comp_score_items
	    WHERE entry_id = eid AND judge_id = uid) <
	    (SELECT count(*) FROM comp_criteria WHERE competition_id = c.id)
	    THEN
		PERFORM comp_refuse('MS422', 'comp.err.score_missing', 'scores');
	END IF;
	UPDATE comp_scores SET
	    comment = coalesce(p_comment, comment),
	    comment_html = coalesce(p_comment_html, comment_html),
	    note = coalesce(p_note, note),
	    submitted_at = CASE WHEN p_submit THEN now() END,
	    updated_at = now()
	WHERE entry_id = eid AND judge_id = uid;
	RETURN json_build_object('score', comp_score_json(eid, uid));
END $$;

-- A judge's score for an entry as the form and the API show it.
CREATE FUNCTION comp_score_json(eid bigint, jid bigint) RETURNS json
LANGUAGE sql STABLE AS $$
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
	WHERE a.entry_id = eid AND a.judge_id = jid
$$;

-- The home page's list of open and upcoming competitions changes with
-- any announced competition's write and whenever one of their dates
-- passes: this text changes with both (app/home.c keeps the rendered
-- lists under it).
CREATE FUNCTION comp_home_version() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT left(md5(count(*) || '/' || coalesce(max(updated_at)::text, '')
	    || '/' || coalesce(sum((opens_at <= now())::integer +
	    (closes_at <= now())::integer), 0)), 8)
	FROM competitions
	WHERE announced_at IS NOT NULL AND published_at IS NULL
$$;

-- The home page's list: open competitions, then upcoming ones.
CREATE FUNCTION comp_home_list() RETURNS json
LANGUAGE sql STABLE AS $$
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
	    AND now() < c.closes_at
$$;

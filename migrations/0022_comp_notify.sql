-- Competitions tell the people they concern (docs/competitions.md#notifications):
-- a maker put on a team by someone else, a judge given entries to score,
-- and each team member when the results are published (with the award,
-- if any).  Made by triggers in the writing transaction, like every other
-- notification, so no path that writes can forget one.  data carries the
-- competition's title in both languages; app/notify.c picks the reader's.

-- Team members added by another member (on entry or edit); the
-- submitter is not told about their own entry.  Only rows really
-- inserted reach the transition table (the edit's ON CONFLICT DO
-- NOTHING keeps those already on the team out).
CREATE FUNCTION comp_notify_team() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO notifications (user_id, type, actor_id, url, data)
	SELECT n.user_id, 'comp_team', e.submitted_by, '/entries/' || e.id,
	    jsonb_build_object('title', c.title, 'title_en', c.title_en,
	    'competition_id', c.id)
	FROM new_members n
	JOIN comp_entries e ON e.id = n.entry_id
	JOIN competitions c ON c.id = e.competition_id
	WHERE n.user_id <> e.submitted_by;
	RETURN NULL;
END $$;

CREATE TRIGGER comp_entry_members_notify
AFTER INSERT ON comp_entry_members
REFERENCING NEW TABLE AS new_members
FOR EACH STATEMENT EXECUTE FUNCTION comp_notify_team();

-- One notification per judge and competition for a batch of assignments
-- (automatic assignment inserts hundreds), and none while the judge has
-- an unread one for the same competition.
CREATE FUNCTION comp_notify_assigned() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO notifications (user_id, type, url, data)
	SELECT a.judge_id, 'comp_assigned', '/judging',
	    jsonb_build_object('title', c.title, 'title_en', c.title_en,
	    'competition_id', c.id, 'count', count(*))
	FROM new_assignments a
	JOIN competitions c ON c.id = a.competition_id
	WHERE NOT EXISTS (SELECT 1 FROM notifications n
	    WHERE n.user_id = a.judge_id AND n.type = 'comp_assigned'
	    AND n.read_at IS NULL
	    AND n.data ->> 'competition_id' = c.id::text)
	GROUP BY a.judge_id, c.id, c.title, c.title_en;
	RETURN NULL;
END $$;

CREATE TRIGGER comp_assignments_notify
AFTER INSERT ON comp_assignments
REFERENCING NEW TABLE AS new_assignments
FOR EACH STATEMENT EXECUTE FUNCTION comp_notify_assigned();

-- Publishing: every member of every entry still submitted hears once, at
-- the commit (a deferred constraint trigger: comp_publish() writes the
-- certificates after setting published_at, and the award comes from
-- them).  comp_award links to the certificate, comp_results to the
-- entry with its scores and the judges' comments.
CREATE FUNCTION comp_notify_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO notifications (user_id, type, url, data)
	SELECT m.user_id,
	    CASE WHEN k.award IS NULL THEN 'comp_results' ELSE 'comp_award' END,
	    CASE WHEN k.award IS NULL THEN '/entries/' || e.id
	    ELSE '/entries/' || e.id || '/certificate' END,
	    jsonb_build_object('title', NEW.title, 'title_en', NEW.title_en,
	    'competition_id', NEW.id, 'topic', coalesce(k.award, ''))
	FROM comp_entries e
	JOIN comp_entry_members m ON m.entry_id = e.id
	LEFT JOIN comp_certificates k ON k.entry_id = e.id
	WHERE e.competition_id = NEW.id AND e.status = 'submitted';
	RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER competitions_published_notify
AFTER UPDATE OF published_at ON competitions
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (OLD.published_at IS NULL AND NEW.published_at IS NOT NULL)
EXECUTE FUNCTION comp_notify_published();

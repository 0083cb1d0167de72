-- The home page's check reads one version per list and the clock,
-- nothing else (docs/performance.md#the-home-pages-check-after-office-hours-and-competitions).  Competitions
-- get a listing version, bumped in the writing transaction when what the
-- home list shows of them changes; what changes by the clock alone (the
-- next office hours slot starting, a competition opening or closing) is
-- the instant home_page gives its kept lists to expire
-- (home_lists_expiry), instead of the check computing it on every read.
-- The check's old parts (0018's comp_home_version) stay for callers that
-- still use them.

INSERT INTO listing_versions (name) VALUES ('competitions')
ON CONFLICT (name) DO NOTHING;

CREATE FUNCTION competitions_listing_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE listing_versions SET version = version + 1
	WHERE name = 'competitions';
	RETURN NULL;
END $$;

-- Only the columns the home list shows or selects by; the versions
-- other triggers bump on the competition's row (page_version,
-- results_version) do not touch the home page.
CREATE TRIGGER competitions_listing_bump
AFTER INSERT OR DELETE OR UPDATE OF title, title_en, summary, opens_at,
    closes_at, announced_at, published_at ON competitions
FOR EACH STATEMENT EXECUTE FUNCTION competitions_listing_bump();

-- When the home page's lists next change by the clock alone: the next
-- office hours slot to start (it leaves the list), the next date of a
-- listed competition (it opens, or closes and leaves).  NULL: never.
CREATE FUNCTION home_lists_expiry() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT least(
	    (SELECT min(s.starts_at) FROM oh_slots s
		WHERE s.cancelled_at IS NULL AND s.starts_at > now()),
	    (SELECT min(CASE WHEN c.opens_at > now() THEN c.opens_at
		ELSE c.closes_at END)
		FROM competitions c
		WHERE c.announced_at IS NOT NULL AND c.published_at IS NULL
		AND c.closes_at > now()))
$$;

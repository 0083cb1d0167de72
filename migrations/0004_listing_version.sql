-- A version number for everything a public listing shows.
--
-- Workers keep rendered lists (app/project.c) under the version they
-- were made at; a list statement then reads this one row and, while it
-- matches, builds nothing else.  It is a row rather than a sequence on
-- purpose: a reader sees the new number only together with the rows
-- that caused it (same snapshot), so a list can never be cached under a
-- number newer than its content.  Writers that touch a listed project
-- queue on this row until they commit; project writes are a few a
-- second at most.

CREATE TABLE listing_versions (
	name		text PRIMARY KEY,
	version		bigint NOT NULL DEFAULT 1
);
INSERT INTO listing_versions (name) VALUES ('projects');

CREATE FUNCTION projects_listing_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE listing_versions SET version = version + 1
	WHERE name = 'projects';
	RETURN NULL;
END
$$;

-- Only changes a published list can show: a card, a status, a place.
CREATE TRIGGER projects_listing_update AFTER UPDATE ON projects
FOR EACH ROW WHEN ((OLD.status = 'published' OR NEW.status = 'published')
    AND (OLD.card IS DISTINCT FROM NEW.card
    OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.published_at IS DISTINCT FROM NEW.published_at
    OR OLD.tags IS DISTINCT FROM NEW.tags
    OR OLD.search_tokens IS DISTINCT FROM NEW.search_tokens))
EXECUTE FUNCTION projects_listing_bump();

CREATE TRIGGER projects_listing_delete AFTER DELETE ON projects
FOR EACH ROW WHEN (OLD.status = 'published')
EXECUTE FUNCTION projects_listing_bump();

CREATE TRIGGER projects_listing_insert AFTER INSERT ON projects
FOR EACH ROW WHEN (NEW.status = 'published')
EXECUTE FUNCTION projects_listing_bump();

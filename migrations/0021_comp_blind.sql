-- 0021: blind judging hides the team's names wherever they are written
-- (issue 14, item 3).  comp_entry_doc() of migrations/0016_competitions.sql
-- gives a blind competition's judge (and the public before results) no
-- team and no project link; the team's own words may still name them: a
-- statement, write-up, title, summary or photo caption that says "made by
-- Wang Wei and maker1" in plain text.  The functions below mask every
-- occurrence of each username and display name of the team and of the
-- project's members (also the ones they had before a change,
-- comp_entry_old_names) in the fields such a viewer gets, in one place:
-- comp_entry_view() (the entry page and the scoring form,
-- assets/sql/comp.sql) and comp_mask_text() for the titles of the
-- judge's queue.
--
-- Rules (names are user input, never trusted as a pattern):
--   * A name is matched literally: every ASCII character that is not a
--     letter or digit is escaped, so a name is never a regular expression
--     of its own; a run of white space in it matches any run of white
--     space (a soft line break in Markdown).  Case-insensitive (flag i);
--     CJK names as written.
--   * Names shorter than 2 characters are not masked: "a" or "王" alone
--     would eat every such word or character of the text and leave it
--     unreadable, while saying next to nothing about who made it.
--   * A name that starts (ends) with an ASCII letter or digit is masked
--     only where it is not glued to another ASCII letter or digit:
--     "Li" does not eat the "li" of "light", "maker1" is not found in
--     "maker10"; Chinese text has no spaces, so CJK names need no such
--     edge.
--   * In HTML (body_html, statement_html, made by app/md.c) the name is
--     looked for as HTML escaping writes it (& < > " as entities, ' as
--     itself or &#39;/&#x27;), never inside an entity (&amp; is not the
--     name "amp") and never inside a tag: text between tags becomes the
--     marker <span class="masked">…</span>; inside alt and title values
--     the name becomes a plain "…"; a link or image whose address holds
--     the name, and every link to a profile (/u/...), loses its address
--     (the element stays, its text masked like any other).  In a
--     site-relative address the first segment ("/projects/", "/media/")
--     is the site's, not a name, and /media/<sha256>.png|jpg (photos,
--     addressed by their bytes) never names anyone: a member called
--     "media" or "png" does not break the images.  So a name such as
--     "class", "span" or "lazy" never touches the markup.
--     @mentions become <span class="mention-hidden">@…</span> as before.
-- The pages tell the reader what the marker means
-- (assets/templates/comp_entry.html, comp_score.html).

-- The regular expression (PostgreSQL ARE) that finds name, as written
-- in HTML when html, else as plain text; NULL for a name too short.
CREATE FUNCTION comp_mask_pattern(name text, html boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
	n	text;
	ch	text;
	p	text := '';
	sp	boolean := false;
BEGIN
	n := btrim(name, E' \t\r\n');
	IF char_length(n) < 2 THEN
		RETURN NULL;
	END IF;
	FOREACH ch IN ARRAY regexp_split_to_array(n, '') LOOP
		IF ch ~ '^\s$' THEN
			IF NOT sp THEN
				p := p || '\s+';
			END IF;
			sp := true;
			CONTINUE;
		END IF;
		sp := false;
		IF html AND ch = '&' THEN
			p := p || '&amp;';
		ELSIF html AND ch = '<' THEN
			p := p || '&lt;';
		ELSIF html AND ch = '>' THEN
			p := p || '&gt;';
		ELSIF html AND ch = '"' THEN
			p := p || '&quot;';
		ELSIF html AND ch = '''' THEN
			p := p || '(?:''|&#39;|&#x27;)';
		ELSIF ch ~ '^[A-Za-z0-9]$' OR ascii(ch) > 127 THEN
			p := p || ch;
		ELSE
			p := p || '\' || ch;
		END IF;
	END LOOP;
	IF n ~ '^[A-Za-z0-9]' THEN
		p := '(?<![A-Za-z0-9])' || p;
	END IF;
	IF html THEN
		p := '(?<!&|&#|&#x)' || p;
	END IF;
	IF n ~ '[A-Za-z0-9]$' THEN
		p := p || '(?![A-Za-z0-9])';
	END IF;
	RETURN p;
END $$;

-- A piece of name (lower case, as written in HTML when html) that every
-- occurrence contains: the longest run without white space or '.  A
-- cheap strpos() on the lower-cased text skips the names that are not
-- there before any regular expression runs.  NULL (no shortcut) when it
-- has a non-ASCII letter with case, where lower() and the expression's
-- case folding might not agree.
CREATE FUNCTION comp_mask_probe(name text, html boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
	RETURN (
		SELECT CASE WHEN x.p ~ '[^\x01-\x7f]' AND
		    lower(x.p) <> upper(x.p) THEN NULL ELSE x.p END
		FROM (SELECT (SELECT s FROM regexp_split_to_table(lower(
		    CASE WHEN html THEN replace(replace(replace(replace(name,
		    '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
		    ELSE name END), '[\s'']+') s
		    ORDER BY char_length(s) DESC LIMIT 1) AS p) x);
END $$;

-- The names a member of an entry's team or project had before they
-- changed it, while the entry's results are not published: the text
-- (and the snapshot taken at the close) may still say the old name.
CREATE TABLE comp_entry_old_names (
	entry_id	bigint NOT NULL REFERENCES comp_entries (id)
	    ON DELETE CASCADE,
	name		text NOT NULL,
	PRIMARY KEY (entry_id, name)
);

CREATE FUNCTION comp_user_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO comp_entry_old_names (entry_id, name)
	SELECT DISTINCT e.id, x.n
	FROM (SELECT m.entry_id AS id FROM comp_entry_members m
	    WHERE m.user_id = NEW.id
	    UNION
	    SELECT e.id FROM project_members pm
	    JOIN comp_entries e ON e.project_id = pm.project_id
	    WHERE pm.user_id = NEW.id) e
	JOIN comp_entries ce ON ce.id = e.id
	JOIN competitions c ON c.id = ce.competition_id
	CROSS JOIN LATERAL unnest(ARRAY[OLD.username, OLD.display_name]) x(n)
	WHERE c.published_at IS NULL AND x.n IS NOT NULL
	    AND x.n IS DISTINCT FROM NEW.username
	    AND x.n IS DISTINCT FROM NEW.display_name
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;

CREATE TRIGGER users_comp_renamed AFTER UPDATE OF username, display_name
ON users FOR EACH ROW
WHEN (OLD.username IS DISTINCT FROM NEW.username
    OR OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION comp_user_renamed();

-- The names to mask for entry eid: the usernames and display names of
-- its team and of its project's members, now and before a change.
CREATE FUNCTION comp_mask_names(eid bigint) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(array_agg(n), '{}')
		FROM (SELECT DISTINCT btrim(x, E' \t\r\n') AS n
		    FROM (SELECT u.username, u.display_name
			FROM comp_entry_members m JOIN users u ON u.id = m.user_id
			WHERE m.entry_id = eid
			UNION ALL
			SELECT u.username, u.display_name
			FROM comp_entries e
			JOIN project_members pm ON pm.project_id = e.project_id
			JOIN users u ON u.id = pm.user_id
			WHERE e.id = eid
			UNION ALL
			SELECT o.name, NULL
			FROM comp_entry_old_names o
			WHERE o.entry_id = eid) s
		    CROSS JOIN LATERAL unnest(ARRAY[s.username, s.display_name]) x) y
		WHERE char_length(n) >= 2);
END $$;

-- names, longest first: "Wang Wei" is masked before "Wang" can break it.
CREATE FUNCTION comp_mask_order(names text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(array_agg(x ORDER BY char_length(x) DESC, x), '{}')
		FROM unnest(names) x
		WHERE x IS NOT NULL);
END $$;

-- Plain text t (a title, summary, caption) with every name replaced by
-- "…".
CREATE FUNCTION comp_mask_text(t text, names text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n	text;
	p	text;
	lt	text;
BEGIN
	IF t IS NULL OR names IS NULL THEN
		RETURN t;
	END IF;
	lt := lower(t);
	FOREACH n IN ARRAY comp_mask_order(names) LOOP
		p := comp_mask_pattern(n, false);
		CONTINUE WHEN p IS NULL OR
		    strpos(lt, coalesce(comp_mask_probe(n, false), '')) = 0;
		t := regexp_replace(t, p, '…', 'gi');
	END LOOP;
	RETURN t;
END $$;

-- HTML h (app/md.c's output) with the mentions, the profile links and
-- every name masked as the head of this file says.
CREATE FUNCTION comp_mask_html(h text, names text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n	text;
	p	text;
	lh	text;
BEGIN
	IF h IS NULL THEN
		RETURN h;
	END IF;
	IF strpos(h, '/u/') > 0 THEN
		h := regexp_replace(h,
		    '<a class="mention" href="/u/[^"]*">[^<]*</a>',
		    '<span class="mention-hidden">@…</span>', 'g');
		h := regexp_replace(h,
		    '\s(?:href|src)="(?:[A-Za-z]+:(?://)?[^"/<>]*)?/u/[^"<>]*"',
		    '', 'gi');
	END IF;
	lh := lower(h);
	FOREACH n IN ARRAY comp_mask_order(names) LOOP
		p := comp_mask_pattern(n, true);
		CONTINUE WHEN p IS NULL OR
		    strpos(lh, coalesce(comp_mask_probe(n, true), '')) = 0;
		h := regexp_replace(h, '\s(?:href|src)="' ||
		    '(?!/media/[0-9A-Fa-f]+\.(?:png|jpg)")' ||
		    '(?:(?!/)[^"<>]*|/[^"<>/]*/[^"<>]*)' || p || '[^"<>]*"', '',
		    'gi');
		h := regexp_replace(h,
		    '(?<=\s(?:alt|title)="[^"<>]*)' || p || '(?=[^"<>]*")', '…',
		    'gi');
		h := regexp_replace(h, p || '(?=[^<>]*(?:<|$))',
		    '<span class="masked">…</span>', 'gi');
	END LOOP;
	RETURN h;
END $$;

-- An entry document of comp_entry_doc() as its viewer gets it: the
-- competition's English title added (the pages show the title in the
-- reader's language), and, where the document hides the team (team
-- null in a blind competition), every text field masked and "masked"
-- true.  NULL stays NULL (the viewer may not see the entry).
CREATE FUNCTION comp_entry_view(doc json) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	d	jsonb;
	names	text[];
BEGIN
	IF doc IS NULL THEN
		RETURN NULL;
	END IF;
	d := doc::jsonb;
	d := jsonb_set(d, '{competition,title_en}', coalesce(to_jsonb(
	    (SELECT c.title_en FROM competitions c
	    WHERE c.id = (d #>> '{competition,id}')::bigint)), 'null'));
	IF NOT coalesce((d #>> '{competition,blind}')::boolean, false) OR
	    jsonb_typeof(d -> 'team') IS DISTINCT FROM 'null' THEN
		RETURN d::json;
	END IF;
	names := comp_mask_names((d ->> 'id')::bigint);
	RETURN (d || jsonb_build_object('masked', true,
	    'title', comp_mask_text(d ->> 'title', names),
	    'summary', comp_mask_text(d ->> 'summary', names),
	    'body_html', comp_mask_html(d ->> 'body_html', names),
	    'statement_html', comp_mask_html(d ->> 'statement_html', names),
	    'photos', (SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(x.p)
		= 'object' THEN x.p || jsonb_build_object('caption',
		comp_mask_text(x.p ->> 'caption', names)) ELSE x.p END
		ORDER BY x.i), '[]')
		FROM jsonb_array_elements(coalesce(d -> 'photos', '[]'))
		WITH ORDINALITY x(p, i))))::json;
END $$;

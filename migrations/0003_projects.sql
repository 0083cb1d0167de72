-- 0003: the project showcase: projects, team members, build logs,
-- comments, likes and photos (stored content-addressed in PostgreSQL).

-- Images as served: thumbnails and display sizes, addressed by the
-- SHA-256 of their bytes, so the same bytes are stored once.
CREATE TABLE media (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256		text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	mime		text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
	width		integer NOT NULL CHECK (width > 0),
	height		integer NOT NULL CHECK (height > 0),
	bytes		bytea NOT NULL,
	-- Used by a published project: anyone may fetch it (kept by
	-- triggers below, so /media needs no join in the common case).
	public		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_id	bigint NOT NULL REFERENCES users (id),
	title		text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
	summary		text NOT NULL DEFAULT ''
	    CHECK (char_length(summary) <= 300),
	body		text NOT NULL DEFAULT ''
	    CHECK (octet_length(body) <= 65536),
	body_html	text NOT NULL DEFAULT '',
	license		text NOT NULL DEFAULT 'CC-BY-4.0' CHECK (license IN
	    ('CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-NC-4.0', 'CC-BY-NC-SA-4.0',
	    'CC0-1.0', 'MIT', 'GPL-3.0-or-later', 'all-rights-reserved')),
	status		text NOT NULL DEFAULT 'draft'
	    CHECK (status IN ('draft', 'published')),
	tags		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(tags) <= 8),
	-- Search tokens made in C (app/search.c): words and CJK bigrams.
	search_tokens	text NOT NULL DEFAULT '',
	search_tsv	tsvector GENERATED ALWAYS AS
	    (to_tsvector('simple', search_tokens)) STORED,
	cover_photo_id	bigint,
	like_count	integer NOT NULL DEFAULT 0,
	comment_count	integer NOT NULL DEFAULT 0,
	-- The page and the listing card as JSON text, made by
	-- project_refresh() on every write: reads copy them out instead of
	-- building JSON (and escaping text) on every request.
	doc		text,
	card		text,
	doc_version	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	published_at	timestamptz
);
-- Listings: published, newest first, keyset on (published_at, id).
CREATE INDEX projects_published ON projects (published_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX projects_tags ON projects USING gin (tags);
CREATE INDEX projects_search ON projects USING gin (search_tsv);
CREATE INDEX projects_owner ON projects (owner_id);

-- The team: the owner and the members the owner added.
CREATE TABLE project_members (
	project_id	bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	role		text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('owner', 'member')),
	added_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE project_photos (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	uploader_id	bigint NOT NULL REFERENCES users (id),
	thumb_id	bigint NOT NULL REFERENCES media (id),
	display_id	bigint NOT NULL REFERENCES media (id),
	width		integer NOT NULL,
	height		integer NOT NULL,
	caption		text NOT NULL DEFAULT ''
	    CHECK (char_length(caption) <= 200),
	position	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_photos_project ON project_photos (project_id, position, id);
CREATE INDEX project_photos_thumb ON project_photos (thumb_id);
CREATE INDEX project_photos_display ON project_photos (display_id);
ALTER TABLE projects ADD FOREIGN KEY (cover_photo_id)
    REFERENCES project_photos (id) ON DELETE SET NULL;

-- The build log: dated updates, the project's history.
CREATE TABLE project_logs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES users (id),
	title		text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
	body		text NOT NULL DEFAULT ''
	    CHECK (octet_length(body) <= 65536),
	body_html	text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_logs_project ON project_logs (project_id, id);

CREATE TABLE project_comments (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES users (id),
	body		text NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 65536),
	body_html	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_comments_project ON project_comments (project_id, id);

CREATE TABLE project_likes (
	project_id	bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_likes_user ON project_likes (user_id);

-- May this viewer see the project?  Drafts: its members and staff.
CREATE FUNCTION project_visible(p projects, uid bigint, urole text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN p.status = 'published' OR urole IN ('staff', 'admin') OR
    EXISTS (SELECT 1 FROM project_members m
    WHERE m.project_id = p.id AND m.user_id = uid);

-- A user as lists show them.
CREATE FUNCTION user_brief(u users) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
RETURN json_build_object('id', u.id, 'username', u.username,
    'display_name', u.display_name, 'url', '/u/' || u.username);

CREATE FUNCTION media_url(m media) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '/media/' || m.sha256 || CASE m.mime WHEN 'image/png' THEN '.png'
    ELSE '.jpg' END;

-- The project page as one document, the same for every viewer; stored
-- in projects.doc by project_refresh().
CREATE FUNCTION project_doc(pid bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'id', p.id, 'url', '/projects/' || p.id, 'title', p.title,
	    'summary', p.summary, 'body_html', p.body_html,
	    'status', p.status, 'license', p.license, 'tags', p.tags,
	    'author', (SELECT user_brief(u) FROM users u
	        WHERE u.id = p.owner_id),
	    'members', (SELECT coalesce(json_agg(json_build_object(
	        'id', u.id, 'username', u.username,
	        'display_name', u.display_name, 'url', '/u/' || u.username,
	        'role', m.role) ORDER BY m.role DESC, m.added_at), '[]')
	        FROM project_members m JOIN users u ON u.id = m.user_id
	        WHERE m.project_id = p.id),
	    'photos', (SELECT coalesce(json_agg(json_build_object(
	        'id', ph.id, 'url', media_url(d), 'thumb_url', media_url(t),
	        'width', ph.width, 'height', ph.height,
	        'caption', ph.caption, 'cover', ph.id = p.cover_photo_id)
	        ORDER BY ph.position, ph.id), '[]')
	        FROM project_photos ph JOIN media t ON t.id = ph.thumb_id
	        JOIN media d ON d.id = ph.display_id
	        WHERE ph.project_id = p.id),
	    'cover', (SELECT json_build_object('id', ph.id,
	        'url', media_url(d), 'thumb_url', media_url(t),
	        'width', ph.width, 'height', ph.height)
	        FROM project_photos ph JOIN media t ON t.id = ph.thumb_id
	        JOIN media d ON d.id = ph.display_id
	        WHERE ph.id = p.cover_photo_id),
	    'comment_count', p.comment_count,
	    'comments', (SELECT coalesce(json_agg(json_build_object(
	        'id', c.id, 'author', user_brief(u), 'body_html', c.body_html,
	        'created_at', rfc3339(c.created_at)) ORDER BY c.id), '[]')
	        FROM project_comments c JOIN users u ON u.id = c.author_id
	        WHERE c.project_id = p.id),
	    'logs', (SELECT coalesce(json_agg(json_build_object(
	        'id', l.id, 'title', l.title, 'body_html', l.body_html,
	        'author', user_brief(u), 'created_at', rfc3339(l.created_at))
	        ORDER BY l.id DESC), '[]')
	        FROM project_logs l JOIN users u ON u.id = l.author_id
	        WHERE l.project_id = p.id),
	    'created_at', rfc3339(p.created_at),
	    'updated_at', rfc3339(p.updated_at),
	    'published_at', rfc3339(p.published_at))
	FROM projects p
	WHERE p.id = pid
$$;

-- The listing card of a project; stored in projects.card.
CREATE FUNCTION project_card(pid bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', p.id,
	    'url', '/projects/' || p.id, 'title', p.title,
	    'summary', p.summary, 'tags', p.tags, 'likes', p.like_count,
	    'comments', p.comment_count,
	    'author', json_build_object('username', u.username,
	        'display_name', u.display_name, 'url', '/u/' || u.username),
	    'cover', (SELECT json_build_object('url', media_url(d),
	        'thumb_url', media_url(t), 'width', t.width,
	        'height', t.height)
	        FROM project_photos ph JOIN media t ON t.id = ph.thumb_id
	        JOIN media d ON d.id = ph.display_id
	        WHERE ph.id = p.cover_photo_id),
	    'published_at', rfc3339(p.published_at))
	FROM projects p JOIN users u ON u.id = p.owner_id
	WHERE p.id = pid
$$;

-- Every write that changes what a project shows ends with this.
CREATE FUNCTION project_refresh(pid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE projects SET doc = project_doc(pid)::text,
	    card = left(project_card(pid)::text, -1) || ',"version":' ||
	        (doc_version + 1) || '}',
	    doc_version = doc_version + 1
	WHERE id = pid;
$$;

-- The page for viewer uid (0: nobody) with role urole, in parts: the
-- stored document without its closing brace, its version (workers keep
-- what they rendered of it under that version), and what depends on the
-- viewer or changes too often to be stored (likes) as JSON members.
-- Nothing when the viewer may not see the project.  Set-returning, so
-- inlined into the prepared page statement.
CREATE FUNCTION project_parts(pid bigint, uid bigint, urole text)
RETURNS TABLE (body text, version bigint, viewer text)
LANGUAGE sql STABLE AS $$
	SELECT left(p.doc, -1), p.doc_version,
	    ',"version":' || p.doc_version ||
	    ',"likes":' || p.like_count ||
	    ',"liked":' || EXISTS (SELECT 1 FROM project_likes l
	        WHERE l.project_id = p.id AND l.user_id = uid)::text ||
	    ',"can_edit":' || (urole IN ('staff', 'admin') OR EXISTS (
	        SELECT 1 FROM project_members m WHERE m.project_id = p.id
	        AND m.user_id = uid))::text ||
	    ',"is_owner":' || (p.owner_id = uid)::text
	FROM projects p
	-- project_visible(), written out: a function with a sub-select
	-- would not be inlined.
	WHERE p.id = pid AND (p.status = 'published' OR
	    urole IN ('staff', 'admin') OR EXISTS (SELECT 1
	    FROM project_members m WHERE m.project_id = p.id
	    AND m.user_id = uid))
$$;

-- The whole page document as JSON text, for writes and for the API.
CREATE FUNCTION project_view(pid bigint, uid bigint, urole text)
RETURNS TABLE (doc text)
LANGUAGE sql STABLE AS $$
	SELECT body || viewer || '}' FROM project_parts(pid, uid, urole)
$$;

-- Who may change a project: 'member' (edit, photos, logs), 'owner'
-- (team, delete).  Staff may do both.  Raises the API's refusals.
CREATE FUNCTION project_check(pid bigint, uid bigint, need text)
RETURNS projects
LANGUAGE plpgsql STABLE AS $$
DECLARE
	p	projects;
	r	text;
	m	text;
BEGIN
	SELECT * INTO p FROM projects WHERE id = pid;
	SELECT role INTO r FROM users WHERE id = uid;
	SELECT pm.role INTO m FROM project_members pm
	WHERE pm.project_id = pid AND pm.user_id = uid;
	IF p.id IS NULL OR NOT project_visible(p, uid, r) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	IF r IN ('staff', 'admin') THEN
		RETURN p;
	END IF;
	IF need = 'owner' AND p.owner_id <> uid THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.owner_only';
	END IF;
	IF need = 'member' AND m IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'MS403',
		    MESSAGE = 'errors.members_only';
	END IF;
	RETURN p;
END $$;

CREATE FUNCTION project_create(uid bigint, p_title text, p_summary text,
    p_body text, p_body_html text, p_tags text[], p_license text,
    p_status text, p_tokens text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	pid	bigint;
BEGIN
	INSERT INTO projects (owner_id, title, summary, body, body_html,
	    tags, license, status, search_tokens, published_at)
	VALUES (uid, p_title, coalesce(p_summary, ''), coalesce(p_body, ''),
	    coalesce(p_body_html, ''), coalesce(p_tags, '{}'),
	    coalesce(p_license, 'CC-BY-4.0'), coalesce(p_status, 'draft'),
	    p_tokens, CASE WHEN p_status = 'published' THEN now() END)
	RETURNING id INTO pid;
	INSERT INTO project_members (project_id, user_id, role)
	VALUES (pid, uid, 'owner');
	PERFORM project_refresh(pid);
	RETURN json_build_object('project', (SELECT doc::json FROM
	    project_view(pid, uid, 'member')));
END $$;

-- Edit: NULL arguments leave a field as it is.  The search tokens are
-- recomputed by the caller from the fields it sends (p_tokens NULL: the
-- text did not change).
CREATE FUNCTION project_update(pid bigint, uid bigint, p_title text,
    p_summary text, p_body text, p_body_html text, p_tags text[],
    p_license text, p_status text, p_tokens text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	p	projects;
BEGIN
	p := project_check(pid, uid, 'member');
	UPDATE projects SET
	    title = coalesce(p_title, title),
	    summary = coalesce(p_summary, summary),
	    body = coalesce(p_body, body),
	    body_html = coalesce(p_body_html, body_html),
	    tags = coalesce(p_tags, tags),
	    license = coalesce(p_license, license),
	    status = coalesce(p_status, status),
	    search_tokens = coalesce(p_tokens, search_tokens),
	    published_at = CASE WHEN p_status = 'published'
	        THEN coalesce(published_at, now()) ELSE published_at END,
	    updated_at = now()
	WHERE id = pid;
	PERFORM project_refresh(pid);
	RETURN json_build_object('project', (SELECT doc::json FROM
	    project_view(pid, uid, (SELECT role FROM users WHERE id = uid))));
END $$;

CREATE FUNCTION project_delete(pid bigint, uid bigint) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM project_check(pid, uid, 'owner');
	DELETE FROM projects WHERE id = pid;
	RETURN json_build_object('ok', true, 'id', pid);
END $$;

-- Likes are idempotent: liking twice is one like.
CREATE FUNCTION project_like(pid bigint, uid bigint, yes boolean)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	PERFORM project_check(pid, uid, 'see');
	IF yes THEN
		INSERT INTO project_likes (project_id, user_id)
		VALUES (pid, uid) ON CONFLICT DO NOTHING;
	ELSE
		DELETE FROM project_likes
		WHERE project_id = pid AND user_id = uid;
	END IF;
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE projects SET like_count = like_count +
	    CASE WHEN yes THEN n ELSE -n END
	WHERE id = pid RETURNING like_count INTO n;
	PERFORM project_refresh(pid);
	RETURN json_build_object('liked', yes, 'likes', n);
END $$;

CREATE FUNCTION project_comment(pid bigint, uid bigint, p_body text,
    p_body_html text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	c	project_comments;
BEGIN
	PERFORM project_check(pid, uid, 'see');
	INSERT INTO project_comments (project_id, author_id, body, body_html)
	VALUES (pid, uid, p_body, p_body_html) RETURNING * INTO c;
	UPDATE projects SET comment_count = comment_count + 1 WHERE id = pid;
	PERFORM project_refresh(pid);
	RETURN json_build_object('comment', json_build_object('id', c.id,
	    'author', (SELECT user_brief(u) FROM users u WHERE u.id = uid),
	    'body_html', c.body_html, 'created_at', rfc3339(c.created_at),
	    'url', '/projects/' || pid || '#comment-' || c.id));
END $$;

CREATE FUNCTION project_member_add(pid bigint, uid bigint, p_username text)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	who	bigint;
BEGIN
	PERFORM project_check(pid, uid, 'owner');
	SELECT id INTO who FROM users WHERE lower(username) = lower(p_username);
	IF who IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'MS422',
		    MESSAGE = 'errors.unknown_user', DETAIL = 'username';
	END IF;
	INSERT INTO project_members (project_id, user_id)
	VALUES (pid, who) ON CONFLICT DO NOTHING;
	PERFORM project_refresh(pid);
	RETURN json_build_object('project', (SELECT doc::json FROM
	    project_view(pid, uid, (SELECT role FROM users WHERE id = uid))));
END $$;

CREATE FUNCTION project_member_remove(pid bigint, uid bigint,
    p_username text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	p	projects;
	who	bigint;
BEGIN
	p := project_check(pid, uid, 'owner');
	SELECT id INTO who FROM users WHERE lower(username) = lower(p_username);
	IF who IS NULL OR NOT EXISTS (SELECT 1 FROM project_members
	    WHERE project_id = pid AND user_id = who) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	IF who = p.owner_id THEN
		RAISE EXCEPTION USING ERRCODE = 'MS409',
		    MESSAGE = 'errors.owner_stays', DETAIL = 'username';
	END IF;
	DELETE FROM project_members WHERE project_id = pid AND user_id = who;
	PERFORM project_refresh(pid);
	RETURN json_build_object('project', (SELECT doc::json FROM
	    project_view(pid, uid, (SELECT role FROM users WHERE id = uid))));
END $$;

-- A build log entry; the project's followers (people who liked or
-- commented, but not its team) get one notification each.
CREATE FUNCTION project_log_add(pid bigint, uid bigint, p_title text,
    p_body text, p_body_html text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	p	projects;
	l	project_logs;
BEGIN
	p := project_check(pid, uid, 'member');
	INSERT INTO project_logs (project_id, author_id, title, body,
	    body_html)
	VALUES (pid, uid, p_title, coalesce(p_body, ''),
	    coalesce(p_body_html, ''))
	RETURNING * INTO l;
	UPDATE projects SET updated_at = now() WHERE id = pid;
	PERFORM project_refresh(pid);
	IF p.status = 'published' THEN
		INSERT INTO notifications (user_id, type, actor_id, url, data)
		SELECT f.user_id, 'project_log', uid,
		    '/projects/' || pid || '#log-' || l.id,
		    jsonb_build_object('project', p.title, 'title', l.title)
		FROM (SELECT user_id FROM project_likes WHERE project_id = pid
		    UNION SELECT author_id FROM project_comments
		    WHERE project_id = pid) f
		WHERE NOT EXISTS (SELECT 1 FROM project_members m
		    WHERE m.project_id = pid AND m.user_id = f.user_id);
	END IF;
	RETURN json_build_object('log', json_build_object('id', l.id,
	    'title', l.title, 'body_html', l.body_html,
	    'author', (SELECT user_brief(u) FROM users u WHERE u.id = uid),
	    'created_at', rfc3339(l.created_at),
	    'url', '/projects/' || pid || '#log-' || l.id));
END $$;

-- Keyset cursor of a listing: publication time (microseconds) and id.
CREATE FUNCTION project_cursor(t timestamptz, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (extract(epoch FROM t) * 1000000)::bigint || '.' || id;

-- A user's new display name shows on every project they appear in.
CREATE FUNCTION project_refresh_user(uid bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT project_refresh(x.id) FROM (
		SELECT project_id AS id FROM project_members WHERE user_id = uid
		UNION SELECT project_id FROM project_comments
		WHERE author_id = uid
	) x;
$$;

-- Before decoding an upload: may uid add photos to pid?
CREATE FUNCTION project_photo_check(pid bigint, uid bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM project_check(pid, uid, 'member');
	RETURN json_build_object('ok', true);
END $$;

-- Store one variant, content-addressed: the same bytes are kept once.
CREATE FUNCTION media_put(p_sha text, p_mime text, p_w integer,
    p_h integer, p_bytes bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	mid	bigint;
BEGIN
	INSERT INTO media (sha256, mime, width, height, bytes)
	VALUES (p_sha, p_mime, p_w, p_h, p_bytes)
	ON CONFLICT (sha256) DO NOTHING
	RETURNING id INTO mid;
	IF mid IS NULL THEN
		SELECT id INTO mid FROM media WHERE sha256 = p_sha;
	END IF;
	RETURN mid;
END $$;

CREATE FUNCTION project_photo_json(ph project_photos) RETURNS json
LANGUAGE sql STABLE
RETURN (SELECT json_build_object('id', ph.id, 'url', media_url(d),
    'thumb_url', media_url(t), 'width', ph.width, 'height', ph.height,
    'caption', ph.caption, 'position', ph.position)
    FROM media t, media d WHERE t.id = ph.thumb_id AND d.id = ph.display_id);

CREATE FUNCTION project_photo_add(pid bigint, uid bigint,
    t_sha text, t_mime text, t_w integer, t_h integer, t_bytes bytea,
    d_sha text, d_mime text, d_w integer, d_h integer, d_bytes bytea,
    p_w integer, p_h integer, p_caption text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	ph	project_photos;
BEGIN
	PERFORM project_check(pid, uid, 'member');
	INSERT INTO project_photos (project_id, uploader_id, thumb_id,
	    display_id, width, height, caption, position)
	VALUES (pid, uid, media_put(t_sha, t_mime, t_w, t_h, t_bytes),
	    media_put(d_sha, d_mime, d_w, d_h, d_bytes), p_w, p_h,
	    coalesce(p_caption, ''), coalesce((SELECT max(position) + 1
	    FROM project_photos WHERE project_id = pid), 0))
	RETURNING * INTO ph;
	-- The first photo is the cover until someone chooses another.
	UPDATE projects SET cover_photo_id = ph.id, updated_at = now()
	WHERE id = pid AND cover_photo_id IS NULL;
	PERFORM project_refresh(pid);
	RETURN json_build_object('photo', project_photo_json(ph));
END $$;

CREATE FUNCTION project_photo_update(pid bigint, uid bigint, phid bigint,
    p_caption text, p_position integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	ph	project_photos;
BEGIN
	PERFORM project_check(pid, uid, 'member');
	UPDATE project_photos SET caption = coalesce(p_caption, caption),
	    position = coalesce(p_position, position)
	WHERE id = phid AND project_id = pid
	RETURNING * INTO ph;
	IF ph.id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	PERFORM project_refresh(pid);
	RETURN json_build_object('photo', project_photo_json(ph));
END $$;

CREATE FUNCTION project_photo_delete(pid bigint, uid bigint, phid bigint)
RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM project_check(pid, uid, 'member');
	DELETE FROM project_photos WHERE id = phid AND project_id = pid;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'MS404',
		    MESSAGE = 'errors.not_found';
	END IF;
	-- The cover falls back to the first remaining photo.
	UPDATE projects SET cover_photo_id = (SELECT id FROM project_photos
	    WHERE project_id = pid ORDER BY position, id LIMIT 1)
	WHERE id = pid AND cover_photo_id IS NULL;
	PERFORM project_refresh(pid);
	RETURN json_build_object('ok', true, 'id', phid);
END $$;

CREATE FUNCTION project_cover_set(pid bigint, uid bigint, phid bigint)
RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM project_check(pid, uid, 'member');
	IF NOT EXISTS (SELECT 1 FROM project_photos WHERE id = phid AND
	    project_id = pid) THEN
		RAISE EXCEPTION USING ERRCODE = 'MS422',
		    MESSAGE = 'errors.not_this_project', DETAIL = 'photo_id';
	END IF;
	UPDATE projects SET cover_photo_id = phid, updated_at = now()
	WHERE id = pid;
	PERFORM project_refresh(pid);
	RETURN json_build_object('project', (SELECT doc::json FROM
	    project_view(pid, uid, (SELECT role FROM users WHERE id = uid))));
END $$;

-- However a display name changes, the stored project documents follow.
CREATE FUNCTION users_name_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM project_refresh_user(NEW.id);
	RETURN NULL;
END $$;

CREATE TRIGGER users_name_changed AFTER UPDATE OF display_name ON users
FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION users_name_changed();


-- media.public follows the projects that use an image.
CREATE FUNCTION media_public_refresh(mid bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE media m SET public = EXISTS (SELECT 1 FROM project_photos ph
	    JOIN projects p ON p.id = ph.project_id
	    WHERE (ph.thumb_id = mid OR ph.display_id = mid)
	    AND p.status = 'published')
	WHERE m.id = mid;
$$;

CREATE FUNCTION project_photos_media() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r	project_photos;
BEGIN
	r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
	PERFORM media_public_refresh(r.thumb_id);
	PERFORM media_public_refresh(r.display_id);
	RETURN NULL;
END $$;

CREATE TRIGGER project_photos_media
AFTER INSERT OR DELETE ON project_photos
FOR EACH ROW EXECUTE FUNCTION project_photos_media();

CREATE FUNCTION projects_status_media() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM media_public_refresh(x.mid) FROM (
		SELECT thumb_id AS mid FROM project_photos
		WHERE project_id = NEW.id
		UNION SELECT display_id FROM project_photos
		WHERE project_id = NEW.id
	) x;
	RETURN NULL;
END $$;

CREATE TRIGGER projects_status_media AFTER UPDATE OF status ON projects
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION projects_status_media();

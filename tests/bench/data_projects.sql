-- `make bench` data for the project pages (never loaded elsewhere):
-- 400 published projects by maker1 with a cover each, and project
-- "bench showcase" with 12 photos, 30 comments and 5 build log entries.
-- Image bytes are filler of a realistic size (20 KB thumbs, 150 KB
-- display); /media does not look inside them.
DO $$
DECLARE
	owner	bigint := (SELECT id FROM users WHERE username = 'maker1');
	other	bigint := (SELECT id FROM users WHERE username = 'maker2');
	pid	bigint;
	t	bigint;
	d	bigint;
	ph	bigint;
	i	integer;
	j	integer;
BEGIN
	FOR i IN 1..401 LOOP
		INSERT INTO projects (owner_id, title, summary, body, body_html,
		    tags, status, published_at, search_tokens)
		VALUES (owner, CASE WHEN i = 401 THEN 'bench showcase'
		    ELSE '基准项目 ' || i END, '一个用于测速的项目 ' || i,
		    repeat('正文 text ', 200), '<p>' || repeat('正文 text ', 200)
		    || '</p>', ARRAY['bench', '测试'], 'published',
		    now() - (401 - i) * interval '1 minute', '基 准 基准 项 目 项目')
		RETURNING id INTO pid;
		INSERT INTO project_members (project_id, user_id, role)
		VALUES (pid, owner, 'owner');
		FOR j IN 1..(CASE WHEN i = 401 THEN 12 ELSE 1 END) LOOP
			INSERT INTO media (sha256, mime, width, height, bytes)
			VALUES (encode(sha256(('t' || i || '.' || j)::bytea), 'hex'),
			    'image/jpeg', 400, 300,
			    decode(repeat('ab', 20000), 'hex'))
			RETURNING id INTO t;
			INSERT INTO media (sha256, mime, width, height, bytes)
			VALUES (encode(sha256(('d' || i || '.' || j)::bytea), 'hex'),
			    'image/jpeg', 1600, 1200,
			    decode(repeat('cd', 150000), 'hex'))
			RETURNING id INTO d;
			INSERT INTO project_photos (project_id, uploader_id,
			    thumb_id, display_id, width, height, caption, position)
			VALUES (pid, owner, t, d, 4000, 3000, '照片 ' || j, j)
			RETURNING id INTO ph;
			IF j = 1 THEN
				UPDATE projects SET cover_photo_id = ph
				WHERE id = pid;
			END IF;
		END LOOP;
	END LOOP;
	FOR j IN 1..30 LOOP
		INSERT INTO project_comments (project_id, author_id, body,
		    body_html)
		VALUES (pid, other, '评论 ' || j, '<p>评论 <strong>' || j ||
		    '</strong> 做得很好，请问用的什么材料？</p>');
	END LOOP;
	UPDATE projects SET comment_count = 30 WHERE id = pid;
	FOR j IN 1..5 LOOP
		INSERT INTO project_logs (project_id, author_id, title, body,
		    body_html)
		VALUES (pid, owner, '第 ' || j || ' 天', 'x',
		    '<p>今天完成了第 ' || j || ' 步。</p>');
	END LOOP;
END $$;
SELECT count(*) FROM (SELECT project_refresh(id) FROM projects) x;
ANALYZE;

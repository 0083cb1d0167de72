-- Statements of notify.c.

-- name: notifications_page
-- $1 user id: the newest 50 notifications and the unread count.
SELECT json_build_object('notifications', coalesce((SELECT json_agg(
    json_build_object('id', n.id, 'type', n.type, 'url', n.url,
    'read', n.read_at IS NOT NULL, 'created_at', rfc3339(n.created_at),
    'actor', (SELECT user_brief(u) FROM users u WHERE u.id = n.actor_id),
    'data', n.data) ORDER BY n.id DESC)
    FROM (SELECT * FROM notifications WHERE user_id = $1::bigint
    ORDER BY id DESC LIMIT 50) n), '[]'),
    'unread', (SELECT count(*) FROM notifications
        WHERE user_id = $1::bigint AND read_at IS NULL))

-- name: notifications_read
-- $1 user id, $2 JSON array of ids or NULL for all.
WITH done AS (
	UPDATE notifications SET read_at = now()
	WHERE user_id = $1::bigint AND read_at IS NULL
	    AND ($2::jsonb IS NULL OR id IN (SELECT e::bigint
	    FROM jsonb_array_elements_text($2::jsonb) e))
	RETURNING id
)
SELECT json_build_object('marked', (SELECT count(*) FROM done),
    'unread', (SELECT count(*) FROM notifications
        WHERE user_id = $1::bigint AND read_at IS NULL) -
        (SELECT count(*) FROM done))

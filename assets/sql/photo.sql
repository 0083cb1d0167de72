-- Statements of photo.c (docs/api.md#projects): project photos and the
-- board's uploads (checked before decoding, stored after), and /media.
-- Writes call the functions of the migrations, which check the rules.

-- name: project_photo_check
-- Before an upload is decoded: may $2 add photos to project $1?  Then the
-- attempt counts against the user's uploads per hour, whatever becomes
-- of it (column 2: seconds to wait, 0 within the limit); app/photo.c.
-- Its own key: board_upload_add() counts stored board uploads apart.
SELECT project_photo_check($1, $2),
    rate_hit('upload_try:' || $2, 3600,
    setting_int('uploads_per_user_hour', 60))

-- name: project_photo_add
SELECT project_photo_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
    $12, $13, $14, $15)

-- name: project_photo_update
SELECT project_photo_update($1, $2, $3, $4, $5)

-- name: project_photo_delete
SELECT project_photo_delete($1, $2, $3)

-- name: project_cover_set
SELECT project_cover_set($1, $2, $3)

-- name: upload_allowed
-- POST /uploads: the guard has checked the account.  Before decoding,
-- the attempt counts against $1's uploads per hour, whatever becomes of
-- it (column 2: seconds to wait, 0 within the limit); app/photo.c.
SELECT '{}', rate_hit('upload_try:' || $1, 3600,
    setting_int('uploads_per_user_hour', 60))

-- name: upload_add
SELECT board_upload_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
    $13)

-- name: media_get
-- GET /media/{sha256}.{ext}: the bytes (binary result) and whether they
-- may be cached publicly.  Images of published projects need no more
-- (media.public, kept by triggers); others only for their project's team
-- and staff.  $1 sha256, $2 mime, $3 session hash, $4 true when this
-- worker holds the bytes already: then only the permission is checked
-- and the bytes come back empty (app/photo.c).
SELECT CASE WHEN $4::boolean THEN ''::bytea ELSE m.bytes END,
    CASE WHEN m.public THEN 'public' ELSE 'private' END
FROM media m
WHERE m.sha256 = $1::text AND m.mime = $2::text
    AND (m.public OR EXISTS (
	SELECT 1 FROM project_photos ph
	JOIN viewer($3::text) v ON true
	WHERE (ph.thumb_id = m.id OR ph.display_id = m.id)
	    AND (v.role IN ('staff', 'admin') OR EXISTS (SELECT 1
	    FROM project_members pm WHERE pm.project_id = ph.project_id
	    AND pm.user_id = v.id))))

-- name: media_public
-- $1 sha256, $2 mime: 'public' or 'private', no row for no such image.
-- The first question when this worker holds the bytes already, and for
-- a public image the only one: a statement of one index lookup, because
-- PostgreSQL initialises media_get's whole plan (its sub-plans for the
-- viewer and the team) on every call, used or not (app/photo.c).
SELECT CASE WHEN m.public THEN 'public' ELSE 'private' END
FROM media m
WHERE m.sha256 = $1::text AND m.mime = $2::text

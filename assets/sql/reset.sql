-- Statements of reset.c: one-time password reset links that staff issue
-- (migrations/0011_accounts.sql has the rules).

-- name: reset_issue
-- POST /admin/users/{username}/reset.  $1 the staff member, $2 username,
-- $3 the hash of the link's secret, $4 reason ('' for none).
SELECT account_reset_issue($1, $2, $3, $4)

-- name: reset_page
-- GET /reset/{secret}: whose link it is, while it works (no row: 404).
-- $1 the hash of the secret, $2 session hash (the page's header).
SELECT json_build_object('reset', json_build_object(
    'username', u.username, 'display_name', u.display_name,
    'expires_at', rfc3339(r.expires_at)),
    'me', (SELECT me FROM viewer($2::text)))
FROM password_resets r JOIN users u ON u.id = r.user_id
WHERE r.token_hash = $1::text AND r.used_at IS NULL AND r.expires_at > now()

-- name: reset_use
-- POST /reset/{secret}.  $1 the hash of the secret, $2 the new password's
-- Argon2id hash, $3 the client's address (for the audit log).
SELECT account_reset_use($1, $2, $3)

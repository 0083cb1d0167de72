-- Statements of ops.c.  Each "-- name:" line starts a prepared statement.

-- name: health_check
SELECT 1

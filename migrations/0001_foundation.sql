-- 0001: what every feature builds on.

-- Times in the API are RFC 3339 with the site's offset, to the second
-- (API.md "Time"); the connection's TimeZone is the site time zone.
CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN to_char(t, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM');

-- Site settings that staff may change at run time (limits, rules).
-- Values are JSON so a setting can be a number, a flag or a text.
CREATE TABLE site_settings (
	key		text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
	value		jsonb NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

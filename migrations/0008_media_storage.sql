-- Image bytes are JPEG or PNG: already compressed.  PostgreSQL's default
-- storage for bytea (EXTENDED) tries pglz on every value over 2 KB, in
-- the backend that inserts it, for nothing; EXTERNAL stores them out of
-- line uncompressed, so uploads cost less CPU next to page serving and
-- reads need no decompression attempt.
ALTER TABLE media ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Usernames are unique under full Unicode case folding. The folded form is computed by
-- Gather (gather_core::username_key), the same on every backend: lower() folds only ASCII
-- on SQLite and follows the server's locale on PostgreSQL. Older rows get their key when
-- Gather next starts.
ALTER TABLE users ADD COLUMN username_key TEXT;
CREATE UNIQUE INDEX users_by_username_key ON users (username_key);
DROP INDEX users_by_username;

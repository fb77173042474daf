-- Devices: each session keeps a public id (what lists and ends it; the token hash
-- never leaves the server), when it was last used (written at most once a minute),
-- and the client address and user agent it was last used from.
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = substr(token_hash, 1, 32), last_used = created;
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- A user's TOTP second factor: the secret (base32), whether it is confirmed
-- (enabled), and the last time step whose code was accepted, so that no code is
-- accepted twice.
CREATE TABLE user_totp (
	user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 0,
	last_step BIGINT NOT NULL DEFAULT 0,
	created BIGINT NOT NULL
){{without_rowid}};

-- Recovery codes of the second factor, by their keyed hash; a code is deleted
-- when it is used.
CREATE TABLE totp_recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	PRIMARY KEY (user_id, code_hash)
){{without_rowid}};

-- Half-done logins: a password accepted that waits for the second factor
-- (kind 'totp'), or a mailed sign-in code (kind 'mail'). id_hash is the SHA-256 of
-- the secret the client holds (the pending token, or the mailed link's token);
-- code_hash the keyed hash of a mailed code. attempts counts wrong codes: the
-- challenge dies at the limit, on use, and at expiry.
CREATE TABLE login_challenges (
	id_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	code_hash TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0,
	created BIGINT NOT NULL,
	expires BIGINT NOT NULL
){{without_rowid}};

CREATE INDEX login_challenges_user ON login_challenges (user_id, kind);
CREATE INDEX login_challenges_expires ON login_challenges (expires);

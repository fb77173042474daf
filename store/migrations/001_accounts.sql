CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	short_id TEXT NOT NULL UNIQUE,
	email TEXT NOT NULL,
	email_key TEXT NOT NULL UNIQUE,
	firstname TEXT NOT NULL DEFAULT '',
	lastname TEXT NOT NULL DEFAULT '',
	roles TEXT NOT NULL DEFAULT '[]',
	active INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL DEFAULT '',
	created BIGINT NOT NULL,
	modified BIGINT NOT NULL
){{without_rowid}};

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created BIGINT NOT NULL,
	expires BIGINT NOT NULL
){{without_rowid}};

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

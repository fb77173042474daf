-- Ways to sign in besides the password: identities at OpenID Connect providers
-- (one per provider and subject, linked to one user) and passkeys (WebAuthn
-- credentials, by their credential id). Both go with their user.
CREATE TABLE identities (
	id {{serial}},
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider TEXT NOT NULL,
	subject TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	created BIGINT NOT NULL,
	UNIQUE (provider, subject)
);

CREATE INDEX identities_user_id ON identities (user_id);

CREATE TABLE passkeys (
	id {{serial}},
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	credential_id TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	credential TEXT NOT NULL,
	created BIGINT NOT NULL,
	last_used BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- The pending challenges of sign-ins in two steps (the state of an OpenID Connect
-- redirect, the challenge of a passkey ceremony), by the hash of the challenge:
-- each is taken once, by any instance, before it expires.
CREATE TABLE auth_challenges (
	challenge_hash TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL,
	expires BIGINT NOT NULL
){{without_rowid}};

CREATE INDEX auth_challenges_expires ON auth_challenges (expires);

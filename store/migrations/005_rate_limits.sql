-- The token buckets of the rate limits (failed logins, sign-ups, reset requests), in
-- the database so that every instance on it counts together and a restart forgets
-- nothing. tokens is what the bucket held at updated; at expires it is full again,
-- and the row may go.
CREATE TABLE rate_limits (
	name TEXT PRIMARY KEY,
	tokens DOUBLE PRECISION NOT NULL,
	updated BIGINT NOT NULL,
	expires BIGINT NOT NULL
);

CREATE INDEX rate_limits_expires ON rate_limits (expires);

-- A rate-limit bucket is kept as the one time at which it is full again (expires),
-- which its takes and give-backs move in single statements; the tokens it held
-- and when are no longer stored.
ALTER TABLE rate_limits DROP COLUMN tokens;
ALTER TABLE rate_limits DROP COLUMN updated;

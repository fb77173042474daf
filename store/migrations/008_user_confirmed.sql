-- confirmed is 1 once a user's address was confirmed (or an operator made the user
-- active): an inactive user is then deactivated, not a pending sign-up, and neither
-- expires nor is replaced by a new sign-up of the address.
ALTER TABLE users ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
UPDATE users SET confirmed = active;
CREATE INDEX users_created ON users (created, id);

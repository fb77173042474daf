-- The change log of content: one row per create, update or delete, written in the
-- transaction of the change, so that it exists exactly when the change does. The
-- feed of changes reads it in the order of id; rows older than the retention
-- period are purged, except the newest, which marks where the log begins.
CREATE TABLE events (
	id {{serial}},
	created BIGINT NOT NULL,
	type TEXT NOT NULL,
	item BIGINT NOT NULL,
	kind TEXT NOT NULL,
	owner TEXT NOT NULL
);

CREATE INDEX events_created ON events (created);

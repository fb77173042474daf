-- Files: each row names its bytes in the blob store by blob_key. A file is held by
-- one field of one content item (content_id, field), or by nobody (both NULL)
-- between its upload and its attachment; owner is the uploader's user id (kept
-- without a foreign key: an account's unattached uploads expire on their own).
-- The content service releases the files of an item it deletes, so that their
-- bytes go once the deletion commits; rows that go with their item otherwise (an
-- account deleted with its items) leave their bytes to the sweeper.
CREATE TABLE files (
	id {{serial}},
	uuid TEXT NOT NULL UNIQUE,
	blob_key TEXT NOT NULL UNIQUE,
	filename TEXT NOT NULL,
	mimetype TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	owner TEXT NOT NULL,
	content_id BIGINT REFERENCES content (id) ON DELETE CASCADE,
	field TEXT,
	created BIGINT NOT NULL,
	modified BIGINT NOT NULL,
	CHECK ((content_id IS NULL) = (field IS NULL))
);

CREATE UNIQUE INDEX files_holder ON files (content_id, field);
CREATE INDEX files_unattached ON files (created) WHERE content_id IS NULL;

-- Every content item has a row here, whatever its type: the common fields. Its own
-- fields live in the table of its type, content__TYPE, which the content package
-- creates and alters from the type definitions at start-up. A deleted user's items
-- go with the user.
CREATE TABLE content (
	id {{serial}},
	type TEXT NOT NULL,
	owner TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created BIGINT NOT NULL,
	modified BIGINT NOT NULL
);

CREATE INDEX content_type_created ON content (type, created, id);
CREATE INDEX content_type_owner ON content (type, owner, created, id);
CREATE INDEX content_type_title ON content (type, title, created, id);
CREATE INDEX content_type_modified ON content (type, modified, created, id);
CREATE INDEX content_owner ON content (owner);

-- The definitions of the content types as their tables were last made, to tell
-- what a changed definition changes.
CREATE TABLE content_types (
	name TEXT PRIMARY KEY,
	definition TEXT NOT NULL,
	modified BIGINT NOT NULL
);

-- Category titles are unique across the app; grp is the named group of the title,
-- '' for none.
CREATE TABLE categories (
	id {{serial}},
	title TEXT NOT NULL UNIQUE,
	grp TEXT NOT NULL DEFAULT ''
);

CREATE TABLE content_categories (
	content_id BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,
	category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
	PRIMARY KEY (content_id, category_id)
);

CREATE INDEX content_categories_category ON content_categories (category_id, content_id);

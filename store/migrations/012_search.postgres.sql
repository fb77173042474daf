-- The search text of every content item (its title, description, string and text
-- fields, folded: see store.FoldSearch), with a trigram index (pg_trgm) so that a
-- word is found as a substring of it by LIKE. The content package writes it in the
-- transaction of each change of the item, and rebuilds a type's at start-up when
-- its searched fields change (or were never indexed, as for the items made before
-- this migration). The SQLite form of this migration keeps the same text in an
-- FTS5 table with the trigram tokenizer.
--
-- pg_trgm ships with PostgreSQL (the contrib package) and is a trusted extension:
-- a role with the CREATE privilege on the database may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE content_search (
	id BIGINT PRIMARY KEY REFERENCES content (id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);

CREATE INDEX content_search_doc ON content_search USING gin (doc gin_trgm_ops);

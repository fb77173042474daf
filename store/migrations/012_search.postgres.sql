-- The search text of every content item (its title, description, string and text
-- fields, folded: see store.FoldSearch), with a trigram index (pg_trgm) so that a
-- word is found as a substring of it by LIKE. The content package writes it in the
-- transaction of each change of the item, and rebuilds a type's at start-up when
-- its searched fields change (or were never indexed, as for the items made before
-- this migration). The SQLite form of this migration keeps the same text in an
-- FTS5 table with the trigram tokenizer.
CREATE TABLE content_search (
	id BIGINT PRIMARY KEY REFERENCES content (id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);

-- pg_trgm ships with PostgreSQL (the contrib package) and is a trusted extension:
-- a role with the CREATE privilege on the database may create it. It is created
-- once a database, in the schema public when the role may create objects there (so
-- that it outlives the schema of one instance), else in the current schema; the
-- index names its operator class with the schema the extension is in.
DO $$
DECLARE
	s name;
BEGIN
	SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
	IF s IS NULL THEN
		IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AND has_schema_privilege('public', 'CREATE') THEN
			s := 'public';
		ELSE
			s := current_schema();
		END IF;
		EXECUTE format('CREATE EXTENSION pg_trgm SCHEMA %I', s);
	END IF;
	EXECUTE format('CREATE INDEX content_search_doc ON content_search USING gin (doc %I.gin_trgm_ops)', s);
END
$$;

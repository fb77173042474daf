-- The search text of every content item (its title, description, string and text
-- fields, folded: see store.FoldSearch), indexed by trigrams so that a word is
-- found as a substring of it. The rowid is the item's id. The content package
-- writes it in the transaction of each change of the item, and rebuilds a type's
-- at start-up when its searched fields change (or were never indexed, as for the
-- items made before this migration). The PostgreSQL form of this migration keeps
-- the same text with a pg_trgm index.
CREATE VIRTUAL TABLE content_search USING fts5(doc, tokenize = 'trigram case_sensitive 1');

CREATE TRIGGER content_search_delete AFTER DELETE ON content BEGIN
	DELETE FROM content_search WHERE rowid = OLD.id;
END;

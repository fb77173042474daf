-- The number of items of each type, kept by triggers (which also fire for the
-- items a deleted user's cascade removes), so that an unfiltered listing's total
-- is one row instead of a count over the whole type. SQLite only: it runs one
-- writer at a time anyway, whereas on PostgreSQL every creation would queue on
-- the type's row.
CREATE TABLE content_counts (
	type TEXT PRIMARY KEY,
	n BIGINT NOT NULL
) WITHOUT ROWID;

INSERT INTO content_counts (type, n) SELECT type, COUNT(*) FROM content GROUP BY type;

CREATE TRIGGER content_counts_insert AFTER INSERT ON content BEGIN
	INSERT INTO content_counts (type, n) VALUES (NEW.type, 1)
		ON CONFLICT (type) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER content_counts_delete AFTER DELETE ON content BEGIN
	UPDATE content_counts SET n = n - 1 WHERE type = OLD.type;
END;

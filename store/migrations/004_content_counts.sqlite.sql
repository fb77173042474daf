-- The number of items of each type, kept by triggers (which also fire for the
-- items a deleted user's cascade removes), so that an unfiltered listing's total
-- reads a few rows instead of counting the whole type. The number is spread over
-- 16 rows a type, by item id, so that concurrent creations seldom wait for one
-- another's row (on PostgreSQL; SQLite writes one at a time anyway). The
-- PostgreSQL form of this migration keeps the same table the same way.
CREATE TABLE content_counts (
	type TEXT NOT NULL,
	shard INTEGER NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (type, shard)
) WITHOUT ROWID;

INSERT INTO content_counts (type, shard, n) SELECT type, id % 16, COUNT(*) FROM content GROUP BY type, id % 16;

CREATE TRIGGER content_counts_insert AFTER INSERT ON content BEGIN
	INSERT INTO content_counts (type, shard, n) VALUES (NEW.type, NEW.id % 16, 1)
		ON CONFLICT (type, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER content_counts_delete AFTER DELETE ON content BEGIN
	UPDATE content_counts SET n = n - 1 WHERE type = OLD.type AND shard = OLD.id % 16;
END;

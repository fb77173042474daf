-- The number of items of each type, kept by a trigger (which also fires for the
-- items a deleted user's cascade removes), so that an unfiltered listing's total
-- reads a few rows instead of counting the whole type. The number is spread over
-- 16 rows a type, by item id, so that concurrent creations seldom wait for one
-- another's row lock. The SQLite form of this migration keeps the same table the
-- same way.
CREATE TABLE content_counts (
	type TEXT NOT NULL,
	shard INTEGER NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (type, shard)
);

INSERT INTO content_counts (type, shard, n) SELECT type, id % 16, COUNT(*) FROM content GROUP BY type, id % 16;

CREATE FUNCTION content_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO content_counts (type, shard, n) VALUES (NEW.type, NEW.id % 16, 1)
			ON CONFLICT (type, shard) DO UPDATE SET n = content_counts.n + 1;
		RETURN NEW;
	END IF;
	UPDATE content_counts SET n = n - 1 WHERE type = OLD.type AND shard = OLD.id % 16;
	RETURN OLD;
END
$$;

CREATE TRIGGER content_counts_change AFTER INSERT OR DELETE ON content
	FOR EACH ROW EXECUTE FUNCTION content_counts_change();

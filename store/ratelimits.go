package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RateBucket is the state of one token bucket of a rate limit: the tokens it held
// at Updated.
type RateBucket struct {
	Tokens  float64
	Updated time.Time
}

// RateBuckets returns the buckets of those names that have one.
func RateBuckets(ctx context.Context, db *DB, names []string) (map[string]RateBucket, error) {
	out := make(map[string]RateBucket, len(names))
	if len(names) == 0 {
		return out, nil
	}
	rows, err := db.Query(ctx, "SELECT name, tokens, updated FROM rate_limits WHERE name IN ("+placeholders(len(names))+")", stringArgs(names)...)
	if err != nil {
		return nil, fmt.Errorf("store: read rate limits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var b RateBucket
		var updated int64
		if err := rows.Scan(&name, &b.Tokens, &updated); err != nil {
			return nil, fmt.Errorf("store: read rate limits: %w", err)
		}
		b.Updated = fromMicros(updated)
		out[name] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read rate limits: %w", err)
	}
	return out, nil
}

// ChangeRateBucket replaces the bucket of name (found is false when it has none)
// with what change returns, and notes when the new bucket is full again, after
// which DeleteFullRateBuckets may remove it. Concurrent changes of one bucket, from
// this instance or another, each apply once, one after the other.
func ChangeRateBucket(ctx context.Context, db *DB, name string, change func(b RateBucket, found bool) (next RateBucket, full time.Time)) error {
	for range 8 {
		applied := false
		err := db.InTx(ctx, func(tx *Tx) error {
			// Lock the row first, so that concurrent changes of an existing
			// bucket wait for each other instead of starting over (SQLite's
			// writer is alone anyway); only two first changes can race, and
			// the loser starts over once.
			if _, err := tx.Exec(ctx, "UPDATE rate_limits SET tokens = tokens WHERE name = ?", name); err != nil {
				return err
			}
			var tokens float64
			var updated int64
			err := tx.QueryRow(ctx, "SELECT tokens, updated FROM rate_limits WHERE name = ?", name).Scan(&tokens, &updated)
			found := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			next, full := change(RateBucket{Tokens: tokens, Updated: fromMicros(updated)}, found)
			var res sql.Result
			if found {
				res, err = tx.Exec(ctx, "UPDATE rate_limits SET tokens = ?, updated = ?, expires = ? WHERE name = ? AND tokens = ? AND updated = ?",
					next.Tokens, micros(next.Updated), micros(full), name, tokens, updated)
			} else {
				res, err = tx.Exec(ctx, "INSERT INTO rate_limits (name, tokens, updated, expires) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
					name, next.Tokens, micros(next.Updated), micros(full))
			}
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			applied = n == 1
			return err
		})
		if err != nil {
			return fmt.Errorf("store: change rate limit: %w", err)
		}
		if applied {
			return nil
		}
	}
	return errors.New("store: change rate limit: the bucket kept changing")
}

// DeleteFullRateBuckets removes the buckets that are full again at now, which
// count as no bucket at all.
func DeleteFullRateBuckets(ctx context.Context, tx *Tx, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM rate_limits WHERE expires <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete rate limits: %w", err)
	}
	return res.RowsAffected()
}

package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The table rate_limits keeps the token buckets of the rate limits as one time per
// bucket, the instant at which it is full again (the generic cell rate
// algorithm): a missing row, or one whose time has passed, is a full bucket.
// Taking a token moves the time one interval later, starting from now at the
// earliest; it is allowed while the time stays within the bucket's capacity of
// now. Giving a token back moves the time one interval earlier.

// RateTake is one token to take from a bucket.
type RateTake struct {
	// Name names the bucket.
	Name string
	// Interval is what one token is worth: how long it takes to come back.
	Interval time.Duration
	// Capacity is how long the empty bucket takes to fill: its size in tokens
	// is Capacity/Interval.
	Capacity time.Duration
}

// RateRefusal is a bucket that had no token to take.
type RateRefusal struct {
	RateTake
	// Full is when the bucket is full again.
	Full time.Time
}

// errRefused rolls back the takes of a refused attempt.
var errRefused = errors.New("store: rate limit refused")

// TakeRateTokens takes one token at now from each bucket of takes, all or none,
// in one transaction. It returns the buckets that had none, with nothing taken
// from any, or none when every token was taken. Each take is one statement that
// decides and takes at once, so concurrent takes from one bucket, from this
// instance or another on the database, never take more than it holds.
func TakeRateTokens(ctx context.Context, db *DB, now time.Time, takes []RateTake) ([]RateRefusal, error) {
	takes = byName(takes)
	var refused []RateRefusal
	err := db.InTx(ctx, func(tx *Tx) error {
		refused = refused[:0]
		if err := tx.lazyCommit(ctx); err != nil {
			return err
		}
		at := micros(now)
		for _, t := range takes {
			step, capacity := t.Interval.Microseconds(), t.Capacity.Microseconds()
			// now was read before this statement waited for the bucket's row, so
			// a take that waited behind one with a later now would find up to the
			// wait's length of its token still missing. The slack absorbs that;
			// being under half a token, it never lets a whole one more through.
			slack := min(step/2, time.Second.Microseconds())
			res, err := tx.Exec(ctx, `INSERT INTO rate_limits (name, expires) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET expires = CASE WHEN rate_limits.expires > ? THEN rate_limits.expires ELSE ? END + ?
				WHERE CASE WHEN rate_limits.expires > ? THEN rate_limits.expires ELSE ? END <= ?`,
				t.Name, at+step, at, at, step, at, at, at+capacity-step+slack)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 1 {
				if err != nil {
					return err
				}
				continue
			}
			var full int64
			if err := tx.QueryRow(ctx, "SELECT expires FROM rate_limits WHERE name = ?", t.Name).Scan(&full); err != nil {
				return err
			}
			refused = append(refused, RateRefusal{RateTake: t, Full: fromMicros(full)})
		}
		if len(refused) > 0 {
			return errRefused
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRefused) {
		return nil, fmt.Errorf("store: take rate tokens: %w", err)
	}
	return refused, nil
}

// GiveBackRateTokens returns one token to each bucket of takes, as if it had not
// been taken; a bucket gets no more than its capacity.
func GiveBackRateTokens(ctx context.Context, db *DB, takes []RateTake) error {
	takes = byName(takes)
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lazyCommit(ctx); err != nil {
			return err
		}
		for _, t := range takes {
			if _, err := tx.Exec(ctx, "UPDATE rate_limits SET expires = expires - ? WHERE name = ?", t.Interval.Microseconds(), t.Name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: give back rate tokens: %w", err)
	}
	return nil
}

// lazyCommit lets the transaction's commit return before it is durable, on
// PostgreSQL (on SQLite, commits are shared and not synced one by one anyway). A
// crash may then forget the last instants' takes and give-backs, which costs a
// rate limit a few attempts at most, and spares each one a wait for the disk.
func (tx *Tx) lazyCommit(ctx context.Context) error {
	if !tx.Postgres() {
		return nil
	}
	_, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off")
	return err
}

// byName returns takes in the order of their names. Transactions that change
// several buckets change them in this order, one statement each, so that they
// lock them in one order and never wait for each other.
func byName(takes []RateTake) []RateTake {
	return slices.SortedFunc(slices.Values(takes), func(a, b RateTake) int { return strings.Compare(a.Name, b.Name) })
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

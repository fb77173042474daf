package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// A challenge is taken once, from either of two instances on one database, and
// not after it expires nor as another kind.
func TestChallengesTakenOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		dsn, dir := storetest.DSN(t, b), t.TempDir()
		ctx := context.Background()
		var dbs [2]*store.DB
		for i := range dbs {
			db, err := store.Open(ctx, dsn, dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			dbs[i] = db
		}
		now := time.Now().UTC()
		create := func(hash string, expires time.Time) {
			t.Helper()
			err := dbs[0].InTx(ctx, func(tx *store.Tx) error {
				return store.CreateAuthChallenge(ctx, tx, hash, &store.AuthChallenge{Kind: "k", Data: "d", Expires: expires}, now)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		take := func(db *store.DB, hash, kind string, at time.Time) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				c, err := store.TakeAuthChallenge(ctx, tx, hash, kind, at)
				if err == nil && c.Data != "d" {
					t.Errorf("data %q", c.Data)
				}
				return err
			})
		}

		create("a", now.Add(time.Minute))
		var wg sync.WaitGroup
		var taken atomic.Int64
		for i := range 20 {
			wg.Go(func() {
				err := take(dbs[i%2], "a", "k", now)
				if err == nil {
					taken.Add(1)
				} else if backrest.ErrorCode(err) != backrest.ENOTFOUND {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if taken.Load() != 1 {
			t.Fatalf("taken %d times", taken.Load())
		}

		create("b", now.Add(time.Minute))
		if err := take(dbs[1], "b", "other", now); backrest.ErrorCode(err) != backrest.ENOTFOUND {
			t.Fatalf("another kind: %v", err)
		}
		if err := take(dbs[1], "b", "k", now.Add(time.Minute)); backrest.ErrorCode(err) != backrest.ENOTFOUND {
			t.Fatalf("expired: %v", err)
		}
		// An expired challenge is swept by the next one made.
		create("c", now.Add(-time.Second))
		create("d", now.Add(time.Minute))
		var n int
		if err := dbs[0].QueryRow(ctx, "SELECT count(*) FROM auth_challenges WHERE challenge_hash = 'c'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("the expired challenge is left (%v)", err)
		}
	})
}

package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// Concurrent changes of one bucket, from two instances on one database, each
// apply once; full buckets are deleted.
func TestRateBuckets(t *testing.T) {
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
		now := time.Now().UTC().Truncate(time.Microsecond)
		take := func(b store.RateBucket, found bool) (store.RateBucket, time.Time) {
			if !found {
				b.Tokens = 100
			}
			return store.RateBucket{Tokens: b.Tokens - 1, Updated: now}, now.Add(time.Hour)
		}
		var wg sync.WaitGroup
		errs := make([]error, 60)
		for i := range errs {
			wg.Go(func() { errs[i] = store.ChangeRateBucket(ctx, dbs[i%2], "k", take) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := store.ChangeRateBucket(ctx, dbs[0], "other", take); err != nil {
			t.Fatal(err)
		}
		got, err := store.RateBuckets(ctx, dbs[1], []string{"k", "other", "none"})
		if err != nil || len(got) != 2 || got["k"].Tokens != 40 || !got["k"].Updated.Equal(now) || got["other"].Tokens != 99 {
			t.Fatalf("buckets %+v, %v; want k at 40 and other at 99", got, err)
		}
		var n int64
		if err := dbs[0].InTx(ctx, func(tx *store.Tx) (err error) {
			n, err = store.DeleteFullRateBuckets(ctx, tx, now.Add(time.Hour))
			return err
		}); err != nil || n != 2 {
			t.Fatalf("deleted %d, %v; want 2", n, err)
		}
		if got, err := store.RateBuckets(ctx, dbs[0], []string{"k"}); err != nil || len(got) != 0 {
			t.Fatalf("after deletion: %+v, %v", got, err)
		}
	})
}

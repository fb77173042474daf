package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// Concurrent takes from one bucket, from two instances on one database, take no
// more than it holds; a take from several buckets takes from all or none; a
// token given back can be taken again; full buckets are deleted.
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
		// 40 tokens, one back every minute.
		k := store.RateTake{Name: "k", Interval: time.Minute, Capacity: 40 * time.Minute}
		other := store.RateTake{Name: "other", Interval: time.Minute, Capacity: 2 * time.Minute}
		var wg sync.WaitGroup
		var taken atomic.Int64
		errs := make([]error, 60)
		for i := range errs {
			wg.Go(func() {
				refused, err := store.TakeRateTokens(ctx, dbs[i%2], now, []store.RateTake{k})
				errs[i] = err
				if err == nil && len(refused) == 0 {
					taken.Add(1)
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := taken.Load(); n != 40 {
			t.Fatalf("%d of 60 concurrent takes from a bucket of 40 succeeded", n)
		}
		// k is empty: taking from it and other takes from neither.
		refused, err := store.TakeRateTokens(ctx, dbs[0], now, []store.RateTake{other, k})
		if err != nil || len(refused) != 1 || refused[0].Name != "k" || !refused[0].Full.Equal(now.Add(40*time.Minute)) {
			t.Fatalf("refused %+v, %v; want k, full in 40 minutes", refused, err)
		}
		for range 2 {
			if refused, err := store.TakeRateTokens(ctx, dbs[1], now, []store.RateTake{other}); err != nil || len(refused) != 0 {
				t.Fatalf("other: refused %+v, %v", refused, err)
			}
		}
		if refused, err := store.TakeRateTokens(ctx, dbs[1], now, []store.RateTake{other}); err != nil || len(refused) != 1 {
			t.Fatalf("other, third take: refused %+v, %v; want refused", refused, err)
		}
		// A minute later k has one token again; one given back makes two.
		later := now.Add(time.Minute)
		if err := store.GiveBackRateTokens(ctx, dbs[0], []store.RateTake{k}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			refused, err := store.TakeRateTokens(ctx, dbs[i%2], later, []store.RateTake{k})
			if err != nil || (len(refused) == 0) != (i < 2) {
				t.Fatalf("take %d a minute later: refused %+v, %v", i, refused, err)
			}
		}
		var n int64
		if err := dbs[0].InTx(ctx, func(tx *store.Tx) (err error) {
			n, err = store.DeleteFullRateBuckets(ctx, tx, now.Add(time.Hour))
			return err
		}); err != nil || n != 2 {
			t.Fatalf("deleted %d, %v; want 2", n, err)
		}
	})
}

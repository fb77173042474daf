package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// openTwice opens two handles on one new database of the backend, as two
// instances do.
func openTwice(t *testing.T, b storetest.Backend) (*store.DB, *store.DB) {
	t.Helper()
	dsn, dir := storetest.DSN(t, b), t.TempDir()
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(context.Background(), dsn, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// Two instances queue the events of a webhook once, and never claim one delivery
// at the same time, nor a delivery whose item has an earlier one pending.
func TestWebhookClaimsAreExclusive(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		one, two := openTwice(t, b)
		ctx := context.Background()
		now := time.Now()
		var hook int64
		err := one.InTx(ctx, func(tx *store.Tx) (err error) {
			hook, err = store.CreateWebhook(ctx, tx, &store.Webhook{URL: "https://example.com", Types: []string{},
				Kinds: []string{"create", "update", "delete"}, Secret: "s", Active: true}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		const items = 10
		for _, kind := range []string{"create", "update"} {
			for item := range items {
				err := one.InTx(ctx, func(tx *store.Tx) error {
					return store.InsertEvent(ctx, tx, store.Event{Type: "note", Item: int64(item + 1), Kind: kind, Owner: "x", Created: now})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}

		var wg sync.WaitGroup
		for _, db := range []*store.DB{one, two, one, two} {
			wg.Go(func() {
				for {
					var n int
					err := db.InTx(ctx, func(tx *store.Tx) (err error) {
						n, err = store.QueueWebhookEvents(ctx, tx, now, 3)
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		ds, total, err := store.ListDeliveries(ctx, one, hook, "", 100, 0)
		if err != nil || total != 2*items || len(ds) != 2*items {
			t.Fatalf("%d deliveries queued, want %d: %v", total, 2*items, err)
		}

		// Claims of four workers on two instances: the creates alone, each once.
		delivered := map[int64]bool{} // items whose create was delivered
		claim := func() map[int64]string {
			var mu sync.Mutex
			got := map[int64]string{}
			var wg sync.WaitGroup
			for i, db := range []*store.DB{one, two, one, two} {
				wg.Go(func() {
					name := fmt.Sprint("worker", i)
					for {
						ds, err := store.ClaimDeliveries(ctx, db, name, time.Now(), time.Now().Add(time.Hour), 2)
						if err != nil {
							t.Error(err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, d := range ds {
							if other, ok := got[d.ID]; ok {
								t.Errorf("delivery %d claimed by %s and %s", d.ID, other, name)
							}
							if d.Event.Kind != "create" && !delivered[d.Event.Item] {
								t.Errorf("%s claimed the %s of item %d before its create was delivered", name, d.Event.Kind, d.Event.Item)
							}
							got[d.ID] = name
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			return got
		}
		creates := claim()
		if len(creates) != items {
			t.Fatalf("%d claimed, want the %d creates", len(creates), items)
		}
		for _, d := range ds {
			if owner, ok := creates[d.ID]; ok {
				if err := store.RecordDelivery(ctx, two, d, owner, store.DeliveryOutcome{Delivered: true, Status: 200}, now); err != nil {
					t.Fatal(err)
				}
				delivered[d.Event.Item] = true
			}
		}
		updates := claim()
		if len(updates) != items {
			t.Fatalf("%d updates claimed, want %d", len(updates), items)
		}
		for id := range updates {
			if _, ok := creates[id]; ok {
				t.Fatalf("delivery %d claimed again after it was delivered", id)
			}
		}
	})
}

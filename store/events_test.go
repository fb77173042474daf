package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// On PostgreSQL, an event that commits while one with a smaller id is still in
// flight would let a reader pass over the smaller id for good. The log's lock
// makes a second writer of events wait for the first one's commit instead.
func TestEventsCommitInIDOrder(t *testing.T) {
	db := storetest.Open(t, storetest.Postgres)
	ctx := context.Background()
	ev := store.Event{Type: "note", Item: 1, Kind: "create", Owner: "x", Created: time.Now()}
	inserted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.InsertEvent(ctx, tx, ev); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	// A failing test lets the first writer finish too.
	var once sync.Once
	done := func() { once.Do(func() { close(release) }) }
	defer done()
	<-inserted
	second, pid := make(chan error, 1), make(chan int64, 1)
	go func() {
		second <- db.InTx(ctx, func(tx *store.Tx) error {
			var p int64
			if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&p); err != nil {
				return err
			}
			pid <- p
			return store.InsertEvent(ctx, tx, ev)
		})
	}()
	secondPID := <-pid
	// Either the second writer waits for the lock, or it committed first: then
	// a reader sees its event while the first one's, with a smaller id, is in
	// flight.
	for waiting := false; !waiting; {
		select {
		case err := <-second:
			seen, _ := store.EventsAfter(ctx, db, 0, 10)
			t.Fatalf("a later event committed while an earlier one is in flight (%v): reader sees %v", err, seen)
		default:
		}
		if err := db.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_locks WHERE pid = ? AND NOT granted", secondPID).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if seen, err := store.EventsAfter(ctx, db, 0, 10); err != nil || len(seen) != 0 {
		t.Fatalf("events in flight are visible: %v, %v", seen, err)
	}
	done()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	seen, err := store.EventsAfter(ctx, db, 0, 10)
	if err != nil || len(seen) != 2 || seen[0].ID >= seen[1].ID {
		t.Fatalf("events %v, %v", seen, err)
	}
}

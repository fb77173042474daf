package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// newTable opens a database with a table t of unique keys.
func newTable(t *testing.T, b storetest.Backend) *store.DB {
	db := storetest.Open(t, b)
	if _, err := db.Exec(context.Background(), "CREATE TABLE t (k TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// keys returns the keys in table t.
func keys(t *testing.T, db *store.DB) map[string]bool {
	rows, err := db.Query(context.Background(), "SELECT k FROM t WHERE k <> ?", "")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

var errRefused = errors.New("refused")

// Many concurrent write transactions, some of which fail after writing and some of
// which collide on a key: each stands alone, whether or not it shared a commit
// with others. The failed ones leave nothing and run their rollback hooks; the
// others are all there and run their commit hooks.
func TestConcurrentTransactionsStandAlone(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := newTable(t, b)
		ctx := context.Background()
		const n = 200
		var committed, rolledBack atomic.Int64
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
					tx.OnCommit(func(context.Context) error { committed.Add(1); return nil })
					tx.OnRollback(func(context.Context) error { rolledBack.Add(1); return nil })
					// Keys dup-1, dup-3 … dup-9 are each written by ten transactions.
					if i%4 == 3 {
						_, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("dup-%d", i%10))
						return err
					}
					if _, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("k-%d", i)); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("k-%d-second", i)); err != nil {
						return err
					}
					if i%3 == 0 {
						return errRefused
					}
					return nil
				})
			})
		}
		wg.Wait()
		got := keys(t, db)
		want := map[string]bool{}
		var wantCommits, wantRollbacks int64
		for i := range n {
			switch {
			case i%4 == 3:
				want[fmt.Sprintf("dup-%d", i%10)] = true
				if errs[i] == nil {
					wantCommits++
				} else if store.IsUnique(errs[i]) {
					wantRollbacks++
				} else {
					t.Errorf("transaction %d: %v", i, errs[i])
				}
			case i%3 == 0:
				wantRollbacks++
				if !errors.Is(errs[i], errRefused) {
					t.Errorf("transaction %d: %v, want refused", i, errs[i])
				}
			default:
				wantCommits++
				want[fmt.Sprintf("k-%d", i)], want[fmt.Sprintf("k-%d-second", i)] = true, true
				if errs[i] != nil {
					t.Errorf("transaction %d: %v", i, errs[i])
				}
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d keys, want %d", len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Errorf("key %s missing", k)
			}
		}
		if wantCommits != n-wantRollbacks || committed.Load() != wantCommits || rolledBack.Load() != wantRollbacks {
			t.Errorf("hooks: %d commits and %d rollbacks, want %d and %d", committed.Load(), rolledBack.Load(), wantCommits, wantRollbacks)
		}
	})
}

// A transaction whose function panics rolls back; the panic reaches its caller,
// and the transactions around it and after it are unharmed.
func TestTransactionPanics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := newTable(t, b)
		ctx := context.Background()
		var wg sync.WaitGroup
		var panics atomic.Int64
		for i := range 40 {
			wg.Go(func() {
				defer func() {
					if recover() != nil {
						panics.Add(1)
					}
				}()
				db.InTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("k-%d", i)); err != nil {
						return err
					}
					if i%5 == 0 {
						panic("boom")
					}
					return nil
				})
			})
		}
		wg.Wait()
		got := keys(t, db)
		if panics.Load() != 8 || len(got) != 32 {
			t.Fatalf("%d panics and %d keys, want 8 and 32", panics.Load(), len(got))
		}
		for k := range got {
			var i int
			fmt.Sscanf(k, "k-%d", &i)
			if i%5 == 0 {
				t.Errorf("key %s of a transaction that panicked", k)
			}
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", "after")
			return err
		}); err != nil || !keys(t, db)["after"] {
			t.Fatalf("write after the panics: %v", err)
		}
	})
}

// A transaction whose context has ended does not start, and once the database is
// closed, none does.
func TestTransactionEndedContextAndClose(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := newTable(t, b)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := db.InTx(ctx, func(tx *store.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("ended context: %v, ran %v", err, ran)
		}
		db.Close()
		err = db.InTx(context.Background(), func(tx *store.Tx) error { ran = true; return nil })
		if err == nil || ran {
			t.Fatalf("closed database: %v, ran %v", err, ran)
		}
	})
}

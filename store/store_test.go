package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

func TestMigrateTwice(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		applied, err := db.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migration applied %v, %v; want nothing", applied, err)
		}
	})
}

// Two instances starting at once on one database both succeed, and the migrations
// run once.
func TestMigrateConcurrently(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		dsn, dir := storetest.DSN(t, b), t.TempDir()
		ctx := context.Background()
		var wg sync.WaitGroup
		results := make([][]int, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Go(func() {
				db, err := store.Open(ctx, dsn, dir)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				results[i], errs[i] = db.Migrate(ctx)
			})
		}
		wg.Wait()
		total := 0
		for i := range 4 {
			if errs[i] != nil {
				t.Fatalf("instance %d: %v", i, errs[i])
			}
			total += len(results[i])
		}
		if want := countMigrations(t, dsn, dir); total != want {
			t.Fatalf("migrations applied %d times in all, want %d", total, want)
		}
	})
}

func countMigrations(t *testing.T, dsn, dir string) int {
	db, err := store.Open(context.Background(), dsn, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Concurrent writers, from two handles on one SQLite file as two processes would
// have, never fail with "database is locked".
func TestConcurrentWrites(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		dsn, dir := storetest.DSN(t, b), t.TempDir()
		ctx := context.Background()
		var dbs []*store.DB
		for range 2 {
			db, err := store.Open(ctx, dsn, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			dbs = append(dbs, db)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Go(func() {
				db := dbs[i%2]
				errs <- db.InTx(ctx, func(tx *store.Tx) error {
					return store.CreateUser(ctx, tx, &backrest.User{Email: fmt.Sprintf("u%d@example.com", i)}, time.Now())
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := dbs[0].QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil || n != 200 {
			t.Fatalf("users: %d, %v; want 200", n, err)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		u := &backrest.User{Email: "Ann@Example.com", Firstname: "Ann", Roles: []string{"admin"}}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return store.CreateUser(ctx, tx, u, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		dup := &backrest.User{Email: "ann@example.COM"}
		err := db.InTx(ctx, func(tx *store.Tx) error { return store.CreateUser(ctx, tx, dup, time.Now()) })
		if err != store.ErrEmailTaken {
			t.Fatalf("duplicate address: %v, want ErrEmailTaken", err)
		}
		got, err := store.UserByEmail(ctx, db, "ANN@example.com")
		if err != nil || got.ID != u.ID || got.Email != "Ann@Example.com" || !got.IsAdmin() || got.Firstname != "Ann" {
			t.Fatalf("by email: %+v, %v", got, err)
		}
		var changed bool
		err = db.InTx(ctx, func(tx *store.Tx) (err error) {
			changed, err = store.ReplaceEmail(ctx, tx, u.ID, time.Now(), "someone@else.com", "new@example.com")
			return err
		})
		if err != nil || changed {
			t.Fatalf("replace with a stale address: changed %v, %v", changed, err)
		}
		if _, err := store.User(ctx, db, backrest.UserID{}); backrest.ErrorCode(err) != backrest.ENOTFOUND {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

// The kept numbers of items follow insertions, deletions and the cascade of a
// deleted user.
func TestContentCounts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		ann, bob := &backrest.User{Email: "ann@example.com"}, &backrest.User{Email: "bob@example.com"}
		count := func(typ string) (n int) {
			if err := db.QueryRow(ctx, "SELECT COALESCE(SUM(n), 0) FROM content_counts WHERE type = ?", typ).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, u := range []*backrest.User{ann, bob} {
				if err := store.CreateUser(ctx, tx, u, time.Now()); err != nil {
					return err
				}
			}
			for i := range 40 {
				typ, owner := "doc", ann
				if i%4 == 3 {
					typ = "note"
				}
				if i%5 == 0 {
					owner = bob
				}
				if _, err := tx.Exec(ctx, "INSERT INTO content (type, owner, title, created, modified) VALUES (?, ?, ?, 0, 0)",
					typ, owner.ID.String(), "t"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if count("doc") != 30 || count("note") != 10 || count("none") != 0 {
			t.Fatalf("counts: doc %d, note %d", count("doc"), count("note"))
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "DELETE FROM content WHERE owner = ? AND type = ?", bob.ID.String(), "doc"); err != nil {
				return err
			}
			return store.DeleteUser(ctx, tx, ann.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM content WHERE type = ?", "note").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if count("doc") != 0 || count("note") != left {
			t.Fatalf("counts after deletions: doc %d, note %d (%d stored)", count("doc"), count("note"), left)
		}
	})
}

// A SQLite commit is fsynced before it returns (synchronous=FULL) unless the
// faster mode is asked for; an unknown mode is refused.
func TestSQLiteSync(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		mode string
		want int
	}{{"", 2}, {store.SyncFull, 2}, {store.SyncNormal, 1}} {
		db, err := store.OpenWith(ctx, "", t.TempDir(), store.Options{SQLiteSync: c.mode})
		if err != nil {
			t.Fatal(err)
		}
		var got int
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "PRAGMA synchronous").Scan(&got)
		})
		db.Close()
		if err != nil || got != c.want {
			t.Fatalf("mode %q: synchronous is %d, %v; want %d", c.mode, got, err, c.want)
		}
	}
	if _, err := store.OpenWith(ctx, "", t.TempDir(), store.Options{SQLiteSync: "off"}); err == nil {
		t.Fatal("unknown sync mode accepted")
	}
}

// A user's times are those of the clock the caller gives, not the system's.
func TestUserTimesFollowTheGivenClock(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		created := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
		modified := created.Add(time.Hour)
		u := &backrest.User{Email: "clock@example.com"}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.CreateUser(ctx, tx, u, created); err != nil {
				return err
			}
			return store.SetProfile(ctx, tx, u.ID, modified, "Ann", "")
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := store.User(ctx, db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Created.Equal(created) || !got.Modified.Equal(modified) {
			t.Fatalf("created %v modified %v, want %v and %v", got.Created, got.Modified, created, modified)
		}
	})
}

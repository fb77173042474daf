package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// The compare-and-swap updates of the account flows change a user only in the
// state they expect, so that a link whose state has moved on changes nothing.
func TestUserStateChecks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		in := func(f func(tx *store.Tx) (bool, error)) bool {
			t.Helper()
			var changed bool
			if err := db.InTx(ctx, func(tx *store.Tx) (err error) { changed, err = f(tx); return err }); err != nil {
				t.Fatal(err)
			}
			return changed
		}
		count := func() int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		now := time.Now()
		pending := &backrest.User{Email: "pat@example.com", PasswordHash: "h1"}
		active := &backrest.User{Email: "ann@example.com", PasswordHash: "a1", Active: true}
		for _, u := range []*backrest.User{pending, active} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return store.CreateUser(ctx, tx, u, time.Now()) }); err != nil {
				t.Fatal(err)
			}
		}

		// A pending user is replaced by address; an active one is not.
		again := &backrest.User{Email: "PAT@example.com", PasswordHash: "h2", Firstname: "Pat"}
		if !in(func(tx *store.Tx) (bool, error) { return store.ReplacePendingUser(ctx, tx, again, now) }) || again.ID != pending.ID {
			t.Fatalf("pending user not replaced: %+v", again)
		}
		if in(func(tx *store.Tx) (bool, error) {
			return store.ReplacePendingUser(ctx, tx, &backrest.User{Email: "ann@example.com", PasswordHash: "x"}, now)
		}) {
			t.Fatal("active user replaced as pending")
		}
		if got, err := store.User(ctx, db, active.ID); err != nil || got.PasswordHash != "a1" {
			t.Fatalf("active user after a replacement attempt: %+v, %v", got, err)
		}

		// Touch and activation need the current hash; activation works once.
		if in(func(tx *store.Tx) (bool, error) { return store.TouchPendingUser(ctx, tx, pending.ID, "h1", now) }) {
			t.Fatal("touched with a replaced hash")
		}
		if in(func(tx *store.Tx) (bool, error) { return store.TouchPendingUser(ctx, tx, active.ID, "a1", now) }) {
			t.Fatal("touched an active user")
		}
		if !in(func(tx *store.Tx) (bool, error) { return store.TouchPendingUser(ctx, tx, pending.ID, "h2", now) }) {
			t.Fatal("pending user not touched")
		}
		if in(func(tx *store.Tx) (bool, error) { return store.ActivateUser(ctx, tx, pending.ID, now, "h1") }) {
			t.Fatal("activated with a replaced hash")
		}
		if !in(func(tx *store.Tx) (bool, error) { return store.ActivateUser(ctx, tx, pending.ID, now, "h2") }) {
			t.Fatal("not activated")
		}
		if in(func(tx *store.Tx) (bool, error) { return store.ActivateUser(ctx, tx, pending.ID, now, "h2") }) {
			t.Fatal("activated twice")
		}

		// A password is replaced only while hash and address are those expected.
		if in(func(tx *store.Tx) (bool, error) {
			return store.ReplacePassword(ctx, tx, active.ID, now, "a1", "old@example.com", "a2")
		}) {
			t.Fatal("password replaced for a stale address")
		}
		if in(func(tx *store.Tx) (bool, error) {
			return store.ReplacePassword(ctx, tx, active.ID, now, "a0", "ann@example.com", "a2")
		}) {
			t.Fatal("password replaced for a stale hash")
		}
		if !in(func(tx *store.Tx) (bool, error) {
			return store.ReplacePassword(ctx, tx, active.ID, now, "a1", "ANN@example.com", "a2")
		}) {
			t.Fatal("password not replaced")
		}

		// Active users are neither removed as pending nor purged.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.DeletePendingEmail(ctx, tx, "ann@example.com"); err != nil {
				return err
			}
			_, err := store.DeletePendingUsers(ctx, tx, now.Add(time.Hour))
			return err
		}); err != nil || count() != 2 {
			t.Fatalf("active users removed: %d left, %v", count(), err)
		}
	})
}

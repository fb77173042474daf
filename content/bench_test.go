package content

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// benchType is the type of the listing benchmarks: size takes 100 values, so an
// equality filter on it selects 1% of the items.
func benchType() Type {
	return Type{Name: "doc", Fields: []Field{
		{Name: "size", Kind: Integer},
		{Name: "label", Kind: String},
		{Name: "body", Kind: Text},
	}}
}

// fill inserts n items of the type owned by user, in large statements.
func fill(b *testing.B, db *store.DB, user backrest.UserID, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 500
	start := time.Now().Add(-time.Duration(n) * time.Second).UnixMicro()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for lo := 0; lo < n; lo += batch {
			hi := min(lo+batch, n)
			var rows, typeRows []string
			var args, typeArgs []any
			for i := lo; i < hi; i++ {
				id, created := int64(i+1), start+int64(i)*1e6
				rows = append(rows, "(?, 'doc', ?, ?, '', ?, ?)")
				args = append(args, id, user.String(), fmt.Sprintf("item %d", i), created, created)
				typeRows = append(typeRows, "(?, ?, ?, ?, ?)")
				typeArgs = append(typeArgs, id, created, int64(i%100), fmt.Sprintf("label %d", i%1000), "some body text")
			}
			if _, err := tx.Exec(ctx, "INSERT INTO content (id, type, owner, title, description, created, modified) VALUES "+strings.Join(rows, ", "), args...); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO content__doc (id, created, f_size, f_label, f_body) VALUES "+strings.Join(typeRows, ", "), typeArgs...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkList lists the 20 newest items with the total, without and with an
// equality filter, sorted by a field, and the page after the middle one by its
// cursor, at 10,000 and 100,000 items on each database. The items are
// inserted when the benchmark runs, never in plain go test.
func BenchmarkList(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			for _, n := range []int{10_000, 100_000} {
				b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
					if n > 10_000 && testing.Short() {
						b.Skip("100k items: not in -short mode")
					}
					benchList(b, backend, n)
				})
			}
		})
	}
}

func benchList(b *testing.B, backend storetest.Backend, n int) {
	ctx := context.Background()
	db := storetest.Open(b, backend)
	user := &backrest.User{ID: backrest.UserID{1, 2, 3}}
	if _, err := db.Exec(ctx, "INSERT INTO users (id, short_id, email, email_key, created, modified) VALUES (?, ?, ?, ?, 0, 0)",
		user.ID.String(), user.ID.Short(), "bench@example.com", "bench@example.com"); err != nil {
		b.Fatal(err)
	}
	s, err := New(ctx, db, Options{Types: []Type{benchType()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	fill(b, db, user.ID, n)
	if db.Postgres() {
		// As autovacuum does soon after such an insert: fresh statistics, and a
		// visibility map that lets counts read indexes only.
		if _, err := db.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	t := s.types[0]
	for _, c := range []struct{ name, query string }{
		{"newest", "limit=20"},
		{"filter", "limit=20&size=42"},
		{"sort", "limit=20&sort=-label"},
	} {
		b.Run(c.name, func(b *testing.B) {
			params, _ := url.ParseQuery(c.query)
			q, err := t.ParseQuery(params)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				page, err := s.List(ctx, user, t, q)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Items) != 20 || page.Total == 0 {
					b.Fatalf("%d items of %d", len(page.Items), page.Total)
				}
			}
		})
	}
	b.Run("cursor", func(b *testing.B) {
		q, err := t.ParseQuery(url.Values{"limit": {"20"}, "offset": {strconv.Itoa(n / 2)}})
		if err != nil {
			b.Fatal(err)
		}
		middle, err := s.List(ctx, user, t, q)
		if err != nil || middle.Cursor == "" {
			b.Fatalf("middle page: %v, cursor %q", err, middle.Cursor)
		}
		if q, err = t.ParseQuery(url.Values{"limit": {"20"}, "cursor": {middle.Cursor}}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			page, err := s.List(ctx, user, t, q)
			if err != nil {
				b.Fatal(err)
			}
			if len(page.Items) != 20 || page.Items[0].ID == middle.Items[19].ID {
				b.Fatalf("%d items after the middle page", len(page.Items))
			}
		}
	})
}

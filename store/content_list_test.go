package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// A search selects the same pages whichever way it reads them: from the texts
// found, or in the order of the listing (as for a search known to find many).
func TestSearchPlans(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		table := store.NewContentTable("doc", false, []store.ContentColumn{
			{Field: "name", Kind: "string", Type: store.TextColumn, Indexed: true, Searched: true},
			{Field: "n", Kind: "integer", Type: store.BigintColumn, Indexed: true},
		})
		now := time.Unix(1700000000, 0)
		if err := store.SyncContentTables(ctx, db, []*store.ContentTable{table}, false, now, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		owner := &backrest.User{Email: "ann@example.com"}
		words := []string{"Apple", "banana", "Cherry", "apricot"}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.CreateUser(ctx, tx, owner, now); err != nil {
				return err
			}
			for i := range 120 {
				created := now.Add(time.Duration(i%37) * time.Second)
				name := words[i%4] + " " + words[(i/4)%4]
				id, err := store.InsertContent(ctx, tx, "doc", owner.ID.String(), fmt.Sprintf("doc %d", i), "", created)
				if err != nil {
					return err
				}
				if err := store.InsertContentFields(ctx, tx, table, id, created, []any{name, int64(i % 7)}); err != nil {
					return err
				}
				if err := store.WriteContentSearch(ctx, tx, id, store.SearchText([]string{fmt.Sprintf("doc %d", i), name})); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// walk returns the ids of all pages of q, of 7 items, following Next.
		walk := func(q store.ContentQuery) []int64 {
			var ids []int64
			q.Limit = 7
			for range 100 {
				page, err := store.ListContent(ctx, db, table, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Rows {
					ids = append(ids, r.ID)
				}
				if page.Next == nil {
					return ids
				}
				q.After = page.Next
			}
			t.Fatal("endless pages")
			return nil
		}
		for _, search := range [][]string{{"ap"}, {"apple"}, {"an", "cherry"}, {"doc 1"}, {"zzz"}} {
			for _, sort := range []string{"creation_date", "title", "n"} {
				for _, desc := range []bool{false, true} {
					q := store.ContentQuery{Search: search, Sort: sort, Desc: desc, Matches: -1}
					byJoin := walk(q)
					q.Matches = 1 << 40
					if byOrder := walk(q); !slices.Equal(byJoin, byOrder) {
						t.Fatalf("%q by %s (desc %v): %v from the texts, %v in order", search, sort, desc, byJoin, byOrder)
					}
					q.Count, q.Limit = true, 1000
					page, err := store.ListContent(ctx, db, table, q)
					if err != nil || page.Total != int64(len(byJoin)) || len(page.Rows) != len(byJoin) {
						t.Fatalf("%q: counted %d, %d rows, walked %d (%v)", search, page.Total, len(page.Rows), len(byJoin), err)
					}
				}
			}
		}
	})
}

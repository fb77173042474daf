package http_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// BenchmarkAdminListUsers measures pages of GET /-/admin/users among 10,000 users:
// the first page, a search by a part of a name, and a role filter, each with its
// total count. It reports the median latency.
func BenchmarkAdminListUsers(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			cfg := backrest.DefaultConfig()
			cfg.DataDir = b.TempDir()
			cfg.DB = storetest.DSN(b, backend)
			cfg.RateLimits = backrest.RateLimits{}
			a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { a.Close() })
			ctx := context.Background()
			if _, err := a.Accounts.AddUser(ctx, account.NewUser{Email: "root@example.com", Password: pw, Roles: []string{"admin"}}); err != nil {
				b.Fatal(err)
			}
			err = a.DB.InTx(ctx, func(tx *store.Tx) error {
				now := time.Now()
				for i := range 10000 {
					u := &backrest.User{Email: fmt.Sprintf("user%d@example.com", i), Firstname: fmt.Sprintf("First%d", i),
						Lastname: []string{"Smith", "Jones", "Miller", "Brown"}[i%4], Active: i%10 != 0}
					if i%50 == 0 {
						u.Roles = []string{"editor"}
					}
					if err := store.CreateUser(ctx, tx, u, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			sess, err := a.Accounts.Login(ctx, "root@example.com", pw)
			if err != nil {
				b.Fatal(err)
			}
			h := a.Handler()
			for _, q := range []string{"", "?q=smith", "?q=first123", "?role=editor&active=true"} {
				b.Run(strings.TrimPrefix(q, "?"), func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					for b.Loop() {
						req := httptest.NewRequest("GET", "/-/admin/users"+q, nil)
						req.Header.Set("Authorization", "Bearer "+sess.Token)
						w := httptest.NewRecorder()
						start := time.Now()
						h.ServeHTTP(w, req)
						lat = append(lat, time.Since(start))
						if w.Code != 200 || w.Header().Get("X-Total-Count") == "" {
							b.Fatalf("%s: %d %s", q, w.Code, w.Body)
						}
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
				})
			}
		})
	}
}

package webhook_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
	"github.com/backrest/backrest/webhook"
)

// BenchmarkDelivery measures the delivery of b.N events to a receiver on
// 127.0.0.1 that acknowledges at once, by one worker (Flush), on each database:
// the events of distinct items, sent 8 at a time, and those of one item, sent one
// after the other. It reports deliveries per second.
func BenchmarkDelivery(b *testing.B) {
	for _, backend := range storetest.Backends() {
		for _, c := range []struct {
			name  string
			items int64
		}{{"distinct-items", 0}, {"one-item", 1}} {
			b.Run(string(backend)+"/"+c.name, func(b *testing.B) {
				var got atomic.Int64
				rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					got.Add(1)
					w.WriteHeader(http.StatusNoContent)
				}))
				defer rec.Close()
				cfg := backrest.DefaultConfig()
				cfg.DataDir = b.TempDir()
				cfg.DB = storetest.DSN(b, backend)
				cfg.WebhookAllowPrivate = true
				a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
					Types: []content.Type{{Name: "note"}}})
				if err != nil {
					b.Fatal(err)
				}
				defer a.Close()
				ctx := context.Background()
				if _, err := a.Webhooks.Create(ctx, account.Operator(), webhook.Input{URL: &rec.URL}); err != nil {
					b.Fatal(err)
				}
				err = a.DB.InTx(ctx, func(tx *store.Tx) error {
					for i := range int64(b.N) {
						item := i + 1
						if c.items > 0 {
							item = 1 + i%c.items
						}
						if err := store.InsertEvent(ctx, tx, store.Event{Type: "note", Item: item, Kind: "update", Owner: "x", Created: time.Now()}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				if err := a.Webhooks.Flush(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
				if got.Load() != int64(b.N) {
					b.Fatalf("%d delivered, want %d", got.Load(), b.N)
				}
			})
		}
	}
}

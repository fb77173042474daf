package http_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// benchServer returns the handler of a server on a new database with the default
// (production) password hashing, and a user ann@example.com.
func benchServer(b *testing.B, backend storetest.Backend) http.Handler {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.DB = storetest.DSN(b, backend)
	cfg.RateLimits = backrest.RateLimits{}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.Accounts.AddUser(context.Background(), account.NewUser{Email: "ann@example.com", Password: pw}); err != nil {
		b.Fatal(err)
	}
	return a.Handler()
}

// BenchmarkLogin measures PUT /-/login through the handler with the default argon2id
// parameters, one login at a time, and reports the median latency. Run it with
// -benchtime=100x for the median of 100 logins.
func BenchmarkLogin(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h := benchServer(b, backend)
			body := []byte(`{"login": "ann@example.com", "password": "` + pw + `"}`)
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequest("PUT", "/-/login", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				lat = append(lat, time.Since(start))
				if w.Code != 200 {
					b.Fatalf("login: %d %s", w.Code, w.Body)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
		})
	}
}

// BenchmarkAuthInfo measures GET /-/login for a logged-in user: one session lookup.
func BenchmarkAuthInfo(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h := benchServer(b, backend)
			req := httptest.NewRequest("PUT", "/-/login", bytes.NewReader([]byte(`{"login": "ann@example.com", "password": "`+pw+`"}`)))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			cookie := w.Result().Cookies()[0]
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("GET", "/-/login", nil)
					req.AddCookie(cookie)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"authenticated":true`)) {
						b.Fatalf("auth info: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

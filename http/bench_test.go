package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store/storetest"
)

// benchServer returns the handler of a server on a new database with the default
// (production) password hashing, the rate limits given, and a user
// ann@example.com.
func benchServer(b *testing.B, backend storetest.Backend, limits backrest.RateLimits) http.Handler {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.DB = storetest.DSN(b, backend)
	cfg.RateLimits = limits
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
// parameters, one login at a time, without and with the default rate limits, and
// reports the median latency. Run it with -benchtime=100x for the median of 100
// logins.
func BenchmarkLogin(b *testing.B) {
	limits := map[string]backrest.RateLimits{"limits=off": {}, "limits=on": backrest.DefaultConfig().RateLimits}
	for _, backend := range storetest.Backends() {
		for _, name := range []string{"limits=off", "limits=on"} {
			b.Run(string(backend)+"/"+name, func(b *testing.B) {
				h := benchServer(b, backend, limits[name])
				medianLatency(b, h, "PUT", "/-/login", `{"login": "ann@example.com", "password": "`+pw+`"}`)
			})
		}
	}
}

// medianLatency sends the JSON body to the path, one request at a time, expects 200
// and reports the median latency.
func medianLatency(b *testing.B, h http.Handler, method, path, body string) {
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, req)
		lat = append(lat, time.Since(start))
		if w.Code != 200 {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkAuthInfo measures GET /-/login for a logged-in user: one session lookup.
func BenchmarkAuthInfo(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h := benchServer(b, backend, backrest.RateLimits{})
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

// benchItems returns the handler of a benchmark server with a content type item
// (an integer size, a text body and two relations to items, parent and related),
// n items of it created through the API, the session cookie of their owner and
// the URL paths of the items. The items of the second half hold two of the first
// half each, at random.
func benchItems(b *testing.B, backend storetest.Backend, n int, configure ...func(*backrest.Config)) (http.Handler, *http.Cookie, []string) {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.DB = storetest.DSN(b, backend)
	cfg.RateLimits = backrest.RateLimits{}
	for _, f := range configure {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg, app.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Types: []content.Type{{Name: "item", Fields: []content.Field{
			{Name: "size", Kind: content.Integer}, {Name: "body", Kind: content.Text},
			{Name: "parent", Kind: content.Relation, Target: "item", OnDelete: content.SetNull},
			{Name: "related", Kind: content.Relation, Target: "item", OnDelete: content.SetNull}}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.Accounts.AddUser(context.Background(), account.NewUser{Email: "ann@example.com", Password: pw}); err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	w := serve(h, "PUT", "/-/login", `{"login": "ann@example.com", "password": "`+pw+`"}`, nil)
	cookie := w.Result().Cookies()[0]
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 4)
	paths := make([]string, n)
	ids := make([]int64, n)
	for i := range n {
		rel := ""
		if seeds := (n + 1) / 2; i >= seeds {
			rel = fmt.Sprintf(`, "parent": %d, "related": %d`, ids[rand.IntN(seeds)], ids[rand.IntN(seeds)])
		}
		w := serve(h, "POST", "/-/items", fmt.Sprintf(`{"title": "item %d", "size": %d, "body": %q%s}`, i, i%100, body, rel), cookie)
		var item struct {
			ID   int64 `json:"id"`
			Meta struct {
				URL string `json:"url"`
			} `json:"__meta__"`
		}
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &item) != nil {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
		u, _ := url.Parse(item.Meta.URL)
		paths[i], ids[i] = u.Path, item.ID
	}
	return h, cookie, paths
}

// serve makes one request of the handler, with a JSON body unless body is empty.
func serve(h http.Handler, method, target, body string, cookie *http.Cookie) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// BenchmarkReadItem measures GET of one item by its owner: the session lookup,
// the permission check, reading the item and encoding it.
func BenchmarkReadItem(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h, cookie, paths := benchItems(b, backend, 1000)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					w := serve(h, "GET", paths[i%len(paths)], "", cookie)
					if w.Code != http.StatusOK {
						b.Fatalf("read: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkReadItemMetrics is BenchmarkReadItem on SQLite without and with the
// metrics, to measure what they cost; -count=N alternates the two.
func BenchmarkReadItemMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("metrics=%v", on), func(b *testing.B) {
			h, cookie, paths := benchItems(b, storetest.SQLite, 1000, func(c *backrest.Config) {
				if on {
					c.MetricsAddr = "127.0.0.1:0"
				}
			})
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					w := serve(h, "GET", paths[i%len(paths)], "", cookie)
					if w.Code != http.StatusOK {
						b.Fatalf("read: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkListPage measures GET of the 20 newest items with their total, as the
// owner: the session lookup, the permission check, the page and its encoding.
func BenchmarkListPage(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h, cookie, _ := benchItems(b, backend, 1000)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := serve(h, "GET", "/-/items?limit=20", "", cookie)
					if w.Code != http.StatusOK || w.Header().Get("X-Total-Count") != "1000" {
						b.Fatalf("list: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkListExpand measures GET of the 20 newest items with their total, as
// BenchmarkListPage, plain and with both relations of each item expanded, one
// after the other on the same server, so that their ratio is that of one run.
func BenchmarkListExpand(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h, cookie, _ := benchItems(b, backend, 1000)
			for _, q := range []string{"", "&expand=parent,related"} {
				b.Run("expand="+strconv.FormatBool(q != ""), func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							w := serve(h, "GET", "/-/items?limit=20"+q, "", cookie)
							if w.Code != http.StatusOK || q != "" && !bytes.Contains(w.Body.Bytes(), []byte(`"expand":{"parent":{"id":`)) {
								b.Fatalf("list: %d %s", w.Code, w.Body)
							}
						}
					})
				})
			}
		})
	}
}

// BenchmarkCreateItem measures POST of a new item: the session lookup, the
// permission check, validation, the insert in its transaction and the answer.
func BenchmarkCreateItem(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			h, cookie, _ := benchItems(b, backend, 1)
			body := fmt.Sprintf(`{"title": "created", "size": 7, "body": %q}`, strings.Repeat("Lorem ipsum dolor sit amet. ", 8))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if w := serve(h, "POST", "/-/items", body, cookie); w.Code != http.StatusCreated {
						b.Fatalf("create: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkReset measures POST /-/reset/ for an address with an account and for
// one without, one at a time, and reports the median latency of each: the two take
// the same path (a mail queued, or the same work without one), so they should not
// tell the addresses apart.
func BenchmarkReset(b *testing.B) {
	for _, backend := range storetest.Backends() {
		for _, who := range []string{"known", "unknown"} {
			b.Run(string(backend)+"/"+who, func(b *testing.B) {
				h := benchServer(b, backend, backrest.RateLimits{})
				email := "ann@example.com"
				if who == "unknown" {
					email = "nobody@example.com"
				}
				medianLatency(b, h, "POST", "/-/reset/", `{"email": "`+email+`"}`)
			})
		}
	}
}

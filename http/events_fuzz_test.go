package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
)

// FuzzEventsParams sends GET /-/events with any query and Last-Event-ID header to
// a real server: it answers a stream, or a JSON 400 that names parameters sent
// (or types, which is required); never another status.
func FuzzEventsParams(f *testing.F) {
	seeds := []struct{ query, header string }{
		{"types=notices", ""}, {"types=notices,diaries&id=3", "7"}, {"", ""}, {"types=", ""}, {"types=nope", ""},
		{"types=notices,", ""}, {"types=notices&id=0", ""}, {"types=notices&id=-1", ""}, {"types=notices&id=x", ""},
		{"types=notices&id=99999999999999999999", ""}, {"types=notices", "-1"}, {"types=notices", "x"},
		{"types=notices", "99999999999999999999"}, {"types=notices&lastEventId=5", ""}, {"types=notices&lastEventId=x", "5"},
		{"types=notices&lastEventId=-3", ""}, {"types=notices%00", ""}, {"types=%ff", ""}, {"types=notices&id=%00", ""},
		{"types=notices&types=diaries&id=1&id=x", ""}, {"%zz", ""}, {"types=notices&lastEventId=%ff", ""}, {"types=notices", " 5"},
	}
	for _, s := range seeds {
		f.Add(s.query, s.header)
	}
	dir := f.TempDir()
	cfg := testConfig(dir)
	cfg.Schema = filepath.Join(dir, "schema.json")
	cfg.EventStreamsPerUser = 1 << 20
	if err := os.WriteFile(cfg.Schema, []byte(testSchema), 0o644); err != nil {
		f.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	f.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	f.Fuzz(func(t *testing.T, query, header string) {
		// What cannot be sent in a request line or header is not backrest's to answer.
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == '#' || r == 0x7f }) {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/-/events", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = query
		if header != "" {
			req.Header.Set("Last-Event-ID", header)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return // refused by the client: an invalid header value
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("%q, %q: 200 of %s", query, header, ct)
			}
			return
		case http.StatusBadRequest:
		default:
			t.Fatalf("%q, %q: status %d", query, header, resp.StatusCode)
		}
		var body struct {
			Status string                `json:"status"`
			Errors []backrest.FieldError `json:"errors"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "error" || len(body.Errors) == 0 {
			t.Fatalf("%q, %q: 400 without a JSON error: %v %+v", query, header, err, body)
		}
		sent, _ := url.ParseQuery(query)
		for _, e := range body.Errors {
			switch {
			case e.Location == "header" && e.Name == "Last-Event-ID" && header != "":
			case e.Location == "querystring" && (e.Name == "types" || slices.ContainsFunc(keys(query), func(k string) bool { return k == e.Name })):
			default:
				t.Fatalf("%q, %q: 400 naming %s %q, not a parameter sent (%v)", query, header, e.Location, e.Name, sent)
			}
			if e.Description == "" {
				t.Fatalf("%q, %q: no description for %s", query, header, e.Name)
			}
		}
	})
}

// keys returns the names of the parameters of a raw query, decoded where they
// decode, as an error answer spells them: U+FFFD for each run of bytes that are
// not UTF-8, without NUL characters.
func keys(raw string) []string {
	var out []string
	for _, part := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if d, err := url.QueryUnescape(k); err == nil {
			k = d
		}
		out = append(out, strings.ReplaceAll(strings.ToValidUTF8(k, "\uFFFD"), "\x00", ""))
	}
	return out
}

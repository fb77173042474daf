package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/store/storetest"
)

// TestEmbed runs the program's app on a real listener and uses its foo type over
// HTTP: log in, create a foo, read it back by the URL the server gives.
func TestEmbed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		ctx, cancel := context.WithCancel(context.Background())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg := backrest.DefaultConfig()
		cfg.DataDir, cfg.DB = t.TempDir(), storetest.DSN(t, b)
		cfg.BaseURL = "http://" + ln.Addr().String()
		cfg.Argon2 = backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}
		a, err := newApp(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- a.Serve(ctx, ln) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
			a.Close()
		})
		if _, err := a.Accounts.AddUser(ctx, account.NewUser{Email: "ann@example.com", Password: "correct horse"}); err != nil {
			t.Fatal(err)
		}

		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		call := func(method, url string, body any, want int) map[string]any {
			t.Helper()
			var r io.Reader
			if body != nil {
				data, _ := json.Marshal(body)
				r = bytes.NewReader(data)
			}
			req, _ := http.NewRequest(method, url, r)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			data, _ := io.ReadAll(res.Body)
			if res.StatusCode != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, url, res.StatusCode, want, data)
			}
			var out map[string]any
			if err := json.Unmarshal(data, &out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, url, err, data)
			}
			return out
		}
		base := cfg.BaseURL
		call("PUT", base+"/-/login", map[string]any{"login": "ann@example.com", "password": "correct horse"}, 200)
		foo := call("POST", base+"/-/foos", map[string]any{"title": "a foo", "size": 3, "color": "red"}, 201)
		url := foo["__meta__"].(map[string]any)["url"].(string)
		got := call("GET", url, nil, 200)
		if got["title"] != "a foo" || got["size"] != 3.0 || got["color"] != "red" || got["type"] != "foo" {
			t.Fatalf("read back %v", got)
		}
		call("POST", base+"/-/foos", map[string]any{"title": "big red", "size": 11, "color": "red"}, 400)
		call("POST", base+"/-/foos", map[string]any{"title": "no size"}, 400)
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/store/storetest"
)

// TestEmbed runs the program as it runs, configured by BACKREST_* variables, and
// uses its foo type over HTTP: log in, create a foo, read it back by the URL the
// server gives, and see big red foos refused on create and on update.
func TestEmbed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		ctx, cancel := context.WithCancel(context.Background())
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_ADDR": addr, "BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b),
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		// The user is added beforehand on the database the variables name: the
		// server finds it only if it read them.
		cfg := backrest.DefaultConfig()
		cfg.DataDir, cfg.DB = vars["BACKREST_DATA"], vars["BACKREST_DB"]
		cfg.Argon2 = backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}
		a, err := newApp(ctx, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Accounts.AddUser(ctx, account.NewUser{Email: "ann@example.com", Password: "correct horse"})
		a.Close()
		if err != nil {
			t.Fatal(err)
		}

		var logs bytes.Buffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, nil, func(k string) string { return vars[k] }, io.Discard, &logs)
		}()
		stopped := false
		stop := func() {
			if !stopped {
				stopped = true
				cancel()
				if err := <-done; err != nil {
					t.Errorf("run: %v", err)
				}
			}
		}
		t.Cleanup(stop)
		base := "http://" + addr
		waitUp(t, base)

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
		call("PUT", base+"/-/login", map[string]any{"login": "ann@example.com", "password": "correct horse"}, 200)
		foo := call("POST", base+"/-/foos", map[string]any{"title": "a foo", "size": 3, "color": "red"}, 201)
		url := foo["__meta__"].(map[string]any)["url"].(string)
		got := call("GET", url, nil, 200)
		if got["title"] != "a foo" || got["size"] != 3.0 || got["color"] != "red" || got["type"] != "foo" {
			t.Fatalf("read back %v", got)
		}
		call("POST", base+"/-/foos", map[string]any{"title": "big red", "size": 11, "color": "red"}, 400)
		call("POST", base+"/-/foos", map[string]any{"title": "no size"}, 400)

		// An update is checked like a create, and a refused one changes nothing.
		refused := call("PUT", url, map[string]any{"size": 11}, 400)
		if !strings.Contains(mustJSON(t, refused), "Red foos are at most 10 big") {
			t.Fatalf("refused update: %v", refused)
		}
		if got := call("GET", url, nil, 200); got["size"] != 3.0 {
			t.Fatalf("after a refused update: %v", got)
		}
		if got := call("PUT", url, map[string]any{"size": 10}, 200); got["size"] != 10.0 {
			t.Fatalf("update: %v", got)
		}

		// The log is in the format of the backrest command.
		stop()
		if !strings.Contains(logs.String(), `level=INFO msg="embedded backrest with a foo type" url=`+base+"/-/foos") {
			t.Fatalf("log: %s", logs.String())
		}
	})
}

// The program's help lists the settings with their variables, on stdout.
func TestEmbedHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "BACKREST_ADDR") ||
		!strings.Contains(out.String(), "(default ./embed_data)") {
		t.Fatalf("help: %v: %s", err, out.String())
	}
	err = run(context.Background(), nil, func(k string) string { return map[string]string{"BACKREST_DEBUG": "yes"}[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "BACKREST_DEBUG") {
		t.Fatalf("bad variable: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitUp waits until the server at base answers.
func waitUp(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		res, err := http.Get(base + "/-/")
		if err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("server at %s did not come up", base)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/files"
	"github.com/backrest/backrest/store/storetest"
)

// env is an environment for run with only the given variables.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
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

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "backrest ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), &out, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), nil, env(nil), &out, &out); err == nil {
		t.Fatal("no command accepted")
	}
}

func TestMigrate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b)}
		var out bytes.Buffer
		if err := run(context.Background(), []string{"migrate"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "applied migrations") {
			t.Fatalf("first migrate: %q, %v", out.String(), err)
		}
		out.Reset()
		if err := run(context.Background(), []string{"migrate"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "up to date") {
			t.Fatalf("second migrate: %q, %v", out.String(), err)
		}
	})
}

// backrest user add works while a server runs on the same data folder, and the
// server sees the new user at once.
func TestUserAddWhileServing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b), "BACKREST_ADDR": addr,
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		ctx, cancel := context.WithCancel(context.Background())
		var logs bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve"}, env(vars), &logs, &logs) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		base := "http://" + addr
		waitUp(t, base)

		var out bytes.Buffer
		args := []string{"user", "add", "--password", "s3cret pass", "--firstname", "Root", "--role", "admin", "--role", "editor", "root@example.com"}
		if err := run(context.Background(), args, env(vars), &out, &out); err != nil {
			t.Fatalf("user add: %v: %s", err, out.String())
		}
		if err := run(context.Background(), args, env(vars), &out, &out); err == nil || !strings.Contains(err.Error(), "Email already exists") {
			t.Fatalf("second user add: %v", err)
		}
		if err := run(context.Background(), []string{"user", "add", "not-an-address"}, env(vars), &out, &out); err == nil {
			t.Fatal("bad address accepted")
		}
		if err := run(context.Background(), []string{"user", "add", "--inactive", "later@example.com"}, env(vars), &out, &out); err != nil {
			t.Fatalf("user add without a password: %v", err)
		}

		res, err := http.DefaultClient.Do(jsonRequest(t, "PUT", base+"/-/login", `{"login": "root@example.com", "password": "s3cret pass"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Status string
			User   struct {
				Firstname string
				Roles     []string
			}
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Status != "success" ||
			body.User.Firstname != "Root" || strings.Join(body.User.Roles, ",") != "admin,editor" {
			t.Fatalf("login as the new user: %+v, %v", body, err)
		}
	})
}

func jsonRequest(t *testing.T, method, url, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
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

// A request in flight when the server is told to stop still gets its answer.
func TestGracefulShutdown(t *testing.T) {
	addr := freeAddr(t)
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), &logs, &logs) }()
	base := "http://" + addr
	waitUp(t, base)

	// A slow upload: the body arrives after the shutdown began.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"login": "nobody@example.com", "password": "whatever"}`
	head := "PUT /-/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	// Let the server start reading the request, then stop it while the rest of the
	// body is still on its way.
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("in-flight request: %d", res.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// files check reports orphaned bytes and files whose bytes are gone; files sweep
// removes the orphans older than the grace period.
func TestFilesCommands(t *testing.T) {
	data := t.TempDir()
	vars := map[string]string{"BACKREST_DATA": data, "BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 files checked: 0 missing, 0 corrupt; 0 blobs without a file") {
		t.Fatalf("check of nothing: %q, %v", out.String(), err)
	}
	blobs, err := blob.NewLocal(filepath.Join(data, "files"))
	if err != nil {
		t.Fatal(err)
	}
	orphan, err := blobs.Create(ctx, strings.NewReader("orphan"))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "orphan: "+orphan.Key) {
		t.Fatalf("check with an orphan: %q, %v", out.String(), err)
	}
	// The orphan is younger than the default grace period: kept.
	out.Reset()
	if err := run(ctx, []string{"files", "sweep"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 orphaned") {
		t.Fatalf("sweep: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "sweep", "--sweep-grace", "0"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "1 orphaned") {
		t.Fatalf("sweep without grace: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 blobs without a file") {
		t.Fatalf("check after the sweep: %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"files", "frob"}, env(vars), &out, &out); err == nil {
		t.Fatal("unknown files command accepted")
	}

	// A file whose bytes are gone fails the check.
	cfg := backrest.DefaultConfig()
	cfg.DataDir = data
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	u := &backrest.User{ID: backrest.UserID{1}}
	f, err := a.Files.Upload(ctx, u, files.Upload{Body: strings.NewReader("bytes"), Filename: "f.txt"})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Delete(ctx, f.Key); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err == nil || !strings.Contains(out.String(), "missing: "+f.UUID) {
		t.Fatalf("check with a missing file: %q, %v", out.String(), err)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

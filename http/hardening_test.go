package http_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store/storetest"
)

// Every call that changes something is refused from a cross-site page with the
// session cookie, and nothing changes; the same call from the same origin works.
func TestCrossSiteRefusedEverywhere(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		doc := alice.post("/-/documents", obj{"title": "Mine", "rank": 1}).expect(http.StatusCreated).JSON()
		docPath := "/-/documents/" + strconv.Itoa(int(doc["id"].(float64)))
		file := alice.upload([]byte("hello"), "text/plain", "a.txt")
		filePath := "/-/" + file.UUID + "~"
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"DELETE", filePath, nil},
			{"POST", "/-/files", "bytes"},
			{"POST", "/-/documents", obj{"title": "x", "rank": 1}},
			{"PUT", docPath, obj{"title": "changed"}},
			{"DELETE", docPath, nil},
			{"PUT", "/-/userprofile", obj{"firstname": "Mallory"}},
			{"POST", "/-/userprofile", obj{"password": pw}},
			{"PUT", "/-/password", obj{"current": pw, "password": "another one"}},
			{"PUT", "/-/email", obj{"email": "mallory@example.com", "password": pw}},
			{"PUT", "/-/logout", nil},
			{"PUT", "/-/login", obj{"login": "alice@example.com", "password": pw}},
			{"POST", "/-/signup", obj{"email": "new@example.com", "password": "password1"}},
			{"POST", "/-/reset/", obj{"email": "alice@example.com"}},
		} {
			alice.header.Set("Origin", "https://evil.example")
			alice.header.Set("Sec-Fetch-Site", "cross-site")
			ct := "application/json"
			if c.path == "/-/files" {
				ct = "text/plain"
			}
			alice.do(c.method, c.path, c.body, ct).expectError(http.StatusForbidden, "", "Cross-origin request refused")
		}
		alice.header.Del("Origin")
		alice.header.Del("Sec-Fetch-Site")
		if got := alice.get("/-/userprofile").expect(http.StatusOK).JSON(); got["firstname"] != "" || got["email"] != "alice@example.com" {
			t.Fatalf("profile changed: %v", got)
		}
		alice.get(docPath).expect(http.StatusOK)
		alice.get(filePath).expect(http.StatusOK)
		if n := len(alice.get("/-/documents").expect(http.StatusOK).list()); n != 1 {
			t.Fatalf("%d documents", n)
		}
		if len(e.mails("alice@example.com")) != 0 || len(e.mails("new@example.com")) != 0 || len(e.mails("mallory@example.com")) != 0 {
			t.Fatal("a cross-site call sent a mail")
		}
		alice.header.Set("Sec-Fetch-Site", "same-origin")
		alice.delete(filePath).expectSuccess()
	})
}

// An Authorization header of another scheme (a proxy's Basic credentials) leaves
// the session cookie in force; a bearer token still wins over the cookie.
func TestForeignAuthorizationKeepsCookie(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("alice@example.com", pw, "", "")
		b := e.browser()
		b.login("alice@example.com", pw).expectSuccess()
		b.header.Set("Authorization", "Basic dXNlcjpwYXNz")
		if got := b.get("/-/userprofile").expect(http.StatusOK).JSON(); got["email"] != "alice@example.com" {
			t.Fatalf("profile: %v", got)
		}
		b.header.Set("Authorization", "Bearer not-a-session")
		b.get("/-/userprofile").expectError(http.StatusForbidden, "", "")
	})
}

// An empty suffix range (bytes=-0) selects no byte: 416 with the size, in the JSON
// shape; beside a satisfiable range it is ignored.
func TestEmptySuffixRange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("alice@example.com")
		f := b.upload([]byte("0123456789abcdefghij"), "text/plain", "a.txt")
		path := "/-/" + f.UUID + "~"
		for _, rng := range []string{"bytes=-0", "bytes=-00", "bytes=-0, -0"} {
			b.header.Set("Range", rng)
			r := b.get(path)
			r.expectError(http.StatusRequestedRangeNotSatisfiable, "", "")
			if cr := r.header.Get("Content-Range"); cr != "bytes */20" {
				t.Fatalf("%s: Content-Range %q", rng, cr)
			}
		}
		b.header.Set("Range", "bytes=0-1,-0")
		r := b.get(path).expect(http.StatusPartialContent)
		if cr := r.header.Get("Content-Range"); cr != "bytes 0-1/20" || string(r.body) != "01" {
			t.Fatalf("Content-Range %q, body %q", cr, r.body)
		}
	})
}

// A client that goes away while its request runs is not an error of the server.
func TestClientGoneIsNoError(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		started := make(chan struct{})
		waiter := content.Type{Name: "waiter", Hooks: content.Hooks{Create: func(ctx context.Context, c *content.Change) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}}}
		logs := &syncBuffer{}
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		srv := httptest.NewUnstartedServer(nil)
		cfg.BaseURL = "http://" + srv.Listener.Addr().String()
		a, err := app.New(context.Background(), cfg, app.Options{Types: []content.Type{waiter},
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/-/waiters" {
				defer close(done)
			}
			a.Handler().ServeHTTP(w, r)
		})
		srv.Start()
		t.Cleanup(func() {
			srv.Close()
			a.Close()
		})
		e := &env{t: t, app: a, srv: srv, clock: &clock{}, data: cfg.DataDir}
		e.addUser("alice@example.com", pw, "", "")
		login := e.browser()
		login.login("alice@example.com", pw).expectSuccess()
		cookie := login.client.Jar.Cookies(mustURL(t, srv.URL))[0]

		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		body := `{"title": "t"}`
		io.WriteString(c, "POST /-/waiters HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCookie: "+cookie.Name+"="+cookie.Value+
			"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		<-started
		c.Close()
		<-done
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Fatalf("a client gone logged an error:\n%s", logs)
		}
		if !strings.Contains(logs.String(), "request canceled") {
			t.Fatalf("the canceled request is not logged for debugging:\n%s", logs)
		}
	})
}

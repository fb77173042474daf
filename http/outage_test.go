package http_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// proxy forwards TCP connections from its own address to a target until stopped.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

// start listens on p.addr (a new port the first time) and forwards.
func (p *proxy) start() {
	p.t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

// stop closes the listener and every forwarded connection: nothing listens on
// p.addr until start.
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A PostgreSQL that cannot be reached gets 503 with Retry-After in the JSON shape,
// the outage is logged once when it starts and once, with a count, when it ends,
// and the server serves again as soon as the database is back.
func TestDatabaseOutage(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: u.Host}
	if !strings.Contains(p.target, ":") {
		p.target += ":5432"
	}
	p.start()
	t.Cleanup(p.stop)
	u.Host = p.addr
	cfg := testConfig(t.TempDir())
	cfg.DB = u.String()
	logs := &syncBuffer{}
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	e := &env{t: t, app: a, srv: srv, clock: &clock{}, data: cfg.DataDir}
	e.addUser("alice@example.com", pw, "", "")
	b := e.browser()
	b.login("alice@example.com", pw).expectSuccess()

	p.stop()
	const failures = 5
	for range failures {
		r := b.get("/-/userprofile")
		if r.status != 503 {
			t.Fatalf("%d\n%s", r.status, logs)
		}
		r.expectError(http.StatusServiceUnavailable, "", "")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
	}
	if r := e.browser().login("alice@example.com", pw); r.status != 503 {
		t.Fatalf("%d\n%s", r.status, logs)
	}
	if n := strings.Count(logs.String(), "database unreachable"); n != 1 {
		t.Fatalf("the outage logged %d times:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), "level=ERROR msg=\"request failed\"") {
		t.Fatalf("requests logged as failures:\n%s", logs)
	}

	p.start()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(logs.String(), "database reachable again"); {
		if time.Now().After(deadline) {
			t.Fatalf("the end of the outage is not logged:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "failed_requests=6") {
		t.Fatalf("the end of the outage lacks the count:\n%s", logs)
	}
	b.get("/-/userprofile").expect(http.StatusOK)
}

package http_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// watchedEnv is an env whose server reports each connection it closes.
type watchedEnv struct {
	*env
	mu     sync.Mutex
	closed map[string]chan struct{}
}

// newWatchedEnv starts a server on a new database of backend b with short body and
// write deadlines.
func newWatchedEnv(t *testing.T, b storetest.Backend) *watchedEnv {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.DB = storetest.DSN(t, b)
	cfg.BodyTimeout = 300 * time.Millisecond
	cfg.WriteTimeout = 300 * time.Millisecond
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	w := &watchedEnv{env: &env{t: t, srv: srv, clock: &clock{}, data: cfg.DataDir}, closed: map[string]chan struct{}{}}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w.app = a
	srv.Config.Handler = a.Handler()
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateClosed || st == http.StateHijacked {
			close(w.conn(c.RemoteAddr().String()))
		}
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return w
}

// conn returns the channel closed when the server closes the connection from addr.
func (w *watchedEnv) conn(addr string) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.closed[addr]
	if !ok {
		c = make(chan struct{})
		w.closed[addr] = c
	}
	return c
}

// dial opens a raw connection to the server with a small receive buffer, so that
// a client that does not read soon stops the server's writes.
func (w *watchedEnv) dial() net.Conn {
	w.t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	c, err := d.Dial("tcp", w.srv.Listener.Addr().String())
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed fails the test unless the server closes the connection c (a bound
// against a hang, far beyond the configured deadlines).
func (w *watchedEnv) waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	select {
	case <-w.conn(c.LocalAddr().String()):
	case <-time.After(time.Minute):
		t.Fatal("the server kept the connection open")
	}
}

// readAnswer reads the response on c, which must end with the connection.
func readAnswer(t *testing.T, c net.Conn) *http.Response {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("answer cut short: %v", err)
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	if !res.Close {
		t.Fatalf("answer %d keeps the connection open", res.StatusCode)
	}
	return res
}

// sessionCookie logs in as a new user and returns the Cookie header value.
func (w *watchedEnv) sessionCookie(email string) string {
	w.t.Helper()
	w.addUser(email, "password1", "", "")
	req, _ := http.NewRequest("PUT", w.url("/-/login"), strings.NewReader(`{"login":"`+email+`","password":"password1"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "backrest_session" {
			return c.Name + "=" + c.Value
		}
	}
	w.t.Fatalf("login set no cookie: %d", res.StatusCode)
	return ""
}

// TestSlowClients sends bodies that stop arriving and leaves responses unread: the
// server answers or gives up within its deadlines and closes each connection,
// while other requests keep being answered.
func TestSlowClients(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		w := newWatchedEnv(t, b)
		cookie := w.sessionCookie("slow@example.com")

		// Each stalled request is answered (when the server need not read the body)
		// and its connection closed, all open at once.
		stalled := []struct {
			name, head string
			status     int
		}{
			{"anonymous upload", "POST /-/files HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nabc", http.StatusForbidden},
			{"body to a call without one", "GET /-/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", http.StatusOK},
			{"text body to sign-up", "POST /-/signup HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nabc", http.StatusUnsupportedMediaType},
			{"JSON body that stops", "POST /-/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\"", http.StatusBadRequest},
			{"authenticated upload that stops", "POST /-/files HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nabc", http.StatusBadRequest},
		}
		conns := make([]net.Conn, len(stalled))
		for i, s := range stalled {
			conns[i] = w.dial()
			if _, err := io.WriteString(conns[i], s.head); err != nil {
				t.Fatal(err)
			}
		}
		w.browser().get("/-/").expect(http.StatusOK)
		for i, s := range stalled {
			t.Run(s.name, func(t *testing.T) {
				res := readAnswer(t, conns[i])
				if res.StatusCode != s.status {
					t.Fatalf("status %d, want %d", res.StatusCode, s.status)
				}
				w.waitClosed(t, conns[i])
			})
		}

		// A body that trickles in below the minimum rate is given up too.
		t.Run("trickling body", func(t *testing.T) {
			c := w.dial()
			fmt.Fprintf(c, "POST /-/files HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n", cookie)
			done := w.conn(c.LocalAddr().String())
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					// One byte at a time keeps within the idle deadline, never the rate.
					c.Write([]byte("a"))
				case <-time.After(time.Minute):
					t.Fatal("the server kept reading a trickling body")
				}
			}
		})

		// A download to a client that does not read ends when the write deadline
		// passes: the client then gets less than the file.
		t.Run("unread download", func(t *testing.T) {
			data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
			req, _ := http.NewRequest("POST", w.url("/-/files"), bytes.NewReader(data))
			req.Header.Set("Cookie", cookie)
			req.Header.Set("Content-Type", "application/octet-stream")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			loc := res.Header.Get("Location")
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("upload: %d", res.StatusCode)
			}
			path := loc[strings.Index(loc, "/-/"):]
			c := w.dial()
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n", path, cookie)
			w.waitClosed(t, c)
			got, _ := io.Copy(io.Discard, c)
			if got >= int64(len(data)) {
				t.Fatalf("the client got all %d bytes", got)
			}
			w.browser().get("/-/").expect(http.StatusOK)
		})
	})
}

package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// env is a backrest server on a fresh database, driven through its real HTTP
// handler over a real connection.
type env struct {
	t     *testing.T
	app   *app.App
	srv   *httptest.Server
	clock *clock
	data  string
}

// clock is a settable clock for expiry tests.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// testConfig is the configuration of test servers: cheap password hashing.
func testConfig(data string) backrest.Config {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = data
	cfg.Argon2 = backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}
	return cfg
}

// newEnv starts a server on a new database of backend b; configure may change the
// configuration first.
func newEnv(t *testing.T, b storetest.Backend, configure ...func(*backrest.Config)) *env {
	t.Helper()
	return newEnvOpts(t, b, app.Options{}, configure...)
}

// newEnvOpts is newEnv with app options, such as content types registered from Go.
func newEnvOpts(t *testing.T, b storetest.Backend, opts app.Options, configure ...func(*backrest.Config)) *env {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.DB = storetest.DSN(t, b)
	for _, f := range configure {
		f(&cfg)
	}
	return startEnv(t, cfg, opts)
}

// startEnv starts a server with the configuration, whose database and data folder
// may hold the data of a server started before.
func startEnv(t *testing.T, cfg backrest.Config, opts app.Options) *env {
	t.Helper()
	return startEnvHost(t, cfg, opts, "")
}

// startEnvHost is startEnv with a base URL that names host (such as localhost)
// instead of the listener's address; empty names the address.
func startEnvHost(t *testing.T, cfg backrest.Config, opts app.Options, host string) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	if host != "" {
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		cfg.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	e := &env{t: t, srv: srv, clock: &clock{}, data: cfg.DataDir}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
	}
	opts.Now = e.clock.Now
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.app = a
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return e
}

// forEachDB runs f on a fresh server on each backend.
func forEachDB(t *testing.T, f func(t *testing.T, e *env), configure ...func(*backrest.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnv(t, b, configure...))
	})
}

// addUser creates an active user directly, as `backrest user add` does.
func (e *env) addUser(email, password, firstname, lastname string, roles ...string) *backrest.User {
	e.t.Helper()
	u, err := e.app.Accounts.AddUser(context.Background(), account.NewUser{Email: email, Password: password,
		Firstname: firstname, Lastname: lastname, Roles: roles})
	if err != nil {
		e.t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// browser is a client with its own cookies, like a browser tab. It does not follow
// redirects.
type browser struct {
	e      *env
	client *http.Client
	// header is sent with every request.
	header http.Header
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, header: http.Header{}, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is a received response with its body read.
type response struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// JSON decodes the body as an object.
func (r *response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		r.t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// url returns an absolute URL of the server for a path or URL. The seed document's
// host, example.com, stands for the test server.
func (e *env) url(path string) string {
	if rest, ok := strings.CutPrefix(path, "http://example.com"); ok {
		return e.srv.URL + rest
	}
	if strings.HasPrefix(path, "http://") {
		return path
	}
	return e.srv.URL + path
}

// do sends a request. body is marshalled as JSON unless it is a string or []byte,
// which are sent as they are with contentType.
func (b *browser) do(method, path string, body any, contentType ...string) *response {
	b.e.t.Helper()
	var r io.Reader
	ct := "application/json"
	if len(contentType) > 0 {
		ct = contentType[0]
	}
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	case []byte:
		r = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			b.e.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.e.url(path), r)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if body != nil && ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return &response{t: b.e.t, status: res.StatusCode, header: res.Header, body: data}
}

func (b *browser) get(path string) *response         { return b.do("GET", path, nil) }
func (b *browser) post(path string, v any) *response { return b.do("POST", path, v) }
func (b *browser) put(path string, v any) *response  { return b.do("PUT", path, v) }
func (b *browser) delete(path string) *response      { return b.do("DELETE", path, nil) }
func (b *browser) login(email, password string) *response {
	return b.put("/-/login", obj{"login": email, "password": password})
}

// obj is a JSON object.
type obj = map[string]any

// expect fails the test unless the response has the status.
func (r *response) expect(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// expectError checks an error response: its status, the JSON error shape, and that
// the errors include (name, description) when name is given.
func (r *response) expectError(status int, name, description string) {
	r.t.Helper()
	r.expect(status)
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		r.t.Fatalf("error Content-Type %q", ct)
	}
	var body struct {
		Status string                `json:"status"`
		Errors []backrest.FieldError `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Status != "error" || len(body.Errors) == 0 {
		r.t.Fatalf("not an error body: %s", r.body)
	}
	for _, f := range body.Errors {
		if f.Location == "" || f.Description == "" {
			r.t.Fatalf("error without location or description: %s", r.body)
		}
	}
	if name == "" {
		return
	}
	for _, f := range body.Errors {
		if f.Name == name && (description == "" || f.Description == description) {
			return
		}
	}
	r.t.Fatalf("errors lack (%s, %q): %s", name, description, r.body)
}

// expectSuccess checks a {"status": "success"} answer.
func (r *response) expectSuccess() {
	r.t.Helper()
	r.expect(http.StatusOK)
	if r.JSON()["status"] != "success" {
		r.t.Fatalf("not a success: %s", r.body)
	}
}

// sentMail is a mail found in the outbox.
type sentMail struct {
	To, Subject, Text, HTML string
}

// flush delivers the queued mails that are due, as the server's worker does.
func (e *env) flush() {
	e.t.Helper()
	if err := e.app.Mail.Flush(context.Background()); err != nil {
		e.t.Fatalf("delivering mails: %v", err)
	}
}

// mails delivers the queued mails that are due and returns the mails in the outbox
// sent to the address, oldest first.
func (e *env) mails(to string) []sentMail {
	e.t.Helper()
	e.flush()
	files, _ := filepath.Glob(filepath.Join(e.data, "outbox", "*.eml"))
	sort.Strings(files)
	var out []sentMail
	for _, f := range files {
		m := readMail(e.t, f)
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

func readMail(t *testing.T, file string) sentMail {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	m := sentMail{To: to.Address, Subject: subject}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		data, _ := io.ReadAll(r)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			m.HTML = string(data)
		} else {
			m.Text = string(data)
		}
	}
	return m
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// link returns the one link of the last mail to the address that contains part.
func (e *env) link(to, part string) string {
	e.t.Helper()
	ms := e.mails(to)
	if len(ms) == 0 {
		e.t.Fatalf("no mail to %s", to)
	}
	for _, l := range linkRE.FindAllString(ms[len(ms)-1].Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	e.t.Fatalf("last mail to %s has no link with %q: %s", to, part, ms[len(ms)-1].Text)
	return ""
}

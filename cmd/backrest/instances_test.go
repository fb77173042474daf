package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httputil"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/mail/mailtest"
	"github.com/backrest/backrest/store/storetest"
)

// The content types of the instances: the second schema adds a field, rolled out
// one instance at a time.
const (
	instancesSchemaV1 = `{"types": [{"name": "note", "fields": [{"name": "body", "type": "text"}]}]}`
	instancesSchemaV2 = `{"types": [{"name": "note", "fields": [{"name": "body", "type": "text"}, {"name": "color", "type": "string"}]}]}`
)

// TestInstances runs three backrest processes on one PostgreSQL database and one
// S3 bucket behind a round-robin reverse proxy, as docs/deployment.md describes,
// and shows that any instance serves any request: an account signed up on one,
// confirmed on another and logged in on a third; a file uploaded, downloaded and
// deleted on three; login failures spread over the instances limited together; a
// schema change rolled out one instance at a time under load without an error;
// and an instance killed with SIGKILL under a load of writes losing no
// acknowledged write and leaving no orphaned bytes once swept.
func TestInstances(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" || !blobtest.Enabled() {
		msg := fmt.Sprintf("the instances test needs PostgreSQL and S3: set %s and %s", storetest.EnvPostgres, blobtest.EnvS3)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c := newCluster(t, 3)
	// Each part works with the account of the first: a failure ends the test.
	for _, part := range []struct {
		name string
		f    func(*testing.T)
	}{{"accounts", c.accounts}, {"files", c.files}, {"rate limits", c.rateLimits},
		{"schema rollout", c.schemaRollout}, {"kill", c.kill}} {
		if !t.Run(part.name, part.f) {
			return
		}
	}
}

// cluster is the deployment of the test: instances, the proxy in front of them,
// and the SMTP server they all send to.
type cluster struct {
	t     *testing.T
	bin   string
	env   []string
	nodes []*node
	lb    *balancer
	// proxy is the base URL of the proxy, which is the instances' base URL.
	proxy string
	mails *mailtest.Server
	// schemaV1, schemaV2 are the paths of the schema files.
	schemaV1, schemaV2 string
	// token is the session of the account the subtests work with.
	token string
}

// node is one backrest serve process. Its address stays the same across
// restarts, as a load balancer's list of instances does.
type node struct {
	url, addr, data string
	cmd             *exec.Cmd
	done            chan struct{}
	log             *lockedBuffer
}

// newCluster builds the binary and starts n instances on a new PostgreSQL schema
// and a new prefix of the test's S3 bucket, and the proxy in front of them.
func newCluster(t *testing.T, n int) *cluster {
	dir := t.TempDir()
	c := &cluster{t: t, mails: &mailtest.Server{}, lb: &balancer{}}
	c.lb.cond = sync.NewCond(&c.lb.mu)
	c.bin = filepath.Join(dir, "backrest")
	if out, err := exec.Command("go", "build", "-o", c.bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	c.schemaV1, c.schemaV2 = filepath.Join(dir, "v1.json"), filepath.Join(dir, "v2.json")
	for path, schema := range map[string]string{c.schemaV1: instancesSchemaV1, c.schemaV2: instancesSchemaV2} {
		if err := os.WriteFile(path, []byte(schema), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := &http.Server{Handler: c.lb, ErrorLog: log.New(io.Discard, "", 0)}
	go proxy.Serve(ln)
	t.Cleanup(func() { proxy.Close() })
	c.proxy = "http://" + ln.Addr().String()

	smtpAddr, _ := mailtest.Start(t, c.mails, mailtest.Plain)
	secret := make([]byte, 32)
	rand.Read(secret)
	c.env = append(os.Environ(),
		"BACKREST_DB="+storetest.DSN(t, storetest.Postgres),
		"BACKREST_S3="+blobtest.URL(t),
		"BACKREST_SECRET="+fmt.Sprintf("%x", secret),
		"BACKREST_BASE_URL="+c.proxy,
		"BACKREST_TRUST_PROXY=true",
		"BACKREST_SMTP=smtp://"+smtpAddr,
		"BACKREST_ARGON2_MEMORY=64",
		"BACKREST_ARGON2_TIME=1",
		"BACKREST_LIMIT_UPLOAD=0/1h",
		"BACKREST_LOG_LEVEL=warn",
	)
	for range n {
		addr := freeAddr(t)
		nd := &node{url: "http://" + addr, addr: addr, data: t.TempDir()}
		c.nodes = append(c.nodes, nd)
		c.lb.add(nd.url)
	}
	// The instances start together: migrations take turns under their lock.
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, nd := range c.nodes {
		wg.Go(func() { errs[i] = c.start(nd, c.schemaV1) })
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			c.stop(nd)
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range c.nodes {
		c.lb.setIn(i, true)
	}
	return c
}

// start starts the node with the schema file and waits until it is ready. The
// process gets SIGKILL if the test process dies; that signal comes when the
// thread that started it ends, so a goroutine keeps that thread until the
// process has exited.
func (c *cluster) start(nd *node, schema string) error {
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = append(c.env[:len(c.env):len(c.env)], "BACKREST_ADDR="+nd.addr, "BACKREST_DATA="+nd.data, "BACKREST_SCHEMA="+schema)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	done := make(chan struct{})
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return err
	}
	nd.cmd, nd.done, nd.log = cmd, done, logs
	for {
		res, err := http.Get(nd.url + "/-/health/ready")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("backrest serve at %s exited: %s", nd.addr, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop stops the node by its process id with SIGTERM, which lets requests in
// flight finish, and waits until it has exited.
func (c *cluster) stop(nd *node) {
	if nd.cmd == nil {
		return
	}
	nd.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-nd.done:
	case <-time.After(30 * time.Second):
		c.t.Errorf("backrest serve at %s did not stop at SIGTERM", nd.addr)
		nd.cmd.Process.Kill()
		<-nd.done
	}
	nd.cmd = nil
}

// balancer is a round-robin reverse proxy over the instances in rotation, which
// appends the client's address to X-Forwarded-For as a load balancer does.
type balancer struct {
	mu        sync.Mutex
	cond      *sync.Cond
	backends  []*backend
	next      int
	transport http.Transport
}

// backend is an instance as the balancer sees it.
type backend struct {
	proxy *httputil.ReverseProxy
	in    bool
	// inflight counts the requests being proxied to it.
	inflight int
}

// add appends an instance, out of rotation.
func (b *balancer) add(target string) {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	b.transport.MaxIdleConnsPerHost = 64
	b.backends = append(b.backends, &backend{proxy: &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.SetXForwarded()
		},
		Transport: &b.transport,
		ErrorLog:  log.New(io.Discard, "", 0),
	}})
}

// setIn puts the instance i into rotation, or takes it out and waits until the
// requests it is serving are answered.
func (b *balancer) setIn(i int, in bool) {
	if in {
		b.transport.CloseIdleConnections()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends[i].in = in
	for !in && b.backends[i].inflight > 0 {
		b.cond.Wait()
	}
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var be *backend
	for range b.backends {
		candidate := b.backends[b.next%len(b.backends)]
		b.next++
		if candidate.in {
			be = candidate
			break
		}
	}
	if be != nil {
		be.inflight++
	}
	b.mu.Unlock()
	if be == nil {
		http.Error(w, "no instance in rotation", http.StatusServiceUnavailable)
		return
	}
	defer func() {
		b.mu.Lock()
		be.inflight--
		b.cond.Broadcast()
		b.mu.Unlock()
	}()
	be.proxy.ServeHTTP(w, r)
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// noRedirects is a client that returns redirects rather than following them.
var noRedirects = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send makes a request with the session token (if any) and reads the answer.
func send(method, u, token string, header map[string]string, body []byte) (answer, error) {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if body != nil && header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: data}, err
}

// do sends a request and fails the test unless the answer has the status want.
func (c *cluster) do(t *testing.T, want int, method, u, token string, body any) answer {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	a, err := send(method, u, token, nil, data)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	if a.status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, u, a.status, a.body, want)
	}
	return a
}

// at returns the URL u, made from the proxy's base URL, on the node.
func (c *cluster) at(t *testing.T, nd *node, u string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(u, c.proxy)
	if !ok {
		t.Fatalf("URL %s is not under the base URL %s", u, c.proxy)
	}
	return nd.url + rest
}

// sessionOf returns the session token that an answer sets.
func sessionOf(t *testing.T, a answer) string {
	t.Helper()
	for _, line := range a.header.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(line); err == nil && ck.Value != "" {
			return ck.Value
		}
	}
	t.Fatalf("no session set: %d %s", a.status, a.body)
	return ""
}

var mailLink = regexp.MustCompile(`https?://[^\s"<>]+`)

// awaitLink waits for a mail to the address and returns its link that contains
// part, from the plain-text part.
func (c *cluster) awaitLink(t *testing.T, to, part string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range c.mails.Messages() {
			if len(m.To) != 1 || m.To[0] != to {
				continue
			}
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			p, err := mr.NextRawPart()
			if err != nil {
				t.Fatal(err)
			}
			text, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range mailLink.FindAllString(string(text), -1) {
				if strings.Contains(l, part) {
					return l
				}
			}
			t.Fatalf("mail to %s has no link with %q: %s", to, part, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail to %s", to)
	return ""
}

// accounts: sign up on the first instance, confirm on the second, log in on the
// third; the session of each instance works on the others.
func (c *cluster) accounts(t *testing.T) {
	a, b, d := c.nodes[0], c.nodes[1], c.nodes[2]
	const email, password = "multi@example.com", "multi password"
	c.do(t, http.StatusOK, "POST", a.url+"/-/signup", "", map[string]string{"email": email, "password": password})
	link := c.awaitLink(t, email, "/-/signup?token=")
	confirmed := c.do(t, http.StatusFound, "GET", c.at(t, b, link), "", nil)
	fromB := sessionOf(t, confirmed)
	loggedIn := c.do(t, http.StatusOK, "PUT", d.url+"/-/login", "", map[string]string{"login": email, "password": password})
	c.token = sessionOf(t, loggedIn)
	for _, token := range []string{fromB, c.token} {
		for _, u := range []string{a.url, b.url, d.url, c.proxy, c.proxy, c.proxy} {
			var info struct {
				Authenticated bool
				Email         string
			}
			if err := json.Unmarshal(c.do(t, http.StatusOK, "GET", u+"/-/login", token, nil).body, &info); err != nil || !info.Authenticated || info.Email != email {
				t.Fatalf("GET %s/-/login with a session: %+v, %v", u, info, err)
			}
		}
	}
	// The link worked once, for every instance.
	c.do(t, http.StatusForbidden, "GET", c.at(t, d, link), "", nil)
	c.do(t, http.StatusForbidden, "GET", c.at(t, a, link), "", nil)
}

// files: upload through one instance, download (whole and a range to the end)
// through another, delete through a third; then no instance serves it.
func (c *cluster) files(t *testing.T) {
	a, b, d := c.nodes[0], c.nodes[1], c.nodes[2]
	data := make([]byte, 300<<10)
	rand.Read(data)
	up, err := send("POST", a.url+"/-/files?filename=multi.bin", c.token, map[string]string{"Content-Type": "application/octet-stream"}, data)
	if err != nil || up.status != http.StatusCreated {
		t.Fatalf("upload: %d %s, %v", up.status, up.body, err)
	}
	var f struct{ URL string }
	if err := json.Unmarshal(up.body, &f); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{c.at(t, b, f.URL), f.URL, f.URL, f.URL} {
		if got := c.do(t, http.StatusOK, "GET", u, c.token, nil); !bytes.Equal(got.body, data) {
			t.Fatalf("download from %s: %d bytes", u, len(got.body))
		}
	}
	part, err := send("GET", c.at(t, d, f.URL), c.token, map[string]string{"Range": "bytes=1000-"}, nil)
	if err != nil || part.status != http.StatusPartialContent || !bytes.Equal(part.body, data[1000:]) {
		t.Fatalf("range to the end: %d, %d bytes, %v", part.status, len(part.body), err)
	}
	c.do(t, http.StatusOK, "DELETE", c.at(t, d, f.URL), c.token, nil)
	for _, nd := range c.nodes {
		c.do(t, http.StatusNotFound, "GET", c.at(t, nd, f.URL), c.token, nil)
	}
	c.filesCheck(t)
}

// filesCheck runs backrest files check with the instances' settings, fails the
// test unless every file has its bytes, and returns the orphans it lists.
func (c *cluster) filesCheck(t *testing.T) []string {
	t.Helper()
	out := c.command(t, "files", "check")
	if !strings.Contains(out, " 0 missing, 0 corrupt;") {
		t.Fatalf("files check: %s", out)
	}
	var orphans []string
	for _, line := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(line, "orphan: "); ok {
			orphans = append(orphans, k)
		}
	}
	return orphans
}

// command runs a backrest command with the instances' settings and returns its
// output.
func (c *cluster) command(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(c.env[:len(c.env):len(c.env)], "BACKREST_DATA="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("backrest %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// rateLimits: failed logins for one account from one address, sent to each
// instance in turn, meet one limit (the default: 10 per 15 minutes).
func (c *cluster) rateLimits(t *testing.T) {
	const email = "limited@example.com"
	c.command(t, "user", "add", "--password", "the right one", email)
	wrong := map[string]string{"login": email, "password": "not the right one"}
	for i := range 10 {
		a := c.do(t, http.StatusBadRequest, "PUT", c.nodes[i%3].url+"/-/login", "", wrong)
		if !bytes.Contains(a.body, []byte("Login failed")) {
			t.Fatalf("failure %d: %s", i+1, a.body)
		}
	}
	for _, u := range []string{c.nodes[1].url, c.nodes[2].url, c.nodes[0].url, c.proxy} {
		a := c.do(t, http.StatusTooManyRequests, "PUT", u+"/-/login", "", wrong)
		if a.header.Get("Retry-After") == "" {
			t.Fatalf("429 from %s without Retry-After", u)
		}
	}
	t.Logf("10 failed logins spread over 3 instances; the 11th refused with 429 by every instance and the proxy")
}

// load sends requests through the proxy from several clients until stop is
// called, with the function work, and counts them.
type load struct {
	wg   sync.WaitGroup
	stop atomic.Bool
	// requests counts the answered requests; failures those that failed, with the
	// first few kept in errs.
	requests, failures atomic.Int64
	mu                 sync.Mutex
	errs               []string
}

// fail records a failed request.
func (l *load) fail(format string, args ...any) {
	l.failures.Add(1)
	l.mu.Lock()
	if len(l.errs) < 5 {
		l.errs = append(l.errs, fmt.Sprintf(format, args...))
	}
	l.mu.Unlock()
}

// run starts n clients calling work until stopped.
func (l *load) run(n int, work func(client int)) {
	for i := range n {
		l.wg.Go(func() {
			for !l.stop.Load() {
				work(i)
			}
		})
	}
}

// end stops the clients and waits for them.
func (l *load) end() {
	l.stop.Store(true)
	l.wg.Wait()
}

// waitFor waits until cond holds. It fails the test after a minute, so that a
// load that stopped making progress fails rather than hangs.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: no progress in a minute", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// note is the part of a note's representation the test reads.
type note struct {
	ID    int64
	Title string
	Color *string
	Meta  struct{ URL string } `json:"__meta__"`
}

// schemaRollout restarts each instance in turn with a schema that adds a field,
// taken out of the proxy's rotation first, while clients create, read and list
// notes through the proxy: no request fails.
func (c *cluster) schemaRollout(t *testing.T) {
	l := &load{}
	l.run(4, func(client int) {
		var n note
		a, err := send("POST", c.proxy+"/-/notes", c.token, nil, []byte(`{"title": "rolling", "body": "text", "color": "red"}`))
		if err != nil || a.status != http.StatusCreated || json.Unmarshal(a.body, &n) != nil {
			l.fail("create: %d %s %v", a.status, a.body, err)
			return
		}
		for _, u := range []string{n.Meta.URL, c.proxy + "/-/notes?limit=5"} {
			if a, err := send("GET", u, c.token, nil, nil); err != nil || a.status != http.StatusOK {
				l.fail("GET %s: %d %s %v", u, a.status, a.body, err)
			}
		}
		l.requests.Add(3)
	})
	// Before and after each restart, the instances of both schemas serve a
	// round of requests.
	round := func() {
		from := l.requests.Load()
		waitFor(t, "a round of requests", func() bool { return l.requests.Load() >= from+60 || l.failures.Load() > 0 })
	}
	round()
	for i, nd := range c.nodes {
		c.lb.setIn(i, false)
		c.stop(nd)
		if err := c.start(nd, c.schemaV2); err != nil {
			l.end()
			t.Fatal(err)
		}
		c.lb.setIn(i, true)
		round()
	}
	l.end()
	t.Logf("schema rollout over 3 instances: %d requests through the proxy, %d failed", l.requests.Load(), l.failures.Load())
	if l.failures.Load() > 0 {
		t.Fatalf("%d requests failed during the rollout: %q", l.failures.Load(), l.errs)
	}
	for i, nd := range c.nodes {
		var n note
		json.Unmarshal(c.do(t, http.StatusCreated, "POST", nd.url+"/-/notes", c.token, map[string]string{"title": "colored", "color": "blue"}).body, &n)
		other := c.nodes[(i+1)%len(c.nodes)]
		var got note
		json.Unmarshal(c.do(t, http.StatusOK, "GET", c.at(t, other, n.Meta.URL), c.token, nil).body, &got)
		if got.Color == nil || *got.Color != "blue" {
			t.Fatalf("note %d created on instance %d, read on the next: color %v", n.ID, i, got.Color)
		}
	}
}

// kill kills an instance with SIGKILL while clients create notes and upload files
// through the proxy. Every write answered with success is readable afterwards,
// and once swept the bucket holds no bytes without a file.
func (c *cluster) kill(t *testing.T) {
	type written struct {
		url, title string
		sum        [32]byte
		file       bool
	}
	var (
		mu       sync.Mutex
		acked    []written
		refused  atomic.Int64
		oddities []string
	)
	l := &load{}
	l.run(6, func(client int) {
		var w written
		var a answer
		var err error
		if l.requests.Add(1)%2 == 0 {
			w.title = fmt.Sprintf("note of client %d at %d", client, time.Now().UnixNano())
			body, _ := json.Marshal(map[string]string{"title": w.title, "body": "load"})
			a, err = send("POST", c.proxy+"/-/notes", c.token, nil, body)
		} else {
			data := make([]byte, 1+int(time.Now().UnixNano()%(128<<10)))
			rand.Read(data)
			w.file, w.sum = true, sha256.Sum256(data)
			a, err = send("POST", c.proxy+"/-/files?filename=load.bin", c.token, map[string]string{"Content-Type": "application/octet-stream"}, data)
		}
		switch {
		case err != nil || a.status == http.StatusBadGateway:
			// The instance died with the request: not acknowledged.
			refused.Add(1)
			return
		case a.status != http.StatusCreated:
			mu.Lock()
			oddities = append(oddities, fmt.Sprintf("%d %s", a.status, a.body))
			mu.Unlock()
			return
		}
		var n note
		if err := json.Unmarshal(a.body, &n); err != nil {
			l.fail("answer: %v", err)
			return
		}
		if w.file {
			var f struct{ URL string }
			json.Unmarshal(a.body, &f)
			w.url = f.URL
		} else {
			w.url = n.Meta.URL
		}
		mu.Lock()
		acked = append(acked, w)
		mu.Unlock()
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	waitFor(t, "acknowledged writes", func() bool { return count() >= 60 })
	victim := c.nodes[1]
	victim.cmd.Process.Kill()
	<-victim.done
	victim.cmd = nil
	c.lb.setIn(1, false)
	before := count()
	waitFor(t, "acknowledged writes after the kill", func() bool { return count() >= before+60 })
	l.end()
	if len(oddities) > 0 || l.failures.Load() > 0 {
		t.Fatalf("unexpected answers under load: %q %q", oddities, l.errs)
	}

	var lost, files int
	for _, w := range acked {
		a, err := send("GET", w.url, c.token, nil, nil)
		switch {
		case err != nil || a.status != http.StatusOK:
			lost++
			t.Errorf("acknowledged %s lost: %d %v", w.url, a.status, err)
		case w.file && sha256.Sum256(a.body) != w.sum:
			lost++
			t.Errorf("acknowledged file %s has other bytes", w.url)
		case !w.file:
			var n note
			if json.Unmarshal(a.body, &n) != nil || n.Title != w.title {
				lost++
				t.Errorf("acknowledged note %s reads %s", w.url, a.body)
			}
		}
		if w.file {
			files++
		}
	}
	orphans := c.filesCheck(t)
	swept := c.command(t, "files", "sweep", "--sweep-grace", "0")
	left := c.filesCheck(t)
	t.Logf("kill -9 of 1 of 3 instances under load: %d writes acknowledged (%d notes, %d files), %d lost; %d requests cut by the kill; %d orphaned blobs before the sweep, %d after (sweep: %s)",
		len(acked), len(acked)-files, files, lost, refused.Load(), len(orphans), len(left), strings.TrimSpace(swept))
	if len(left) > 0 {
		t.Fatalf("orphans left after the sweep: %q", left)
	}
}

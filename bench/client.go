package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// newTransport returns the transport that all clients share: keep-alive
// connections, as many idle ones per host as there are clients.
func newTransport(clients int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// checkLoopback returns an error unless u is an http URL of a loopback address:
// the tool loads only servers on the machine it runs on.
func checkLoopback(ctx context.Context, u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--url %q: want http://HOST:PORT", u)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("--url %q: not a loopback address; bench loads only servers on this machine", u)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("--url %q: %w", u, err)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("--url %q: %s is not a loopback address; bench loads only servers on this machine", u, a.IP)
		}
	}
	return nil
}

// api is a client of one backrest server, or of the instances of one deployment
// in turn, optionally logged in.
type api struct {
	// bases are the servers' scheme://host:port, without a trailing slash; each
	// request goes to the next, as a round-robin load balancer would send it.
	bases  []string
	next   atomic.Uint64
	client *http.Client
	cookie string // the session cookie, NAME=VALUE; empty when anonymous
	// checkEvery, when above 1, makes call decode and check the body of only one
	// answer in checkEvery, so that checking answers takes little of the CPU the
	// server shares with the clients. Every answer's status is checked.
	checkEvery uint64
	calls      atomic.Uint64
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
	// decoded tells that call decoded the body: the caller is to check it.
	decoded bool
}

// request describes one call.
type request struct {
	method, path string
	body         []byte
	contentType  string
	header       map[string]string
	anonymous    bool // send no session cookie
}

// do makes the call r, reading the answer's body into buf, which it reuses.
func (a *api) do(ctx context.Context, r request, buf *bytes.Buffer) (response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, a.bases[(a.next.Add(1)-1)%uint64(len(a.bases))]+r.path, body)
	if err != nil {
		return response{}, err
	}
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if a.cookie != "" && !r.anonymous {
		req.Header.Set("Cookie", a.cookie)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return response{}, fmt.Errorf("%s %s: reading the answer: %w", r.method, r.path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}, nil
}

// call makes the call r and checks that it answers one of the statuses want. Unless
// v is nil, it decodes the JSON body into v and sets resp.decoded, on one answer
// in a.checkEvery (see api); on the others it checks only that the body is JSON
// of the same kind as v: an object or an array.
func (a *api) call(ctx context.Context, r request, buf *bytes.Buffer, v any, want ...int) (response, error) {
	resp, err := a.do(ctx, r, buf)
	if err != nil {
		return resp, err
	}
	if !slices.Contains(want, resp.status) {
		return resp, fmt.Errorf("%s %s: status %d, want %v: %s", r.method, r.path, resp.status, want, snippet(resp.body))
	}
	if v == nil {
		return resp, nil
	}
	if a.checkEvery > 1 && a.calls.Add(1)%a.checkEvery != 0 {
		open, end := byte('{'), byte('}')
		if reflect.TypeOf(v).Elem().Kind() == reflect.Slice {
			open, end = '[', ']'
		}
		if b := bytes.TrimSpace(resp.body); len(b) < 2 || b[0] != open || b[len(b)-1] != end {
			return resp, fmt.Errorf("%s %s: answer is not a JSON %c…%c: %s", r.method, r.path, open, end, snippet(b))
		}
		return resp, nil
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		return resp, fmt.Errorf("%s %s: %w: %s", r.method, r.path, err, snippet(resp.body))
	}
	resp.decoded = true
	return resp, nil
}

// login logs in with email and password and keeps the session cookie.
func (a *api) login(ctx context.Context, email, password string) error {
	body, _ := json.Marshal(map[string]string{"login": email, "password": password})
	resp, err := a.call(ctx, request{method: "PUT", path: "/-/login", body: body, anonymous: true}, &bytes.Buffer{}, nil, 200)
	if err != nil {
		return err
	}
	for _, c := range (&http.Response{Header: resp.header}).Cookies() {
		if c.Value != "" {
			a.cookie = c.Name + "=" + c.Value
			return nil
		}
	}
	return errors.New("PUT /-/login: no session cookie in the answer")
}

// pathOf returns the path and query of an absolute URL that the server handed out,
// so that it is requested from the address the tool loads, whatever public base
// URL the server has.
func pathOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "", fmt.Errorf("bad URL %q in an answer", raw)
	}
	return u.RequestURI(), nil
}

// snippet returns the start of a body, for error messages.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

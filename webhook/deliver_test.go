package webhook

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	for _, c := range []struct {
		ip     string
		public bool
	}{
		{"93.184.215.14", true}, {"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"127.0.0.1", false}, {"10.0.0.1", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"255.255.255.255", false},
		{"::1", false}, {"::", false}, {"fe80::1", false}, {"fd00::1", false}, {"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false}, {"64:ff9b::a00:1", false}, {"2002:a00:1::", false}, {"224.0.0.1", false},
	} {
		if got := public(netip.MustParseAddr(c.ip)); got != c.public {
			t.Errorf("public(%s) = %v", c.ip, got)
		}
	}
}

// TestDialRefusesPrivate checks the address as the connection is made: a URL
// whose name resolves to a private address is refused there, whatever passed
// the check of the URL.
func TestDialRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := newClient(time.Second, false).Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	if err == nil || !strings.Contains(err.Error(), "is not public: refused") {
		t.Fatalf("err %v", err)
	}
	res, err := newClient(time.Second, true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Unix(1700000000, 0)
	sig := "v1=" + Sign("a secret of some length", now.Unix(), body)
	if err := Verify("a secret of some length", "1700000000", sig, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ secret, ts, sig, body string }{
		{"another secret of length", "1700000000", sig, string(body)},
		{"a secret of some length", "1700000001", sig, string(body)},
		{"a secret of some length", "1700000000", sig, `{"id":2}`},
		{"a secret of some length", "1699990000", "v1=" + Sign("a secret of some length", 1699990000, body), string(body)},
		{"a secret of some length", "x", sig, string(body)},
		{"a secret of some length", "1700000000", strings.TrimPrefix(sig, "v1="), string(body)},
	} {
		if Verify(c.secret, c.ts, c.sig, []byte(c.body), now, time.Minute) == nil {
			t.Errorf("verified: %+v", c)
		}
	}
}

func FuzzVerify(f *testing.F) {
	body := []byte(`{"id":1}`)
	f.Add("1700000000", "v1="+Sign("a secret of some length", 1700000000, body), body)
	f.Add("-1", "v1=,v1=00", []byte{})
	f.Add("99999999999999999999", "v0=x", []byte("x"))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		now := time.Unix(1700000000, 0)
		err := Verify("a secret of some length", ts, sig, body, now, time.Minute)
		if err == nil && !strings.Contains(sig, "v1="+Sign("a secret of some length", now.Unix(), body)) {
			t.Fatalf("verified %q %q", ts, sig)
		}
	})
}

func FuzzCheckURL(f *testing.F) {
	for _, u := range []string{"https://example.com/hook", "http://127.0.0.1/", "ftp://x", "http://[::1]:80/", "http://a:b@c/", "http://x:99999999/", ""} {
		f.Add(u)
	}
	s := New(nil, Options{})
	f.Fuzz(func(t *testing.T, raw string) {
		if s.checkURL(raw) != "" {
			return
		}
		// Accepted: an http(s) URL that a request can be made of.
		req, err := http.NewRequest("POST", raw, nil)
		if err != nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
			t.Fatalf("accepted %q: %v", raw, err)
		}
	})
}

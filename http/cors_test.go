package http_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	bhttp "github.com/backrest/backrest/http"
)

const devOrigin = "http://localhost:5173"

// allowDevOrigin lists the development server's origin in the configuration.
// It is written as a program embedding backrest might write it: the server takes
// it in the form browsers send.
func allowDevOrigin(cfg *backrest.Config) { cfg.CORSOrigins = []string{"HTTP://localhost:5173/"} }

// crossSiteBrowser is a browser on a page of origin: it sends the headers a browser
// sends with a cross-site fetch.
func (e *env) crossSiteBrowser(origin string) *browser {
	b := e.browser()
	b.header.Set("Origin", origin)
	b.header.Set("Sec-Fetch-Site", "cross-site")
	b.header.Set("Sec-Fetch-Mode", "cors")
	return b
}

// preflight sends the OPTIONS request a browser sends before a cross-origin PUT
// with a JSON body and a bearer token.
func (b *browser) preflight(path string) *response {
	b.e.t.Helper()
	saved := b.header.Clone()
	defer func() { b.header = saved }()
	b.header.Set("Access-Control-Request-Method", "PUT")
	b.header.Set("Access-Control-Request-Headers", "authorization,content-type")
	return b.do("OPTIONS", path, nil)
}

// varies reports whether the response's Vary header names name.
func varies(r *response, name string) bool {
	for _, v := range r.header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

func TestCORSAllowedOrigin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "", "")
		b := e.crossSiteBrowser(devOrigin)

		pre := b.preflight("/-/userprofile").expect(http.StatusNoContent)
		h := pre.header
		if h.Get("Access-Control-Allow-Origin") != devOrigin || h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("preflight headers %v", h)
		}
		methods := strings.Split(h.Get("Access-Control-Allow-Methods"), ", ")
		if !slices.Contains(methods, "PUT") || !slices.Contains(methods, "DELETE") {
			t.Fatalf("allowed methods %q", h.Get("Access-Control-Allow-Methods"))
		}
		allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		if !strings.Contains(allowed, "authorization") || !strings.Contains(allowed, "content-type") {
			t.Fatalf("allowed headers %q", allowed)
		}
		if h.Get("Access-Control-Max-Age") == "" || !varies(pre, "Origin") {
			t.Fatalf("preflight lacks Max-Age or Vary: %v", h)
		}

		// The login from the page: its cookie and, on request, its token.
		res := b.put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true})
		res.expectSuccess()
		if res.header.Get("Access-Control-Allow-Origin") != devOrigin || res.header.Get("Access-Control-Allow-Credentials") != "true" || !varies(res, "Origin") {
			t.Fatalf("login answer headers %v", res.header)
		}
		token, _ := res.JSON()["token"].(string)
		if token == "" {
			t.Fatalf("no token in %s", res.body)
		}
		// A state-changing call with the bearer token passes the cross-origin check.
		bearer := e.crossSiteBrowser(devOrigin)
		bearer.header.Set("Authorization", "Bearer "+token)
		bearer.put("/-/userprofile", obj{"firstname": "Annie"}).expect(http.StatusOK)
		got := bearer.get("/-/userprofile").expect(http.StatusOK)
		if got.JSON()["firstname"] != "Annie" {
			t.Fatalf("profile %s", got.body)
		}
		if exposed := got.header.Get("Access-Control-Expose-Headers"); !strings.Contains(exposed, "X-Total-Count") || !strings.Contains(exposed, "Link") {
			t.Fatalf("exposed headers %q", exposed)
		}
		// Its cookie works as well (for a front end on the same site).
		b.put("/-/userprofile", obj{"lastname": "Smith"}).expect(http.StatusOK)
	}, allowDevOrigin)
}

func TestCORSOtherOrigins(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "", "")
		token, _ := e.browser().put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true}).JSON()["token"].(string)
		b := e.crossSiteBrowser("http://evil.example")
		b.header.Set("Authorization", "Bearer "+token)

		// No preflight answer and no CORS headers: the browser refuses to send.
		pre := b.preflight("/-/userprofile").expect(http.StatusMethodNotAllowed)
		if pre.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight for an unlisted origin: %v", pre.header)
		}
		// And a request sent anyway is refused, changing nothing.
		res := b.put("/-/userprofile", obj{"firstname": "Mallory"})
		res.expectError(http.StatusForbidden, "", "Cross-origin request refused")
		if res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("CORS headers for an unlisted origin: %v", res.header)
		}
		same := e.browser()
		same.header.Set("Authorization", "Bearer "+token)
		if same.get("/-/userprofile").JSON()["firstname"] != "Ann" {
			t.Fatal("a refused cross-origin request changed the profile")
		}
		// An origin differing from the listed one in its port is another origin.
		e.crossSiteBrowser("http://localhost:5174").put("/-/logout", nil).expectError(http.StatusForbidden, "", "Cross-origin request refused")
	}, allowDevOrigin)
}

func TestCORSNoneListed(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.crossSiteBrowser(devOrigin)
		b.preflight("/-/login").expect(http.StatusMethodNotAllowed)
		b.put("/-/logout", nil).expectError(http.StatusForbidden, "", "Cross-origin request refused")
	})
}

func TestParseOrigin(t *testing.T) {
	good := map[string]string{
		"http://localhost:5173":    "http://localhost:5173",
		"HTTPS://App.Example.com/": "https://app.example.com",
		" http://127.0.0.1:8080 ":  "http://127.0.0.1:8080",
	}
	for in, want := range good {
		if got, err := bhttp.ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "*", "localhost:5173", "ftp://example.com", "http://example.com/app",
		"http://example.com?x=1", "http://user@example.com", "http://"} {
		if got, err := bhttp.ParseOrigin(in); err == nil {
			t.Errorf("ParseOrigin(%q) = %q, want an error", in, got)
		}
	}
}

func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"http://localhost:5173", "https://a.example/", "ftp://x", "http://[::1]:80", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		origin, err := bhttp.ParseOrigin(s)
		if err != nil {
			return
		}
		again, err := bhttp.ParseOrigin(origin)
		if err != nil || again != origin {
			t.Fatalf("ParseOrigin(%q) = %q, which parses to %q, %v", s, origin, again, err)
		}
		if !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			t.Fatalf("origin %q", origin)
		}
	})
}

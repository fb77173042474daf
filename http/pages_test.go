package http_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store/storetest"
	"github.com/backrest/backrest/web"
)

// The console is served at /_/ and the account pages at /, with their assets,
// under the Content-Security-Policy; other paths and methods are refused with the
// API's errors.
func TestPagesServed(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		for path, want := range map[string]string{"/": "/_/assets/account.js", "/_/": "/_/assets/console.js"} {
			r := b.get(path).expect(200)
			if !strings.Contains(string(r.body), want) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %s %s", path, r.header.Get("Content-Type"), r.body)
			}
			if r.header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
				t.Errorf("%s: policy %q", path, r.header.Get("Content-Security-Policy"))
			}
		}
		if r := b.get("/_/assets/console.js").expect(200); !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
			t.Errorf("console.js: %s", r.header.Get("Content-Type"))
		}
		if r := b.get("/_/assets/style.css").expect(200); !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Errorf("style.css: %s", r.header.Get("Content-Type"))
		}
		b.get("/_/assets/missing.js").expectError(404, "", "")
		b.get("/_/nowhere").expectError(404, "", "")
		b.get("/welcome").expectError(404, "", "")
		b.post("/_/", obj{}).expectError(405, "", "")
		b.post("/", obj{}).expectError(405, "", "")
		b.put("/_/assets/style.css", obj{}).expectError(405, "", "")
		if r := b.get("/-/").expect(200); r.JSON()["authenticated"] != false {
			t.Fatal("API not served beside the pages")
		}
	})
}

// A front end of its own at / takes the place of the account pages; the console
// stays at /_/.
func TestPagesWithPublicFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>app</h1>"), 0o644)
	e := newEnv(t, storetest.SQLite, func(c *backrest.Config) { c.Public = dir })
	b := e.browser()
	if r := b.get("/").expect(200); string(r.body) != "<h1>app</h1>" {
		t.Fatalf("/: %s", r.body)
	}
	if r := b.get("/_/").expect(200); !strings.Contains(string(r.body), "console.js") {
		t.Fatalf("/_/: %s", r.body)
	}
}

// The pages work under the policy: no inline script, style or event handler in
// the HTML, no style set from the scripts, and every asset the pages name is
// served.
func TestPagesKeepThePolicy(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	b := e.browser()
	inline := regexp.MustCompile(`(?i)<script(?:\s+type="module")?>|<style|\sstyle=|\son[a-z]+=`)
	styled := regexp.MustCompile(`\.style\b|setAttribute\("style"|innerHTML|insertAdjacentHTML|eval\(|new Function`)
	asset := regexp.MustCompile(`(?:src|href)="(/_/assets/[^"]+)"|from "\./([^"]+)"|src: "(/_/assets/[^"]+)"`)
	err := fs.WalkDir(web.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(web.Files, name)
		if err != nil {
			return err
		}
		text := string(data)
		if strings.HasSuffix(name, ".html") && inline.MatchString(text) {
			t.Errorf("%s: inline %q", name, inline.FindString(text))
		}
		if strings.HasSuffix(name, ".js") && styled.MatchString(text) {
			t.Errorf("%s: %q", name, styled.FindString(text))
		}
		for _, m := range asset.FindAllStringSubmatch(text, -1) {
			path := m[1] + m[3]
			if m[2] != "" {
				path = "/_/assets/" + m[2]
			}
			if r := b.get(path); r.status != http.StatusOK {
				t.Errorf("%s names %s: status %d", name, path, r.status)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

package http_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store/storetest"
)

// With BACKREST_PUBLIC the front end is served at /, index.html standing in for
// unknown paths that accept HTML, while the API keeps /-/.
func TestPublicFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>app</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log(1)"), 0o644)
	e := newEnv(t, storetest.SQLite, func(c *backrest.Config) { c.Public = dir })
	b := e.browser()
	if r := b.get("/").expect(200); !strings.Contains(string(r.body), "<h1>app</h1>") {
		t.Fatalf("/: %s", r.body)
	}
	if r := b.get("/app.js").expect(200); string(r.body) != "console.log(1)" {
		t.Fatalf("/app.js: %s", r.body)
	}
	b.header.Set("Accept", "text/html,application/xhtml+xml")
	if r := b.get("/welcome/deep/link").expect(200); !strings.Contains(string(r.body), "<h1>app</h1>") {
		t.Fatalf("fallback: %s", r.body)
	}
	b.header.Del("Accept")
	b.get("/missing.js").expect(404)
	if r := b.get("/../../etc/passwd"); r.status == 200 {
		t.Fatalf("path escaped the folder: %s", r.body)
	}
	b.get("/%2e%2e/%2e%2e/etc/passwd").expect(404)
	b.get("/-/missing").expectError(404, "", "")
	b.post("/app.js", obj{}).expectError(405, "", "")
	if b.get("/-/").expect(200).JSON()["authenticated"] != false {
		t.Fatal("API not served beside the front end")
	}
}

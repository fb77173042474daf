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

// The front end's folder serves its files only: no folder listings, no dotfiles,
// nothing a symbolic link leads to outside it.
func TestPublicFolderServesFilesOnly(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644)
	os.WriteFile(filepath.Join(dir, ".env"), []byte("KEY=secret"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("secret"), 0o644)
	os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	os.WriteFile(filepath.Join(dir, "assets", "a.css"), []byte("a{}"), 0o644)
	os.MkdirAll(filepath.Join(dir, "docs"), 0o755)
	os.WriteFile(filepath.Join(dir, "docs", "index.html"), []byte("<h1>docs</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "inside.txt"), []byte("inside"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>app</h1>"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "out.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "outdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("inside.txt", filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.SQLite, func(c *backrest.Config) { c.Public = dir })
	b := e.browser()
	for _, p := range []string{"/.env", "/.git/config", "/.git/", "/assets/", "/assets", "/out.txt", "/outdir/secret.txt", "/outdir/"} {
		b.get(p).expectError(404, "", "")
	}
	if r := b.get("/assets/a.css").expect(200); string(r.body) != "a{}" {
		t.Fatalf("/assets/a.css: %s", r.body)
	}
	if r := b.get("/docs/").expect(200); string(r.body) != "<h1>docs</h1>" {
		t.Fatalf("/docs/: %s", r.body)
	}
	if r := b.get("/link.txt").expect(200); string(r.body) != "inside" {
		t.Fatalf("a link inside the folder: %s", r.body)
	}
	// A single-page app's fallback does not reveal them either.
	b.header.Set("Accept", "text/html")
	for _, p := range []string{"/.env", "/out.txt", "/assets/"} {
		if r := b.get(p).expect(200); string(r.body) != "<h1>app</h1>" {
			t.Fatalf("%s: %s", p, r.body)
		}
	}
}

package http

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// staticFiles serves the front end in dir. Unknown paths of requests that accept
// HTML get index.html, so that a single-page app can route them itself.
func staticFiles(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeStatusError(w, http.StatusMethodNotAllowed, "")
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil &&
			strings.Contains(r.Header.Get("Accept"), "text/html") {
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		files.ServeHTTP(w, r)
	})
}

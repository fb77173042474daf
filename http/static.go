package http

import (
	"net/http"
	"os"
	"path"
	"strings"
)

// staticFiles serves the front end in dir. Unknown paths of requests that accept
// HTML get index.html, so that a single-page app can route them itself. It serves
// files only: no folder listings (a folder serves its index.html, if any), no
// dotfiles or dot-folders, and nothing outside dir, even through symbolic links.
func staticFiles(dir string) http.Handler {
	root, rootErr := os.OpenRoot(dir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeStatusError(w, http.StatusMethodNotAllowed, "")
			return
		}
		if rootErr == nil && serveStatic(w, r, root, path.Clean("/"+r.URL.Path)) {
			return
		}
		if rootErr == nil && strings.Contains(r.Header.Get("Accept"), "text/html") && serveStatic(w, r, root, "/index.html") {
			return
		}
		writeStatusError(w, http.StatusNotFound, "")
	})
}

// serveStatic serves the file name (a clean absolute path) of root, or the
// index.html of the folder name, and reports whether there was one to serve.
func serveStatic(w http.ResponseWriter, r *http.Request, root *os.Root, name string) bool {
	rel := strings.TrimPrefix(name, "/")
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	if rel == "" {
		rel = "."
	}
	f, err := root.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false
	}
	if st.IsDir() {
		index, err := root.Open(path.Join(rel, "index.html"))
		if err != nil {
			return false
		}
		defer index.Close()
		if st, err = index.Stat(); err != nil || !st.Mode().IsRegular() {
			return false
		}
		f = index
	} else if !st.Mode().IsRegular() {
		return false
	}
	http.ServeContent(&jsonErrorWriter{ResponseWriter: w}, r, st.Name(), st.ModTime(), f)
	return true
}

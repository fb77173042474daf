package http

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/backrest/backrest/web"
)

// page is a route of the pages people see (package web), which are not operations
// of the API and so are not in the route table nor the OpenAPI document.
type page struct {
	pattern string
	handler http.Handler
}

// pageTable lists the pages: the console at /_/ with the assets of all pages under
// /_/assets/, and the account pages at / unless a front end of its own (Public)
// takes /.
func (s *Server) pageTable() []page {
	pages := []page{
		{"GET /_", http.RedirectHandler("/_/", http.StatusMovedPermanently)},
		{"/_/{$}", embedded("console.html")},
		{"/_/assets/{name}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			embedded("assets/"+r.PathValue("name")).ServeHTTP(w, r)
		})},
	}
	if s.cfg.Public == "" {
		pages = append(pages, page{"/{$}", embedded("account.html")})
	}
	return pages
}

// started is the modification time of the embedded files: the start of the server.
var started = time.Now()

// embedded serves the file name of the pages under their Content-Security-Policy;
// a missing one is a JSON 404, and methods other than GET and HEAD a 405.
func embedded(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeStatusError(w, http.StatusMethodNotAllowed, "")
			return
		}
		data, err := fs.ReadFile(web.Files, name)
		if err != nil {
			writeStatusError(w, http.StatusNotFound, "")
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", web.ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if path.Ext(name) == ".js" {
			h.Set("Content-Type", "text/javascript; charset=utf-8")
		}
		http.ServeContent(w, r, path.Base(name), started, bytes.NewReader(data))
	})
}

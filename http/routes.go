package http

import (
	"net/http"
	"strings"
)

// routes lists every route of the API.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /-/{$}", s.handle(s.appInfo))

	mux.Handle("POST /-/signup", s.handle(s.signup))
	mux.Handle("GET /-/signup", s.handle(s.confirmSignup))
	mux.Handle("PUT /-/login", s.handle(s.login))
	mux.Handle("GET /-/login", s.handle(s.authInfo))
	mux.Handle("PUT /-/logout", s.handle(s.logout))

	mux.Handle("POST /-/reset/{$}", s.handle(s.requestReset))
	mux.Handle("POST /-/reset", s.handle(s.requestReset))
	mux.Handle("GET /-/reset/{token}", s.handle(s.resetRedirect))
	mux.Handle("PUT /-/reset/{token}", s.handle(s.reset))
	mux.Handle("PUT /-/password", s.handle(s.changePassword))
	mux.Handle("PUT /-/email/{$}", s.handle(s.requestEmailChange))
	mux.Handle("PUT /-/email", s.handle(s.requestEmailChange))
	mux.Handle("GET /-/email/{token}", s.handle(s.confirmEmailChange))

	mux.Handle("GET /-/userprofile", s.handle(s.profile))
	mux.Handle("PUT /-/userprofile", s.handle(s.updateProfile))
	mux.Handle("POST /-/userprofile", s.handle(s.deleteAccount))

	mux.Handle("POST /-/files", s.handle(s.upload))

	s.contentRoutes(mux)

	mux.Handle("/-/", apiFallback(mux))
	if s.cfg.Public != "" {
		mux.Handle("/", staticFiles(s.cfg.Public))
	} else {
		mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeStatusError(w, http.StatusNotFound, "")
		}))
	}
}

// fileRoutes lists the routes of single files, /-/UUID~. They have a mux of their
// own, which byFilePath consults for such paths only: a ServeMux wildcard is a whole
// path segment, so a pattern /-/{file} in the main mux would also take every other
// /-/NAME path (and clash with collection routes such as /-/{type}).
func (s *Server) fileRoutes(mux *http.ServeMux) {
	mux.Handle("GET /-/{file}", s.handle(s.download))
	mux.Handle("DELETE /-/{file}", s.handle(s.deleteUpload))
	mux.Handle("/-/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, DELETE")
		writeStatusError(w, http.StatusMethodNotAllowed, "")
	}))
}

// byFilePath sends the requests for /-/NAME~ (one path segment ending with a
// tilde: a file) to files, and all others to api.
func byFilePath(files, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/-/")
		if ok && len(name) > 1 && strings.HasSuffix(name, "~") && !strings.Contains(name, "/") {
			files.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

package http

import "net/http"

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

	mux.Handle("/-/", apiFallback(mux))
	if s.cfg.Public != "" {
		mux.Handle("/", staticFiles(s.cfg.Public))
	} else {
		mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeStatusError(w, http.StatusNotFound, "")
		}))
	}
}

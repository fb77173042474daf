package http

import (
	"context"
	"net/http"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
)

// readyTimeout bounds the checks of a readiness call: a database or file store
// slower than that to answer a trivial request is taken as not ready.
const readyTimeout = 2 * time.Second

// Drain makes readiness answer 503 from now on, while the server goes on
// serving: the first step of a graceful shutdown, so that load balancers take
// the instance out of rotation before it stops accepting connections.
func (s *Server) Drain() { s.draining.Store(true) }

// live answers that the process serves requests. It checks nothing else, so
// that a database outage does not get every instance restarted.
func (s *Server) live(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, success)
	return nil
}

// ready answers whether the server can serve requests: it is not shutting down,
// its database answers a query and its file store (when it can tell) is there.
// Every check that failed is reported, with status 503.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	var failed []backrest.FieldError
	if s.draining.Load() {
		failed = append(failed, backrest.FieldError{Location: "path", Name: "server", Description: "The server is shutting down"})
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.db.Check(ctx); err != nil {
		s.log.Warn("readiness: the database does not answer", "err", err)
		failed = append(failed, backrest.FieldError{Location: "path", Name: "database", Description: "The database does not answer"})
	}
	if p, ok := s.blobs.(blob.Pinger); ok {
		if err := p.Ping(ctx); err != nil {
			s.log.Warn("readiness: the file store does not answer", "err", err)
			failed = append(failed, backrest.FieldError{Location: "path", Name: "files", Description: "The file store does not answer"})
		}
	}
	if len(failed) > 0 {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Status: "error", Errors: failed})
		return nil
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/backrest/backrest/account"
)

// Observer is told of every request the Server answers, such as to keep
// metrics. Its methods are called on the requests' goroutines, concurrently,
// and must be quick.
type Observer interface {
	// Started is called as a request comes in.
	Started()
	// Finished is called once it is answered, with its route (the pattern of
	// the route table, or "/-/" and "/" for paths that no route takes, or
	// "none" for a request refused before any route), its method, status and
	// how long it took.
	Finished(route, method string, status int, took time.Duration)
}

// RequestIDHeader is the header of the request id: taken from the request when
// it has a sane one (see saneRequestID), else generated; always in the answer.
const RequestIDHeader = "X-Request-Id"

// maxRequestID is the longest request id taken from a request.
const maxRequestID = 64

// noRoute is the route of a request that reached none, such as one refused as
// cross-origin.
const noRoute = "none"

// requestInfo is what the handlers learn about a request for its log line: the
// route that took it and the caller. It is also the request's
// account.ClientSource, which works out the client only when a session needs it.
type requestInfo struct {
	id    string
	route string
	user  string
	req   *http.Request
	addr  func(*http.Request) string
}

// Client returns the client of the request: its address as addr reads it, and
// its user agent.
func (i *requestInfo) Client() account.Client {
	return account.Client{Addr: i.addr(i.req), UserAgent: i.req.UserAgent()}
}

type infoKey struct{}

// info returns the requestInfo of r, or nil outside of the access log.
func info(r *http.Request) *requestInfo {
	i, _ := r.Context().Value(infoKey{}).(*requestInfo)
	return i
}

// routed notes route as the route of the requests that h answers.
func routed(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := info(r); i != nil {
			i.route = route
		}
		h.ServeHTTP(w, r)
	})
}

// routeOf returns the route of r for logs.
func routeOf(r *http.Request) string {
	if i := info(r); i != nil {
		return i.route
	}
	return noRoute
}

// requestIDOf returns the id of r for logs; empty outside of the access log.
func requestIDOf(r *http.Request) string {
	if i := info(r); i != nil {
		return i.id
	}
	return ""
}

// noteUser notes the caller of r for its log line.
func noteUser(r *http.Request, userID string) {
	if i := info(r); i != nil {
		i.user = userID
	}
}

// requestID returns the id that r names in RequestIDHeader if it is sane, else
// a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get(RequestIDHeader); saneRequestID(id) {
		return id
	}
	var b [12]byte
	rand.Read(b[:]) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b[:])
}

// saneRequestID reports whether id may be passed on: 1 to maxRequestID letters,
// digits and - _ . : only, so that it cannot forge log lines or headers.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// quietRoutes are logged at debug level only: load balancers poll them.
var quietRoutes = map[string]bool{livePath: true, readyPath: true}

// accessLog gives each request an id (echoed in RequestIDHeader), tells obs (when
// not nil) of each request, and logs one line per request at info level: its
// method, route pattern (never the path, which may hold a mailed token), status,
// bytes written, duration, caller and id. The query, headers, cookies and bodies
// are never logged. The request's context carries its client for the sessions
// (see account.WithClient), its address read by addr.
func accessLog(log *slog.Logger, obs Observer, addr func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if obs != nil {
			obs.Started()
		}
		ri := &requestInfo{id: requestID(r), route: noRoute, req: r, addr: addr}
		w.Header().Set(RequestIDHeader, ri.id)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			took := time.Since(start)
			status := rec.status
			if status == 0 {
				// A handler that panicked with http.ErrAbortHandler, or wrote
				// nothing (net/http then answers 200).
				status = http.StatusOK
			}
			if obs != nil {
				obs.Finished(ri.route, r.Method, status, took)
			}
			level := slog.LevelInfo
			if quietRoutes[ri.route] && status < 500 {
				level = slog.LevelDebug
			}
			if !log.Enabled(r.Context(), level) {
				return
			}
			method := r.Method
			if len(method) > 16 {
				method = method[:16]
			}
			log.LogAttrs(r.Context(), level, "request", slog.String("method", method), slog.String("route", ri.route),
				slog.Int("status", status), slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000),
				slog.String("user", ri.user), slog.String("request_id", ri.id))
		}()
		next.ServeHTTP(rec, r.WithContext(account.WithClient(context.WithValue(r.Context(), infoKey{}, ri), ri)))
	})
}

// recorder is a ResponseWriter that notes the status and the bytes written.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the fast path of the ResponseWriter underneath (sendfile for
// downloads) while counting the bytes.
func (w *recorder) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, src)
	w.bytes += n
	return n, err
}

// Flush sends what was written so far, when the ResponseWriter underneath can.
func (w *recorder) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the ResponseWriter underneath.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Package http serves backrest's JSON API. It is a thin layer: it decodes requests,
// calls the account (and content) services, and encodes their results and errors.
// It also builds the links that mails carry (Links), since it owns the routes they
// lead to.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/files"
	"github.com/backrest/backrest/webhook"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "backrest_session"

// Options are the settings of a Server.
type Options struct {
	// BaseURL is the public URL of the server, for links, cookies and the OpenAPI
	// document.
	BaseURL string
	// Debug is reported by the app info call.
	Debug bool
	// Public is a folder of static files served at /; empty serves none.
	Public string
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// BodyLimit is the largest JSON request body accepted, in bytes.
	BodyLimit int64
	// UploadLimit is the largest uploaded file accepted, in bytes.
	UploadLimit int64
	// BodyTimeout is how long a request body may go without a byte arriving;
	// zero means no bound.
	BodyTimeout time.Duration
	// BodyMinRate is the slowest average rate, in bytes per second, at which a
	// request body may arrive (after a grace of BodyTimeout); zero means no bound.
	BodyMinRate int64
	// WriteTimeout is how long one write of a response may wait for a client that
	// does not read; zero means no bound.
	WriteTimeout time.Duration
	// CORSOrigins are the other origins (see ParseOrigin) whose pages may call the
	// API with credentials; empty allows none. NewServer panics on one that is not
	// an origin.
	CORSOrigins []string
	// EventStreamsPerUser and EventStreams bound the open change feeds of one user
	// (or client address, when anonymous) and in total.
	EventStreamsPerUser, EventStreams int
	// EventHeartbeat is how often an idle change feed sends a comment line.
	EventHeartbeat time.Duration
}

// Server is backrest's HTTP handler.
type Server struct {
	cfg      Options
	accounts *account.Service
	files    *files.Service
	content  *content.Service
	webhooks *webhook.Service
	log      *slog.Logger
	limits   Limiter
	outage   *outage
	streams  *streams
	tail     *tail
	handler  http.Handler
	db       Database
	blobs    blob.Store
	// draining is set by Drain: readiness then fails.
	draining atomic.Bool
}

// Database is what the server needs of the database besides the services: a
// readiness check, a probe during an outage, and telling an outage from other
// failures. *store.DB is one.
type Database interface {
	// Check answers whether the database serves reads, for readiness.
	Check(ctx context.Context) error
	// Ping answers whether the database can be reached.
	Ping(ctx context.Context) error
	// Unavailable reports whether err means that the database cannot be reached.
	Unavailable(err error) bool
}

// Deps are what a Server needs.
type Deps struct {
	Options  Options
	Accounts *account.Service
	Files    *files.Service
	// DB is the database: readiness checks it, and during an outage it is probed
	// to see it come back.
	DB Database
	// Limiter applies the rate limits.
	Limiter Limiter
	// Content serves the content types; nil serves none.
	Content *content.Service
	// Webhooks keeps the webhooks of the admin API; nil serves none.
	Webhooks *webhook.Service
	Logger   *slog.Logger
	// Blobs is the file store that readiness checks, when it is a blob.Pinger.
	Blobs blob.Store
	// Observer, when set, is told of every request (for metrics).
	Observer Observer
}

// NewServer returns the handler of the whole API (and of the static front end, when
// Options.Public is set).
func NewServer(d Deps) *Server {
	s := &Server{cfg: d.Options, accounts: d.Accounts, files: d.Files, content: d.Content, webhooks: d.Webhooks, log: d.Logger, limits: d.Limiter, db: d.DB, blobs: d.Blobs,
		streams: newStreams()}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.outage = &outage{db: d.DB, log: s.log, every: time.Second}
	s.tail = newTail(s.content, s.cfg.EventHeartbeat, s.log)
	mux := http.NewServeMux()
	s.routes(mux)
	fileMux := http.NewServeMux()
	s.fileRoutes(fileMux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeStatusError(w, http.StatusForbidden, "Cross-origin request refused")
	}))
	allowed := make(map[string]bool, len(s.cfg.CORSOrigins))
	for _, o := range s.cfg.CORSOrigins {
		origin, err := ParseOrigin(o)
		if err == nil {
			err = cop.AddTrustedOrigin(origin)
		}
		if err != nil {
			panic("http: bad CORS origin: " + err.Error())
		}
		allowed[origin] = true
	}
	s.handler = accessLog(s.log, d.Observer, s.clientAddr, s.deadlines(cors(allowed, cop.Handler(recoverer(s.log, byFilePath(fileMux, mux))))))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// apiFallback answers requests under /-/ that no route takes: 405 with Allow when
// the path has routes for other methods, else 404. (Without it, a static front end
// at / would take them.)
func apiFallback(mux *http.ServeMux) http.Handler {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/-/" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			writeStatusError(w, http.StatusNotFound, "")
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeStatusError(w, http.StatusMethodNotAllowed, "")
	})
}

// recoverer turns a panic in a handler into a logged 500.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "method", r.Method, "route", routeOf(r), "request_id", requestIDOf(r), "panic", v)
				writeStatusError(w, http.StatusInternalServerError, "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// sessionToken returns the session token of the request: the bearer token if any,
// else the cookie's. An Authorization header of another scheme (such as the Basic
// credentials of a proxy in front) is not backrest's and leaves the cookie in force.
func sessionToken(r *http.Request) string {
	if token, ok := bearerToken(r); ok {
		return token
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// bearerToken returns the request's bearer token, and whether it has one.
func bearerToken(r *http.Request) (string, bool) {
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token), true
	}
	return "", false
}

// hasBearer reports whether the request carries a (non-empty) bearer token.
func hasBearer(r *http.Request) bool {
	token, _ := bearerToken(r)
	return token != ""
}

// errSessionGone answers a call that needs a session when the bearer token names
// none (it expired, ended, or never was): the client must log in again.
var errSessionGone = backrest.Errorf(backrest.EFORBIDDEN, "Session expired or unknown: log in again")

// session returns the caller's session, or nil for an anonymous caller.
func (s *Server) session(r *http.Request) (*account.Session, error) {
	token := sessionToken(r)
	if token == "" {
		return nil, nil
	}
	sess, err := s.accounts.Authenticate(r.Context(), token)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, nil
	}
	if sess != nil {
		noteUser(r, sess.User.ID.String())
	}
	return sess, err
}

// mustSession returns the caller's session or an EFORBIDDEN error.
func (s *Server) mustSession(r *http.Request) (*account.Session, error) {
	sess, err := s.session(r)
	if err == nil && sess == nil {
		err = backrest.ErrAnonymous
	}
	return sess, err
}

// secure reports whether cookies must be Secure.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://")
}

// setSession sets the session cookie.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, sess *account.Session) {
	noteUser(r, sess.User.ID.String())
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.Expires,
		MaxAge: int(time.Until(sess.Expires).Seconds()), HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// clearSession removes the session cookie.
func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// clientAddr returns the address rate limits count by.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handle adapts a handler that returns an error.
func (s *Server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkURL(r.URL)
		if err == nil {
			err = h(w, r)
		}
		switch {
		case err == nil:
		case err == errUnsupportedMedia:
			writeStatusError(w, http.StatusUnsupportedMediaType, "")
		case backrest.ErrorCode(err) == backrest.EINTERNAL && s.db != nil && s.db.Unavailable(err):
			s.outage.fail(err)
			s.writeError(w, r, &backrest.Error{Code: backrest.EUNAVAILABLE, RetryAfter: outageRetry})
		case backrest.ErrorCode(err) == backrest.EINTERNAL && errors.Is(err, context.Canceled) && r.Context().Err() != nil:
			// The client went away (or stopped sending): nothing failed here.
			s.log.Debug("request canceled", "method", r.Method, "route", routeOf(r), "request_id", requestIDOf(r))
			writeStatusError(w, http.StatusServiceUnavailable, "")
		case errors.Is(err, backrest.ErrAnonymous) && hasBearer(r):
			s.writeError(w, r, errSessionGone)
		default:
			s.writeError(w, r, err)
		}
	})
}

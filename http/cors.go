package http

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CORS answers for the origins listed in Options.CORSOrigins: a front end served
// from another origin (such as a development server on another port) may call the
// API with its cookies or a bearer token. Requests from other origins get no CORS
// headers and keep the cross-origin protection of every other request.
const (
	corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, Range, If-Range"
	corsExpose  = "Link, X-Total-Count, Location, Retry-After, Content-Disposition, Content-Range, ETag, Last-Modified"
	corsMaxAge  = "600"
)

// ParseOrigin checks that s is a web origin, scheme://host[:port] with the scheme
// http or https and nothing after, and returns it in the form browsers send in the
// Origin header (lower case, no trailing slash).
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(s), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an origin such as http://localhost:5173", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// cors wraps next with the CORS answers for the allowed origins. It sits outside
// the cross-origin protection, which trusts the same origins.
func cors(allowed map[string]bool, next http.Handler) http.Handler {
	if len(allowed) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin == "" || !allowed[strings.ToLower(origin)] {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExpose)
		next.ServeHTTP(w, r)
	})
}
